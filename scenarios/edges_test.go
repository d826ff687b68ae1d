package scenarios

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// events is a sink that keeps the event log.
type events []core.Event

func (l *events) Event(e *core.Event, _ []byte) { *l = append(*l, *e) }

// runLogged runs a scenario to its end, keeping the event log.
func runLogged(t *testing.T, s *Scenario) (*core.Report, []core.Event) {
	t.Helper()
	var log events
	e, err := core.New(s.Config, core.WithSink(&log))
	if err != nil {
		t.Fatalf("%s: core.New: %v", s.File, err)
	}
	e.RunUntil(int64(s.Config.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range e.Errors() {
		t.Errorf("engine error: %v", err)
	}
	return r, log
}

// The behaviour of issue 18 ("faithful at the edges"), one scenario file each, as a user runs
// and lints them: the lint findings, the file's own expectations, and what only the event log
// shows.
func TestEdgeScenarios(t *testing.T) {
	tests := []struct {
		file  string
		lint  []string // codes, in position order
		check func(t *testing.T, r *core.Report, log []core.Event)
	}{
		{file: "single-reserving-urs.yaml", check: func(t *testing.T, r *core.Report, log []core.Event) {
			if n := count(log, core.EvReserveDenied); n != 0 {
				t.Errorf("%d reserve_denied events for a lone reserving URS", n)
			}
		}},
		{file: "reject-subsequent.yaml", check: func(t *testing.T, r *core.Report, log []core.Event) {
			if n := count(log, core.EvProlonged); int64(n) != r.Agents.Prolonged {
				t.Errorf("%d reservation_prolonged events, report %d", n, r.Agents.Prolonged)
			}
		}},
		{file: "forgotten-urs.yaml", lint: []string{CodeURSNotInAnnex, CodeURSNoAgentReservation},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				if n := count(log, core.EvDoubleBooked); int64(n) != r.Agents.DoubleBooked {
					t.Errorf("%d double_booked events, report %d", n, r.Agents.DoubleBooked)
				}
			}},
		{file: "non-reserving-urs.yaml", lint: []string{CodeURSNotInAnnex, CodeURSNotInAnnex, CodeURSNotInAnnex,
			CodeURSNotInAnnex, CodeURSNoAgentReservation, CodeURSNoAgentReservation, CodeURSNoAgentReservation,
			CodeURSNoAgentReservation},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				// A URS never double-books an agent its own interactions fill.
				ursOf := map[int64]string{}
				on := map[string][]int64{}
				for _, ev := range log {
					switch ev.Kind {
					case core.EvToURS:
						ursOf[ev.Ixn] = ev.URS
					case core.EvDoubleBooked:
						own := 0
						for _, x := range on[ev.Agent] {
							if ursOf[x] == ev.URS {
								own++
							}
						}
						if own >= 2 { // capacity 2
							t.Fatalf("t=%d: %s double-booked %s, which its own interactions fill", ev.T, ev.URS, ev.Agent)
						}
					case core.EvDelivered:
						on[ev.Agent] = append(on[ev.Agent], ev.Ixn)
					case core.EvRevoked, core.EvCompleted:
						for a, list := range on {
							on[a] = slices.DeleteFunc(list, func(x int64) bool { return x == ev.Ixn })
						}
					}
				}
			}},
		{file: "switch-back.yaml", lint: []string{CodeDAPRepoint, CodeSwitchoverRepoint},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				if n := count(log, core.EvStaleRestored); int64(n) != r.Interactions.StaleRestored {
					t.Errorf("%d stale_restored events, report %d", n, r.Interactions.StaleRestored)
				}
				if n := count(log, core.EvRestoredOverCapacity); int64(n) != r.Interactions.OverCapacity-r.Agents.DoubleBooked {
					t.Errorf("%d restored_over_capacity events, report over_capacity %d", n, r.Interactions.OverCapacity)
				}
				// The log alone shows every hold: over capacity only where announced.
				if err := logHolds(log, func(string, string) int { return 1 }); err != nil {
					t.Error(err)
				}
			}},
		{file: "switch-back-still-working.yaml", lint: []string{CodeHandlingTimeout, CodeDAPRepoint, CodeSwitchoverRepoint},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				// From the log alone: no agent ever holds two chats (capacity 1), the interactions
				// lost to the switch-back included — their agents' holds end at finished_unheard.
				if err := logHolds(log, func(string, string) int { return 1 }); err != nil {
					t.Error(err)
				}
				if n := count(log, core.EvRestoredToAgent); n != 0 {
					t.Errorf("%d restored_to_agent: the agents still work what the switch-back restores", n)
				}
			}},
		{file: "switch-back-stall.yaml", lint: []string{CodeDAPRepoint, CodeDAPRepoint, CodeSwitchoverRepoint, CodeActivationNoDAP},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				held := slices.IndexFunc(log, func(ev core.Event) bool {
					return ev.Kind == core.EvHeld && strings.Contains(ev.Reason, "no Database Access Point leads to database ixn")
				})
				if held < 0 {
					t.Fatal("no held event at the switch-back")
				}
				for _, ev := range log[held:] {
					if ev.Kind == core.EvToURS || ev.Kind == core.EvCompleted {
						t.Fatalf("t=%d: %s after the switch-back held all work", ev.T, ev.Kind)
					}
				}
			}},
		{file: "esp-not-connected.yaml", lint: []string{CodeESPNotConnected},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				if slices.ContainsFunc(log, func(ev core.Event) bool { return ev.Kind == core.EvESPRequest }) {
					t.Error("an ESP request reached a server the IS has no connection to")
				}
			}},
		{file: "esp-backup-only.yaml", lint: []string{CodeESPNotConnected},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				if slices.ContainsFunc(log, func(ev core.Event) bool { return ev.Kind == core.EvESPRequest }) {
					t.Error("an ESP request reached a server only the standby backup is connected to")
				}
			}},
		{file: "activation-order.yaml", check: func(t *testing.T, r *core.Report, log []core.Event) {
			var first []string
			for _, ev := range log {
				if ev.Kind == core.EvToURS && len(first) < 6 {
					first = append(first, ev.URS)
				}
			}
			if got := strings.Join(first, " "); got != "URS_3 URS_1 URS_2 URS_3 URS_1 URS_2" {
				t.Errorf("first picks %s, want activation order URS_3 URS_1 URS_2, then round-robin", got)
			}
		}},
		{file: "handling-timeout.yaml", lint: []string{CodeHandlingTimeout},
			check: func(t *testing.T, r *core.Report, log []core.Event) {
				// The same interaction revoked again from another agent: its work does not change.
				agents := map[int64]map[string]bool{}
				again := 0
				for _, ev := range log {
					if ev.Kind == core.EvRevoked && ev.Reason == "handling-timeout" {
						if agents[ev.Ixn] == nil {
							agents[ev.Ixn] = map[string]bool{}
						} else if !agents[ev.Ixn][ev.Agent] {
							again++
						}
						agents[ev.Ixn][ev.Agent] = true
					}
				}
				if again == 0 {
					t.Errorf("no interaction revoked by handling-timeout from a second agent (%d revoked)", len(agents))
				}
			}},
		{file: "lint-media-rate-capacity.yaml", lint: []string{CodeBadOptionValue, CodeGroupNoCapacity, CodeTrafficMedia},
			check: func(t *testing.T, r *core.Report, log []core.Event) {}},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".yaml"), func(t *testing.T) {
			s, err := Resolve(filepath.Join("testdata", "edges", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			ds := Lint(s)
			var codes []string
			for _, d := range ds {
				codes = append(codes, d.Code)
			}
			if !slices.Equal(codes, tc.lint) {
				t.Errorf("lint %q, want %q:\n%s", codes, tc.lint, ds)
			}
			r, log := runLogged(t, s)
			for _, res := range Evaluate(s.Expect, r) {
				if !res.OK {
					t.Errorf("expectation failed: %s (actual %v) %s", res.Expect, res.Actual, res.Error)
				}
			}
			tc.check(t, r, log)
		})
	}
}

// logHolds follows the agents' holds from the log as docs/scenarios.md tells a reader to: a hold
// starts at delivered or restored_to_agent and ends at completed (the agent the IS knows the
// interaction on), revoked (except by handling-timeout) or finished_unheard. It fails on a hold
// past capacity that no double_booked or restored_over_capacity announced.
func logHolds(log []core.Event, capOf func(agent, media string) int) error {
	media := map[int64]string{}
	cur := map[int64]string{}
	on := map[string]int{} // ixn|agent
	n := map[string]int{}  // agent|media
	announced := map[int64]bool{}
	end := func(ixn int64, agent string) {
		k := fmt.Sprint(ixn, "|", agent)
		if on[k] == 0 {
			return
		}
		on[k]--
		n[agent+"|"+media[ixn]]--
		if on[k] == 0 && cur[ixn] == agent {
			delete(cur, ixn)
		}
	}
	for _, ev := range log {
		switch ev.Kind {
		case core.EvSubmitted:
			media[ev.Ixn] = ev.Media
		case core.EvDoubleBooked, core.EvRestoredOverCapacity:
			announced[ev.Ixn] = true
		case core.EvDelivered, core.EvRestoredToAgent:
			cur[ev.Ixn] = ev.Agent
			on[fmt.Sprint(ev.Ixn, "|", ev.Agent)]++
			k := ev.Agent + "|" + media[ev.Ixn]
			if n[k]++; n[k] > capOf(ev.Agent, media[ev.Ixn]) && !announced[ev.Ixn] {
				return fmt.Errorf("t=%d: %s %d takes %s to %d, unannounced", ev.T, ev.Kind, ev.Ixn, ev.Agent, n[k])
			}
			delete(announced, ev.Ixn)
		case core.EvRevoked:
			if ev.Reason == "handling-timeout" {
				delete(cur, ev.Ixn)
			} else {
				end(ev.Ixn, ev.Agent)
			}
		case core.EvCompleted:
			end(ev.Ixn, cur[ev.Ixn])
		case core.EvFinishedUnheard:
			end(ev.Ixn, ev.Agent)
		}
	}
	return nil
}

func count(log []core.Event, k core.EventKind) int {
	n := 0
	for _, ev := range log {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// reject-subsequent.yaml with the option at its default (true): the same URS's subsequent request
// for the agent it holds reserved would fail, so the URS — which sees its own reservation — does
// not ask: it is never denied, renews nothing, and the agent is granted again only once the
// lingering reservation ends (reservation-time, 10 s after its grant).
func TestRejectSubsequentRequestTrue(t *testing.T) {
	s, err := Resolve(filepath.Join("testdata", "edges", "reject-subsequent.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Config.Apps {
		if s.Config.Apps[i].Name == "IxnServer" {
			s.Config.Apps[i].Options.Set("agent-reservation", "reject-subsequent-request", "true")
		}
	}
	r, log := runLogged(t, s)
	if r.Agents.Denied != 0 || r.Agents.Prolonged != 0 {
		t.Fatalf("denied %d, prolonged %d: with reject-subsequent-request true the lone URS waits its reservation out", r.Agents.Denied, r.Agents.Prolonged)
	}
	const reservationTime = int64(10 * time.Second)
	var grant, lingering int64 = 0, -1
	waited := 0
	for _, ev := range log {
		switch ev.Kind {
		case core.EvReserved:
			if lingering >= 0 {
				if ev.T < lingering+reservationTime {
					t.Fatalf("t=%d: Agents/1 granted again while the reservation granted at %d lingers", ev.T, lingering)
				}
				waited++
			}
			grant, lingering = ev.T, -1
		case core.EvRevoked:
			if ev.Reason == "rejected" {
				lingering = grant
			}
		}
	}
	if waited == 0 {
		t.Fatal("no grant after a lingering reservation: nothing to show")
	}
}
