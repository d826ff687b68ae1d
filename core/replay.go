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
