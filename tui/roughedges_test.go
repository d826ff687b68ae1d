package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// The rough edges a new user met (issue 20), each as they met it.

// The log filter matches a quoted name as the screen shows it: /urs="URS 1" finds the lines
// that show urs="URS 1", and "URS 1" as a word does too.
func TestFilterMatchesAQuotedNameOnScreen(t *testing.T) {
	h := newHarness(t, spacedConfig(), 160, 48)
	h.step(30 * time.Second)
	h.wantView(`urs="URS 1"`) // how the log draws the name
	lp := h.m.panes[paneLog].(*logPane)
	for _, f := range []string{`urs="URS 1"`, `"URS 1"`, `urs="urs 1" kind=to_urs`} {
		h.keys("esc", "esc")
		h.keys("/")
		h.typ(f)
		h.keys("enter")
		n := lp.vlen()
		if n == 0 {
			t.Fatalf("/%s: %s", f, lp.Info())
		}
		for _, l := range lp.visible() {
			if !strings.Contains(l, `"urs":"URS 1"`) {
				t.Fatalf("/%s let through %s", f, l)
			}
		}
		h.wantView(`urs="URS 1"`)
		h.wantView(itoa(int64(n)) + " of ")
	}
}

// The log filter and ! start over in another scenario: its log is not hidden by the last one's.
func TestFilterStartsOverInAnotherScenario(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(10 * time.Second)
	h.keys("/")
	h.typ("urs=URS_2")
	h.keys("enter", "5", "!")
	lp := h.m.panes[paneLog].(*logPane)
	if !lp.filtering() {
		t.Fatal("the filter is not on")
	}
	h.command("load other.yaml")
	h.wantMsg("opened loaded-scenario")
	h.step(5 * time.Second)
	if lp.filtering() || lp.filter != "" || lp.hotOnly {
		t.Fatalf("the filter survived the switch: %q, highlighted only %v", lp.filter, lp.hotOnly)
	}
	if strings.Contains(h.view(), "no event matches the filter") || lp.vlen() == 0 {
		t.Fatal("the new scenario's log is hidden")
	}
	// A rewind of the same scenario keeps it.
	h.keys("/")
	h.typ("kind=submitted")
	h.keys("enter")
	h.command("goto 0:03")
	if lp.filter != "kind=submitted" || lp.vlen() == 0 {
		t.Fatalf("a rewind dropped the filter: %q, %d lines", lp.filter, lp.vlen())
	}
}

// The stop question says what is true when it is answered: its count follows the URS while it
// waits, and one interaction is one.
func TestStopQuestionCountIsLive(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	h.keys("x") // URS_1, the Routing pane's selection
	seen := map[int]bool{}
	for i := 0; i < 40 && len(seen) < 3; i++ {
		n := h.urs("URS_1").Pending
		h.wantView(plural(n, "interaction") + " now")
		seen[n] = true
		h.step(250 * time.Millisecond)
	}
	if len(seen) < 2 {
		t.Fatalf("the pending count never moved while the question waited: %v", seen)
	}
	if strings.Contains(h.view(), " 1 interactions") {
		t.Fatal("one interaction is written as several")
	}
	h.keys("n")
}

// The status bar keeps one wording at every width: narrower bars leave figures out.
func TestStatusBarKeepsItsWords(t *testing.T) {
	h := newHarness(t, seedConfig(), 200, 48)
	h.step(20 * time.Second)
	for w := 80; w <= 200; w += 3 {
		h.send(tea.WindowSizeMsg{Width: w, Height: 48})
		lines := strings.Split(h.view(), "\n")
		bar := lines[len(lines)-2]
		for _, short := range []string{"sub ", "done ", "inURS", "resub ", "│ agent "} {
			if strings.Contains(bar, short) || strings.Contains(bar, "· agent ") {
				t.Fatalf("at %d columns the status bar says %q: %s", w, short, bar)
			}
		}
		if !strings.Contains(bar, "submitted ") {
			t.Fatalf("at %d columns the status bar has no figures: %s", w, bar)
		}
	}
}

// A cluster member that the IS also reaches directly is listed with its figures once.
func TestESPListsAServerOnce(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(30 * time.Second)
	h.keys("2")
	withFigures := 0
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.Contains(l, "FaxSrv_1 ") && strings.Contains(l, "● running") {
			withFigures++
		}
	}
	if withFigures != 1 {
		t.Fatalf("FaxSrv_1 is listed with its figures %d times", withFigures)
	}
	h.wantView("FaxSrv_1  also reached by type · in FaxCluster above")
}

// :load completes bundled names as well as files.
func TestLoadCompletesBundledNames(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.m.SetBundled([]string{"dap-failover", "dap-repoint-guarded", "seed-example"})
	h.m.dir = t.TempDir()
	if line, _ := h.m.complete("load dap-f"); line != "load dap-failover " {
		t.Fatalf("completion: %q", line)
	}
	if _, cands := h.m.complete("load dap-"); len(cands) != 2 {
		t.Fatalf("candidates: %v", cands)
	}
	h.keys(":")
	h.typ("load dap-f")
	h.keys("tab")
	if v := h.m.cmd.Value(); v != "load dap-failover " {
		t.Fatalf("tab: %q", v)
	}
	h.keys("esc")
}

// The Routing chart's columns are virtual seconds, labelled with their span; its stop and start
// marks are there again when the session is reopened (the charts are replayed with it).
func TestChartsSurviveReopen(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	h.command("stop URS_1")
	h.keys("y")
	h.step(10 * time.Second)
	h.command("start URS_1")
	h.step(10 * time.Second)
	h.wantView("Submissions per virtual second, 00:00:00–00:00:40")
	h.wantView("▼")
	h.wantView("▲")
	j, err := h.r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	st := j.State
	re := newHarnessWith(t, seedConfig(), 160, 48, live.RunnerOptions{Resume: &st,
		EngineOptions: []core.Option{core.WithDatabases(core.NewMemDatabases()), core.WithRebuild()}})
	before, after := h.m.panes[paneRouting].(*routingPane), re.m.panes[paneRouting].(*routingPane)
	if !reflect.DeepEqual(before.hist, after.hist) || !reflect.DeepEqual(before.up, after.up) || !reflect.DeepEqual(before.times, after.times) {
		t.Fatal("the reopened session's charts differ")
	}
	re.wantView("Submissions per virtual second, 00:00:00–00:00:40")
	re.wantView("▼")
	re.wantView("▲")
}

// The state of the run keeps its words at every width (attack 20 B3): paused, end of scenario
// and the rewound wording are never shortened while a figure is still shown; figures go
// first. An error shown at 160 columns leaves the scenario's name and duration in place.
func TestStatusBarKeepsTheRunsWords(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = 40 * time.Second
	h := newHarness(t, cfg, 200, 48)
	h.step(30 * time.Second)
	bar := func(w int) string {
		h.send(tea.WindowSizeMsg{Width: w, Height: 48})
		lines := strings.Split(h.view(), "\n")
		return lines[len(lines)-2]
	}
	check := func(state, words string) {
		t.Helper()
		for w := 80; w <= 200; w++ {
			if b := bar(w); !strings.Contains(b, words) {
				t.Fatalf("%s, at %d columns the status bar lacks %q: %s", state, w, words, b)
			}
		}
	}
	h.command("pause")
	check("paused", "‖ paused · 1x")
	h.command("goto 0:10")
	check("rewound", "at 00:00:10 (rewound, live is at 00:00:30)")
	h.command("live")
	h.command("stop x")
	if b := bar(160); !strings.Contains(b, "seed-example │") || !strings.Contains(b, " / 00:00:40") || !strings.Contains(b, "last error") {
		t.Fatalf("an error took the name or the duration at 160 columns: %s", b)
	}
	f := *h.m.frame // the runner's stop at the end, as its frame says it
	f.Paused, f.Note = true, "reached the scenario's duration (40s); space goes on"
	h.m.frame = &f
	h.m.lastErr = ""
	check("at the end", "‖ end of scenario · 1x")
}

// Stopping a DB Server or a DAP says whether the Interaction Server has another way to its
// database: the last one holds all work, it does not fail over (attack 20 B19).
func TestStopQuestionForTheLastWayToTheDatabase(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	question := func() string {
		d, ok := h.m.dlg.(*confirmDialog)
		if !ok {
			t.Fatalf("no question: %s", h.m.msg)
		}
		return strings.Join(d.live(), " ")
	}
	h.step(10 * time.Second)
	h.command("stop DBServer_1")
	if q := question(); !strings.Contains(q, "fails over to its other 1 DAP to ixn") {
		t.Fatalf("stop DBServer_1: %s", q)
	}
	h.keys("n")
	h.command("stop! DBServer_2")
	h.step(time.Second)
	for _, app := range []string{"DBServer_1", "DAP_1"} {
		h.command("stop " + app)
		if q := question(); !strings.Contains(q, "last way to ixn: no other DAP reaches it, so all work is held") || strings.Contains(q, "fails over") {
			t.Fatalf("stop %s: %s", app, q)
		}
		h.keys("n")
	}
}

// A stop or start at a whole second is marked in that second's column, whoever made it: the
// timeline's start at 0:30 and the operator's stop at 1:00 are 30 columns apart (attack 20 B17),
// live, rewound and reopened alike.
func TestMarksAtWholeSeconds(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = append(cfg.Timeline,
		core.TimedAction{At: 10 * time.Second, Action: core.Action{Kind: core.ActStop, App: "URS_1"}},
		core.TimedAction{At: 30 * time.Second, Action: core.Action{Kind: core.ActStart, App: "URS_1"}})
	h := newHarness(t, cfg, 160, 48)
	h.step(time.Minute)
	h.command("stop! URS_1")
	h.step(10 * time.Second)
	marks := func() (stops, starts []time.Duration) {
		rp := h.m.panes[paneRouting].(*routingPane)
		up, times := rp.up[0], rp.times
		for i := 1; i < len(up); i++ {
			switch {
			case up[i-1] && !up[i]:
				stops = append(stops, time.Duration(times[i]))
			case !up[i-1] && up[i]:
				starts = append(starts, time.Duration(times[i]))
			}
		}
		return stops, starts
	}
	check := func(when string) {
		t.Helper()
		stops, starts := marks()
		if fmt.Sprint(stops) != "[10s 1m0s]" || fmt.Sprint(starts) != "[30s]" {
			t.Fatalf("%s: ▼ in the columns ending %v, ▲ in %v", when, stops, starts)
		}
	}
	check("live")
	h.command("goto 1:05")
	check("rewound")
}

// A stopped DAP's bar keeps its name beside the ○ mark when it fits (attack 20 O8), and a
// question's text wraps within the dialog, never cut (O9: a line broken after a comma was one
// cell too wide).
func TestNamesAndQuestionsAreWhole(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(10 * time.Second)
	h.command("stop! DAP_1")
	h.step(5 * time.Second)
	h.wantView("DAP_1 ○")
	h.command("restart")
	h.wantView("resubmitted, those with agents stay.")
	for _, l := range wrapAll([]string{"queued interactions are routed again, those in a URS are resubmitted, those with agents stay."}, 68) {
		if width(l) > 68 {
			t.Fatalf("wrapped to %d cells: %q", width(l), l)
		}
	}
}
