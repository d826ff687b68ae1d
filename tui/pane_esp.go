package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// espPane shows the ESP (application) servers the way the Interaction Server reaches them:
// through Application Clusters, and through its direct connections grouped by application type
// (where a ThirdPartyServer cannot be told apart by service — the seed's pitfall). Requests and
// faults are per server; misrouted faults get their own column.
type espPane struct {
	listPane
	fold   key.Binding
	folded map[string]bool // clusters shown without their members
}

func newESPPane(th *theme, g *globalKeys) *espPane {
	p := &espPane{folded: map[string]bool{},
		fold: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "fold/unfold cluster"))}
	p.th, p.nav = th, newNavKeys(g)
	p.build = p.rows
	return p
}

func (p *espPane) Title() string { return "ESP" }

func (p *espPane) Keys() []paneKey {
	return []paneKey{{bind("m", "join/leave cluster", "m"), "members"}, {Binding: p.fold}}
}

func (p *espPane) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEnter {
		// enter on a cluster row folds it (▸) or unfolds it (▾).
		if sel := p.Selection(); sel.Cluster != "" && sel.App == "" {
			p.folded[sel.Cluster] = !p.folded[sel.Cluster]
			p.rebuild()
		}
		return nil
	}
	p.updateList(msg)
	return nil
}

// espCols: name, role, state, requests, faults, misrouted.
func (p *espPane) cols() cols {
	w := p.w - 1
	c := cols{0, 8, 9, -7, -6, -9}
	fixed := 0
	for _, x := range c[1:] {
		fixed += abs(x) + 1
	}
	c[0] = clamp(w-fixed, 8, 26) // wider names only push the numbers away
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// espRows builds the ESP pane's rows, section by section.
type espRows struct {
	s      *core.Snapshot
	th     *theme
	c      cols
	w      int
	byName map[string]*core.ESPServerView
	rows   []row
}

func (p *espPane) rows() []row {
	s := p.frame.Snap
	b := &espRows{s: s, th: p.th, c: p.cols(), w: p.w - 1, byName: make(map[string]*core.ESPServerView, len(s.ESPServers))}
	for i := range s.ESPServers {
		b.byName[s.ESPServers[i].Name] = &s.ESPServers[i]
	}
	b.clusters(p.folded)
	b.direct()
	b.others()
	b.targets()
	return b.rows
}

// head is a section's column header (narrow: the title gets a row of its own).
func (b *espRows) head(title string) {
	if width(title) > b.c[0] {
		b.rows = append(b.rows, heading(b.th, b.w, title))
		title = ""
	}
	pl := b.c.line(title, "role", "state", "req", "faults", "misrouted")
	b.rows = append(b.rows, row{plain: pl, text: b.th.header.s(pl)})
}

// server is a server's row, under a cluster or on its own.
func (b *espRows) server(key, indent string, v *core.ESPServerView, cluster string) {
	th := b.th
	role := strings.Join(v.Services, ",")
	if v.Media {
		role = "media"
		if v.Parked > 0 {
			role = "media,parked " + strconv.Itoa(v.Parked)
		}
	}
	mis := num(th, v.Misrouted, th.bad)
	faults := num(th, v.Faults, th.warn)
	pl, tx := b.c.paint(cell{indent + v.Name, th.text}, cell{role, th.dim}, state(th, v.Running),
		num(th, v.Requests, th.text), faults, mis)
	b.rows = append(b.rows, row{key: key, plain: pl, text: tx, pick: true,
		sel: selection{App: v.Name, Type: v.Type, Cluster: cluster}})
}

// clusters are the Application Clusters and their members (a folded cluster hides them).
func (b *espRows) clusters(folded map[string]bool) {
	th, w := b.th, b.w
	b.head("Application Clusters")
	if len(b.s.Clusters) == 0 {
		b.rows = append(b.rows, note(th.dim, w, "  none"))
	}
	for _, cl := range b.s.Clusters {
		typ := string(cl.Type)
		if typ == "" {
			typ = "empty"
		}
		mark := "▾ "
		if folded[cl.Name] {
			mark = "▸ "
		}
		t := fit(mark+cl.Name+"  "+typ+" · "+plural(len(cl.Members), "member"), w)
		b.rows = append(b.rows, row{key: "c/" + cl.Name, plain: t, text: th.accent.s(t), pick: true,
			sel: selection{Cluster: cl.Name}})
		if folded[cl.Name] {
			continue
		}
		for _, m := range cl.Members {
			if v := b.byName[m.Name]; v != nil {
				b.server("c/"+cl.Name+"/"+m.Name, "    ", v, cl.Name)
			}
		}
	}
}

// direct are the servers the IS reaches by type, by type.
func (b *espRows) direct() {
	th, w, s := b.th, b.w, b.s
	b.head("Direct connections")
	any := false
	for _, t := range core.AppTypes {
		if !t.IsESP() {
			continue
		}
		first := true
		for i := range s.ESPServers {
			v := &s.ESPServers[i]
			if !v.Direct || v.Type != t {
				continue
			}
			if first {
				b.rows = append(b.rows, note(th.dim, w, "  "+string(t)+" "+mixedServices(s, t)))
				first, any = false, true
			}
			if len(v.Clusters) > 0 {
				// Reached by type too, but its figures are those under its cluster: said once.
				t := fit("    "+v.Name+"  also reached by type · in "+strings.Join(v.Clusters, ", ")+" above", w)
				b.rows = append(b.rows, row{key: "d/" + v.Name, plain: t, text: th.dim.s(t), pick: true,
					sel: selection{App: v.Name, Type: v.Type}})
				continue
			}
			b.server("d/"+v.Name, "    ", v, "")
		}
	}
	if !any {
		b.rows = append(b.rows, note(th.dim, w, "  none"))
	}
}

// others are the servers neither in a cluster nor connected to the IS.
func (b *espRows) others() {
	var others []*core.ESPServerView
	for i := range b.s.ESPServers {
		if v := &b.s.ESPServers[i]; !v.Direct && len(v.Clusters) == 0 {
			others = append(others, v)
		}
	}
	if len(others) > 0 {
		b.head("Not connected to the IS")
		for _, v := range others {
			b.server("o/"+v.Name, "    ", v, "")
		}
	}
}

// targets are one bar per server of each target (a `via` of the strategies): equal bars are a
// balanced load; ○ marks a stopped server.
func (b *espRows) targets() {
	th, w := b.th, b.w
	if len(b.s.Targets) == 0 {
		return
	}
	b.rows = append(b.rows, heading(th, w, "Requests by target (via → server: is the load balanced?)"))
	for _, t := range b.s.Targets {
		b.rows = append(b.rows, note(th.text, w, "  "+t.Via+" ("+t.Kind+")"))
		items := make([]barItem, len(t.Servers))
		for i, sc := range t.Servers {
			items[i] = barItem{name: sc.Server, value: sc.Requests, stopped: !sc.Running}
		}
		if br := barRows(th, w, "    ", items); br != nil {
			b.rows = append(b.rows, br...)
			continue
		}
		var sb strings.Builder // too narrow for bars
		sb.WriteString("    ")
		for i, sc := range t.Servers {
			if i > 0 {
				sb.WriteString(" · ")
			}
			sb.WriteString(sc.Server + " " + count(sc.Requests))
		}
		b.rows = append(b.rows, note(th.text, w, sb.String()))
	}
}

// mixedServices warns when a ThirdPartyServer type mixes services: requests addressed by type
// will reach servers that cannot serve them.
func mixedServices(s *core.Snapshot, t core.AppType) string {
	if t != core.TypeThirdPartyServer {
		return ""
	}
	seen := map[string]bool{}
	var svcs []string
	for i := range s.ESPServers {
		v := &s.ESPServers[i]
		if v.Direct && v.Type == t {
			for _, x := range v.Services {
				if !seen[x] {
					seen[x] = true
					svcs = append(svcs, x)
				}
			}
		}
	}
	if len(svcs) > 1 {
		return "— mixed services (" + strings.Join(svcs, ", ") + "): by type, requests can be misrouted"
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
