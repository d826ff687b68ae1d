//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// A sweep runs a grid of scenario variants × seeds. Each --set PATH=V1,V2,… is one axis; the grid
// is their product, the first --set varying slowest. Runs are numbered variant-major
// (run = variant*seeds + seed index) and shard I of N takes the runs with run % N == I, so shards
// are deterministic, balanced, and their rows together are exactly the unsharded sweep's rows.

type sweepFlags struct {
	sets  []string
	seeds int
	out   string
	shard string
	jobs  int
	noBar bool
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
			return runSweep(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "PATH=V1,V2,… : one axis of the grid (repeatable)")
	cmd.Flags().IntVar(&f.seeds, "seeds", 10, "seeds per variant")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "write the rows to this file (default: stdout)")
	cmd.Flags().StringVar(&f.shard, "shard", "", "run only shard I of N (I/N, or N with $JOB_COMPLETION_INDEX)")
	cmd.Flags().IntVar(&f.jobs, "jobs", 0, "runs at once (0: one per core)")
	cmd.Flags().BoolVar(&f.noBar, "no-progress", false, "do not show a progress bar on a terminal")
	cmd.AddCommand(newSweepMergeCmd())
	return cmd
}

// sweepAxis is one --set: a path and its values, as written.
type sweepAxis struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// sweepRow is one run of a sweep, one line of its output.
type sweepRow struct {
	Grid    string             `json:"grid"` // identifies the sweep: scenario bytes, axes, seeds
	Variant int                `json:"variant"`
	Set     map[string]string  `json:"set"`
	Seed    uint64             `json:"seed"`
	Figures map[string]float64 `json:"figures"`
	Failed  []string           `json:"failed,omitempty"`
	Errors  []string           `json:"errors,omitempty"`
	// Axes and Runs describe the whole grid, so merge can tell a missing shard.
	Axes []sweepAxis `json:"axes"`
	Runs int         `json:"runs"`
}

func parseAxes(sets []string) ([]sweepAxis, error) {
	var axes []sweepAxis
	seen := map[string]bool{}
	for _, s := range sets {
		path, vals, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if !ok || path == "" || strings.TrimSpace(vals) == "" {
			return nil, fmt.Errorf("--set %q: want PATH=V1,V2,… e.g. agent_groups.Sales.agents=150,200", s)
		}
		if seen[path] {
			return nil, fmt.Errorf("--set %s given twice: put all its values in one --set", path)
		}
		seen[path] = true
		a := sweepAxis{Path: path}
		for _, v := range strings.Split(vals, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return nil, fmt.Errorf("--set %s: empty value in %q", path, vals)
			}
			a.Values = append(a.Values, v)
		}
		axes = append(axes, a)
	}
	return axes, nil
}

// parseShard reads --shard I/N, or N with $JOB_COMPLETION_INDEX; "" is 0/1.
func parseShard(s string, env func(string) string) (i, n int, err error) {
	if s == "" {
		return 0, 1, nil
	}
	is, ns, both := strings.Cut(s, "/")
	if !both {
		ns = is
		is = env("JOB_COMPLETION_INDEX")
		if is == "" {
			return 0, 0, fmt.Errorf("--shard %s names only the count: give I/%s, or set JOB_COMPLETION_INDEX (a Kubernetes Indexed Job does)", s, s)
		}
	}
	n, err = strconv.Atoi(strings.TrimSpace(ns))
	if err != nil || n < 1 {
		return 0, 0, fmt.Errorf("--shard %q: the count must be a whole number ≥ 1", s)
	}
	i, err = strconv.Atoi(strings.TrimSpace(is))
	if err != nil || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: the index %q must be a whole number from 0 to %d", s, is, n-1)
	}
	return i, n, nil
}

// variantSource is the scenario's YAML with path set to the YAML scalar value.
func variantSource(src []byte, path, value string) ([]byte, error) {
	var doc any
	if err := yaml.UnmarshalWithOptions(src, &doc, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return nil, fmt.Errorf("value %q: %w", value, err)
	}
	doc, err := setPath(doc, strings.Split(path, "."), v, path)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(doc)
}

// namedCollections are the scenario's top-level mappings of named things.
var namedCollections = map[string]bool{"applications": true, "agent_groups": true, "strategies": true,
	"business_processes": true, "clusters": true, "databases": true}

func setPath(node any, segs []string, v any, full string) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	seg := segs[0]
	if seg == "" {
		return nil, fmt.Errorf("path %q has an empty part", full)
	}
	switch n := node.(type) {
	case nil:
		child, err := setPath(nil, segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		return yaml.MapSlice{{Key: seg, Value: child}}, nil
	case yaml.MapSlice:
		for i := range n {
			if fmt.Sprint(n[i].Key) == seg {
				child, err := setPath(n[i].Value, segs[1:], v, full)
				if err != nil {
					return nil, err
				}
				n[i].Value = child
				return n, nil
			}
		}
		if named := strings.SplitN(full, ".", 2)[0]; len(segs) > 1 && len(strings.Split(full, ".")) == len(segs)+1 && namedCollections[named] {
			// A name under applications, agent_groups… that is not there is a typo, not a new
			// application or group to create.
			var names []string
			for i := range n {
				names = append(names, fmt.Sprint(n[i].Key))
			}
			return nil, fmt.Errorf("path %q: the scenario has no %s %q%s", full, strings.TrimSuffix(named, "s"), seg, core.DidYouMean(seg, names))
		}
		child, err := setPath(nil, segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		return append(n, yaml.MapItem{Key: seg, Value: child}), nil
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n) {
			return nil, fmt.Errorf("path %q: %q is not an item of a list of %d (use 0…%d)", full, seg, len(n), len(n)-1)
		}
		child, err := setPath(n[i], segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, fmt.Errorf("path %q: %q is under a single value, not a mapping or list", full, seg)
}

// sweepVariant is one point of the grid, loaded.
type sweepVariant struct {
	set map[string]string
	sc  *scenarios.Scenario
}

// buildGrid loads every variant of the grid (first axis slowest).
func buildGrid(file string, src []byte, axes []sweepAxis) ([]sweepVariant, error) {
	base, err := scenarios.Parse(file, src)
	if err != nil {
		return nil, err
	}
	named := false // an axis sets the name itself
	for _, a := range axes {
		named = named || a.Path == "name"
	}
	n := 1
	for _, a := range axes {
		n *= len(a.Values)
	}
	if n > 100000 {
		return nil, fmt.Errorf("the grid has %d variants; more than 100000 is surely a mistake", n)
	}
	var out []sweepVariant
	for k := 0; k < n; k++ {
		set := map[string]string{}
		data := src
		rem := k
		var label []string
		for ai := len(axes) - 1; ai >= 0; ai-- {
			a := axes[ai]
			v := a.Values[rem%len(a.Values)]
			rem /= len(a.Values)
			set[a.Path] = v
		}
		for _, a := range axes {
			var err error
			data, err = variantSource(data, a.Path, set[a.Path])
			if err != nil {
				return nil, fmt.Errorf("%s: --set %s=%s: %w", file, a.Path, set[a.Path], err)
			}
			label = append(label, a.Path+"="+set[a.Path])
		}
		name := file
		if len(label) > 0 {
			name = file + "[" + strings.Join(label, " ") + "]"
		}
		sc, err := scenarios.Parse(name, data)
		if err != nil {
			return nil, err
		}
		if ds := scenarios.Lint(sc); ds.HasErrors() {
			var lines []string
			for _, d := range ds {
				lines = append(lines, d.Lint())
			}
			return nil, fmt.Errorf("%s", strings.Join(lines, "\n"))
		}
		if !named {
			sc.Config.Name = base.Config.Name // not the variant's label: every run is the same scenario
		}
		out = append(out, sweepVariant{set: set, sc: sc})
	}
	return out, nil
}

func gridID(src []byte, axes []sweepAxis, seeds int) string {
	h := sha256.New()
	h.Write(src)
	b, _ := json.Marshal(axes)
	h.Write(b)
	fmt.Fprintf(h, "seeds %d", seeds)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func runSweep(stdout, stderr io.Writer, arg string, f sweepFlags) error {
	if f.seeds < 1 || f.seeds > 1_000_000 {
		return exitf(2, "--seeds must be from 1 to 1000000, got %d", f.seeds)
	}
	if f.jobs < 0 {
		return exitf(2, "--jobs must not be negative, got %d", f.jobs)
	}
	axes, err := parseAxes(f.sets)
	if err != nil {
		return exitf(2, "%v", err)
	}
	shard, shards, err := parseShard(f.shard, os.Getenv)
	if err != nil {
		return exitf(2, "%v", err)
	}
	file, src, err := loadScenarioSource(arg)
	if err != nil {
		return exitf(2, "%v", err)
	}
	variants, err := buildGrid(file, src, axes)
	if err != nil {
		return exitf(2, "%v", err)
	}
	if sc, err := scenarios.Parse(file, src); err == nil {
		for _, d := range scenarios.Lint(sc) {
			fmt.Fprintln(stderr, d.Lint()) // the scenario's warnings, once (variants may add more)
		}
	}
	base := variants[0].sc.Config.Seed
	if err := checkSeeds(base, f.seeds); err != nil {
		return err
	}
	grid := gridID(src, axes, f.seeds)
	total := len(variants) * f.seeds
	// This shard's k-th run is run number shard + k*shards of the grid; runs are made when a
	// worker takes them, so a big grid costs no memory up front.
	mine := 0
	if shard < total {
		mine = (total - shard + shards - 1) / shards
	}
	number := func(k int) int { return shard + k*shards }
	runOf := func(k int) studyRun {
		r := number(k)
		v := variants[r/f.seeds]
		return studyRun{cfg: v.sc.Config, expect: v.sc.Expect, seed: base + uint64(r%f.seeds)}
	}
	// Rows go to a temporary file renamed into place at the end: a shard killed half-way leaves
	// no half file for merge to mistake for a finished one.
	var w io.Writer = stdout
	var tmp *os.File
	if f.out == "-" {
		f.out = "" // stdout, as without -o
	}
	if f.out != "" {
		tmp, err = os.CreateTemp(filepath.Dir(f.out), "."+filepath.Base(f.out)+".*")
		if err != nil {
			return exitf(2, "write rows: %v", err)
		}
		defer func() {
			tmp.Close()
			os.Remove(tmp.Name()) // gone already after a successful rename
		}()
		w = tmp
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	prog := progressOut(stderr, f.noBar)
	// Ctrl-C or SIGTERM stops the sweep between runs; the partial output is removed (a shard is
	// whole or absent), and the exit status says which signal.
	sig := watchSignals()
	defer sig.release()
	err = runStudy(mine, runOf, f.jobs, sig.stopped, func(done, n int) { showCount(prog, "sweep", done, n) }, func(k int, res studyResult) error {
		if sig.stopped() {
			return errInterrupted
		}
		r := number(k)
		row := sweepRow{Grid: grid, Variant: r / f.seeds, Set: variants[r/f.seeds].set, Seed: base + uint64(r%f.seeds),
			Figures: res.figures, Failed: res.failed, Errors: res.errs, Axes: axes, Runs: total}
		return enc.Encode(row)
	})
	clearProgress(prog)
	if errors.Is(err, errInterrupted) {
		fmt.Fprintf(stderr, "sweep interrupted; %s not written\n", cmp.Or(f.out, "the rows were"))
		return &exitError{code: sig.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return exitf(2, "sweep: %v", err)
	}
	if err := bw.Flush(); err != nil {
		return exitf(2, "write rows: %v", err)
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return exitf(2, "write rows: %v", err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return exitf(2, "write rows: %v", err)
		}
		if err := os.Rename(tmp.Name(), f.out); err != nil {
			return exitf(2, "write rows: %v", err)
		}
		fmt.Fprintf(stderr, "%d runs (shard %d/%d of %d variants × %d seeds) → %s\n", mine, shard, shards, len(variants), f.seeds, f.out)
	}
	return nil
}

// sourcedRow is a row and where it was read (FILE:LINE).
type sourcedRow struct {
	sweepRow
	at string
}

// readRows reads sweep rows from files ("-" is stdin), naming FILE:LINE on bad input.
func readRows(paths []string, stdin io.Reader) ([]sourcedRow, error) {
	var rows []sourcedRow
	for _, p := range paths {
		var r io.Reader
		if p == "-" {
			r = stdin
		} else {
			b, err := readInput(p, mergeLimit())
			if err != nil {
				return nil, err
			}
			r = bytes.NewReader(b)
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			at := fmt.Sprintf("%s:%d", p, line)
			var row sweepRow
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&row); err != nil {
				return nil, fmt.Errorf("%s: not a sweep row: %v", at, err)
			}
			if row.Grid == "" || row.Runs < 1 || row.Variant < 0 {
				return nil, fmt.Errorf("%s: not a sweep row (no grid, runs or variant)", at)
			}
			rows = append(rows, sourcedRow{row, at})
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p, line+1, err)
		}
	}
	return rows, nil
}
