package tui

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"

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
func (p *ixnPane) Keys() []paneKey {
	// a and d are the table's; here they act on the selected queue's strategy.
	return []paneKey{{bind("a/d", "(de)activate the selected queue's strategy", "a", "d"), "activate"}}
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
	// What the IS holds in memory now (the table below by queue); the status line has what the
	// databases have, as the run report does — they differ while writes wait for a DAP, and the
	// pane says so.
	parts := []cell{
		{"the IS holds: queued " + count(l.Queued), p.th.text},
		{"in URS " + count(l.InURS), p.th.text},
		{"with agent " + count(l.WithAgent), p.th.text},
	}
	if s.ParkedTotal > 0 {
		// The run report's words: held (N waiting at media, M for a DAP).
		parts = append(parts, cell{"waiting at media " + count(s.ParkedTotal), p.th.warn})
	}
	out := wrapCells(parts, p.w-1, p.th.dim)
	if rc := s.Recorded; rc.Queued != l.Queued || rc.InURS != l.InURS || rc.WithAgent != l.WithAgent {
		// The run report and the status line read the databases: say what they have too.
		out = append(out, wrapCells([]cell{{"the databases have: queued " + count(rc.Queued), p.th.warn},
			{"in URS " + count(rc.InURS), p.th.warn}, {"with agent " + count(rc.WithAgent), p.th.warn}}, p.w-1, p.th.dim)...)
	}
	// The account of damage, under the run report's labels: what a failure cost so far, wrapped
	// so that no figure is cut off.
	pt := p.th.warn
	if s.Damage.Lost > 0 {
		pt = p.th.bad
	}
	var dmg []cell
	for _, part := range damageParts(s.Damage) {
		dmg = append(dmg, cell{part, pt})
	}
	out = append(out, wrapCells(dmg, p.w-1, pt)...)
	return append(out, p.trends()...)
}

// damageParts lists the figures of the account of damage that are not 0, "LABEL N".
func damageParts(d core.Damage) []string {
	var parts []string
	for _, it := range d.Items() {
		if it.Value != 0 {
			parts = append(parts, it.Label+" "+count(it.Value))
		}
	}
	return parts
}

// wrapCells joins cells with " · " in lines of at most w columns, broken between cells so that
// no figure is cut off (a cell wider than a line is cut to it).
func wrapCells(cells []cell, w int, sep paint) []string {
	var lines []string
	var text strings.Builder
	n := 0
	for _, c := range cells {
		s := c.s
		if width(s) > w {
			s = fit(s, w)
		}
		if n > 0 && n+3+width(s) > w {
			lines = append(lines, text.String())
			text.Reset()
			n = 0
		}
		if n > 0 {
			text.WriteString(sep.s(" · "))
			n += 3
		}
		text.WriteString(c.p.s(s))
		n += width(s)
	}
	if n > 0 {
		lines = append(lines, text.String())
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
