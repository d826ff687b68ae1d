//go:build cgo

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

// in runs the CLI in-process (so t.Setenv reaches it) and returns stdout, stderr, exit status.
func in(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := executeIO(args, &out, &errb)
	return out.String(), errb.String(), code
}

func readLines(t *testing.T, paths ...string) []string {
	t.Helper()
	var lines []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
	}
	slices.Sort(lines)
	return lines
}

var sweepArgs = []string{"sweep", "urs-failover", "--set", "agent_groups.Agents.agents=100,150",
	"--set", "traffic.0.rate=1/s,2/s", "--seeds", "3", "--no-progress"}

// The shards' rows together are exactly the unsharded sweep's rows, whatever the number of
// workers; --shard N takes its index from JOB_COMPLETION_INDEX.
func TestSweepShardsUnionIsTheWhole(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.jsonl")
	if out, errOut, code := in(t, append(sweepArgs, "-o", whole)...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := readLines(t, whole)
	if len(want) != 2*2*3 {
		t.Fatalf("%d rows, want 12 (4 variants × 3 seeds)", len(want))
	}
	var shards []string
	for i, shard := range []string{"0/5", "1/5", "2/5", "3/5", "4/5"} {
		p := filepath.Join(dir, "shard"+shard[:1]+".jsonl")
		args := append(slices.Clone(sweepArgs), "-o", p, "--shard", shard, "--jobs", []string{"1", "2", "3", "1", "2"}[i])
		if out, errOut, code := in(t, args...); code != 0 {
			t.Fatalf("shard %s: exit %d\n%s\n%s", shard, code, out, errOut)
		}
		shards = append(shards, p)
	}
	if got := readLines(t, shards...); !slices.Equal(got, want) {
		t.Fatalf("union of the shards differs from the whole:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// An Indexed Job: the count on the command line, the index in the environment.
	t.Setenv("JOB_COMPLETION_INDEX", "3")
	k8s := filepath.Join(dir, "k8s.jsonl")
	if out, errOut, code := in(t, append(slices.Clone(sweepArgs), "-o", k8s, "--shard", "5")...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if got, w := readLines(t, k8s), readLines(t, shards[3]); !slices.Equal(got, w) {
		t.Fatalf("--shard 5 with JOB_COMPLETION_INDEX=3 differs from --shard 3/5")
	}

	// merge: the shards give the same summary as the whole, in any order.
	mw, _, code := in(t, "sweep", "merge", whole, "--json")
	if code != 0 {
		t.Fatal("merge of the whole failed")
	}
	ms, errOut, code := in(t, "sweep", "merge", shards[4], shards[2], shards[0], shards[1], shards[3], "--json")
	if code != 0 || ms != mw {
		t.Fatalf("merge of the shards (exit %d, %s) differs from the merge of the whole", code, errOut)
	}
	var sum study.MergeSummary
	if err := json.Unmarshal([]byte(ms), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Variants) != 4 || sum.Runs != 12 || sum.Variants[0].Set["agent_groups.Agents.agents"] != "100" ||
		sum.Variants[3].Set["traffic.0.rate"] != "2/s" || sum.Variants[0].Figures["service._all.asa"].N != 3 {
		t.Fatalf("summary %+v", sum)
	}
	// More agents for the same traffic: a better service level at 2/s.
	if a, b := sum.Variants[1].Figures["service._all.service_level"].Mean, sum.Variants[3].Figures["service._all.service_level"].Mean; !(b > a) {
		t.Errorf("service level with 150 agents %v, with 100 %v: want better", b, a)
	}

	// Refusals: a shard twice, a shard of another sweep; a missing shard is a warning.
	_, errOut, code = in(t, "sweep", "merge", shards[0], shards[1], shards[1])
	if code != 2 || !strings.Contains(errOut, "was a shard given twice?") || !strings.Contains(errOut, "shard1.jsonl:") {
		t.Errorf("duplicate shard: exit %d, %s", code, errOut)
	}
	other := filepath.Join(dir, "other.jsonl")
	if _, errOut, code := in(t, "sweep", "urs-failover", "--set", "agent_groups.Agents.agents=100,150", "--seeds", "2", "--no-progress", "-o", other); code != 0 {
		t.Fatal(errOut)
	}
	_, errOut, code = in(t, "sweep", "merge", shards[0], other)
	if code != 2 || !strings.Contains(errOut, "another sweep") {
		t.Errorf("mismatched grids: exit %d, %s", code, errOut)
	}
	out, errOut, code := in(t, "sweep", "merge", shards[0], shards[1])
	if code != 0 || !strings.Contains(errOut, "a shard is missing") || !strings.Contains(out, "% answered in 20 s") {
		t.Errorf("missing shards: exit %d\n%s\n%s", code, out, errOut)
	}
	csvOut, _, code := in(t, "sweep", "merge", whole, "--csv")
	if code != 0 || !strings.HasPrefix(csvOut, "variant,agent_groups.Agents.agents,traffic.0.rate,runs,failed_runs,") || strings.Count(csvOut, "\n") != 5 {
		t.Errorf("csv:\n%s", csvOut)
	}
	if _, errOut, code := in(t, "sweep", "merge", whole, "--plot", filepath.Join(dir, "x.svg"), "--figure", "service._all.asaa"); code != 2 || !strings.Contains(errOut, `did you mean "service._all.asa"`) {
		t.Errorf("unknown figure: exit %d, %s", code, errOut)
	}
	plot := filepath.Join(dir, "sl.svg")
	if _, errOut, code := in(t, "sweep", "merge", whole, "--plot", plot); code != 0 {
		t.Fatal(errOut)
	}
	if b, _ := os.ReadFile(plot); !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("agents in Agents")) {
		t.Errorf("sweep plot is not an SVG naming the swept parameter")
	}
}

func TestSweepRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := writeFile(t, dir, "junk.jsonl", "{\"grid\":\"x\"}\nnot json\n")
	cases := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"set without =", []string{"sweep", "urs-failover", "--set", "agent_groups.Agents.agents"}, "", "want PATH=V1,V2"},
		{"empty value", []string{"sweep", "urs-failover", "--set", "agent_groups.Agents.agents=100,,150"}, "", "empty value"},
		{"same path twice", []string{"sweep", "urs-failover", "--set", "seed=1", "--set", "seed=2"}, "", "given twice"},
		{"list index out of range", []string{"sweep", "urs-failover", "--set", "traffic.7.rate=1/s"}, "", "is not an item of a list"},
		{"a typo'd group name", []string{"sweep", "urs-failover", "--set", "agent_groups.Agent.agents=100"}, "", `no agent_group "Agent" (did you mean "Agents"?)`},
		{"path under a value", []string{"sweep", "urs-failover", "--set", "duration.x=1"}, "", "under a single value"},
		{"variant does not load", []string{"sweep", "urs-failover", "--set", "agent_groups.Agents.agents=10,-1"}, "", "urs-failover.yaml[agent_groups.Agents.agents=-1]:"},
		{"unknown field in a variant", []string{"sweep", "urs-failover", "--set", "agent_groups.Agents.agnts=10"}, "", `did you mean "agents"`},
		{"shard index too big", []string{"sweep", "urs-failover", "--shard", "3/3"}, "", "from 0 to 2"},
		{"shard count without index", []string{"sweep", "urs-failover", "--shard", "3"}, "", "JOB_COMPLETION_INDEX"},
		{"bad JOB_COMPLETION_INDEX", []string{"sweep", "urs-failover", "--shard", "3"}, "x", "must be a whole number"},
		{"zero seeds", []string{"sweep", "urs-failover", "--seeds", "0"}, "", "--seeds must be from 1 to"},
		{"too many seeds", []string{"sweep", "urs-failover", "--seeds", "1000001"}, "", "--seeds must be from 1 to"},
		{"out dir missing", []string{"sweep", "urs-failover", "--seeds", "1", "-o", "/nonexistent/dir/rows.jsonl"}, "", "write rows:"},
		{"merge junk", []string{"sweep", "merge", junk}, "", "junk.jsonl:1: not a sweep row"},
		{"merge nothing", []string{"sweep", "merge", writeFile(t, dir, "empty.jsonl", "")}, "", "no rows"},
		{"compare zero seeds", []string{"compare", "urs-failover", "urs-failover", "--seeds", "0"}, "", "--seeds"},
		{"compare missing file", []string{"compare", "urs-failover", "nope.yaml"}, "", "nope.yaml"},
		{"run plot extension", []string{"run", "urs-failover", "--plot", filepath.Join(dir, "x.pdf")}, "", "want a .svg or .png"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("JOB_COMPLETION_INDEX", tc.env)
			} else {
				t.Setenv("JOB_COMPLETION_INDEX", "")
			}
			out, errOut, code := in(t, append(tc.args, "--no-progress")...)
			if tc.args[0] == "compare" || tc.args[1] == "merge" {
				out, errOut, code = in(t, tc.args...)
			}
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want 2 and %q in:\n%s\n%s", code, tc.want, errOut, out)
			}
		})
	}
}

// Setting a field to the value it has already re-encodes the file: every bundled scenario must
// still load to the same world (same event log).
func TestVariantSourceKeepsScenarios(t *testing.T) {
	for _, info := range scenarios.Bundled() {
		t.Run(info.Name, func(t *testing.T) {
			src, err := scenarios.Source(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			orig, err := scenarios.Parse(info.Name+".yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			v, err := study.VariantSource(src, "duration", orig.Config.Duration.String())
			if err != nil {
				t.Fatal(err)
			}
			again, err := scenarios.Parse(info.Name+".yaml", v)
			if err != nil {
				t.Fatalf("re-encoded scenario does not load: %v\n%s", err, v)
			}
			if h1, h2 := hashOf(t, orig.Config), hashOf(t, again.Config); h1 != h2 {
				t.Errorf("event log changed after re-encoding")
			}
		})
	}
}

func hashOf(t *testing.T, cfg core.Config) string {
	e, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	return e.EventsSHA256()
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	src, err := scenarios.Source("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	fewer := writeFile(t, dir, "fewer.yaml", strings.Replace(string(src), "agents: 150", "agents: 110", 1))
	failing := writeFile(t, dir, "failing.yaml", strings.Replace(string(src), "interactions.lost == 0", "interactions.lost > 0", 1))

	// A design against itself: every difference is 0, nothing is significant.
	out, errOut, code := in(t, "compare", "urs-failover", "urs-failover", "--seeds", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var same study.Comparison
	if err := json.Unmarshal([]byte(out), &same); err != nil {
		t.Fatal(err)
	}
	if len(same.Seeds) != 4 || same.Seeds[0] != 11 || len(same.Order) == 0 {
		t.Fatalf("seeds %v, %d figures", same.Seeds, len(same.Order))
	}
	for name, f := range same.Figures {
		if f.Diff.Mean != 0 || f.Significant || f.A != f.B {
			t.Errorf("%s differs from itself: %+v", name, f)
		}
	}
	// Fewer agents: answers are slower, beyond noise.
	out, errOut, code = in(t, "compare", "urs-failover", fewer, "--seeds", "6", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var cmp study.Comparison
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	asa := cmp.Figures["service._all.asa"]
	if !(asa.Diff.Mean > 0) || !asa.Significant || asa.A.N != 6 || asa.Diff.CI95 <= 0 {
		t.Errorf("ASA with fewer agents: %+v; want a significant increase", asa)
	}
	if occ := cmp.Figures["occupancy.Agents"]; !(occ.B.Mean > occ.A.Mean) {
		t.Errorf("occupancy with fewer agents: %+v", occ)
	}
	// Designs with different queues: a figure of one only is not compared.
	out, _, code = in(t, "compare", "urs-failover", "service-level", "--seeds", "2", "--json")
	var diff study.Comparison
	if err := json.Unmarshal([]byte(out), &diff); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if a, b := diff.Figures["service.callback_in.asa"], diff.Figures["service.chat_in.asa"]; a.Only != "A" || b.Only != "B" || a.Significant || b.Significant {
		t.Errorf("figures of one design only: %+v, %+v", a, b)
	}
	// The table: which seeds ran, B's own seed not used, labels and paths, constants left out,
	// numbers alike (no exponents).
	ownSeed := writeFile(t, dir, "own-seed.yaml", strings.Replace(strings.Replace(string(src), "agents: 150", "agents: 110", 1), "seed: 11", "seed: 1001", 1))
	out, _, code = in(t, "compare", "urs-failover", ownSeed, "--seeds", "3")
	for _, want := range []string{"3 seeds (11…13) for both designs", "warning: B's own seed 1001 is not used", "all queues: ASA", "service._all.asa",
		"figures the same in every run left out; --all shows them"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "e+0") || strings.Contains(out, "threshold") || code != 0 {
		t.Errorf("exponents, a constant threshold or exit %d:\n%s", code, out)
	}
	out, _, _ = in(t, "compare", "urs-failover", "urs-failover", "--seeds", "1", "--seed", "7")
	if !strings.Contains(out, "seed 7 for both designs") || strings.Contains(out, "1 seeds") {
		t.Errorf("one seed:\n%s", out)
	}
	// The table form, and exit 1 when an expectation fails on some seed.
	out, _, code = in(t, "compare", "urs-failover", failing, "--seeds", "2")
	if code != 1 || !strings.Contains(out, "B seed 11: interactions.lost > 0") || !strings.Contains(out, "service._all.asa") {
		t.Errorf("failing expectation: exit %d\n%s", code, out)
	}
}

func TestRunPlotAndSummary(t *testing.T) {
	dir := t.TempDir()
	pngPath := filepath.Join(dir, "run.png")
	out, errOut, code := in(t, "run", "urs-failover", "--no-progress", "--plot", pngPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Service: per queue", "email_in", "_all", "occupancy", "URS share of Sales"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 500 {
		t.Errorf("PNG %v is too small to read", b)
	}
	svgPath := filepath.Join(dir, "run.svg")
	if _, errOut, code := in(t, "run", "urs-failover", "--no-progress", "--plot", svgPath); code != 0 {
		t.Fatal(errOut)
	}
	b, _ := os.ReadFile(svgPath)
	for _, want := range []string{"<svg", "stop URS_1", "service level per", "URS share"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// attack 16, B3: a plot that cannot be drawn is refused before the run, which it would have
// followed (a missing directory), or taken minutes to draw (--interval 1ms: 3.6 million
// intervals); an explicit --interval 0s is refused, not read as the default.
func TestRunPlotCheckedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--plot", filepath.Join(dir, "x.png"), "--interval", "1ms"}, "--interval 1ms makes 3600000 intervals of the run's 1h0m0s; a plot shows at most 2000: use 2s or longer"},
		{[]string{"--plot", filepath.Join(dir, "nowhere", "x.png")}, "the directory " + filepath.Join(dir, "nowhere") + " does not exist"},
		{[]string{"--plot", filepath.Join(dir, "x.png"), "--interval", "0s"}, "--interval 0s: want a positive length"},
		{[]string{"--plot", filepath.Join(dir, "x.png"), "--interval", "2h"}, "want a length between 0 and the run's 1h0m0s"},
	}
	for i, c := range cases {
		data := filepath.Join(dir, fmt.Sprint("d", i))
		out, errOut, code := in(t, append([]string{"run", "service-level", "--no-progress", "--data", data}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s\n%s", c.args, code, c.want, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(data, "ixlb.db")); err == nil {
			t.Errorf("%v: the run went ahead before the plot was refused", c.args)
		}
	}
}

// Ctrl-C stops a sweep between runs with 130 and leaves no rows file: a shard is whole or absent.
func TestSweepInterrupted(t *testing.T) {
	// SIGHUP too: it used to kill the sweep without cleanup, leaving .rows.jsonl.NNNN behind.
	for _, c := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGHUP, 129}} {
		dir := t.TempDir()
		out := filepath.Join(dir, "rows.jsonl")
		cmd := exec.Command(ixlbBin, "sweep", "service-level", "--set", "duration=48h", "--seeds", "100000", "--jobs", "1", "-o", out)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		cmd.Process.Signal(c.sig)
		err := cmd.Wait()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != c.code || !strings.Contains(errb.String(), "sweep interrupted") {
			t.Fatalf("%v: exit %v, want %d\n%s", c.sig, err, c.code, errb.String())
		}
		left, _ := filepath.Glob(filepath.Join(dir, "*rows.jsonl*"))
		if len(left) != 0 {
			t.Fatalf("%v: left behind: %v", c.sig, left)
		}
	}
}

// A study's runs are held to the memory limit too: a design that outgrows it stops with exit 2
// and says why, instead of taking the machine.
func TestSweepMemoryGuard(t *testing.T) {
	cmd := exec.Command(ixlbBin, "sweep", "service-level", "--set", "traffic.0.rate=5000/s", "--seeds", "1")
	cmd.Env = append(os.Environ(), "IXLB_MEMORY_LIMIT=64MiB", "XDG_STATE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "over the limit of 64 MiB") {
		t.Fatalf("%v: %s", err, out)
	}
}

// study.RunAll's workers ask Halted while the caller's goroutine emits rows: with the interruption
// watcher as halted this must be race-free (go test -race), and a halt stops the study.
func TestRunStudyHaltsConcurrently(t *testing.T) {
	sc, err := scenarios.Open("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	sig := watchSignals()
	defer sig.release()
	runs := 0
	run := func(i int) study.Run { return study.Run{Config: sc.Config, Seed: uint64(i + 1)} }
	err = study.RunAll(6, run, study.Options{Jobs: 2, Halted: sig.stopped},
		func(i int, r study.Result) error {
			runs++
			_ = sig.stopped()
			return nil
		})
	if err != nil || runs != 6 {
		t.Fatalf("%d runs, %v", runs, err)
	}
	var halt atomic.Bool
	halt.Store(true) // a signal already came: no run gets past its first slice
	err = study.RunAll(6, run, study.Options{Jobs: 2, Halted: halt.Load}, func(i int, r study.Result) error { return nil })
	if !errors.Is(err, study.ErrInterrupted) {
		t.Fatalf("halted study: %v", err)
	}
}
