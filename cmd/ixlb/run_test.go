package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

func TestRunBundledScenariosExitZero(t *testing.T) {
	for _, info := range scenarios.Bundled() {
		t.Run(info.Name, func(t *testing.T) {
			out, errOut, code := runBin(t, "run", info.Name, "--no-progress")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if !strings.Contains(out, "expectations hold") || strings.Contains(out, "✗") {
				t.Fatalf("summary:\n%s", out)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	seed, err := scenarios.Source("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	failing := writeFile(t, dir, "failing.yaml", strings.Replace(string(seed), "routing.A.URS_2 == 0", "routing.A.URS_1 == 0", 1))
	broken := writeFile(t, dir, "broken.yaml", strings.Replace(string(seed), "  URS_2:\n    type: RoutingServer", "  URS_2:\n    type: RoutingSrver", 1))
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"all hold", []string{"run", "seed-example"}, 0, "✓ routing.A.URS_2 == 0"},
		{"one fails", []string{"run", failing}, 1, "✗ routing.A.URS_1 == 0"},
		{"cannot load", []string{"run", broken}, 2, "broken.yaml:"},
		{"no such scenario", []string{"run", "seed-exampel"}, 2, "seed-example"},
		{"bad flag", []string{"run", "seed-example", "--speed", "-1"}, 2, "--speed"},
		{"fresh without data", []string{"run", "seed-example", "--fresh"}, 2, "--fresh needs --data"},
		{"warm-up past the run", []string{"run", "seed-example", "--warmup", "10m"}, 2, "--warmup 10m0s: not shorter than the run (duration 5m0s)"},
		{"negative warm-up", []string{"run", "seed-example", "--warmup", "-1s"}, 2, "must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runBin(t, append(tc.args, "--no-progress")...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.contains) {
				t.Fatalf("output lacks %q:\n%s\n%s", tc.contains, out, errOut)
			}
		})
	}
	// The load error names the line and column of the bad type.
	_, errOut, _ := runBin(t, "run", broken)
	if !strings.Contains(errOut, "broken.yaml:") || !strings.Contains(errOut, "RoutingServer") {
		t.Fatalf("load error: %s", errOut)
	}
}

// The JSON report follows docs/scenarios.md ("Run report"), and the same file and seed give the same event log, byte
// for byte, with or without a data directory.
func TestRunJSONAndDeterministicEvents(t *testing.T) {
	dir := t.TempDir()
	ev1, ev2 := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	out1, _, code := runBin(t, "run", "urs-failover", "--json", "--events", ev1)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	out2, _, _ := runBin(t, "run", "urs-failover", "--json", "--events", ev2, "--data", filepath.Join(dir, "data"))
	var r1, r2 core.Report
	if err := json.Unmarshal([]byte(out1), &r1); err != nil {
		t.Fatalf("report: %v\n%s", err, out1)
	}
	if err := json.Unmarshal([]byte(out2), &r2); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(ev1)
	b2, _ := os.ReadFile(ev2)
	if len(b1) == 0 || string(b1) != string(b2) || r1.EventsSHA256 != r2.EventsSHA256 {
		t.Fatal("event logs differ between runs of the same file and seed")
	}
	var generic map[string]any
	json.Unmarshal([]byte(out1), &generic)
	for _, k := range []string{"scenario", "seed", "virtual_seconds", "interactions", "routing", "esp", "esp_faults", "dap", "databases", "agents", "expectations", "events_sha256"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	if r1.Interactions.Resubmitted == 0 || r1.Interactions.Lost != 0 {
		t.Fatalf("%+v", r1.Interactions)
	}
	// Each event line is a JSON object with t, seq and kind, seq counting from 1.
	lines := strings.Split(strings.TrimSpace(string(b1)), "\n")
	for i, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if int(ev["seq"].(float64)) != i+1 || ev["kind"] == nil || ev["t"] == nil {
			t.Fatalf("line %d: %s", i+1, l)
		}
	}
	// Another seed, another log.
	out3, _, _ := runBin(t, "run", "urs-failover", "--json", "--seed", "99")
	var r3 core.Report
	json.Unmarshal([]byte(out3), &r3)
	if r3.EventsSHA256 == r1.EventsSHA256 || r3.Seed != 99 {
		t.Fatal("--seed did not change the run")
	}
}

// --warmup leaves the early arrivals out of the service figures, says how many, and changes
// nothing that happened: a finished --data session is reported again with it, same event log.
func TestRunWarmup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	report := func(args ...string) core.Report {
		t.Helper()
		out, errOut, code := runBin(t, append([]string{"run", "service-level", "--json", "--no-progress", "--data", dir}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		var r core.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	cold := report()
	warm := report("--warmup", "15m")
	c, w := cold.Service[core.AllQueues], warm.Service[core.AllQueues]
	if w.Warmup != 900 || w.Excluded == 0 || w.Offered+w.Excluded != c.Offered || c.Excluded != 0 {
		t.Fatalf("warm-up %v excluded %d offered %d; without it offered %d excluded %d", w.Warmup, w.Excluded, w.Offered, c.Offered, c.Excluded)
	}
	if warm.EventsSHA256 != cold.EventsSHA256 || warm.Interactions.Submitted != cold.Interactions.Submitted {
		t.Fatalf("the warm-up changed the run: events %s vs %s", warm.EventsSHA256, cold.EventsSHA256)
	}
	out, _, _ := runBin(t, "run", "service-level", "--no-progress", "--data", dir, "--warmup", "15m")
	if !strings.Contains(out, fmt.Sprintf("15m0s: %d interactions that arrived before it are left out", w.Excluded)) {
		t.Fatalf("the text report does not say what the warm-up left out:\n%s", out)
	}
}
