package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// These tests read the action table itself, so a new row is covered without editing them.

// stubRow replaces row i's handlers by one that records that it ran, until restore (or the
// test's end). The other rows stay real: the command line is the ":" row's.
func stubRow(t *testing.T, i int, ran *int) (restore func()) {
	t.Helper()
	saved := actions[i]
	restore = func() { actions[i] = saved }
	t.Cleanup(restore)
	a := &actions[i]
	a.disabled, a.dangerIf, a.dangerous = nil, nil, false
	a.selected = nil
	a.onKey = func(*Model) tea.Cmd { *ran = i; return nil }
	a.plan = nil
	a.run = func(*Model, []string, bool) (tea.Cmd, error) { *ran = i; return nil, nil }
	return restore
}

// rowID names a row in a failure.
func rowID(a *action) string {
	if a.name != "" {
		return ":" + a.name
	}
	return "key " + a.key.Help().Key
}

// argsFor are arguments enough for a row's command (the stub does not read them).
func argsFor(a *action) string {
	return strings.TrimSpace(strings.Repeat(" x", a.min))
}

// Every row is reachable through the console as a person uses it: each of its keys, in every
// pane, reaches it (nothing before the table takes the key), and its command and every alias
// reach it from the command line.
func TestEveryActionReachable(t *testing.T) {
	h := liveDrill(t, 160, 48)
	for i := range actions {
		a := &actions[i]
		ran := -1
		restore := stubRow(t, i, &ran)
		for _, k := range a.key.Keys() {
			for p := 0; p < numPanes; p++ {
				h.m.focusPane(p)
				ran, h.quit = -1, false
				h.send(keyMsg(k))
				h.m.dlg = nil
				if k == "ctrl+c" { // leaves at once, before anything else (model.key)
					if !h.quit {
						t.Errorf("%s: ctrl+c does not quit", rowID(a))
					}
					continue
				}
				if ran != i {
					t.Errorf("%s: key %q in pane %d ran row %d", rowID(a), k, p, ran)
				}
			}
		}
		for _, c := range append([]string{a.name}, a.aliases...) {
			if c == "" {
				continue
			}
			ran = -1
			h.command(strings.TrimSpace(c + " " + argsFor(a)))
			h.m.dlg = nil
			if ran != i {
				t.Errorf("%s: :%s ran row %d (%s)", rowID(a), c, ran, h.m.msg)
			}
		}
		restore()
	}
}

// Every row is in the help: its key, its command's usage and its summary; the rows the table
// marks for the one-line hint are in it.
func TestEveryActionInHelp(t *testing.T) {
	h := liveDrill(t, 160, 48)
	h.m.openHelp()
	help := strings.Join(h.m.dlg.(*helpDialog).lines(h.m.th, 400), "\n")
	for i := range actions {
		a := &actions[i]
		var line string
		for _, l := range strings.Split(help, "\n") {
			if strings.Contains(l, a.summary) {
				line = l
			}
		}
		switch {
		case line == "":
			t.Errorf("%s: its summary is not in the help", rowID(a))
		case a.hasKey() && !strings.HasPrefix(strings.TrimSpace(line), a.key.Help().Key):
			t.Errorf("%s: the help line %q does not start with its key", rowID(a), line)
		case a.name != "" && a.section == "" && !strings.Contains(line, a.usageLine()):
			t.Errorf("%s: the help line %q lacks its usage", rowID(a), line)
		}
	}
	for _, rew := range []bool{false, true} {
		hint := keyMap{rewound: rew}.ShortHelp()
		for i := range actions {
			a := &actions[i]
			want := a.hint&hintPresent != 0
			if rew {
				want = a.hint&hintPast != 0
			}
			found := false
			for _, b := range hint {
				found = found || b.Help() == a.hintKey().Help()
			}
			if found != want {
				t.Errorf("%s: in the hint (rewound %v): %v, the table says %v", rowID(a), rew, found, want)
			}
		}
	}
}

// Read-only mode refuses a row, by key and by command, exactly when it changes the simulation,
// and says so before anything is asked; the help and the hint mark it so.
func TestReadOnlyRefusesExactlyWhatChanges(t *testing.T) {
	h := liveDrill(t, 160, 48)
	h.m.SetReadOnly(true)
	h.m.openHelp()
	entries := h.m.dlg.(*helpDialog).entries
	h.m.dlg = nil
	hint := h.m.keyMap().ShortHelp()
	for i := range actions {
		a := &actions[i]
		ran := -1
		restore := stubRow(t, i, &ran)
		refusal := "read-only: " + a.what() + " would change"
		try := func(how string, do func()) {
			ran = -1
			h.m.msg = ""
			do()
			h.m.dlg = nil
			refused := strings.Contains(h.m.msg, refusal)
			if refused != a.changes || (ran == i) == a.changes {
				t.Errorf("%s by %s: refused %v, ran %v; it changes the simulation: %v", rowID(a), how, refused, ran == i, a.changes)
			}
		}
		if a.hasKey() && a.key.Keys()[0] != "q" {
			try("key", func() { h.send(keyMsg(a.key.Keys()[0])) })
		}
		if a.name != "" && a.name != "quit" {
			try("command", func() { h.command(strings.TrimSpace(a.name + " " + argsFor(a))) })
		}
		for _, e := range entries {
			if e.desc == a.summary || strings.HasPrefix(e.desc, a.summary+" — ") {
				if e.off != a.changes {
					t.Errorf("%s: the help marks it off %v", rowID(a), e.off)
				}
			}
		}
		for _, b := range hint {
			if a.hint != 0 && b.Help() == a.hintKey().Help() && a.changes {
				t.Errorf("%s: read-only's hint offers it", rowID(a))
			}
		}
		restore()
	}
}
