package study

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// CompareOptions say how two designs are compared.
type CompareOptions struct {
	Seeds int
	// FirstSeed is the first of the seeds both designs run (then +1, +2…); nil: design A's seed.
	FirstSeed *uint64
	All       bool // keep the figures that are the same in every run (constants, zeros)
	Options
}

// Compared is one figure of a comparison.
type Compared struct {
	Title string  `json:"title"` // the catalogue's label with its scope: "all queues: % answered in 20 s"
	Unit  string  `json:"unit,omitempty"`
	A     Summary `json:"a"`
	B     Summary `json:"b"`
	Diff  Summary `json:"diff"` // B − A, paired by seed
	// Significant: the difference's 95% interval excludes 0.
	Significant bool `json:"significant"`
	// Only names the one design that has the figure (its queue, group, strategy or URS is not
	// in the other): no difference is drawn.
	Only string `json:"only,omitempty"`
}

// Comparison is the result of Compare (and `ixlb compare --json`).
type Comparison struct {
	A       string              `json:"a"`
	B       string              `json:"b"`
	Seeds   []uint64            `json:"seeds"`
	Figures map[string]Compared `json:"figures"`
	Order   []string            `json:"order"`
	// Constant counts the figures left out because every run of both designs has the same value.
	Constant int `json:"constant_figures_omitted"`
	// Warmup is design A's warm-up per queue (service.Q.warmup, seconds), listed or not.
	Warmup   core.Figures        `json:"-"`
	Warnings []string            `json:"warnings,omitempty"`
	Failed   map[string][]string `json:"failed_expectations,omitempty"` // "A seed 3" -> expectations
	Errors   []string            `json:"errors,omitempty"`
}

// Compare runs designs a and b over the same seeds and compares every figure: both designs meet
// the same customers (each traffic entry draws its arrivals and their work from streams of its
// own), so the difference is paired and much narrower than either design's own interval.
func Compare(a, b *scenarios.Scenario, o CompareOptions) (*Comparison, error) {
	first := a.Config.Seed
	if o.FirstSeed != nil {
		first = *o.FirstSeed
	}
	seeds := make([]uint64, o.Seeds)
	for i := range seeds {
		seeds[i] = first + uint64(i)
	}
	c := &Comparison{A: a.File, B: b.File, Seeds: seeds, Figures: map[string]Compared{}, Failed: map[string][]string{}}
	if o.FirstSeed == nil && a.Config.Seed != b.Config.Seed {
		c.Warnings = append(c.Warnings, fmt.Sprintf("B's own seed %d is not used: both designs run %s, from A's seed, so they meet the same customers; --seed N chooses the first",
			b.Config.Seed, SeedRange(seeds)))
	}
	c.Warnings = append(c.Warnings, TrafficDifferences(a.Config, b.Config)...)

	var runs []Run
	for _, sc := range []*scenarios.Scenario{a, b} {
		for _, s := range seeds {
			runs = append(runs, Run{Config: sc.Config, Expect: sc.Expect, Seed: s})
		}
	}
	results := make([]Result, len(runs))
	if err := RunAll(len(runs), func(i int) Run { return runs[i] }, o.Options, func(i int, r Result) error { results[i] = r; return nil }); err != nil {
		return nil, err
	}
	resA, resB := results[:len(seeds)], results[len(seeds):]
	// What the runs' reports warn of (a run too short for a steady state), from the first seed.
	for _, w := range resA[0].Warnings {
		c.Warnings = append(c.Warnings, "A, "+SeedRange(seeds[:1])+": "+w)
	}
	for _, w := range resB[0].Warnings {
		c.Warnings = append(c.Warnings, "B, "+SeedRange(seeds[:1])+": "+w)
	}
	means := c.compareFigures(resA, resB, o.All)
	c.checkPeriods(resA[0].Figures, resB[0].Figures, means)
	for name, cf := range c.Figures {
		info := core.DescribeFigure(name, means)
		cf.Title, cf.Unit = info.TitleWithUnit(), info.Unit
		c.Figures[name] = cf
	}
	for i, s := range seeds {
		for _, side := range []struct {
			name string
			res  Result
		}{{"A", resA[i]}, {"B", resB[i]}} {
			if len(side.res.Failed) > 0 {
				c.Failed[fmt.Sprintf("%s seed %d", side.name, s)] = side.res.Failed
			}
			for _, e := range side.res.Errors {
				c.Errors = append(c.Errors, fmt.Sprintf("%s seed %d: %s", side.name, s, e))
			}
		}
	}
	return c, nil
}

// compareFigures summarises every figure of the two designs' runs (paired by seed) into
// c.Figures, leaving out the constant ones unless all; it returns design A's means, for labels.
func (c *Comparison) compareFigures(resA, resB []Result, all bool) (means core.Figures) {
	means = core.Figures{}
	for _, name := range namesOf(resA, resB) {
		var xa, xb, d []float64
		inA, inB := false, false
		for i := range resA {
			x, okA := resA[i].Figures[name]
			y, okB := resB[i].Figures[name]
			inA, inB = inA || okA, inB || okB
			// y − x is NaN where either is undefined: paired only where both ran it.
			xa, xb, d = append(xa, x), append(xb, y), append(d, y-x)
		}
		if !all && constant(xa, xb, inA, inB) {
			c.Constant++
			continue
		}
		cf := Compared{A: Summarize(xa), B: Summarize(xb), Diff: Summarize(d)}
		switch {
		case !inA:
			cf.Only = "B" // a queue, group, strategy or URS design A does not have
		case !inB:
			cf.Only = "A"
		default:
			cf.Significant = cf.Diff.N > 1 && math.Abs(cf.Diff.Mean) > cf.Diff.CI95
		}
		c.Figures[name] = cf
		c.Order = append(c.Order, name)
		means[name] = cf.A.Mean
	}
	return means
}

// checkPeriods reads each queue's threshold and warm-up from the first runs of A (a) and B (b),
// listed or not, into means for the labels. A's names the row; a threshold B sets otherwise is
// said (its service level measures something else), as is a warm-up B sets otherwise (its
// figures cover another period).
func (c *Comparison) checkPeriods(a, b, means core.Figures) {
	c.Warmup = core.Figures{}
	for _, k := range OrderFigures(slices.Collect(maps.Keys(a))) {
		if strings.HasSuffix(k, ".warmup") {
			c.Warmup[k] = a[k]
			// All queues first (OrderFigures), then a queue only where it differs otherwise.
			allK := "service." + core.AllQueues + ".warmup"
			v, w := a[k], b[k]
			_, inB := b[k]
			if inB && w != v && (k == allK || v != a[allK] || w != b[allK]) {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: A leaves out the first %s (warm-up), B the first %s: their figures cover different periods, so offered, answered and the rest differ by the warm-up, not only by the design (give both the same with --warmup)",
					scopeName(strings.TrimSuffix(k, ".warmup")), secondsText(v), secondsText(w)))
			}
		}
		if v := a[k]; strings.HasSuffix(k, ".threshold") {
			means[k] = v
			if w, ok := b[k]; ok && w != v {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: A answers in %g s, B in %g s: their service levels measure different things",
					strings.TrimSuffix(k, ".threshold"), v, w))
			}
		}
	}
	for k, v := range b {
		if _, ok := means[k]; !ok && strings.HasSuffix(k, ".threshold") {
			means[k] = v
		}
	}
}

// constant: every run of the designs that have the figure gives the same value (a threshold, a
// figure that is 0 everywhere). Such a row says nothing about the difference.
func constant(xa, xb []float64, inA, inB bool) bool {
	var vals []float64
	if inA {
		vals = append(vals, xa...)
	}
	if inB {
		vals = append(vals, xb...)
	}
	for _, v := range vals {
		// Undefined (NaN) is the same as undefined: a figure no run defines says nothing either.
		if v != vals[0] && !(math.IsNaN(v) && math.IsNaN(vals[0])) {
			return false
		}
	}
	return true
}

// SeedRange says which seeds ran: "seed 11", "seeds 11…20".
func SeedRange(seeds []uint64) string {
	switch len(seeds) {
	case 0:
		return "no seeds"
	case 1:
		return fmt.Sprintf("seed %d", seeds[0])
	}
	return fmt.Sprintf("%d seeds (%d…%d)", len(seeds), seeds[0], seeds[len(seeds)-1])
}

// TrafficDifferences lists what differs between two scenarios' traffic (and run length). Each
// traffic entry draws its customers from streams of its own, by its place in the list: entries
// that differ bring other customers, so B − A is no longer the design's effect alone.
func TrafficDifferences(a, b core.Config) []string {
	var out []string
	const tail = ": the designs do not meet the same customers, so B − A mixes the design's effect with the traffic's"
	if a.Duration != b.Duration {
		out = append(out, fmt.Sprintf("the runs are %s (A) and %s (B) long: figures over different periods are not paired", a.Duration, b.Duration))
	}
	if len(a.Traffic) != len(b.Traffic) {
		return append(out, fmt.Sprintf("A has %d traffic entries, B %d%s", len(a.Traffic), len(b.Traffic), tail))
	}
	for i := range a.Traffic {
		ta, tb := a.Traffic[i], b.Traffic[i]
		var diffs []string
		differ := func(what, a, b string) {
			if a != b {
				diffs = append(diffs, fmt.Sprintf("%s %s in A, %s in B", what, a, b))
			}
		}
		differ("media", ta.Media, tb.Media)
		differ("queue", ta.Queue, tb.Queue)
		if ta.Rate != tb.Rate {
			differ("rate", perMinute(ta.Rate), perMinute(tb.Rate))
		}
		differ("start–stop", ta.Start.String()+"–"+stopText(ta.Stop), tb.Start.String()+"–"+stopText(tb.Stop))
		differ("patience", ta.Patience.String(), tb.Patience.String())
		if len(diffs) > 0 {
			// Numbered from 1, as the scenario's own messages number its entries (the path
			// traffic.N.rate of --set indexes the list from 0).
			out = append(out, fmt.Sprintf("traffic %d (traffic.%d) differs: %s%s", i+1, i, strings.Join(diffs, "; "), tail))
		}
	}
	return out
}

// scopeName reads service.Q as a planner does: "all queues", "queue chat_in".
func scopeName(section string) string {
	q := strings.TrimPrefix(section, "service.")
	if q == core.AllQueues {
		return "all queues"
	}
	return "queue " + q
}

func secondsText(s float64) string {
	return time.Duration(s * float64(time.Second)).String()
}

func perMinute(rate float64) string {
	return fmt.Sprintf("%.4g/min", rate*60)
}

func stopText(d time.Duration) string {
	if d == 0 {
		return "end"
	}
	return d.String()
}
