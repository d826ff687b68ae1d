//go:build cgo

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
)

type compareFlags struct {
	seeds int
	json  bool
	jobs  int
	all   bool
}

func newCompareCmd() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Run two designs over many seeds and compare their figures with confidence intervals",
		Long: `Compare runs scenarios A and B (files or bundled names) over the same N seeds (the scenario's seed,
seed+1, …), in memory and in parallel, and prints each figure side by side: the mean over seeds
with a 95% confidence interval, and the difference B − A with its own interval. Both designs see
the same seeds, so the difference is paired (common random numbers): noise shared by both
cancels out, and a difference whose interval excludes 0 is marked * — B differs from A beyond
noise.

Figures are the report's service, occupancy, urs_share, interactions and agents sections, named
by their expectation paths (service.q.asa …). Without --all, figures that are 0 in every run are
left out.

Exit status: 0 when every expectation of both scenarios holds on every seed, 1 when one fails,
2 when a scenario cannot be loaded.`,
		Example: `  ixlb compare design-a.yaml design-b.yaml --seeds 20
  ixlb compare urs-failover my-failover.yaml --json | jq '.figures["service._all.asa"]'`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeScenarios(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompare(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1], f)
		},
	}
	cmd.Flags().IntVar(&f.seeds, "seeds", 10, "number of seeds to run each design with")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the comparison as JSON")
	cmd.Flags().IntVar(&f.jobs, "jobs", 0, "runs at once (0: one per core)")
	cmd.Flags().BoolVar(&f.all, "all", false, "show figures that are 0 in every run too")
	return cmd
}

// compareFigure is one figure of a comparison.
type compareFigure struct {
	A    summary `json:"a"`
	B    summary `json:"b"`
	Diff summary `json:"diff"` // B − A, paired by seed
	// Significant: the difference's 95% interval excludes 0.
	Significant bool `json:"significant"`
	// Only names the one design that has the figure (its queue, group, strategy or URS is not
	// in the other): no difference is drawn.
	Only string `json:"only,omitempty"`
}

// compareReport is `ixlb compare --json`.
type compareReport struct {
	A       string                   `json:"a"`
	B       string                   `json:"b"`
	Seeds   []uint64                 `json:"seeds"`
	Figures map[string]compareFigure `json:"figures"`
	Order   []string                 `json:"order"`
	Failed  map[string][]string      `json:"failed_expectations,omitempty"` // "A seed 3" -> expectations
	Errors  []string                 `json:"errors,omitempty"`
}

func runCompare(stdout, stderr io.Writer, argA, argB string, f compareFlags) error {
	if f.seeds < 1 || f.seeds > 10000 {
		return exitf(2, "--seeds must be from 1 to 10000, got %d", f.seeds)
	}
	if f.jobs < 0 {
		return exitf(2, "--jobs must not be negative, got %d", f.jobs)
	}
	scA, err := loadForStudy(stderr, argA)
	if err != nil {
		return err
	}
	scB, err := loadForStudy(stderr, argB)
	if err != nil {
		return err
	}
	if err := checkSeeds(scA.Config.Seed, f.seeds); err != nil {
		return err
	}
	seeds := make([]uint64, f.seeds)
	for i := range seeds {
		seeds[i] = scA.Config.Seed + uint64(i)
	}
	var runs []studyRun
	for _, sc := range []*scenarios.Scenario{scA, scB} {
		for _, s := range seeds {
			runs = append(runs, studyRun{cfg: sc.Config, expect: sc.Expect, seed: s})
		}
	}
	prog := progressOut(stderr, f.json)
	results := make([]studyResult, len(runs))
	err = runStudy(len(runs), func(i int) studyRun { return runs[i] }, f.jobs, nil, func(done, total int) { showCount(prog, "compare", done, total) },
		func(i int, r studyResult) error { results[i] = r; return nil })
	clearProgress(prog)
	if err != nil {
		return exitf(2, "%v", err)
	}
	resA, resB := results[:len(seeds)], results[len(seeds):]
	rep := compareReport{A: scA.File, B: scB.File, Seeds: seeds, Figures: map[string]compareFigure{}, Failed: map[string][]string{}}
	for _, name := range figureNames(resA, resB) {
		var xa, xb, d []float64
		nonzero, inA, inB := false, false, false
		for i := range seeds {
			a, okA := resA[i].figures[name]
			b, okB := resB[i].figures[name]
			inA, inB = inA || okA, inB || okB
			xa, xb, d = append(xa, a), append(xb, b), append(d, b-a)
			nonzero = nonzero || a != 0 || b != 0
		}
		if !nonzero && !f.all {
			continue
		}
		cf := compareFigure{A: summarize(xa), B: summarize(xb), Diff: summarize(d)}
		switch {
		case !inA:
			cf.Only = "B" // a queue, group, strategy or URS design A does not have
		case !inB:
			cf.Only = "A"
		default:
			cf.Significant = len(seeds) > 1 && math.Abs(cf.Diff.Mean) > cf.Diff.CI95
		}
		rep.Figures[name] = cf
		rep.Order = append(rep.Order, name)
	}
	for i, s := range seeds {
		for _, side := range []struct {
			name string
			res  studyResult
		}{{"A", resA[i]}, {"B", resB[i]}} {
			if len(side.res.failed) > 0 {
				rep.Failed[fmt.Sprintf("%s seed %d", side.name, s)] = side.res.failed
			}
			for _, e := range side.res.errs {
				rep.Errors = append(rep.Errors, fmt.Sprintf("%s seed %d: %s", side.name, s, e))
			}
		}
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitf(2, "compare: %v", err)
		}
	} else {
		printCompare(stdout, &rep)
	}
	if len(rep.Failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("")}
	}
	return nil
}

func printCompare(w io.Writer, r *compareReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "A = %s\nB = %s\n%d seeds (%d…%d), mean ± 95%% confidence interval; * = B − A differs from 0 beyond noise\n\n",
		r.A, r.B, len(r.Seeds), r.Seeds[0], r.Seeds[len(r.Seeds)-1])
	fmt.Fprintln(tw, "figure\tA\tB\tB − A\t\t")
	for _, name := range r.Order {
		f := r.Figures[name]
		mark := ""
		if f.Significant {
			mark = "*"
		}
		a, b, diff := fmtCI(f.A), fmtCI(f.B), fmtCI(f.Diff)
		switch f.Only {
		case "A":
			b, diff = "—", "only in A"
		case "B":
			a, diff = "—", "only in B"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", name, a, b, diff, mark)
	}
	tw.Flush()
	if len(r.Failed) > 0 {
		fmt.Fprintln(w, "\nExpectations that failed")
		for _, k := range sortedKeys(r.Failed) {
			fmt.Fprintf(w, "  %s: %s\n", k, strings.Join(r.Failed[k], "; "))
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}

func fmtCI(s summary) string {
	if s.N < 2 {
		return fmtG(s.Mean)
	}
	return fmtG(s.Mean) + " ± " + fmtG(s.CI95)
}

// fmtG prints a figure with 4 significant digits, integers as integers.
func fmtG(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e9 {
		return fmt.Sprintf("%d", int64(x))
	}
	return fmt.Sprintf("%.4g", x)
}

// showCount is a progress bar for a count of runs.
func showCount(w io.Writer, what string, done, total int) {
	if w == nil || total <= 0 {
		return
	}
	n := done * 30 / total
	fmt.Fprintf(w, "\r%s %3d%%  %s: %d of %d runs", strings.Repeat("█", n)+strings.Repeat("░", 30-n), done*100/total, what, done, total)
}
