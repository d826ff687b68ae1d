//go:build cgo

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

var staffArgs = []string{"staff", "service-level", "--group", "Chat", "--target", "service._all.service_level>=0.8", "--seeds", "4", "--no-progress"}

// ixlb staff as a planner runs it: the answer, the table at the answer and one below, the same
// numbers in --json, and the same numbers again from a sweep of those two counts (one truth per
// figure: staff edits the agent count, sweep the file, and both summarise the same runs).
func TestStaffCommand(t *testing.T) {
	dir := t.TempDir()
	plot := filepath.Join(dir, "staff.png")
	out, plotErr, code := in(t, append(staffArgs, "--plot", plot)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, plotErr)
	}
	js, errOut, code := in(t, append(staffArgs, "--json")...)
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var res study.Staffing
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	n := res.Agents
	if !res.Found || n < 30 || n > 45 {
		t.Fatalf("answer %d agents (found %v)", n, res.Found)
	}
	if !strings.Contains(out, fmt.Sprintf("→ %d agents in Chat", n)) || !strings.Contains(out, "all queues: % answered in each queue's threshold ≥ 80.0%") ||
		!strings.Contains(out, "4 seeds (3…6) of 1h at every count") || !strings.Contains(out, fmt.Sprintf("warning at %d agents, seed 3: not a steady state", n)) {
		t.Errorf("table:\n%s", out)
	}
	if b, err := os.Stat(plot); err != nil || b.Size() < 10000 || !strings.Contains(plotErr, "plot → "+plot) {
		t.Errorf("plot: %v", err)
	}
	// The table's rows are the JSON's numbers through the catalogue.
	sl := core.DescribeFigure("service._all.service_level", nil)
	for _, k := range []int{n - 1, n} {
		p, ok := res.Point(k)
		if !ok {
			t.Fatalf("no point at %d agents", k)
		}
		s := p.Figures["service._all.service_level"]
		cell := sl.FormatCIWith(s.Mean, s.CI95, sl.Decimals(pointCI(res, n-1), pointCI(res, n)))
		row := fmt.Sprintf("%d ", k)
		if !strings.Contains(out, cell) || !strings.Contains(out, "\n"+row) {
			t.Errorf("table lacks %d agents at %s:\n%s", k, cell, out)
		}
	}
	// A sweep of the same two counts gives the same summaries, to the last bit.
	rows := filepath.Join(dir, "rows.jsonl")
	set := fmt.Sprintf("agent_groups.Chat.agents=%d,%d", n-1, n)
	if _, errOut, code := in(t, "sweep", "service-level", "--set", set, "--seeds", "4", "--no-progress", "-o", rows); code != 0 {
		t.Fatal(errOut)
	}
	mj, _, code := in(t, "sweep", "merge", rows, "--json")
	var ms study.MergeSummary
	if err := json.Unmarshal([]byte(mj), &ms); err != nil || code != 0 {
		t.Fatal(err)
	}
	for _, v := range ms.Variants {
		k, _ := strconv.Atoi(v.Set["agent_groups.Chat.agents"])
		p, _ := res.Point(k)
		for _, f := range []string{"service._all.service_level", "service._all.asa", "occupancy.Chat"} {
			if v.Figures[f] != p.Figures[f] {
				t.Errorf("%d agents, %s: sweep %+v, staff %+v", k, f, v.Figures[f], p.Figures[f])
			}
		}
	}
}

func pointCI(res study.Staffing, n int) float64 {
	p, _ := res.Point(n)
	return p.Figures["service._all.service_level"].CI95
}

func TestStaffRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"staff", "service-level", "--target", "asa<=30"}, "--group is required"},
		{[]string{"staff", "service-level", "--group", "Chat"}, "--target is required"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=30", "--seeds", "1"}, "--seeds must be from 2"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa==30"}, "a target is a bound"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=thirty"}, `want a number after <=, got "thirty"`},
		{[]string{"staff", "service-level", "--group", "chat", "--target", "asa<=30"}, `no agent group "chat" (did you mean "Chat"?)`},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "service._all.asaa<=30"}, `did you mean "service._all.asa"`},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=30", "--min", "50", "--max", "40"}, "min ≤ max"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=30", "--min", "0"}, "--min must be at least 1"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=30", "--plot", filepath.Join(dir, "x.pdf")}, "want a .svg or .png"},
		{[]string{"staff", "service-level", "--group", "Chat", "--target", "asa<=30", "--warmup", "2h"}, "not shorter than the run"},
		{[]string{"staff", "nope.yaml", "--group", "Chat", "--target", "asa<=30"}, "nope.yaml"},
	}
	for _, c := range cases {
		out, errOut, code := in(t, append(c.args, "--no-progress")...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q in:\n%s\n%s", c.args, code, c.want, errOut, out)
		}
	}
	// No count in the range meets the target: exit 1, and the table says so.
	out, _, code := in(t, "staff", "service-level", "--group", "Chat", "--target", "service._all.service_level>=0.8", "--seeds", "3", "--min", "10", "--max", "20", "--no-progress")
	if code != 1 || !strings.Contains(out, "No count from 10 to 20 agents meets every target") {
		t.Errorf("unreachable in range: exit %d\n%s", code, out)
	}
	help, _, _ := in(t, "staff", "--help")
	for _, want := range []string{"95% confidence", "URS_2 dies", "--target", "--warmup", "asa<=30", "Exit status"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// Ctrl-C stops a long staffing at once with 130.
func TestStaffInterrupted(t *testing.T) {
	src, err := scenarios.Source("service-level")
	if err != nil {
		t.Fatal(err)
	}
	long := writeFile(t, t.TempDir(), "long.yaml", strings.Replace(string(src), "duration: 1h", "duration: 2000h", 1))
	cmd := exec.Command(ixlbBin, "staff", long, "--group", "Chat", "--target", "asa<=30", "--seeds", "50", "--jobs", "1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(errb.String(), "staff interrupted") {
		t.Fatalf("exit %v, want 130\n%s", err, errb.String())
	}
	t.Logf("stopped %s after the signal", time.Since(start).Round(time.Millisecond))
}

// attack 16, B1 and B7: staff never answers no agents (an empty wait read as 0 met a wait
// target: "→ 0 agents in Chat"), and a design that loses work says so beside the answer.
func TestStaffAnswersSomebodyAndShowsLoss(t *testing.T) {
	out, errOut, code := in(t, "staff", "service-level", "--group", "Chat", "--target", "service._all.wait_p90<=200", "--seeds", "4", "--no-progress")
	m := regexp.MustCompile(`→ (\d+) agents in Chat \(tried ([\d ]+)\)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("answer %d agents:\n%s", n, out)
	}
	for _, c := range strings.Fields(m[2]) {
		if c == "0" {
			t.Errorf("tried 0 agents: %s", m[0])
		}
	}
	// dap-repoint-switchover loses about half its interactions at any staffing.
	out, errOut, code = in(t, "staff", "dap-repoint-switchover", "--group", "Support", "--target", "service._all.service_level>=0.8", "--seeds", "5", "--no-progress")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	head := lineWith(t, out, "agents  ")
	if !strings.Contains(head, "interactions: lost") || !regexp.MustCompile(`warning at \d+ agents, seed 13: the run lost \d+ of the \d+ interactions offered`).MatchString(out) {
		t.Errorf("the loss is not beside the answer:\n%s", out)
	}
	// A target nobody's patience can move says nothing about staffing.
	src, err := scenarios.Source("service-level")
	if err != nil {
		t.Fatal(err)
	}
	patient := writeFile(t, t.TempDir(), "patient.yaml", regexp.MustCompile(`, patience: \d+s`).ReplaceAllString(string(src), ""))
	out, errOut, code = in(t, "staff", patient, "--group", "Chat", "--target", "abandon_rate<=0.05", "--seeds", "3", "--no-progress")
	if code != 0 || !strings.Contains(out, "warning: abandon_rate<=0.05: no traffic entry has a patience") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}
