//go:build cgo

package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

type mergeFlags struct {
	json   bool
	csv    bool
	plot   string
	figure string
	target string
	logY   bool
}

func newSweepMergeCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge ROWS.jsonl…",
		Short: "Combine sweep rows (shards) into a summary per variant",
		Long: `Merge reads the rows of one sweep — whole, or the shards of it, in any order ("-" reads stdin) —
and prints a summary per variant: each figure's mean over seeds with its 95% confidence interval.
It refuses rows of different sweeps (another scenario, other --set values or --seeds) and the
same run twice (a shard given twice), and says how many runs are missing when shards are.

The table labels figures as a planner reads them ("% answered in 20 s", "ASA (s)"); --json prints
every figure per variant by its path; --csv one line per variant with PATH_mean and PATH_ci95
columns (raw numbers: shares as fractions, times in seconds).

--plot draws --figure against the first --set axis, one line per value of the others, each value
a mean with its 95% interval. --target 'PATH>=V' (or <=) draws the target's line, marks the
fewest values of the axis at which it holds with 95% confidence (the interval's lower bound for
>=, upper for <=) and adds a "meets target" column to the table; its PATH is the figure plotted.
--log-y puts waits on a logarithmic axis, so one bad point does not flatten the rest.`,
		Example: `  ixlb sweep merge rows-0.jsonl rows-1.jsonl rows-2.jsonl rows-3.jsonl
  ixlb sweep merge rows-*.jsonl --csv > summary.csv
  ixlb sweep merge rows-*.jsonl --plot sl.png --target 'service._all.service_level>=0.8'
  ixlb sweep merge rows-*.jsonl --plot asa.png --figure service._all.asa --log-y`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVar(&f.csv, "csv", false, "print the summary as CSV")
	cmd.Flags().StringVar(&f.plot, "plot", "", "draw --figure against the first swept parameter (.svg or .png)")
	cmd.Flags().StringVar(&f.figure, "figure", "service._all.service_level", "the figure --plot draws")
	cmd.Flags().StringVar(&f.target, "target", "", "a target such as 'service._all.service_level>=0.8': its line on the plot, the fewest meeting it marked")
	cmd.Flags().BoolVar(&f.logY, "log-y", false, "with --plot: a logarithmic y axis (for waits)")
	return cmd
}

func runMerge(stdin io.Reader, stdout, stderr io.Writer, paths []string, f mergeFlags) error {
	if f.json && f.csv {
		return exitf(2, "--json and --csv: choose one")
	}
	if f.plot != "" {
		if _, err := study.PlotFormat(f.plot); err != nil {
			return exitf(2, "%v", err)
		}
	}
	var target *study.Target
	if f.target != "" {
		t, err := study.ParseTarget(f.target)
		if err != nil {
			return exitf(2, "%v", err)
		}
		target = &t
	}
	if err := checkOutputs(nil, paths, output{"--plot", f.plot}); err != nil {
		return exitf(2, "%v", err)
	}
	rows, err := study.ReadRows(paths, stdin)
	if err != nil {
		return exitf(2, "%v", err)
	}
	ms, err := study.MergeRows(rows)
	if err != nil {
		return exitf(2, "%v", err)
	}
	if ms.Runs < ms.Expected {
		fmt.Fprintf(stderr, "warning: %d of the sweep's %d runs are here: a shard is missing or unfinished\n", ms.Runs, ms.Expected)
	}
	switch {
	case f.json:
		if err := writeJSON(stdout, ms); err != nil {
			return exitf(2, "%v", err)
		}
	case f.csv:
		if err := writeMergeCSV(stdout, ms); err != nil {
			return exitf(2, "%v", err)
		}
	default:
		var b strings.Builder
		printMerge(&b, ms, target)
		io.WriteString(stdout, scenarios.EscapeTerminalLines(b.String()))
	}
	if f.plot != "" {
		notes, err := writePlot(f.plot, func(format string) ([]byte, []string, error) {
			return study.DrawSweepPlot(format, study.SweepPlot{Figure: f.figure, Target: target, LogY: f.logY}, ms.Axes, ms.Variants)
		})
		if err != nil {
			return exitf(2, "%v", err)
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "plot: %s\n", n)
		}
		fmt.Fprintf(stderr, "plot → %s\n", f.plot)
	}
	return nil
}

func writeMergeCSV(w io.Writer, ms *study.MergeSummary) error {
	cw := csv.NewWriter(w)
	names := ms.Names()
	head := []string{"variant"}
	for _, a := range ms.Axes {
		head = append(head, a.Path)
	}
	head = append(head, "runs", "failed_runs")
	for _, n := range names {
		head = append(head, n+"_mean", n+"_ci95")
	}
	cw.Write(head)
	for _, v := range ms.Variants {
		rec := []string{strconv.Itoa(v.Variant)}
		for _, a := range ms.Axes {
			rec = append(rec, v.Set[a.Path])
		}
		rec = append(rec, strconv.Itoa(v.Runs), strconv.Itoa(v.Failed))
		for _, n := range names {
			s := v.Figures[n]
			mean := "" // undefined in every run: an empty cell, not a number nobody measured
			if s.Defined() {
				mean = strconv.FormatFloat(s.Mean, 'g', -1, 64)
			}
			rec = append(rec, mean, strconv.FormatFloat(s.CI95, 'g', -1, 64))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// mergeColumns are the figures the table shows (--json and --csv have them all).
var mergeColumns = []string{"service._all.service_level", "service._all.asa", "service._all.wait_p90", "service._all.abandon_rate", "interactions.lost"}

// columnHead is a figure's table heading: the catalogue's label, its unit short.
func columnHead(info core.FigureInfo) string {
	switch {
	case info.Kind == core.KindSeconds:
		return info.Label + " (s)"
	case info.Kind == core.KindShare && !strings.HasPrefix(info.Label, "%"):
		return info.Label + " %"
	}
	return info.Label
}

func printMerge(w io.Writer, ms *study.MergeSummary, target *study.Target) {
	fmt.Fprintf(w, "sweep %s: %d of %d runs, mean ± 95%% confidence interval\n", ms.Grid, ms.Runs, ms.Expected)
	means := core.Figures{}
	for _, v := range ms.Variants {
		maps.Copy(means, study.Means(v.Figures))
	}
	if target != nil {
		fmt.Fprintf(w, "target: %s with 95%% confidence\n", target.Describe(means))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var head []string
	for _, a := range ms.Axes {
		head = append(head, a.Path)
	}
	head = append(head, "runs")
	cols := append([]string(nil), mergeColumns...)
	if target != nil && !contains(cols, target.Path) {
		cols = append(cols, target.Path) // the figure the target is on, beside the verdict
	}
	for _, n := range ms.Names() {
		if strings.HasPrefix(n, "occupancy.") {
			cols = append(cols, n)
		}
	}
	for _, c := range cols {
		info := core.DescribeFigure(c, means)
		h := columnHead(info)
		if info.Scope != "" && info.Scope != "all queues" {
			h = info.Scope + " " + h
		}
		head = append(head, h)
	}
	head = append(head, "failed runs")
	if target != nil {
		head = append(head, "meets target")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	decimals := map[string]int{} // one precision down each column
	for _, c := range cols {
		var cis []float64
		for _, v := range ms.Variants {
			cis = append(cis, v.Figures[c].CI95)
		}
		decimals[c] = core.DescribeFigure(c, nil).Decimals(cis...)
	}
	undefined := false
	for _, v := range ms.Variants {
		var cells []string
		for _, a := range ms.Axes {
			cells = append(cells, v.Set[a.Path])
		}
		cells = append(cells, strconv.Itoa(v.Runs))
		for _, c := range cols {
			s := v.Figures[c]
			cells = append(cells, study.FormatSummary(core.DescribeFigure(c, nil), s, decimals[c]))
			undefined = undefined || s.Undefined > 0
		}
		cells = append(cells, strconv.Itoa(v.Failed))
		if target != nil {
			cells = append(cells, yesNo(target.Met(v.Figures[target.Path])))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	if undefined {
		fmt.Fprintf(w, "(%s)\n", study.UndefinedNote)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
