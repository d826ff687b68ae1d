// Package study runs scenarios many times in memory — over seeds, variants of a design, agent
// counts — and summarises their figures with confidence intervals: `ixlb compare`, `ixlb sweep`,
// `ixlb staff` and the plots. Each run is independent and deterministic, so results depend
// neither on how many run at once nor on the order they finish.
//
// The package does no I/O of its own beyond writing the plot files it is asked for: the CLI
// (cmd/ixlb) parses flags, prints tables and shows progress.
package study

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// MaxSeeds is the most seeds a comparison or a staffing runs each design or agent count with:
// past it a confidence interval narrows by less than one percent for every thousand more runs.
const MaxSeeds = 10_000

// Run is one run of a study: a scenario configuration and a seed.
type Run struct {
	Config core.Config
	Expect []scenarios.Expectation
	Seed   uint64
}

// Result is what a study keeps of a run.
type Result struct {
	Figures core.Figures // the sections of FigureSections
	Failed  []string     // expectations that do not hold
	Errors  []string
	// Warnings are the report's (a run too short for its load to be near a steady state…).
	Warnings []string
}

// Guard is asked between slices of every run; an error stops the study. cmd/ixlb's memory guard
// is one: a design whose queues grow without bound stops with a clear error, not the machine.
type Guard interface {
	Check(*core.Engine) error
}

// Options say how a study runs its runs.
type Options struct {
	Jobs int // runs at once; 0: one per core
	// Halted (may be nil; must be safe for concurrent use) is asked between slices of every run:
	// when it says so, the runs in progress stop at once and the study returns ErrInterrupted.
	Halted   func() bool
	Progress func(done, total int) // after each run, on the caller's goroutine; may be nil
	Guard    Guard                 // may be nil
}

// ErrInterrupted is returned when Options.Halted stopped a study.
var ErrInterrupted = errors.New("interrupted")

// RunAll runs n runs (run(i) makes the i-th) and calls emit with each result in run order as soon
// as it and all before it are done — so a long sweep keeps only the results that finished out of
// order, not all of them. The first error (a run's, or emit's) stops the study.
func RunAll(n int, run func(i int) Run, opt Options, emit func(i int, r Result) error) error {
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type done struct {
		i   int
		r   Result
		err error
	}
	next := make(chan int)
	results := make(chan done)
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := RunOne(run(i), opt)
				results <- done{i, r, err}
			}
		}()
	}
	stop := make(chan struct{})
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	pending := map[int]Result{}
	want, count := 0, 0
	var firstErr error
	for d := range results {
		count++
		if opt.Progress != nil {
			opt.Progress(count, n)
		}
		if firstErr != nil {
			continue // drain the workers
		}
		if d.err != nil {
			firstErr = d.err
			close(stop)
			continue
		}
		pending[d.i] = d.r
		for {
			r, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			if err := emit(want, r); err != nil {
				firstErr = err
				close(stop)
				break
			}
			want++
		}
	}
	return firstErr
}

// RunOne runs one run in memory to its end and reads its figures.
func RunOne(r Run, opt Options) (Result, error) {
	// A study reads figures, not the event log: it is not encoded or hashed. Nor the completed
	// rows: a compact in-memory database keeps what is open and the counts.
	opts := []core.Option{core.WithSeed(r.Seed), core.WithoutEventLog(), core.WithDatabases(core.NewCompactMemDatabases())}
	if opt.Halted != nil {
		opts = append(opts, core.WithInterrupt(opt.Halted)) // between events, not only between slices
	}
	e, err := core.New(r.Config, opts...)
	if err != nil {
		return Result{}, fmt.Errorf("%s seed %d: %w", r.Config.Name, r.Seed, err)
	}
	// In slices, so a signal stops it promptly and the guard (which reads the whole process's
	// heap: every worker's runs) stops a design that outgrows the machine.
	const slices = 200
	end := int64(r.Config.Duration)
	for i := 1; i <= slices; i++ {
		if opt.Halted != nil && opt.Halted() {
			return Result{}, ErrInterrupted
		}
		e.RunUntil(core.SliceEnd(0, end, i, slices))
		if e.Interrupted() {
			return Result{}, ErrInterrupted
		}
		if opt.Guard != nil {
			if err := opt.Guard.Check(e); err != nil {
				return Result{}, fmt.Errorf("%s seed %d: %w", r.Config.Name, r.Seed, err)
			}
		}
	}
	rep, err := e.Report()
	if err != nil {
		return Result{}, fmt.Errorf("%s seed %d: %w", r.Config.Name, r.Seed, err)
	}
	rep.Expectations = scenarios.Evaluate(r.Expect, rep)
	res := Result{Figures: StudyFigures(rep.Figures()), Errors: rep.Errors, Warnings: rep.Warnings}
	for _, x := range rep.Expectations {
		if !x.OK {
			res.Failed = append(res.Failed, x.Expect)
		}
	}
	return res, nil
}

// FigureSections are the report sections a study keeps: what a design is judged by.
var FigureSections = []string{"service", "occupancy", "agent_time", "urs_share", "interactions", "agents", "esp_faults"}

// StudyFigures keeps the figures of FigureSections.
func StudyFigures(all core.Figures) core.Figures {
	out := core.Figures{}
	for k, v := range all {
		sec, _, _ := strings.Cut(k, ".")
		if sectionRank(sec) < len(FigureSections) {
			out[k] = v
		}
	}
	return out
}

func sectionRank(sec string) int {
	for i, x := range FigureSections {
		if x == sec {
			return i
		}
	}
	return len(FigureSections)
}
