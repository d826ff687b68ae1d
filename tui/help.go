package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// The ? help: every key and every `:` command in one list, read from the action table and the
// panes, filtered as you type.

type helpEntry struct {
	section string
	key     string
	cmd     string
	desc    string
	off     bool // refused in this console (read-only)
}

type helpDialog struct {
	entries []helpEntry
	legend  []string
	filter  textinput.Model
	off     int
}

// helpEntry of a key (its help text unless desc is given).
func keyEntry(section string, b key.Binding, cmd, desc string, off bool) helpEntry {
	k := ""
	if b.Enabled() {
		k = b.Help().Key
	}
	if desc == "" {
		desc = b.Help().Desc
	}
	return helpEntry{section: section, key: k, cmd: cmd, desc: desc, off: off}
}

// helpEntries are the help's lines: the keys that move around, every pane's own keys (the
// focused pane's first) and the action table, each marked as read-only mode treats it.
func (m *Model) helpEntries() []helpEntry {
	var out []helpEntry
	g := &m.keys
	for _, b := range []key.Binding{g.NextPane, g.PrevPane, g.GoPane, g.navUp, g.navDown, g.navPgUp, g.navPgDown, g.navTop, g.navBottom} {
		out = append(out, keyEntry("Move around", b, "", "", false))
	}
	for i := range actions {
		if a := &actions[i]; a.section != "" {
			out = append(out, keyEntry(a.section, a.key, "", a.summary, a.refused(m.readOnly)))
		}
	}
	order := []int{m.focus}
	for i := range m.panes {
		if i != m.focus {
			order = append(order, i)
		}
	}
	for _, i := range order {
		p := m.panes[i]
		for _, b := range p.Keys() {
			out = append(out, keyEntry(p.Title()+" pane", b.Binding, "", "", b.refused(m.readOnly)))
		}
	}
	for i := range actions {
		a := &actions[i]
		if a.section != "" {
			continue
		}
		cmd := ""
		if a.name != "" {
			cmd = a.usageLine()
		}
		desc := a.summary
		if a.dangerous {
			desc += " — asks first (:" + a.name + "! does not)"
		}
		off := a.refused(m.readOnly)
		if off {
			desc += " — refused: read-only"
		}
		out = append(out, keyEntry("Actions", a.key, cmd, desc, off))
	}
	return out
}

// openHelp opens the help on the focused pane's section.
func (m *Model) openHelp() {
	d := &helpDialog{filter: newInput("filter: ", "type to filter keys and commands")}
	d.filter.Focus()
	d.entries = m.helpEntries()
	d.legend = []string{
		"Routing: " + glyphInRing + " loaded, in the rotation  " + glyphLoaded + " loaded, URS not eligible (the detail line says why)  " + glyphNot + " not loaded; on the sparklines ▼ the URS stopped, ▲ it started",
		"Status bar: in URS routing in a URS · with agent handled by an agent · lost left open in a database the IS no longer uses · at T (rewound, live is at T′): a replayed past; acting there branches",
		"ESP: req requests · faults failed requests · misrouted sent by type to a server without the service · bars: requests per server of a target, ○ stopped",
		"Event log: " + glyphHot + " highlighted: resubmissions, faults, failovers, switchovers, applications stopped/started, work held and released, configuration changes (activation, options, cluster membership), double bookings, routing timeouts",
		`Names with spaces go in double quotes: :stop "URS 1".`,
	}
	m.dlg = d
}

func (d *helpDialog) Title() string { return "Help — keys and commands" }
func (d *helpDialog) typing() bool  { return true }
func (d *helpDialog) width() int    { return 110 }
func (d *helpDialog) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓ pgup/pgdn", "scroll")),
		key.NewBinding(key.WithKeys("a"), key.WithHelp("type", "filter")), kEsc}
}

func (d *helpDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	switch k.Type {
	case tea.KeyEsc:
		if d.filter.Value() != "" {
			d.filter.SetValue("")
			d.off = 0
			return d, nil
		}
		return nil, nil
	case tea.KeyEnter:
		return nil, nil
	case tea.KeyUp:
		d.off = max(0, d.off-1)
		return d, nil
	case tea.KeyDown:
		d.off++
		return d, nil
	case tea.KeyPgUp:
		d.off = max(0, d.off-10)
		return d, nil
	case tea.KeyPgDown:
		d.off += 10
		return d, nil
	}
	if k.Type == tea.KeyRunes && string(k.Runes) == "?" && d.filter.Value() == "" {
		return nil, nil
	}
	var cmd tea.Cmd
	d.filter, cmd = d.filter.Update(k)
	d.off = 0
	return d, cmd
}

// lines renders the matching entries under their section headings.
func (d *helpDialog) lines(th *theme, w int) []string {
	f := strings.ToLower(strings.TrimSpace(d.filter.Value()))
	kw, cw := 10, 0
	for _, e := range d.entries {
		kw = max(kw, width(e.key))
		cw = max(cw, width(e.cmd))
	}
	kw = min(kw, 12)
	cw = min(cw, 30, w/3)
	var out []string
	section := ""
	for _, e := range d.entries {
		if f != "" && !containsFold(e.section+" "+e.key+" "+e.cmd+" "+e.desc, f) {
			continue
		}
		if e.section != section {
			if section != "" {
				out = append(out, "")
			}
			section = e.section
			out = append(out, th.header.s(clip(section, w)))
		}
		l := fit(e.key, kw) + " " + e.desc
		if e.cmd != "" {
			c := e.cmd
			if width(c) > cw { // a long usage gets its own line
				l = fit(e.key, kw) + " " + c + "\n" + spaces(kw+1+cw+1) + e.desc
			} else {
				l = fit(e.key, kw) + " " + fit(c, cw) + " " + e.desc
			}
		}
		indent := kw + 1
		if e.cmd != "" {
			indent += cw + 1
		}
		for i, part := range wrapAll(strings.Split(l, "\n"), w) {
			if i > 0 && !strings.HasPrefix(part, " ") {
				part = spaces(indent) + part
			}
			if e.off {
				part = th.dim.s(part)
			}
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		out = append(out, th.dim.s("nothing matches "+safeText(d.filter.Value())))
	}
	if f == "" {
		out = append(out, "")
		out = append(out, wrapAll(d.legend, w)...)
	}
	return out
}

func (d *helpDialog) View(th *theme, w, h int) []string {
	body := d.lines(th, w)
	rows := max(1, h-2)
	d.off = clamp(d.off, 0, max(0, len(body)-rows))
	end := min(len(body), d.off+rows)
	out := append([]string(nil), body[d.off:end]...)
	more := ""
	if len(body) > rows {
		more = "  (" + itoa(int64(d.off+1)) + "–" + itoa(int64(end)) + " of " + itoa(int64(len(body))) + ", ↑/↓)"
	}
	return append(out, "", clip(d.filter.View(), w-width(more))+th.dim.s(more))
}
