package tui

import "github.com/charmbracelet/bubbles/key"

// globalKeys work in every pane. Operator actions act on the selected row of the focused pane.
type globalKeys struct {
	Quit, Help, NextPane, PrevPane, GoPane                         key.Binding
	Pause, Faster, Slower, Command, Filter, Open                   key.Binding
	Activate, Deactivate, Stop, Start, SetOption, Repoint, Switch  key.Binding
	Membership, Back, Forward                                      key.Binding
	navUp, navDown, navPgUp, navPgDown, navTop, navBottom, navLeft key.Binding
	navRight                                                       key.Binding
}

func newGlobalKeys() globalKeys {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return globalKeys{
		Quit:       b("q", "quit", "q", "ctrl+c"),
		Help:       b("?", "help", "?"),
		NextPane:   b("tab", "next pane", "tab"),
		PrevPane:   b("shift+tab", "prev pane", "shift+tab"),
		GoPane:     b("1-5", "go to pane", "1", "2", "3", "4", "5"),
		Pause:      b("space", "pause/resume", " "),
		Faster:     b("+", "faster", "+", "="),
		Slower:     b("-", "slower", "-", "_"),
		Command:    b(":", "command", ":"),
		Filter:     b("/", "filter log", "/"),
		Open:       b("o", "open scenario", "o"),
		Activate:   b("a", "activate strategy", "a"),
		Deactivate: b("d", "deactivate strategy", "d"),
		Stop:       b("x", "stop app", "x"),
		Start:      b("s", "start app", "s"),
		SetOption:  b("e", "set option", "e"),
		Repoint:    b("r", "re-point DAP", "r"),
		Switch:     b("w", "switchover", "w"),
		Membership: b("m", "cluster members", "m"),
		Back:       b("[", "back 10 s", "["),
		Forward:    b("]", "forward 10 s", "]"),

		navUp:     b("↑/k", "up", "up", "k"),
		navDown:   b("↓/j", "down", "down", "j"),
		navPgUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		navPgDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		navTop:    b("g", "top", "g", "home"),
		navBottom: b("G", "bottom", "G", "end"),
		navLeft:   b("←/h", "left", "left", "h"),
		navRight:  b("→/l", "right", "right", "l"),
	}
}

// keyMap is what the help bubble shows: the focused pane's keys, then the global ones. It
// implements help.KeyMap.
type keyMap struct {
	g        *globalKeys
	pane     []key.Binding
	name     string
	readOnly bool
	rewound  bool
}

// kLive is the hint of a rewound view's way back.
var kLive = key.NewBinding(key.WithKeys(":"), key.WithHelp(":live", "back to the present"))

// ShortHelp is the one-line hint under the status bar. Read-only mode leaves out what it would
// refuse.
func (k keyMap) ShortHelp() []key.Binding {
	if k.rewound { // the past: how to move in it and how to leave it
		hint := key.NewBinding(key.WithKeys("x"), key.WithHelp("x s a …", "act here: branches (asks first)"))
		if k.readOnly {
			hint = key.NewBinding(key.WithKeys("x"), key.WithHelp("read-only", "looking only"))
		}
		return []key.Binding{k.g.Back, k.g.Forward, kLive, hint, k.g.Help, k.g.Quit}
	}
	var out []key.Binding
	for _, b := range append(append([]key.Binding(nil), k.pane...), k.g.Stop, k.g.Start, k.g.Activate, k.g.Pause, k.g.Command, k.g.Help, k.g.Quit) {
		if k.readOnly && (changesByKey(b) || paneChangeKeys[b.Help().Key]) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// paneChangeKeys are the pane keys that change the simulation (Routing's t toggles a strategy
// on a URS): read-only mode leaves them out of the hints, and applyCmd refuses what they ask.
var paneChangeKeys = map[string]bool{"t": true}

// changesByKey reports whether the action bound to b changes the simulation.
func changesByKey(b key.Binding) bool {
	g := newGlobalKeys()
	for i := range actions {
		if ab, ok := actions[i].binding(&g); ok && ab.Help().Key == b.Help().Key {
			return actions[i].changes
		}
	}
	return false
}

// FullHelp is required by help.KeyMap; the ? help is the helpDialog, which reads the action
// table.
func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
