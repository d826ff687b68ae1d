//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

type compareFlags struct {
	seeds   int
	seed    uint64
	seedSet bool
	json    bool
	jobs    int
	all     bool
	warmup  warmupFlag
}

func newCompareCmd() *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Run two designs over many seeds and compare their figures with confidence intervals",
		Long: `Compare runs scenarios A and B (files or bundled names) over the same N seeds (A's seed, seed+1,
…, or --seed S, S+1, …), in memory and in parallel, and prints each figure side by side: the mean
over seeds with a 95% confidence interval, and the difference B − A with its own interval. Both
designs run the same seeds — B's own seed is not used, and a warning says so when it differs — so
they meet the same customers (common random numbers) and the difference is paired: noise shared
by both cancels out, and a difference whose interval excludes 0 is marked * — B differs from A
beyond noise. A warning says when the two scenarios' traffic differs: then they do not meet the
same customers, and B − A mixes the design's effect with the traffic's.

Figures are the report's service, occupancy, agent_time, urs_share, interactions and agents sections, labelled
as a planner reads them ("% answered in 20 s", "ASA (seconds)") with their expectation paths
(service._all.asa …) for --json, expect lines and 'ixlb staff --target'. Figures that are the
same in every run of both designs (a threshold, a count that is 0) are left out unless --all.

Exit status: 0 when every expectation of both scenarios holds on every seed, 1 when one fails,
2 when a scenario cannot be loaded, 130/143 when interrupted.`,
		Example: `  ixlb compare design-a.yaml design-b.yaml --seeds 20
  ixlb compare urs-failover my-failover.yaml --json | jq '.figures["service._all.asa"]'`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeScenarios(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.seedSet = cmd.Flags().Changed("seed")
			f.warmup.set = cmd.Flags().Changed("warmup")
			return runCompare(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1], f)
		},
	}
	cmd.Flags().IntVar(&f.seeds, "seeds", 10, "number of seeds to run each design with")
	cmd.Flags().Uint64Var(&f.seed, "seed", 0, "the first seed (default: A's seed)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the comparison as JSON")
	cmd.Flags().IntVar(&f.jobs, "jobs", 0, "runs at once (0: one per core)")
	cmd.Flags().BoolVar(&f.all, "all", false, "show figures that are the same in every run too")
	f.warmup.add(cmd)
	return cmd
}

func runCompare(stdout, stderr io.Writer, argA, argB string, f compareFlags) error {
	if f.seeds < 1 || f.seeds > study.MaxSeeds {
		return exitf(2, "--seeds must be from 1 to %d, got %d", study.MaxSeeds, f.seeds)
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
	for _, sc := range []*scenarios.Scenario{scA, scB} {
		if err := f.warmup.apply(&sc.Config); err != nil {
			return err
		}
	}
	opt := study.CompareOptions{Seeds: f.seeds, All: f.all}
	first := scA.Config.Seed
	if f.seedSet {
		opt.FirstSeed, first = &f.seed, f.seed
	}
	if err := checkSeeds(first, f.seeds); err != nil {
		return err
	}
	sig := watchSignals()
	defer sig.release()
	guard, err := newMemoryGuard()
	if err != nil {
		return exitf(2, "%v", err)
	}
	prog := progressOut(stderr, f.json)
	opt.Options = study.Options{Jobs: f.jobs, Halted: sig.stopped, Guard: guard,
		Progress: func(done, total int) { showCount(prog, "compare", done, total) }}
	rep, err := study.Compare(scA, scB, opt)
	clearProgress(prog)
	if errors.Is(err, study.ErrInterrupted) {
		fmt.Fprintln(stderr, "compare interrupted")
		return &exitError{code: sig.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return exitf(2, "%v", err)
	}
	sig.done() // nothing is left to stop between: a signal ends a blocked write of the report at once
	if f.json {
		if err := writeJSON(stdout, rep); err != nil {
			return exitf(2, "compare: %v", err)
		}
	} else {
		var b strings.Builder
		printCompare(&b, rep)
		// Names come from the files: escaped for the terminal.
		io.WriteString(stdout, scenarios.EscapeTerminalLines(b.String()))
	}
	if len(rep.Failed) > 0 {
		return &exitError{code: 1, err: errors.New("")}
	}
	return nil
}

func printCompare(w io.Writer, r *study.Comparison) {
	fmt.Fprintf(w, "A = %s\nB = %s\n%s for both designs%s: mean ± 95%% confidence interval; B − A paired by seed, * where it differs from 0 beyond noise\n",
		r.A, r.B, study.SeedRange(r.Seeds), warmupNote(r.Warmup))
	for _, x := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", x)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tA\tB\tB − A\t\tpath")
	undefined := false
	for _, name := range r.Order {
		f := r.Figures[name]
		info := core.DescribeFigure(name, nil) // how its numbers read
		mark := ""
		if f.Significant {
			mark = "*"
		}
		d := info.Decimals(f.A.CI95, f.B.CI95, f.Diff.CI95) // one precision across the row
		a, b, diff := study.FormatSummary(info, f.A, d), study.FormatSummary(info, f.B, d), study.FormatDiffSummary(info, f.Diff, d)
		undefined = undefined || f.A.Undefined+f.B.Undefined > 0
		switch f.Only {
		case "A":
			b, diff = "—", "only in A"
		case "B":
			a, diff = "—", "only in B"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Title, a, b, diff, mark, name)
	}
	tw.Flush()
	if undefined {
		fmt.Fprintf(w, "(%s)\n", study.UndefinedNote)
	}
	if r.Constant > 0 {
		fmt.Fprintf(w, "(%d %s the same in every run left out; --all shows them)\n", r.Constant, plural(r.Constant, "figure", "figures"))
	}
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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// showCount is a progress bar for a count of runs.
func showCount(w io.Writer, what string, done, total int) {
	if w == nil || total <= 0 {
		return
	}
	n := done * 30 / total
	fmt.Fprintf(w, "\r%s %3d%%  %s: %d of %d runs\033[K", strings.Repeat("█", n)+strings.Repeat("░", 30-n), done*100/total, what, done, total)
}
