package tui

import "github.com/charmbracelet/bubbles/key"

// globalKeys work in every pane. Operator actions act on the selected row of the focused pane.
type globalKeys struct {
	Quit, Help, NextPane, PrevPane, GoPane                         key.Binding
	Pause, Faster, Slower, Command, Filter, Open                   key.Binding
	Activate, Deactivate, Stop, Start, SetOption, Repoint, Switch  key.Binding
	Membership                                                     key.Binding
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
	g    *globalKeys
	pane []key.Binding
	name string
}

// ShortHelp is the one-line hint under the status bar.
func (k keyMap) ShortHelp() []key.Binding {
	out := append([]key.Binding(nil), k.pane...)
	return append(out, k.g.Stop, k.g.Start, k.g.Activate, k.g.Pause, k.g.Command, k.g.Help, k.g.Quit)
}

// FullHelp is the ? screen, one column per group.
func (k keyMap) FullHelp() [][]key.Binding {
	g := k.g
	cols := [][]key.Binding{
		{g.NextPane, g.PrevPane, g.GoPane, g.navUp, g.navDown, g.navPgUp, g.navPgDown, g.navTop, g.navBottom},
		{g.Pause, g.Faster, g.Slower, g.Command, g.Filter, g.Open, g.Help, g.Quit},
		{g.Activate, g.Deactivate, g.Stop, g.Start, g.SetOption, g.Repoint, g.Switch, g.Membership},
	}
	// The pane's own keys, minus those already listed (the short help repeats a few globals
	// that matter most in the pane, like r and w in the Database pane).
	seen := map[string]bool{}
	for _, c := range cols {
		for _, b := range c {
			seen[b.Help().Key] = true
		}
	}
	var own []key.Binding
	for _, b := range k.pane {
		if !seen[b.Help().Key] {
			own = append(own, b)
		}
	}
	if len(own) > 0 {
		cols = append(cols, own)
	}
	return cols
}
