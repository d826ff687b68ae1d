package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// The operator's actions, in one table (in the spirit of k9s' KeyAction and lazygit's
// GetDisabledReason): the key, the `:` command and its usage, the argument kinds completion
// offers, a disabled check that the key and the command share, whether the action changes the
// simulation (read-only mode refuses it) or is dangerous (it asks first, and read-only mode hides
// it from the hints), and what it does. Keys, commands, help and completion all read it.

// action is one operator action.
type action struct {
	name    string   // the command (":stop"); "" for a key only
	aliases []string // other spellings of the command
	key     func(g *globalKeys) key.Binding
	usage   string
	summary string
	min     int
	max     int       // -1: any number of arguments
	args    []argKind // by position; the last repeats for variadic commands
	// changes: the action changes the simulation (read-only mode refuses it). Pacing (pause,
	// speed) and looking around do not.
	changes bool
	// dangerous: the action disrupts service (stop an application, switch over, re-point a
	// DAP, leave a cluster): it confirms, saying what will happen, unless typed as `:name!`.
	dangerous bool
	// dangerIf makes the action dangerous only for some arguments (deactivating a strategy
	// everywhere).
	dangerIf func(m *Model, args []string) bool
	// selected gives the key's arguments from the selection of the focused pane. nil: the key
	// runs onKey instead (a dialog that asks for them).
	selected func(m *Model) ([]string, error)
	// disabled says why the action cannot run with these arguments now ("" runs). The key and
	// the command share it.
	disabled func(m *Model, args []string) string
	// confirm is the dangerous action's question: a title and what will happen.
	confirm func(m *Model, args []string) (string, []string)
	onKey   func(m *Model) tea.Cmd
	run     func(m *Model, args []string) (tea.Cmd, error)
	// runForce, when set, replaces run for an action whose `!` means more than "do not ask"
	// (:load! starts a scenario over).
	runForce func(m *Model, args []string, force bool) (tea.Cmd, error)
}

func (a *action) binding(g *globalKeys) (key.Binding, bool) {
	if a.key == nil {
		return key.Binding{}, false
	}
	return a.key(g), true
}

func (a *action) usageLine() string { return ":" + strings.TrimSpace(a.name+" "+a.usage) }

var actions []action

func init() {
	app := func(m *Model) ([]string, error) {
		sel := m.selection().App
		if sel == "" {
			return nil, errNoApp
		}
		return []string{sel}, nil
	}
	activation := func(kind core.ActionKind, verb string) func(m *Model, a []string) (tea.Cmd, error) {
		return func(m *Model, a []string) (tea.Cmd, error) {
			return m.applyCmd(verb+" "+a[0]+" on "+strings.Join(a[1:], ", "),
				core.Action{Kind: kind, Strategy: a[0], URS: a[1:]}), nil
		}
	}
	membership := func(kind core.ActionKind, verb string) func(m *Model, a []string) (tea.Cmd, error) {
		return func(m *Model, a []string) (tea.Cmd, error) {
			return m.applyCmd(a[1]+" "+verb+" "+a[0], core.Action{Kind: kind, Cluster: a[0], App: a[1]}), nil
		}
	}
	actions = []action{
		{name: "stop", key: func(g *globalKeys) key.Binding { return g.Stop }, usage: "APP", summary: "stop an application",
			min: 1, max: 1, args: []argKind{argApp}, changes: true, dangerous: true, selected: app,
			disabled: func(m *Model, a []string) string {
				v, ok := m.app(a[0])
				switch {
				case !ok:
					return m.unknownApp(a[0])
				case !v.Running:
					return v.Name + " is already stopped (s or :start starts it)"
				}
				return ""
			},
			confirm: func(m *Model, a []string) (string, []string) {
				v, ok := m.app(a[0])
				if !ok {
					return "Stop " + a[0] + "?", nil
				}
				return "Stop " + v.Name + "?", m.stopConsequences(v)
			},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("stopped "+a[0], core.Action{Kind: core.ActStop, App: a[0]}), nil
			}},
		{name: "start", key: func(g *globalKeys) key.Binding { return g.Start }, usage: "APP", summary: "start an application",
			min: 1, max: 1, args: []argKind{argApp}, changes: true, selected: app,
			disabled: func(m *Model, a []string) string {
				v, ok := m.app(a[0])
				switch {
				case !ok:
					return m.unknownApp(a[0])
				case v.Running:
					return v.Name + " is already running"
				}
				return ""
			},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("started "+a[0], core.Action{Kind: core.ActStart, App: a[0]}), nil
			}},
		{name: "activate", key: func(g *globalKeys) key.Binding { return g.Activate }, usage: "STRATEGY URS…",
			summary: "load a strategy on URS instances", min: 2, max: -1, args: []argKind{argStrategy, argURS}, changes: true,
			disabled: func(m *Model, a []string) string { return m.checkActivation(core.ActActivate, a[0], a[1:]) },
			onKey:    func(m *Model) tea.Cmd { m.activationWizard(core.ActActivate); return nil },
			run:      activation(core.ActActivate, "activated")},
		{name: "deactivate", key: func(g *globalKeys) key.Binding { return g.Deactivate }, usage: "STRATEGY URS…",
			summary: "unload a strategy from URS instances", min: 2, max: -1, args: []argKind{argStrategy, argURS}, changes: true,
			disabled: func(m *Model, a []string) string { return m.checkActivation(core.ActDeactivate, a[0], a[1:]) },
			// Unloading it from every URS that has it leaves its queues with nowhere to go.
			dangerIf: func(m *Model, a []string) bool { all, _ := m.unloadsEverywhere(a[0], a[1:]); return all },
			confirm: func(m *Model, a []string) (string, []string) {
				_, queues := m.unloadsEverywhere(a[0], a[1:])
				return "Deactivate " + a[0] + " everywhere?", []string{
					a[0] + " will be loaded on no URS: interactions of " + orNone(strings.Join(queues, ", ")) +
						" wait for an eligible URS (the Interactions pane counts them) until it is activated again; none are lost."}
			},
			onKey: func(m *Model) tea.Cmd { m.activationWizard(core.ActDeactivate); return nil },
			run:   activation(core.ActDeactivate, "deactivated")},
		{name: "set", key: func(g *globalKeys) key.Binding { return g.SetOption }, usage: "APP SECTION OPTION VALUE",
			summary: "set an option on the fly (section annex:NAME for the Annex)", min: 4, max: 4,
			args: []argKind{argApp, argSection, argOption, argValue}, changes: true,
			disabled: func(m *Model, a []string) string { return m.checkOption(a[0], a[1], a[2], a[3]) },
			onKey:    func(m *Model) tea.Cmd { return m.setOptionForm() },
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("set "+a[0]+" "+a[1]+"/"+a[2]+" = "+a[3],
					core.Action{Kind: core.ActSetOption, App: a[0], Section: a[1], Option: a[2], Value: a[3]}), nil
			}},
		{name: "repoint", key: func(g *globalKeys) key.Binding { return g.Repoint }, usage: "DAP DATABASE",
			summary: "point a DAP at another database", min: 2, max: 2, args: []argKind{argDAP, argDatabase},
			changes: true, dangerous: true,
			disabled: func(m *Model, a []string) string {
				s := m.snap()
				if s == nil {
					return ""
				}
				v, ok := m.app(a[0])
				switch {
				case !ok:
					return m.unknownApp(a[0])
				case v.Type != core.TypeDatabaseAccessPoint:
					return fmt.Sprintf("%s is %s, not a DatabaseAccessPoint", v.Name, article(string(v.Type)))
				case !slices.Contains(s.Databases, a[1]):
					return fmt.Sprintf("unknown database %q%s", a[1], core.DidYouMean(a[1], s.Databases))
				}
				for _, d := range s.DAPs {
					if d.Name == a[0] && d.Database == a[1] {
						return d.Name + " already points at " + a[1]
					}
				}
				return ""
			},
			confirm: func(m *Model, a []string) (string, []string) {
				return "Re-point " + a[0] + " to " + a[1] + "?", m.repointConsequences(a[0], a[1])
			},
			onKey: func(m *Model) tea.Cmd { m.repointFlow(); return nil },
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("re-pointed "+a[0]+" to "+a[1], core.Action{Kind: core.ActRepoint, App: a[0], Database: a[1]}), nil
			}},
		{name: "join", usage: "CLUSTER APP", summary: "add a server to an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, changes: true,
			disabled: func(m *Model, a []string) string { return m.checkMembership(core.ActJoin, a[0], a[1]) },
			run:      membership(core.ActJoin, "joined")},
		{name: "leave", usage: "CLUSTER APP", summary: "remove a server from an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, changes: true, dangerous: true,
			disabled: func(m *Model, a []string) string { return m.checkMembership(core.ActLeave, a[0], a[1]) },
			confirm: func(m *Model, a []string) (string, []string) {
				return a[1] + " leaves " + a[0] + "?", []string{"Requests addressed to " + a[0] + " no longer go to " + a[1] + "; requests in flight finish where they are."}
			},
			run: membership(core.ActLeave, "left")},
		{name: "members", key: func(g *globalKeys) key.Binding { return g.Membership }, summary: "join or leave Application Clusters (a dialog)",
			changes: true, onKey: func(m *Model) tea.Cmd { m.membershipFlow(); return nil },
			run: func(m *Model, _ []string) (tea.Cmd, error) { m.membershipFlow(); return nil, nil }},
		{name: "switchover", aliases: []string{"so"}, key: func(g *globalKeys) key.Binding { return g.Switch }, usage: "[IS]",
			summary: "switch the Interaction Server pair over to the backup", min: 0, max: 1, args: []argKind{argIS},
			changes: true, dangerous: true,
			selected: func(m *Model) ([]string, error) { return nil, nil },
			disabled: func(m *Model, a []string) string {
				is := m.switchoverIS(a)
				if is == "" {
					return "no Interaction Server to switch over"
				}
				if v, ok := m.app(is); !ok || v.Type != core.TypeInteractionServer {
					var names []string
					for _, x := range m.snap().ISes {
						names = append(names, x.Name)
					}
					return fmt.Sprintf("unknown Interaction Server %q%s", is, core.DidYouMean(is, names))
				}
				if m.backupOf(is) == "" {
					return is + " has no backup to switch over to"
				}
				if from, to := m.switchoverPair(a); to != "" {
					if v, ok := m.app(to); ok && !v.Running {
						return "cannot switch over from " + from + ": " + to + " is stopped (s or :start starts it)"
					}
				}
				return ""
			},
			confirm: func(m *Model, a []string) (string, []string) {
				from, to := m.switchoverPair(a)
				return "Switch over " + from + " → " + to + "?", m.switchoverConsequences(from, to)
			},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				from, to := m.switchoverPair(a)
				return m.applyCmd("switched over from "+from+" to "+to, core.Action{Kind: core.ActSwitchover, App: m.switchoverIS(a)}), nil
			}},
		{name: "restart", usage: "[IS]",
			summary: "restart an Interaction Server: it restores from its database (those in a URS are resubmitted)",
			min:     0, max: 1, args: []argKind{argIS}, changes: true, dangerous: true,
			disabled: func(m *Model, a []string) string {
				is := m.switchoverIS(a)
				v, ok := m.app(is)
				switch {
				case is == "":
					return "no Interaction Server to restart"
				case !ok || v.Type != core.TypeInteractionServer:
					return fmt.Sprintf("%q is not an Interaction Server", is)
				case !v.Running:
					return is + " is stopped: start it instead"
				}
				return ""
			},
			confirm: func(m *Model, a []string) (string, []string) {
				is := m.switchoverIS(a)
				return "Restart " + is + "?", []string{
					is + " forgets what it holds in memory, reads its DAPs anew and restores from its database:",
					"queued interactions are routed again, those in a URS are resubmitted, those with agents stay.",
				}
			},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				is := m.switchoverIS(a)
				return m.applyCmd("restarted "+is, core.Action{Kind: core.ActRestart, App: is}), nil
			}},
		{name: "load", aliases: []string{"open", "e"}, key: func(g *globalKeys) key.Binding { return g.Open }, usage: "FILE|NAME",
			summary: "open a scenario file or bundled scenario, resuming its own saved session (:load! starts it over)", min: 1, max: 1,
			// Switching scenarios changes no simulation: read-only opens it from its start, in a
			// scratch directory like the first.
			args:  []argKind{argFile},
			onKey: func(m *Model) tea.Cmd { return m.openFile() },
			runForce: func(m *Model, a []string, force bool) (tea.Cmd, error) {
				if force {
					return m.loadCmd(a[0], loadFresh)
				}
				return m.loadCmd(a[0], loadResume)
			}},
		{name: "pause", key: func(g *globalKeys) key.Binding { return g.Pause }, summary: "pause or resume virtual time (the key toggles)",
			disabled: func(m *Model, _ []string) string { return m.whileRewound() },
			onKey: func(m *Model) tea.Cmd {
				if why := m.whileRewound(); why != "" {
					m.info(why)
					return nil
				}
				return m.setPaused(m.frame == nil || !m.frame.Paused)
			},
			run: func(m *Model, _ []string) (tea.Cmd, error) { return m.setPaused(true), nil }},
		{name: "resume", summary: "resume virtual time", disabled: func(m *Model, _ []string) string { return m.whileRewound() },
			run: func(m *Model, _ []string) (tea.Cmd, error) { return m.setPaused(false), nil }},
		{name: "goto", aliases: []string{"go"}, usage: "T",
			summary: "show the world as it was at virtual time T (1:30, 90s, 1:02:03): every pane, the log and the charts, replayed; acting there branches",
			min:     1, max: 1,
			run: func(m *Model, a []string) (tea.Cmd, error) {
				t, err := parseVirtualTime(a[0])
				if err != nil {
					return nil, err
				}
				return m.rewindCmd(t)
			}},
		{key: func(g *globalKeys) key.Binding { return g.Back }, summary: "back 10 s of virtual time (a rewound view)",
			onKey: func(m *Model) tea.Cmd { return m.stepTime(-travelStep) }},
		{key: func(g *globalKeys) key.Binding { return g.Forward }, summary: "forward 10 s, up to the live simulation",
			onKey: func(m *Model) tea.Cmd { return m.stepTime(travelStep) }},
		{name: "live", summary: "back to the present from a rewound view (nothing is changed)",
			run: func(m *Model, _ []string) (tea.Cmd, error) { return m.liveCmd(), nil }},
		{name: "export", usage: "FILE [--expect]",
			summary: "write the session shown as a scenario: its operator actions in timeline: (--expect adds expect: lines from the figures now; :export! overwrites FILE)",
			min:     1, max: 2, args: []argKind{argFile, argExportFlag},
			runForce: func(m *Model, a []string, force bool) (tea.Cmd, error) { return m.exportCmd(a, force) }},
		{name: "speed", usage: "N", summary: "virtual seconds per wall-clock second (0.5, 1, 10, 1000…)", min: 1, max: 1,
			args: []argKind{argSpeed},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				x, err := live.ParseSpeed(a[0])
				if err != nil {
					return nil, err
				}
				return m.setSpeed(x), nil
			}},
		{key: func(g *globalKeys) key.Binding { return g.Faster }, summary: "faster", onKey: func(m *Model) tea.Cmd { return m.stepSpeed(1) }},
		{key: func(g *globalKeys) key.Binding { return g.Slower }, summary: "slower", onKey: func(m *Model) tea.Cmd { return m.stepSpeed(-1) }},
		{name: "messages", aliases: []string{"mes", "msgs"}, summary: "the messages of this session, errors and lint warnings in full",
			run: func(m *Model, _ []string) (tea.Cmd, error) { m.showMessages(); return nil, nil }},
		{name: "help", aliases: []string{"h", "?"}, key: func(g *globalKeys) key.Binding { return g.Help },
			summary: "keys and commands (type to filter)",
			onKey:   func(m *Model) tea.Cmd { m.openHelp(); return nil },
			run:     func(m *Model, _ []string) (tea.Cmd, error) { m.openHelp(); return nil, nil }},
		{name: "quit", aliases: []string{"q", "q!", "exit"}, key: func(g *globalKeys) key.Binding { return g.Quit },
			summary: "leave the console (the session is saved)",
			onKey:   func(m *Model) tea.Cmd { return tea.Quit },
			run:     func(m *Model, _ []string) (tea.Cmd, error) { return tea.Quit, nil }},
	}
}

// lookupCommand finds a command by name or alias. A trailing '!' (":stop! URS_1") skips the
// confirmation of a dangerous action.
func lookupCommand(name string) (a *action, force bool, ok bool) {
	if n, cut := strings.CutSuffix(name, "!"); cut && name != "q!" {
		name, force = n, true
	}
	for i := range actions {
		c := &actions[i]
		if c.name == "" {
			continue
		}
		if c.name == name {
			return c, force, true
		}
		for _, al := range c.aliases {
			if al == name {
				return c, force, true
			}
		}
	}
	return nil, false, false
}

// commandNames are the commands, in table order.
func commandNames() []string {
	var out []string
	for _, a := range actions {
		if a.name != "" {
			out = append(out, a.name)
		}
	}
	return out
}

// errReadOnly is what read-only mode answers to an action that would change the simulation.
func errReadOnly(what string) error {
	return fmt.Errorf("read-only: %s would change the simulation (this console was opened with --read-only)", what)
}

// keyAction runs the action bound to k, if any.
func (m *Model) keyAction(k tea.KeyMsg) (tea.Cmd, bool) {
	for i := range actions {
		a := &actions[i]
		b, ok := a.binding(&m.keys)
		if !ok || !key.Matches(k, b) {
			continue
		}
		if m.readOnly && a.changes {
			what := b.Help().Desc // one wording with the command's refusal: ":stop"
			if a.name != "" {
				what = ":" + a.name
			}
			m.fail(errReadOnly(what))
			return nil, true
		}
		if a.onKey != nil {
			return a.onKey(m), true
		}
		if a.selected == nil { // a table entry with a key needs onKey or selected
			return nil, false
		}
		args, err := a.selected(m)
		if err != nil {
			m.fail(err)
			return nil, true
		}
		return m.perform(a, args, false), true
	}
	return nil, false
}

// perform runs an action after its disabled check, asking first when it is dangerous.
func (m *Model) perform(a *action, args []string, force bool) tea.Cmd {
	d, cmd := m.prepare(a, args, force)
	if d != nil {
		m.dlg = d
	}
	return cmd
}

// prepare is perform for a dialog's last step: it returns the confirmation to show next (or
// nil) and the command to run.
func (m *Model) prepare(a *action, args []string, force bool) (dialog, tea.Cmd) {
	if a.disabled != nil {
		if why := a.disabled(m, args); why != "" {
			m.fail(errors.New(why))
			return nil, nil
		}
	}
	// An action that changes the simulation while rewound branches: one question says what the
	// branch discards (and, for a dangerous action, what the action does), whatever `!` says.
	branch := a.changes && m.rewound() && !m.readOnly
	m.branching = branch
	shown := m.dlg
	var cmd tea.Cmd
	var err error
	if a.runForce != nil {
		cmd, err = a.runForce(m, args, force)
	} else {
		cmd, err = a.run(m, args)
	}
	m.branching = false
	if err != nil {
		m.fail(err)
		return nil, nil
	}
	dangerous := a.dangerous || (a.dangerIf != nil && a.dangerIf(m, args))
	if branch && cmd != nil && m.dlg == shown { // (an action that opens a dialog asks at its end)
		title, body := m.branchQuestion(commandText(a, args))
		if dangerous {
			t, more := a.confirm(m, args)
			title, body = "Branch and "+lowerFirst(t), append(more, body...)
		}
		return &confirmDialog{title: title, body: body, danger: true, warn: "! Branching discards what happened later.", yes: cmd}, nil
	}
	if force || !dangerous {
		return nil, cmd
	}
	title, body := a.confirm(m, args)
	live := func() []string { _, b := a.confirm(m, args); return b } // from the latest frame
	return &confirmDialog{title: title, body: body, danger: true, yes: cmd, live: live}, nil
}

// commandText is an action as typed: ":start URS_1".
func commandText(a *action, args []string) string {
	out := ":" + a.name
	for _, x := range args {
		if strings.ContainsAny(x, " \t\"'") || x == "" {
			x = strconv.Quote(x)
		}
		out += " " + x
	}
	return out
}

// lowerFirst lowers a question's first letter, to follow "Branch and".
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// mustAction is the action of a command name (a programming error if missing).
func mustAction(name string) *action {
	a, _, ok := lookupCommand(name)
	if !ok {
		panic("tui: no action " + name)
	}
	return a
}

// execute runs one command line. Errors are for the status bar; nothing here panics on input.
func (m *Model) execute(line string) (tea.Cmd, error) {
	toks, err := tokenize(line)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	c, force, ok := lookupCommand(strings.ToLower(toks[0]))
	if !ok {
		msg := fmt.Sprintf("unknown command %q", toks[0])
		return nil, errors.New(msg + core.DidYouMean(strings.ToLower(toks[0]), commandNames()) + " (:help lists them)")
	}
	args := toks[1:]
	if len(args) < c.min || (c.max >= 0 && len(args) > c.max) {
		return nil, fmt.Errorf("usage: %s", c.usageLine())
	}
	for _, a := range args {
		if a == "" {
			return nil, fmt.Errorf("usage: %s (empty argument)", c.usageLine())
		}
	}
	if m.readOnly && c.changes {
		return nil, errReadOnly(":" + c.name)
	}
	return m.perform(c, args, force), nil
}

// switchoverIS is the Interaction Server a switchover acts on: the one named, else the active
// one, else the primary.
func (m *Model) switchoverIS(a []string) string {
	if len(a) == 1 {
		return a[0]
	}
	return m.pairIS()
}

// switchoverPair is what a switchover does, as the Interaction Server decides it: from the
// active server of the pair to the other one (with none active, from the primary to its backup),
// whichever of the two is named.
func (m *Model) switchoverPair(a []string) (from, to string) {
	s := m.snap()
	if s == nil {
		return "", ""
	}
	is := m.switchoverIS(a)
	if m.backupOf(is) == "" {
		return is, ""
	}
	var primary, backup string
	for _, v := range s.ISes {
		if v.Role == "primary" {
			primary = v.Name
		} else {
			backup = v.Name
		}
	}
	if s.ActiveIS == backup {
		return backup, primary
	}
	if s.ActiveIS == "" {
		return primary, backup
	}
	return s.ActiveIS, backup
}

// checkActivation says why activating (or deactivating) strategy on urs would change nothing
// at all, or names what does not exist ("" when it would act). A strategy already loaded on a
// URS is not loaded again: the Strategy Activation Wizard does not offer it, and an operator
// action that changes nothing is not one (it would not be worth a branch).
func (m *Model) checkActivation(kind core.ActionKind, strategy string, urs []string) string {
	s := m.snap()
	if s == nil {
		return ""
	}
	var names []string
	var cells []core.Cell
	found := false
	for _, st := range s.Strategies {
		names = append(names, st.Name)
		if st.Name == strategy {
			cells, found = st.Cells, true
		}
	}
	if !found {
		return fmt.Sprintf("unknown strategy %q%s", strategy, core.DidYouMean(strategy, names))
	}
	var ursNames, same []string
	for _, u := range s.URS {
		ursNames = append(ursNames, u.Name)
	}
	for _, u := range urs {
		i := slices.Index(ursNames, u)
		if i < 0 {
			return fmt.Sprintf("unknown URS %q%s", u, core.DidYouMean(u, ursNames))
		}
		if on := i < len(cells) && cells[i].Activated; on == (kind == core.ActActivate) {
			same = append(same, u)
		}
	}
	switch {
	case len(same) < len(urs): // it changes something
		return ""
	case kind == core.ActActivate:
		return strategy + " is already active on " + strings.Join(same, ", ")
	}
	return strategy + " is not active on " + strings.Join(same, ", ")
}

// checkMembership says why cluster cannot gain (or lose) app now ("" when it can), as the
// Interaction Server would refuse it.
func (m *Model) checkMembership(kind core.ActionKind, cluster, app string) string {
	s := m.snap()
	if s == nil {
		return ""
	}
	var names []string
	for _, c := range s.Clusters {
		names = append(names, c.Name)
		if c.Name != cluster {
			continue
		}
		member := slices.ContainsFunc(c.Members, func(v core.AppView) bool { return v.Name == app })
		switch {
		case kind == core.ActLeave && !member:
			return app + " is not a member of " + cluster
		case kind == core.ActLeave:
			return ""
		case member:
			return app + " is already a member of " + cluster
		}
		v, ok := m.app(app)
		switch {
		case !ok:
			return m.unknownApp(app)
		case !v.Type.IsESP():
			return fmt.Sprintf("%s is %s, not an ESP server", app, article(string(v.Type)))
		case c.Type != "" && c.Type != v.Type:
			return fmt.Sprintf("%s is %s; the members of %s are %ss", app, article(string(v.Type)), cluster, c.Type)
		}
		return ""
	}
	return fmt.Sprintf("unknown Application Cluster %q%s", cluster, core.DidYouMean(cluster, names))
}

// unknownApp says an application name is not in the scenario, suggesting a close one.
func (m *Model) unknownApp(name string) string {
	var names []string
	if s := m.snap(); s != nil {
		for _, a := range s.Apps {
			names = append(names, a.Name)
		}
	}
	return fmt.Sprintf("unknown application %q%s", name, core.DidYouMean(name, names))
}

// backupOf is the other Interaction Server of the pair.
func (m *Model) backupOf(is string) string {
	s := m.snap()
	if s == nil {
		return ""
	}
	found := false
	other := ""
	for _, v := range s.ISes {
		if v.Name == is {
			found = true
		} else {
			other = v.Name
		}
	}
	if !found {
		return ""
	}
	return other
}
