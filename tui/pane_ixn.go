package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ixnPane shows interactions by state and queue (state 0 queued, 2 in URS, 3 with agent, as the
// interactions table has them), what waits for a URS, and agents busy and free per group.
type ixnPane struct {
	listPane
}

func newIxnPane(th *theme, g *globalKeys) *ixnPane {
	p := &ixnPane{}
	p.th, p.nav = th, newNavKeys(g)
	p.build = p.rows
	p.header = p.summary
	return p
}

func (p *ixnPane) Title() string       { return "Interactions" }
func (p *ixnPane) Keys() []key.Binding { return nil }

func (p *ixnPane) Update(msg tea.Msg) tea.Cmd {
	p.updateList(msg)
	return nil
}

func (p *ixnPane) summary() []string {
	s := p.frame.Snap
	l := s.Live
	parts := []cell{
		{"queued " + count(l.Queued), p.th.text},
		{"in URS " + count(l.InURS), p.th.text},
		{"with agent " + count(l.WithAgent), p.th.text},
	}
	if s.ParkedTotal > 0 {
		parts = append(parts, cell{"parked at media " + count(s.ParkedTotal), p.th.warn})
	}

	var plain, text strings.Builder
	for i, c := range parts {
		if i > 0 {
			plain.WriteString(" · ")
			text.WriteString(p.th.dim.s(" · "))
		}
		plain.WriteString(c.s)
		text.WriteString(c.p.s(c.s))
	}
	out := []string{text.String()}
	if width(plain.String()) > p.w-1 {
		out[0] = fit(plain.String(), p.w-1)
	}
	if s.LostOpen > 0 {
		out = append(out, p.th.bad.s(fit("LOST "+count(s.LostOpen)+": left open in a database the IS no longer uses", p.w-1)))
	}
	return out
}

func (p *ixnPane) rows() []row {
	s, th, w := p.frame.Snap, p.th, p.w-1
	var rows []row
	fixed := func(c cols) cols { return c.fitFirst(w) }

	qc := fixed(cols{0, 10, 10, -7, -7, -7})
	pl := qc.line("Queue", "process", "strategy", "queued", "in URS", "agent")
	rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	for _, q := range s.Queues {
		pl, tx := qc.paint(cell{"  " + q.Name, th.text}, cell{q.BusinessProcess, th.dim}, cell{q.Strategy, th.accent},
			num(th, q.Queued, th.warn), num(th, q.InURS, th.text), num(th, q.WithAgent, th.text))
		rows = append(rows, row{key: "q/" + q.Name, plain: pl, text: tx, pick: true,
			sel: selection{Strategy: q.Strategy}})
	}

	first := true
	for _, st := range s.Strategies {
		if st.Waiting == 0 {
			continue
		}
		if first {
			rows = append(rows, heading(th, w, "Waiting for an eligible URS"))
			first = false
		}
		t := fit("  "+st.Name+": "+count(int64(st.Waiting))+" waiting — no URS with it loaded is eligible", w)
		rows = append(rows, row{key: "w/" + st.Name, plain: t, text: th.warn.s(t), pick: true,
			sel: selection{Strategy: st.Name}})
	}

	// The load column takes what is left: it lists every media the group handles.
	gc := cols{14, -6, -6, -6, -7, 0}
	gc[5] = max(1, w-(14+6+6+6+7+5))
	pl = gc.line("Agent group", "agents", "busy", "free", "waiting", "load / capacity")
	rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	for _, g := range s.Groups {
		var load strings.Builder
		for m, c := range g.Capacity {
			if c == 0 || m >= len(s.Media) {
				continue
			}
			if load.Len() > 0 {
				load.WriteString(" ")
			}
			load.WriteString(s.Media[m] + " " + count(g.Load[m]) + "/" + count(c))
		}
		free := int64(g.Agents - g.Busy)
		fp := th.ok
		if free == 0 {
			fp = th.bad
		}
		pl, tx := gc.paint(cell{"  " + g.Name, th.text}, cell{itoa(int64(g.Agents)), th.text},
			cell{itoa(int64(g.Busy)), th.text}, cell{itoa(free), fp}, num(th, int64(g.Waiting), th.warn),
			cell{load.String(), th.dim})
		rows = append(rows, row{key: "g/" + g.Name, plain: pl, text: tx, pick: true})
	}
	return rows
}
