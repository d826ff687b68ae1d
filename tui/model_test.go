package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// Golden files: go test ./tui -run TestViewGolden -update rewrites testdata/.
func TestViewGolden(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		keys []string
	}{
		{"160x48", 160, 48, nil},
		{"80x24_routing", 80, 24, nil},
		{"80x24_esp", 80, 24, []string{"2"}},
		{"80x24_database", 80, 24, []string{"3"}},
		{"80x24_interactions", 80, 24, []string{"4"}},
		{"80x24_eventlog", 80, 24, []string{"5"}},
		{"160x48_stopped_urs", 160, 48, []string{"x", "y"}},
		{"160x48_wizard", 160, 48, []string{"a", "j", "enter", "space"}},
		{"80x24_help", 80, 24, []string{"?"}},
		{"79x23", 79, 23, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, seedConfig(), c.w, c.h)
			for i := 0; i < 30; i++ {
				h.step(time.Second)
			}
			h.keys(c.keys...)
			h.step(2 * time.Second)
			golden.RequireEqual(t, []byte(h.view()))
		})
	}
}

// Every line fits the terminal and there are exactly as many lines as rows, at every size from
// the minimum up: nothing wraps into garbage.
func TestResizeKeepsGeometry(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	for _, sz := range [][2]int{{80, 24}, {81, 25}, {100, 30}, {119, 31}, {120, 32}, {139, 40}, {140, 34}, {132, 43}, {160, 48}, {220, 60}, {80, 60}, {240, 24}} {
		for pane := 0; pane < numPanes; pane++ {
			h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			h.m.focusPane(pane)
			lines := strings.Split(h.view(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%dx%d pane %d: %d lines", sz[0], sz[1], pane, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Fatalf("%dx%d pane %d: line %d is %d wide: %q", sz[0], sz[1], pane, i, w, l)
				}
			}
		}
	}
}

func TestTooSmall(t *testing.T) {
	h := newHarness(t, seedConfig(), 80, 24)
	h.wantView("1 Routing")
	for _, sz := range [][2]int{{79, 23}, {79, 24}, {80, 23}, {20, 5}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		want := "enlarge the terminal (need 80x24, have " + itoa(int64(sz[0])) + "x" + itoa(int64(sz[1])) + ")"
		if sz[0] < len(want) {
			want = "enlarge"
		}
		h.wantView(want)
	}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.wantView("1 Routing")
}

// The Strategy Activation Wizard: pick a strategy, multi-select URS with space, enter applies.
func TestActivationWizard(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	if h.activated("B", "URS_1") {
		t.Fatal("B starts on URS_1")
	}
	h.keys("a")
	h.wantView("Activate a strategy")
	h.keys("j", "enter") // A -> B
	h.wantView("Activate B")
	h.wantView("already has B loaded") // URS_2
	h.keys("enter")                    // nothing selected yet
	if _, ok := h.m.dlg.(*pickDialog); !ok {
		t.Fatal("enter with nothing selected closed the wizard")
	}
	h.wantView("nothing selected")
	h.keys("space") // URS_1
	h.wantView("[x] URS_1")
	h.keys("down", "space") // URS_2 is disabled: not toggled
	h.keys("enter")
	if h.m.dlg != nil {
		t.Fatal("wizard still open")
	}
	if !h.activated("B", "URS_1") {
		t.Fatal("B not activated on URS_1")
	}
	h.wantMsg("activated B on URS_1")

	// d: deactivate C from both URS at once (A selects all that can be chosen).
	h.keys("d", "j", "j", "enter", "A", "enter")
	h.wantView("Deactivate C everywhere?") // loaded nowhere afterwards: it asks first
	h.wantView("interactions of fax_in wait for an")
	h.keys("y")
	if h.activated("C", "URS_1") || h.activated("C", "URS_2") {
		t.Fatal("C still activated")
	}
	h.wantMsg("deactivated C on URS_1, URS_2")
	h.step(10 * time.Second)
	if h.snap().Strategies[2].Waiting == 0 {
		t.Fatal("fax interactions should wait for an eligible URS once C is loaded nowhere")
	}

	// esc leaves the wizard without changes.
	h.keys("a", "esc")
	if h.m.dlg != nil {
		t.Fatal("esc did not close the wizard")
	}
}

// t in the Routing pane toggles the cursor's strategy on the cursor's URS; unloading it from the
// last URS that has it asks first, as :deactivate does.
func TestRoutingToggle(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("j", "j", "l", "t") // strategy C, URS_2: loaded there and on URS_1 -> deactivate at once
	if h.activated("C", "URS_2") || h.m.dlg != nil {
		t.Fatal("t did not deactivate C on URS_2 at once")
	}
	h.keys("k", "t") // strategy B, URS_2: its only URS
	h.wantView("Deactivate B everywhere?")
	h.keys("y")
	if h.activated("B", "URS_2") {
		t.Fatal("t did not deactivate B on URS_2 once confirmed")
	}
	h.keys("t")
	if !h.activated("B", "URS_2") {
		t.Fatal("t did not activate B on URS_2 again")
	}
}

// Stop asks for confirmation; n keeps it running, y stops it and its pending interactions are
// resubmitted (visible in the Routing pane, the status bar and the event log); s starts it.
func TestStopConfirmStart(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.command("activate A URS_2") // so what URS_1 holds has somewhere to go
	h.step(30 * time.Second)
	if h.urs("URS_1").Pending == 0 {
		t.Fatal("fixture: URS_1 should have pending interactions")
	}
	h.keys("x")
	h.wantView("Stop URS_1?")
	h.keys("n")
	if !h.appRunning("URS_1") || h.m.dlg != nil {
		t.Fatal("n should keep URS_1 running and close the dialog")
	}
	h.keys("x", "y")
	if h.appRunning("URS_1") {
		t.Fatal("URS_1 still running")
	}
	h.step(time.Second)
	if h.snap().Stats.Resubmitted == 0 || h.snap().URS[1].Resubmitted == 0 {
		t.Fatalf("no resubmission to URS_2: %+v %+v", h.snap().Stats, h.snap().URS[1])
	}
	h.wantView("○ stopped")
	h.wantView("not eligible — stopped")
	h.wantView("resubmissions " + count(h.snap().Stats.Resubmitted))
	h.keys("5", "!") // event log, highlighted only
	h.wantView("◆")
	h.wantView("resubmission=true")
	h.wantView("app=URS_1")

	h.keys("x")
	h.wantErr("select an application") // the event log has no application rows
	h.keys("1", "x")
	h.wantErr("already stopped")
	h.keys("s")
	if !h.appRunning("URS_1") {
		t.Fatal("s did not start URS_1")
	}
	h.wantMsg("started URS_1")
	h.keys("s")
	h.wantErr("already running")
}

// Each pane's selection drives x and s: stop a DB Server from the Database pane.
func TestStopFromDatabasePane(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("3", "G") // last row: DBServer_2
	if sel := h.m.selection(); sel.App != "DBServer_2" {
		t.Fatalf("selection %+v", sel)
	}
	h.keys("x", "y")
	h.step(5 * time.Second)
	h.wantView("DB Server stopped")
	h.keys("s")
	if !h.appRunning("DBServer_2") {
		t.Fatal("DBServer_2 not started")
	}
}

func TestCommandLine(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(5 * time.Second)
	steps := []struct {
		line  string
		check func() bool
		msg   string
	}{
		{"stop URS_1", func() bool { return !h.appRunning("URS_1") }, "stopped URS_1"},
		{"start URS_1", func() bool { return h.appRunning("URS_1") }, "started URS_1"},
		{"activate B URS_1", func() bool { return h.activated("B", "URS_1") }, "activated B on URS_1"},
		{"deactivate C URS_1 URS_2", func() bool { return !h.activated("C", "URS_1") && !h.activated("C", "URS_2") }, "deactivated C"},
		{"set URS_2 default agent_reservation false", func() bool {
			u := h.urs("URS_2")
			return u.Eligible && !u.Reserves
		}, "set URS_2 default/agent_reservation = false"},
		{"set IxnServer annex:agent_reservation URS_2 false", func() bool { return true }, "set IxnServer"},
		{"repoint DAP_2 other", func() bool { return h.snap().DAPs[1].Repointed }, "re-pointed DAP_2 to other"},
		{"join FaxCluster FaxSrv_2", func() bool { return len(h.snap().Clusters[0].Members) == 2 }, "FaxSrv_2 joined FaxCluster"},
		{"leave FaxCluster FaxSrv_1", func() bool { return h.snap().Clusters[0].Members[0].Name == "FaxSrv_2" }, "FaxSrv_1 left FaxCluster"},
		{"switchover", func() bool { return h.snap().ActiveIS == "IxnServer_B" }, "switched over"},
		{"speed 10", func() bool { return h.m.frame.Speed == 10 }, "speed 10x"},
		{"speed 0.5x", func() bool { return h.m.frame.Speed == 0.5 }, "speed 0.5x"},
		{"pause", func() bool { return h.m.frame.Paused }, "paused"},
		{"resume", func() bool { return !h.m.frame.Paused }, "running"},
		{"load other.yaml", func() bool { return h.snap().Scenario == "loaded-scenario" }, "opened loaded-scenario"},
	}
	for _, s := range steps {
		h.command(s.line)
		if d, ok := h.m.dlg.(*confirmDialog); ok && d.danger {
			h.keys("y") // stop, repoint, leave and switchover ask first
		}
		if h.m.msgErr {
			t.Fatalf(":%s: error %s", s.line, h.m.msg)
		}
		if !s.check() {
			t.Fatalf(":%s had no effect", s.line)
		}
		h.wantMsg(s.msg)
	}
	// No other.yaml in the directory: the name goes to the loader as typed (a bundled name).
	if len(h.loads) != 1 || h.loads[0] != "other.yaml" {
		t.Fatalf("loads %v", h.loads)
	}
	if h.snap().T != 0 {
		t.Fatal("the loaded scenario should start at t=0")
	}

	errs := []struct{ line, err string }{
		{"bogus", `unknown command "bogus"`},
		{"stop", "usage: :stop APP"},
		{"stop a b", "usage: :stop APP"},
		{"stop NoSuchApp", `unknown application "NoSuchApp"`},
		{"set URS_1 default", "usage: :set APP SECTION OPTION VALUE"},
		{"activate C", "usage: :activate STRATEGY URS…"},
		{"activate Nope URS_1", `unknown strategy "Nope"`},
		{"repoint DAP_1 nowhere", `unknown database "nowhere"`},
		{"repoint URS_1 ixn", "not a DatabaseAccessPoint"},
		{"join Nope FaxSrv_1", `unknown Application Cluster "Nope"`},
		{"speed fast", `speed: "fast" must be a number`},
		{"speed -3", "must be a number from 0.01 to 100000"},
		{"speed 1e-300", "must be a number from 0.01 to 100000"},
		{`stop "URS_1`, "unterminated double quote"},
		{`stop ""`, "empty argument"},
	}
	for _, e := range errs {
		h.command(e.line)
		h.wantErr(e.err)
		h.wantView("✗ ")
		h.wantView("last error: ")
	}
	h.command("help")
	h.typ("activate")
	h.wantView(":activate STRATEGY URS…")
	h.keys("esc", "esc") // clears the filter, then closes
	h.command("quit")
	if !h.quit {
		t.Fatal(":quit did not quit")
	}
}

func TestCommandLineQuoting(t *testing.T) {
	h := newHarness(t, spacedConfig(), 160, 48)
	h.command(`stop! "URS 1"`)
	if h.appRunning("URS 1") {
		t.Fatalf("URS 1 still running: %s", h.m.msg)
	}
	h.command(`activate B "URS 1" URS_2`)
	if !h.activated("B", "URS 1") {
		t.Fatalf("B not on URS 1: %s", h.m.msg)
	}
	h.command(`stop URS 1`)
	h.wantErr("usage: :stop APP")

	// Tab completion quotes names with spaces.
	h.keys(":")
	h.typ("start UR")
	h.keys("tab")
	if v := h.m.cmd.Value(); v != `start URS` {
		t.Fatalf("completion of UR gave %q", v)
	}
	h.wantView("tab: URS 1  URS_2")
	h.typ(" ")
	h.m.cmd.SetValue(`start "URS `)
	h.keys("tab")
	if v := h.m.cmd.Value(); v != `start "URS 1" ` {
		t.Fatalf("completion in quotes gave %q", v)
	}
	h.keys("enter")
	if !h.appRunning("URS 1") {
		t.Fatalf("URS 1 not started: %s", h.m.msg)
	}
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{`stop URS_1`, []string{"stop", "URS_1"}, false},
		{`  stop   "URS 1"  `, []string{"stop", "URS 1"}, false},
		{`set "My App" settings x "a \"b\" c"`, []string{"set", "My App", "settings", "x", `a "b" c`}, false},
		{`a""b`, []string{"ab"}, false},
		{`stop "URS 1`, nil, true},
		{``, []string{}, false},
	}
	for _, c := range cases {
		got, err := tokenize(c.in)
		if (err != nil) != c.err {
			t.Fatalf("%q: err %v", c.in, err)
		}
		if err == nil && strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Fatalf("%q: got %q want %q", c.in, got, c.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	cases := []struct{ in, want string }{
		{"sto", "stop "},
		{"st", "st"},
		{"stop Ixn", "stop IxnServer"},
		{"stop IxnServer_", "stop IxnServer_B "},
		{"activate ", "activate "},
		{"activate C URS_", "activate C URS_"},
		{"repoint DAP_1 ot", "repoint DAP_1 other "},
		{"join Fax", "join FaxCluster "},
		{"set URS_1 def", "set URS_1 default "},
		{"set URS_1 default agent", "set URS_1 default agent_reservation "},
		{"set URS_1 default agent_reservation f", "set URS_1 default agent_reservation false "},
		{"nonsense x", "nonsense x"},
		{"stop URS_1 extra", "stop URS_1 extra"},
	}
	for _, c := range cases {
		got, _ := h.m.complete(c.in)
		if got != c.want {
			t.Errorf("complete(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCommandHistory(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.command("pause")
	h.command("resume")
	h.keys(":", "up")
	if v := h.m.cmd.Value(); v != "resume" {
		t.Fatalf("up gave %q", v)
	}
	h.keys("up")
	if v := h.m.cmd.Value(); v != "pause" {
		t.Fatalf("up up gave %q", v)
	}
	h.keys("down", "down")
	if v := h.m.cmd.Value(); v != "" {
		t.Fatalf("down down gave %q", v)
	}
	// A line being typed survives a look at the history (attack 21 N3).
	h.typ("stop URS_2")
	h.keys("up", "up", "down", "down")
	if v := h.m.cmd.Value(); v != "stop URS_2" {
		t.Fatalf("the draft came back as %q", v)
	}
	h.keys("esc")
	if h.m.cmdOn {
		t.Fatal("esc did not close the command line")
	}
	// A new line starts empty.
	h.keys(":", "up", "down")
	if v := h.m.cmd.Value(); v != "" {
		t.Fatalf("a new line's draft is %q", v)
	}
}

// o opens a file picker in the current directory; choosing a file loads it and asks before
// replacing the running scenario.
func TestOpenScenario(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.yaml", "b.yml", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("version: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.dir = dir
	h.step(10 * time.Second)
	h.keys("o")
	h.wantView("Open a scenario file")
	h.wantView("a.yaml")
	h.keys("j", "enter") // b.yml
	if len(h.loads) != 1 || h.loads[0] != filepath.Join(dir, "b.yml") {
		t.Fatalf("loads %v", h.loads)
	}
	h.wantView("Open loaded-scenario?")
	h.wantView("its session is saved")
	h.keys("n")
	if h.snap().Scenario != "seed-example" {
		t.Fatal("n replaced the scenario")
	}
	h.keys("o", "enter", "y")
	if s := h.snap(); s.Scenario != "loaded-scenario" || s.T != 0 {
		t.Fatalf("not replaced: %s at %d", s.Scenario, s.T)
	}
	h.wantMsg("opened loaded-scenario (a new session) from " + filepath.Join(dir, "a.yaml"))
	h.keys("5")
	h.wantView("no events yet")
}

// A load that fails shows its error and keeps the running scenario.
func TestLoadError(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.load = func(path string) (core.Config, []string, error) {
		return core.Config{}, nil, errors.New(path + ":3:7: unknown field \"bogus\"")
	}
	h.command("load bad.yaml")
	h.wantErr(`bad.yaml:3:7: unknown field "bogus"`)
	if h.snap().Scenario != "seed-example" {
		t.Fatal("scenario replaced")
	}
	h.m.load = nil
	h.keys("o")
	h.wantErr("not available")
}

func TestEventLogFilter(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	h.command("stop! URS_1")
	h.step(5 * time.Second)
	lp := h.m.panes[paneLog].(*logPane)
	all := len(lp.visible())
	h.keys("/")
	if h.m.focus != paneLog || !lp.editing {
		t.Fatal("/ should focus the event log and open its filter")
	}
	h.typ(`resubmission=true`)
	got := lp.visible()
	if len(got) == 0 || len(got) >= all {
		t.Fatalf("filter kept %d of %d", len(got), all)
	}
	for _, l := range got {
		if !strings.Contains(l, `"resubmission":true`) {
			t.Fatalf("filter let through %s", l)
		}
	}
	h.keys("q") // typed into the filter, not a quit
	if h.quit {
		t.Fatal("q in the filter quit the console")
	}
	h.keys("backspace", "enter")
	if lp.editing {
		t.Fatal("enter did not close the filter input")
	}
	h.wantView(`/resubmission=true · `)
	// New events keep being filtered.
	h.command("stop! URS_2")
	h.command("start URS_1")
	h.step(5 * time.Second)
	for _, l := range lp.visible() {
		if !strings.Contains(l, `"resubmission":true`) {
			t.Fatalf("filter let through %s", l)
		}
	}
	// Case is folded.
	h.keys("/")
	h.m.panes[paneLog].(*logPane).input.SetValue("")
	h.typ("APP_STOPPED")
	if n := len(lp.visible()); n != 2 {
		t.Fatalf("APP_STOPPED matched %d events, want 2", n)
	}
	h.keys("esc")
	if len(lp.visible()) <= all {
		t.Fatal("esc did not clear the filter")
	}
	// enter shows the event's JSON line.
	h.keys("enter")
	h.wantView(`"kind":`)
	h.keys("esc")
}

// The ring keeps the newest events only, and the filter's matches follow it; the pane says it
// holds the last of the session's events and that a filter did not search the older ones
// (attack 21 F8).
func TestEventLogRing(t *testing.T) {
	th := newTheme()
	g := newGlobalKeys()
	p := newLogPane(th, &g, 10)
	p.SetSize(60, 5)
	p.filter = "odd"
	var evs []live.LogEntry
	for i := 0; i < 25; i++ {
		l := `{"t":0,"seq":` + itoa(int64(i)) + `,"kind":"completed","ixn":` + itoa(int64(i))
		if i%2 == 1 {
			l += `,"x":"odd"`
		}
		evs = append(evs, live.LogEntry{Seq: uint64(i + 1), Line: l + "}"}) // events count from 1
	}
	p.Update(frameMsg{&live.Frame{Events: evs[:7]}})
	if got := p.Info(); got != "/odd · 3 of 7 events" {
		t.Fatalf("before the ring is full: %q", got)
	}
	p.Update(frameMsg{&live.Frame{Events: evs[7:]}})
	if p.n != 10 || p.base != 15 {
		t.Fatalf("ring n=%d base=%d", p.n, p.base)
	}
	got := p.visible()
	if len(got) != 5 || !strings.Contains(got[0], `"seq":15`) || !strings.Contains(got[4], `"seq":23`) {
		t.Fatalf("matches %v", got)
	}
	if got := p.Info(); got != "/odd · 5 of the last 10 of 25 events (15 older not searched)" {
		t.Fatalf("filtered: %q", got)
	}
	p.filter = ""
	p.refilter()
	if got := p.visible(); len(got) != 10 || !strings.Contains(got[9], `"seq":24`) {
		t.Fatalf("all %v", got)
	}
	if got := p.Info(); got != "the last 10 of 25 events" {
		t.Fatalf("unfiltered: %q", got)
	}
}

func TestPauseSpeedKeys(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("space")
	if !h.m.frame.Paused {
		t.Fatal("space did not pause")
	}
	h.wantView("‖ paused")
	h.keys("space", "+", "+")
	if f := h.m.frame; f.Paused || f.Speed != 5 {
		t.Fatalf("paused %v speed %v", f.Paused, f.Speed)
	}
	h.keys("-", "-", "-")
	if h.m.frame.Speed != 0.5 {
		t.Fatalf("speed %v", h.m.frame.Speed)
	}
	// Below the slowest step - halves: it never speeds up (attack 20 B8), down to 0.01x.
	h.command("speed 0.3")
	h.keys("-")
	if h.m.frame.Speed != 0.15 {
		t.Fatalf("- from 0.3 gave %v", h.m.frame.Speed)
	}
	h.keys("-", "-", "-", "-", "-", "-", "-", "-")
	if h.m.frame.Speed != live.MinSpeed {
		t.Fatalf("- eight times from 0.15 gave %v", h.m.frame.Speed)
	}
	h.wantMsg("slowest pace already")
	h.wantView("0.01x")
	h.keys("+")
	if h.m.frame.Speed != 0.5 {
		t.Fatalf("+ from 0.01 gave %v", h.m.frame.Speed)
	}
	h.command("speed 7")
	h.keys("+")
	if h.m.frame.Speed != 10 {
		t.Fatalf("+ from 7 gave %v", h.m.frame.Speed)
	}
	h.command("speed 7")
	h.keys("-")
	if h.m.frame.Speed != 5 {
		t.Fatalf("- from 7 gave %v", h.m.frame.Speed)
	}
}

func TestFocusKeys(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	want := []int{paneESP, paneDB, paneIxn, paneLog, paneRouting}
	for _, w := range want {
		h.keys("tab")
		if h.m.focus != w {
			t.Fatalf("tab: focus %d want %d", h.m.focus, w)
		}
	}
	h.keys("shift+tab")
	if h.m.focus != paneLog {
		t.Fatalf("shift+tab: focus %d", h.m.focus)
	}
	h.keys("3")
	if h.m.focus != paneDB {
		t.Fatalf("3: focus %d", h.m.focus)
	}
	h.keys("q")
	if !h.quit {
		t.Fatal("q did not quit")
	}
}

func TestMouse(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	r := h.m.rects[paneDB]
	// Click the first IS row: summary line, heading, then IxnServer.
	h.send(tea.MouseMsg{X: r.x + 5, Y: r.y + 1 + 2, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if h.m.focus != paneDB {
		t.Fatalf("click did not focus the Database pane: %d", h.m.focus)
	}
	if sel := h.m.selection(); sel.App != "IxnServer" {
		t.Fatalf("click selected %+v", sel)
	}
	h.send(tea.MouseMsg{X: r.x + 5, Y: r.y + 1 + 3, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if sel := h.m.selection(); sel.App != "IxnServer_B" {
		t.Fatalf("click selected %+v", sel)
	}
	// Click a URS column in the Routing matrix.
	rr := h.m.rects[paneRouting]
	g := h.m.panes[paneRouting].(*routingPane).geom()
	h.send(tea.MouseMsg{X: rr.x + 1 + g.leftW + 2 + g.colW + 1, Y: rr.y + 1 + g.head + 2, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if sel := h.m.selection(); sel.App != "URS_2" || sel.Strategy != "C" {
		t.Fatalf("matrix click selected %+v", sel)
	}
	// Compact layout: the tab bar focuses panes.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.view()
	tab := h.m.tabs[paneLog]
	h.send(tea.MouseMsg{X: tab.x0 + 1, Y: 0, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if h.m.focus != paneLog {
		t.Fatalf("tab click: focus %d", h.m.focus)
	}
	h.send(tea.MouseMsg{X: 10, Y: 10, Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
}

func TestSetOptionForm(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("l", "e") // URS_2 selected in the Routing pane: the form starts at the section
	d, ok := h.m.dlg.(*formDialog)
	if !ok || d.value(0) != "URS_2" || d.focus != 1 {
		t.Fatalf("form %+v", h.m.dlg)
	}
	h.typ("def")
	h.keys("tab") // completes "default"
	if d.value(1) != "default" {
		t.Fatalf("section %q", d.value(1))
	}
	h.keys("tab")
	h.typ("agent_reservation")
	h.keys("enter")
	h.keys("enter") // empty value
	h.wantView("value is empty")
	h.typ("false")
	h.keys("enter")
	if h.m.dlg != nil {
		t.Fatalf("form still open: %s", d.errMsg)
	}
	if u := h.urs("URS_2"); u.Reserves {
		t.Fatal("URS_2 still reserves agents")
	}
	h.keys("5", "!")
	h.wantView("config_changed")
}

func TestRepointAndSwitchover(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(10 * time.Second)
	h.keys("r") // not on a DAP: pick the DAP first
	h.wantView("Re-point a DAP")
	h.keys("j", "enter") // DAP_2
	h.wantView("Genesys recommends against")
	h.keys("k", "enter") // ixn is current: refused
	h.wantView("ixn is where DAP_2 points now")
	h.keys("j", "enter") // other
	h.wantView("Re-point DAP_2 to other?")
	h.wantView("interactions left in ixn count as lost")
	h.keys("y")
	if !h.snap().DAPs[1].Repointed {
		t.Fatal("DAP_2 not re-pointed")
	}
	h.keys("3")
	h.wantView("≠ other")
	h.wantView("points at other, not ixn, the database IxnServer uses")
	h.keys("w")
	h.wantView("Switch over IxnServer → IxnServer_B?")
	h.wantView("DAP_2 now points at other")
	h.keys("y")
	if h.snap().ActiveIS != "IxnServer_B" {
		t.Fatal("no switchover")
	}
	h.wantView("★ active")
}

func TestMembership(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("2", "m") // the cluster row is selected
	h.wantView("Application Cluster FaxCluster")
	h.wantView("[x] FaxSrv_1")
	h.wantView("is a ClassificationServer;")
	// Items: ClassSrv_1, ClassSrv_2, EmailSrv_1 (disabled), FaxSrv_1 (the cursor), FaxSrv_2, IMSrv_1.
	h.keys("space", "space", "enter")      // FaxSrv_1 leaves, FaxSrv_2 joins
	h.wantView("no longer go to FaxSrv_1") // leaving asks first
	h.keys("y")
	cl := h.snap().Clusters[0]
	if len(cl.Members) != 1 || cl.Members[0].Name != "FaxSrv_2" {
		t.Fatalf("members %+v", cl.Members)
	}
	h.wantMsg("FaxCluster: FaxSrv_1 left, FaxSrv_2 joined")
	h.keys("m", "enter")
	h.wantMsg("no change to FaxCluster")
}

func TestDialogsNeverCrashOnEmptyScenario(t *testing.T) {
	cfg := seedConfig()
	cfg.Clusters = nil
	cfg.Strategies[2].Steps[0].Via = "ThirdPartyServer"
	h := newHarness(t, cfg, 80, 24)
	h.keys("m")
	h.wantErr("no Application Clusters")
	for _, k := range []string{"a", "esc", "d", "esc", "e", "esc", "r", "esc", "w", "n", "?", "esc", "o", "esc"} {
		h.keys(k)
	}
	for i := 0; i < numPanes; i++ {
		h.keys(itoa(int64(i+1)), "j", "k", "G", "g", "pgdown", "pgup", "h", "l", "enter", "esc")
		h.view()
	}
}

func TestFormatFields(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"t":1,"seq":2,"kind":"to_urs","ixn":41,"strategy":"C","urs":"URS_2","resubmission":false}`, `ixn=41 strategy=C urs=URS_2`},
		{`{"t":1,"seq":2,"kind":"to_urs","ixn":41,"strategy":"C","urs":"URS 2","resubmission":true}`, `ixn=41 strategy=C urs="URS 2" resubmission=true`},
		{`{"t":1,"seq":3,"kind":"config_changed","app":"DAP_2","detail":"say \"hi\", ok"}`, `app=DAP_2 detail="say \"hi\", ok"`},
		{`{"t":1,"seq":4,"kind":"completed","ixn":7}`, `ixn=7`},
		{`not json`, ``},
	}
	for _, c := range cases {
		if got := formatFields(c.in); got != c.want {
			t.Errorf("formatFields(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// The scenario's lint warnings, printed on stderr before the console takes the screen, are
// counted in the status line when it opens.
func TestLintWarningsInStatusLine(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.warnings([]string{"x.yaml:3:4: warning dap-repoint: DAP_2 re-pointed", "x.yaml:5:1: warning other"})
	h.wantView("2 lint warning(s), first: x.yaml:3:4: warning dap-repoint")
}

// :restart asks first, then restarts the Interaction Server, which restores from its database
// (what was in a URS is resubmitted); read-only refuses it.
func TestRestartCommand(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	before := h.snap().Stats.Resubmitted
	h.command("restart")
	h.wantView("Restart IxnServer?")
	h.keys("y")
	h.wantMsg("restarted IxnServer")
	h.step(time.Second)
	if h.snap().Stats.Resubmitted <= before {
		t.Fatalf("a restart resubmitted nothing (%d before, %d after)", before, h.snap().Stats.Resubmitted)
	}
	h.command("restart URS_1")
	h.wantErr("not an Interaction Server")
}
