package core

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// ringOps runs a script against a fresh ring: "aN" activates member N (a strategy loaded on it),
// "+N" makes it eligible, "-N" not, "p" picks. It returns the picks, space separated ("·" for a
// pick with no member).
func ringOps(t *testing.T, script string) string {
	t.Helper()
	var r ring
	var got []string
	for _, op := range strings.Fields(script) {
		switch op[0] {
		case '+', '-', 'a':
			var id int32
			if _, err := fmt.Sscan(op[1:], &id); err != nil {
				t.Fatalf("bad op %q", op)
			}
			if op[0] == 'a' {
				r.activate(id)
				continue
			}
			r.set(id, op[0] == '+')
		case 'p':
			if m, ok := r.pick(); ok {
				got = append(got, fmt.Sprint(m))
			} else {
				got = append(got, "·")
			}
		default:
			t.Fatalf("bad op %q", op)
		}
	}
	return strings.Join(got, " ")
}

// TestRingPickSequences is the rotation of a strategy across URS that leave and join, in the
// manner of Caddy's selection-policy tables: each row is what an operator would see in the
// to_urs events.
func TestRingPickSequences(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"empty", "p p", "· ·"},
		{"one", "+1 p p p", "1 1 1"},
		{"configuration order", "+3 +1 +2 p p p p p p", "1 2 3 1 2 3"},
		{"leaves after its pick and returns before the next (max-submitted churn)",
			"+1 +2 p -1 +1 p -2 +2 p -1 +1 p", "1 2 1 2"},
		{"every pick flips its URS out and in", "+1 +2 +3 p -1 +1 p -2 +2 p -3 +3 p", "1 2 3 1"},
		{"the one that left is skipped, the rest rotate", "+1 +2 +3 p -2 p p p", "1 3 1 3"},
		{"a URS that missed turns while stopped goes first when it returns",
			"+1 +2 +3 p -2 p +2 p p p", "1 3 2 1 3"},
		{"a new URS joins: never picked, so it is next", "+1 +2 p p p +3 p p p", "1 2 1 3 2 1"},
		{"all leave and come back: the rotation goes on where it was", "+1 +2 +3 p p -1 -2 -3 +3 +2 +1 p p p", "1 2 3 1 2"},
		{"remove absent and add present change nothing", "+1 +2 -5 +1 p p p", "1 2 1"},
		{"the only eligible URS is picked again", "+1 +2 p -2 p p +2 p", "1 1 1 2"},
		{"large ids", "+999 +0 +500 p p p p", "0 500 999 0"},
		{"never picked: activation order, not configuration order", "a3 a1 a2 +1 +2 +3 p p p p", "3 1 2 3"},
		{"activated later, never picked: behind those activated before", "a1 a2 +1 +2 p a3 +3 p p p", "1 2 3 1"},
		{"re-activated before any pick: its activation is the new one", "a1 a2 a3 +1 +2 +3 -1 a1 +1 p p p", "2 3 1"},
		{"re-activated after a pick: its last pick ranks it", "a1 a2 +1 +2 p -1 a1 +1 p p", "1 2 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ringOps(t, tc.script); got != tc.want {
				t.Errorf("%s\n got  %s\n want %s", tc.script, got, tc.want)
			}
		})
	}
}

// TestRingFairnessProperty checks the rule the ring's comment states, over random flips: no member
// is picked twice while another member was eligible at both of those picks and not picked in
// between.
func TestRingFairnessProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "members")
		var r ring
		in := make([]bool, n)
		type pickAt struct {
			member   int32
			eligible []bool
		}
		var picks []pickAt
		steps := rapid.IntRange(1, 200).Draw(t, "steps")
		for s := 0; s < steps; s++ {
			if rapid.Bool().Draw(t, "pick") {
				m, ok := r.pick()
				any := false
				for _, b := range in {
					any = any || b
				}
				if ok != any {
					t.Fatalf("pick ok=%v with eligible %v", ok, in)
				}
				if !ok {
					continue
				}
				if !in[m] {
					t.Fatalf("picked %d, which is not eligible (%v)", m, in)
				}
				picks = append(picks, pickAt{m, append([]bool(nil), in...)})
				continue
			}
			id := rapid.IntRange(0, n-1).Draw(t, "id")
			in[id] = !in[id]
			r.set(int32(id), in[id])
			if r.len() != count(in) {
				t.Fatalf("len %d, want %d", r.len(), count(in))
			}
		}
		// For each pair of picks of the same member with no pick of it in between, no other member
		// may have been eligible at both and unpicked in between.
		last := map[int32]int{}
		for i, p := range picks {
			if j, ok := last[p.member]; ok {
				picked := map[int32]bool{}
				for _, q := range picks[j+1 : i] {
					picked[q.member] = true
				}
				for v := 0; v < n; v++ {
					if int32(v) != p.member && picks[j].eligible[v] && p.eligible[v] && !picked[int32(v)] {
						t.Fatalf("member %d picked at %d and %d while %d was eligible at both and not picked between", p.member, j, i, v)
					}
				}
			}
			last[p.member] = i
		}
	})
}

// TestRingFollowsTheRule checks the rule itself at every pick, over random activations,
// deactivations, eligibility flips and picks: the engine picks, among the eligible URS that have
// the strategy loaded, the one whose last pick for this strategy is oldest (a URS never picked
// counts as oldest, ties in activation order).
func TestRingFollowsTheRule(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "members")
		var r ring
		loaded := make([]bool, n)   // the strategy is activated on it
		eligible := make([]bool, n) // running, connected, under its limits
		lastPick := make([]int, n)  // pick number, -1: never picked
		activated := make([]int, n) // when it was last activated
		for i := range lastPick {
			lastPick[i] = -1
		}
		picks, activations := 0, 0
		sync := func(id int) { r.set(int32(id), loaded[id] && eligible[id]) }
		for s := rapid.IntRange(1, 300).Draw(t, "steps"); s > 0; s-- {
			id := rapid.IntRange(0, n-1).Draw(t, "id")
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0: // activate or deactivate, as the Strategy Activation Wizard does
				if loaded[id] = !loaded[id]; loaded[id] {
					r.activate(int32(id))
					activated[id] = activations
					activations++
				}
				sync(id)
			case 1:
				eligible[id] = !eligible[id]
				sync(id)
			default:
				want := -1
				for v := 0; v < n; v++ {
					if !loaded[v] || !eligible[v] {
						continue
					}
					older := func(a, b int) bool { // a's last pick is older than b's
						switch {
						case lastPick[a] < 0 && lastPick[b] < 0:
							return activated[a] < activated[b]
						case lastPick[a] < 0 || lastPick[b] < 0:
							return lastPick[a] < 0
						}
						return lastPick[a] < lastPick[b]
					}
					if want < 0 || older(v, want) {
						want = v
					}
				}
				got, ok := r.pick()
				if ok != (want >= 0) || ok && int(got) != want {
					t.Fatalf("picked %d (ok %v), the rule says %d (loaded %v eligible %v last picks %v activated %v)", got, ok, want, loaded, eligible, lastPick, activated)
				}
				if ok {
					lastPick[got] = picks
					picks++
				}
			}
		}
	})
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// BenchmarkPickURSChurn is a pick under the churn of max-submitted-interactions 1: each pick takes
// its URS out of the rotation and the URS returns before the next pick. The cost must stay flat
// from 2 to 1000 URS.
func BenchmarkPickURSChurn(b *testing.B) {
	for _, n := range []int{2, 100, 1000} {
		b.Run(fmt.Sprintf("urs=%d", n), func(b *testing.B) {
			var r ring
			for i := 0; i < n; i++ {
				r.add(int32(i))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, _ := r.pick()
				r.remove(m)
				r.add(m)
			}
		})
	}
}
