package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Keys that arrive together are not keys a person pressed one by one. A terminal delivers a
// paste that is not bracketed (tmux paste-buffer, many terminals over ssh), text typed ahead, or
// keys queued while the console was busy in one read, message after message: what an operator
// meant as text must not fire hotkeys, run a second line, or answer the question the first line
// asked. So the console times its keys (wall clock, never the simulation's):
//
//   - a key that comes within burstGap of the one before is part of a burst: in the panes only
//     movement acts in a burst (j j j j moves four rows), anything else is ignored with a note;
//   - once Enter has run a command line, the rest of its burst is dropped: one line runs;
//   - a question that guards a change (y, or a choice's key) takes its answer only from a key
//     pressed on its own, answerDelay or more after the question was shown.
const (
	burstGap    = 25 * time.Millisecond
	answerDelay = 300 * time.Millisecond
)

// keyTiming is what the console knows of when keys came.
type keyTiming struct {
	now        func() time.Time // the wall clock; tests inject theirs
	last       time.Time        // when the previous key was handled
	dlg        dialog           // the dialog shown since dlgAt
	dlgAt      time.Time
	afterEnter bool   // Enter ran a command line in this burst: drop the rest of it
	dropped    []rune // what afterEnter dropped, for the note
}

func (k *keyTiming) clock() time.Time {
	if k.now == nil {
		return time.Now()
	}
	return k.now()
}

// inBurst reports whether a key handled at now follows the previous one within burstGap.
func (k *keyTiming) inBurst(now time.Time) bool {
	return !k.last.IsZero() && now.Sub(k.last) < burstGap
}

// shown notes when the open dialog appeared (called after every message).
func (k *keyTiming) shown(d dialog) {
	if d != k.dlg {
		k.dlg, k.dlgAt = d, k.clock()
	}
}

// answerer is a question whose answers change something (confirmDialog's y, choiceDialog's
// keys): an answer counts only when pressed on its own after the question was shown.
type answerer interface {
	answers(k tea.KeyMsg) bool
	// tooSoon shows note (tooSoonNote) in the dialog, in place of taking the answer.
	tooSoon(note string)
}

// tooSoonNote is what a question says of an answer that came too soon: with the keys that
// asked it (a burst: typed ahead or pasted), or on its own but before the question could be
// read. Either way the next press of the key, on its own, answers.
func tooSoonNote(k string, burst bool) string {
	if burst {
		return "! " + k + " came with the keys that asked this (typed ahead or pasted): it is not an answer. Read the question, then press " + k + " again to confirm."
	}
	return "! " + k + " came before the question could be read (" + answerDelay.String() + "): it is not an answer yet. Read it, then press " + k + " again to confirm."
}

// movementKey reports whether k only moves the cursor or the shown instant: the keys a burst
// may hold (a key held down, or typed fast).
func movementKey(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyUp, tea.KeyDown, tea.KeyLeft, tea.KeyRight, tea.KeyPgUp, tea.KeyPgDown, tea.KeyHome, tea.KeyEnd:
		return true
	case tea.KeyRunes:
		return !k.Paste && movement(k.Runes)
	}
	return false
}

// quitKey reports whether k asks to leave the console.
func (m *Model) quitKey(k tea.KeyMsg) bool {
	return k.Type == tea.KeyCtrlC || (!k.Paste && len(k.Runes) <= 1 && key.Matches(k, mustAction("quit").key))
}

// dialogKey gives k to the open dialog. A burst acts as one key there (movement as each of its
// keys), and a question's answer that comes too soon (in a burst, or early: before answerDelay)
// is not taken: the question says so and waits for the key pressed again on its own.
func (m *Model) dialogKey(k tea.KeyMsg, burst, early bool) tea.Cmd {
	multi := k.Type == tea.KeyRunes && !k.Paste && len(k.Runes) > 1
	if t, ok := m.dlg.(interface{ typing() bool }); multi && !(ok && t.typing()) {
		if movement(k.Runes) {
			return m.eachKey(k) // j j j j moves four rows
		}
		k.Runes = k.Runes[:1] // a burst in a dialog that is not reading text: one key, as in the panes
	}
	if a, ok := m.dlg.(answerer); ok && a.answers(k) && (burst || multi || early) {
		a.tooSoon(tooSoonNote(keyText(k), burst || multi))
		return nil
	}
	var cmd tea.Cmd
	m.dlg, cmd = m.dlg.Update(k)
	return cmd
}
