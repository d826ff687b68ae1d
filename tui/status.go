package tui

import (
	"fmt"
	"strings"
)

// The status line: the latest message in the bottom line (cleared by the next key), the last
// error in the status bar (cleared by the next success), and every message of the session for
// :messages, where long texts can be read in full.

// statusLine is the bottom line's message, the status bar's last error and the history.
type statusLine struct {
	// stampAt, when set, is the virtual time :messages gives the messages said now (a rewind's,
	// said before the frame of the instant it shows arrives).
	stampAt  *int64
	msg      string
	msgErr   bool
	lastErr  string
	messages []message // this session's messages, for :messages
}

// message is one entry of :messages.
type message struct {
	t   int64 // virtual time
	err bool
	txt string
}

const maxMessages = 500

// remember keeps a message for :messages.
func (m *Model) remember(txt string, err bool) {
	if txt == "" {
		return
	}
	var t int64
	if s := m.snap(); s != nil {
		t = s.T
	}
	if m.stampAt != nil {
		t = *m.stampAt
	}
	if n := len(m.messages); n > 0 && m.messages[n-1].txt == txt {
		return // the same message again (a key held down)
	}
	m.messages = append(m.messages, message{t: t, err: err, txt: txt})
	if len(m.messages) > maxMessages {
		m.messages = append([]message(nil), m.messages[len(m.messages)-maxMessages:]...)
	}
}

// warnings puts the scenario's lint warnings in the status line and, in full, in :messages.
func (m *Model) warnings(ws []string) {
	if len(ws) == 0 {
		return
	}
	for _, w := range ws {
		m.remember("lint: "+safeText(w), false)
	}
	m.msg, m.msgErr = safeText(fmt.Sprintf("%d lint warning(s), first: %s — :messages lists them", len(ws), ws[0])), false
}

// showMessages opens the message history, newest at the bottom.
func (m *Model) showMessages() {
	if len(m.messages) == 0 {
		m.dlg = &textDialog{title: "Messages", lines: []string{"no messages yet"}}
		return
	}
	lines := make([]string, 0, len(m.messages))
	for _, msg := range m.messages {
		mark := "✓"
		if msg.err {
			mark = "✗"
		} else if strings.HasPrefix(msg.txt, "lint: ") {
			mark = "!"
		}
		lines = append(lines, clock(msg.t)+" "+mark+" "+msg.txt)
	}
	d := &textDialog{title: fmt.Sprintf("Messages (%d)", len(lines)), lines: lines, wrap: true}
	d.off = len(lines) // the view clamps: newest at the bottom, like the event log
	m.dlg = d
}
