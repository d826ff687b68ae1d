package live

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// A rewound view is the replay, not the live engine: while it is shown, Apply is refused and the
// live clock and journal do not move; Live shows the live world again, as it was.
func TestRewoundViewLeavesTheLiveSessionAlone(t *testing.T) {
	r, err := NewRunner(seedConfig(), RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Step(30 * time.Second)
	before, _ := r.Journal()
	if err := r.Rewind(int64(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	f, _ := r.TryNext()
	if !f.Rewound || f.Snap.T != int64(10*time.Second) || f.LiveT != int64(30*time.Second) || !f.Reset {
		t.Fatalf("frame: rewound %v at %v, live %v, reset %v", f.Rewound, time.Duration(f.Snap.T), time.Duration(f.LiveT), f.Reset)
	}
	if f.Discard.T != int64(10*time.Second) || f.Discard.Events == 0 {
		t.Fatalf("discard %+v", f.Discard)
	}
	for _, e := range f.Events {
		if e.T > int64(10*time.Second) {
			t.Fatalf("the rewound log holds an event at %v", time.Duration(e.T))
		}
	}
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "URS_1"}); err != ErrRewound {
		t.Fatalf("Apply while rewound: %v", err)
	}
	if err := r.Step(time.Second); err == nil {
		t.Fatal("Step moved a rewound runner")
	}
	if err := r.Rewind(int64(time.Minute)); err == nil {
		t.Fatal("rewound past the live clock")
	}
	if err := r.Live(); err != nil {
		t.Fatal(err)
	}
	f, _ = r.TryNext()
	after, _ := r.Journal()
	a, _ := before.State.EventsSHA256()
	b, _ := after.State.EventsSHA256()
	if f.Rewound || f.Snap.T != int64(30*time.Second) || a != b || len(f.Events) == 0 {
		t.Fatalf("live again: rewound %v at %v, same log %v", f.Rewound, time.Duration(f.Snap.T), a == b)
	}
}

// BenchmarkRewind is the wait for [ or :goto: the seed example's first half hour replayed from a
// session an hour long (1 virtual hour of it, 3 interactions a second).
func BenchmarkRewind(b *testing.B) {
	cfg := seedConfig()
	cfg.Duration = time.Hour
	r, err := NewRunner(cfg, RunnerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	r.Step(time.Hour)
	for b.Loop() {
		if err := r.Rewind(int64(30 * time.Minute)); err != nil {
			b.Fatal(err)
		}
		if err := r.Live(); err != nil {
			b.Fatal(err)
		}
	}
}

// branchPersister is a memPersister that is told of branches: the branch's journal goes to cuts,
// its actions to actions (as RecordAction's would: a branch's action recorded twice shows).
type branchPersister struct {
	memPersister
	cuts     []core.ResumeState
	branches []core.BranchCut
}

var _ Brancher = (*branchPersister)(nil)

func (p *branchPersister) Branch(cut core.BranchCut) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cuts = append(p.cuts, cut.State)
	p.branches = append(p.branches, cut)
	p.actions = append(p.actions, cut.Actions...)
	return nil
}

// A branch is its action too: an action that fails at the view's instant (the backup is stopped
// there, though it runs live; a second action of a flow that fails after the first) fails before
// anything is cut — the saved session, the live session and the view stay as they were. One that
// holds is applied in the same step as the cut: the journal goes on with it at the instant.
func TestBranchIsCutAndActionTogether(t *testing.T) {
	p := &branchPersister{}
	r, err := NewRunner(seedConfig(), RunnerOptions{Persister: p})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Step(10 * time.Second)
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "IxnServer_B"}); err != nil {
		t.Fatal(err)
	}
	r.Step(20 * time.Second)
	if err := r.Apply(core.Action{Kind: core.ActStart, App: "IxnServer_B"}); err != nil {
		t.Fatal(err)
	}
	r.Step(10 * time.Second)
	before, _ := r.Journal()
	sha := func(j SessionJournal) string { s, _ := j.State.EventsSHA256(); return s }
	at := int64(20 * time.Second)
	if err := r.Rewind(at); err != nil {
		t.Fatal(err)
	}
	r.TryNext()
	for _, acts := range [][]core.Action{
		{{Kind: core.ActSwitchover, App: "IxnServer"}}, // IxnServer_B is stopped at 0:20
		{{Kind: core.ActStop, App: "URS_1"}, {Kind: core.ActStop, App: "URS_1"}},
	} {
		if _, err := r.Branch(acts...); err == nil || !strings.Contains(err.Error(), "nothing was branched") {
			t.Fatalf("%v: branched: %v", acts, err)
		}
		f, _ := r.TryNext()
		if len(p.cuts) != 0 || !f.Rewound || f.Snap.T != at || !running(f.Snap, "URS_1") || running(f.Snap, "IxnServer_B") {
			t.Fatalf("%v failed, yet: %d cuts, rewound %v at %v, URS_1 running %v", acts, len(p.cuts), f.Rewound, time.Duration(f.Snap.T), running(f.Snap, "URS_1"))
		}
		if f.Discard.Events == 0 || f.Discard.Actions != 1 {
			t.Fatalf("what a branch discards changed: %+v", f.Discard)
		}
		if err := r.Live(); err != nil {
			t.Fatal(err)
		}
		if after, _ := r.Journal(); sha(after) != sha(before) || after.State.T != before.State.T {
			t.Fatal("a failed branch changed the live session")
		}
		if err := r.Rewind(at); err != nil {
			t.Fatal(err)
		}
	}
	stop := core.Action{Kind: core.ActStop, App: "URS_2"}
	d, err := r.Branch(stop)
	if err != nil {
		t.Fatal(err)
	}
	if d.T != at || d.Actions != 1 || len(p.cuts) != 1 || p.cuts[0].T != at {
		t.Fatalf("discarded %+v, cuts %d", d, len(p.cuts))
	}
	j, _ := r.Journal()
	last := j.State.Applied[len(j.State.Applied)-1]
	if j.State.T != at || !last.Operator || last.T != at || last.Action.Kind != core.ActStop || last.Action.App != "URS_2" {
		t.Fatalf("the branched journal at %v ends with %+v", time.Duration(j.State.T), last)
	}
	if n := len(p.actions); n != 3 || p.actions[n-1].App != "URS_2" {
		t.Fatalf("the action was not recorded once, with the cut: %v", p.actions)
	}
	// The cut carries what the store writes in its one transaction: the log kept to the instant,
	// the lines the action logged after it, the journal after them — the one the engine resumed.
	c := p.branches[0]
	if len(c.Actions) != 1 || c.Actions[0].Kind != stop.Kind || c.Actions[0].App != stop.App || len(c.Events) == 0 || c.Events[0].Seq != c.Kept+1 ||
		c.Events[len(c.Events)-1].Seq != c.State.Events || c.Events[0].T != at {
		t.Fatalf("the cut: kept %d, actions %v, %d events, journal at %d events", c.Kept, c.Actions, len(c.Events), c.State.Events)
	}
	if j.State.Events != c.State.Events || sha(j) != sha(SessionJournal{State: c.State}) || j.State.Steps != c.State.Steps {
		t.Fatalf("the engine resumed at %d events (sha %.12s), the cut's journal says %d (%.12s)", j.State.Events, sha(j), c.State.Events, sha(SessionJournal{State: c.State}))
	}
}

// A branch made after the scenario reached its end is not at its end: it shows no "end of
// scenario" and stops at the end again when it gets there.
func TestBranchBeforeTheEndStopsThereAgain(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = time.Minute
	r, err := NewRunner(cfg, RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 100 && !r.paused; i++ {
		r.advance(time.Second, time.Time{})
	}
	if !r.endPaused || r.note == "" {
		t.Fatal("the run did not stop at its end")
	}
	if err := r.Rewind(int64(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Branch(core.Action{Kind: core.ActStop, App: "URS_1"}); err != nil {
		t.Fatal(err)
	}
	r.TryNext()
	r.publish()
	f, _ := r.TryNext()
	if f.Note != "" || f.Snap.T != int64(30*time.Second) {
		t.Fatalf("the branch at 0:30 says %q", f.Note)
	}
	r.SetPaused(false)
	for i := 0; i < 100 && !r.paused; i++ {
		r.advance(time.Second, time.Time{})
	}
	if r.eng.Now() != int64(time.Minute) || !r.paused || r.note == "" {
		t.Fatalf("after the branch the run stopped at %v (paused %v, %q), not at its end", time.Duration(r.eng.Now()), r.paused, r.note)
	}
}

func running(s *core.Snapshot, app string) bool {
	for _, a := range s.Apps {
		if a.Name == app {
			return a.Running
		}
	}
	return false
}

// blockingBrancher holds the cut until the test lets it go, to quit the console right then.
type blockingBrancher struct {
	branchPersister
	entered, release chan struct{}
}

func (p *blockingBrancher) Branch(cut core.BranchCut) error {
	close(p.entered)
	<-p.release
	return p.branchPersister.Branch(cut)
}

// Quitting at any instant of a branch (Ctrl-C right after yes) leaves the session cut with its
// action, or not cut at all: before the branch starts, the branch is refused; while the cut is
// being made, Close waits for the branch and its action; after, there is nothing left to do.
func TestQuitDuringABranch(t *testing.T) {
	start := func(p Persister) *Runner {
		t.Helper()
		r, err := NewRunner(seedConfig(), RunnerOptions{Persister: p, Clock: newFakeClock()})
		if err != nil {
			t.Fatal(err)
		}
		r.Step(30 * time.Second)
		if err := r.Rewind(int64(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		r.Start(context.Background())
		return r
	}
	stop := core.Action{Kind: core.ActStop, App: "URS_1"}

	// Before: the runner is closed first.
	p := &branchPersister{}
	r := start(p)
	r.Close()
	if _, err := r.Branch(stop); err == nil || len(p.cuts) != 0 || len(p.actions) != 0 {
		t.Fatalf("a branch after quitting: %v, %d cuts, %v", err, len(p.cuts), p.actions)
	}

	// During: Close comes while the cut is being made.
	bp := &blockingBrancher{entered: make(chan struct{}), release: make(chan struct{})}
	r = start(bp)
	branched := make(chan error, 1)
	go func() { _, err := r.Branch(stop); branched <- err }()
	<-bp.entered
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while the branch was half made")
	case <-time.After(50 * time.Millisecond):
	}
	close(bp.release)
	<-closed
	if err := <-branched; err != nil {
		t.Fatal(err)
	}
	if len(bp.cuts) != 1 || len(bp.actions) != 1 || bp.actions[0].App != "URS_1" {
		t.Fatalf("quit during the branch: %d cuts, actions %v", len(bp.cuts), bp.actions)
	}
	if bp.commits == 0 {
		t.Fatal("nothing committed after the branch")
	}
}

// failingBrancher cannot save the branch (a disk error in its transaction).
type failingBrancher struct{ branchPersister }

func (p *failingBrancher) Branch(core.BranchCut) error { return errors.New("disk I/O error") }

// A branch the Persister could not save is not made: the error says so, the view still shows the
// instant as it was (the action tried on its replay is gone), the live session goes on unchanged.
func TestBranchNotSavedIsNotMade(t *testing.T) {
	p := &failingBrancher{}
	r, err := NewRunner(seedConfig(), RunnerOptions{Persister: p})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Step(30 * time.Second)
	before, _ := r.Journal()
	at := int64(10 * time.Second)
	if err := r.Rewind(at); err != nil {
		t.Fatal(err)
	}
	r.TryNext()
	if _, err := r.Branch(core.Action{Kind: core.ActStop, App: "URS_1"}); err == nil || !strings.Contains(err.Error(), "disk I/O error") {
		t.Fatalf("branch: %v", err)
	}
	f, _ := r.TryNext()
	if !f.Rewound || f.Snap.T != at || !running(f.Snap, "URS_1") || f.Discard.Events == 0 {
		t.Fatalf("after the failed branch: rewound %v at %v, URS_1 running %v", f.Rewound, time.Duration(f.Snap.T), running(f.Snap, "URS_1"))
	}
	// Forward from there the view goes on as the session did: without the action.
	if err := r.Rewind(at + int64(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if f, _ := r.TryNext(); !running(f.Snap, "URS_1") {
		t.Fatal("the view went on with the action of the branch that was not made")
	}
	if err := r.Live(); err != nil {
		t.Fatal(err)
	}
	after, _ := r.Journal()
	if after.State.Events != before.State.Events || after.State.T != before.State.T || len(p.actions) != 0 {
		t.Fatalf("the failed branch changed the live session: %d events at %v, actions %v", after.State.Events, time.Duration(after.State.T), p.actions)
	}
}
