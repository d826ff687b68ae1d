package core

import (
	"fmt"
	"time"
)

// Time travel is replay: the engine is deterministic, so the world at any earlier virtual time
// is the scenario run again from t=0 with the operator actions of the session's journal applied
// at the steps they were applied at, stopped there. Nothing of the session is touched — the
// replay keeps its interactions in memory — so the console can show the past, and a branch can
// continue from it (the journal cut at that instant, the databases rebuilt by Resume).

// Replay re-runs a session from t=0 in memory, applying its operator actions where the journal
// says they were applied. It is driven forward only.
type Replay struct {
	e    *Engine
	ops  []AppliedAction // the journal's operator actions, in order
	next int             // the first not applied yet
}

// NewReplay starts a replay of the session whose journal is journal (ResumeState.Applied; the
// timeline's own entries in it are skipped: the timeline replays itself) on cfg with seed. opts
// may add sinks (the replayed events) or WithoutEventLog; databases are always in memory.
func NewReplay(cfg Config, seed uint64, journal []AppliedAction, opts ...Option) (*Replay, error) {
	cfg.Seed = seed
	e, err := New(cfg, append(append([]Option(nil), opts...), WithDatabases(NewMemDatabases()))...)
	if err != nil {
		return nil, err
	}
	r := &Replay{e: e}
	for _, a := range journal {
		if a.Operator {
			r.ops = append(r.ops, a)
		}
	}
	return r, nil
}

// Engine is the replayed engine, at the instant the replay has reached.
func (r *Replay) Engine() *Engine { return r.e }

// Advance runs the replay to virtual time t, with the operator actions taken before t applied,
// and every timer due at or before t processed — the world an operator saw when the clock
// reached t, before acting at t. Apply the actions taken at t with ApplyDue.
func (r *Replay) Advance(t int64) error {
	for r.next < len(r.ops) && r.ops[r.next].T < t {
		if err := r.applyNext(); err != nil {
			return err
		}
	}
	if r.next < len(r.ops) && r.ops[r.next].T == t {
		// An action taken at t, perhaps before a timer due at t (a journal of an older ixlb):
		// run to its step, not past it.
		if err := r.e.runSteps(r.ops[r.next].Step, t); err != nil {
			return r.diverged(r.ops[r.next], err)
		}
		r.e.now = max(r.e.now, t)
		return nil
	}
	r.e.RunUntil(t)
	return nil
}

// ApplyDue applies the operator actions taken at the replay's current instant, then processes
// the timers due by then: the world at that instant, as the session left it.
func (r *Replay) ApplyDue() error {
	for r.next < len(r.ops) && r.ops[r.next].T <= r.e.now {
		if err := r.applyNext(); err != nil {
			return err
		}
	}
	r.e.RunUntil(r.e.now)
	return nil
}

// At runs the replay to the world as it was at t: Advance, then ApplyDue.
func (r *Replay) At(t int64) error {
	if err := r.Advance(t); err != nil {
		return err
	}
	return r.ApplyDue()
}

// Remaining is how many of the journal's operator actions the replay has not applied.
func (r *Replay) Remaining() int { return len(r.ops) - r.next }

// applyNext runs to the next operator action's step and applies it.
func (r *Replay) applyNext() error {
	a := r.ops[r.next]
	if err := r.e.runSteps(a.Step, a.T); err != nil {
		return r.diverged(a, err)
	}
	r.e.now = a.T
	if err := r.e.Apply(a.Action); err != nil {
		return fmt.Errorf("replay %s at %s: %w", a.Action.Kind, time.Duration(a.T), err)
	}
	r.next++
	return nil
}

func (r *Replay) diverged(a AppliedAction, err error) error {
	return fmt.Errorf("replay to the %s at %s: %w", a.Action.Kind, time.Duration(a.T), err)
}

// BranchCut is a session branched at an instant of it with operator actions applied there, as a
// store makes it the saved session in one transaction: the log cut after its first Kept events
// and the actions recorded after State.T dropped, then Events logged, Actions recorded at State.T
// and State saved as the journal. Resuming State replays the actions itself (they are in its
// Applied, at their steps).
type BranchCut struct {
	Kept    uint64      // the session's events through the instant, before the actions
	Events  []Event     // what was logged at the instant from then on (the actions' events): seqs Kept+1…State.Events
	Actions []Action    // the operator's actions, applied at State.T in order
	State   ResumeState // the journal after them
}

// BranchActionError says which of a branch's actions failed at the replay's instant; the ones
// before it were applied to the replay.
type BranchActionError struct {
	Index  int
	Action Action
	Err    error
}

func (e *BranchActionError) Error() string { return e.Err.Error() }
func (e *BranchActionError) Unwrap() error { return e.Err }

// Branch applies acts at the replay's instant — what is due by then first, as the operator acts
// between instants — and returns the session cut there with them: the journal before (its event
// count), the events they logged and the journal after. The engine is deterministic: resuming
// the returned State gives the world this replay is in now. The replay must keep its event log
// (no WithoutEventLog): the journal carries its hash.
func (r *Replay) Branch(acts ...Action) (BranchCut, error) {
	e := r.e
	if e.noLog {
		return BranchCut{}, fmt.Errorf("branch: the replay keeps no event log")
	}
	cut := BranchCut{Kept: e.log.count, Actions: append([]Action(nil), acts...)}
	capture := &eventCapture{}
	sinks := e.sinks
	e.sinks = append(sinks[:len(sinks):len(sinks)], capture)
	defer func() { e.sinks = sinks }()
	e.RunUntil(e.now)
	for i, a := range acts {
		if err := e.Apply(a); err != nil {
			return BranchCut{}, &BranchActionError{Index: i, Action: a, Err: err}
		}
	}
	st, err := e.ResumeState()
	if err != nil {
		return BranchCut{}, err
	}
	cut.Events, cut.State = capture.events, st
	return cut, nil
}

// eventCapture keeps copies of the events it is given (their strings are immutable).
type eventCapture struct{ events []Event }

func (c *eventCapture) Event(e *Event, _ []byte) { c.events = append(c.events, *e) }
