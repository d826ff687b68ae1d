package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// How a row of the action table runs: a key, a command or a pane's shortcut asks for it (do),
// read-only mode refuses it there, a dialog may collect its arguments, and prepare checks it,
// asks when it must and hands the change to the simulation.

// step is one row of the table with its arguments.
type step struct {
	a    *action
	args []string
}

// errReadOnly is what read-only mode answers to an action that would change the simulation.
func errReadOnly(what string) error {
	return fmt.Errorf("read-only: %s would change the simulation (this console was opened with --read-only)", what)
}

// keyAction runs the action bound to k, if any.
func (m *Model) keyAction(k tea.KeyMsg) (tea.Cmd, bool) {
	for i := range actions {
		if a := &actions[i]; a.hasKey() && key.Matches(k, a.key) {
			return m.do(a, nil, false, true), true
		}
	}
	return nil, false
}

// do runs a row as the operator asked for it: by key (its arguments from the selection, or a
// dialog that collects them) or by command (args as typed). Read-only mode refuses here, and
// only here, what changes the simulation: every way to an action passes.
func (m *Model) do(a *action, args []string, force, byKey bool) tea.Cmd {
	if a.refused(m.readOnly) {
		m.fail(errReadOnly(a.what()))
		return nil
	}
	if byKey {
		if a.onKey != nil {
			return a.onKey(m)
		}
		var err error
		if args, err = a.selected(m); err != nil {
			m.fail(err)
			return nil
		}
	}
	d, cmd := m.prepare("", force, step{a, args})
	if d != nil {
		m.dlg = d
	}
	return cmd
}

// why says why s cannot run now ("" when it can).
func (m *Model) why(s step) string {
	if s.a.disabled == nil {
		return ""
	}
	return s.a.disabled(m.world(), s.args)
}

// prepare checks the steps and returns the question to show next (nil: none) and the command to
// run. Several steps are one change (the membership dialog's joins and leaves), said as summary;
// they are all plans. A run acts at once; a plan's change is applied only once the question, if
// any, is answered: a dangerous action asks what it will do, and one made in a rewound view asks
// whether to branch, whatever `!` says.
func (m *Model) prepare(summary string, force bool, steps ...step) (dialog, tea.Cmd) {
	for _, s := range steps {
		if why := m.why(s); why != "" {
			m.fail(errors.New(why))
			return nil, nil
		}
	}
	if first := steps[0]; first.a.plan == nil {
		cmd, err := first.a.run(m, first.args, force)
		if err != nil {
			m.fail(err)
		}
		return nil, cmd
	}
	w := m.world()
	var all change
	var descs []string
	var danger []step
	for _, s := range steps {
		c := s.a.plan(w, s.args)
		descs, all.acts = append(descs, c.desc), append(all.acts, c.acts...)
		if s.a.dangerous || (s.a.dangerIf != nil && s.a.dangerIf(w, s.args)) {
			danger = append(danger, s)
		}
	}
	what := commandText(steps[0].a, steps[0].args)
	all.desc = strings.Join(descs, ", ")
	if summary != "" {
		all.desc, what = summary, summary
	}
	branch := m.rewound() && !m.readOnly
	cmd := m.applyCmd(all, branch) // a command, not yet run
	title, body := question(w, summary, danger)
	if branch {
		t, more := m.branchQuestion(what)
		if len(danger) > 0 {
			t, more = "Branch and "+lowerFirst(title), append(body, more...)
		}
		return &confirmDialog{title: t, body: more, danger: true, warn: "! Branching discards what happened later.", yes: cmd}, nil
	}
	if force || len(danger) == 0 {
		return nil, cmd
	}
	live := func() []string { _, b := question(m.world(), summary, danger); return b } // from the latest frame
	return &confirmDialog{title: title, body: body, danger: true, yes: cmd, live: live}, nil
}

// question is what the dangerous steps of a change ask: one step's own question, or, for several,
// the summary and what each will do.
func question(w world, summary string, danger []step) (string, []string) {
	if len(danger) == 0 {
		return "", nil
	}
	if len(danger) == 1 && summary == "" {
		return danger[0].a.confirm(w, danger[0].args)
	}
	var body []string
	for _, s := range danger {
		_, b := s.a.confirm(w, s.args)
		body = append(body, b...)
	}
	return summary + "?", body
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

// lowerFirst lowers a question's first letter, to follow "Branch and": a verb ("Stop URS_1?"),
// not a name ("FaxSrv_1 leaves FaxCluster?"), which keeps its spelling.
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if word == "" || strings.ContainsFunc(word[1:], func(r rune) bool { return unicode.IsUpper(r) || unicode.IsDigit(r) || r == '_' }) {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
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
	return m.do(c, args, force, false), nil
}
