package tui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// Dangerous actions ask first on both paths, key and command, and say what will happen;
// `:name!` skips the question; n leaves everything as it was.
func TestDangerousActionsConfirm(t *testing.T) {
	cases := []struct {
		name   string
		do     func(h *harness)
		want   string // in the confirmation
		undone func(h *harness) bool
	}{
		{"x", func(h *harness) { h.keys("x") }, "resubmits the", func(h *harness) bool { return h.appRunning("URS_1") }},
		{":stop", func(h *harness) { h.command("stop URS_2") }, "Stop URS_2?", func(h *harness) bool { return h.appRunning("URS_2") }},
		{":switchover", func(h *harness) { h.command("switchover") }, "takes over from IxnServer", func(h *harness) bool { return h.snap().ActiveIS == "IxnServer" }},
		{":repoint", func(h *harness) { h.command("repoint DAP_2 other") }, "recommends against", func(h *harness) bool { return !h.snap().DAPs[1].Repointed }},
		{":leave", func(h *harness) { h.command("leave FaxCluster FaxSrv_1") }, "no longer go to FaxSrv_1", func(h *harness) bool { return len(h.snap().Clusters[0].Members) == 1 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, seedConfig(), 160, 48)
			h.step(5 * time.Second)
			c.do(h)
			d, ok := h.m.dlg.(*confirmDialog)
			if !ok || !d.danger {
				t.Fatalf("no confirmation (status %q)", h.m.msg)
			}
			h.wantView(c.want)
			h.wantView("This disrupts service")
			h.keys("n")
			if !c.undone(h) {
				t.Fatal("n carried it out")
			}
			c.do(h)
			h.keys("y")
			if c.undone(h) {
				t.Fatalf("y did not carry it out (status %q)", h.m.msg)
			}
		})
	}
	h := newHarness(t, seedConfig(), 160, 48)
	h.command("stop! URS_2")
	if h.m.dlg != nil || h.appRunning("URS_2") {
		t.Fatal(":stop! should stop at once")
	}
}

// The key and the command share the disabled checks: x on a stopped URS and :stop of a stopped
// URS say the same, and nothing asks first.
func TestDisabledSharedByKeyAndCommand(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.command("stop! URS_1")
	h.keys("x")
	h.wantErr("URS_1 is already stopped")
	h.command("stop URS_1")
	h.wantErr("URS_1 is already stopped")
	if h.m.dlg != nil {
		t.Fatal("a dialog opened for a refused action")
	}
	h.keys("s")
	h.wantMsg("started URS_1")
	h.command("start URS_1")
	h.wantErr("URS_1 is already running")
	h.command("stop URS_9")
	h.wantErr(`unknown application "URS_9" (did you mean "URS_1"?)`)
	h.command("switchover IxnServr")
	h.wantErr(`unknown Interaction Server "IxnServr"`)
	h.command("leave FaxCluster FaxSrv_2")
	h.wantErr("FaxSrv_2 is not a member of FaxCluster")
	h.command("repoint DAP_2 ixn")
	h.wantErr("DAP_2 already points at ixn")
}

// Read-only: everything can be looked at, nothing changes the simulation; keys and commands that
// would say so, and the hints leave them out.
func TestReadOnly(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.SetReadOnly(true)
	h.step(5 * time.Second)
	h.wantView("read-only ►") // the status line says so
	before := h.snap().EventCount
	for _, k := range []string{"x", "s", "a", "d", "e", "r", "w", "m", "t"} {
		h.keys("esc", k)
		if k == "t" {
			continue // Routing's toggle goes through the same gate: checked below
		}
		h.wantErr("read-only: :") // the key's refusal names the command, as the command's does
		if h.m.dlg != nil {
			t.Fatalf("%s opened a dialog", k)
		}
	}
	h.wantErr("read-only")
	for _, c := range []string{"stop URS_1", "stop! URS_1", "start URS_1", "activate B URS_1", "deactivate C URS_1",
		"set URS_1 default agent_reservation false", "repoint DAP_2 other", "join FaxCluster FaxSrv_2",
		"leave FaxCluster FaxSrv_1", "switchover", "members"} {
		h.command(c)
		h.wantErr("read-only")
	}
	if !h.appRunning("URS_1") || h.snap().ActiveIS != "IxnServer" || len(h.loads) != 0 {
		t.Fatal("read-only changed the simulation")
	}
	if h.snap().EventCount != before {
		t.Fatal("events happened without time passing")
	}
	// Looking around and pacing still work.
	h.keys("2", "?")
	h.typ("stop")
	h.wantView("refused")
	h.keys("esc", "esc")
	h.command("speed 10")
	h.wantMsg("speed 10x")
	h.command("pause")
	h.wantMsg("paused")
	hint := strings.Split(h.view(), "\n")[47]
	for _, bad := range []string{"stop app", "start app", "activate"} {
		if strings.Contains(hint, bad) {
			t.Fatalf("hint offers %q in read-only: %s", bad, hint)
		}
	}
	// Switching scenarios changes no simulation: read-only opens another (from its start).
	h.keys("o")
	if d, ok := h.m.dlg.(*pickDialog); !ok || !strings.Contains(d.Title(), "Open") {
		t.Fatalf("o in read-only: dialog %T, status %q", h.m.dlg, h.m.msg)
	}
	h.keys("esc")
	h.command("load other.yaml")
	h.wantMsg("opened loaded-scenario")
	if len(h.loads) != 1 || h.snap().Scenario != "loaded-scenario" {
		t.Fatalf("read-only :load: loads %v, running %s", h.loads, h.snap().Scenario)
	}
}

// :set is checked against the engine's option registry: out-of-range values and options ixlb
// does not read are refused with what is valid; the form refuses the same.
func TestSetOptionValidated(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	errs := []struct{ line, want string }{
		{"set URS_1 default agent_reservation maybe", `"maybe" is not valid for agent_reservation: want true or false`},
		{"set IxnServer settings delivering-timeout 0", "1–86400 seconds"},
		{"set IxnServer settings delivering-timout 30", `did you mean "settings delivering-timeout"?`},
		{"set IxnServer annex:agent_reservation URS_9 true", "ixlb does not read annex:agent_reservation/URS_9"},
		{"set URS_1 annex:IxnServer max-submitted-interactions -1", "a whole number 0–50000"},
		{"set Nope default agent_reservation true", `unknown application "Nope"`},
	}
	for _, e := range errs {
		h.command(e.line)
		h.wantErr(e.want)
	}
	for _, ok := range []string{"set URS_1 default agent_reservation yes", "set IxnServer settings delivering-timeout 45s",
		"set URS_1 annex:IxnServer max-submission-rate 10/second"} {
		h.command(ok)
		if h.m.msgErr {
			t.Fatalf("%s: %s", ok, h.m.msg)
		}
	}
	// Completion offers the registry's values.
	if line, _ := h.m.complete("set URS_1 default agent_reservation m"); line != "set URS_1 default agent_reservation m" {
		t.Fatalf("completed a value that is not offered: %q", line)
	}
	if line, _ := h.m.complete("set URS_1 default agent_reservation t"); line != "set URS_1 default agent_reservation true " {
		t.Fatalf("completion %q", line)
	}
	h.keys("e")
	h.typ("default")
	h.keys("tab")
	h.typ("agent_reservation")
	h.keys("tab")
	h.typ("maybe")
	h.keys("enter")
	h.wantView("want true or false")
}

// :messages keeps every message of the session, lint warnings in full; the status bar's last
// error goes with the next success.
func TestMessagesAndLastError(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	long := "x.yaml:3:4: warning dap-repoint: DAP_2 points at other " + strings.Repeat("and a long explanation ", 10) + "END"
	h.m.warnings([]string{long})
	h.command("stop URS_9")
	h.wantView("last error: ")
	h.command("speed 5")
	if strings.Contains(h.view(), "last error: ") {
		t.Fatal("the last error stayed after a success")
	}
	h.command("messages")
	h.wantView("Messages (")
	v := strings.ReplaceAll(h.view(), "\n", " ")
	for _, want := range []string{"END", `unknown application "URS_9"`, "speed 5x"} {
		if !strings.Contains(v, want) {
			t.Fatalf(":messages lacks %q", want)
		}
	}
}

// ? lists the keys and the commands and filters as you type.
func TestHelpFilters(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("?")
	h.wantView("Help — keys and commands")
	h.typ("switch")
	h.wantView(":switchover [IS]")
	h.wantView("(:switchover! does not)")
	if strings.Contains(h.view(), "next pane") {
		t.Fatal("the filter did not filter")
	}
	h.keys("esc") // clears the filter
	h.wantView("next pane")
	h.typ("cluster")
	h.wantView(":join CLUSTER APP")
	h.wantView("ESP pane")
	h.keys("esc", "esc")
	if h.m.dlg != nil {
		t.Fatal("esc esc should close the help")
	}
}

func TestSpeedRefusesNaN(t *testing.T) {
	for _, s := range []string{"NaN", "nan", "Inf", "+Inf", "-inf", "0", "-1", "1e9", "fast", ""} {
		if _, err := live.ParseSpeed(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"0.5", "1", "10x", "100000"} {
		if _, err := live.ParseSpeed(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	h := newHarness(t, seedConfig(), 160, 48)
	h.command("speed NaN")
	h.wantErr("must be a number")
	if h.m.frame.Speed != 1 {
		t.Fatalf("speed %v", h.m.frame.Speed)
	}
}

// Names from a scenario file may hold escape sequences (retitle the terminal, blink, move the
// cursor): the console draws them escaped, and actions on them still reach the right
// application.
func TestControlCharactersEscaped(t *testing.T) {
	evil := "URS\x1b]0;pwned\x07\x1b[5m\u202e1"
	c := seedConfig()
	for i := range c.Apps {
		if c.Apps[i].Name == "URS_1" {
			c.Apps[i].Name = evil
		}
		if ar, ok := c.Apps[i].Annex["agent_reservation"]; ok {
			ar[evil] = ar["URS_1"]
			delete(ar, "URS_1")
		}
	}
	for i := range c.Strategies {
		for j, u := range c.Strategies[i].ActivatedOn {
			if u == "URS_1" {
				c.Strategies[i].ActivatedOn[j] = evil
			}
		}
	}
	c.Name = "evil\x1b[2J"
	for _, sz := range [][2]int{{160, 48}, {80, 24}} {
		h := newHarness(t, c, sz[0], sz[1])
		h.step(5 * time.Second)
		for _, k := range []string{"1", "2", "3", "4", "5", "?", "esc", "a", "esc"} {
			h.keys(k)
			if v := h.view(); strings.ContainsAny(v, "\x1b\x07\u202e") {
				t.Fatalf("%dx%d after %s: a raw control character reaches the terminal", sz[0], sz[1], k)
			}
		}
		h.wantView(`URS\x1b]0;pwned`)
		h.keys("1", "x", "y")
		h.step(time.Second)
		for _, a := range h.snap().Apps {
			if a.Name == `URS\x1b]0;pwned\x07\x1b[5m\u202e1` && a.Running {
				t.Fatalf("the escaped URS was not stopped: %s", h.m.msg)
			}
		}
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"URS_1":          "URS_1",
		"é ✓ 漢字":         "é ✓ 漢字",
		"a\x1b[5mb":      `a\x1b[5mb`,
		"t\x07\r\n\x7f":  `t\x07\x0d\x0a\x7f`,
		"c1\u009bx":      `c1\x9bx`,
		"bidi\u202eevil": `bidi\u202eevil`,
		"bad\xffutf8":    `bad\xffutf8`,
	} {
		if got := safeText(in); got != want {
			t.Errorf("safeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Opening a scenario with a saved session offers to resume it or start over; :load resumes,
// :load! starts over after saying what is erased; lint warnings of the scenario go to :messages.
func TestOpenWithSavedSession(t *testing.T) {
	var fresh []bool
	h := newHarnessWith(t, seedConfig(), 160, 48, live.RunnerOptions{
		OpenScenario: func(_ core.Config, _ string, f bool) (live.ScenarioSession, error) {
			fresh = append(fresh, f)
			return live.ScenarioSession{}, nil
		}})
	h.m.savedSession = func(core.Config, string) string { return "at virtual 5s, 40 events, in /x" }
	h.loadWarnings = []string{"other.yaml:3:1: warning dap-repoint: a warning in full"}
	h.command("load other.yaml")
	h.wantMsg("resumed its saved session")
	h.command("load! other.yaml")
	h.wantView("Start loaded-scenario over?")
	h.wantView("erases the saved session of loaded-scenario: at virtual 5s")
	h.keys("n")
	h.command("load! other.yaml")
	h.keys("y")
	h.wantMsg("started over")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("version: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.m.dir = dir
	h.keys("o", "enter")
	h.wantView("has a saved session: at virtual 5s")
	h.keys("r")
	h.keys("o", "enter", "f")
	if want := []bool{false, true, false, true}; !slices.Equal(fresh, want) {
		t.Fatalf("fresh %v, want %v", fresh, want)
	}
	h.command("messages")
	h.wantView("a warning in full")
}

// o lists directories and scenario files only, says how many other files it leaves out, goes
// down into directories and up with "..", and starts next to the running scenario's file.
func TestFilePicker(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "drills")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(dir, "notes.txt"), filepath.Join(dir, "run.json"), filepath.Join(sub, "switchover.yaml")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(dir, "main.yaml")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, seedConfig(), 160, 48, live.RunnerOptions{})
	h.m.seenSource = ""
	h.m.takeFrame(&live.Frame{Snap: h.snap(), Source: src, Gen: h.m.frame.Gen})
	if h.m.dir != dir {
		t.Fatalf("picker starts in %q, want the scenario's directory %q", h.m.dir, dir)
	}
	h.keys("o")
	h.wantView("main.yaml")
	h.wantView("drills/")
	h.wantView("2 other file(s) not listed: a scenario is a .yaml or .yml file")
	if strings.Contains(h.view(), "notes.txt") {
		t.Fatal("a non-scenario file is listed")
	}
	h.keys("k", "enter") // drills/
	h.wantView("switchover.yaml")
	h.keys("k", "enter") // ../
	h.wantView("main.yaml")
	h.keys("enter")
	if len(h.loads) != 1 || h.loads[0] != src {
		t.Fatalf("loads %v", h.loads)
	}
}

// A file name with an escape sequence is drawn escaped in the picker and in the question asked
// before opening it (it once retitled the terminal from the confirmation).
func TestFileNamesEscapedInDialogs(t *testing.T) {
	dir := t.TempDir()
	evil := "ev\x1b]0;pwned\x07il.yaml"
	if err := os.WriteFile(filepath.Join(dir, evil), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.dir = dir
	h.keys("o")
	h.wantView(`ev\x1b]0;pwned\x07il.yaml`)
	h.keys("enter")
	if len(h.loads) != 1 || filepath.Base(h.loads[0]) != evil {
		t.Fatalf("loads %q: the real file name must reach the loader", h.loads)
	}
	h.wantView("Open loaded-scenario?")
	if v := h.view(); strings.ContainsAny(v, "\x1b\x07") {
		t.Fatal("a raw control character reaches the terminal")
	}
	h.wantView(`ev\x1b]0;pwned`) // escaped (the long path wraps in the question)
}

// The snapshot copy escapes strings in slices, nested structs and maps, and leaves the engine's
// snapshot as it was.
func TestSafeSnapshotCopies(t *testing.T) {
	s := &core.Snapshot{Scenario: "ok", URS: []core.URSView{{AppView: core.AppView{Name: "U\x1b[5m"}}},
		Occupancy: map[string]float64{"G\x07": 0.5}}
	names := map[string]string{}
	c := safeSnapshot(s, names)
	if c == s || c.URS[0].Name != `U\x1b[5m` || c.Occupancy[`G\x07`] != 0.5 {
		t.Fatalf("copy %+v", c)
	}
	if s.URS[0].Name != "U\x1b[5m" || names[`U\x1b[5m`] != "U\x1b[5m" {
		t.Fatal("the original changed, or the name map lacks the real name")
	}
	if safe := (&core.Snapshot{Scenario: "fine"}); safeSnapshot(safe, names) != safe {
		t.Fatal("a safe snapshot is copied")
	}
}

// Every entry of the action table is complete, and keeps the table's rules: a key runs
// something, a command has a plan or a run, a dangerous action is a plan (nothing runs before its
// question is answered) with a question, a plan changes the simulation, and no key or command
// spelling is bound twice.
func TestActionTableComplete(t *testing.T) {
	seenKey := map[string]string{}
	seenCmd := map[string]string{}
	for _, a := range actions {
		id := a.name
		if id == "" {
			id = a.key.Help().Key
		}
		if a.hasKey() {
			if a.onKey == nil && a.selected == nil {
				t.Errorf("%s: a key with nothing to run", id)
			}
			for _, k := range a.key.Keys() {
				if prev, dup := seenKey[k]; dup {
					t.Errorf("key %q bound twice (%s, %s)", k, prev, id)
				}
				seenKey[k] = id
			}
		}
		for _, c := range append([]string{a.name}, a.aliases...) {
			if prev, dup := seenCmd[c]; c != "" && dup {
				t.Errorf("command %q spelled twice (%s, %s)", c, prev, id)
			}
			seenCmd[c] = id
		}
		if (a.name != "" || a.selected != nil) && (a.run == nil) == (a.plan == nil) {
			t.Errorf("%s: needs exactly one of plan and run", id)
		}
		if (a.dangerous || a.dangerIf != nil) && (a.confirm == nil || a.plan == nil) {
			t.Errorf("%s is dangerous: it needs a question and a plan (a run would act before asking)", id)
		}
		if a.plan != nil && !a.changes {
			t.Errorf("%s has a plan but does not change the simulation", id)
		}
		if a.summary == "" {
			t.Errorf("%s has no summary for the help", id)
		}
		if a.hint != 0 && !a.hasKey() && a.short == "" {
			t.Errorf("%s is in the hint without a key or a short text", id)
		}
	}
}
