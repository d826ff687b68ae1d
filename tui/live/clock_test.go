package live

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// fakeClock is a wall clock the test moves: Now returns what the test set (plus step on each
// call, to play an engine slower than the frame budget), and the ticker fires when told.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
	c    chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), c: make(chan time.Time)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(f.step)
	return f.now
}

func (f *fakeClock) NewTicker(time.Duration) Ticker { return fakeTicker{f.c} }

// tick moves the clock by d and fires the ticker.
func (f *fakeClock) tick(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	now := f.now
	f.mu.Unlock()
	f.c <- now
}

type fakeTicker struct{ c chan time.Time }

func (t fakeTicker) C() <-chan time.Time { return t.c }
func (t fakeTicker) Stop()               {}

// Live pacing against an injected clock: virtual time advances by wall × speed per tick, a
// stalled process does not make it jump, pause holds it, and the end of the scenario pauses
// exactly there — no sleeping, no timing assertions.
func TestLivePacingWithInjectedClock(t *testing.T) {
	clk := newFakeClock()
	cfg := seedConfig()
	cfg.Duration = 20 * time.Second
	r, err := NewRunner(cfg, RunnerOptions{Speed: 10, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	r.Next() // the first frame, published by NewRunner
	want := func(d time.Duration, paused bool) {
		t.Helper()
		f, ok := r.Next()
		if !ok {
			t.Fatal("closed")
		}
		if f.Snap.T != int64(d) || f.Paused != paused {
			t.Fatalf("virtual %v paused %v, want %v paused %v (%s)", time.Duration(f.Snap.T), f.Paused, d, paused, f.Note)
		}
	}
	clk.tick(100 * time.Millisecond)
	want(time.Second, false)
	clk.tick(300 * time.Millisecond)
	want(4*time.Second, false)
	clk.tick(time.Minute) // a stalled process: at most maxTickCatch of wall time counts
	want(8*time.Second, false)
	r.SetPaused(true)
	want(8*time.Second, true)
	clk.tick(time.Second) // paused: nothing moves, no frame
	r.SetSpeed(100)
	want(8*time.Second, true)
	r.SetPaused(false)
	want(8*time.Second, false)
	clk.tick(400 * time.Millisecond) // 40 s of virtual time, but the scenario ends at 20 s
	want(20*time.Second, true)
}

// An engine slower than the frame budget falls behind without pausing at the scenario's end
// before virtual time gets there.
func TestLiveBehindDoesNotEndEarly(t *testing.T) {
	clk := newFakeClock()
	clk.step = 50 * time.Millisecond // every look at the clock costs 50 ms: the budget runs out
	cfg := seedConfig()
	cfg.Duration = 30 * time.Second
	r, err := NewRunner(cfg, RunnerOptions{Speed: MaxSpeed, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	r.Next()
	sawBehind := false
	for i := 0; i < 200; i++ {
		clk.tick(100 * time.Millisecond)
		f, _ := r.Next()
		if f.Paused {
			if f.Snap.T != int64(cfg.Duration) {
				t.Fatalf("paused at %v, before the end", time.Duration(f.Snap.T))
			}
			if !sawBehind {
				t.Fatal("never behind: the clock fixture does not exercise the budget")
			}
			return
		}
		sawBehind = sawBehind || f.Behind
	}
	t.Fatal("never reached the end")
}

// RunTo, the pacing both the console and `ixlb run --speed` use: it reaches its target when the
// engine keeps up, and stops at the deadline, saying it is behind, when it cannot.
func TestRunToReachesOrFallsBehind(t *testing.T) {
	if got := Pace(2*time.Second, 10); got != int64(20*time.Second) {
		t.Fatalf("Pace(2s, 10x) = %v", time.Duration(got))
	}
	e, err := core.New(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock()
	if behind := RunTo(e, int64(30*time.Second), clk, time.Time{}); behind || e.Now() != int64(30*time.Second) {
		t.Fatalf("no deadline: behind %v at %v", behind, time.Duration(e.Now()))
	}
	clk.step = time.Second // every look at the clock costs a second: the deadline passes at once
	if behind := RunTo(e, int64(5*time.Minute), clk, clk.Now()); !behind || e.Now() >= int64(5*time.Minute) {
		t.Fatalf("past the deadline: behind %v at %v", behind, time.Duration(e.Now()))
	}
}
