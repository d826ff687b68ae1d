package core

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"pgregory.net/rapid"
)

// TestRoutingTimeoutListFollowsInFlight: under a steady flow of interactions that leave their
// URS at once, the routing-timeout list stays bounded by the interactions in flight instead of
// keeping an entry per submission until routing-timeout; interactions that do stay in a URS still
// time out exactly routing-timeout after their submission.
func TestRoutingTimeoutListFollowsInFlight(t *testing.T) {
	cfg := benchConfig(2, 20)
	cfg.Duration = 70 * time.Minute
	cfg.Apps[2].Options = Options{"settings": {"routing-timeout": "20"}} // minutes, the least allowed; the IS
	cfg.AgentGroups = append(cfg.AgentGroups, AgentGroupConfig{Name: "Slow", Agents: 1,
		Capacity: []MediaCapacity{{"email", 1}}, HandleTime: time.Hour, AnswerTime: time.Second, Accept: 1})
	cfg.Strategies = append(cfg.Strategies, StrategyConfig{Name: "Stuck", ActivatedOn: []string{"URS_1"},
		Steps: []Step{{Kind: StepRoute, Group: "Slow"}}})
	cfg.Queues = append(cfg.Queues, QueueConfig{Name: "slow", BusinessProcess: "BP", Strategy: "Stuck"})
	cfg.Traffic = append(cfg.Traffic, TrafficConfig{Media: "email", From: "Mail", Queue: "slow", Rate: 0.05})
	if cfg.Apps[2].Type != TypeInteractionServer {
		t.Fatalf("apps[2] is %s", cfg.Apps[2].Type)
	}

	rec := &recorder{}
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	peak := 0
	for s := 10 * time.Second; s <= cfg.Duration; s += 10 * time.Second {
		e.RunUntil(int64(s))
		peak = max(peak, len(e.rtq)-e.rtHead)
	}
	if bound := 2*len(e.ixns) + 1024; peak > bound {
		t.Errorf("routing-timeout list peaked at %d entries, more than %d (2 x %d slots + 1024)", peak, bound, len(e.ixns))
	}
	if sub := e.Stats().Submitted; peak*10 > int(sub) {
		t.Errorf("routing-timeout list peaked at %d entries for %d submissions: not bounded by what is in flight", peak, sub)
	}
	since := map[int64]int64{}
	timeouts := 0
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvToURS:
			since[ev.Ixn] = ev.T
		case EvRoutingTimeout:
			timeouts++
			if d := ev.T - since[ev.Ixn]; d != int64(20*time.Minute) {
				t.Fatalf("interaction %d timed out after %v, want 20m", ev.Ixn, time.Duration(d))
			}
		}
	}
	if timeouts < 20 {
		t.Fatalf("%d routing timeouts, want the slow queue's interactions to time out again and again", timeouts)
	}
}

// TestWithoutEventLog: a run without the event log has the same figures, the same events (a sink
// still gets every line, byte for byte) and the same count; only the hash is absent.
func TestWithoutEventLog(t *testing.T) {
	cfg := seedConfig()
	base, want, rec := run(t, cfg)
	if want.EventsSHA256 == "" {
		t.Fatal("the default run has no events_sha256")
	}

	quiet, err := New(cfg, WithoutEventLog())
	if err != nil {
		t.Fatal(err)
	}
	quiet.RunUntil(int64(cfg.Duration))
	got, err := quiet.Report()
	if err != nil {
		t.Fatal(err)
	}
	if got.EventsSHA256 != "" || quiet.EventsSHA256() != "" {
		t.Fatalf("events_sha256 %q without the event log, want none", got.EventsSHA256)
	}
	b2, _ := json.Marshal(got)
	if strings.Contains(string(b2), "events_sha256") {
		t.Fatalf("the report names events_sha256 without the event log: %s", b2)
	}
	want.EventsSHA256 = ""
	b1, _ := json.Marshal(want)
	if string(b1) != string(b2) {
		t.Fatalf("report without the event log differs:\n%s\nwant\n%s", b2, b1)
	}
	if quiet.EventCount() != base.EventCount() || quiet.Stats() != base.Stats() {
		t.Fatalf("%d events, %+v; want %d, %+v", quiet.EventCount(), quiet.Stats(), base.EventCount(), base.Stats())
	}

	// A sink still gets the lines.
	var lines, wantLines bytesSink
	a, _ := New(cfg, WithSink(&wantLines))
	b, _ := New(cfg, WithoutEventLog(), WithSink(&lines))
	a.RunUntil(int64(cfg.Duration))
	b.RunUntil(int64(cfg.Duration))
	if len(lines) == 0 || string(lines) != string(wantLines) || len(rec.events) != int(b.EventCount()) {
		t.Fatalf("sink got %d bytes without the event log, %d with", len(lines), len(wantLines))
	}
	if b.EventsSHA256() != "" {
		t.Fatal("hashed with a sink and WithoutEventLog")
	}
	if sum := sha256.Sum256(wantLines); hex.EncodeToString(sum[:]) != a.EventsSHA256() {
		t.Fatal("events_sha256 is not the SHA-256 of the lines a sink gets, newline-terminated")
	}
}

type bytesSink []byte

func (s *bytesSink) Event(_ *Event, line []byte) { *s = append(append(*s, line...), '\n') }

// TestTimerQueueOrder: whatever the mix of pushes and pops, timers come out by time, ties in
// scheduling order — the order the event log depends on.
func TestTimerQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, spread := range []int64{1, 3, 1_000_000} { // small spreads: many ties on at
		var q timerQueue
		var seq uint64
		var now int64
		popped := 0
		for step := 0; step < 20_000; step++ {
			if q.len() == 0 || rng.IntN(3) > 0 && q.len() < 500 {
				seq++
				q.push(timer{at: now + rng.Int64N(spread), seq: seq})
				continue
			}
			tm := q.pop()
			if tm.at < now {
				t.Fatalf("spread %d: popped at %d after %d", spread, tm.at, now)
			}
			for i := range q.h {
				if before(&q.h[i], &tm) {
					t.Fatalf("spread %d: popped (%d, %d) while (%d, %d) waits", spread, tm.at, tm.seq, q.h[i].at, q.h[i].seq)
				}
			}
			now = tm.at
			popped++
		}
		if popped < 5000 {
			t.Fatalf("spread %d: only %d pops", spread, popped)
		}
	}
}

// TestCalendarOrder: the calendar of random delays gives the timers in the order of a plain heap,
// by (at, seq), whether they fall in the bucket being served, in the ring of buckets ahead or
// beyond it (far), after a stretch with no timer at all (the ring empty, far's earliest far
// ahead), with many ties on at, and whatever the buckets' width.
func TestCalendarOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name  string
		mean  int64   // setWidth's; 0: the default
		delay []int64 // the delays drawn from, each up to the value
	}{
		{"ties", 400, []int64{1, 3}},
		{"within the ring", 400, []int64{50, 1500}},
		{"beyond the ring", 400, []int64{10, 3000, 50_000}},
		{"far jumps", 400, []int64{5, 1_000_000_000}},
		{"wide buckets", 1e9, []int64{1000, 10_000_000, 3e9}},
		{"the default width", 0, []int64{1000, 1e9, 20e9}},
	} {
		var c calendar
		if tc.mean > 0 {
			c.setWidth(tc.mean)
		}
		var ref timerQueue
		var seq uint64
		var now int64
		far, near, jumps := 0, 0, 0
		for step := 0; step < 100_000; step++ {
			if c.len() == 0 || rng.IntN(2) == 0 && c.len() < 3000 {
				seq++
				tm := timer{at: now + rng.Int64N(tc.delay[rng.IntN(len(tc.delay))]+1), seq: seq}
				c.push(tm)
				ref.push(tm)
				continue
			}
			if c.inRing == 0 && c.near.len() == 0 {
				jumps++
			}
			// Sometimes the agenda's lanes have an earlier timer: head says so, or gives its own.
			at := int64(noHeadAt)
			if rng.IntN(4) == 0 {
				at = now + rng.Int64N(tc.delay[0]+1)
			}
			if h := c.head(at); h == nil {
				if ref.peek().at <= at {
					t.Fatalf("%s: step %d: head says nothing at or before %d, (%d, %d) is", tc.name, step, at, ref.peek().at, ref.peek().seq)
				}
				continue
			}
			far, near = max(far, c.far.len()), max(near, c.near.len())
			if c.top().seq != ref.peek().seq {
				t.Fatalf("%s: step %d: head (%d, %d), want (%d, %d)", tc.name, step, c.top().at, c.top().seq, ref.peek().at, ref.peek().seq)
			}
			got, want := c.pop(), ref.pop()
			if got != want {
				t.Fatalf("%s: step %d: popped (%d, %d), want (%d, %d)", tc.name, step, got.at, got.seq, want.at, want.seq)
			}
			now = got.at
		}
		for ref.len() > 0 {
			if c.head(noHeadAt) == nil {
				t.Fatalf("%s: drained with %d timers left", tc.name, ref.len())
			}
			if got, want := c.pop(), ref.pop(); got != want {
				t.Fatalf("%s: drain: popped (%d, %d), want (%d, %d)", tc.name, got.at, got.seq, want.at, want.seq)
			}
		}
		if c.len() != 0 || c.head(noHeadAt) != nil {
			t.Fatalf("%s: %d timers left after the reference ran out", tc.name, c.len())
		}
		t.Logf("%s: width %d ns, near up to %d, far up to %d, %d jumps", tc.name, int64(1)<<c.shift, near, far, jumps)
		if strings.Contains(tc.name, "beyond") && far == 0 || strings.Contains(tc.name, "jumps") && jumps == 0 {
			t.Fatalf("%s: not exercised (far %d, jumps %d)", tc.name, far, jumps)
		}
	}
}

// TestRoutingTimeoutOneTimer: however many interactions wait in a URS and time out there, one
// routing-timeout timer stands for them all, and the engine handles a few timers per event.
// (Before, every timeout that resubmitted something left an extra timer that re-armed itself:
// with a backlog in the URS the timers multiplied, and a 96h run took 150 s instead of 0.1 s.)
func TestRoutingTimeoutOneTimer(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[0].Options["settings"]["routing-timeout"] = "20" // minutes, the documented least
	cfg.AgentGroups[0].Agents = 1                             // a backlog waits in the URS for Sales
	cfg.AgentGroups[0].HandleTime = time.Hour
	cfg.Traffic = []TrafficConfig{{Media: "sms", From: "EmailSrv_1", Queue: "sms_in", Rate: 100.0 / 3600}}
	cfg.Duration = 24 * time.Hour
	rec := &recorder{}
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	for s := time.Minute; s <= cfg.Duration; s += time.Minute {
		e.RunUntil(int64(s))
		n := 0
		e.q.each(func(tm *timer) {
			if tm.kind == tRoutingTimeout {
				n++
			}
		})
		if n > 1 {
			t.Fatalf("%d routing-timeout timers at %s, want 1", n, s)
		}
	}
	timeouts := rec.count(EvRoutingTimeout, nil)
	if timeouts < 1000 {
		t.Fatalf("%d routing timeouts, want a backlog timing out again and again", timeouts)
	}
	if steps, events := e.steps, e.EventCount(); steps > 4*events {
		t.Errorf("%d timers handled for %d events (%d routing timeouts): more than 4 a event", steps, events, timeouts)
	}
}

// TestAgendaOrder: the agenda (the heap plus its lanes of fixed delays and the arrivals' heap)
// gives the timers in the order the heap alone gives them, by (at, seq), whatever the mix of fixed and random delays —
// including more fixed delays than it has lanes, delays that reach a lane from a kind that does not
// open one, and timers pushed at an instant that is not a delay (the timeline's).
func TestAgendaOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fixed := []int64{1, 5, 50, 100, 7, 11, 13, 17, 19, 23} // more than maxLanes
	var a agenda
	a.heap.setWidth(10) // buckets of a nanosecond: the random delays spread over many
	var ref timerQueue
	var seq uint64
	var now int64
	lanes := 0
	for step := 0; step < 200_000; step++ {
		if a.len() == 0 || rng.IntN(2) == 0 && a.len() < 2000 {
			seq++
			tm := timer{seq: seq, kind: tComplete}
			var d int64
			switch r := rng.IntN(10); {
			case r < 6:
				tm.kind = tURSStep
				d = fixed[rng.IntN(len(fixed))]
			case r < 7:
				d = fixed[rng.IntN(len(fixed))] // a random delay that happens to be a lane's
			case r < 8:
				tm.kind, d = tTimeline, -1
				tm.at = now + rng.Int64N(40)
			case r < 9:
				tm.kind, d = tArrival, rng.Int64N(30) // the arrivals' own heap
			case r < 9 || rng.IntN(50) > 0:
				d = rng.Int64N(60)
			default:
				d = rng.Int64N(100_000) // beyond the calendar's ring
			}
			if d >= 0 {
				tm.at = now + d
			}
			a.push(tm, d)
			ref.push(tm)
			continue
		}
		if a.peek().seq != ref.peek().seq {
			t.Fatalf("step %d: peek (%d, %d), want (%d, %d)", step, a.peek().at, a.peek().seq, ref.peek().at, ref.peek().seq)
		}
		got, want := a.pop(), ref.pop()
		if got != want {
			t.Fatalf("step %d: popped (%d, %d), want (%d, %d)", step, got.at, got.seq, want.at, want.seq)
		}
		now = got.at
		lanes = max(lanes, len(a.lanes))
	}
	if lanes != maxLanes || a.heap.len() == a.len() || a.arrivals.len() == 0 {
		t.Fatalf("the lanes were not used: %d lanes, %d of %d timers in the heap", lanes, a.heap.len(), a.len())
	}
	if a.len() != ref.len() {
		t.Fatalf("len %d, want %d", a.len(), ref.len())
	}
}

// TestClaimTable: the flat table of claims and the map a huge deployment gets instead count
// alike, a count never below 0 (the map forgets a key at 0).
func TestClaimTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	flat, m := newClaimTable(64), newClaimTable(maxFlatClaims+1)
	if flat.flat == nil || m.m == nil {
		t.Fatal("not one of each kind")
	}
	for i := 0; i < 100_000; i++ {
		k := rng.Int64N(64)
		d := []int32{1, -1, heldUnit - 1, -heldUnit}[rng.IntN(4)]
		flat.add(k, d)
		m.add(k, d)
		if flat.get(k) != m.get(k) || flat.get(k) < 0 {
			t.Fatalf("op %d: key %d: flat %d, map %d", i, k, flat.get(k), m.get(k))
		}
	}
}

// TestAgentMediaIsOneLine: what the engine keeps of an agent for a media fills one cache line, as
// the hot paths that read several of its fields at once rely on.
func TestAgentMediaIsOneLine(t *testing.T) {
	if n := unsafe.Sizeof(agentMedia{}); n != 64 {
		t.Fatalf("agentMedia is %d bytes, want 64", n)
	}
}

// TestIxnIsTwoLines: an interaction's slot fills two cache lines, as the order of its fields
// (what routing reads in the first) relies on.
func TestIxnIsTwoLines(t *testing.T) {
	if n := unsafe.Sizeof(ixn{}); n != 128 {
		t.Fatalf("ixn is %d bytes, want 128", n)
	}
	if off := unsafe.Offsetof(ixn{}.work); off != 64 {
		t.Fatalf("the second line starts at %d, want 64", off)
	}
}

// each calls fn for every timer scheduled, in no particular order (for tests).
func (a *agenda) each(fn func(*timer)) {
	for _, q := range []*timerQueue{&a.heap.near, &a.heap.far} {
		for i := range q.h {
			fn(&q.h[i])
		}
	}
	for b := range a.heap.ring {
		for i := range a.heap.ring[b] {
			fn(&a.heap.ring[b][i])
		}
	}
	for i := range a.arrivals.h {
		fn(&a.arrivals.h[i])
	}
	for i := range a.lanes {
		l := &a.lanes[i]
		for j := l.head; j < len(l.items); j++ {
			fn(&l.items[j])
		}
	}
}

// TestMemDatabaseKeyedWrites: rows an engine writes with its names as its own table indexes
// (writeKeyed) read back exactly as the same rows written by name (Write), full and compact, also
// when two engines whose indexes name different names write one database in turns, when rows
// are written by name in between, and after a Rewrite; a compact database's counts agree.
func TestMemDatabaseKeyedWrites(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		compact := rapid.Bool().Draw(t, "compact")
		// Two engines' tables: the same index names another agent, queue, … in each.
		tables := [2][7][]string{}
		for e := range tables {
			for f := range tables[e] {
				n := rapid.IntRange(1, 4).Draw(t, "names")
				for i := range n {
					tables[e][f] = append(tables[e][f], fmt.Sprintf("e%d-f%d-%d", rapid.IntRange(0, 1).Draw(t, "shared")*e, f, i))
				}
			}
		}
		keyed := &MemDatabase{name: "ixn", compact: compact}
		named := &MemDatabase{name: "ixn", compact: compact}
		tokens := [2]*Engine{{}, {}}
		steps := rapid.IntRange(1, 80).Draw(t, "steps")
		for range steps {
			if rapid.IntRange(0, 20).Draw(t, "rewrite") == 0 {
				var rows []Row
				if err := named.All(func(r *Row) { rows = append(rows, *r) }); err != nil {
					t.Fatal(err)
				}
				for _, d := range []*MemDatabase{keyed, named} {
					if err := d.Rewrite(func(fn func(*Row)) {
						for i := range rows {
							fn(&rows[i])
						}
					}); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			e := rapid.IntRange(0, 1).Draw(t, "engine")
			k := rowKeys{engine: tokens[e]}
			var names [7]string
			for f := range k.of {
				k.of[f] = int32(rapid.IntRange(-1, len(tables[e][f])-1).Draw(t, "name"))
				if k.of[f] >= 0 {
					names[f] = strings.Clone(tables[e][f][k.of[f]]) // another string, the same name
				}
			}
			r := Row{ID: rapid.Int64Range(1, 12).Draw(t, "id"), Media: names[0], Queue: names[1],
				State:       rapid.SampledFrom([]uint8{StateQueued, StateInURS, StateWithAgent}).Draw(t, "state"),
				SubmittedBy: names[2], AssignedTo: names[3], URS: names[4], Strategy: names[5], Category: names[6],
				ReceivedAt: rapid.Int64Range(0, 9).Draw(t, "received")}
			switch rapid.IntRange(0, 5).Draw(t, "closes") {
			case 0:
				r.CompletedAt = 10
			case 1:
				r.AbandonedAt = 11
			}
			byName := rapid.IntRange(0, 6).Draw(t, "byName") == 0
			if err := named.Write(&r); err != nil {
				t.Fatal(err)
			}
			if byName {
				if err := keyed.Write(&r); err != nil {
					t.Fatal(err)
				}
			} else if err := keyed.writeKeyed(&r, &k); err != nil {
				t.Fatal(err)
			}
		}
		var got, want []Row
		if err := keyed.All(func(r *Row) { got = append(got, *r) }); err != nil {
			t.Fatal(err)
		}
		if err := named.All(func(r *Row) { want = append(want, *r) }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("keyed writes read back\n%v\nwritten by name\n%v", got, want)
		}
		if kc, nc := keyed.counts, named.counts; kc != nc {
			t.Fatalf("keyed counts %+v, by name %+v", kc, nc)
		}
	})
}
