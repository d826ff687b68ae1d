package tui

import "github.com/charmbracelet/bubbles/key"

// globalKeys are the keys that move around, in every pane. The keys of actions (stop, pause,
// the command line, help …) are the action table's (actions.go), not these.
type globalKeys struct {
	NextPane, PrevPane, GoPane                                     key.Binding
	navUp, navDown, navPgUp, navPgDown, navTop, navBottom, navLeft key.Binding
	navRight                                                       key.Binding
}

// bind is a key binding with its help.
func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		NextPane: bind("tab", "next pane", "tab"),
		PrevPane: bind("shift+tab", "prev pane", "shift+tab"),
		GoPane:   bind("1-5", "go to pane", "1", "2", "3", "4", "5"),

		navUp:     bind("↑/k", "up", "up", "k"),
		navDown:   bind("↓/j", "down", "down", "j"),
		navPgUp:   bind("pgup", "page up", "pgup", "ctrl+u"),
		navPgDown: bind("pgdn", "page down", "pgdown", "ctrl+d"),
		navTop:    bind("g", "top", "g", "home"),
		navBottom: bind("G", "bottom", "G", "end"),
		navLeft:   bind("←/h", "left", "left", "h"),
		navRight:  bind("→/l", "right", "right", "l"),
	}
}

// kFilterLog opens the event log's filter: the table's "/" row, and the Event log pane's own key.
var kFilterLog = bind("/", "filter log", "/")

// paneKey is a pane's key as the help shows it. does names the row of the action table the key
// is a shortcut for ("" none: it only moves or shows), so read-only mode treats it as that row.
type paneKey struct {
	key.Binding
	does string
}

// refused reports whether read-only mode refuses the key: it does when it refuses the row the
// key is a shortcut for.
func (k paneKey) refused(readOnly bool) bool {
	return k.does != "" && mustAction(k.does).refused(readOnly)
}

// hintIn says where the one-line hint under the status bar shows an action: in the present, in
// a rewound view, or both.
type hintIn uint8

const (
	hintPresent hintIn = 1 << iota
	hintPast
)

// keyMap is what the help bubble shows: the focused pane's keys, then the table's hinted
// actions. It implements help.KeyMap.
type keyMap struct {
	pane     []paneKey
	readOnly bool
	rewound  bool
}

// ShortHelp is the one-line hint under the status bar, read from the action table. Read-only
// mode leaves out what it would refuse.
func (k keyMap) ShortHelp() []key.Binding {
	if k.rewound { // the past: how to move in it and how to leave it, then what always shows
		var past, always []key.Binding
		for i := range actions {
			a := &actions[i]
			switch {
			case a.hint&hintPast == 0:
			case a.hint&hintPresent != 0:
				always = append(always, a.hintKey())
			default:
				past = append(past, a.hintKey())
			}
		}
		act := bind("x s a …", "act here: branches (asks first)", "x")
		if k.readOnly {
			act = bind("read-only", "looking only", "x")
		}
		return append(append(past, act), always...)
	}
	var out []key.Binding
	for _, b := range k.pane {
		if !b.refused(k.readOnly) {
			out = append(out, b.Binding)
		}
	}
	for i := range actions {
		if a := &actions[i]; a.hint&hintPresent != 0 && !a.refused(k.readOnly) {
			out = append(out, a.hintKey())
		}
	}
	return out
}

// FullHelp is required by help.KeyMap; the ? help is the helpDialog, which reads the action
// table.
func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
