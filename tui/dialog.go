package tui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// dialog is a modal over the panes: the activation wizard's steps, confirmations, forms, the file
// picker, help. While one is open it gets every key. Update returns the dialog to show next: the
// same one, the next step of a wizard, or nil to close.
type dialog interface {
	Title() string
	Update(msg tea.Msg) (dialog, tea.Cmd)
	// View renders the content (inside the dialog's border) at most w wide and h high.
	View(th *theme, w, h int) []string
	// Keys are shown in the help line while the dialog is open.
	Keys() []key.Binding
}

var (
	kEnter       = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply"))
	kEsc         = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	kYes         = key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes"))
	kNo          = key.NewBinding(key.WithKeys("n", "N", "esc", "enter"), key.WithHelp("n/esc", "no"))
	kSpace       = key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", "toggle"))
	kAll         = key.NewBinding(key.WithKeys("ctrl+a", "A"), key.WithHelp("A", "all/none"))
	kUp          = key.NewBinding(key.WithKeys("up", "k", "ctrl+p"), key.WithHelp("↑/k", "up"))
	kDown        = key.NewBinding(key.WithKeys("down", "j", "ctrl+n"), key.WithHelp("↓/j", "down"))
	kFilter      = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
	kTab         = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field/complete"))
	kSTab        = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field"))
	kKeepFilter  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"))
	kClearFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))
	kClose       = key.NewBinding(key.WithKeys("esc", "q", "enter", "?"), key.WithHelp("esc", "close"))
)

func newInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.Cursor.SetMode(cursor.CursorStatic) // no blink: no timer messages, stable golden files
	return in
}

// confirmDialog asks y/n; n is the default.
type confirmDialog struct {
	title  string
	body   []string
	danger bool   // a dangerous action: the question stands out
	warn   string // the line that says why (default: it disrupts service)
	yes    tea.Cmd
	// live, when set, gives the body anew each time it is drawn: figures in it (interactions
	// pending in a URS) stay what they are while the question waits.
	live func() []string
	// early says a y came too soon to be an answer (burst.go).
	early string
}

func (d *confirmDialog) answers(k tea.KeyMsg) bool { return key.Matches(k, kYes) }
func (d *confirmDialog) tooSoon(note string)       { d.early = note }

func (d *confirmDialog) Title() string       { return d.title }
func (d *confirmDialog) width() int          { return 72 }
func (d *confirmDialog) Keys() []key.Binding { return []key.Binding{kYes, kNo} }

func (d *confirmDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, kYes):
			return nil, d.yes
		case key.Matches(k, kNo):
			return nil, nil
		}
	}
	return d, nil
}

func (d *confirmDialog) View(th *theme, w, _ int) []string {
	var out []string
	if d.danger {
		warn := d.warn
		if warn == "" {
			warn = "! This disrupts service. Read what happens before you answer."
		}
		out = append(out, th.bad.s(clip(warn, w)), "")
	}
	body := d.body
	if d.live != nil {
		body = d.live()
	}
	out = append(out, wrapAll(body, w)...)
	if d.early != "" {
		out = append(out, "")
		for _, l := range wrapAll([]string{d.early}, w) {
			out = append(out, th.warn.s(l))
		}
	}
	return append(out, "", th.bold.s("y")+" yes   "+th.bold.s("n")+" no (default)")
}

// choice is one answer of a choiceDialog.
type choice struct {
	key, label string
	cmd        tea.Cmd
}

// choiceDialog asks a question with a few answers, each on its own key; esc cancels.
type choiceDialog struct {
	title   string
	body    []string
	choices []choice
	early   string // a choice's key came too soon to be an answer (burst.go)
}

func (d *choiceDialog) answers(k tea.KeyMsg) bool {
	for _, c := range d.choices {
		if k.String() == c.key {
			return true
		}
	}
	return false
}

func (d *choiceDialog) tooSoon(note string) { d.early = note }

func (d *choiceDialog) Title() string { return d.title }
func (d *choiceDialog) width() int    { return 72 }
func (d *choiceDialog) Keys() []key.Binding {
	out := make([]key.Binding, 0, len(d.choices)+1)
	for _, c := range d.choices {
		out = append(out, key.NewBinding(key.WithKeys(c.key), key.WithHelp(c.key, c.label)))
	}
	return append(out, kEsc)
}

func (d *choiceDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if k.Type == tea.KeyEsc {
			return nil, nil
		}
		for _, c := range d.choices {
			if k.String() == c.key {
				return nil, c.cmd
			}
		}
	}
	return d, nil
}

func (d *choiceDialog) View(th *theme, w, _ int) []string {
	out := wrapAll(d.body, w)
	if d.early != "" {
		out = append(out, "")
		for _, l := range wrapAll([]string{d.early}, w) {
			out = append(out, th.warn.s(l))
		}
	}
	out = append(out, "")
	for _, c := range d.choices {
		out = append(out, th.bold.s(c.key)+"  "+c.label)
	}
	return append(out, th.bold.s("esc")+"  cancel")
}

// pickItem is an entry of a pick list.
type pickItem struct {
	name     string
	note     string
	checked  bool
	disabled bool // shown, cannot be chosen (e.g. already loaded)
}

// pickDialog chooses one item, or several with space (the Strategy Activation Wizard's
// multi-select, like shift-clicking URS). Type / to filter long lists.
type pickDialog struct {
	title     string
	intro     []string
	items     []pickItem
	multi     bool
	cur       int // index into shown
	off       int
	shown     []int
	filter    textinput.Model
	filtering bool
	errMsg    string
	allowNone bool // multi-select: enter with nothing checked is a valid answer
	// done receives the chosen names; it returns the next dialog (nil closes) and a command.
	done func(chosen []string) (dialog, tea.Cmd)
}

func newPick(title string, intro []string, items []pickItem, multi bool, done func([]string) (dialog, tea.Cmd)) *pickDialog {
	d := &pickDialog{title: title, intro: intro, items: items, multi: multi, done: done,
		filter: newInput("/", "filter")}
	d.refilter()
	for d.cur < len(d.shown)-1 && d.items[d.shown[d.cur]].disabled {
		d.cur++ // start on something that can be chosen
	}
	return d
}

// at puts the cursor on the named item.
func (d *pickDialog) at(name string) *pickDialog {
	for i, ix := range d.shown {
		if d.items[ix].name == name {
			d.cur = i
		}
	}
	return d
}

func (d *pickDialog) Title() string { return d.title }
func (d *pickDialog) typing() bool  { return d.filtering }
func (d *pickDialog) width() int    { return 84 }

func (d *pickDialog) Keys() []key.Binding {
	if d.multi {
		return []key.Binding{kSpace, kAll, kEnter, kFilter, kEsc}
	}
	return []key.Binding{kUp, kDown, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), kFilter, kEsc}
}

func (d *pickDialog) refilter() {
	d.shown = d.shown[:0]
	f := d.filter.Value()
	for i := range d.items {
		if containsFold(d.items[i].name, f) {
			d.shown = append(d.shown, i)
		}
	}
	d.cur = clamp(d.cur, 0, max(0, len(d.shown)-1))
}

func (d *pickDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	d.errMsg = ""
	if d.filtering {
		switch k.Type {
		case tea.KeyEnter, tea.KeyDown, tea.KeyUp:
			d.filtering = false
			d.filter.Blur()
			return d, nil
		case tea.KeyEsc:
			d.filtering = false
			d.filter.Blur()
			d.filter.SetValue("")
			d.refilter()
			return d, nil
		}
		var cmd tea.Cmd
		d.filter, cmd = d.filter.Update(k)
		d.refilter()
		return d, cmd
	}
	switch {
	case key.Matches(k, kEsc):
		if d.filter.Value() != "" {
			d.filter.SetValue("")
			d.refilter()
			return d, nil
		}
		return nil, nil
	case key.Matches(k, kFilter):
		d.filtering = true
		d.filter.Focus()
	case key.Matches(k, kUp):
		d.cur = max(0, d.cur-1)
	case key.Matches(k, kDown):
		d.cur = min(max(0, len(d.shown)-1), d.cur+1)
	case k.Type == tea.KeyPgUp:
		d.cur = max(0, d.cur-10)
	case k.Type == tea.KeyPgDown:
		d.cur = min(max(0, len(d.shown)-1), d.cur+10)
	case d.multi && key.Matches(k, kSpace):
		if len(d.shown) > 0 {
			it := &d.items[d.shown[d.cur]]
			if it.disabled {
				d.errMsg = it.name + " " + it.note
			} else {
				it.checked = !it.checked
				d.cur = min(len(d.shown)-1, d.cur+1)
			}
		}
	case d.multi && key.Matches(k, kAll):
		all := true
		for _, ix := range d.shown {
			if !d.items[ix].disabled && !d.items[ix].checked {
				all = false
			}
		}
		for _, ix := range d.shown {
			if !d.items[ix].disabled {
				d.items[ix].checked = !all
			}
		}
	case k.Type == tea.KeyEnter:
		var chosen []string
		if d.multi {
			for _, it := range d.items {
				if it.checked && !it.disabled {
					chosen = append(chosen, it.name)
				}
			}
			if len(chosen) == 0 && !d.allowNone {
				d.errMsg = "nothing selected: space toggles the item under the cursor"
				return d, nil
			}
		} else {
			if len(d.shown) == 0 {
				return d, nil
			}
			it := d.items[d.shown[d.cur]]
			if it.disabled {
				d.errMsg = it.name + " " + it.note
				return d, nil
			}
			chosen = []string{it.name}
		}
		return d.done(chosen)
	}
	return d, nil
}

func (d *pickDialog) View(th *theme, w, h int) []string {
	out := wrapAll(d.intro, w)
	if len(d.intro) > 0 {
		out = append(out, "")
	}
	rows := max(3, h-len(out)-3)
	if d.cur < d.off {
		d.off = d.cur
	}
	if d.cur >= d.off+rows {
		d.off = d.cur - rows + 1
	}
	d.off = clamp(d.off, 0, max(0, len(d.shown)-rows))
	nameW := 8
	for _, ix := range d.shown {
		nameW = max(nameW, width(d.items[ix].name))
	}
	nameW = min(nameW, w/2)
	for i := d.off; i < len(d.shown) && i < d.off+rows; i++ {
		it := d.items[d.shown[i]]
		box := ""
		if d.multi {
			box = glyphUnchk + " "
			if it.checked {
				box = glyphChecked + " "
			}
			if it.disabled {
				box = glyphDisabled + " "
			}
		}
		mark := "  "
		if i == d.cur {
			mark = glyphCursor + " "
		}
		plain := fit(mark+box+fit(safeText(it.name), nameW)+"  "+safeText(it.note), w)
		switch {
		case i == d.cur:
			out = append(out, th.cursor.s(plain))
		case it.disabled:
			out = append(out, th.dim.s(plain))
		case it.checked:
			out = append(out, th.ok.s(plain))
		default:
			out = append(out, plain)
		}
	}
	if len(d.shown) == 0 {
		out = append(out, th.dim.s("  nothing matches"))
	}
	foot := ""
	if d.multi {
		n := 0
		for _, it := range d.items {
			if it.checked && !it.disabled {
				n++
			}
		}
		foot = strconv.Itoa(n) + " selected"
	}
	if len(d.shown) > rows {
		foot += "  (" + strconv.Itoa(d.cur+1) + "/" + strconv.Itoa(len(d.shown)) + ")"
	}
	switch {
	case d.filtering || d.filter.Value() != "":
		out = append(out, "", d.filter.View()+"  "+th.dim.s(foot))
	case d.errMsg != "":
		out = append(out, "", th.bad.s(clip(d.errMsg, w)))
	default:
		out = append(out, "", th.dim.s(foot))
	}
	return out
}

// formField is one input of a form with the suggestions tab completes.
type formField struct {
	label string
	in    textinput.Model
	sugg  func(f *formDialog) []string
}

// formDialog is a small form (set an option on the fly). Tab completes a suggestion or moves on;
// enter on the last field applies.
type formDialog struct {
	title  string
	intro  []string
	fields []formField
	focus  int
	errMsg string
	// submit gets the values; it returns the dialog to show next (a question; nil closes) and
	// the command, or an error the form shows and stays open for.
	submit func(vals []string) (dialog, tea.Cmd, error)
}

func (d *formDialog) Title() string { return d.title }
func (d *formDialog) typing() bool  { return true }
func (d *formDialog) width() int    { return 80 }
func (d *formDialog) Keys() []key.Binding {
	return []key.Binding{kTab, kSTab, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/apply")), kEsc}
}

func (d *formDialog) value(i int) string { return strings.TrimSpace(d.fields[i].in.Value()) }

func (d *formDialog) focusField(i int) tea.Cmd {
	d.fields[d.focus].in.Blur()
	d.focus = clamp(i, 0, len(d.fields)-1)
	f := &d.fields[d.focus]
	if f.sugg != nil {
		f.in.SetSuggestions(f.sugg(d))
	}
	return f.in.Focus()
}

func (d *formDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	d.errMsg = ""
	f := &d.fields[d.focus]
	switch k.Type {
	case tea.KeyEsc:
		return nil, nil
	case tea.KeyShiftTab:
		return d, d.focusField(d.focus - 1)
	case tea.KeyTab:
		if s := f.in.CurrentSuggestion(); s != "" && s != f.in.Value() && len(f.in.Value()) > 0 {
			break // the input completes it
		}
		return d, d.focusField(d.focus + 1)
	case tea.KeyEnter:
		if d.focus < len(d.fields)-1 {
			return d, d.focusField(d.focus + 1)
		}
		vals := make([]string, len(d.fields))
		for i := range d.fields {
			vals[i] = d.value(i)
		}
		next, cmd, err := d.submit(vals)
		if err != nil {
			d.errMsg = err.Error()
			return d, nil
		}
		return next, cmd
	}
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(k)
	return d, cmd
}

func (d *formDialog) View(th *theme, w, _ int) []string {
	out := wrapAll(d.intro, w)
	if len(d.intro) > 0 {
		out = append(out, "")
	}
	lw := 0
	for _, f := range d.fields {
		lw = max(lw, width(f.label))
	}
	for i := range d.fields {
		f := &d.fields[i]
		f.in.Width = max(8, w-lw-6)
		lab := fitR(f.label, lw)
		if i == d.focus {
			lab = th.accent.s(lab)
		} else {
			lab = th.dim.s(lab)
		}
		out = append(out, lab+"  "+clip(f.in.View(), w-lw-2))
	}
	f := &d.fields[d.focus]
	if m := f.in.MatchedSuggestions(); len(m) > 1 {
		out = append(out, "", th.dim.s(clip("tab completes: "+strings.Join(m, "  "), w)))
	} else if len(m) == 0 && f.sugg != nil && f.in.Value() == "" {
		if s := f.sugg(d); len(s) > 0 {
			out = append(out, "", th.dim.s(clip("e.g. "+strings.Join(s, "  "), w)))
		}
	}
	if d.errMsg != "" {
		out = append(out, "", th.bad.s(clip(d.errMsg, w)))
	}
	return out
}

// filePick is the `o` file picker: the directories and scenario files (.yaml, .yml) of dir,
// each directory a step down, ".." a step up. Other files are not listed; the intro says how
// many and why.
func filePick(dir string, chosen func(path string) tea.Cmd) dialog {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return &textDialog{title: "Open a scenario file", lines: []string{safeText(dir), "",
			"cannot read this directory: " + safeText(err.Error())}}
	}
	var items []pickItem
	if parent := filepath.Dir(dir); parent != dir {
		items = append(items, pickItem{name: "../", note: "up to " + safeText(parent)})
	}
	hidden := 0
	var files []pickItem
	for _, e := range ents {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."):
		case e.IsDir():
			items = append(items, pickItem{name: safeText(n) + "/", note: "directory"})
		case strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml"):
			note := ""
			if info, err := e.Info(); err == nil {
				note = info.ModTime().Format("2006-01-02 15:04") + " · " + strconv.FormatInt(info.Size(), 10) + " bytes"
			}
			files = append(files, pickItem{name: safeText(n), note: note})
		default:
			hidden++
		}
	}
	items = append(items, files...)
	intro := []string{safeText(dir)}
	switch {
	case len(files) == 0:
		intro = append(intro, "No scenario files here: a scenario is a .yaml or .yml file. Choose a directory, or esc and :load NAME for a bundled one.")
	case hidden > 0:
		intro = append(intro, strconv.Itoa(hidden)+" other file(s) not listed: a scenario is a .yaml or .yml file.")
	}
	if len(items) == 0 {
		items = append(items, pickItem{name: "(empty)", disabled: true, note: "nothing to open here"})
	}
	real := map[string]string{}
	for _, e := range ents {
		real[safeText(e.Name())] = e.Name()
	}
	d := newPick("Open a scenario file", intro, items, false, func(c []string) (dialog, tea.Cmd) {
		name := c[0]
		switch {
		case name == "../":
			return filePick(filepath.Dir(dir), chosen), nil
		case strings.HasSuffix(name, "/"):
			return filePick(filepath.Join(dir, real[strings.TrimSuffix(name, "/")]), chosen), nil
		}
		return nil, chosen(filepath.Join(dir, real[name]))
	})
	if len(files) > 0 {
		d.at(files[0].name) // the cursor starts on the first scenario
	}
	return d
}

// textDialog shows text: the full help, an event's JSON line.
type textDialog struct {
	title string
	lines []string
	wrap  bool
	off   int
}

func (d *textDialog) Title() string       { return d.title }
func (d *textDialog) Keys() []key.Binding { return []key.Binding{kUp, kDown, kClose} }

func (d *textDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, kClose):
			return nil, nil
		case key.Matches(k, kUp):
			d.off = max(0, d.off-1)
		case key.Matches(k, kDown):
			d.off++
		}
	}
	return d, nil
}

func (d *textDialog) View(th *theme, w, h int) []string {
	lines := d.lines
	if d.wrap {
		lines = wrapAll(lines, w)
	}
	d.off = clamp(d.off, 0, max(0, len(lines)-h))
	out := make([]string, 0, h)
	for i := d.off; i < len(lines) && len(out) < h; i++ {
		out = append(out, clip(safeText(lines[i]), w))
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// wrapAll word-wraps plain lines to w cells. Dialog text often quotes paths and names from
// outside (a file name can hold an escape sequence): it is made safe here, once for all dialogs.
func wrapAll(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		l = safeText(l)
		if width(l) <= w {
			out = append(out, l)
			continue
		}
		// A break after a comma keeps the comma: wrapped one cell short, it still fits.
		for _, part := range strings.Split(ansi.Wrap(l, max(1, w-1), " ,"), "\n") {
			if width(part) > w {
				out = append(out, strings.Split(ansi.Wrap(part, w, ""), "\n")...)
				continue
			}
			out = append(out, part)
		}
	}
	return out
}
