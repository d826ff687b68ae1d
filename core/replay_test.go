package core

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// drill is an operator session: actions at virtual times, as the console applies them (after
// everything due at that instant).
type drillStep struct {
	at time.Duration
	a  Action
}

// drillConfig is the seed example with a timeline of its own, so operator actions meet timeline
// entries at one instant.
func drillConfig() Config {
	cfg := seedConfig()
	cfg.Duration = 3 * time.Minute
	cfg.Timeline = []TimedAction{
		{At: 30 * time.Second, Action: Action{Kind: ActStop, App: "DBServer_1"}},
		{At: 55 * time.Second, Action: Action{Kind: ActStop, App: "URS_2"}},
		{At: 60 * time.Second, Action: Action{Kind: ActStart, App: "DBServer_1"}},
	}
	return cfg
}

var drillSteps = []drillStep{
	{at: 0, a: Action{Kind: ActStop, App: "ClassSrv_2"}},
	{at: 20*time.Second + 123456789, a: Action{Kind: ActStop, App: "URS_1"}},
	{at: 20*time.Second + 123456789, a: Action{Kind: ActActivate, Strategy: "A", URS: []string{"URS_2"}}},
	{at: 30 * time.Second, a: Action{Kind: ActStop, App: "DBServer_2"}}, // with the timeline's own entry
	{at: 45 * time.Second, a: Action{Kind: ActStart, App: "DBServer_2"}},
	{at: 50 * time.Second, a: Action{Kind: ActStart, App: "URS_1"}},
	// URS_1 takes URS_2's interactions at 55 s; its first steps are due at 55.010 s, with this.
	{at: 55*time.Second + 10*time.Millisecond, a: Action{Kind: ActStop, App: "URS_1"}},
	{at: 70 * time.Second, a: Action{Kind: ActStart, App: "URS_1"}},
	{at: 71 * time.Second, a: Action{Kind: ActStart, App: "URS_2"}},
	{at: 90 * time.Second, a: Action{Kind: ActSwitchover, App: "IxnServer"}},
	{at: 90 * time.Second, a: Action{Kind: ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}},
}

// runDrill runs the drill as the console's runner does and returns the engine at the end.
func runDrill(t *testing.T, cfg Config, steps []drillStep, end time.Duration) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		e.RunUntil(int64(s.at))
		if err := e.Apply(s.a); err != nil {
			t.Fatalf("%s at %v: %v", s.a.Kind, s.at, err)
		}
	}
	e.RunUntil(int64(end))
	return e
}

// The world at T replayed from the journal is the world a fresh run stopped at T shows: every
// figure of the snapshot, the event count and the event log's hash.
func TestReplayAtIsTheRunStoppedThere(t *testing.T) {
	cfg := drillConfig()
	live := runDrill(t, cfg, drillSteps, 150*time.Second)
	for _, at := range []time.Duration{0, 10 * time.Second, 20*time.Second + 123456789, 30 * time.Second, 47*time.Second + 5,
		90 * time.Second, 100 * time.Second, 150 * time.Second} {
		rp, err := NewReplay(cfg, cfg.Seed, live.Applied())
		if err != nil {
			t.Fatal(err)
		}
		if err := rp.At(int64(at)); err != nil {
			t.Fatalf("at %v: %v", at, err)
		}
		var before []drillStep
		for _, s := range drillSteps {
			if s.at <= at {
				before = append(before, s)
			}
		}
		fresh := runDrill(t, cfg, before, at)
		got, want := rp.Engine().Snapshot(), fresh.Snapshot()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("at %v the replay's snapshot differs from a run stopped there", at)
		}
		if rp.Engine().EventsSHA256() != fresh.EventsSHA256() || rp.Engine().EventCount() != fresh.EventCount() {
			t.Fatalf("at %v: %d events (sha %.12s), the run stopped there %d (sha %.12s)", at,
				rp.Engine().EventCount(), rp.Engine().EventsSHA256(), fresh.EventCount(), fresh.EventsSHA256())
		}
		if n := len(rp.Engine().Applied()); n != len(fresh.Applied()) {
			t.Fatalf("at %v: the replay applied %d actions, the run %d", at, n, len(fresh.Applied()))
		}
	}
}

// A timeline entry `by: operator` happens after everything else due at its instant, as the
// console's operator acts: a drill written into the timeline that way gives the session's event
// log byte for byte — actions at one instant in their order, at the instant of a timeline entry,
// at a whole second, at t=0.
func TestOperatorTimelineEntriesReplayTheDrill(t *testing.T) {
	cfg := drillConfig()
	live := runDrill(t, cfg, drillSteps, 150*time.Second)

	exported := cfg
	exported.Timeline = append([]TimedAction(nil), cfg.Timeline...)
	for _, a := range live.Applied() {
		if a.Operator {
			exported.Timeline = append(exported.Timeline, TimedAction{At: time.Duration(a.T), Action: a.Action, Operator: true})
		}
	}
	e, err := New(exported)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(150 * time.Second))
	if e.EventCount() != live.EventCount() || e.EventsSHA256() != live.EventsSHA256() {
		t.Fatalf("the exported drill logs %d events (sha %.12s), the session %d (sha %.12s)",
			e.EventCount(), e.EventsSHA256(), live.EventCount(), live.EventsSHA256())
	}

	// Written as plain timeline entries, the drill is another run: the flag is what makes it
	// exact (actions at 30 s and 90 s meet other events of their instant).
	plain := exported
	plain.Timeline = append([]TimedAction(nil), exported.Timeline...)
	for i := range plain.Timeline {
		plain.Timeline[i].Operator = false
	}
	p, err := New(plain)
	if err != nil {
		t.Fatal(err)
	}
	p.RunUntil(int64(150 * time.Second))
	if p.EventsSHA256() == live.EventsSHA256() {
		t.Fatal("plain timeline entries give the same log: the drill does not exercise the ordering")
	}
}

// lineSink keeps the log's lines as the engine writes them.
type lineSink struct{ lines [][]byte }

func (s *lineSink) Event(_ *Event, line []byte) {
	s.lines = append(s.lines, append([]byte(nil), line...))
}

// A branch from a replayed instant is the run that acted there: Replay.Branch's journal is the
// one a fresh run with the actions at that instant has (events, hash, steps, actions), its events
// are the lines that run logged after the instant, and resuming the journal goes on as that run.
// An action that fails there says which one.
func TestReplayBranchIsTheRunThatActedThere(t *testing.T) {
	cfg := drillConfig()
	live := runDrill(t, cfg, drillSteps, 150*time.Second)
	at := 47*time.Second + 5
	acts := []Action{{Kind: ActStop, App: "URS_2"}, {Kind: ActStop, App: "ClassSrv_1"}}
	var before []drillStep
	for _, s := range drillSteps {
		if s.at <= at {
			before = append(before, s)
		}
	}
	fresh := runDrill(t, cfg, before, at)
	kept := fresh.EventCount()
	sink := &lineSink{}
	fresh.sinks = append(fresh.sinks, sink)
	for _, a := range acts {
		fresh.RunUntil(int64(at))
		if err := fresh.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	want, err := fresh.ResumeState()
	if err != nil {
		t.Fatal(err)
	}

	rp, err := NewReplay(cfg, cfg.Seed, live.Applied())
	if err != nil {
		t.Fatal(err)
	}
	if err := rp.At(int64(at)); err != nil {
		t.Fatal(err)
	}
	cut, err := rp.Branch(acts...)
	if err != nil {
		t.Fatal(err)
	}
	got := cut.State
	if cut.Kept != kept || got.Events != want.Events || got.Steps != want.Steps || got.T != int64(at) ||
		!reflect.DeepEqual(got.LogHash, want.LogHash) || !reflect.DeepEqual(got.ReplayHash, want.ReplayHash) ||
		!reflect.DeepEqual(got.Applied, want.Applied) || len(cut.Actions) != 2 {
		t.Fatalf("the branch's journal: kept %d, %d events, %d steps; the run that acted there: kept %d, %d events, %d steps",
			cut.Kept, got.Events, got.Steps, kept, want.Events, want.Steps)
	}
	if len(cut.Events) != len(sink.lines) || len(cut.Events) == 0 {
		t.Fatalf("the branch logged %d events, the run %d", len(cut.Events), len(sink.lines))
	}
	for i := range cut.Events {
		if line := cut.Events[i].AppendJSON(nil); string(line) != string(sink.lines[i]) || cut.Events[i].Seq != kept+uint64(i)+1 {
			t.Fatalf("event %d of the branch: %s, the run's %s", i, line, sink.lines[i])
		}
	}
	// On databases of its own, as the console's branch resumes (WithRebuild writes them).
	resumed, err := Resume(cfg, cut.State, WithDatabases(NewMemDatabases()), WithRebuild())
	if err != nil {
		t.Fatal(err)
	}
	resumed.RunUntil(int64(150 * time.Second))
	fresh.RunUntil(int64(150 * time.Second))
	if resumed.EventsSHA256() != fresh.EventsSHA256() || resumed.EventCount() != fresh.EventCount() {
		t.Fatalf("the branch resumed logs %d events (sha %.12s), the run that acted there %d (%.12s)",
			resumed.EventCount(), resumed.EventsSHA256(), fresh.EventCount(), fresh.EventsSHA256())
	}

	// A failing action: which one, and the ones before it applied.
	rp2, _ := NewReplay(cfg, cfg.Seed, live.Applied())
	rp2.At(int64(at))
	_, err = rp2.Branch(Action{Kind: ActStop, App: "URS_2"}, Action{Kind: ActStop, App: "URS_2"})
	var ae *BranchActionError
	if !errors.As(err, &ae) || ae.Index != 1 || ae.Action.App != "URS_2" {
		t.Fatalf("a second stop of URS_2: %v", err)
	}
}
