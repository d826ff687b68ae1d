package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// liveDrill runs the seed example in the console: 20 s, URS_1 stopped (confirmed), 40 s more.
func liveDrill(t *testing.T, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, seedConfig(), w, h)
	hs.step(20 * time.Second)
	hs.command("stop URS_1")
	hs.keys("y")
	hs.step(40 * time.Second)
	if hs.appRunning("URS_1") {
		t.Fatal("URS_1 still running")
	}
	return hs
}

// freshTo is a fresh console run of the same drill, stopped at t.
func freshTo(t *testing.T, at time.Duration, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, seedConfig(), w, h)
	if at < 20*time.Second {
		hs.step(at)
		return hs
	}
	hs.step(20 * time.Second)
	hs.command("stop URS_1")
	hs.keys("y")
	if at > 20*time.Second {
		hs.step(at - 20*time.Second)
	}
	return hs
}

// :goto T shows the world a fresh run stopped at T shows: the snapshot of every pane, the event
// log up to T and the charts; the status line says where live is; :live returns, unchanged.
func TestRewindShowsTheRunStoppedThere(t *testing.T) {
	hs := liveDrill(t, 160, 48)
	liveSnap := hs.snap()
	for _, c := range []struct {
		line string
		at   time.Duration
	}{{"goto 0:30", 30 * time.Second}, {"goto 15", 15 * time.Second}, {"goto 20s", 20 * time.Second}, {"goto 0:45.5", 45*time.Second + 500*time.Millisecond}} {
		hs.command(c.line)
		fresh := freshTo(t, c.at, 160, 48)
		if !reflect.DeepEqual(hs.snap(), fresh.snap()) {
			t.Fatalf("%s: the rewound snapshot differs from a run stopped at %v", c.line, c.at)
		}
		got, want := hs.m.panes[paneLog].(*logPane).visible(), fresh.m.panes[paneLog].(*logPane).visible()
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Fatalf("%s: the event log differs (%d lines, the fresh run's %d)", c.line, len(got), len(want))
		}
		rp, fp := hs.m.panes[paneRouting].(*routingPane), fresh.m.panes[paneRouting].(*routingPane)
		if !reflect.DeepEqual(rp.hist, fp.hist) || !reflect.DeepEqual(rp.up, fp.up) || len(rp.hist[0]) == 0 {
			t.Fatalf("%s: the charts differ:\n%v\n%v", c.line, rp.hist, fp.hist)
		}
		hs.wantView("at " + shortClock(c.at) + " (rewound, live is at 00:01:00)")
		hs.keys("esc") // the message gives way to the hints
		hs.wantView(":live back to the present")
	}
	hs.command("live")
	hs.wantMsg("live again")
	if hs.m.rewound() || !reflect.DeepEqual(hs.snap(), liveSnap) {
		t.Fatal(":live did not bring the live world back unchanged")
	}
	if strings.Contains(hs.view(), "rewound") {
		t.Fatal("the status line still says rewound")
	}
}

// [ and ] step 10 s; ] past the live clock returns to it; [ stops at the start. Both are in the
// help.
func TestStepKeys(t *testing.T) {
	hs := liveDrill(t, 160, 48)
	hs.keys("[")
	if !hs.m.rewound() || hs.snap().T != int64(50*time.Second) {
		t.Fatalf("[ went to %v", time.Duration(hs.snap().T))
	}
	hs.keys("[", "[")
	if hs.snap().T != int64(30*time.Second) {
		t.Fatalf("[ [ [ went to %v", time.Duration(hs.snap().T))
	}
	hs.keys("]")
	if hs.snap().T != int64(40*time.Second) || !hs.m.rewound() {
		t.Fatalf("] went to %v", time.Duration(hs.snap().T))
	}
	hs.keys("]", "]")
	if hs.m.rewound() || hs.snap().T != int64(time.Minute) {
		t.Fatalf("] past the live clock: rewound %v at %v", hs.m.rewound(), time.Duration(hs.snap().T))
	}
	hs.command("goto 5")
	hs.keys("[", "[")
	if hs.snap().T != 0 {
		t.Fatalf("[ before the start went to %v", time.Duration(hs.snap().T))
	}
	hs.wantMsg("at the start")
	hs.command("goto 2:00")
	hs.wantErr("has not reached 00:02:00.000 yet (live is at 00:01:00.000)")
	hs.command("goto soon")
	hs.wantErr(`"soon" is not a virtual time`)
	hs.keys("?")
	hs.typ("10 s")
	hs.wantView("back 10 s of virtual time")
	hs.wantView("forward 10 s")
}

// While rewound nothing changes the simulation: an action asks first, saying what a branch
// discards; no keeps everything; yes cuts the journal there and goes on with the action. The
// branched session equals a run of the scenario with its operator actions in the timeline
// (`by: operator`), byte for byte.
func TestBranchAsksThenCutsTheJournal(t *testing.T) {
	hs := liveDrill(t, 160, 48)
	before, err := hs.r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	hs.command("goto 0:30")
	hs.command("start URS_1")
	hs.wantView("Branch at 00:00:30.000: :start URS_1?")
	hs.wantView("This discards what happened after 00:00:30.000:")
	hs.wantView("live is at 00:01:00.000")
	hs.keys("n")
	after, _ := hs.r.Journal()
	if !hs.m.rewound() || hs.appRunning("URS_1") {
		t.Fatal("answering no changed the view")
	}
	hs.command("live")
	live, _ := hs.r.Journal()
	if mustSHA(t, live.State) != mustSHA(t, before.State) || len(live.State.Applied) != len(before.State.Applied) {
		t.Fatal("answering no changed the live session")
	}
	_ = after

	// A dangerous action: one question says both what it does and what the branch discards.
	hs.command("goto 0:30")
	hs.command("stop URS_2")
	hs.wantView("Branch and stop URS_2?")
	hs.wantView("resubmits")
	hs.wantView("This discards what happened after 00:00:30.000")
	hs.keys("y")
	hs.wantMsg("branched at 00:00:30.000")
	if hs.m.rewound() || hs.snap().T != int64(30*time.Second) || hs.appRunning("URS_2") || hs.appRunning("URS_1") {
		t.Fatalf("after the branch: rewound %v at %v", hs.m.rewound(), time.Duration(hs.snap().T))
	}
	hs.step(30 * time.Second)

	j, err := hs.r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	var ops []core.AppliedAction
	for _, a := range j.State.Applied {
		if a.Operator {
			ops = append(ops, a)
		}
	}
	if len(ops) != 2 || ops[0].Action.App != "URS_1" || ops[1].Action.App != "URS_2" || ops[1].T != int64(30*time.Second) {
		t.Fatalf("the branched journal's operator actions: %+v", ops)
	}
	cfg := j.Config
	for _, a := range ops {
		cfg.Timeline = append(cfg.Timeline, core.TimedAction{At: time.Duration(a.T), Action: a.Action, Operator: true})
	}
	e, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(j.State.T)
	if e.EventsSHA256() != mustSHA(t, j.State) || e.EventCount() != j.State.Events {
		t.Fatalf("the branched session (%d events) is not the run of its journal (%d events)", j.State.Events, e.EventCount())
	}
}

func mustSHA(t *testing.T, st core.ResumeState) string {
	t.Helper()
	s, err := st.EventsSHA256()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Read-only mode may rewind, never branch: the action is refused and the session unchanged.
func TestReadOnlyRewindsButNeverBranches(t *testing.T) {
	hs := liveDrill(t, 160, 48)
	before, _ := hs.r.Journal()
	hs.m.SetReadOnly(true)
	hs.command("goto 0:30")
	if !hs.m.rewound() {
		t.Fatal("read-only could not rewind")
	}
	hs.command("start URS_1")
	hs.wantErr("read-only")
	hs.keys("x") // the selection's URS_1, by key
	hs.wantErr("read-only")
	if hs.m.dlg != nil {
		t.Fatalf("read-only asked a question: %s", hs.m.dlg.Title())
	}
	hs.command("live")
	after, _ := hs.r.Journal()
	if mustSHA(t, after.State) != mustSHA(t, before.State) || len(after.State.Applied) != len(before.State.Applied) {
		t.Fatal("read-only changed the session")
	}
}

// A dialog's last step (the set-option form) is the table's action: in a rewound view it asks
// before it branches too, once.
func TestBranchFromADialogAsks(t *testing.T) {
	hs := liveDrill(t, 160, 48)
	hs.command("goto 0:40")
	hs.keys("e")
	d, ok := hs.m.dlg.(*formDialog)
	if !ok {
		t.Fatalf("e opened %T", hs.m.dlg)
	}
	for i, v := range []string{"URS_2", "default", "agent_reservation", "false"} {
		d.fields[i].in.SetValue(v)
	}
	d.focus = len(d.fields) - 1
	hs.keys("enter")
	hs.wantView("Branch at 00:00:40.000: :set URS_2 default agent_reservation")
	hs.keys("y")
	hs.wantMsg("branched at 00:00:40.000")
}

func TestParseVirtualTime(t *testing.T) {
	for in, want := range map[string]time.Duration{"1:30": 90 * time.Second, "90": 90 * time.Second, "90.5": 90500 * time.Millisecond,
		"1:02:03": time.Hour + 2*time.Minute + 3*time.Second, "1m30s": 90 * time.Second, "0": 0, "00:00:30.250": 30250 * time.Millisecond} {
		got, err := parseVirtualTime(in)
		if err != nil || got != int64(want) {
			t.Errorf("%q: %v %v, want %v", in, time.Duration(got), err, want)
		}
	}
	for _, in := range []string{"", "-5", "1:60", "a:b", "1:2:3:4", "1.5:00", "-1s", "1::2", "NaN", "nan", "1:NaN", "Inf", "-Inf", "1e400"} {
		if _, err := parseVirtualTime(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// An action is checked against the world on the screen before anything is asked (attack 20 B5,
// B15): live or rewound, a switchover to a stopped backup, a join of a member, an activation of
// a strategy where it is active already or a deactivation where it is not are refused up front
// — no question, no branch, nothing recorded.
func TestActionsCheckedAtTheShownInstant(t *testing.T) {
	hs := newHarness(t, seedConfig(), 160, 48)
	hs.step(10 * time.Second)
	hs.command("stop! IxnServer_B")
	hs.command("switchover")
	hs.wantErr("cannot switch over from IxnServer: IxnServer_B is stopped")
	hs.step(10 * time.Second)
	hs.command("leave! FaxCluster FaxSrv_1")
	hs.command("start IxnServer_B")
	hs.step(10 * time.Second)
	before, _ := hs.r.Journal()
	for _, c := range []struct{ line, err string }{
		{"activate A URS_1", "A is already active on URS_1"},
		{"deactivate B URS_1", "B is not active on URS_1"},
		{"join FaxCluster URS_1", "URS_1 is a RoutingServer, not an ESP server"},
		{"join NoCluster FaxSrv_1", `unknown Application Cluster "NoCluster"`},
		{"activate Z URS_1", `unknown strategy "Z"`},
	} {
		hs.command(c.line)
		hs.wantErr(c.err)
	}
	hs.command("goto 0:15") // IxnServer_B stopped, FaxSrv_1 still a member
	for _, c := range []struct{ line, err string }{
		{"switchover", "IxnServer_B is stopped"},
		{"join FaxCluster FaxSrv_1", "FaxSrv_1 is already a member of FaxCluster"},
		{"activate A URS_1", "A is already active on URS_1"},
	} {
		hs.command(c.line)
		hs.wantErr(c.err)
		if hs.m.dlg != nil {
			t.Fatalf("%s asked %q", c.line, hs.m.dlg.Title())
		}
	}
	hs.command("live")
	if after, _ := hs.r.Journal(); mustSHA(t, after.State) != mustSHA(t, before.State) || len(after.State.Applied) != len(before.State.Applied) {
		t.Fatal("a refused action changed the session")
	}
}

// :export takes --expect before or after FILE; a FILE that starts with - is refused as a
// mistyped option, not written (attack 20 B12); ~/ is the home directory.
func TestExportArguments(t *testing.T) {
	home, _ := os.UserHomeDir()
	for _, c := range []struct {
		args   []string
		path   string
		expect bool
		err    string
	}{
		{[]string{"d.yaml"}, "d.yaml", false, ""},
		{[]string{"d.yaml", "--expect"}, "d.yaml", true, ""},
		{[]string{"--expect", "d.yaml"}, "d.yaml", true, ""},
		{[]string{"./-d.yaml"}, "./-d.yaml", false, ""},
		{[]string{"~/d.yaml"}, filepath.Join(home, "d.yaml"), false, ""},
		{[]string{"--expect"}, "", false, "which file?"},
		{[]string{"--help"}, "", false, `"--help" is not an option`},
		{[]string{"-o", "d.yaml"}, "", false, `"-o" is not an option`},
		{[]string{"a.yaml", "b.yaml"}, "", false, "one FILE"},
	} {
		path, expect, err := exportArgs(c.args)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %q %v, want the error %q", c.args, path, err, c.err)
		case c.err == "" && (err != nil || path != c.path || expect != c.expect):
			t.Errorf("%q: %q %v %v", c.args, path, expect, err)
		}
	}
}

// While work is held (no DAP reaches the database), the rewound console's status bar gives the
// figures `ixlb run` gives stopped at that instant, under the same labels (attack 20 B13: it
// gave the IS's in-memory in URS and with agent instead; fixed by the status bar reading
// Snapshot.Recorded, and kept so here).
func TestRewoundFiguresWhileHeldAreTheRunsAtT(t *testing.T) {
	hs := newHarness(t, seedConfig(), 250, 48)
	hs.step(20 * time.Second)
	hs.command("stop! DBServer_1")
	hs.command("stop! DBServer_2")
	hs.step(25 * time.Second)
	hs.command("goto 0:37.5")
	if !hs.snap().Held {
		t.Fatal("no work is held at 0:37.5")
	}
	cfg := seedConfig()
	cfg.Duration = 37500 * time.Millisecond
	cfg.Timeline = append(cfg.Timeline,
		core.TimedAction{At: 20 * time.Second, Action: core.Action{Kind: core.ActStop, App: "DBServer_1"}, Operator: true},
		core.TimedAction{At: 20 * time.Second, Action: core.Action{Kind: core.ActStop, App: "DBServer_2"}, Operator: true})
	e, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	rep, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	ic := rep.Interactions
	var inURS, withAgent int64 // what the IS holds in memory
	for _, q := range hs.snap().Queues {
		inURS, withAgent = inURS+q.InURS, withAgent+q.WithAgent
	}
	if inURS == ic.InURS && withAgent == ic.WithAgent {
		t.Fatal("the IS holds what the databases have: nothing to tell apart")
	}
	want := fmt.Sprintf("submitted %d · completed %d · queued %d · in URS %d · with agent %d", ic.Submitted, ic.Completed, ic.Queued, ic.InURS, ic.WithAgent)
	hs.wantView(want)
}

// The clock reads to the millisecond: an instant that reads as the live one is the live one.
// ] from ten seconds before lands on live, not on a view nanoseconds before it (attack 20 O2),
// and :goto of the time on the screen shows the world with what was just done (O14).
func TestTheLiveInstantAsTheClockReadsIt(t *testing.T) {
	hs := newHarness(t, seedConfig(), 160, 48)
	hs.step(time.Minute + 13*time.Millisecond + 500)
	hs.command("stop! URS_2")
	hs.command("goto 0:50.013")
	if !hs.m.rewound() {
		t.Fatal("not rewound")
	}
	hs.keys("]")
	if hs.m.rewound() {
		t.Fatalf("] landed on a rewound view at %v", time.Duration(hs.snap().T))
	}
	hs.command("goto 00:01:00.013")
	if hs.m.rewound() || hs.appRunning("URS_2") {
		t.Fatal(":goto of the time on the screen did not show the live world")
	}
	hs.command("goto 00:01:00.012")
	if !hs.m.rewound() || !hs.appRunning("URS_2") {
		t.Fatal(":goto a millisecond earlier did not rewind")
	}
}

// :messages stamps a rewind's message with the instant it shows, and the return to live with
// the live instant (attack 20 O3: they had the instant shown before).
func TestTravelMessagesStampedWithTheirInstant(t *testing.T) {
	hs := newHarness(t, seedConfig(), 160, 48)
	hs.step(13 * time.Second)
	hs.command("goto 0:02")
	hs.command("live")
	var got []string
	for _, m := range hs.m.messages {
		got = append(got, clock(m.t)+" "+m.txt)
	}
	want := []string{"00:00:02.000 at 00:00:02.000 (rewound)", "00:00:13.000 live again"}
	for i, w := range want {
		if i >= len(got) || !strings.HasPrefix(got[len(got)-len(want)+i], w) {
			t.Fatalf("messages %q, want %q", got, want)
		}
	}
}
