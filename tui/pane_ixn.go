package tui

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// ixnPane shows interactions by state and queue (state 0 queued, 2 in URS, 3 with agent, as the
// interactions table has them), what waits for a URS, and agents busy and free per group.
type ixnPane struct {
	listPane
	// One value a virtual second (the frames' trend samples): interactions queued (waiting in
	// queues) and agents busy, for the sparklines under the summary.
	trend        trendWindow
	queued, busy []float64
	sq, sb       sparkline.Model
}

func newIxnPane(th *theme, g *globalKeys) *ixnPane {
	p := &ixnPane{}
	p.th, p.nav = th, newNavKeys(g)
	p.build = p.rows
	p.header = p.summary
	return p
}

func (p *ixnPane) Title() string { return "Interactions" }

// Keys: the pane has no keys of its own; a and d start on the selected queue's strategy.
func (p *ixnPane) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("a", "d"), key.WithHelp("a/d", "(de)activate the selected queue's strategy"))}
}

func (p *ixnPane) Update(msg tea.Msg) tea.Cmd {
	if f, ok := msg.(frameMsg); ok && p.trend.take(f.f) {
		p.queued = p.trend.levels(func(s *core.TrendSample) int64 { return s.Queued })
		p.busy = p.trend.levels(func(s *core.TrendSample) int64 { return s.Busy })
	}
	p.updateList(msg)
	return nil
}

// trends are the sparklines of queue depth and agents busy, when the pane has room.
func (p *ixnPane) trends() []string {
	if p.h < 12 || p.w < 40 || len(p.queued) < 2 {
		return nil
	}
	s := p.frame.Snap
	agents := 0
	for _, g := range s.Groups {
		agents += g.Agents
	}
	lw, rw := 12, 12
	sw := p.w - 1 - lw - rw - 2
	line := func(m *sparkline.Model, label string, h []float64, top float64, now string) string {
		if m.Width() != sw {
			*m = sparkline.New(sw, 1, sparkline.WithNoAutoMaxValue(),
				sparkline.WithStyle(lipgloss.NewStyle().Foreground(colAccent)))
		}
		return p.th.dim.s(fit(label, lw)) + " " + drawSpark(m, h, top) + " " + p.th.dim.s(fitR(now, rw))
	}
	qTop, _ := robustTop(p.queued, 1)
	return []string{
		line(&p.sq, "queued", p.queued, qTop, count(int64(p.queued[len(p.queued)-1]))),
		// Agents busy on the scale of all agents: how full the floor is.
		line(&p.sb, "agents busy", p.busy, float64(max(agents, 1)), count(int64(p.busy[len(p.busy)-1]))+"/"+count(int64(agents))),
	}
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
	// The account of damage, under the run report's labels: what a failure cost so far, wrapped
	// so that no figure is cut off.
	pt := p.th.warn
	if s.Damage.Lost > 0 {
		pt = p.th.bad
	}
	for _, line := range damageLines(s.Damage, p.w-1) {
		out = append(out, pt.s(fit(line, p.w-1)))
	}
	return append(out, p.trends()...)
}

// damageLines lists the figures of the account of damage that are not 0 (none when all are),
// "LABEL N" joined by " · ", in lines of at most w columns broken between figures.
func damageLines(d core.Damage, w int) []string {
	var lines []string
	var cur string
	for _, it := range d.Items() {
		if it.Value == 0 {
			continue
		}
		part := it.Label + " " + count(it.Value)
		switch {
		case cur == "":
			cur = part
		case width(cur)+3+width(part) <= w:
			cur += " · " + part
		default:
			lines = append(lines, cur)
			cur = part
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
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
