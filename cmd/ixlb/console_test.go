//go:build cgo

package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/tui/live"
)

// openConsoleRunner builds the console's runner on a data directory the way runConsole does, in
// manual mode (virtual time advances only by Step).
func openConsoleRunner(t *testing.T, dir string, sc *scenarios.Scenario) (*live.Runner, *persister, []core.Event) {
	t.Helper()
	return openConsoleRunnerOf(t, dir, sc, "")
}

// openConsoleRunnerOf is openConsoleRunner with the scenario file the console says it runs.
func openConsoleRunnerOf(t *testing.T, dir string, sc *scenarios.Scenario, source string) (*live.Runner, *persister, []core.Event) {
	t.Helper()
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	p := &persister{ss: ss, log: ss.EventSink()}
	var history []core.Event
	if ss.Resume() != nil {
		if history, err = ss.History(5000); err != nil {
			t.Fatal(err)
		}
	}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{Source: source, Persister: p, Resume: ss.Resume(), History: history,
		EngineOptions: []core.Option{core.WithDatabases(ss.Databases())}})
	if err != nil {
		t.Fatal(err)
	}
	return r, p, history
}

// Quit and reopen: the console resumes with the same activations, stopped applications,
// interactions and history.
func TestConsoleSessionPersists(t *testing.T) {
	sc, err := scenarios.Open("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "session")
	r, p, history := openConsoleRunner(t, dir, sc)
	if len(history) != 0 {
		t.Fatal("a fresh directory has history")
	}
	if err := r.Step(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.Action{
		{Kind: core.ActStop, App: "URS_2"},
		{Kind: core.ActActivate, Strategy: "B", URS: []string{"URS_1"}},
	} {
		if err := r.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Step(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	f, _ := r.TryNext()
	before := f.Snap
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.ss.Close(); err != nil {
		t.Fatal(err)
	}

	r2, p2, history := openConsoleRunner(t, dir, sc)
	defer p2.ss.Close()
	defer r2.Close()
	if len(history) == 0 || history[len(history)-1].T > before.T {
		t.Fatalf("history: %d events", len(history))
	}
	f, _ = r2.TryNext()
	s := f.Snap
	if s == nil {
		if err := r2.Step(time.Millisecond); err != nil {
			t.Fatal(err)
		}
		f, _ = r2.TryNext()
		s = f.Snap
	}
	if s.T < before.T {
		t.Fatalf("resumed at %v, saved at %v", time.Duration(s.T), time.Duration(before.T))
	}
	for _, u := range s.URS {
		if u.Name == "URS_2" && u.Running {
			t.Fatal("URS_2 runs again after reopening")
		}
		if u.Name == "URS_1" {
			found := false
			for _, st := range u.Strategies {
				found = found || st == "B"
			}
			if !found {
				t.Fatalf("B no longer activated on URS_1: %v", u.Strategies)
			}
		}
	}
	if s.Stats.Submitted < before.Stats.Submitted {
		t.Fatalf("submitted went from %d to %d", before.Stats.Submitted, s.Stats.Submitted)
	}
}

// The console's loader refuses what the command line refuses: load errors and lint errors.
func TestConsoleLoaderRefusesLintErrors(t *testing.T) {
	dir := t.TempDir()
	src, err := scenarios.Source("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadConfig(writeFile(t, dir, "ok.yaml", string(src))); err != nil {
		t.Fatalf("a good file: %v", err)
	}
	// No strategy activated anywhere: nothing can ever be routed.
	broken := strings.NewReplacer("activated_on: [URS_1]", "activated_on: []",
		"activated_on: [URS_2]", "activated_on: []", "activated_on: [URS_1, URS_2]", "activated_on: []").Replace(string(src))
	_, _, err = loadConfig(writeFile(t, dir, "idle.yaml", broken))
	if err == nil || !strings.Contains(err.Error(), "nothing-routed") {
		t.Fatalf("got %v", err)
	}
}

// :load takes a bundled scenario's name, as `ixlb NAME`, `run NAME` and `lint NAME` do.
func TestConsoleLoaderTakesBundledNames(t *testing.T) {
	cfg, _, err := loadConfig("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name == "" {
		t.Fatal("no scenario")
	}
}

// A session saved at its end reopens there, paused, instead of running on.
func TestConsoleReopensAtTheEndPaused(t *testing.T) {
	sc, err := scenarios.Open("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "session")
	r, p, _ := openConsoleRunner(t, dir, sc)
	if err := r.Step(sc.Config.Duration); err != nil {
		t.Fatal(err)
	}
	r.Close()
	p.ss.Close()
	r2, p2, _ := openConsoleRunner(t, dir, sc)
	defer p2.ss.Close()
	defer r2.Close()
	f, _ := r2.TryNext()
	if !f.Paused || !strings.Contains(f.Note, "duration") || f.Snap.T != int64(sc.Config.Duration) {
		t.Fatalf("reopened paused=%v note=%q at %v", f.Paused, f.Note, time.Duration(f.Snap.T))
	}
}

// The console's account of damage (Snapshot.Damage) is the run report's, on SQLite, after a
// re-point and a switchover and when nothing is lost (TestDamageSameInEveryView reads the screen).
func TestConsoleLostMatchesReport(t *testing.T) {
	for _, name := range []string{"dap-repoint-switchover", "seed-example"} {
		sc, err := scenarios.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := openSession("", sc.Config, true, false)
		if err != nil {
			t.Fatal(err)
		}
		e, err := core.New(sc.Config, core.WithDatabases(ss.Databases()))
		if err != nil {
			t.Fatal(err)
		}
		e.RunUntil(int64(sc.Config.Duration))
		rep, err := e.Report()
		if err != nil {
			t.Fatal(err)
		}
		snap := e.Snapshot()
		if snap.Damage != rep.Interactions.Damage {
			t.Errorf("%s: console's account of damage %+v, report's %+v", name, snap.Damage, rep.Interactions.Damage)
		}
		ss.Close()
	}
}

// Each scenario keeps its own session: opening another scenario from the console and coming
// back resumes each where it was; starting over is explicit and erases only that scenario's.
func TestConsolePerScenarioSessions(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	a, err := scenarios.Resolve("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenarios.Resolve("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	dirA, _ := defaultDataDir(a)
	ss, err := openSession(dirA, a.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cur := &curDir{dir: ss.Dir()}
	r, _ := openScenariosConsole(t, ss, a, cur)
	at := func() int64 {
		t.Helper()
		if err := r.Step(0); err != nil {
			t.Fatal(err)
		}
		f, _ := r.TryNext()
		return f.Snap.T
	}
	step := func(d time.Duration) {
		t.Helper()
		if err := r.Step(d); err != nil {
			t.Fatal(err)
		}
	}
	step(10 * time.Second)
	if got := savedSession(cur, b.Config, b.File); got != "" {
		t.Fatalf("B has no session yet, described as %q", got)
	}
	if err := r.Replace(b.Config, b.File, false); err != nil {
		t.Fatal(err)
	}
	if at() != 0 {
		t.Fatal("B did not start at 0")
	}
	step(7 * time.Second)
	if got := savedSession(cur, a.Config, a.File); !strings.Contains(got, "at virtual 10s") {
		t.Fatalf("A's saved session described as %q", got)
	}
	if err := r.Replace(a.Config, a.File, false); err != nil {
		t.Fatal(err)
	}
	if got := at(); got != int64(10*time.Second) {
		t.Fatalf("A resumed at %v, want 10s", time.Duration(got))
	}
	if err := r.Replace(b.Config, b.File, false); err != nil {
		t.Fatal(err)
	}
	if got := at(); got != int64(7*time.Second) {
		t.Fatalf("B resumed at %v, want 7s", time.Duration(got))
	}
	// The running scenario again: resume keeps its place, fresh starts it over.
	if err := r.Replace(b.Config, b.File, false); err != nil {
		t.Fatal(err)
	}
	if got := at(); got != int64(7*time.Second) {
		t.Fatalf("B reopened at %v, want 7s", time.Duration(got))
	}
	if err := r.Replace(b.Config, b.File, true); err != nil {
		t.Fatal(err)
	}
	if got := at(); got != 0 {
		t.Fatalf("B started over at %v", time.Duration(got))
	}
	// A's session was not touched by B's fresh start.
	if got := savedSession(cur, a.Config, a.File); !strings.Contains(got, "at virtual 10s") {
		t.Fatalf("A's saved session after B started over: %q", got)
	}
}

// --speed refuses what would freeze or break the clock, before the console takes the screen.
func TestConsoleSpeedFlagRefusesNaN(t *testing.T) {
	for _, v := range []string{"NaN", "Inf", "-1", "0", "1e9"} {
		_, stderr, code := runBin(t, "--speed", v)
		if code != 2 || !strings.Contains(stderr, "--speed") || !strings.Contains(stderr, "greater than 0") {
			t.Errorf("--speed %s: exit %d, %q", v, code, stderr)
		}
	}
}

// openScenariosConsole builds the console's runner on the session ss of sc the way runConsole
// does, opening other scenarios (:load, o) as it does; it is closed when the test ends.
func openScenariosConsole(t *testing.T, ss session, sc *scenarios.Scenario, cur *curDir) (*live.Runner, *persister) {
	t.Helper()
	p := &persister{ss: ss, log: ss.EventSink()}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{Source: sc.File, Persister: p,
		EngineOptions: []core.Option{core.WithDatabases(ss.Databases())},
		OpenScenario: func(cfg core.Config, source string, fresh bool) (live.ScenarioSession, error) {
			return openConsoleScenario(p, cur, cfg, source, fresh)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); p.ss.Close() })
	return r, p
}
