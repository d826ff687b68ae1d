package tui

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// LoadFunc reads a scenario file (or a bundled scenario's name) into a configuration and its
// lint warnings (the scenarios package's parser; the console does not know the format). Errors
// should read FILE:LINE:COL: message.
type LoadFunc func(path string) (cfg core.Config, warnings []string, err error)

// Minimum terminal size; below it the console asks for more room instead of drawing garbage.
const (
	minW = 80
	minH = 24
)

// Model is the console's root. Over its pane manager (panes.go: focus, layout, borders), it
// routes keys (to the command line, a dialog, the action table or the focused pane) and frames
// (to every pane), hosts dialogs and the command line, opens scenarios, and draws the status
// bar. It renders only from the latest frame: View never calls the engine.
type Model struct {
	sim  live.Sim
	th   *theme
	keys globalKeys
	help help.Model

	w, h int
	paneManager

	frame      *live.Frame
	subscribed bool

	dlg dialog

	cmdLine       // the `:` command line (command.go)
	statusLine    // the bottom line's message, the last error, :messages (status.go)
	scenarioFiles // opening scenarios and exporting the session (load.go)

	seenErr  string
	seenPErr string
	seenNote string
	readOnly bool
	// speedChanged is told each speed the operator sets (Options.SpeedChanged).
	speedChanged func(x float64)
	// names maps a name as drawn (control characters escaped) to the scenario's own.
	names map[string]string
	// checked says whether the scenario of generation checkedGen needs its snapshots escaped
	// (unsafeGen).
	checked, unsafeGen bool
	checkedGen         uint64
	// timing tells keys pressed one by one from a burst (burst.go).
	timing keyTiming
	// travel is the rewind under way and the instant [ and ] aim at (travel.go).
	travel travelState
}

// Messages of the root model.
type (
	// performMsg asks for an action of the table, by command name, with its checks and its
	// confirmation (a pane key that is a shortcut for a command).
	performMsg struct {
		name string
		args []string
	}
	resultMsg struct {
		info string
		err  error
	}
	loadedMsg struct {
		path     string
		cfg      core.Config
		warnings []string
		err      error
		mode     loadMode
		saved    string // its saved session, "" when none
	}
	// loadResultMsg says a scenario was opened, with its lint warnings.
	loadResultMsg struct {
		info     string
		warnings []string
	}
	showTextMsg struct{ title, text string }
	closedMsg   struct{}
)

// NewModel builds the console over a simulation. load may be nil (no `o`, no `:load`).
func NewModel(sim live.Sim, load LoadFunc) *Model {
	th := newTheme()
	m := &Model{sim: sim, scenarioFiles: scenarioFiles{load: load}, th: th, keys: newGlobalKeys(), help: help.New(), names: map[string]string{}}
	m.paneManager = newPaneManager(th, &m.keys)
	m.cmd = newInput(":", "stop URS_1 · activate C URS_1 URS_2 · set APP SECTION OPTION VALUE · help")
	m.cmd.CharLimit = 500
	if wd, err := os.Getwd(); err == nil {
		m.dir = wd
	}
	return m
}

// SetReadOnly makes the console read-only: everything can be looked at, nothing changes the
// simulation (pausing and the speed still work: they change the pace, not the outcome).
func (m *Model) SetReadOnly(ro bool) { m.readOnly = ro }

// SetExport gives :export its writer (Options.Export).
func (m *Model) SetExport(f ExportFunc) { m.export = f }

// SetExportCheck gives :export the check it asks before offering to overwrite a file
// (Options.ExportCheck).
func (m *Model) SetExportCheck(f func(path, source string) error) { m.exportCheck = f }

// SetBundled gives :load's completion the bundled scenarios' names (Options.Bundled).
func (m *Model) SetBundled(names []string) { m.bundled = names }

// Init subscribes to the simulation's frames.
func (m *Model) Init() tea.Cmd {
	m.subscribed = true
	return m.waitFrame()
}

func (m *Model) waitFrame() tea.Cmd {
	sim := m.sim
	return func() tea.Msg {
		f, ok := sim.Next()
		if !ok {
			return closedMsg{}
		}
		return frameMsg{&f}
	}
}

func (m *Model) snap() *core.Snapshot {
	if m.frame == nil {
		return nil
	}
	return m.frame.Snap
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.timing.shown(m.dlg)
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return nil
	case frameMsg:
		m.takeFrame(msg.f)
		if m.subscribed {
			return m.waitFrame()
		}
		return nil
	case live.Frame: // a frame handed in by a program that feeds them itself (tests of the commands)
		m.takeFrame(&msg)
		return nil
	case closedMsg:
		return tea.Quit
	case performMsg:
		return m.do(mustAction(msg.name), msg.args, false, false)
	case travelDoneMsg:
		return m.travelDone(msg)
	case resultMsg:
		if msg.err != nil {
			m.fail(msg.err)
		} else if msg.info != "" {
			m.succeeded(msg.info)
		}
		return nil
	case loadedMsg:
		return m.loaded(msg)
	case loadResultMsg:
		for _, w := range msg.warnings {
			m.remember("lint: "+safeText(w), false)
		}
		if n := len(msg.warnings); n > 0 {
			msg.info += fmt.Sprintf(" — %d lint warning(s), :messages lists them", n)
		}
		m.succeeded(msg.info)
		return nil
	case showTextMsg:
		m.dlg = &textDialog{title: msg.title, lines: strings.Split(msg.text, "\n"), wrap: true}
		return nil
	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		m.mouse(msg)
		return nil
	}
	if m.dlg != nil { // e.g. the file picker's directory listing
		var cmd tea.Cmd
		m.dlg, cmd = m.dlg.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) takeFrame(f *live.Frame) {
	// Names come from the scenario: one full look per scenario (generation) says whether its
	// snapshots need escaping; only the last error can bring new text within one.
	if f.Snap != nil && (!m.checked || f.Gen != m.checkedGen || f.Reset) {
		m.checked, m.checkedGen = true, f.Gen
		m.unsafeGen = needsSafe(reflect.ValueOf(f.Snap).Elem())
	}
	snap := f.Snap
	switch {
	case snap == nil:
	case m.unsafeGen:
		snap = safeSnapshot(snap, m.names)
	case !isSafe(snap.LastError):
		c := *snap
		c.LastError = safeText(c.LastError)
		snap = &c
	}
	if snap != f.Snap || !isSafe(f.Source) || !isSafe(f.Note) {
		c := *f // frames are shared and immutable: draw from a safe copy
		c.Snap, c.Source, c.Note = snap, safeText(f.Source), safeText(f.Note)
		f = &c
	}
	m.frame = f
	if m.paneManager.takeFrame(f) && !m.tooSmall() && m.w > 0 {
		m.layout() // the right column's content changed size
	}
	if s := f.Snap; s != nil && s.LastError != m.seenErr {
		m.seenErr = s.LastError
		if s.LastError != "" {
			m.lastErr = safeText(s.LastError)
			m.remember("engine: "+m.lastErr, true)
		}
	}
	m.follow(f.Source)
	if f.Note != m.seenNote { // why the runner paused by itself: said once, the status bar keeps it
		m.seenNote = f.Note
		if f.Note != "" {
			m.info(f.Note)
		}
	}
	if f.PersistErr != m.seenPErr {
		m.seenPErr = f.PersistErr
		if f.PersistErr != "" {
			m.lastErr = safeText(f.PersistErr)
			m.remember("saving the session: "+m.lastErr, true)
		}
	}
}

// fail shows an error in the bottom line and keeps it in the status bar until the next success.
func (m *Model) fail(err error) {
	t := safeText(err.Error())
	m.msg, m.msgErr = t, true
	m.lastErr = t
	m.remember(t, true)
}

// info shows a note in the bottom line.
func (m *Model) info(s string) {
	m.msg, m.msgErr = safeText(s), false
	m.remember(m.msg, false)
}

// succeeded shows what an action did; the last error leaves the status bar.
func (m *Model) succeeded(s string) {
	m.info(s)
	m.lastErr = ""
}

// key routes a key: the command line, then an open dialog, then a pane that is reading text,
// then the global keys, then the focused pane. Keys in a burst are sorted first (burst.go).
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if k.Type == tea.KeyCtrlC {
		return tea.Quit
	}
	now := m.timing.clock()
	burst := m.timing.inBurst(now)
	defer func() { m.timing.last = m.timing.clock() }()
	if !burst {
		m.timing.afterEnter, m.timing.dropped = false, nil
	}
	if m.tooSmall() {
		// Nothing on the screen says what a key would do: only leaving works.
		if m.quitKey(k) {
			return tea.Quit
		}
		return nil
	}
	m.msg = ""
	if m.timing.afterEnter {
		// Enter ran a line: what came with it (a pasted second line, a y for its question)
		// is not the operator's answer to what it did.
		m.timing.dropped = append(m.timing.dropped, []rune(keyText(k))...)
		m.info(fmt.Sprintf("ignored %q that came after Enter in the same burst (pasted lines?): one command runs per Enter", clip(string(m.timing.dropped), 40)))
		return nil
	}
	if k.Paste {
		k = pasted(k)
	}
	if m.cmdOn {
		if k.Paste && m.cmd.Value() == "" && len(k.Runes) > 0 && k.Runes[0] == ':' {
			k.Runes = k.Runes[1:] // ":speed 5" pasted into an empty command line
		}
		return m.cmdKey(k)
	}
	if m.dlg != nil {
		return m.dialogKey(k, burst, now.Sub(m.timing.dlgAt) < answerDelay)
	}
	p := m.focused()
	if m.capturing() {
		return p.Update(k)
	}
	if k.Type == tea.KeyRunes && !k.Paste && len(k.Runes) > 1 && movement(k.Runes) {
		return m.eachKey(k) // j j j j moves four rows, as four presses do
	}
	if k.Type == tea.KeyRunes && (k.Paste || len(k.Runes) > 1) {
		next, cmd, done := m.burst(k)
		if done {
			return cmd
		}
		k = next
	} else if burst && !movementKey(k) {
		m.info(fmt.Sprintf("ignored %q that came in the same burst as the keys before it: keys act one at a time (commands start with :)", keyText(k)))
		return nil
	}
	g := &m.keys
	switch {
	case key.Matches(k, g.NextPane):
		m.focusPane(m.focus + 1)
	case key.Matches(k, g.PrevPane):
		m.focusPane(m.focus - 1)
	case key.Matches(k, g.GoPane):
		m.focusPane(int(k.Runes[0] - '1'))
	default:
		if cmd, ok := m.keyAction(k); ok {
			return cmd
		}
		return p.Update(k)
	}
	return nil
}

// keyText is a key as a note quotes it: its text, or its name.
func keyText(k tea.KeyMsg) string {
	switch k.Type {
	case tea.KeyRunes:
		return string(k.Runes)
	case tea.KeySpace:
		return " "
	case tea.KeyEnter:
		return "⏎"
	}
	return k.String()
}

// movement reports whether a burst is only movement keys (j k h l, and [ ] in time): a key held
// down or typed fast, which moves as many rows (or steps) as it has keys. Any other burst acts
// as one key (burst).
func movement(rs []rune) bool {
	for _, r := range rs {
		if !strings.ContainsRune("jkhl[]", r) {
			return false
		}
	}
	return len(rs) > 0
}

// eachKey handles the runes of a burst one by one.
func (m *Model) eachKey(k tea.KeyMsg) tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range k.Runes {
		cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
	}
	return tea.Batch(cmds...)
}

// burst handles a key message of several runes in normal mode: what a paste or fast typing
// (tmux send-keys, a terminal under load) delivers in one read. Text that starts with ':' or '/'
// opens the command line or the log filter with the rest in it; otherwise only the first rune
// counts as a key, so the letters of a command typed without its ':' never fire hotkeys. done
// says the burst was fully handled (cmd is its command); otherwise next is the one key to act on.
func (m *Model) burst(k tea.KeyMsg) (next tea.KeyMsg, cmd tea.Cmd, done bool) {
	if len(k.Runes) == 0 {
		return k, nil, true
	}
	rest := string(k.Runes[1:])
	switch k.Runes[0] {
	case ':':
		return k, m.openCmd(rest), true
	case '/':
		m.openFilter(rest)
		return k, nil, true
	}
	if k.Paste {
		m.info("pasted text goes into the command line (:) or the log filter (/): press : then paste")
		return k, nil, true
	}
	m.info(fmt.Sprintf("ignored %q typed in the same burst as %q: keys act one at a time (commands start with :)", rest, string(k.Runes[0])))
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: k.Runes[:1], Alt: k.Alt}, nil, false
}

// openCmd opens the command line holding text.
func (m *Model) openCmd(text string) tea.Cmd { return m.cmdLine.open(text) }

// openFilter focuses the event log and opens its filter holding text.
func (m *Model) openFilter(text string) {
	m.focusPane(paneLog)
	lp := m.panes[paneLog].(*logPane)
	lp.startFilter()
	if text != "" {
		lp.updateInput(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true})
	}
}

// pasted cleans a bracketed paste: only its first line counts (a pasted newline must not run a
// command by surprise), and control characters go.
func pasted(k tea.KeyMsg) tea.KeyMsg {
	s := string(k.Runes)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
	k.Runes = []rune(s)
	return k
}

func (m *Model) cmdKey(k tea.KeyMsg) tea.Cmd {
	m.cands = nil
	if k.Type != tea.KeyTab && k.Type != tea.KeyShiftTab {
		m.cyc = tabCycle{}
	}
	switch k.Type {
	case tea.KeyEsc:
		m.cmdOn = false
		m.cmd.Blur()
		return nil
	case tea.KeyEnter:
		line := strings.TrimSpace(m.cmd.Value())
		m.cmdOn = false
		m.cmd.Blur()
		if line == "" {
			return nil
		}
		m.keep(line)
		m.timing.afterEnter = true // the rest of this burst is not for what the line does
		cmd, err := m.execute(line)
		if err != nil {
			m.fail(err)
		}
		return cmd
	case tea.KeyTab, tea.KeyShiftTab:
		m.cmd.SetValue(m.tab(m.cmd.Value(), k.Type == tea.KeyShiftTab))
		m.cmd.CursorEnd()
		return nil
	case tea.KeyUp:
		m.recall(-1)
		return nil
	case tea.KeyDown:
		m.recall(1)
		return nil
	}
	var cmd tea.Cmd
	m.cmd, cmd = m.cmd.Update(k)
	return cmd
}

func (m *Model) mouse(ev tea.MouseMsg) {
	if m.dlg != nil || m.cmdOn || m.tooSmall() {
		return
	}
	m.paneManager.mouse(ev)
}

// --- simulation controls -------------------------------------------------------------------

// applyCmd applies a change on the simulation's goroutine and reports the outcome; branch: in
// the rewound view, by branching there. It is the one way the console changes the simulation,
// and only the action table's prepare calls it, once it has asked what it must (read-only mode
// refused before: do).
func (m *Model) applyCmd(c change, branch bool) tea.Cmd {
	sim, desc := m.sim, c.desc
	acts := make([]core.Action, len(c.acts))
	for i, a := range c.acts {
		acts[i] = realNames(a, m.names)
	}
	if branch {
		return m.branchApplyCmd(desc, acts)
	}
	return func() tea.Msg {
		for _, a := range acts {
			if err := sim.Apply(a); err != nil {
				return resultMsg{err: fmt.Errorf("%s: %w", a.Kind, err)}
			}
		}
		return resultMsg{info: desc}
	}
}

func (m *Model) setPaused(p bool) tea.Cmd {
	if m.frame != nil {
		f := *m.frame
		f.Paused = p // show it at once; the next frame confirms
		m.frame = &f
	}
	sim := m.sim
	return func() tea.Msg {
		sim.SetPaused(p)
		if p {
			return resultMsg{info: "paused"}
		}
		return resultMsg{info: "running"}
	}
}

func (m *Model) setSpeed(x float64) tea.Cmd {
	if m.frame != nil {
		f := *m.frame
		f.Speed = x
		m.frame = &f
	}
	sim, saved := m.sim, m.speedChanged
	return func() tea.Msg {
		sim.SetSpeed(x)
		if saved != nil {
			saved(x)
		}
		return resultMsg{info: "speed " + speedText(x)}
	}
}

// stepSpeed moves to the next or previous of Speeds: + to the next faster step, - to the next
// slower one; below the slowest step - halves the pace (down to MinSpeed), so it never speeds
// up.
func (m *Model) stepSpeed(dir int) tea.Cmd {
	cur := 1.0
	if m.frame != nil {
		cur = m.frame.Speed
	}
	next := cur
	if dir > 0 {
		if i := slices.IndexFunc(live.Speeds, func(x float64) bool { return x > cur }); i >= 0 {
			next = live.Speeds[i]
		}
	} else {
		next = max(live.MinSpeed, cur/2)
		for _, x := range live.Speeds {
			if x < cur {
				next = x
			}
		}
	}
	if next == cur {
		if dir > 0 {
			m.info("fastest step already (:speed N sets any pace up to 100000)")
		} else {
			m.info("slowest pace already (0.01x)")
		}
		return nil
	}
	return m.setSpeed(next)
}

// --- operator actions on the selection ----------------------------------------------------

func (m *Model) selection() selection { return m.focused().Selection() }

var errNoApp = errors.New("select an application first: a URS (Routing), an ESP server (ESP), a DB Server, DAP or Interaction Server (Database) — or use :stop APP")

// stopConsequences says what the Interaction Server will do, in the seed document's terms.
func (w world) stopConsequences(a core.AppView) []string {
	s := w.s
	out := []string{a.Name + " is " + article(string(a.Type)) + "."}
	switch a.Type {
	case core.TypeRoutingServer:
		for _, u := range s.URS {
			if u.Name == a.Name {
				out = append(out, "The Interaction Server resubmits the interactions pending in it when you answer ("+
					plural(u.Pending, "interaction")+" now) to an eligible URS that has the strategy; reservations it held are freed.")
			}
		}
	case core.TypeInteractionServer:
		if a.Name == s.ActiveIS {
			b := w.backupOf(a.Name)
			bv, _ := w.app(b)
			switch {
			case b == "":
				out = append(out, "It is the active Interaction Server and has no backup: media servers hold new interactions until it starts again.")
			case bv.Running:
				out = append(out, "It is the active Interaction Server: its backup "+b+" takes over.")
			default:
				out = append(out, "It is the active Interaction Server and its backup "+b+" is stopped: media servers hold new interactions.")
			}
		} else {
			out = append(out, "It is not the active Interaction Server: nothing changes for interactions now; while it is stopped, no switchover to it is possible.")
		}
	case core.TypeDBServer, core.TypeDatabaseAccessPoint:
		via := func(d core.DAPView) bool { return d.Name == a.Name || d.DBServer == a.Name }
		through, others := 0, 0
		for _, d := range s.DAPs {
			switch {
			case via(d):
				if d.InUse || d.Up {
					through++
				}
			case d.Running && (d.DBServer == "" || d.DBServerRunning) && d.Up && d.Database == s.Database:
				others++
			}
		}
		what := "DAPs through it fail"
		if a.Type == core.TypeDatabaseAccessPoint {
			what = "It fails"
		}
		switch {
		case s.ActiveIS == "" || s.Database == "" || through == 0:
			out = append(out, "The active Interaction Server does not reach "+orNone(s.Database)+" through it now: nothing changes for interactions.")
		case others == 0:
			out = append(out, what+", and it is the Interaction Server's last way to "+s.Database+": no other DAP reaches it, so all work is held (media servers hold new interactions, writes wait) until a DAP reaches "+s.Database+" again.")
		default:
			out = append(out, what+": the Interaction Server fails over to its other "+plural(others, "DAP")+" to "+s.Database+".")
		}
	default:
		if a.Type.IsESP() {
			out = append(out, "ESP requests go to the other running servers of its cluster or type.")
		}
		if a.Type.IsMedia() {
			out = append(out, "As a media server it stops submitting interactions.")
		}
	}
	return out
}

// activationWizard is the Strategy Activation Wizard: choose a strategy, then the URS instances
// (space toggles each, like shift-clicking in the Choose Routing Server window), enter applies.
func (m *Model) activationWizard(kind core.ActionKind) {
	s := m.snap()
	if s == nil || len(s.Strategies) == 0 {
		m.fail(errors.New("this scenario has no strategies"))
		return
	}
	verb := "Activate"
	if kind == core.ActDeactivate {
		verb = "Deactivate"
	}
	items := make([]pickItem, len(s.Strategies))
	for i, st := range s.Strategies {
		var on []string
		for c, ce := range st.Cells {
			if ce.Activated && c < len(s.URS) {
				on = append(on, s.URS[c].Name)
			}
		}
		items[i] = pickItem{name: st.Name, note: "loaded on " + orNone(strings.Join(on, ", "))}
	}
	pick := newPick(verb+" a strategy — 1/2: strategy", []string{"Choose the strategy."}, items, false,
		func(chosen []string) (dialog, tea.Cmd) { return m.ursStep(kind, verb, chosen[0]), nil })
	if st := m.selection().Strategy; st != "" {
		pick.at(st)
	}
	m.dlg = pick
}

func (m *Model) ursStep(kind core.ActionKind, verb, strategy string) dialog {
	s := m.snap()
	var cells []core.Cell
	for _, st := range s.Strategies {
		if st.Name == strategy {
			cells = st.Cells
		}
	}
	items := make([]pickItem, len(s.URS))
	for i, u := range s.URS {
		loaded := i < len(cells) && cells[i].Activated
		note := "eligible"
		if !u.Eligible {
			note = "not eligible: " + u.Why
		}
		it := pickItem{name: u.Name, note: note}
		switch {
		case kind == core.ActActivate && loaded:
			it.disabled, it.note = true, "already has "+strategy+" loaded"
		case kind == core.ActDeactivate && !loaded:
			it.disabled, it.note = true, "does not have "+strategy+" loaded"
		}
		items[i] = it
	}
	intro := []string{"Choose Routing Server: space selects each URS to " + strings.ToLower(verb) + " " + strategy + " on; enter applies."}
	d := newPick(verb+" "+strategy+" — 2/2: URS", intro, items, true, func(chosen []string) (dialog, tea.Cmd) {
		name := "activate"
		if kind == core.ActDeactivate {
			name = "deactivate"
		}
		return m.prepare("", false, step{mustAction(name), append([]string{strategy}, chosen...)})
	})
	if u := m.selection().URS; u != "" {
		d.at(u)
	}
	return d
}

// setOptionForm changes an option on the fly: application, section, option, value.
func (m *Model) setOptionForm() tea.Cmd {
	s := m.snap()
	if s == nil {
		return nil
	}
	d := &formDialog{title: "Set an option on the fly",
		intro: []string{"Sections of the Annex tab are written annex:NAME (annex:agent_reservation on the IS, annex:<IS> on a URS)."}}
	d.fields = []formField{
		{label: "application", in: newInput("", "e.g. URS_1"), sugg: func(*formDialog) []string { return m.candidates(argApp, nil, "") }},
		{label: "section", in: newInput("", "e.g. default"), sugg: func(f *formDialog) []string { return sectionsFor(s, f.value(0)) }},
		{label: "option", in: newInput("", "e.g. agent_reservation"), sugg: func(f *formDialog) []string { return optionsFor(s, f.value(0), f.value(1)) }},
		{label: "value", in: newInput("", "e.g. true"), sugg: func(f *formDialog) []string { return valuesFor(s, f.value(0), f.value(1), f.value(2)) }},
	}
	for i := range d.fields {
		d.fields[i].in.ShowSuggestions = true
		d.fields[i].in.CharLimit = 200
	}
	d.submit = func(v []string) (dialog, tea.Cmd, error) {
		for i, f := range d.fields {
			if v[i] == "" {
				return nil, nil, errors.New(f.label + " is empty")
			}
		}
		// The table's :set, with its check said in the form (the form stays open to fix it).
		s := step{mustAction("set"), v}
		if why := m.why(s); why != "" {
			return nil, nil, errors.New(why)
		}
		next, cmd := m.prepare("", false, s)
		return next, cmd, nil
	}
	first := 0
	if a := m.selection().App; a != "" {
		d.fields[0].in.SetValue(a)
		first = 1
	}
	m.dlg = d
	d.focus = first
	return d.focusField(first)
}

// repointFlow changes the database a DAP points at — what Genesys recommends against, and what
// the seed document's switchover pitfall is about.
func (m *Model) repointFlow() {
	s := m.snap()
	if s == nil || len(s.DAPs) == 0 {
		m.fail(errors.New("this scenario has no Database Access Points"))
		return
	}
	warn := []string{"Genesys recommends against changing a DAP's database on the fly: the running IS keeps its database, a backup that takes over uses the new one."}
	dbStep := func(dap string) dialog {
		cur := ""
		for _, d := range s.DAPs {
			if d.Name == dap {
				cur = d.Database
			}
		}
		items := make([]pickItem, len(s.Databases))
		for i, db := range s.Databases {
			items[i] = pickItem{name: db}
			if db == cur {
				items[i].disabled, items[i].note = true, "is where "+dap+" points now"
			}
			if db == s.Database {
				items[i].note = strings.TrimSpace(items[i].note + " (the active IS uses it)")
			}
		}
		return newPick("Re-point "+dap+" — database", warn, items, false, func(c []string) (dialog, tea.Cmd) {
			return m.prepare("", false, step{mustAction("repoint"), []string{dap, c[0]}})
		})
	}
	if sel := m.selection(); sel.Type == core.TypeDatabaseAccessPoint {
		m.dlg = dbStep(sel.App)
		return
	}
	items := make([]pickItem, len(s.DAPs))
	for i, d := range s.DAPs {
		items[i] = pickItem{name: d.Name, note: "→ " + d.Database + " via " + d.DBServer}
	}
	m.dlg = newPick("Re-point a DAP — DAP", warn, items, false, func(c []string) (dialog, tea.Cmd) {
		return dbStep(c[0]), nil
	})
}

// unloadsEverywhere reports whether deactivating strategy on urs leaves it loaded on no URS,
// and names the queues that will then wait.
func (w world) unloadsEverywhere(strategy string, urs []string) (bool, []string) {
	s := w.s
	if s == nil {
		return false, nil
	}
	for _, st := range s.Strategies {
		if st.Name != strategy {
			continue
		}
		for c, ce := range st.Cells {
			if ce.Activated && c < len(s.URS) && !slices.Contains(urs, s.URS[c].Name) {
				return false, nil
			}
		}
	}
	var queues []string
	for _, q := range s.Queues {
		if q.Strategy == strategy {
			queues = append(queues, q.Name)
		}
	}
	return true, queues
}

// switchoverConsequences says what a switchover of is does, and warns when a re-pointed DAP
// makes the backup use another database.
func (w world) switchoverConsequences(is, to string) []string {
	s := w.s
	body := []string{"The backup " + to + " takes over from " + is + ". It reads the current configuration and restores what the database holds (queued stays queued, in-URS is resubmitted)."}
	for _, d := range s.DAPs {
		if d.Repointed {
			body = append(body, "! "+d.Name+" now points at "+d.Database+": the backup will use "+d.Database+"; interactions left in "+s.Database+" count as lost (unless verify-database-identity is set).")
		}
	}
	return body
}

// repointConsequences says what re-pointing dap to db does.
func (w world) repointConsequences(dap, db string) []string {
	s := w.s
	out := []string{"Genesys recommends against changing a DAP's database on the fly: the running Interaction Server keeps its database (" + s.Database + "); a backup that takes over through " + dap + " uses " + db + "."}
	if db != s.Database {
		out = append(out, "! After a switchover, interactions left in "+s.Database+" count as lost (unless verify-database-identity is set).")
	}
	return out
}

// membershipFlow edits an Application Cluster's members: checked servers are members; enter
// joins and leaves to match.
func (m *Model) membershipFlow() {
	s := m.snap()
	if s == nil || len(s.Clusters) == 0 {
		m.fail(errors.New("this scenario has no Application Clusters"))
		return
	}
	members := func(cluster string) dialog {
		var cl core.ClusterView
		for _, c := range s.Clusters {
			if c.Name == cluster {
				cl = c
			}
		}
		in := map[string]bool{}
		for _, mb := range cl.Members {
			in[mb.Name] = true
		}
		items := make([]pickItem, 0, len(s.ESPServers))
		for _, e := range s.ESPServers {
			it := pickItem{name: e.Name, note: string(e.Type), checked: in[e.Name]}
			if len(e.Services) > 0 {
				it.note += " (" + strings.Join(e.Services, ",") + ")"
			}
			if !e.Running {
				it.note += " · stopped"
			}
			if cl.Type != "" && e.Type != cl.Type && !in[e.Name] {
				it.disabled, it.note = true, "is "+article(string(e.Type))+"; the members are "+string(cl.Type)+"s"
			}
			items = append(items, it)
		}
		intro := []string{"Members of " + cluster + ": space joins or leaves, enter applies. Requests in flight finish where they are."}
		d := newPick("Application Cluster "+cluster, intro, items, true, func(chosen []string) (dialog, tea.Cmd) {
			want := map[string]bool{}
			for _, c := range chosen {
				want[c] = true
			}
			// The table's :join and :leave, one change: their checks, and leave's question.
			var steps []step
			var desc []string
			for _, it := range items {
				switch {
				case want[it.name] && !in[it.name]:
					steps = append(steps, step{mustAction("join"), []string{cluster, it.name}})
					desc = append(desc, it.name+" joined")
				case !want[it.name] && in[it.name]:
					steps = append(steps, step{mustAction("leave"), []string{cluster, it.name}})
					desc = append(desc, it.name+" left")
				}
			}
			if len(steps) == 0 {
				return nil, func() tea.Msg { return resultMsg{info: "no change to " + cluster} }
			}
			return m.prepare(cluster+": "+strings.Join(desc, ", "), false, steps...)
		})
		d.allowNone = true
		if a := m.selection().App; a != "" {
			d.at(a)
		}
		return d
	}
	sel := m.selection()
	if sel.Cluster != "" {
		m.dlg = members(sel.Cluster)
		return
	}
	if len(s.Clusters) == 1 {
		m.dlg = members(s.Clusters[0].Name)
		return
	}
	items := make([]pickItem, len(s.Clusters))
	for i, c := range s.Clusters {
		items[i] = pickItem{name: c.Name, note: string(c.Type) + " · " + plural(len(c.Members), "member")}
	}
	m.dlg = newPick("Application Cluster", nil, items, false, func(c []string) (dialog, tea.Cmd) { return members(c[0]), nil })
}

// keyMap is the help for the current focus.
func (m *Model) keyMap() keyMap {
	return keyMap{pane: m.focused().Keys(), readOnly: m.readOnly, rewound: m.rewound()}
}

// article puts "a" or "an" before a type name: "an EmailServer", "a RoutingServer".
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
