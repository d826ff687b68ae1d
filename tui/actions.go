package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// The operator's actions, in one table (in the spirit of lazygit's Binding and k9s' KeyAction):
// the key, the `:` command and its usage, the argument kinds completion offers, a disabled check
// that the key and the command share, whether the action changes the simulation (read-only mode
// refuses it) or is dangerous (it asks first), and what it does. Keys, commands, the help, the
// one-line hint and completion all read it; dialogs only collect arguments and come back to it
// (perform.go). Adding an action is one row plus its handlers.

// action is one operator action.
type action struct {
	name    string   // the command (":stop"); "" for a key only
	aliases []string // other spellings of the command
	key     key.Binding
	// hint says where the one-line hint shows the action; short is its text there for an
	// action without a key (":live back to the present").
	hint    hintIn
	short   string
	section string // the help's section ("" is Actions)
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
	dangerIf func(w world, args []string) bool
	// selected gives the key's arguments from the selection of the focused pane. nil: the key
	// runs onKey instead (a dialog that asks for them).
	selected func(m *Model) ([]string, error)
	// disabled says why the action cannot run with these arguments now ("" runs). The key, the
	// command and the dialogs share it.
	disabled func(w world, args []string) string
	// confirm is the dangerous action's question: a title and what will happen.
	confirm func(w world, args []string) (string, []string)
	onKey   func(m *Model) tea.Cmd
	// An action does one of two things. plan: it changes the simulation, and says how as data
	// (a change), from the world shown, which it cannot act on; the console applies the change
	// once it is confirmed. disabled, dangerIf and confirm read only the world too: nothing the
	// table asks before the question is answered can act. run: the action acts at once (pacing,
	// looking, opening a dialog); it is never confirmed, so it cannot be dangerous. force is the
	// `!` of `:name!`.
	plan func(w world, args []string) change
	run  func(m *Model, args []string, force bool) (tea.Cmd, error)
}

func (a *action) hasKey() bool { return len(a.key.Keys()) > 0 }

// hintKey is the action as the one-line hint shows it: its key, else its command.
func (a *action) hintKey() key.Binding {
	if a.hasKey() {
		return a.key
	}
	return bind(":"+a.name, a.short, ":")
}

// refused reports whether read-only mode refuses the action: the one rule, which the keys, the
// commands, the help, the hint and completion all ask.
func (a *action) refused(readOnly bool) bool { return readOnly && a.changes }

// what names the action in a refusal: its command, else its key's text.
func (a *action) what() string {
	if a.name != "" {
		return ":" + a.name
	}
	return a.key.Help().Desc
}

func (a *action) usageLine() string { return ":" + strings.TrimSpace(a.name+" "+a.usage) }

// change is what an action does to the simulation, as data: the actions to apply and how the
// status bar says it.
type change struct {
	desc string
	acts []core.Action
}

// actions is the table, built once (in init: its handlers look rows up by name).
var actions []action

func init() {
	actions = slices.Concat(appActions(), configActions(), clusterActions(), serverActions(),
		sessionActions(), timeActions(), consoleActions())
}

// selectedApp is a key's argument: the application selected in the focused pane.
func selectedApp(m *Model) ([]string, error) {
	sel := m.selection().App
	if sel == "" {
		return nil, errNoApp
	}
	return []string{sel}, nil
}

func appActions() []action {
	return []action{
		{name: "stop", key: bind("x", "stop app", "x"), hint: hintPresent, usage: "APP", summary: "stop an application",
			min: 1, max: 1, args: []argKind{argApp}, changes: true, dangerous: true, selected: selectedApp,
			disabled: world.stopDisabled, confirm: world.stopQuestion,
			plan: func(_ world, a []string) change {
				return do1("stopped "+a[0], core.Action{Kind: core.ActStop, App: a[0]})
			}},
		{name: "start", key: bind("s", "start app", "s"), hint: hintPresent, usage: "APP", summary: "start an application",
			min: 1, max: 1, args: []argKind{argApp}, changes: true, selected: selectedApp,
			disabled: world.startDisabled,
			plan: func(_ world, a []string) change {
				return do1("started "+a[0], core.Action{Kind: core.ActStart, App: a[0]})
			}},
	}
}

func configActions() []action {
	return []action{
		{name: "activate", key: bind("a", "activate strategy", "a"), hint: hintPresent, usage: "STRATEGY URS…",
			summary: "load a strategy on URS instances", min: 2, max: -1, args: []argKind{argStrategy, argURS}, changes: true,
			disabled: func(w world, a []string) string { return w.checkActivation(core.ActActivate, a[0], a[1:]) },
			onKey:    func(m *Model) tea.Cmd { m.activationWizard(core.ActActivate); return nil },
			plan:     activation(core.ActActivate, "activated")},
		{name: "deactivate", key: bind("d", "deactivate strategy", "d"), usage: "STRATEGY URS…",
			summary: "unload a strategy from URS instances", min: 2, max: -1, args: []argKind{argStrategy, argURS}, changes: true,
			disabled: func(w world, a []string) string { return w.checkActivation(core.ActDeactivate, a[0], a[1:]) },
			// Unloading it from every URS that has it leaves its queues with nowhere to go.
			dangerIf: func(w world, a []string) bool { all, _ := w.unloadsEverywhere(a[0], a[1:]); return all },
			confirm:  world.deactivateQuestion,
			onKey:    func(m *Model) tea.Cmd { m.activationWizard(core.ActDeactivate); return nil },
			plan:     activation(core.ActDeactivate, "deactivated")},
		{name: "set", key: bind("e", "set option", "e"), usage: "APP SECTION OPTION VALUE",
			summary: "set an option on the fly (section " + core.AnnexSection("NAME") + " for the Annex)", min: 4, max: 4,
			args: []argKind{argApp, argSection, argOption, argValue}, changes: true,
			disabled: func(w world, a []string) string { return w.checkOption(a[0], a[1], a[2], a[3]) },
			onKey:    (*Model).setOptionForm,
			plan: func(_ world, a []string) change {
				return do1("set "+a[0]+" "+a[1]+"/"+a[2]+" = "+a[3],
					core.Action{Kind: core.ActSetOption, App: a[0], Section: a[1], Option: a[2], Value: a[3]})
			}},
		{name: "repoint", key: bind("r", "re-point DAP", "r"), usage: "DAP DATABASE",
			summary: "point a DAP at another database", min: 2, max: 2, args: []argKind{argDAP, argDatabase},
			changes: true, dangerous: true, disabled: world.repointDisabled,
			confirm: func(w world, a []string) (string, []string) {
				return "Re-point " + a[0] + " to " + a[1] + "?", w.repointConsequences(a[0], a[1])
			},
			onKey: func(m *Model) tea.Cmd { m.repointFlow(); return nil },
			plan: func(_ world, a []string) change {
				return do1("re-pointed "+a[0]+" to "+a[1], core.Action{Kind: core.ActRepoint, App: a[0], Database: a[1]})
			}},
	}
}

func clusterActions() []action {
	return []action{
		{name: "join", usage: "CLUSTER APP", summary: "add a server to an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, changes: true,
			disabled: func(w world, a []string) string { return w.checkMembership(core.ActJoin, a[0], a[1]) },
			plan:     membership(core.ActJoin, "joined")},
		{name: "leave", usage: "CLUSTER APP", summary: "remove a server from an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, changes: true, dangerous: true,
			disabled: func(w world, a []string) string { return w.checkMembership(core.ActLeave, a[0], a[1]) },
			confirm: func(_ world, a []string) (string, []string) {
				return a[1] + " leaves " + a[0] + "?", []string{"Requests addressed to " + a[0] + " no longer go to " + a[1] + "; requests in flight finish where they are."}
			},
			plan: membership(core.ActLeave, "left")},
		{name: "members", key: bind("m", "cluster members", "m"), summary: "join or leave Application Clusters (a dialog)",
			changes: true, onKey: func(m *Model) tea.Cmd { m.membershipFlow(); return nil },
			run: func(m *Model, _ []string, _ bool) (tea.Cmd, error) { m.membershipFlow(); return nil, nil }},
	}
}

func serverActions() []action {
	return []action{
		{name: "switchover", aliases: []string{"so"}, key: bind("w", "switchover", "w"), usage: "[IS]",
			summary: "switch the Interaction Server pair over to the backup", min: 0, max: 1, args: []argKind{argIS},
			changes: true, dangerous: true,
			selected: func(m *Model) ([]string, error) { return nil, nil },
			disabled: world.switchoverDisabled,
			confirm: func(w world, a []string) (string, []string) {
				from, to := w.switchoverPair(a)
				return "Switch over " + from + " → " + to + "?", w.switchoverConsequences(from, to)
			},
			plan: func(w world, a []string) change {
				from, to := w.switchoverPair(a)
				return do1("switched over from "+from+" to "+to, core.Action{Kind: core.ActSwitchover, App: w.switchoverIS(a)})
			}},
		{name: "restart", usage: "[IS]",
			summary: "restart an Interaction Server: it restores from its database (those in a URS are resubmitted)",
			min:     0, max: 1, args: []argKind{argIS}, changes: true, dangerous: true,
			disabled: world.restartDisabled,
			confirm: func(w world, a []string) (string, []string) {
				is := w.switchoverIS(a)
				return "Restart " + is + "?", []string{
					is + " forgets what it holds in memory, reads its DAPs anew and restores from its database:",
					"queued interactions are routed again, those in a URS are resubmitted, those with agents stay.",
				}
			},
			plan: func(w world, a []string) change {
				is := w.switchoverIS(a)
				return do1("restarted "+is, core.Action{Kind: core.ActRestart, App: is})
			}},
	}
}

func sessionActions() []action {
	return []action{
		{name: "load", aliases: []string{"open", "e"}, key: bind("o", "open scenario", "o"), usage: "FILE|NAME",
			summary: "open a scenario file or bundled scenario, resuming its own saved session (:load! starts it over)", min: 1, max: 1,
			// Switching scenarios changes no simulation: read-only opens it from its start, in a
			// scratch directory like the first.
			args:  []argKind{argFile},
			onKey: (*Model).openFile,
			run: func(m *Model, a []string, force bool) (tea.Cmd, error) {
				if force {
					return m.loadCmd(a[0], loadFresh)
				}
				return m.loadCmd(a[0], loadResume)
			}},
		{name: "pause", key: bind("space", "pause/resume", " "), hint: hintPresent,
			summary:  "pause or resume virtual time (the key toggles)",
			disabled: func(w world, _ []string) string { return w.whileRewound() },
			onKey:    (*Model).togglePause,
			run:      func(m *Model, _ []string, _ bool) (tea.Cmd, error) { return m.setPaused(true), nil }},
		{name: "resume", summary: "resume virtual time", disabled: func(w world, _ []string) string { return w.whileRewound() },
			run: func(m *Model, _ []string, _ bool) (tea.Cmd, error) { return m.setPaused(false), nil }},
	}
}

func timeActions() []action {
	return []action{
		{name: "goto", aliases: []string{"go"}, usage: "T",
			summary: "show the world as it was at virtual time T (1:30, 90s, 1:02:03): every pane, the log and the charts, replayed; acting there branches",
			min:     1, max: 1,
			run: func(m *Model, a []string, _ bool) (tea.Cmd, error) {
				t, err := parseVirtualTime(a[0])
				if err != nil {
					return nil, err
				}
				return m.rewindCmd(t)
			}},
		{key: bind("[", "back 10 s", "["), hint: hintPast, summary: "back 10 s of virtual time (a rewound view)",
			onKey: func(m *Model) tea.Cmd { return m.stepTime(-travelStep) }},
		{key: bind("]", "forward 10 s", "]"), hint: hintPast, summary: "forward 10 s, up to the live simulation",
			onKey: func(m *Model) tea.Cmd { return m.stepTime(travelStep) }},
		{name: "live", hint: hintPast, short: "back to the present",
			summary: "back to the present from a rewound view (nothing is changed)",
			run:     func(m *Model, _ []string, _ bool) (tea.Cmd, error) { return m.liveCmd(), nil }},
		{name: "export", usage: "FILE [--expect]",
			summary: "write the session shown as a scenario: its operator actions in timeline: (--expect adds expect: lines from the figures now; :export! overwrites FILE)",
			min:     1, max: 2, args: []argKind{argFile, argExportFlag},
			run: (*Model).exportCmd},
		{name: "speed", usage: "N", summary: "virtual seconds per wall-clock second (0.5, 1, 10, 1000…)", min: 1, max: 1,
			args: []argKind{argSpeed},
			run: func(m *Model, a []string, _ bool) (tea.Cmd, error) {
				x, err := live.ParseSpeed(a[0])
				if err != nil {
					return nil, err
				}
				return m.setSpeed(x), nil
			}},
		{key: bind("+", "faster", "+", "="), summary: "faster", onKey: func(m *Model) tea.Cmd { return m.stepSpeed(1) }},
		{key: bind("-", "slower", "-", "_"), summary: "slower", onKey: func(m *Model) tea.Cmd { return m.stepSpeed(-1) }},
	}
}

func consoleActions() []action {
	return []action{
		{name: "messages", aliases: []string{"mes", "msgs"}, summary: "the messages of this session, errors and lint warnings in full",
			run: func(m *Model, _ []string, _ bool) (tea.Cmd, error) { m.showMessages(); return nil, nil }},
		{key: bind(":", "command", ":"), hint: hintPresent, section: "Move around",
			summary: "the command line (paste works; tab completes; ↑/↓ history)",
			onKey:   func(m *Model) tea.Cmd { return m.openCmd("") }},
		{key: kFilterLog, section: "Move around", summary: "filter the event log (field=value terms, e.g. urs=URS_1 ixn=27)",
			onKey: func(m *Model) tea.Cmd { m.openFilter(""); return nil }},
		{name: "help", aliases: []string{"h", "?"}, key: bind("?", "help", "?"), hint: hintPresent | hintPast,
			summary: "keys and commands (type to filter)",
			onKey:   func(m *Model) tea.Cmd { m.openHelp(); return nil },
			run:     func(m *Model, _ []string, _ bool) (tea.Cmd, error) { m.openHelp(); return nil, nil }},
		{name: "quit", aliases: []string{"q", "q!", "exit"}, key: bind("q", "quit", "q", "ctrl+c"), hint: hintPresent | hintPast,
			summary: "leave the console (the session is saved)",
			onKey:   func(m *Model) tea.Cmd { return tea.Quit },
			run:     func(m *Model, _ []string, _ bool) (tea.Cmd, error) { return tea.Quit, nil }},
	}
}

// do1 is a change of one action.
func do1(desc string, a core.Action) change { return change{desc: desc, acts: []core.Action{a}} }

func activation(kind core.ActionKind, verb string) func(world, []string) change {
	return func(_ world, a []string) change {
		return do1(verb+" "+a[0]+" on "+strings.Join(a[1:], ", "), core.Action{Kind: kind, Strategy: a[0], URS: a[1:]})
	}
}

func membership(kind core.ActionKind, verb string) func(world, []string) change {
	return func(_ world, a []string) change {
		return do1(a[1]+" "+verb+" "+a[0], core.Action{Kind: kind, Cluster: a[0], App: a[1]})
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
		if c.name != "" && (c.name == name || slices.Contains(c.aliases, name)) {
			return c, force, true
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

// mustAction is the action of a command name (a programming error if missing).
func mustAction(name string) *action {
	a, _, ok := lookupCommand(name)
	if !ok {
		panic("tui: no action " + name)
	}
	return a
}

// keyOf is the key of the action named (a pane that lists it among its keys).
func keyOf(name string) paneKey { return paneKey{Binding: mustAction(name).key, does: name} }

// --- the checks and questions of the rows ------------------------------------------------------

func (w world) stopDisabled(a []string) string {
	v, ok := w.app(a[0])
	switch {
	case !ok:
		return w.unknownApp(a[0])
	case !v.Running:
		return v.Name + " is already stopped (s or :start starts it)"
	}
	return ""
}

func (w world) stopQuestion(a []string) (string, []string) {
	v, ok := w.app(a[0])
	if !ok {
		return "Stop " + a[0] + "?", nil
	}
	return "Stop " + v.Name + "?", w.stopConsequences(v)
}

func (w world) startDisabled(a []string) string {
	v, ok := w.app(a[0])
	switch {
	case !ok:
		return w.unknownApp(a[0])
	case v.Running:
		return v.Name + " is already running"
	}
	return ""
}

func (w world) deactivateQuestion(a []string) (string, []string) {
	_, queues := w.unloadsEverywhere(a[0], a[1:])
	return "Deactivate " + a[0] + " everywhere?", []string{
		a[0] + " will be loaded on no URS: interactions of " + orNone(strings.Join(queues, ", ")) +
			" wait for an eligible URS (the Interactions pane counts them) until it is activated again; none are lost."}
}

func (w world) repointDisabled(a []string) string {
	s := w.s
	if s == nil {
		return ""
	}
	v, ok := w.app(a[0])
	switch {
	case !ok:
		return w.unknownApp(a[0])
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
}

func (w world) switchoverDisabled(a []string) string {
	is := w.switchoverIS(a)
	if is == "" {
		return "no Interaction Server to switch over"
	}
	if v, ok := w.app(is); !ok || v.Type != core.TypeInteractionServer {
		var names []string
		for _, x := range w.s.ISes {
			names = append(names, x.Name)
		}
		return fmt.Sprintf("unknown Interaction Server %q%s", is, core.DidYouMean(is, names))
	}
	if w.backupOf(is) == "" {
		return is + " has no backup to switch over to"
	}
	if from, to := w.switchoverPair(a); to != "" {
		if v, ok := w.app(to); ok && !v.Running {
			return "cannot switch over from " + from + ": " + to + " is stopped (s or :start starts it)"
		}
	}
	return ""
}

func (w world) restartDisabled(a []string) string {
	is := w.switchoverIS(a)
	v, ok := w.app(is)
	switch {
	case is == "":
		return "no Interaction Server to restart"
	case !ok || v.Type != core.TypeInteractionServer:
		return fmt.Sprintf("%q is not an Interaction Server", is)
	case !v.Running:
		return is + " is stopped: start it instead"
	}
	return ""
}

// togglePause is the space key: pause, or resume.
func (m *Model) togglePause() tea.Cmd {
	if why := m.world().whileRewound(); why != "" {
		m.info(why)
		return nil
	}
	return m.setPaused(m.frame == nil || !m.frame.Paused)
}

// checkActivation says why activating (or deactivating) strategy on urs would change nothing
// at all, or names what does not exist ("" when it would act). A strategy already loaded on a
// URS is not loaded again: the Strategy Activation Wizard does not offer it, and an operator
// action that changes nothing is not one (it would not be worth a branch).
func (w world) checkActivation(kind core.ActionKind, strategy string, urs []string) string {
	s := w.s
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
func (w world) checkMembership(kind core.ActionKind, cluster, app string) string {
	s := w.s
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
		v, ok := w.app(app)
		switch {
		case !ok:
			return w.unknownApp(app)
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
func (w world) unknownApp(name string) string {
	var names []string
	if s := w.s; s != nil {
		for _, a := range s.Apps {
			names = append(names, a.Name)
		}
	}
	return fmt.Sprintf("unknown application %q%s", name, core.DidYouMean(name, names))
}
