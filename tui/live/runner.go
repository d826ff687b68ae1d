// Package live runs a core.Engine against the wall clock for the console: one goroutine owns
// the engine and advances virtual time at wall clock × speed, in slices under a frame budget so
// operator actions stay responsive, and publishes immutable frames (a snapshot and the new
// events) about ten times a second. The wall clock is injectable (Clock), so pacing is tested
// without sleeping; in manual mode (before Start) nothing runs by itself.
package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ixlb/ixlb/core"
)

// Clock is the wall clock the runner paces virtual time against. Tests inject a fake one.
type Clock interface {
	Now() time.Time
	// NewTicker delivers the time on its channel every d until stopped.
	NewTicker(d time.Duration) Ticker
}

// Ticker is a Clock's ticker.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// WallClock is the real clock.
type WallClock struct{}

func (WallClock) Now() time.Time { return time.Now() }
func (WallClock) NewTicker(d time.Duration) Ticker {
	return wallTicker{time.NewTicker(d)}
}

type wallTicker struct{ t *time.Ticker }

func (w wallTicker) C() <-chan time.Time { return w.t.C }
func (w wallTicker) Stop()               { w.t.Stop() }

// MaxSpeed and MinSpeed are the fastest and slowest paces offered: virtual seconds per
// wall-clock second. Slower than MinSpeed a console would look stopped while it says it runs.
const (
	MaxSpeed = 100000
	MinSpeed = 0.01
)

// ParseSpeed reads a speed factor as the console and `--speed` take it: a finite number from
// MinSpeed to MaxSpeed, with an optional x ("10x").
func ParseSpeed(s string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "x"), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < MinSpeed || x > MaxSpeed {
		return 0, fmt.Errorf("speed: %q must be a number from 0.01 to 100000 (e.g. 0.5, 10, 1000)", s)
	}
	return x, nil
}

// Sim is what the console needs from a running simulation. The model depends on this interface
// only, so tests drive it with a Runner in manual mode (or a fake).
//
// Concurrency contract: every method may be called from any goroutine; the model calls them from
// tea.Cmd goroutines, never from Update, because they may wait for the engine to finish a slice
// of work. Apply and Replace return once the engine has carried them out and a frame showing the
// result has been published.
type Sim interface {
	// Next blocks until a frame newer than the last one taken is published; ok is false once the
	// simulation is closed.
	Next() (f Frame, ok bool)
	// Apply carries out an operator action at the current virtual time.
	Apply(a core.Action) error
	// SetSpeed sets the factor of virtual time over wall-clock time.
	SetSpeed(x float64)
	// SetPaused pauses or resumes virtual time.
	SetPaused(p bool)
	// Replace builds an engine for cfg and swaps it in for the running one: resuming the
	// scenario's saved session (RunnerOptions.OpenScenario) unless fresh. It says where the
	// session it opened lives (ScenarioSession.Dir: "" when in memory or in a scratch
	// directory). On error the running scenario goes on untouched.
	Replace(cfg core.Config, source string, fresh bool) (dir string, err error)
	// Rewind shows the world as it was at virtual time t (at most the live clock), replayed in
	// memory; the live simulation waits, paused, until Live or Branch. Frames say Rewound.
	Rewind(t int64) error
	// Live leaves a rewound view: frames show the live simulation again, paused as it was.
	Live() error
	// Branch makes the rewound view the present with acts applied at its instant: the journal
	// is cut there (what happened after it is discarded, in the Persister too) and the
	// simulation goes on from there. Both happen or neither: an action that fails at that
	// instant fails before anything is cut. It says what was discarded.
	Branch(acts ...core.Action) (Discarded, error)
	// Journal is the session shown (the rewound view's when rewound): its configuration, the
	// file it came from and its journal, for an export.
	Journal() (SessionJournal, error)
}

// Discarded is what a branch throws away: the events and operator actions after its instant.
type Discarded struct {
	T       int64 // the branch's instant
	Events  uint64
	Actions int
}

// SessionJournal is a session as an export needs it.
type SessionJournal struct {
	Config core.Config // as the engine runs it (its seed included)
	Source string      // the scenario file, "" when built in memory
	State  core.ResumeState
}

// ScenarioSession is what a scenario opened from the console runs on.
type ScenarioSession struct {
	Options []core.Option     // engine options, e.g. the scenario's own databases
	Resume  *core.ResumeState // the saved session to resume; nil starts afresh
	History []core.Event      // the saved session's last events, shown first in the log
	// Dir is where the session lives, for the console to say ("" when in memory or in a
	// scratch directory).
	Dir string
}

// Persister is where a console session's operator actions go, so another process (or the next
// session) can see what was done. Optional: nil keeps everything in memory.
//
// Its methods are called on the runner's goroutine, one at a time, never concurrently. An error is
// shown in the status bar; the simulation goes on. If the Persister also implements
// core.EventSink it receives every event of the log as well (same goroutine, same contract).
type Persister interface {
	// RecordAction is called after an operator action was applied at virtual time t.
	RecordAction(t int64, a core.Action) error
	// Commit is called about ten times a second of wall clock and when the console closes: the
	// place to end a batch (group commit). st is what a restart needs besides the databases.
	Commit(st core.ResumeState) error
}

// Brancher is an optional extension of Persister: told when the operator branches from a
// rewound view, before the engine is rebuilt on the databases. It must make the saved session
// the branch — everything the live run wrote so far settled first, then, in one step, the event
// log cut after cut.Kept and the operator actions after the instant dropped, the branch's events
// and actions recorded, and cut.State saved — so that a crash leaves the session as it was or as
// the branch with its actions, and from then on resumes the branch. Its actions and events are
// not given to RecordAction and Event as well. Same goroutine contract.
type Brancher interface {
	Branch(cut core.BranchCut) error
}

// ScenarioObserver is an optional extension of Persister: told when the operator replaces the
// running scenario (o, :load), so a store can start a new session. Same goroutine contract.
type ScenarioObserver interface {
	ScenarioReplaced(t int64, source string, cfg core.Config) error
}

// LogEntry is one line of the event log as the console keeps it.
type LogEntry struct {
	T    int64
	Seq  uint64
	Kind core.EventKind
	Hot  bool   // worth the operator's eye: see hotEvent
	Line string // the JSON line, as `ixlb run --events` writes it
}

// hotEvent reports the kinds the event log highlights: what an operator watches for while
// balancing is disturbed.
func hotEvent(e *core.Event) bool {
	switch e.Kind {
	case core.EvToURS:
		return e.Resubmission
	case core.EvESPFault, core.EvDAPFailover, core.EvSwitchover, core.EvConfigChanged,
		core.EvAppStopped, core.EvAppStarted, core.EvHeld, core.EvHeldReleased, core.EvActivated, core.EvDeactivated,
		core.EvClusterJoined, core.EvClusterLeft, core.EvDoubleBooked, core.EvRoutingTimeout:
		return true
	}
	return false
}

func newLogEntry(e *core.Event, buf []byte) (LogEntry, []byte) {
	buf = e.AppendJSON(buf[:0])
	return LogEntry{T: e.T, Seq: e.Seq, Kind: e.Kind, Hot: hotEvent(e), Line: string(buf)}, buf
}

// Frame is what the runner publishes about ten times a second. Everything in it is immutable once
// published: the UI may keep references.
type Frame struct {
	Snap       *core.Snapshot
	Events     []LogEntry // events since the previous frame taken, oldest first (at most the ring's size)
	Reset      bool       // a new scenario: forget earlier events and charts
	Gen        uint64     // scenario generation, bumped by Replace
	Source     string     // the scenario file, "" when built in memory
	Duration   time.Duration
	Speed      float64
	Paused     bool
	Note       string // why the runner paused by itself, e.g. the scenario's duration was reached
	Behind     bool   // the engine could not keep up with the speed during the last tick
	PersistErr string
	// Samples are the charts' figures at each whole virtual second since the previous frame
	// taken (on Reset, the whole window kept: at most TrendKeep), oldest first.
	Samples []core.TrendSample
	// Rewound: Snap is the world at an earlier instant, replayed; the live simulation waits at
	// LiveT. Reset comes with a change between live and rewound (the log and charts are the
	// shown instant's).
	Rewound bool
	LiveT   int64
	// Discard is what a branch from the rewound view would throw away (zero when live).
	Discard Discarded
}

// ErrClosed is returned by a Runner's methods after Close.
var ErrClosed = errors.New("the simulation is closed")

// ErrRewound is returned by Apply while a rewound view is shown: nothing changes the simulation
// then, unless the operator branches (Branch).
var ErrRewound = errors.New("the console shows a rewound view: branch first, or go back to live")

// Speeds are the steps of + and -.
var Speeds = []float64{0.5, 1, 2, 5, 10, 50, 100, 1000}

const (
	frameEvery   = 100 * time.Millisecond // publish rate: ~10 snapshots a second
	tickBudget   = 80 * time.Millisecond  // wall time the engine may use per tick before it falls behind
	maxTickCatch = 4 * frameEvery         // a stalled process does not make virtual time jump
	// DefaultRingSize is how many recent events the console keeps.
	DefaultRingSize = 5000
)

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	Source        string
	Speed         float64 // 0: 1x
	Paused        bool
	Persister     Persister
	History       []core.Event  // events of an earlier session, shown first in the log
	EngineOptions []core.Option // for every engine the runner builds (do not pass core.WithSink: use Sink)
	// OpenScenario, when set, is asked what each scenario loaded later runs on (its own SQLite
	// databases, its saved session unless fresh); EngineOptions still serve the first one.
	// Without it a scenario loaded later starts afresh on EngineOptions.
	OpenScenario func(cfg core.Config, source string, fresh bool) (ScenarioSession, error)
	Sink         core.EventSink
	RingSize     int // 0: DefaultRingSize
	// NoStopAtEnd keeps virtual time running past the scenario's duration instead of pausing once there.
	NoStopAtEnd bool
	// Resume, when set, rebuilds the first engine from a saved state (core.Resume) on the
	// databases given in EngineOptions, instead of starting the scenario afresh.
	Resume *core.ResumeState
	// Clock paces live mode; nil is the wall clock.
	Clock Clock
}

// Runner owns a *core.Engine on one goroutine and paces it against the wall clock. In manual
// mode (before Start, and in tests) nothing runs by itself: Step advances virtual time
// deterministically and every call runs on the caller's goroutine under a mutex.
type Runner struct {
	opts RunnerOptions

	// Engine side: touched only by the goroutine that owns the engine (the loop in live mode,
	// holders of mu in manual mode).
	eng       *core.Engine
	cfg       core.Config
	source    string
	speed     float64
	paused    bool
	note      string
	endPaused bool // the stop at the scenario's duration already happened
	behind    bool
	gen       uint64
	ring      eventRing
	perr      string
	buf       []byte
	resetNext bool // the next frame starts a new scenario, or switches between live and rewound

	curOpts []core.Option // the engine options of the running scenario's session
	recent  logBuffer     // the live log's last entries, to show again after a rewound view
	trend   trendBuffer   // the live charts' samples
	view    *view         // the rewound view, nil when live
	// wasPaused is whether the live simulation was paused when the view was opened.
	wasPaused bool

	mu     sync.Mutex
	live   bool
	reqs   chan func()
	quit   chan struct{}
	done   chan struct{} // closed when the loop has returned (live) or at Close (manual)
	closed chan struct{}
	once   sync.Once
	box    mailbox
}

// NewRunner builds the engine for cfg. The runner starts in manual mode; Start makes it live.
func NewRunner(cfg core.Config, o RunnerOptions) (*Runner, error) {
	if o.Speed <= 0 || math.IsNaN(o.Speed) || math.IsInf(o.Speed, 0) {
		o.Speed = 1
	}
	if o.Clock == nil {
		o.Clock = WallClock{}
	}
	if o.RingSize <= 0 {
		o.RingSize = DefaultRingSize
	}
	r := &Runner{opts: o, speed: o.Speed, paused: o.Paused, source: o.Source,
		reqs: make(chan func()), quit: make(chan struct{}), done: make(chan struct{}),
		closed: make(chan struct{})}
	r.ring.init(o.RingSize)
	r.box.init(o.RingSize)
	r.recent.init(o.RingSize)
	for i := range o.History {
		e := &o.History[i]
		var le LogEntry
		le, r.buf = newLogEntry(e, r.buf)
		r.ring.pushEntry(le)
	}
	if err := r.build(cfg, o.Source, ScenarioSession{Options: o.EngineOptions, Resume: o.Resume}); err != nil {
		return nil, err
	}
	r.publish()
	return r, nil
}

// build makes a new engine on ss and resets what belongs to a scenario.
func (r *Runner) build(cfg core.Config, source string, ss ScenarioSession) error {
	opts := append(append([]core.Option(nil), ss.Options...), core.WithSink(runnerSink{r}))
	var e *core.Engine
	var err error
	if ss.Resume != nil {
		e, err = core.Resume(cfg, *ss.Resume, opts...)
	} else {
		e, err = core.New(cfg, opts...)
	}
	if err != nil {
		return err
	}
	r.eng, r.cfg, r.source, r.curOpts = e, cfg, source, ss.Options
	r.endPaused, r.note, r.behind = false, "", false
	r.view = nil
	if err := r.startTrend(ss.Resume); err != nil {
		return err
	}
	if end := int64(cfg.Duration); ss.Resume != nil && end > 0 && e.Now() >= end && !r.opts.NoStopAtEnd {
		// A session saved at (or past) its end reopens there, paused, as it was left.
		r.endPaused, r.paused = true, true
		r.note = "reached the scenario's duration (" + cfg.Duration.String() + "); space goes on"
	}
	return nil
}

// runnerSink collects events on the engine's goroutine: a struct copy into the ring, no
// allocation; the JSON line is made only for events still in the ring when a frame is published.
type runnerSink struct{ r *Runner }

func (s runnerSink) Event(e *core.Event, line []byte) {
	r := s.r
	r.ring.push(e)
	if r.opts.Sink != nil {
		r.opts.Sink.Event(e, line)
	}
	if ps, ok := r.opts.Persister.(core.EventSink); ok {
		ps.Event(e, line)
	}
}

// Start makes the runner live: a goroutine owns the engine from now on and advances virtual time
// at wall clock × speed until ctx ends or Close is called.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live {
		return
	}
	r.live = true
	go r.loop(ctx, r.opts.Clock.Now()) // the clock is read here: time passing from now on counts
}

func (r *Runner) loop(ctx context.Context, last time.Time) {
	defer close(r.done)
	clk := r.opts.Clock
	t := clk.NewTicker(frameEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.quit:
			return
		case f := <-r.reqs:
			f()
		case now := <-t.C():
			el := now.Sub(last)
			last = now
			if el > maxTickCatch {
				el = maxTickCatch
			}
			if r.paused {
				continue // nothing moves; actions publish their own frames
			}
			r.advance(el, clk.Now().Add(tickBudget))
			r.publish()
		}
	}
}

// advance runs the engine for wall × speed of virtual time, in slices, and gives up at the
// deadline so operator actions stay responsive when the engine cannot keep up.
func (r *Runner) advance(wall time.Duration, deadline time.Time) {
	now := r.eng.Now()
	target := now + Pace(wall, r.speed)
	if end := int64(r.cfg.Duration); !r.opts.NoStopAtEnd && !r.endPaused && end > 0 && now < end && target >= end {
		target = end
		defer func() {
			// Only once there: at high speed the frame budget may cut this advance short of
			// the end, and the next tick goes on from where it stopped.
			if r.eng.Now() >= end {
				r.endPaused, r.paused = true, true
				r.note = "reached the scenario's duration (" + r.cfg.Duration.String() + "); space goes on"
			}
		}()
	}
	r.behind = r.runTo(target, deadline)
}

// Pace is the virtual time wall of wall-clock time brings at speed: the one pacing rule of the
// console's runner and `ixlb run --speed`.
func Pace(wall time.Duration, speed float64) int64 { return int64(float64(wall) * speed) }

// RunTo runs eng to virtual time target in slices, giving up at deadline (zero: never) when the
// engine cannot keep up; it reports whether it fell behind. The console's runner and `ixlb run
// --speed` both advance through it.
func RunTo(eng *core.Engine, target int64, clock Clock, deadline time.Time) (behind bool) {
	slice := (target - eng.Now()) / 16
	if slice < int64(time.Millisecond) {
		slice = int64(time.Millisecond)
	}
	for eng.Now() < target {
		next := eng.NextEventAt()
		if next < 0 || next > target {
			eng.RunUntil(target)
			return false
		}
		eng.RunUntil(min(target, eng.Now()+slice))
		if !deadline.IsZero() && clock.Now().After(deadline) {
			return true
		}
	}
	return false
}

// Step advances virtual time by d without looking at the wall clock, then publishes a frame.
// Manual mode only (tests, benchmarks).
func (r *Runner) Step(d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live {
		return errors.New("Step: the runner is live")
	}
	if r.view != nil {
		return errors.New("Step: the runner shows a rewound view")
	}
	r.runTo(r.eng.Now()+int64(d), time.Time{})
	r.publish()
	return nil
}

// exec runs f on the engine's goroutine (live) or under the mutex (manual), then publishes.
func (r *Runner) exec(f func()) error {
	r.mu.Lock()
	live := r.live
	if !live {
		defer r.mu.Unlock()
		select {
		case <-r.closed:
			return ErrClosed
		default:
		}
		f()
		r.publish()
		return nil
	}
	r.mu.Unlock()
	ran := make(chan struct{})
	job := func() {
		f()
		r.publish()
		close(ran)
	}
	select {
	case r.reqs <- job:
	case <-r.done:
		return ErrClosed
	}
	<-ran
	return nil
}

// Apply carries out an operator action now and records it with the Persister.
func (r *Runner) Apply(a core.Action) error {
	var err error
	if xerr := r.exec(func() {
		if r.view != nil {
			err = ErrRewound
			return
		}
		err = r.apply(a)
	}); xerr != nil {
		return xerr
	}
	return err
}

// apply carries out a on the live engine and records it (engine goroutine).
func (r *Runner) apply(a core.Action) error {
	// The operator acts between instants: whatever is due now (what an earlier action scheduled
	// for this very instant) happens first. An exported session's timeline says the same with
	// `by: operator`, so it replays byte for byte.
	r.eng.RunUntil(r.eng.Now())
	if err := r.eng.Apply(a); err != nil {
		return err
	}
	r.trend.retake(r.eng)
	if r.opts.Persister != nil {
		if perr := r.opts.Persister.RecordAction(r.eng.Now(), a); perr != nil {
			r.perr = "record action: " + perr.Error()
		}
	}
	return nil
}

// SetSpeed sets the speed factor (clamped to 0.01–100000).
func (r *Runner) SetSpeed(x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return // not a pace: the clock would stop (NaN) or jump
	}
	x = max(MinSpeed, min(x, MaxSpeed))
	_ = r.exec(func() { r.speed = x })
}

// SetPaused pauses or resumes.
func (r *Runner) SetPaused(p bool) {
	_ = r.exec(func() {
		if r.view != nil {
			r.wasPaused = p // the live simulation waits while rewound; this is for when it returns
			return
		}
		r.paused = p
		if !p {
			r.note = ""
		}
	})
}

// Replace swaps in an engine for cfg, resuming its saved session unless fresh; the event log
// and charts restart (with the saved session's history).
func (r *Runner) Replace(cfg core.Config, source string, fresh bool) (dir string, err error) {
	if xerr := r.exec(func() {
		if r.opts.Persister != nil {
			// The running scenario's session is saved up to now before it is left.
			if cerr := r.commit(); cerr != nil {
				r.perr = fmt.Sprintf("commit: %v", cerr)
			}
		}
		ss := ScenarioSession{Options: r.opts.EngineOptions}
		if r.opts.OpenScenario != nil {
			if ss, err = r.opts.OpenScenario(cfg, source, fresh); err != nil {
				return
			}
		}
		old, oldRecent, oldTrend, oldView, oldPaused := r.ring, r.recent, r.trend, r.view, r.paused
		r.ring = eventRing{}
		r.ring.init(r.opts.RingSize)
		r.recent = logBuffer{}
		r.recent.init(r.opts.RingSize)
		if r.view != nil {
			r.paused = r.wasPaused // the rewound view goes with the scenario
		}
		for i := range ss.History {
			var le LogEntry
			le, r.buf = newLogEntry(&ss.History[i], r.buf)
			r.ring.pushEntry(le)
		}
		if err = r.build(cfg, source, ss); err != nil {
			r.ring, r.recent, r.trend, r.view, r.paused = old, oldRecent, oldTrend, oldView, oldPaused
			return
		}
		r.gen++
		if so, ok := r.opts.Persister.(ScenarioObserver); ok {
			if perr := so.ScenarioReplaced(r.eng.Now(), source, cfg); perr != nil {
				r.perr = "record scenario: " + perr.Error()
			}
		}
		r.resetNext = true
		dir = ss.Dir
	}); xerr != nil {
		return "", xerr
	}
	return dir, err
}

// Next blocks until a new frame is published or the runner is closed.
func (r *Runner) Next() (Frame, bool) {
	for {
		if f, ok := r.box.take(); ok {
			return f, true
		}
		select {
		case <-r.box.notify:
		case <-r.closed:
			if f, ok := r.box.take(); ok {
				return f, true
			}
			return Frame{}, false
		}
	}
}

// TryNext returns the pending frame, if any, without blocking (tests).
func (r *Runner) TryNext() (Frame, bool) { return r.box.take() }

// Close stops the loop, commits a last time and wakes Next. It is safe to call more than once.
func (r *Runner) Close() error {
	var err error
	r.once.Do(func() {
		r.mu.Lock()
		live := r.live
		r.mu.Unlock()
		close(r.quit)
		if live {
			<-r.done
		} else {
			close(r.done)
		}
		// The engine has no owner any more: this goroutine may touch it.
		if r.opts.Persister != nil {
			err = r.commit()
		}
		close(r.closed)
	})
	return err
}

// commit saves the engine's resume state through the Persister (engine goroutine only).
func (r *Runner) commit() error {
	st, err := r.eng.ResumeState()
	if err != nil {
		return err
	}
	return r.opts.Persister.Commit(st)
}

// publish hands the latest state to the UI.
func (r *Runner) publish() {
	reset := r.resetNext
	r.resetNext = false
	if r.opts.Persister != nil {
		if err := r.commit(); err != nil {
			r.perr = fmt.Sprintf("commit: %v", err)
		}
	}
	var evs []LogEntry
	evs, r.buf = r.ring.drain(r.buf)
	r.recent.add(evs)
	samples := r.trend.takeNew()
	f := Frame{Gen: r.gen, Source: r.source, Duration: r.cfg.Duration,
		Speed: r.speed, Paused: r.paused, Note: r.note, Behind: r.behind,
		PersistErr: r.perr, LiveT: r.eng.Now()}
	switch {
	case r.view != nil:
		f.Snap, f.Rewound, f.Paused, f.Behind, f.Note = r.view.snap, true, true, false, ""
		f.Discard = r.discards(r.view.rp.Engine())
		evs, samples = nil, nil
		if reset {
			evs, samples = r.view.log, r.view.trend.all()
		}
	case reset:
		f.Snap = r.eng.Snapshot()
		evs, samples = r.recent.all(), r.trend.all()
	default:
		f.Snap = r.eng.Snapshot()
	}
	r.box.put(f, evs, samples, reset)
}

// eventRing keeps the last n events since the previous drain. Events are copied by value (their
// strings are immutable), so collecting costs no allocation per event.
type eventRing struct {
	ev    []core.Event
	pre   []LogEntry // entries that arrive already encoded (history)
	head  int
	n     int
	extra int // events dropped because more than cap arrived between drains
}

func (g *eventRing) init(n int) { g.ev = make([]core.Event, n) }

func (g *eventRing) push(e *core.Event) {
	c := len(g.ev)
	if g.n < c {
		g.ev[(g.head+g.n)%c] = *e
		g.n++
		return
	}
	g.ev[g.head] = *e
	g.head = (g.head + 1) % c
	g.extra++
}

func (g *eventRing) pushEntry(le LogEntry) {
	g.pre = append(g.pre, le)
	if len(g.pre) > len(g.ev) {
		g.pre = g.pre[len(g.pre)-len(g.ev):]
	}
}

// drain returns the collected events, oldest first, and empties the ring.
func (g *eventRing) drain(buf []byte) ([]LogEntry, []byte) {
	if g.n == 0 && len(g.pre) == 0 {
		return nil, buf
	}
	out := make([]LogEntry, 0, len(g.pre)+g.n)
	out = append(out, g.pre...)
	g.pre = nil
	c := len(g.ev)
	for i := 0; i < g.n; i++ {
		e := &g.ev[(g.head+i)%c]
		var le LogEntry
		le, buf = newLogEntry(e, buf)
		out = append(out, le)
		*e = core.Event{}
	}
	g.head, g.n, g.extra = 0, 0, 0
	if len(out) > c {
		out = out[len(out)-c:]
	}
	return out, buf
}

// mailbox holds the latest frame until the UI takes it. Frames coalesce: a slow UI gets the
// newest snapshot and every event (up to the ring's size) since it last looked.
type mailbox struct {
	mu      sync.Mutex
	frame   Frame
	have    bool
	events  []LogEntry
	samples []core.TrendSample
	reset   bool
	cap     int
	notify  chan struct{}
}

func (b *mailbox) init(n int) {
	b.cap = n
	b.notify = make(chan struct{}, 1)
}

func (b *mailbox) put(f Frame, evs []LogEntry, samples []core.TrendSample, reset bool) {
	b.mu.Lock()
	if reset {
		b.events, b.samples, b.reset = nil, nil, true
	}
	b.events = append(b.events, evs...)
	if len(b.events) > b.cap {
		b.events = append([]LogEntry(nil), b.events[len(b.events)-b.cap:]...)
	}
	b.samples = append(b.samples, samples...)
	if len(b.samples) > TrendKeep {
		b.samples = append([]core.TrendSample(nil), b.samples[len(b.samples)-TrendKeep:]...)
	}
	b.frame, b.have = f, true
	b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

func (b *mailbox) take() (Frame, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.have {
		return Frame{}, false
	}
	f := b.frame
	f.Events, f.Samples, f.Reset = b.events, b.samples, b.reset
	b.events, b.samples, b.reset, b.have = nil, nil, false, false
	return f, true
}
