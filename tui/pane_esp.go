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

func (p *espPane) rows() []row {
	s, th, c, w := p.frame.Snap, p.th, p.cols(), p.w-1
	var rows []row
	byName := make(map[string]*core.ESPServerView, len(s.ESPServers))
	for i := range s.ESPServers {
		byName[s.ESPServers[i].Name] = &s.ESPServers[i]
	}
	head := func(title string) {
		if width(title) > c[0] { // narrow: the title gets a row of its own
			rows = append(rows, heading(th, w, title))
			title = ""
		}
		pl := c.line(title, "role", "state", "req", "faults", "misrouted")
		rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	}
	server := func(key, indent string, v *core.ESPServerView, cluster string) {
		role := strings.Join(v.Services, ",")
		if v.Media {
			role = "media"
			if v.Parked > 0 {
				role = "media,parked " + strconv.Itoa(v.Parked)
			}
		}
		mis := num(th, v.Misrouted, th.bad)
		faults := num(th, v.Faults, th.warn)
		pl, tx := c.paint(cell{indent + v.Name, th.text}, cell{role, th.dim}, state(th, v.Running),
			num(th, v.Requests, th.text), faults, mis)
		rows = append(rows, row{key: key, plain: pl, text: tx, pick: true,
			sel: selection{App: v.Name, Type: v.Type, Cluster: cluster}})
	}

	head("Application Clusters")
	if len(s.Clusters) == 0 {
		rows = append(rows, note(th.dim, w, "  none"))
	}
	for _, cl := range s.Clusters {
		typ := string(cl.Type)
		if typ == "" {
			typ = "empty"
		}
		mark := "▾ "
		if p.folded[cl.Name] {
			mark = "▸ "
		}
		t := fit(mark+cl.Name+"  "+typ+" · "+plural(len(cl.Members), "member"), w)
		rows = append(rows, row{key: "c/" + cl.Name, plain: t, text: th.accent.s(t), pick: true,
			sel: selection{Cluster: cl.Name}})
		for _, m := range cl.Members {
			if p.folded[cl.Name] {
				break
			}
			if v := byName[m.Name]; v != nil {
				server("c/"+cl.Name+"/"+m.Name, "    ", v, cl.Name)
			}
		}
	}

	head("Direct connections")
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
				rows = append(rows, note(th.dim, w, "  "+string(t)+" "+mixedServices(s, t)))
				first, any = false, true
			}
			if len(v.Clusters) > 0 {
				// Reached by type too, but its figures are those under its cluster: said once.
				t := fit("    "+v.Name+"  also reached by type · in "+strings.Join(v.Clusters, ", ")+" above", w)
				rows = append(rows, row{key: "d/" + v.Name, plain: t, text: th.dim.s(t), pick: true,
					sel: selection{App: v.Name, Type: v.Type}})
				continue
			}
			server("d/"+v.Name, "    ", v, "")
		}
	}
	if !any {
		rows = append(rows, note(th.dim, w, "  none"))
	}

	var others []*core.ESPServerView
	for i := range s.ESPServers {
		if v := &s.ESPServers[i]; !v.Direct && len(v.Clusters) == 0 {
			others = append(others, v)
		}
	}
	if len(others) > 0 {
		head("Not connected to the IS")
		for _, v := range others {
			server("o/"+v.Name, "    ", v, "")
		}
	}

	if len(s.Targets) > 0 {
		// One bar per server of each target (a `via` of the strategies): equal bars are a
		// balanced load; ○ marks a stopped server.
		rows = append(rows, heading(th, w, "Requests by target (via → server: is the load balanced?)"))
		for _, t := range s.Targets {
			rows = append(rows, note(th.text, w, "  "+t.Via+" ("+t.Kind+")"))
			items := make([]barItem, len(t.Servers))
			for i, sc := range t.Servers {
				items[i] = barItem{name: sc.Server, value: sc.Requests, stopped: !sc.Running}
			}
			if br := barRows(th, w, "    ", items); br != nil {
				rows = append(rows, br...)
				continue
			}
			var b strings.Builder // too narrow for bars
			b.WriteString("    ")
			for i, sc := range t.Servers {
				if i > 0 {
					b.WriteString(" · ")
				}
				b.WriteString(sc.Server + " " + count(sc.Requests))
			}
			rows = append(rows, note(th.text, w, b.String()))
		}
	}
	return rows
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
