package core

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Customers with patience give up wherever they wait; each abandoned interaction is closed in the
// database, logged once, and never counted as lost.
func TestPatienceAbandons(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(*Config)
		wantMin  int64 // abandoned at least
		inURS    bool  // some abandoned while their URS waited for an agent
		inQueue  bool  // some abandoned in the queue (no URS to take them)
		ringing  bool  // some abandoned while an invite rang at an agent
		answered bool  // some answered
	}{
		{name: "waiting for an agent", edit: func(c *Config) {}, wantMin: 50, inURS: true, answered: true},
		{name: "no URS running", edit: func(c *Config) {
			c.Timeline = []TimedAction{at(time.Minute, Action{Kind: ActStop, App: "URS_1"})}
		}, wantMin: 50, inQueue: true, answered: true},
		{name: "invite rings too long", edit: func(c *Config) {
			c.AgentGroups[0].AnswerTime = 25 * time.Second
			c.AgentGroups[0].Agents = 20
		}, wantMin: 10, ringing: true, answered: true},
		{name: "slow URS hands agents over", edit: func(c *Config) {
			c.Apps[1].StepTime = 2 * time.Second
			c.Traffic[0].Patience = 3 * time.Second
		}, wantMin: 50, inURS: true, answered: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mmcConfig(2, 0.5, 10*time.Second, 15*time.Second, 10*time.Minute, 0)
			cfg.Traffic[0].Stop = cfg.Duration
			tc.edit(&cfg)
			e, r, rec := run(t, cfg)
			ab := rec.count(EvAbandoned, nil)
			if int64(ab) < tc.wantMin {
				t.Fatalf("%d abandoned events, want at least %d", ab, tc.wantMin)
			}
			f := r.Service["q"]
			if f.Abandoned != int64(ab) || r.Service[AllQueues].Abandoned != int64(ab) || r.Interactions.Abandoned != int64(ab) {
				t.Errorf("abandoned: %d events, service.q %d, service._all %d, interactions %d; want all equal",
					ab, f.Abandoned, r.Service[AllQueues].Abandoned, r.Interactions.Abandoned)
			}
			if r.Interactions.Lost != 0 {
				t.Errorf("lost %d, want 0: abandoned is not lost", r.Interactions.Lost)
			}
			if tc.answered && f.Answered == 0 {
				t.Error("nothing answered")
			}
			// Where were they? The state of each abandoned row says.
			db, _ := e.dbs.Database("ixn")
			mem := db.(*MemDatabase)
			var queued, inURS, ringing int
			for i := range rec.events {
				ev := &rec.events[i]
				if ev.Kind != EvAbandoned {
					continue
				}
				if ev.Queue != "q" {
					t.Fatalf("abandoned event names queue %q, want q", ev.Queue)
				}
				row, ok := mem.Row(ev.Ixn)
				if !ok || row.AbandonedAt != ev.T || row.CompletedAt != 0 {
					t.Fatalf("row of abandoned %d: %+v (found %v), want abandoned_at %d and no completed_at", ev.Ixn, row, ok, ev.T)
				}
				if row.ReceivedAt >= ev.T {
					t.Fatalf("abandoned %d before it arrived", ev.Ixn)
				}
				switch row.State {
				case StateQueued:
					queued++
				case StateInURS:
					inURS++
					if row.DeliveredAt != 0 {
						ringing++
					}
				default:
					t.Fatalf("abandoned %d in state %d", ev.Ixn, row.State)
				}
				if rec.count(EvAccepted, func(a *Event) bool { return a.Ixn == ev.Ixn }) > 0 {
					t.Fatalf("interaction %d both answered and abandoned", ev.Ixn)
				}
			}
			if tc.inQueue && queued == 0 || tc.inURS && inURS == 0 || tc.ringing && ringing == 0 {
				t.Errorf("abandoned in queue %d, in URS %d, while ringing %d", queued, inURS, ringing)
			}
			if tc.ringing && r.Agents.Reservations == 0 {
				t.Error("no reservations")
			}
			// An hour after the traffic stopped every customer is answered or gone and every
			// agent is free again: an abandoned reservation, invite or hand-off gave its agent back.
			e.RunUntil(int64(cfg.Duration) + int64(time.Hour))
			s := e.Snapshot()
			if b := e.AgentsBusy()["G"]; b != 0 || s.Groups[0].Load[0] != 0 {
				t.Errorf("%d agents still busy (load %v) an hour after the end", b, s.Groups[0].Load)
			}
			if s.Live.Queued+s.Live.InURS+s.Live.WithAgent != 0 {
				t.Errorf("still open an hour after the end: %+v", s.Live)
			}
		})
	}
}

// Without patience nothing is abandoned and the service figures add up.
func TestServiceFiguresAddUp(t *testing.T) {
	cfg := mmcConfig(3, 0.2, 10*time.Second, 0, 20*time.Minute, 0)
	cfg.Traffic[0].Stop = 15 * time.Minute
	_, r, rec := run(t, cfg)
	f := r.Service["q"]
	if f.Abandoned != 0 || rec.count(EvAbandoned, nil) != 0 {
		t.Fatalf("abandoned %d without patience", f.Abandoned)
	}
	if int(f.Offered) != rec.count(EvSubmitted, nil) || int(f.Answered) != rec.count(EvAccepted, nil) {
		t.Errorf("offered %d answered %d; log: %d submitted, %d accepted", f.Offered, f.Answered,
			rec.count(EvSubmitted, nil), rec.count(EvAccepted, nil))
	}
	if f.Offered != f.Answered {
		t.Errorf("offered %d, answered %d: five idle minutes should answer all", f.Offered, f.Answered)
	}
	if f.Threshold != 20 {
		t.Errorf("default threshold %v, want 20", f.Threshold)
	}
	if !(f.WaitP50 <= f.WaitP90 && f.WaitP90 <= f.WaitP99) || f.ASA <= 0 || f.ServiceLevel <= 0 || f.ServiceLevel > 1 {
		t.Errorf("figures out of order: %+v", f)
	}
	if !reflect.DeepEqual(r.Service[AllQueues], f) {
		t.Errorf("one queue: _all %+v differs from q %+v", r.Service[AllQueues], f)
	}
	if o := r.Occupancy["G"]; o <= 0 || o >= 1 {
		t.Errorf("occupancy %v", o)
	}
	if s := r.URSShare["S"]["URS_1"]; s != 1 {
		t.Errorf("URS_1's share of S %v, want 1 (the only URS)", s)
	}
}

// A per-queue threshold overrides the scenario's; both count.
func TestServiceLevelThresholds(t *testing.T) {
	cfg := mmcConfig(3, 0.25, 10*time.Second, 0, 30*time.Minute, 7*time.Second)
	cfg.Queues = append(cfg.Queues, QueueConfig{Name: "q2", BusinessProcess: "BP", Strategy: "S", ServiceLevel: 40 * time.Second})
	cfg.Traffic = append(cfg.Traffic, TrafficConfig{Media: "chat", From: "ChatSrv_1", Queue: "q2", Rate: 0.05})
	_, r, _ := run(t, cfg)
	if r.Service["q"].Threshold != 7 || r.Service["q2"].Threshold != 40 || r.Service[AllQueues].Threshold != 7 {
		t.Fatalf("thresholds q %v q2 %v _all %v, want 7 40 7", r.Service["q"].Threshold, r.Service["q2"].Threshold, r.Service[AllQueues].Threshold)
	}
	q, q2, all := r.Service["q"], r.Service["q2"], r.Service[AllQueues]
	if all.AnsweredWithin != q.AnsweredWithin+q2.AnsweredWithin || all.Offered != q.Offered+q2.Offered {
		t.Errorf("_all %+v is not the sum of q %+v and q2 %+v", all, q, q2)
	}
}

// Interactions a URS stop resubmitted are the touched ones, and they waited longer.
func TestFailureImpact(t *testing.T) {
	cfg := mmcConfig(4, 0.38, 10*time.Second, 0, 30*time.Minute, 0)
	cfg.Apps = append(cfg.Apps, AppConfig{Name: "URS_2", Type: TypeRoutingServer, Connections: []string{"IxnServer"},
		Options: Options{"default": {"agent_reservation": "true"}}, StepTime: time.Millisecond})
	cfg.Apps[0].Annex["agent_reservation"]["URS_2"] = "true"
	cfg.Strategies[0].ActivatedOn = []string{"URS_1", "URS_2"}
	for m := 2 * time.Minute; m < 30*time.Minute; m += 2 * time.Minute {
		cfg.Timeline = append(cfg.Timeline, at(m, Action{Kind: ActStop, App: "URS_1"}),
			at(m+30*time.Second, Action{Kind: ActStart, App: "URS_1"}))
	}
	_, r, _ := run(t, cfg)
	f := r.Service["q"]
	if r.Interactions.Resubmitted == 0 || f.Touched != r.Interactions.Resubmitted {
		t.Fatalf("touched %d, resubmitted %d: want equal and > 0", f.Touched, r.Interactions.Resubmitted)
	}
	if f.ExtraWait != f.TouchedASA-f.OthersASA || f.TouchedASA == 0 {
		t.Errorf("extra wait %v, touched ASA %v, others %v", f.ExtraWait, f.TouchedASA, f.OthersASA)
	}
	if sh := r.URSShare["S"]; sh["URS_1"]+sh["URS_2"] < 0.999 || sh["URS_1"] >= sh["URS_2"] {
		t.Errorf("URS shares %v: want them to add up, URS_1 below URS_2 after its stop", sh)
	}
}

// A switchover restores the queued interactions: their customers keep their patience, and their
// service figures are not lost.
func TestPatienceSurvivesSwitchover(t *testing.T) {
	cfg := mmcConfig(2, 0.5, 10*time.Second, 30*time.Second, 10*time.Minute, 0)
	cfg.Apps[0].Backup = "IxnServer_B"
	cfg.Apps = append(cfg.Apps, AppConfig{Name: "IxnServer_B", Type: TypeInteractionServer})
	cfg.Timeline = []TimedAction{at(5*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"})}
	_, r, rec := run(t, cfg)
	f := r.Service["q"]
	if f.Touched == 0 {
		t.Error("no interaction touched by the switchover")
	}
	if r.Interactions.Lost != 0 {
		t.Errorf("lost %d", r.Interactions.Lost)
	}
	if int(f.Abandoned) != rec.count(EvAbandoned, nil) || f.Abandoned == 0 {
		t.Errorf("abandoned %d, events %d", f.Abandoned, rec.count(EvAbandoned, nil))
	}
	// Those with an agent are answered already; the waiting ones are queued or in a URS.
	waiting := r.Interactions.Queued + r.Interactions.InURS
	if f.Offered != f.Answered+f.Abandoned+waiting {
		t.Errorf("offered %d != answered %d + abandoned %d + waiting %d", f.Offered, f.Answered, f.Abandoned, waiting)
	}
}

// Patience draws come from their own stream: the same seed gives the same log, and a patience no
// customer reaches leaves the log byte for byte as without patience (the main stream is untouched).
func TestPatienceDeterminism(t *testing.T) {
	with := mmcConfig(2, 0.5, 10*time.Second, 20*time.Second, 5*time.Minute, 0)
	e1, _, _ := run(t, with)
	e2, _, _ := run(t, with)
	if e1.EventsSHA256() != e2.EventsSHA256() {
		t.Fatal("same scenario and seed, different logs")
	}
	endless := mmcConfig(2, 0.5, 10*time.Second, 1000*time.Hour, 5*time.Minute, 0)
	without := mmcConfig(2, 0.5, 10*time.Second, 0, 5*time.Minute, 0)
	e3, r3, _ := run(t, endless)
	e4, _, _ := run(t, without)
	if r3.Interactions.Abandoned != 0 {
		t.Fatalf("abandoned %d with a 1000 h patience", r3.Interactions.Abandoned)
	}
	if e3.EventsSHA256() != e4.EventsSHA256() {
		t.Error("patience that never runs out changed the event log")
	}
}

// BenchmarkService is the cost of the service figures for one console frame (Snapshot calls
// Service and Occupancy) with 500 queues that have answered interactions.
func BenchmarkService(b *testing.B) {
	cfg := mmcConfig(200, 50, 3*time.Second, 0, 5*time.Minute, 0)
	cfg.Traffic = nil
	for i := 0; i < 500; i++ {
		q := fmt.Sprintf("q%d", i)
		cfg.Queues = append(cfg.Queues, QueueConfig{Name: q, BusinessProcess: "BP", Strategy: "S"})
		cfg.Traffic = append(cfg.Traffic, TrafficConfig{Media: "chat", From: "ChatSrv_1", Queue: q, Rate: 0.1})
	}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = e.Service()
		_ = e.Occupancy()
	}
}

// A resumed session carries the service figures over: what was counted before stays counted, the
// waiting customers keep waiting, and the figures still add up.
func TestServiceSurvivesResume(t *testing.T) {
	cfg := mmcConfig(3, 0.4, 10*time.Second, 30*time.Second, 20*time.Minute, 0)
	dbs := NewMemDatabases()
	first, err := New(cfg, WithDatabases(dbs))
	if err != nil {
		t.Fatal(err)
	}
	first.RunUntil(int64(8 * time.Minute))
	before := first.Service()["q"]
	occBefore := first.Occupancy()["G"]
	st, err := first.ResumeState()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	var back ResumeState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	second, err := Resume(cfg, back, WithDatabases(dbs))
	if err != nil {
		t.Fatal(err)
	}
	at := second.Service()["q"]
	if at.Offered != before.Offered || at.Answered != before.Answered || at.Abandoned != before.Abandoned ||
		at.WaitP90 != before.WaitP90 || at.ASA != before.ASA || second.Service()[AllQueues].WaitP99 != first.Service()[AllQueues].WaitP99 {
		t.Fatalf("after the restart %+v, before %+v", at, before)
	}
	if occ := second.Occupancy()["G"]; occ < occBefore*0.99 || occ > occBefore*1.01 {
		t.Errorf("occupancy %v after the restart, %v before", occ, occBefore)
	}
	second.RunUntil(int64(cfg.Duration))
	r, err := second.Report()
	if err != nil {
		t.Fatal(err)
	}
	f := r.Service["q"]
	waiting := r.Interactions.Queued + r.Interactions.InURS
	if r.Interactions.Lost != 0 || f.Offered != f.Answered+f.Abandoned+waiting || f.Offered <= before.Offered {
		t.Errorf("after the run: %+v, interactions %+v", f, r.Interactions)
	}
	if f.Abandoned != r.Interactions.Abandoned {
		t.Errorf("abandoned %d, database %d", f.Abandoned, r.Interactions.Abandoned)
	}
}

// A database a crash left ahead of the saved session, with a customer abandoning after the save,
// is recognised as ahead (rolled back on resume), not refused as different; one missing an
// abandonment the session made is behind, and refused.
func TestResumeSeesAbandonedRowsAhead(t *testing.T) {
	open := Row{ID: 1, Media: "chat", Queue: "q", State: StateQueued, ReceivedAt: 1e9}
	gone := open
	gone.AbandonedAt = 9e9
	session := &MemDatabase{name: "ixn"}
	session.Write(&open)
	file := &MemDatabase{name: "ixn"}
	file.Write(&gone)
	problem, ahead, fix, err := compareDatabase(session, file, "", 5e9)
	if err != nil || !ahead || problem == "" {
		t.Fatalf("abandoned after the save: problem %q, ahead %v, %v; want ahead", problem, ahead, err)
	}
	if fix == nil || len(fix.put) != 1 || fix.put[0] != open || len(fix.del) != 0 {
		t.Fatalf("the roll-back puts %+v; want the session's open row back", fix)
	}
	problem, ahead, _, err = compareDatabase(file, session, "", 5e9)
	if err != nil || ahead || problem == "" {
		t.Fatalf("the file misses an abandonment: problem %q, ahead %v, %v; want refused", problem, ahead, err)
	}
}

// patienceSink follows customers through the log: each is offered once, answered at most once,
// and an abandoned one is neither answered nor routed afterwards.
type patienceSink struct {
	t         *rapid.T
	offered   map[int64]bool
	answered  map[int64]bool
	abandoned map[int64]bool
}

func (s *patienceSink) Event(e *Event, _ []byte) {
	switch e.Kind {
	case EvSubmitted:
		s.offered[e.Ixn] = true
	case EvAbandoned:
		if s.abandoned[e.Ixn] || s.answered[e.Ixn] {
			s.t.Fatalf("t=%d: interaction %d abandoned twice or after it was answered", e.T, e.Ixn)
		}
		s.abandoned[e.Ixn] = true
	case EvAccepted:
		if s.abandoned[e.Ixn] {
			s.t.Fatalf("t=%d: abandoned interaction %d answered", e.T, e.Ixn)
		}
		s.answered[e.Ixn] = true
	case EvToURS, EvReserved, EvDelivered, EvCompleted:
		if s.abandoned[e.Ixn] {
			s.t.Fatalf("t=%d: abandoned interaction %d went on (%s)", e.T, e.Ixn, e.Kind)
		}
	}
}

// Random deployments and fault timelines (the engine's property test's) with impatient customers:
// nothing is lost, and the service figures count what the log shows.
func TestPropertyPatience(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := genConfig(t, false)
		for i := range cfg.Traffic {
			if rapid.Bool().Draw(t, "impatient") {
				cfg.Traffic[i].Patience = time.Duration(rapid.IntRange(1, 120).Draw(t, "patience")) * time.Second
			}
		}
		sink := &patienceSink{t: t, offered: map[int64]bool{}, answered: map[int64]bool{}, abandoned: map[int64]bool{}}
		e, err := New(cfg, WithSink(sink))
		if err != nil {
			t.Fatal(err)
		}
		e.RunUntil(int64(cfg.Duration))
		r, err := e.Report()
		if err != nil {
			t.Fatal(err)
		}
		if r.Interactions.Lost != 0 {
			t.Fatalf("lost %d: %+v", r.Interactions.Lost, r.Interactions)
		}
		all := r.Service[AllQueues]
		// Offered: what the IS took (the log's submitted) and what media servers still hold.
		if all.Offered != int64(len(sink.offered))+r.Interactions.WaitingAtMedia || all.Answered != int64(len(sink.answered)) || all.Abandoned != int64(len(sink.abandoned)) {
			t.Fatalf("service %d offered, %d answered, %d abandoned; the log %d (+%d at media), %d, %d", all.Offered, all.Answered, all.Abandoned,
				len(sink.offered), r.Interactions.WaitingAtMedia, len(sink.answered), len(sink.abandoned))
		}
		if len(e.is.held) == 0 && r.Interactions.Abandoned != all.Abandoned {
			t.Fatalf("database %d abandoned, log %d", r.Interactions.Abandoned, all.Abandoned)
		}
	})
}

// Service level is the share of offered interactions answered within the threshold (the
// contract): customers still waiting at the end count against it, so an overloaded design does not
// look healthy; interactions a strategy finishes without an agent are not customers to answer.
func TestServiceLevelCountsTheBacklog(t *testing.T) {
	cfg := mmcConfig(2, 1, 10*time.Second, 0, 10*time.Minute, time.Hour) // λ 1/s, 2 agents of 0.1/s
	_, r, _ := run(t, cfg)
	f := r.Service["q"]
	waiting := f.Offered - f.Answered - f.Abandoned
	if waiting < f.Offered/2 {
		t.Fatalf("%d of %d still waiting: not overloaded enough to test", waiting, f.Offered)
	}
	if want := float64(f.AnsweredWithin) / float64(f.Offered); f.ServiceLevel != want {
		t.Fatalf("service level %v, want answered within / offered = %v", f.ServiceLevel, want)
	}
	if f.ServiceLevel > 0.5 {
		t.Fatalf("an overloaded design reports service level %v", f.ServiceLevel)
	}
	cfg.Strategies[0].Steps = []Step{{Kind: StepStop}}
	_, r, _ = run(t, cfg)
	if f := r.Service["q"]; f.ServiceLevel != 1 || f.Offered == 0 {
		t.Fatalf("a strategy that needs no agent: %+v", f)
	}
}

// A compact in-memory database (studies) forgets closed rows but reports exactly what a full one
// does, and holds only what is open.
func TestCompactDatabasesReportTheSame(t *testing.T) {
	for name, cfg := range map[string]Config{
		"seed example with a switchover": func() Config {
			c := seedConfig()
			c.Timeline = repointConfig(false).Timeline
			return c
		}(),
		"impatient customers": mmcConfig(3, 0.5, 10*time.Second, 20*time.Second, 20*time.Minute, 20*time.Second),
	} {
		t.Run(name, func(t *testing.T) {
			full, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			compact := NewCompactMemDatabases()
			small, _ := New(cfg, WithDatabases(compact))
			full.RunUntil(int64(cfg.Duration))
			small.RunUntil(int64(cfg.Duration))
			a, _ := full.Report()
			b, _ := small.Report()
			if a.EventsSHA256 != b.EventsSHA256 || a.Interactions != b.Interactions || !reflect.DeepEqual(a.Databases, b.Databases) ||
				!reflect.DeepEqual(a.Service, b.Service) {
				t.Fatalf("compact %+v %+v, full %+v %+v", b.Interactions, b.Databases, a.Interactions, a.Databases)
			}
			for n, db := range compact.dbs {
				c, _ := db.Counts()
				if open := c.Queued + c.InURS + c.WithAgent; int64(db.rows.len()) != open {
					t.Fatalf("database %s keeps %d rows for %d open", n, db.rows.len(), open)
				}
			}
		})
	}
}

// Customers who gave up before a switchover onto another database are abandoned, not lost, and the
// report's two abandoned figures agree.
func TestAbandonedAcrossASwitchoverAreNotLost(t *testing.T) {
	cfg := repointConfig(false) // DAP_2 re-pointed, then a switchover: the backup uses "other"
	for i := range cfg.Traffic {
		cfg.Traffic[i].Patience = 20 * time.Second
	}
	cfg.AgentGroups[0].Agents = 10
	_, r, _ := run(t, cfg)
	if r.Databases["ixn"].Abandoned == 0 {
		t.Fatal("no abandonment left behind in the original database: the test proves nothing")
	}
	if r.Interactions.Abandoned != r.Service[AllQueues].Abandoned {
		t.Fatalf("interactions.abandoned %d, service._all.abandoned %d", r.Interactions.Abandoned, r.Service[AllQueues].Abandoned)
	}
	if got, want := r.Interactions.Abandoned, r.Databases["ixn"].Abandoned+r.Databases["other"].Abandoned; got != want {
		t.Fatalf("interactions.abandoned %d, the databases hold %d abandoned rows", got, want)
	}
}

// Each traffic entry draws its arrivals from its own stream: two designs run with one seed see the
// same customers arrive at the same moments (common random numbers), so compare pairs like with
// like.
func TestArrivalsAreCommonToDesigns(t *testing.T) {
	arrivals := func(cfg Config) []int64 {
		_, _, rec := run(t, cfg)
		var at []int64
		for _, ev := range rec.events {
			if ev.Kind == EvSubmitted {
				at = append(at, ev.T)
			}
		}
		return at
	}
	a := seedConfig()
	b := seedConfig()
	b.AgentGroups[0].Agents = 20 // a very different design: long waits, many denials
	b.Apps[2].StepTime = 300 * time.Millisecond
	x, y := arrivals(a), arrivals(b)
	if len(x) == 0 || !reflect.DeepEqual(x, y) {
		t.Fatalf("arrivals differ between designs: %d vs %d", len(x), len(y))
	}
	// And the same customer brings the same work: handled by the same group, it takes as long.
	handled := func(cfg Config) map[int64]int64 {
		_, _, rec := run(t, cfg)
		start, out := map[int64]int64{}, map[int64]int64{}
		classified := map[int64]bool{} // strategy A picks the group by a random category
		for _, ev := range rec.events {
			switch ev.Kind {
			case EvSubmitted:
				classified[ev.Ixn] = ev.Queue == "email_in"
			case EvAccepted:
				if classified[ev.Ixn] {
					continue
				}
				start[ev.Ixn] = ev.T
			case EvCompleted:
				if s, ok := start[ev.Ixn]; ok {
					out[ev.Ixn] = ev.T - s
				}
			}
		}
		return out
	}
	ha, hb := handled(a), handled(b)
	same := 0
	for id, d := range hb {
		if da, ok := ha[id]; ok && da == d {
			same++
		}
	}
	if len(hb) == 0 || same != len(hb) {
		t.Fatalf("only %d of %d interactions handled in both designs took the same time", same, len(hb))
	}
}

// A customer whose patience runs out while the media server holds the chat (stopped) gives up
// then: the interaction never reaches a URS, and its row says when the customer left.
func TestPatienceRunsOutWhileHeldAtTheMediaServer(t *testing.T) {
	cfg := mmcConfig(5, 1, 10*time.Second, 5*time.Second, 3*time.Minute, 0)
	cfg.Timeline = []TimedAction{at(time.Minute, Action{Kind: ActStop, App: "ChatSrv_1"}), at(2*time.Minute, Action{Kind: ActStart, App: "ChatSrv_1"})}
	e, r, rec := run(t, cfg)
	released := map[int64]bool{}
	for _, ev := range rec.events {
		if ev.Kind == EvSubmitted && ev.T == int64(2*time.Minute) {
			released[ev.Ixn] = true
		}
	}
	if len(released) < 20 {
		t.Fatalf("only %d arrivals held at the media server", len(released))
	}
	db, _ := e.dbs.Database("ixn")
	gaveUp := 0
	for id := range released {
		row, _ := db.(*MemDatabase).Row(id)
		if row.AbandonedAt == 0 {
			continue
		}
		gaveUp++
		if row.AbandonedAt >= int64(2*time.Minute) || row.AbandonedAt < row.ReceivedAt {
			t.Fatalf("interaction %d: received %v, abandoned_at %v: not when the customer left", id, time.Duration(row.ReceivedAt), time.Duration(row.AbandonedAt))
		}
		if n := rec.count(EvToURS, func(ev *Event) bool { return ev.Ixn == id }); n != 0 {
			t.Fatalf("interaction %d, whose customer had left, was submitted to a URS", id)
		}
	}
	if gaveUp == 0 || r.Interactions.Lost != 0 {
		t.Fatalf("%d of %d held customers gave up; lost %d", gaveUp, len(released), r.Interactions.Lost)
	}
}

// A warm-up leaves the interactions that arrived before it out of every service figure, and
// says how many: counted from the event log, the figures are those of the later arrivals alone.
func TestWarmupExcludesEarlyArrivals(t *testing.T) {
	cfg := mmcConfig(3, 0.5, 5*time.Second, 0, 10*time.Minute, 2*time.Second)
	cfg.Warmup = 4 * time.Minute
	_, r, rec := run(t, cfg)
	arrived := map[int64]int64{}
	var before, after int64
	for _, ev := range rec.events {
		if ev.Kind == EvSubmitted {
			arrived[ev.Ixn] = ev.T
			if ev.T < int64(cfg.Warmup) {
				before++
			} else {
				after++
			}
		}
	}
	var answered, within, waitSum int64
	for _, ev := range rec.events {
		if ev.Kind != EvAccepted || arrived[ev.Ixn] < int64(cfg.Warmup) {
			continue
		}
		w := ev.T - arrived[ev.Ixn]
		answered++
		waitSum += w
		if w <= int64(2*time.Second) {
			within++
		}
	}
	f := r.Service["q"]
	if before == 0 || after == 0 {
		t.Fatalf("%d arrivals before the warm-up, %d after: the test needs both", before, after)
	}
	if f.Offered != after || f.Excluded != before || f.Warmup != 240 {
		t.Errorf("offered %d excluded %d warmup %v; want %d, %d, 240", f.Offered, f.Excluded, f.Warmup, after, before)
	}
	if f.Answered != answered || f.AnsweredWithin != within {
		t.Errorf("answered %d within %d; the log's later arrivals: %d, %d", f.Answered, f.AnsweredWithin, answered, within)
	}
	if want := float64(waitSum) / float64(answered) / 1e9; math.Abs(f.ASA-want) > 1e-9 {
		t.Errorf("ASA %v, the later arrivals' %v", f.ASA, want)
	}
	if all := r.Service[AllQueues]; all.Excluded != before || all.Offered != after {
		t.Errorf("_all offered %d excluded %d", all.Offered, all.Excluded)
	}
	if o := r.Occupancy["G"]; o <= 0 || o > 1 {
		t.Errorf("occupancy %v", o)
	}
}
