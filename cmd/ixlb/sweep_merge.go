//go:build cgo

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type mergeFlags struct {
	json   bool
	csv    bool
	plot   string
	figure string
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

--json prints every figure per variant; --csv one line per variant with NAME_mean and NAME_ci95
columns; --plot draws --figure against the first --set axis, one line per value of the others.`,
		Example: `  ixlb sweep merge rows-0.jsonl rows-1.jsonl rows-2.jsonl rows-3.jsonl
  ixlb sweep merge rows-*.jsonl --csv > summary.csv
  ixlb sweep merge rows-*.jsonl --plot sl.svg --figure service._all.service_level`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVar(&f.csv, "csv", false, "print the summary as CSV")
	cmd.Flags().StringVar(&f.plot, "plot", "", "draw --figure against the first swept parameter (.svg or .png)")
	cmd.Flags().StringVar(&f.figure, "figure", "service._all.service_level", "the figure --plot draws")
	return cmd
}

// variantSummary is one variant of a merged sweep.
type variantSummary struct {
	Variant int                `json:"variant"`
	Set     map[string]string  `json:"set"`
	Runs    int                `json:"runs"`
	Failed  int                `json:"failed_runs"` // runs where an expectation failed
	Figures map[string]summary `json:"figures"`
}

// mergeSummary is `ixlb sweep merge --json`.
type mergeSummary struct {
	Grid     string           `json:"grid"`
	Axes     []sweepAxis      `json:"axes"`
	Runs     int              `json:"runs"`     // rows merged
	Expected int              `json:"expected"` // runs of the whole grid
	Variants []variantSummary `json:"variants"`
}

// mergeRows checks that rows are one sweep without duplicates and summarises them per variant.
func mergeRows(rows []sourcedRow) (*mergeSummary, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows to merge")
	}
	first := rows[0]
	type key struct {
		variant int
		seed    uint64
	}
	seen := map[key]string{}
	byVariant := map[int][]sourcedRow{}
	for _, r := range rows {
		if r.Grid != first.Grid || r.Runs != first.Runs {
			return nil, fmt.Errorf("%s is a row of another sweep (grid %s, %d runs) than %s (grid %s, %d runs): merge the shards of one sweep only",
				r.at, r.Grid, r.Runs, first.at, first.Grid, first.Runs)
		}
		k := key{r.Variant, r.Seed}
		if at, dup := seen[k]; dup {
			return nil, fmt.Errorf("%s repeats variant %d seed %d of %s: was a shard given twice?", r.at, r.Variant, r.Seed, at)
		}
		seen[k] = r.at
		byVariant[r.Variant] = append(byVariant[r.Variant], r)
	}
	ms := &mergeSummary{Grid: first.Grid, Axes: first.Axes, Runs: len(rows), Expected: first.Runs}
	if len(rows) > first.Runs {
		return nil, fmt.Errorf("%d rows for a sweep of %d runs", len(rows), first.Runs)
	}
	var ids []int
	for v := range byVariant {
		ids = append(ids, v)
	}
	sort.Ints(ids)
	for _, v := range ids {
		rs := byVariant[v]
		sort.Slice(rs, func(i, j int) bool { return rs[i].Seed < rs[j].Seed })
		vsum := variantSummary{Variant: v, Set: rs[0].Set, Runs: len(rs), Figures: map[string]summary{}}
		names := map[string]bool{}
		for _, r := range rs {
			for k := range r.Figures {
				names[k] = true
			}
			if len(r.Failed) > 0 {
				vsum.Failed++
			}
		}
		for name := range names {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = r.Figures[name]
			}
			vsum.Figures[name] = summarize(xs)
		}
		ms.Variants = append(ms.Variants, vsum)
	}
	return ms, nil
}

func runMerge(stdin io.Reader, stdout, stderr io.Writer, paths []string, f mergeFlags) error {
	if f.json && f.csv {
		return exitf(2, "--json and --csv: choose one")
	}
	rows, err := readRows(paths, stdin)
	if err != nil {
		return exitf(2, "%v", err)
	}
	ms, err := mergeRows(rows)
	if err != nil {
		return exitf(2, "%v", err)
	}
	if ms.Runs < ms.Expected {
		fmt.Fprintf(stderr, "warning: %d of the sweep's %d runs are here: a shard is missing or unfinished\n", ms.Runs, ms.Expected)
	}
	switch {
	case f.json:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ms); err != nil {
			return exitf(2, "%v", err)
		}
	case f.csv:
		if err := writeMergeCSV(stdout, ms); err != nil {
			return exitf(2, "%v", err)
		}
	default:
		printMerge(stdout, ms)
	}
	if f.plot != "" {
		if err := writeSweepPlot(f.plot, f.figure, ms.Axes, ms.Variants); err != nil {
			return exitf(2, "%v", err)
		}
		fmt.Fprintf(stderr, "plot → %s\n", f.plot)
	}
	return nil
}

func allFigureNames(ms *mergeSummary) []string {
	var rs []studyResult
	for _, v := range ms.Variants {
		m := map[string]float64{}
		for k := range v.Figures {
			m[k] = 0
		}
		rs = append(rs, studyResult{figures: m})
	}
	return figureNames(rs)
}

func writeMergeCSV(w io.Writer, ms *mergeSummary) error {
	cw := csv.NewWriter(w)
	names := allFigureNames(ms)
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
			rec = append(rec, strconv.FormatFloat(s.Mean, 'g', -1, 64), strconv.FormatFloat(s.CI95, 'g', -1, 64))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// mergeColumns are the figures the table shows (--json and --csv have them all).
var mergeColumns = []struct{ figure, head string }{
	{"service._all.service_level", "service level"},
	{"service._all.asa", "ASA s"},
	{"service._all.wait_p90", "wait p90 s"},
	{"service._all.abandon_rate", "abandon rate"},
	{"interactions.lost", "lost"},
}

func printMerge(w io.Writer, ms *mergeSummary) {
	fmt.Fprintf(w, "sweep %s: %d of %d runs, mean ± 95%% confidence interval\n\n", ms.Grid, ms.Runs, ms.Expected)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var head []string
	for _, a := range ms.Axes {
		head = append(head, a.Path)
	}
	head = append(head, "runs")
	for _, c := range mergeColumns {
		head = append(head, c.head)
	}
	var occ []string
	for _, n := range allFigureNames(ms) {
		if strings.HasPrefix(n, "occupancy.") {
			occ = append(occ, n)
			head = append(head, n)
		}
	}
	head = append(head, "failed runs")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, v := range ms.Variants {
		var cells []string
		for _, a := range ms.Axes {
			cells = append(cells, v.Set[a.Path])
		}
		cells = append(cells, strconv.Itoa(v.Runs))
		for _, c := range mergeColumns {
			cells = append(cells, fmtCI(v.Figures[c.figure]))
		}
		for _, n := range occ {
			cells = append(cells, fmtCI(v.Figures[n]))
		}
		cells = append(cells, strconv.Itoa(v.Failed))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
}
