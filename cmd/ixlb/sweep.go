//go:build cgo

package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

type sweepFlags struct {
	sets   []string
	seeds  int
	out    string
	shard  string
	jobs   int
	noBar  bool
	warmup warmupFlag
}

func newSweepCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --set PATH=V1,V2,… [--set …] --seeds N [-o rows.jsonl] [--shard I/N]",
		Short: "Run a grid of scenario variants over many seeds, one JSON row per run",
		Long: `Sweep runs every combination of the --set values (the grid of variants) with N seeds each
(the scenario's seed, seed+1, …), in memory, on every core, and writes one JSON object a line per
run: {"grid", "variant", "set", "seed", "figures", "failed"}. figures are the report's numbers by
their expectation paths (service._all.service_level, occupancy.Sales, …); failed lists the
expectations that did not hold.

PATH addresses any field of the scenario file with dots, list items by index:
  agent_groups.Sales.agents
  applications.URS_1.annex.IxnServer.max-submitted-interactions
  traffic.0.rate            (values are YAML scalars: 120, 2/s, 30s, true)

--shard I/N runs only the runs with number % N == I (0 ≤ I < N), so a big study spreads over
hosts: the shards' rows together are exactly the unsharded sweep's. --shard N (the count only)
takes I from $JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it. Combine the shards'
files with 'ixlb sweep merge'.`,
		Example: `  ixlb sweep design.yaml --set agent_groups.Sales.agents=150,175,200 --seeds 20 -o rows.jsonl
  ixlb sweep design.yaml --set agent_groups.Sales.agents=150,200 --set traffic.0.rate=1/s,2/s --seeds 10
  parallel ixlb sweep design.yaml --set agent_groups.Sales.agents=150,175,200 --seeds 50 --shard {}/4 -o rows-{}.jsonl ::: 0 1 2 3
  ixlb sweep merge rows-*.jsonl`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.warmup.set = cmd.Flags().Changed("warmup")
			return runSweep(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "PATH=V1,V2,… : one axis of the grid (repeatable)")
	cmd.Flags().IntVar(&f.seeds, "seeds", 10, "seeds per variant")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "write the rows to this file (default: stdout)")
	cmd.Flags().StringVar(&f.shard, "shard", "", "run only shard I of N (I/N, or N with $JOB_COMPLETION_INDEX)")
	cmd.Flags().IntVar(&f.jobs, "jobs", 0, "runs at once (0: one per core)")
	cmd.Flags().BoolVar(&f.noBar, "no-progress", false, "do not show a progress bar on a terminal")
	f.warmup.add(cmd)
	cmd.AddCommand(newSweepMergeCmd())
	return cmd
}

// maxSweepSeeds bounds a sweep's seeds per variant: a sweep may be split into shards run on
// several machines, so it goes further than study.MaxSeeds.
const maxSweepSeeds = 1_000_000

func runSweep(stdout, stderr io.Writer, arg string, f sweepFlags) error {
	sw, input, err := prepareSweep(stderr, arg, f)
	if err != nil {
		return err
	}
	if f.out == "-" {
		f.out = "" // stdout, as without -o
	}
	if err := checkOutputs(nil, []string{input}, output{"-o", f.out}); err != nil {
		return exitf(2, "%v", err)
	}
	// Ctrl-C or SIGTERM stops the sweep between runs; the partial output is removed (a shard is
	// whole or absent), and the exit status says which signal.
	sig := watchSignals()
	defer sig.release()
	// Rows go to a temporary file renamed into place at the end (createOutput's replace): a
	// shard killed half-way leaves no half file for merge to mistake for a finished one. Rows on
	// stdout may block on a pipe nobody reads: a signal then ends the sweep at once.
	var w io.Writer = blockingWriter{stdout, sig}
	var out *outputFile
	if f.out != "" {
		if out, err = createOutput(f.out, nil, true); err != nil {
			return exitf(2, "write rows: %v", err)
		}
		defer out.Abort()
		sig.onForce(out.Abort)
		w = out
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	prog := progressOut(stderr, f.noBar)
	guard, err := newMemoryGuard()
	if err != nil {
		return exitf(2, "%v", err)
	}
	opt := study.Options{Jobs: f.jobs, Halted: sig.stopped, Guard: guard, Progress: func(done, n int) { showCount(prog, "sweep", done, n) }}
	err = study.RunAll(sw.Mine(), sw.Run, opt, func(k int, res study.Result) error {
		if sig.stopped() {
			return study.ErrInterrupted
		}
		return enc.Encode(sw.Row(k, res))
	})
	clearProgress(prog)
	if errors.Is(err, study.ErrInterrupted) {
		fmt.Fprintf(stderr, "sweep interrupted; %s not written\n", cmp.Or(f.out, "the rows were"))
		return &exitError{code: sig.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return exitf(2, "sweep: %v", err)
	}
	if err := bw.Flush(); err != nil {
		return exitf(2, "write rows: %v", err)
	}
	if out != nil {
		if err := out.Commit(nil); err != nil {
			return exitf(2, "write rows: %v", err)
		}
		fmt.Fprintf(stderr, "%d runs (shard %d/%d of %d variants × %d seeds) → %s\n", sw.Mine(), sw.Shard, sw.Shards, len(sw.Variants), f.seeds, f.out)
	}
	return nil
}

// prepareSweep checks the flags and loads the grid of variants, with the scenario's lint warnings
// said once on stderr, and the scenario file (input; "" for a bundled scenario).
func prepareSweep(stderr io.Writer, arg string, f sweepFlags) (sw *study.Sweep, input string, err error) {
	if f.seeds < 1 || f.seeds > maxSweepSeeds {
		return nil, "", exitf(2, "--seeds must be from 1 to %d, got %d", maxSweepSeeds, f.seeds)
	}
	if f.jobs < 0 {
		return nil, "", exitf(2, "--jobs must not be negative, got %d", f.jobs)
	}
	axes, err := study.ParseAxes(f.sets)
	if err != nil {
		return nil, "", exitf(2, "%v", err)
	}
	shard, shards, err := study.ParseShard(f.shard, os.Getenv)
	if err != nil {
		return nil, "", exitf(2, "%v", err)
	}
	file, src, err := loadScenarioSource(arg)
	if err != nil {
		return nil, "", exitf(2, "%v", err)
	}
	var extra []string // what else makes the rows: part of the grid's identity
	if f.warmup.set {
		extra = append(extra, "warmup "+f.warmup.d.String())
	}
	sw, err = study.NewSweep(file, src, axes, f.seeds, shard, shards, extra...)
	if err != nil {
		return nil, "", exitf(2, "%v", err)
	}
	if err := checkSeeds(sw.FirstSeed, sw.Seeds); err != nil {
		return nil, "", err
	}
	for _, v := range sw.Variants {
		if err := f.warmup.apply(&v.Scenario.Config); err != nil {
			return nil, "", err
		}
	}
	if sc, err := scenarios.Parse(file, src); err == nil {
		for _, d := range scenarios.Lint(sc) {
			fmt.Fprintln(stderr, d.Lint()) // the scenario's warnings, once (variants may add more)
		}
	}
	if !strings.HasPrefix(file, scenarios.BundledPrefix) {
		input = file // the scenario file: no output may overwrite it
	}
	return sw, input, nil
}
