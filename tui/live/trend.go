package live

import (
	"time"

	"github.com/ixlb/ixlb/core"
)

// The charts plot the world, not the screen: a sample (core.TrendSample) is taken at every whole
// virtual second the clock passes, so a column is one virtual second at any speed, and the same
// session gives the same charts live, rewound or reopened (a replay takes the same samples).

const (
	// TrendEvery is the virtual time between two samples: one column of a chart.
	TrendEvery = int64(time.Second)
	// TrendKeep is how many samples are kept: the widest chart's columns, and one more so every
	// column has a predecessor to count from.
	TrendKeep = 301
)

// trendBuffer keeps the last TrendKeep samples and which of them no frame has carried yet.
type trendBuffer struct {
	s       []core.TrendSample
	fresh   int   // samples at the end of s not published yet
	sampled int64 // the last whole second sampled; -1: none
}

func (b *trendBuffer) reset() { *b = trendBuffer{sampled: -1} }

// take samples eng, whose clock is on the whole second t.
func (b *trendBuffer) take(eng *core.Engine, t int64) {
	var s core.TrendSample
	if len(b.s) == TrendKeep {
		s = b.s[0] // reuse the oldest's slices: frames got copies
		b.s = append(b.s[:0], b.s[1:]...)
	}
	eng.Sample(&s)
	s.T = t
	b.s = append(b.s, s)
	b.fresh = min(b.fresh+1, len(b.s))
	b.sampled = t
}

// retake samples eng again when the last sample is of its instant: an operator action taken at
// a whole second belongs to that second's column, as the timeline's entries at that second do
// (the sample was taken when the clock got there, before the operator acted). The sample is
// published again; the charts replace the one of the same instant.
func (b *trendBuffer) retake(eng *core.Engine) {
	n := len(b.s)
	if n == 0 || b.s[n-1].T != eng.Now() {
		return
	}
	t := b.s[n-1].T
	eng.Sample(&b.s[n-1])
	b.s[n-1].T = t
	b.fresh = max(b.fresh, 1)
}

// takeNew returns copies of the samples not published yet (frames are immutable).
func (b *trendBuffer) takeNew() []core.TrendSample {
	out := copySamples(b.s[len(b.s)-b.fresh:])
	b.fresh = 0
	return out
}

// all returns copies of every sample kept.
func (b *trendBuffer) all() []core.TrendSample {
	b.fresh = 0
	return copySamples(b.s)
}

func copySamples(in []core.TrendSample) []core.TrendSample {
	if len(in) == 0 {
		return nil
	}
	out := make([]core.TrendSample, len(in))
	for i, s := range in {
		out[i] = s
		out[i].URSSubmitted = append([]int64(nil), s.URSSubmitted...)
		out[i].URSRunning = append([]bool(nil), s.URSRunning...)
	}
	return out
}

// firstSample is the first whole second after last that the run to target samples: only the
// last TrendKeep seconds up to target are kept, so those before are not taken.
func firstSample(last, target int64) int64 {
	next := (last/TrendEvery + 1) * TrendEvery
	if last < 0 {
		next = 0
	}
	return max(next, (target/TrendEvery-TrendKeep+1)*TrendEvery)
}

// sampleTo runs step to each whole second up to target that the window keeps, sampling each.
// step runs the engine to a time and reports whether it got there; sampling stops when not.
func (b *trendBuffer) sampleTo(eng *core.Engine, target int64, step func(t int64) bool) bool {
	for t := firstSample(b.sampled, target); t <= target; t += TrendEvery {
		if t < eng.Now() {
			continue // the past cannot be sampled (a clock set past it)
		}
		if !step(t) {
			return false
		}
		b.take(eng, t)
	}
	return true
}

// runTo advances the live engine to target, sampling on the way; it reports whether it fell
// behind the deadline (zero: none).
func (r *Runner) runTo(target int64, deadline time.Time) (behind bool) {
	late := func() bool { return !deadline.IsZero() && r.opts.Clock.Now().After(deadline) }
	first := true
	ok := r.trend.sampleTo(r.eng, target, func(t int64) bool {
		// A second at a time, whole: the deadline is looked at between seconds, and the first
		// is always run, so a slow engine still moves.
		if !first && late() {
			return false
		}
		first = false
		r.eng.RunUntil(t)
		return true
	})
	if !ok {
		return true
	}
	return RunTo(r.eng, target, r.opts.Clock, deadline)
}

// startTrend samples a new engine's past: a fresh one at 0; a resumed one by replaying its
// journal to where it stands (the charts of a reopened session are those it had).
func (r *Runner) startTrend(resume *core.ResumeState) error {
	r.trend.reset()
	if resume == nil || resume.T == 0 {
		r.eng.RunUntil(r.eng.Now()) // what is due at once, as a replay at 0 does it
		r.trend.take(r.eng, 0)
		return nil
	}
	rp, err := core.NewReplay(*r.eng.Config(), resume.Seed, resume.Applied, core.WithoutEventLog())
	if err != nil {
		return err
	}
	return replayTrend(rp, &r.trend, resume.T)
}

// replayTrend samples a replay up to t, then brings it to the world at t. Each sample is of the
// world at its second with the operator's actions taken then (as the live charts retake it).
func replayTrend(rp *core.Replay, b *trendBuffer, t int64) error {
	var err error
	b.sampleTo(rp.Engine(), t, func(at int64) bool {
		err = rp.At(at)
		return err == nil
	})
	if err != nil {
		return err
	}
	return rp.At(t)
}

// operatorActions counts the operator's actions in the engine's journal.
func operatorActions(e *core.Engine) int {
	n := 0
	for _, a := range e.Applied() {
		if a.Operator {
			n++
		}
	}
	return n
}

// logBuffer keeps the last entries of a log, oldest first.
type logBuffer struct {
	e    []LogEntry
	head int
	n    int
}

func (b *logBuffer) init(n int) { b.e = make([]LogEntry, n) }

func (b *logBuffer) add(evs []LogEntry) {
	c := len(b.e)
	if c == 0 {
		return
	}
	for _, le := range evs {
		if b.n < c {
			b.e[(b.head+b.n)%c] = le
			b.n++
			continue
		}
		b.e[b.head] = le
		b.head = (b.head + 1) % c
	}
}

func (b *logBuffer) all() []LogEntry {
	out := make([]LogEntry, 0, b.n)
	for i := 0; i < b.n; i++ {
		out = append(out, b.e[(b.head+i)%len(b.e)])
	}
	return out
}
