//go:build cgo

package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// The study commands (compare, sweep, staff) run in scenarios/study; this file holds what they
// share on the command line: loading their scenarios, and the run summary's service figures.

// loadScenarioSource reads what a command-line argument names (a file, or a bundled scenario)
// as its file name and bytes, for commands that edit the source before loading it.
func loadScenarioSource(arg string) (string, []byte, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		b, err := scenarios.ReadFile(arg) // a regular file of bounded size: a FIFO would block
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
	fmt.Fprintln(tw, "\nService: per queue (times in seconds; service level = answered within threshold / offered: abandoned, still waiting, held and lost before an answer count against it)")
	fmt.Fprintln(tw, "  queue\toffered\tanswered\tabandoned\tlost\theld\tcompleted\tASA\tp50\tp90\tp99\tservice level\ttouched\textra wait")
	names := sortedKeys(r.Service)
	sort.SliceStable(names, func(i, j int) bool { return names[i] != core.AllQueues && names[j] == core.AllQueues })
	th := core.Figures{}
	for q, f := range r.Service {
		th["service."+q+".threshold"] = f.Threshold
	}
	for _, q := range names {
		f := r.Service[q]
		// _all counts each interaction against its own queue's threshold: it says so when the
		// queues' differ (the catalogue's words, as compare and the plots).
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%.1f%% in %s\t%d\t%s\n", q, f.Offered, f.Answered, f.Abandoned,
			lostText(f), f.Held, f.Completed, defSec(f, "asa", f.ASA), defSec(f, "wait_p50", f.WaitP50), defSec(f, "wait_p90", f.WaitP90), defSec(f, "wait_p99", f.WaitP99),
			100*f.ServiceLevel, core.ThresholdText(th, q), f.Touched, extraWaitText(f))
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

// defSec is a time of the service table, "–" when it is undefined (nobody answered).
func defSec(f core.ServiceFigures, name string, v float64) string {
	if slices.Contains(f.Undefined, name) {
		return "–"
	}
	return fmtSec(v)
}

// warmupFlag is --warmup on the study commands: as on `ixlb run`, it sets every queue's warm-up
// over the file's.
type warmupFlag struct {
	d   time.Duration
	set bool
}

func (w *warmupFlag) add(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&w.d, "warmup", 0, "leave interactions that arrive before this out of the service figures (every queue; overrides the file's service_level warmup)")
}

// apply sets the warm-up of cfg when --warmup was given.
func (w warmupFlag) apply(cfg *core.Config) error {
	if !w.set {
		return nil
	}
	if err := checkWarmup(w.d, cfg.Duration); err != nil {
		return exitf(2, "%s: %v", cfg.Name, err)
	}
	cfg.SetWarmup(w.d)
	return nil
}

// warmupNote says what a study's warm-up left out, from its figures: ", the first 10m0s of each
// left out (warm-up)".
func warmupNote(figs core.Figures) string {
	w := figs["service."+core.AllQueues+".warmup"]
	if w <= 0 {
		return ""
	}
	return fmt.Sprintf(", the first %s of each left out (warm-up)", fmtDuration(time.Duration(w*float64(time.Second))))
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
