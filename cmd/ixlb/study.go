//go:build cgo

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// Studies (`ixlb compare`, `ixlb sweep`) run many scenario variants and seeds in memory, in
// parallel; each run is independent and deterministic, so the results do not depend on how many
// run at once or in which order they finish.

// studyRun is one run of a study: a scenario configuration and a seed.
type studyRun struct {
	cfg    core.Config
	expect []scenarios.Expectation
	seed   uint64
}

// studyResult is what a study keeps of a run.
type studyResult struct {
	figures map[string]float64
	failed  []string // expectations that do not hold
	errs    []string
}

// runStudy runs every run on `jobs` workers (0: one per core), calling progress after each, and
// emit with each result in run order as soon as it and all before it are done — so a long sweep
// keeps only the results that finished out of order, not all of them.
//
// halted (may be nil; safe for concurrent use) is asked between slices of every run: when it says
// so, the runs in progress stop at once and runStudy returns errInterrupted.
func runStudy(n int, run func(i int) studyRun, jobs int, halted func() bool, progress func(done, total int), emit func(i int, r studyResult) error) error {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type done struct {
		i   int
		r   studyResult
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
				r, err := runInMemory(run(i), halted)
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
	pending := map[int]studyResult{}
	want, count := 0, 0
	var firstErr error
	for d := range results {
		count++
		if progress != nil {
			progress(count, n)
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

func runInMemory(r studyRun, halted func() bool) (studyResult, error) {
	// A study reads figures, not the event log: it is not encoded or hashed (issue 12's option).
	// Nor the completed rows: a compact in-memory database keeps what is open and the counts.
	e, err := core.New(r.cfg, core.WithSeed(r.seed), core.WithoutEventLog(), core.WithDatabases(core.NewCompactMemDatabases()))
	if err != nil {
		return studyResult{}, fmt.Errorf("%s seed %d: %w", r.cfg.Name, r.seed, err)
	}
	// In slices, so a signal stops it promptly and the memory guard (which reads the whole
	// process's heap: every worker's runs) stops a design that outgrows the machine.
	guard, err := newMemoryGuard()
	if err != nil {
		return studyResult{}, err
	}
	const slices = 200
	end := int64(r.cfg.Duration)
	for i := 1; i <= slices; i++ {
		if halted != nil && halted() {
			return studyResult{}, errInterrupted
		}
		e.RunUntil(end * int64(i) / slices)
		if err := guard.check(e); err != nil {
			return studyResult{}, fmt.Errorf("%s seed %d: %w", r.cfg.Name, r.seed, err)
		}
	}
	rep, err := e.Report()
	if err != nil {
		return studyResult{}, fmt.Errorf("%s seed %d: %w", r.cfg.Name, r.seed, err)
	}
	rep.Expectations = scenarios.Evaluate(r.expect, rep)
	res := studyResult{figures: reportFigures(rep), errs: rep.Errors}
	for _, x := range rep.Expectations {
		if !x.OK {
			res.failed = append(res.failed, x.Expect)
		}
	}
	return res, nil
}

// figureSections are the report sections a study compares: what a design is judged by.
var figureSections = []string{"service", "occupancy", "urs_share", "interactions", "agents", "esp_faults"}

// reportFigures flattens the numbers of the study's report sections to their expectation paths
// ("service.q.asa"), the names users already write in `expect`.
func reportFigures(r *core.Report) map[string]float64 {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // a report is plain data
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(err)
	}
	out := map[string]float64{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case float64:
			out[prefix] = v
		case map[string]any:
			for k, x := range v {
				walk(prefix+"."+k, x)
			}
		}
	}
	for _, s := range figureSections {
		walk(s, doc[s])
	}
	return out
}

// summary is a figure's mean over seeds and the half-width of its 95% confidence interval.
type summary struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	CI95 float64 `json:"ci95"` // mean ± ci95
}

func summarize(xs []float64) summary {
	n := len(xs)
	s := summary{N: n}
	if n == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(n)
	if n < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	if sd <= 1e-12*math.Abs(s.Mean) {
		sd = 0 // rounding noise of identical values
	}
	s.CI95 = tQuantile975(n-1) * sd / math.Sqrt(float64(n))
	return s
}

// tQuantile975 is the 97.5% quantile of Student's t with df degrees of freedom (two-sided 95%).
func tQuantile975(df int) float64 {
	table := [...]float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	switch {
	case df <= 0:
		return math.NaN()
	case df < len(table):
		return table[df]
	case df < 60:
		return 2.042 - (2.042-2.000)*float64(df-30)/30
	case df < 120:
		return 2.000 - (2.000-1.980)*float64(df-60)/60
	}
	return 1.960
}

// figureNames lists the figures of results in a stable order: by section as figureSections
// orders them, then by name (with _all first among queues).
func figureNames(results ...[]studyResult) []string {
	seen := map[string]bool{}
	for _, rs := range results {
		for _, r := range rs {
			for k := range r.figures {
				seen[k] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	rank := func(s string) int {
		sec, _, _ := strings.Cut(s, ".")
		for i, x := range figureSections {
			if x == sec {
				return i
			}
		}
		return len(figureSections)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		aa, ba := strings.Contains(a, "."+core.AllQueues+"."), strings.Contains(b, "."+core.AllQueues+".")
		if aa != ba {
			return aa
		}
		return a < b
	})
	return names
}

// loadScenarioSource reads what a command-line argument names (a file, or a bundled scenario)
// as its file name and bytes, for commands that edit the source before loading it.
func loadScenarioSource(arg string) (string, []byte, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		b, err := os.ReadFile(arg)
		return arg, b, err
	}
	if _, err := scenarios.Resolve(arg); err != nil {
		return "", nil, err
	}
	b, err := scenarios.Source(arg)
	return strings.TrimSuffix(arg, ".yaml") + ".yaml", b, err
}

// loadForStudy loads a scenario for a study: lint errors refuse it (exit 2), warnings go to
// stderr once.
func loadForStudy(stderr io.Writer, arg string) (*scenarios.Scenario, error) {
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if _, err := lintAtLoad(stderr, sc); err != nil {
		return nil, err
	}
	if _, err := core.New(sc.Config); err != nil {
		return nil, exitf(2, "%s: %v", sc.File, err)
	}
	return sc, nil
}

// printService adds the service figures to the run summary: per queue and overall, then the
// agent groups' occupancy and the URS shares.
func printService(tw *tabwriter.Writer, r *core.Report) {
	if len(r.Service) == 0 {
		return
	}
	fmt.Fprintln(tw, "\nService: per queue (times in seconds; service level = answered within threshold / offered, still waiting and abandoned count against it)")
	fmt.Fprintln(tw, "  queue\toffered\tanswered\tabandoned\tASA\tp50\tp90\tp99\tservice level\tfailure: touched\textra wait")
	names := sortedKeys(r.Service)
	sort.SliceStable(names, func(i, j int) bool { return names[i] != core.AllQueues && names[j] == core.AllQueues })
	for _, q := range names {
		f := r.Service[q]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f%% in %gs\t%d\t%+.1f\n", q, f.Offered, f.Answered, f.Abandoned,
			f.ASA, f.WaitP50, f.WaitP90, f.WaitP99, 100*f.ServiceLevel, f.Threshold, f.Touched, f.ExtraWait)
	}
	var occ []string
	for _, g := range sortedKeys(r.Occupancy) {
		occ = append(occ, fmt.Sprintf("%s %.1f%%", g, 100*r.Occupancy[g]))
	}
	fmt.Fprintf(tw, "\n  occupancy\t%s\n", strings.Join(occ, "  "))
	for _, s := range sortedKeys(r.URSShare) {
		var sh []string
		for _, u := range sortedKeys(r.URSShare[s]) {
			sh = append(sh, fmt.Sprintf("%s %.1f%%", u, 100*r.URSShare[s][u]))
		}
		fmt.Fprintf(tw, "  URS share of %s\t%s\n", s, strings.Join(sh, "  "))
	}
}

// checkSeeds refuses seeds that would run past the largest seed: the studies run seed, seed+1, …,
// seed+n-1, and 18446744073709551615 with --seeds 3 wrapped to 0 and 1, runs of other seeds than
// the user asked for.
func checkSeeds(seed uint64, n int) error {
	if n > 0 && seed > math.MaxUint64-uint64(n-1) {
		return exitf(2, "--seeds %d from seed %d would pass the largest seed, %d: use a smaller seed (--set seed=N)", n, seed, uint64(math.MaxUint64))
	}
	return nil
}
