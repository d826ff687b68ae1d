package tui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/ixlb/ixlb/tui/live"
)

// The whole program loop: Init subscribes to the runner's frames, keys go through bubbletea,
// the action reaches the engine, q quits.
func TestProgramLoop(t *testing.T) {
	r, err := live.NewRunner(seedConfig(), live.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	_ = r.Step(20 * time.Second)
	tm := teatest.NewTestModel(t, NewModel(r, nil), teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	waitFor("1 Routing")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	waitFor("Stop URS_1?")
	time.Sleep(answerDelay) // a person reads the question before answering
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	waitFor("stopped URS_1")
	_ = r.Step(time.Second) // a frame published from another goroutine reaches the model
	waitFor("t 00:00:21.000")
	// A person presses q on its own: within burstGap of the y (the frames can come that fast) it
	// would be part of a burst, where only movement acts, and the console would not quit.
	time.Sleep(answerQuiet)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	for _, a := range m.snap().Apps {
		if a.Name == "URS_1" && a.Running {
			t.Fatal("URS_1 still running")
		}
	}
}
