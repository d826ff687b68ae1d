package live

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// memPersister records what the runner hands it.
type memPersister struct {
	mu      sync.Mutex
	actions []core.Action
	commits int
	events  int
}

func (p *memPersister) RecordAction(_ int64, a core.Action) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.actions = append(p.actions, a)
	return nil
}

func (p *memPersister) Commit(core.ResumeState) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commits++
	return nil
}

func (p *memPersister) Event(*core.Event, []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events++
}

// Manual mode is deterministic: two runners stepped alike publish the same events.
func TestRunnerManualDeterministic(t *testing.T) {
	run := func() []LogEntry {
		r, err := NewRunner(seedConfig(), RunnerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var all []LogEntry
		for i := 0; i < 20; i++ {
			if err := r.Step(500 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			f, ok := r.TryNext()
			if !ok {
				t.Fatal("no frame after Step")
			}
			all = append(all, f.Events...)
		}
		return all
	}
	a, b := run(), run()
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d vs %d events", len(a), len(b))
	}
	for i := range a {
		if a[i].Line != b[i].Line {
			t.Fatalf("event %d differs: %s / %s", i, a[i].Line, b[i].Line)
		}
	}
}

// Frames coalesce when the UI is slow; the ring keeps the newest events.
func TestRunnerCoalescesFrames(t *testing.T) {
	r, err := NewRunner(seedConfig(), RunnerOptions{RingSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 30; i++ {
		_ = r.Step(time.Second)
	}
	f, ok := r.TryNext()
	if !ok || len(f.Events) != 50 {
		t.Fatalf("ok %v, %d events", ok, len(f.Events))
	}
	if last := f.Events[len(f.Events)-1]; last.Seq != f.Snap.EventCount {
		t.Fatalf("newest event %d, engine has %d", last.Seq, f.Snap.EventCount)
	}
	if _, ok := r.TryNext(); ok {
		t.Fatal("a second frame without a step")
	}
}

func TestRunnerPersistenceAndHistory(t *testing.T) {
	p := &memPersister{}
	hist := []core.Event{{T: 1, Seq: 1, Kind: core.EvAppStopped, App: "URS_9"}}
	r, err := NewRunner(seedConfig(), RunnerOptions{Persister: p, History: hist})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := r.TryNext()
	if len(f.Events) == 0 || f.Events[0].Line != `{"t":0.000000001,"seq":1,"kind":"app_stopped","app":"URS_9"}` || !f.Events[0].Hot {
		t.Fatalf("history not first: %+v", f.Events)
	}
	_ = r.Step(time.Second)
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "URS_1"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "nope"}); err == nil {
		t.Fatal("stopping an unknown application succeeded")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if len(p.actions) != 1 || p.actions[0].App != "URS_1" || p.commits < 3 || p.events == 0 {
		t.Fatalf("persister saw %+v, %d commits, %d events", p.actions, p.commits, p.events)
	}
	if err := r.Apply(core.Action{Kind: core.ActStart, App: "URS_1"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("apply after close: %v", err)
	}
	if _, ok := r.Next(); !ok {
		t.Fatal("the last frame published before Close was lost")
	}
	if _, ok := r.Next(); ok {
		t.Fatal("Next after Close and drain")
	}
}

// Live mode: virtual time follows the wall clock times the speed, pauses, takes actions and
// stops at the scenario's duration. The wall clock is the test's (fakeClock): each tick is a
// frame's worth of wall time, so the virtual instants are exact and nothing sleeps.
func TestRunnerLive(t *testing.T) {
	clk := newFakeClock()
	cfg := seedConfig()
	cfg.Duration = 30 * time.Second
	r, err := NewRunner(cfg, RunnerOptions{Speed: 100, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	if err := r.Step(time.Second); err == nil {
		t.Fatal("Step in live mode")
	}
	// after moves the wall clock by wall and returns the frame that tick published (the frames
	// of earlier calls are taken first, so it is this tick's).
	after := func(wall time.Duration) Frame {
		t.Helper()
		r.TryNext()
		clk.tick(wall)
		f, ok := r.Next()
		if !ok {
			t.Fatal("closed")
		}
		return f
	}
	if f := after(50 * time.Millisecond); f.Snap.T != int64(5*time.Second) || f.Paused {
		t.Fatalf("50 ms at 100x: virtual %v paused %v, want 5s running", time.Duration(f.Snap.T), f.Paused)
	}
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "URS_2"}); err != nil {
		t.Fatal(err)
	}
	r.SetSpeed(1000)
	f := after(100 * time.Millisecond) // 100 s of virtual time, but the scenario ends at 30 s
	if !f.Paused || f.Snap.T != int64(cfg.Duration) || f.Note == "" {
		t.Fatalf("paused %v at %v (%q), want paused at the scenario's duration", f.Paused, time.Duration(f.Snap.T), f.Note)
	}
	r.TryNext()
	clk.tick(100 * time.Millisecond) // paused at the end: the tick moves nothing and publishes nothing
	r.SetSpeed(1000)                 // (a frame to look at)
	if f, _ := r.Next(); f.Snap.T != int64(cfg.Duration) || !f.Paused {
		t.Fatalf("paused at the end, time moved to %v (paused %v)", time.Duration(f.Snap.T), f.Paused)
	}
	r.SetPaused(false)
	f = after(250 * time.Millisecond)
	if want := int64(cfg.Duration + 250*time.Second); f.Snap.T != want || f.Paused {
		t.Fatalf("resumed: virtual %v paused %v, want %v running (on past the duration)", time.Duration(f.Snap.T), f.Paused, time.Duration(want))
	}
	at := f.Snap.T
	r.SetPaused(true)
	r.TryNext()
	clk.tick(250 * time.Millisecond) // paused: the tick moves nothing and publishes nothing
	r.SetSpeed(5)
	f, _ = r.Next()
	if f.Snap.T != at || f.Speed != 5 || !f.Paused {
		t.Fatalf("paused time moved %v -> %v (speed %v, paused %v)", time.Duration(at), time.Duration(f.Snap.T), f.Speed, f.Paused)
	}
	if err := r.Replace(seedConfig(), "again.yaml", false); err != nil {
		t.Fatal(err)
	}
	f, _ = r.Next()
	if !f.Reset || f.Source != "again.yaml" || f.Gen != 1 {
		t.Fatalf("replace: reset %v source %q gen %d", f.Reset, f.Source, f.Gen)
	}
	bad := seedConfig()
	bad.Strategies[0].ActivatedOn = []string{"NoSuchURS"}
	if err := r.Replace(bad, "bad.yaml", false); err == nil {
		t.Fatal("replace with a broken config succeeded")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(core.Action{Kind: core.ActStart, App: "URS_2"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("apply after close: %v", err)
	}
}

type observingPersister struct {
	memPersister
	replaced []string
}

func (p *observingPersister) ScenarioReplaced(_ int64, source string, _ core.Config) error {
	p.replaced = append(p.replaced, source)
	return nil
}

func TestRunnerReplaceHooks(t *testing.T) {
	p := &observingPersister{}
	var asked []string
	r, err := NewRunner(seedConfig(), RunnerOptions{Persister: p,
		OpenScenario: func(_ core.Config, source string, fresh bool) (ScenarioSession, error) {
			asked = append(asked, source)
			if source == "fail.yaml" {
				return ScenarioSession{}, errors.New("no databases for it")
			}
			if !fresh {
				t.Errorf("%s: fresh not passed on", source)
			}
			return ScenarioSession{Options: []core.Option{core.WithSeed(99)}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Replace(seedConfig(), "next.yaml", true); err != nil {
		t.Fatal(err)
	}
	if err := r.Replace(seedConfig(), "fail.yaml", false); err == nil {
		t.Fatal("Replace ignored the OpenScenario error")
	}
	if len(asked) != 2 || len(p.replaced) != 1 || p.replaced[0] != "next.yaml" {
		t.Fatalf("asked %v, replaced %v", asked, p.replaced)
	}
	f, _ := r.TryNext()
	if f.Source != "next.yaml" || !f.Reset {
		t.Fatalf("frame source %q reset %v", f.Source, f.Reset)
	}
}

// At high speed the frame budget may cut an advance short of the scenario's end: the runner must
// not pause with "reached the scenario's duration" before virtual time is there.
func TestRunnerEndPauseOnlyAtTheEnd(t *testing.T) {
	cfg := seedConfig()
	r, err := NewRunner(cfg, RunnerOptions{Speed: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	end := int64(cfg.Duration)
	r.advance(time.Second, time.Now().Add(-time.Second)) // the budget is already spent
	if r.eng.Now() >= end {
		t.Skip("the engine reached the end in one slice")
	}
	if r.paused || r.endPaused || r.note != "" {
		t.Fatalf("paused at %v, before the end %v: %q", time.Duration(r.eng.Now()), cfg.Duration, r.note)
	}
	for i := 0; i < 1000 && !r.paused; i++ {
		r.advance(time.Second, time.Time{})
	}
	if !r.paused || r.eng.Now() != end {
		t.Fatalf("paused %v at %v", r.paused, time.Duration(r.eng.Now()))
	}
}

// The event log highlights what an operator watches for, work held and released among it
// (attack 20 O4).
func TestHotEvents(t *testing.T) {
	for k, hot := range map[core.EventKind]bool{core.EvHeld: true, core.EvHeldReleased: true, core.EvAppStopped: true,
		core.EvSwitchover: true, core.EvSubmitted: false, core.EvCompleted: false} {
		if got := hotEvent(&core.Event{Kind: k}); got != hot {
			t.Errorf("%s: highlighted %v", k, got)
		}
	}
}
