package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A restart from the databases and the saved state loses nothing: interactions that were in a
// URS are resubmitted, queued ones routed, those with agents complete.
func TestResumeFromDatabasesLosesNothing(t *testing.T) {
	for _, crashAt := range []time.Duration{30 * time.Second, 2*time.Minute + 500*time.Millisecond, 4 * time.Minute} {
		t.Run(crashAt.String(), func(t *testing.T) {
			cfg := seedConfig()
			cfg.Apps[3].StepTime = time.Second
			cfg.Timeline = []TimedAction{
				at(time.Minute, Action{Kind: ActStop, App: "URS_2"}),
				at(90*time.Second, Action{Kind: ActActivate, Strategy: "B", URS: []string{"URS_1"}}),
				at(3*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
				at(5*time.Minute, Action{Kind: ActStart, App: "URS_2"}),
				at(20*time.Second, Action{Kind: ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}),
				at(40*time.Second, Action{Kind: ActLeave, Cluster: "FaxCluster", App: "FaxSrv_2"}),
			}
			cfg.Duration = 6 * time.Minute
			dbs := NewMemDatabases()
			first, err := New(cfg, WithDatabases(dbs))
			if err != nil {
				t.Fatal(err)
			}
			first.RunUntil(int64(crashAt))
			st, err := first.ResumeState()
			if err != nil {
				t.Fatal(err)
			}
			// The state goes through JSON in the store.
			b, _ := json.Marshal(st)
			var back ResumeState
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			second, err := Resume(cfg, back, WithDatabases(dbs), WithSink(rec))
			if err != nil {
				t.Fatal(err)
			}
			if second.Now() != int64(crashAt) {
				t.Fatalf("resumed at %d", second.Now())
			}
			second.RunUntil(int64(cfg.Duration))
			r, err := second.Report()
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range second.Errors() {
				t.Error(err)
			}
			if r.Interactions.Lost != 0 {
				t.Fatalf("lost %d: %+v", r.Interactions.Lost, r.Interactions)
			}
			before, _ := first.Report()
			for s, m := range before.Routing {
				for u, n := range m {
					if r.Routing[s][u] < n {
						t.Fatalf("routing.%s.%s went from %d to %d across the restart", s, u, n, r.Routing[s][u])
					}
				}
			}
			for via, m := range before.ESP {
				for srv, n := range m {
					if r.ESP[via][srv] < n {
						t.Fatalf("esp.%s.%s went from %d to %d across the restart", via, srv, n, r.ESP[via][srv])
					}
				}
			}
			for _, d := range []string{"DAP_1", "DAP_2"} {
				if r.DAP[d].Requests < before.DAP[d].Requests {
					t.Fatalf("dap.%s requests went down across the restart", d)
				}
			}
			if r.Interactions.Completed <= first.Stats().Completed {
				t.Fatal("nothing completed after the restart")
			}
			// Timeline entries before the crash are not applied twice; later ones are.
			stops := rec.count(EvAppStopped, nil)
			starts := rec.count(EvAppStarted, func(e *Event) bool { return e.App == "URS_2" })
			wantStops := 0
			if crashAt < time.Minute {
				wantStops = 1
			}
			if stops != wantStops || starts != 1 {
				t.Fatalf("after resume: %d stops, %d URS_2 starts", stops, starts)
			}
			// The event log continues: sequence numbers go on from the saved count.
			if len(rec.events) == 0 || rec.events[0].Seq != st.Events+1 {
				t.Fatalf("first resumed event seq %d, saved %d", rec.events[0].Seq, st.Events)
			}
			// URS_2 is still stopped after the replay: nothing reaches it before it restarts.
			for _, ev := range rec.events {
				if ev.Kind == EvToURS && ev.URS == "URS_2" && ev.T < int64(5*time.Minute) && crashAt > time.Minute {
					t.Fatalf("stopped URS_2 got an interaction after resume: %+v", ev)
				}
			}
		})
	}
}

// logBytes keeps the event log's bytes.
type logBytes struct{ b []byte }

func (l *logBytes) Event(_ *Event, line []byte) { l.b = append(append(l.b, line...), '\n') }

// A session stopped at any point — with operator actions applied from outside, between steps —
// and resumed ends with the same event log, byte for byte, as the run that never stopped.
func TestResumeIsExact(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = repointConfig(true).Timeline
	cfg.Duration = 5 * time.Minute
	ops := []struct {
		at time.Duration
		a  Action
	}{
		{40 * time.Second, Action{Kind: ActStop, App: "URS_1"}},
		{40 * time.Second, Action{Kind: ActActivate, Strategy: "A", URS: []string{"URS_2"}}}, // same instant
		{100 * time.Second, Action{Kind: ActStart, App: "URS_1"}},
		{150 * time.Second, Action{Kind: ActRestart, App: "IxnServer"}},
		{200 * time.Second, Action{Kind: ActSetOption, App: "URS_2", Section: "default", Option: "agent_reservation", Value: "false"}},
	}
	// drive runs the console's way: small advances, operator actions between them.
	drive := func(e *Engine, from, to time.Duration) {
		for t := from; t < to; t += 7 * time.Second {
			end := min(t+7*time.Second, to)
			for _, op := range ops {
				if op.at > t && op.at <= end {
					e.RunUntil(int64(op.at))
					if err := e.Apply(op.a); err != nil {
						panic(err)
					}
				}
			}
			e.RunUntil(int64(end))
		}
	}
	whole := &logBytes{}
	e, _ := New(cfg, WithSink(whole))
	drive(e, 0, cfg.Duration)
	for _, stop := range []time.Duration{3 * time.Second, 40 * time.Second, 41 * time.Second, 151 * time.Second, 4 * time.Minute} {
		t.Run(stop.String(), func(t *testing.T) {
			dbs := NewMemDatabases()
			got := &logBytes{}
			first, _ := New(cfg, WithDatabases(dbs), WithSink(got))
			drive(first, 0, stop)
			st, err := first.ResumeState()
			if err != nil {
				t.Fatal(err)
			}
			second, err := Resume(cfg, st, WithDatabases(dbs), WithSink(got))
			if err != nil {
				t.Fatal(err)
			}
			drive(second, stop, cfg.Duration)
			if string(got.b) != string(whole.b) || second.EventsSHA256() != e.EventsSHA256() {
				t.Fatalf("resumed log differs: %d bytes vs %d uninterrupted; sha %s vs %s", len(got.b), len(whole.b), second.EventsSHA256(), e.EventsSHA256())
			}
			if len(second.Notes()) != 0 {
				t.Fatalf("notes %v", second.Notes())
			}
			// The replay checks its events by their records' hash; a journal of an older
			// ixlb, without it, by the lines' hash: the same world either way.
			old := st
			old.ReplayHash = nil
			third, err := Resume(cfg, old, WithDatabases(dbs)) // (dbs is ahead of st by now: rolled back)
			if err != nil {
				t.Fatalf("a journal without the records' hash: %v", err)
			}
			if want, _ := st.EventsSHA256(); third.EventsSHA256() != want {
				t.Fatalf("replayed by the lines: sha %s, the journal's %s", third.EventsSHA256(), want)
			}
			// A replay whose events are not the saved ones is refused, whichever hash says so.
			for _, bad := range []ResumeState{withByte(st, func(s *ResumeState) *[]byte { return &s.ReplayHash }), withByte(old, func(s *ResumeState) *[]byte { return &s.LogHash })} {
				if _, err := Resume(cfg, bad, WithDatabases(NewMemDatabases())); err == nil || !strings.Contains(err.Error(), "does not replay") {
					t.Fatalf("a journal whose hash was changed: %v; want it refused as not replaying", err)
				}
			}
		})
	}
}

// withByte is st with one byte of the hash state at(st) changed: in the hash's words, past the
// state's 4-byte header.
func withByte(st ResumeState, at func(*ResumeState) *[]byte) ResumeState {
	p := at(&st)
	b := append([]byte(nil), (*p)...)
	b[10] ^= 1
	*p = b
	return st
}

// The databases must hold what the replayed session holds: a database emptied, replaced or from
// another session is refused with what differs; WithRebuild regenerates it; rows committed after
// the saved position (a crash between the row and the state commits) are rolled back.
func TestResumeChecksTheDatabases(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = 2 * time.Minute
	save := func() (*MemDatabases, ResumeState, *Engine) {
		dbs := NewMemDatabases()
		e, _ := New(cfg, WithDatabases(dbs))
		e.RunUntil(int64(time.Minute))
		st, _ := e.ResumeState()
		return dbs, st, e
	}
	t.Run("intact", func(t *testing.T) {
		dbs, st, _ := save()
		if _, err := Resume(cfg, st, WithDatabases(dbs)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("emptied", func(t *testing.T) {
		dbs, st, _ := save()
		db := dbs.dbs["ixn"]
		*db = MemDatabase{name: db.name, id: db.id}
		_, err := Resume(cfg, st, WithDatabases(dbs))
		var mm *ResumeMismatchError
		if !errors.As(err, &mm) || mm.Database != "ixn" || !strings.Contains(mm.Problem, "holds 0 interactions") {
			t.Fatalf("got %v", err)
		}
		e, err := Resume(cfg, st, WithDatabases(dbs), WithRebuild())
		if err != nil || len(e.Notes()) != 1 {
			t.Fatalf("rebuild: %v %v", err, e.Notes())
		}
		if c, _ := db.Counts(); c.Rows == 0 {
			t.Fatal("rebuild wrote nothing")
		}
		if _, err := Resume(cfg, st, WithDatabases(dbs)); err != nil {
			t.Fatalf("after the rebuild: %v", err)
		}
	})
	t.Run("from another session", func(t *testing.T) {
		dbs, st, _ := save()
		dbs.dbs["ixn"].id = "someone-else"
		_, err := Resume(cfg, st, WithDatabases(dbs))
		if err == nil || !strings.Contains(err.Error(), "not the database this session wrote") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a row edited", func(t *testing.T) {
		dbs, st, _ := save()
		db := dbs.dbs["ixn"]
		var victim Row
		db.Open(func(r *Row) {
			if victim.ID == 0 && r.State == StateWithAgent {
				victim = *r
			}
		})
		victim.Queue = map[bool]string{true: "fax_in", false: "sms_in"}[victim.Queue == "sms_in"]
		db.Write(&victim)
		_, err := Resume(cfg, st, WithDatabases(dbs))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("interaction %d differs", victim.ID)) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a completed row edited", func(t *testing.T) {
		dbs, st, _ := save()
		db := dbs.dbs["ixn"]
		var victim Row
		db.All(func(r *Row) {
			if victim.ID == 0 && r.CompletedAt != 0 {
				victim = *r
			}
		})
		if victim.ID == 0 {
			t.Fatal("no completed row to edit")
		}
		victim.Queue = map[bool]string{true: "fax_in", false: "sms_in"}[victim.Queue == "sms_in"]
		db.Write(&victim)
		_, err := Resume(cfg, st, WithDatabases(dbs))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("interaction %d differs", victim.ID)) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ahead of the journal", func(t *testing.T) {
		dbs, st, e := save()
		e.RunUntil(int64(70 * time.Second)) // rows committed, the state commit never came
		e2, err := Resume(cfg, st, WithDatabases(dbs))
		if err != nil {
			t.Fatal(err)
		}
		if len(e2.Notes()) != 1 || !strings.Contains(e2.Notes()[0], "rolled back") {
			t.Fatalf("notes %v", e2.Notes())
		}
		if _, err := Resume(cfg, st, WithDatabases(dbs)); err != nil {
			t.Fatalf("after the roll back: %v", err)
		}
	})
}

// An Interaction Server restart is an operator action: it restores from the database, resubmitting
// what was in a URS.
func TestRestartRestoresFromTheDatabase(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[3].StepTime = time.Second
	cfg.Timeline = []TimedAction{at(time.Minute, Action{Kind: ActRestart, App: "IxnServer"})}
	cfg.Duration = 2 * time.Minute
	_, r, rec := run(t, cfg)
	resub := rec.count(EvToURS, func(ev *Event) bool { return ev.Resubmission && ev.T == int64(time.Minute) })
	if resub == 0 {
		t.Fatal("a restart resubmitted nothing that was in a URS")
	}
	if rec.count(EvAppStopped, func(ev *Event) bool { return ev.App == "IxnServer" }) != 1 ||
		rec.count(EvAppStarted, func(ev *Event) bool { return ev.App == "IxnServer" }) != 1 {
		t.Fatal("restart not logged as stop and start")
	}
	if r.Interactions.Lost != 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
}

// TestInterruptBetweenEvents: WithInterrupt stops the engine between two events, inside a
// stretch of virtual time, and a resume from there is the world of a run never stopped — at every
// instant it can be asked (every interruptEvery timers), enumerated. A resume's replay stops on
// it too. (Before, a caller could look for a signal only between RunUntil calls: a slice of a
// backlog run held millions of events and SIGTERM waited minutes.)
func TestInterruptBetweenEvents(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = 4 * time.Minute
	whole, err := New(cfg, WithDatabases(NewMemDatabases()))
	if err != nil {
		t.Fatal(err)
	}
	whole.RunUntil(int64(cfg.Duration))
	want, steps := whole.EventsSHA256(), whole.Steps()
	if steps < 4*interruptEvery {
		t.Fatalf("%d timers: too few to stop inside the run", steps)
	}
	for k := 1; uint64(k*interruptEvery) < steps; k++ {
		dbs := NewMemDatabases()
		asked := 0
		e, err := New(cfg, WithDatabases(dbs), WithInterrupt(func() bool { asked++; return asked == k }))
		if err != nil {
			t.Fatal(err)
		}
		e.RunUntil(int64(cfg.Duration)) // one call for the whole run: only the question stops it
		if !e.Interrupted() || e.Now() >= int64(cfg.Duration) || e.NextEventAt() != -1 {
			t.Fatalf("question %d: interrupted %v at %d, next event %d; want a stop inside the run", k, e.Interrupted(), e.Now(), e.NextEventAt())
		}
		// Asked before every interruptEvery-th timer; stopped at the end of that instant.
		if n := e.Steps(); n < uint64(k*interruptEvery-1) || e.q.len() > 0 && e.q.peek().at <= e.Now() {
			t.Fatalf("question %d: stopped after %d timers (asked after %d), next at %d, now %d: want the end of that instant", k, n, k*interruptEvery-1, e.q.peek().at, e.Now())
		}
		n := e.Steps()
		e.RunUntil(int64(cfg.Duration))
		if e.Steps() != n {
			t.Fatal("an interrupted engine went on")
		}
		st, err := e.ResumeState()
		if err != nil {
			t.Fatal(err)
		}
		// The replay asks too (once it has run interruptEvery timers): told to stop, it says so.
		if _, err := Resume(cfg, st, WithDatabases(dbs), WithInterrupt(func() bool { return true })); k > 1 && !errors.Is(err, ErrInterrupted) {
			t.Fatalf("question %d: a replay told to stop: %v, want ErrInterrupted", k, err)
		}
		r, err := Resume(cfg, st, WithDatabases(dbs), WithInterrupt(func() bool { return false }))
		if err != nil {
			t.Fatalf("question %d: resume: %v", k, err)
		}
		r.RunUntil(int64(cfg.Duration))
		if got := r.EventsSHA256(); got != want || r.Steps() != steps {
			t.Fatalf("question %d: resumed run ends with sha %.12s after %d timers, want %.12s after %d", k, got, r.Steps(), want, steps)
		}
	}
}

// TestCompareDatabaseStreams: the replay's rows and the file's, compared side by side in ID
// order, name the first difference whichever side has it, and a file only ahead of the session
// comes with what rolls it back (the session's rows to put back, the new rows to delete).
func TestCompareDatabaseStreams(t *testing.T) {
	row := func(id int64, state uint8, placed int64) Row {
		return Row{ID: id, Media: "email", Queue: "q", State: state, ReceivedAt: 1e9, PlacedInQueueAt: placed}
	}
	session := []Row{row(1, StateQueued, 1e9), row(2, StateQueued, 1e9), row(3, StateQueued, 1e9)}
	for _, tc := range []struct {
		name    string
		file    []Row
		problem string // a substring; "" for none
		ahead   bool
		put     []int64
		del     []int64
	}{
		{"the same", session, "", false, nil, nil},
		{"ahead", []Row{row(1, StateQueued, 1e9), row(2, StateInURS, 6e9), row(3, StateQueued, 1e9), row(4, StateQueued, 7e9)},
			"ahead of the session's", true, []int64{2}, []int64{4}},
		{"moved at the saved instant", []Row{row(1, StateQueued, 1e9), {ID: 2, Media: "email", Queue: "q", State: StateInURS, ReceivedAt: 1e9, PlacedInQueueAt: 1e9, URS: "URS_1"}, row(3, StateQueued, 1e9)},
			"ahead of the session's", true, []int64{2}, nil},
		{"moved at the saved instant, a time before it edited", []Row{row(1, StateQueued, 1e9), {ID: 2, Media: "email", Queue: "q", State: StateInURS, ReceivedAt: 1e9, PlacedInQueueAt: 3e9, URS: "URS_1"}, row(3, StateQueued, 1e9)},
			"interaction 2 differs from the session's (state 2 in the file, 0 in the session)", false, nil, nil},
		{"an edited row", []Row{row(1, StateQueued, 1e9), row(2, StateQueued, 2e9), row(3, StateQueued, 1e9)},
			"interaction 2 differs from the session's (placed_in_queue_at 2s in the file, 1s in the session)", false, nil, nil},
		{"a row missing in the middle", []Row{row(1, StateQueued, 1e9), row(3, StateQueued, 1e9), row(4, StateQueued, 7e9)},
			"interaction 2 differs from the session's (in the session, not in the file)", false, nil, nil},
		{"a row of the file's before the session's", []Row{row(0, StateQueued, 1e9), row(1, StateQueued, 1e9), row(2, StateQueued, 1e9), row(3, StateQueued, 1e9)},
			"interaction 0 differs from the session's (in the file, not in the session)", false, nil, nil},
		{"fewer rows", session[:2], "holds 2 interactions (0 completed); the session has 3", false, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, f := &MemDatabase{name: "ixn"}, &MemDatabase{name: "ixn"}
			for i := range session {
				m.Write(&session[i])
			}
			for i := range tc.file {
				f.Write(&tc.file[i])
			}
			problem, ahead, fix, err := compareDatabase(m, f, "", 5e9)
			if err != nil || ahead != tc.ahead || (tc.problem == "") != (problem == "") || !strings.Contains(problem, tc.problem) {
				t.Fatalf("problem %q, ahead %v, %v; want %q, ahead %v", problem, ahead, err, tc.problem, tc.ahead)
			}
			if !tc.ahead {
				return
			}
			var put []int64
			for _, r := range fix.put {
				put = append(put, r.ID)
			}
			if fmt.Sprint(put) != fmt.Sprint(tc.put) || fmt.Sprint(fix.del) != fmt.Sprint(tc.del) {
				t.Fatalf("roll-back puts %v, deletes %v; want %v, %v", put, fix.del, tc.put, tc.del)
			}
		})
	}
}

// A console opened paused where the operator acts at 0, before the clock ever moved, saves a
// journal with events and no step: it resumes (it was refused as "written by an older ixlb").
// A journal of an older ixlb (events, no steps, nothing to replay them) is still refused so.
func TestResumeActionsBeforeAnyStep(t *testing.T) {
	cfg := seedConfig()
	dbs := NewMemDatabases()
	first, _ := New(cfg, WithDatabases(dbs))
	for _, a := range []Action{{Kind: ActStop, App: "URS_1"}, {Kind: ActSetOption, App: "URS_2", Section: "default", Option: "agent_reservation", Value: "false"}} {
		if err := first.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	st, err := first.ResumeState()
	if err != nil {
		t.Fatal(err)
	}
	if st.Steps != 0 || st.Events == 0 {
		t.Fatalf("steps %d, events %d: not the case under test", st.Steps, st.Events)
	}
	second, err := Resume(cfg, st, WithDatabases(dbs))
	if err != nil {
		t.Fatalf("resume of actions at 0: %v", err)
	}
	if second.EventsSHA256() != first.EventsSHA256() {
		t.Fatal("the resumed session is not the saved one")
	}
	for _, a := range second.Snapshot().Apps {
		if a.Name == "URS_1" && a.Running {
			t.Fatal("URS_1, stopped at 0, runs in the resumed session")
		}
	}
	if err := ReplayLog(cfg, st, &lineSink{}); err != nil {
		t.Fatalf("the event log of actions at 0 is not given again: %v", err)
	}
	old := st
	old.Applied = nil // events the replay cannot make
	if _, err := Resume(cfg, old, WithDatabases(NewMemDatabases())); err == nil || !strings.Contains(err.Error(), "older ixlb") {
		t.Fatalf("a journal of an older ixlb: %v", err)
	}
}

// ReplayLog gives a session's event log again, line for line, from its journal, and says so when
// the journal's hashes are not what the replay gives.
func TestReplayLogRegeneratesTheLog(t *testing.T) {
	cfg := drillConfig()
	sink := &lineSink{}
	e, err := New(cfg, WithSink(sink))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range drillSteps {
		e.RunUntil(int64(s.at))
		if err := e.Apply(s.a); err != nil {
			t.Fatal(err)
		}
	}
	e.RunUntil(int64(100 * time.Second))
	st, err := e.ResumeState()
	if err != nil {
		t.Fatal(err)
	}
	again := &lineSink{}
	if err := ReplayLog(cfg, st, again); err != nil {
		t.Fatal(err)
	}
	if len(again.lines) != len(sink.lines) || len(again.lines) == 0 {
		t.Fatalf("replayed %d lines, the session logged %d", len(again.lines), len(sink.lines))
	}
	for i := range again.lines {
		if string(again.lines[i]) != string(sink.lines[i]) {
			t.Fatalf("line %d: %s, the session's %s", i+1, again.lines[i], sink.lines[i])
		}
	}
	// A hash state is "sha\x03", the hash words, the pending block, the length: byte 5 is a word's.
	for name, edit := range map[string]func(*ResumeState){
		"records hash": func(s *ResumeState) {
			s.ReplayHash = append([]byte(nil), s.ReplayHash...)
			s.ReplayHash[len(s.ReplayHash)-1] ^= 1
		},
		"log hash":          func(s *ResumeState) { s.LogHash = append([]byte(nil), s.LogHash...); s.LogHash[5] ^= 1 },
		"an action dropped": func(s *ResumeState) { s.Applied = s.Applied[1:] },
		"no log hash":       func(s *ResumeState) { s.LogHash = nil },
	} {
		bad := st
		edit(&bad)
		if err := ReplayLog(cfg, bad, &lineSink{}); err == nil {
			t.Errorf("%s: ReplayLog took a journal that does not replay", name)
		}
	}
}
