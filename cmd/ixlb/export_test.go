//go:build cgo

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui"
)

// The drill the issue describes, through the console program: URS_1 stopped at 20 s; at 1:00 the
// operator rewinds to 0:30 and branches by stopping URS_2 instead; 45 s later the session is
// exported. `ixlb run` of the export gives the branched session's event log byte for byte; the
// saved session reopens exactly (its databases were rebuilt for the branch) and `ixlb export` of
// its directory writes the same file.
func TestConsoleBranchThenExportReproduces(t *testing.T) {
	sc, err := scenarios.Open("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "session")
	r, p, _ := openConsoleRunner(t, dir, sc)
	recordScenario(p.ss, sc)
	m := tui.NewModel(r, loadConfig)
	cur := &curDir{dir: p.ss.Dir()}
	m.SetExport(consoleExport(cur))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 48))
	// waitFor reads the output until every string has been drawn (what it read is gone).
	waitFor := func(ss ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range ss {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		},
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	// keys types s; a person's keys come apart (the console takes keys 25 ms apart or less for
	// one burst: a paste).
	keys := func(s string) {
		time.Sleep(50 * time.Millisecond)
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	}
	// answer answers a question as a person does: after reading it (the console ignores a key
	// that comes with the ones that asked).
	answer := func(s string) { time.Sleep(400 * time.Millisecond); keys(s) }
	enter := func() { tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) }
	step := func(d time.Duration) {
		if err := r.Step(d); err != nil {
			t.Fatal(err)
		}
	}

	step(20 * time.Second)
	waitFor("t 00:00:20.000")
	keys(":stop URS_1")
	enter()
	waitFor("Stop URS_1?")
	answer("y")
	waitFor("stopped URS_1")
	step(40 * time.Second)
	waitFor("t 00:01:00.000")
	keys(":goto 0:30")
	enter()
	waitFor("(rewound, live is at 00:01:00)")
	keys(":stop URS_2")
	enter()
	waitFor("Branch and stop URS_2?", "This discards what happened after 00:00:30.000")
	answer("y")
	waitFor("branched at 00:00:30.000")
	step(45 * time.Second)
	waitFor("t 00:01:15.000")
	drill := filepath.Join(tmp, "drill.yaml")
	keys(":export " + drill)
	enter()
	waitFor("exported 2 operator actions at 00:01:15.000")
	keys("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	j, err := r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := j.State.EventsSHA256()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.ss.Close(); err != nil {
		t.Fatal(err)
	}

	// The scenario's own expectations may fail after a drill (exit 1): the log is what must match.
	out, errOut, code := runBin(t, "run", drill, "--json")
	var rep core.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code > 1 {
		t.Fatalf("ixlb run of the export: exit %d: %v\n%s", code, err, errOut)
	}
	if rep.EventsSHA256 != want || rep.Events != j.State.Events {
		t.Fatalf("ixlb run of the export: %d events, sha %.12s; the session %d, %.12s", rep.Events, rep.EventsSHA256, j.State.Events, want)
	}
	text, _ := os.ReadFile(drill)
	for _, s := range []string{"{at: 20s, stop: URS_1, by: operator}", "{at: 30s, stop: URS_2, by: operator}", "duration: 1m15s",
		"# The seed document's example"} {
		if !strings.Contains(string(text), s) {
			t.Fatalf("the export lacks %q:\n%s", s, text)
		}
	}
	// The stored log is the branch's, and the session resumes on its databases as they are.
	if sum, _, _ := runBin(t, "events", dir, "--sha256"); strings.TrimSpace(sum) != want {
		t.Fatalf("the stored log's sha %q, the session's %.12s", sum, want)
	}
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Resume(sc.Config, *ss.Resume(), core.WithDatabases(ss.Databases())); err != nil {
		t.Fatalf("the branched session does not resume on its databases: %v", err)
	}
	ss.Close()

	// Headless, from the directory: the same file; with --expect, lines that hold.
	again := filepath.Join(tmp, "again.yaml")
	if _, errOut, code := runBin(t, "export", dir, "-o", again); code != 0 {
		t.Fatalf("ixlb export: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, text) {
		t.Fatalf("ixlb export wrote another file:\n%s", b)
	}
	if _, errOut, code := runBin(t, "export", dir, "-o", again); code != 2 || !strings.Contains(errOut, "exists") {
		t.Fatalf("export over an existing file: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runBin(t, "export", dir, "-o", again, "--expect", "--force"); code != 0 {
		t.Fatalf("ixlb export --expect: exit %d: %s", code, errOut)
	}
	checked := reportOf(t, "run", again, "--json")
	if checked.EventsSHA256 != want || len(checked.Expectations) < 10 {
		t.Fatalf("--expect: sha %.12s, %d expectations", checked.EventsSHA256, len(checked.Expectations))
	}
	for _, x := range checked.Expectations {
		if !x.OK {
			t.Fatalf("the export's own expectation fails: %s (actual %v)", x.Expect, x.Actual)
		}
	}
}

// What export refuses, it says why: no session, no scenario copy, a scenario that is not the
// session's.
func TestExportRefuses(t *testing.T) {
	tmp := t.TempDir()
	if _, errOut, code := runBin(t, "export", tmp, "-o", filepath.Join(tmp, "x.yaml")); code != 2 || !strings.Contains(errOut, "holds no ixlb session") {
		t.Fatalf("empty directory: exit %d: %s", code, errOut)
	}
	data := filepath.Join(tmp, "data")
	if _, errOut, code := runBin(t, "run", "urs-failover", "--data", data); code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	if _, errOut, code := runBin(t, "export", data); code != 2 || !strings.Contains(errOut, "-o FILE is required") {
		t.Fatalf("no -o: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runBin(t, "export", data, "-o", filepath.Join(tmp, "x.yaml"), "--scenario", "seed-example"); code != 2 || !strings.Contains(errOut, "is not the scenario of the session in") {
		t.Fatalf("another scenario: exit %d: %s", code, errOut)
	}
	os.Remove(filepath.Join(data, store.ScenarioCopyFile))
	if _, errOut, code := runBin(t, "export", data, "-o", filepath.Join(tmp, "x.yaml")); code != 2 || !strings.Contains(errOut, "--scenario FILE") {
		t.Fatalf("no copy: exit %d: %s", code, errOut)
	}
	out := filepath.Join(tmp, "x.yaml")
	if _, errOut, code := runBin(t, "export", data, "-o", out, "--scenario", "urs-failover"); code != 0 {
		t.Fatalf("--scenario: exit %d: %s", code, errOut)
	}
	// A run with no operator: its export is the scenario itself, and reruns the same.
	whole := reportOf(t, "run", "urs-failover", "--json")
	if got := reportOf(t, "run", out, "--json"); got.EventsSHA256 != whole.EventsSHA256 {
		t.Fatalf("export of a plain run: %.12s, the run %.12s", got.EventsSHA256, whole.EventsSHA256)
	}
}

// A run with another seed (--seed) exports with that seed: the export is the run.
func TestExportKeepsTheSessionsSeed(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	if _, errOut, code := runBin(t, "run", "urs-failover", "--seed", "42", "--data", data); code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	out := filepath.Join(tmp, "x.yaml")
	if _, errOut, code := runBin(t, "export", data, "-o", out); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "seed: 42") {
		t.Fatalf("the export does not say seed: 42:\n%s", b)
	}
	whole := reportOf(t, "run", "urs-failover", "--seed", "42", "--json")
	if got := reportOf(t, "run", out, "--json"); got.EventsSHA256 != whole.EventsSHA256 {
		t.Fatalf("export of a --seed run: %.12s, the run %.12s", got.EventsSHA256, whole.EventsSHA256)
	}
}

// A session that went on past its scenario's end (space at the end goes on) exports with the
// traffic stopping where it stopped: the export's run is the session's.
func TestExportPastTheEnd(t *testing.T) {
	sc, err := scenarios.Open("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	r, p, _ := openConsoleRunner(t, filepath.Join(tmp, "session"), sc)
	defer p.ss.Close()
	defer r.Close()
	r.Step(sc.Config.Duration + 20*time.Second)
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "URS_2"}); err != nil {
		t.Fatal(err)
	}
	r.Step(40 * time.Second)
	j, err := r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "past.yaml")
	if _, err := exportSession(sc, j, p.ss, out, false, false); err != nil {
		t.Fatal(err)
	}
	want, _ := j.State.EventsSHA256()
	o, errOut, code := runBin(t, "run", out, "--json")
	var rep core.Report
	if err := json.Unmarshal([]byte(o), &rep); err != nil || code > 1 {
		t.Fatalf("run: exit %d %v %s", code, err, errOut)
	}
	if rep.EventsSHA256 != want {
		t.Fatalf("the export of a session past its end: %.12s, the session %.12s", rep.EventsSHA256, want)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "stop: "+sc.Config.Duration.String()) {
		t.Fatalf("the traffic's stop is not pinned:\n%s", b)
	}
}
