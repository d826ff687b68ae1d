package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// A question that guards a change is answered only by a key pressed on its own after it was
// shown (attack 20 B4): a y pasted (not bracketed) or typed ahead with the command that asked
// is not the answer, live or rewound; nor does a pasted second line run. The question says why
// it is still there; a y pressed afterwards answers it.
func TestAQuestionTakesOnlyItsOwnKey(t *testing.T) {
	t.Run("a pasted y", func(t *testing.T) {
		h := newHarness(t, seedConfig(), 160, 48)
		h.step(20 * time.Second)
		h.burst(":stop URS_1\ny")
		if !h.appRunning("URS_1") || h.m.dlg == nil {
			t.Fatal("the pasted y answered the question")
		}
		h.wantMsg(`ignored "y" that came after Enter in the same burst`)
		h.keys("y")
		if h.appRunning("URS_1") {
			t.Fatal("a y pressed afterwards did not answer")
		}
	})
	t.Run("a pasted y, rewound", func(t *testing.T) {
		h := liveDrill(t, 160, 48)
		before, _ := h.r.Journal()
		h.command("goto 0:30")
		h.burst(":stop URS_2\ny")
		h.wantView("Branch and stop URS_2?")
		if !h.m.rewound() {
			t.Fatal("branched on a pasted y")
		}
		h.keys("n")
		h.command("live")
		if after, _ := h.r.Journal(); mustSHA(t, after.State) != mustSHA(t, before.State) {
			t.Fatal("the session changed")
		}
	})
	t.Run("a y typed ahead", func(t *testing.T) {
		h := newHarness(t, seedConfig(), 160, 48)
		h.step(20 * time.Second)
		h.keys("x")
		h.clk = h.clk.Add(-time.Second + 100*time.Millisecond) // y 100 ms after x: not a burst, too soon to have read
		h.keys("y")
		if !h.appRunning("URS_1") {
			t.Fatal("a y typed 100 ms after x answered the question")
		}
		h.wantView("y came before the question could be read (300ms)")
		h.wantView("then press y again to confirm.")
		h.keys("y")
		if h.appRunning("URS_1") {
			t.Fatal("a y pressed after reading did not answer")
		}
	})
	t.Run("a y in a burst of keys", func(t *testing.T) {
		h := newHarness(t, seedConfig(), 160, 48)
		h.keys("x")
		h.burst("yy")
		if !h.appRunning("URS_1") {
			t.Fatal("yy answered the question")
		}
		h.wantView("y came with the keys that asked this (typed ahead or pas") // (wrapped)
		h.wantView("then press y again to")
	})
	t.Run("a choice's key", func(t *testing.T) {
		h := newHarness(t, seedConfig(), 160, 48)
		h.m.dlg = &choiceDialog{title: "Open?", choices: []choice{{key: "f", label: "start over", cmd: tea.Quit}}}
		h.send(tea.WindowSizeMsg{Width: 160, Height: 48}) // the question is shown
		h.inBurst = true
		h.keys("f")
		h.inBurst = false
		if h.quit {
			t.Fatal("a choice answered in the burst that showed it")
		}
		h.wantView("f came before the question could be read") // with no key before it: not a burst, too soon
		h.keys("f")
		if !h.quit {
			t.Fatal("f pressed afterwards did not answer")
		}
	})
	t.Run("pasted lines", func(t *testing.T) {
		h := newHarness(t, seedConfig(), 160, 48)
		h.step(20 * time.Second)
		h.burst(":stop! URS_1\n:start URS_1\n")
		if h.appRunning("URS_1") {
			t.Fatal("the first line did not run")
		}
		h.step(time.Second)
		if h.appRunning("URS_1") || h.m.cmdOn {
			t.Fatal("the second pasted line ran")
		}
		h.wantMsg(`ignored ":start URS_1⏎" that came after Enter`)
	})
}

// Below the minimum size the screen says only "enlarge the terminal": no key but quitting acts,
// not a dialog's y, not a command, not space (attack 20 B11).
func TestTooSmallActsOnNothing(t *testing.T) {
	h := liveDrill(t, 160, 48)
	h.command("goto 0:30")
	h.command("stop URS_2")
	h.wantView("Branch and stop URS_2?")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	h.wantView("enlarge the terminal")
	h.keys("y")
	h.command("stop! URS_1")
	h.keys("space", "]", "esc")
	h.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	if !h.m.rewound() || !h.appRunning("URS_2") || h.m.dlg == nil || h.m.cmdOn {
		t.Fatal("keys acted on a screen too small to show them")
	}
	h.keys("n")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	h.keys("q")
	if !h.quit {
		t.Fatal("q did not quit")
	}
}

// In the panes only movement acts in a burst: j j j then a space moves and does not resume a
// paused console (attack 20 O5), and [ [ [ [ held down steps back four times, even while the
// first rewind is still under way.
func TestMovementBursts(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(time.Minute)
	h.command("pause")
	h.burst("jjj ")
	if !h.m.frame.Paused {
		t.Fatal("a space in a burst of j resumed the console")
	}
	h.wantMsg(`ignored " " that came in the same burst`)
	h.burst("[[[[")
	if !h.m.rewound() || h.snap().T != int64(20*time.Second) {
		t.Fatalf("[[[[ went to %v", time.Duration(h.snap().T))
	}
	// Held down: each [ comes while the rewind of the one before is under way.
	h.clk = h.clk.Add(time.Second)
	_, first := h.m.Update(keyMsg("["))
	h.clk = h.clk.Add(30 * time.Millisecond)
	_, second := h.m.Update(keyMsg("["))
	if second != nil {
		t.Fatal("a second rewind ran beside the first")
	}
	h.run(first) // its outcome starts the one asked for meanwhile
	h.sync()
	if h.snap().T != 0 || h.m.travel.busy {
		t.Fatalf("two [ from 0:20 went to %v", time.Duration(h.snap().T))
	}
	h.burst("]]]]]]]]")
	if h.m.rewound() {
		t.Fatal("] past the live clock did not return to it")
	}
}

// A y held down from before the question (the terminal repeats it every 30-45 ms) never
// answers it, even past answerDelay: an answer follows a quiet spell with no key (attack 21 F6).
// Let go, and the next y answers.
func TestAHeldKeyDoesNotAnswer(t *testing.T) {
	for _, every := range []time.Duration{30 * time.Millisecond, 45 * time.Millisecond, 140 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) {
			h := newHarness(t, seedConfig(), 160, 48)
			h.step(20 * time.Second)
			h.keys("x")
			h.wantView("Stop URS_1?")
			h.inBurst = true // the harness adds no time: the clock is set by hand
			h.clk = h.clk.Add(80 * time.Millisecond)
			for end := h.clk.Add(time.Second); h.clk.Before(end); h.clk = h.clk.Add(every) {
				h.keys("y")
			}
			h.inBurst = false
			if !h.appRunning("URS_1") || h.m.dlg == nil {
				t.Fatalf("a y held down (every %v) answered the question", every)
			}
			h.wantView("y came right after other keys (held down or typed fast)")
			h.keys("y") // a second later, on its own
			if h.appRunning("URS_1") {
				t.Fatal("a y pressed on its own after letting go did not answer")
			}
		})
	}
}

// A question hidden by a terminal too small to draw it starts its clock again when it is drawn
// again: a y 50 ms after it reappears is not an answer (attack 21 F2).
func TestAQuestionShownAgainStartsItsClock(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	h.keys("x")
	h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	h.wantView("enlarge the terminal")
	h.clk = h.clk.Add(time.Second)
	h.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	h.wantView("Stop URS_1?")
	h.inBurst = true
	h.clk = h.clk.Add(50 * time.Millisecond)
	h.keys("y")
	h.inBurst = false
	if !h.appRunning("URS_1") || h.m.dlg == nil {
		t.Fatal("a y 50 ms after the question was drawn again answered it")
	}
	h.wantView("y came before the question could be read (300ms)")
	h.keys("y")
	if h.appRunning("URS_1") {
		t.Fatal("a y pressed after reading did not answer")
	}
}

// A burst whose key opens a dialog gives that dialog none of its rest: `e` then text pasted (not
// bracketed) opens the set-option form empty, everything after the e dropped with the note, not
// half of it typed into the form (attack 21 F5). Typed afterwards, the form takes the text.
func TestABurstThatOpensADialogIsDroppedWhole(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	tab, enter := tea.KeyMsg{Type: tea.KeyTab}, tea.KeyMsg{Type: tea.KeyEnter}
	runes := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	h.together(runes("edefault"), tab, runes("agent_reservation"), tab, runes("false"), enter, runes("y"))
	f, ok := h.m.dlg.(*formDialog)
	if !ok {
		t.Fatalf("the form did not open: %T", h.m.dlg)
	}
	for i := 1; i < len(f.fields); i++ {
		if v := f.value(i); v != "" {
			t.Errorf("the burst typed %q into the form's %s", v, f.fields[i].label)
		}
	}
	h.wantMsg(`ignored "default⇥agent_reservation⇥false⏎y" typed in the same burst as "e"`)
	// The next burst, a second later, is typed into the open form.
	h.together(runes("x"))
	if f.value(1) != "x" {
		t.Fatalf("a key typed afterwards did not reach the form: %q", f.value(1))
	}
}

// The same for a branch question, rewound: a y held down from before it does not branch
// (attack 21 F6, more).
func TestAHeldKeyDoesNotBranch(t *testing.T) {
	h := liveDrill(t, 160, 48)
	before, _ := h.r.Journal()
	h.command("goto 0:30")
	h.command("stop URS_2")
	h.wantView("Branch and stop URS_2?")
	h.inBurst = true
	h.clk = h.clk.Add(60 * time.Millisecond)
	for end := h.clk.Add(time.Second); h.clk.Before(end); h.clk = h.clk.Add(30 * time.Millisecond) {
		h.keys("y")
	}
	h.inBurst = false
	if !h.m.rewound() || h.m.dlg == nil {
		t.Fatal("a y held down made the branch")
	}
	h.keys("n")
	h.command("live")
	if after, _ := h.r.Journal(); mustSHA(t, after.State) != mustSHA(t, before.State) {
		t.Fatal("the session changed")
	}
}
