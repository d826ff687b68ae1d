package live

import (
	"errors"
	"fmt"
	"time"

	"github.com/ixlb/ixlb/core"
)

// Time travel: a rewound view is the session replayed in memory to an earlier instant
// (core.Replay). The live engine, its databases and its Persister are not touched while it is
// shown; a branch makes the view the present.

// view is a rewound view: a replay stopped at t, what it logged and its charts.
type view struct {
	rp    *core.Replay
	t     int64
	snap  *core.Snapshot
	ring  eventRing   // the replay's events since the last look (the sink's)
	log   []LogEntry  // the last events up to t
	trend trendBuffer // the charts up to t
	buf   []byte
}

// viewSink collects a replay's events for the view's log.
type viewSink struct{ v *view }

func (s viewSink) Event(e *core.Event, _ []byte) { s.v.ring.push(e) }

// Rewind implements Sim.
func (r *Runner) Rewind(t int64) error {
	var err error
	if xerr := r.exec(func() { err = r.rewind(t) }); xerr != nil {
		return xerr
	}
	return err
}

func (r *Runner) rewind(t int64) error {
	live := r.eng.Now()
	switch {
	case t < 0:
		return fmt.Errorf("%s is before the start", time.Duration(t))
	case t > live:
		return fmt.Errorf("the session has not reached %s yet (live is at %s)", clockText(t), clockText(live))
	}
	v := r.view
	if v == nil || t < v.t {
		// Backwards: replay from the start.
		v = &view{}
		v.ring.init(r.opts.RingSize)
		v.trend.reset()
		rp, err := core.NewReplay(*r.eng.Config(), r.eng.Config().Seed, r.eng.Applied(), core.WithSink(viewSink{v}))
		if err != nil {
			return err
		}
		v.rp = rp
	}
	// Forwards from where the view is: the same replay goes on.
	if err := replayTrend(v.rp, &v.trend, t); err != nil {
		return fmt.Errorf("rewind to %s: %w", clockText(t), err)
	}
	var evs []LogEntry
	evs, v.buf = v.ring.drain(v.buf)
	if v != r.view {
		v.log = evs
	} else {
		v.log = appendLog(v.log, evs, r.opts.RingSize)
	}
	v.t, v.snap = t, v.rp.Engine().Snapshot()
	if r.view == nil {
		r.wasPaused, r.paused = r.paused, true
	}
	r.view = v
	r.resetNext = true
	return nil
}

// appendLog appends evs to log, keeping the last n.
func appendLog(log, evs []LogEntry, n int) []LogEntry {
	log = append(log, evs...)
	if len(log) > n {
		log = append([]LogEntry(nil), log[len(log)-n:]...)
	}
	return log
}

// Live implements Sim.
func (r *Runner) Live() error {
	return r.exec(func() {
		if r.view == nil {
			return
		}
		r.view = nil
		r.paused = r.wasPaused
		r.resetNext = true
	})
}

// Branch implements Sim.
func (r *Runner) Branch(acts ...core.Action) (Discarded, error) {
	var d Discarded
	var err error
	if xerr := r.exec(func() { d, err = r.branch(acts) }); xerr != nil {
		return d, xerr
	}
	return d, err
}

// branch cuts the session at the view's instant with acts applied there, as one job of the
// engine's goroutine: the console quitting meanwhile (Ctrl-C right after the answer) waits for
// it. The actions are applied on the view's replay first (the engine is deterministic: what the
// replay does with them, the branch does); one that fails there fails here, and nothing is cut.
// The saved session becomes the branch with its actions in one step (Brancher), and the engine
// resumes from that journal, which replays the actions itself.
func (r *Runner) branch(acts []core.Action) (Discarded, error) {
	v := r.view
	if v == nil {
		return Discarded{}, errors.New("branch: the console shows the live simulation")
	}
	at := v.rp.Engine()
	d := r.discards(at)
	t, applied := at.Now(), len(at.Applied())
	cut, err := v.rp.Branch(acts...)
	if err != nil {
		if len(at.Applied()) > applied { // the view moved on with the first ones: show the instant again
			err = errors.Join(err, r.reshow(t))
		}
		var ae *core.BranchActionError
		if errors.As(err, &ae) {
			return Discarded{}, fmt.Errorf("%s at %s: %w (nothing was branched)", ae.Action.Kind, clockText(t), ae.Err)
		}
		return Discarded{}, fmt.Errorf("branch at %s: %w (nothing was branched)", clockText(t), err)
	}
	// The databases are the live session's: the branch's journal names them as the live one does.
	liveSt, err := r.eng.ResumeState()
	if err != nil {
		return Discarded{}, err
	}
	st := &cut.State
	for name := range st.Identities {
		if id, ok := liveSt.Identities[name]; ok {
			st.Identities[name] = id
		} else {
			delete(st.Identities, name)
		}
	}
	b, cuts := r.opts.Persister.(Brancher)
	if cuts {
		if err := b.Branch(cut); err != nil {
			// Nothing was cut: the view shows the instant again, without the actions.
			return Discarded{}, errors.Join(fmt.Errorf("branch at %s: %w", clockText(t), err), r.reshow(t))
		}
	}
	// The engine goes on from the branch's journal on the session's own databases, which the
	// replay rewrites where they hold what happened after the instant. A console without
	// databases of its own gets new ones in memory.
	opts := append([]core.Option{core.WithDatabases(core.NewMemDatabases())}, r.curOpts...)
	opts = append(opts, core.WithRebuild(), core.WithSink(runnerSink{r}))
	e, err := core.Resume(*r.eng.Config(), *st, opts...)
	if err != nil {
		err = fmt.Errorf("branch at %s: %w", clockText(t), err)
		if cuts {
			// The saved session is the branch already; the live engine must not write over it
			// (reopening resumes the branch).
			r.opts.Persister = nil
			r.perr = err.Error() + "; the session is no longer saved: reopen it to continue the branch"
		}
		return Discarded{}, err
	}
	r.eng = e
	r.ring = eventRing{}
	r.ring.init(r.opts.RingSize)
	r.recent = logBuffer{}
	r.recent.init(r.opts.RingSize)
	var evs []LogEntry
	evs, v.buf = v.ring.drain(v.buf) // the actions' events, which the view's replay logged
	r.recent.add(appendLog(v.log, evs, r.opts.RingSize))
	r.trend = v.trend
	r.trend.fresh = 0
	if len(acts) > 0 {
		r.trend.retake(e)
	}
	r.view = nil
	r.paused = r.wasPaused
	r.endPaused, r.note = false, ""
	if end := int64(r.cfg.Duration); end > 0 && e.Now() >= end && !r.opts.NoStopAtEnd {
		r.endPaused = true // branched past the end: it does not stop there again
	}
	r.told(cut, !cuts)
	r.resetNext = true
	return d, nil
}

// reshow replays the view again at t: a branch that was not made leaves it as it was.
func (r *Runner) reshow(t int64) error {
	paused := r.wasPaused
	r.view = nil
	err := r.rewind(t)
	r.wasPaused, r.paused = paused, true
	return err
}

// told gives the branch's events to the sinks that did not see them (the resume replays them
// quietly), and, when the Persister does not branch (record, not cut), its actions.
func (r *Runner) told(cut core.BranchCut, record bool) {
	var line []byte
	for i := range cut.Events {
		ev := &cut.Events[i]
		line = ev.AppendJSON(line[:0])
		if r.opts.Sink != nil {
			r.opts.Sink.Event(ev, line)
		}
		if ps, ok := r.opts.Persister.(core.EventSink); ok && record {
			ps.Event(ev, line)
		}
	}
	if !record || r.opts.Persister == nil {
		return
	}
	for _, a := range cut.Actions {
		if perr := r.opts.Persister.RecordAction(cut.State.T, a); perr != nil {
			r.perr = "record action: " + perr.Error()
		}
	}
}

// discards says what branching at the view's instant would throw away of the live session.
func (r *Runner) discards(at *core.Engine) Discarded {
	return Discarded{T: at.Now(), Events: r.eng.EventCount() - at.EventCount(),
		Actions: operatorActions(r.eng) - operatorActions(at)}
}

// Journal implements Sim.
func (r *Runner) Journal() (SessionJournal, error) {
	var j SessionJournal
	var err error
	if xerr := r.exec(func() {
		e := r.eng
		if r.view != nil {
			e = r.view.rp.Engine()
		}
		j.Config, j.Source = *e.Config(), r.source
		j.State, err = e.ResumeState()
	}); xerr != nil {
		return j, xerr
	}
	return j, err
}

// clockText writes a virtual time as the console's clock does (hh:mm:ss.mmm).
func clockText(t int64) string {
	d := time.Duration(t)
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	ms := (d % time.Second) / time.Millisecond
	return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, ms)
}
