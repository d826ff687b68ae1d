package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// routingPane is the strategies × URS matrix: which URS has each strategy loaded (activated in
// the Strategy Activation Wizard), which of them are in the rotation, and how many interactions
// each strategy submitted to each URS. The header rows describe each URS: a sparkline of its
// submission rate, whether it is eligible (and why not), pending and resubmitted counts.
//
// The cursor is a crosshair: a strategy (row) and a URS (column). x and s act on the URS, a and d
// on the strategy, t toggles the strategy on the URS. Only the visible window of rows and
// columns is rendered, so 500 strategies × 200 URS cost the same as 3 × 2.
type routingPane struct {
	th      *theme
	nav     navKeys
	left    key.Binding
	right   key.Binding
	toggle  key.Binding
	w, h    int
	focused bool
	frame   *live.Frame

	row, col       int // cursor: strategy index, URS index
	rowOff, colOff int

	// Submissions per virtual second of each URS and whether it ran, one value a virtual second
	// (the frames' trend samples), by URS index; hist[u][i] is the second ending at times[i].
	trend   trendWindow
	hist    [][]float64
	up      [][]bool
	times   []int64
	gen     uint64
	sparks  []string // rendered mini charts of the visible columns, by column - colOff
	spark   sparkline.Model
	sparkW  int
	histMax float64 // the sparklines' scale (robustTop)
	clipped bool    // some rate is above it
	// When the strategies leave room, a wider chart per URS fills it.
	chart []string
	big   sparkline.Model
	bigW  int
}

func newRoutingPane(th *theme, g *globalKeys) *routingPane {
	return &routingPane{th: th, nav: newNavKeys(g), left: g.navLeft, right: g.navRight,
		toggle: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "toggle strategy on URS"))}
}

func (p *routingPane) Title() string     { return "Routing" }
func (p *routingPane) SetFocused(f bool) { p.focused = f }

// t is a shortcut for the table's :activate or :deactivate (toggleCmd); both change alike.
func (p *routingPane) Keys() []paneKey {
	return []paneKey{{Binding: p.left}, {Binding: p.right}, {p.toggle, "activate"}}
}

func (p *routingPane) snap() *core.Snapshot {
	if p.frame == nil {
		return nil
	}
	return p.frame.Snap
}

func (p *routingPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.clampCursor()
	p.renderSparks()
}

// geometry of the matrix for the current size and snapshot.
type routingGeom struct {
	nameW, leftW, colW, ncols int
	head                      int // header lines above the strategy rows (incl. separator)
	body                      int // strategy rows visible
	foot                      int // detail lines
}

func (p *routingPane) geom() routingGeom {
	s := p.snap()
	g := routingGeom{nameW: 8, colW: 10}
	if s == nil {
		return g
	}
	for _, st := range s.Strategies {
		g.nameW = max(g.nameW, width(st.Name))
	}
	g.nameW = min(g.nameW, 22)
	g.nameW = max(g.nameW, 11) // "resubmitted" labels the header rows
	g.colW = 12                // " ● eligible"
	for _, u := range s.URS {
		g.colW = max(g.colW, width(u.Name)+2)
	}
	g.colW = min(g.colW, 16)
	g.leftW = g.nameW + 1 + 5 + 1 + 7 // name, wait, total
	avail := p.w - 1 - g.leftW - 1    // cursor mark, left block, separator
	if avail < g.colW {
		// Narrow: shrink the name column before losing the only URS column.
		cut := min(g.nameW-6, g.colW-avail)
		g.nameW -= cut
		g.leftW -= cut
		avail += cut
	}
	g.ncols = max(1, avail/g.colW)
	g.foot = 1
	if p.h >= 14 {
		g.foot = 2
	}
	g.head = 7
	if p.h < 12 {
		g.head = 4 // names, sparkline, state, separator
	}
	g.body = max(1, p.h-g.head-g.foot)
	return g
}

func (p *routingPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case frameMsg:
		p.takeFrame(msg.f)
	case tea.KeyMsg:
		g := p.geom()
		switch {
		case key.Matches(msg, p.nav.up):
			p.row--
		case key.Matches(msg, p.nav.down):
			p.row++
		case key.Matches(msg, p.nav.pgUp):
			p.row -= g.body
		case key.Matches(msg, p.nav.pgDown):
			p.row += g.body
		case key.Matches(msg, p.nav.top):
			p.row = 0
		case key.Matches(msg, p.nav.bottom):
			p.row = 1 << 30
		case key.Matches(msg, p.left):
			p.col--
		case key.Matches(msg, p.right):
			p.col++
		case key.Matches(msg, p.toggle):
			return p.toggleCmd()
		default:
			return nil
		}
		p.clampCursor()
		p.renderSparks()
	}
	return nil
}

// toggleCmd asks the root to activate or deactivate the cursor's strategy on the cursor's URS.
func (p *routingPane) toggleCmd() tea.Cmd {
	s := p.snap()
	if s == nil || len(s.Strategies) == 0 || len(s.URS) == 0 {
		return nil
	}
	st, u := s.Strategies[p.row], s.URS[p.col]
	// The same action as :activate / :deactivate, with its checks: unloading the strategy from
	// the last URS that has it asks first.
	name := "activate"
	if p.col < len(st.Cells) && st.Cells[p.col].Activated {
		name = "deactivate"
	}
	return func() tea.Msg { return performMsg{name: name, args: []string{st.Name, u.Name}} }
}

func (p *routingPane) takeFrame(f *live.Frame) {
	if f.Gen != p.gen { // another scenario: the cursor starts over (a rewind keeps it)
		p.row, p.col, p.rowOff, p.colOff, p.gen = 0, 0, 0, 0, f.Gen
	}
	p.frame = f
	if p.trend.take(f) {
		s := f.Snap
		p.hist, p.up, p.times = p.hist[:0], p.up[:0], p.trend.times()
		var all []float64
		for u := range s.URS {
			h, up := p.trend.ursRates(u)
			p.hist, p.up = append(p.hist, h), append(p.up, up)
			all = append(all, h...)
		}
		// One scale for every URS, so they compare; the 95th percentile, so one spike (a burst
		// of resubmissions) does not flatten the rest.
		p.histMax, p.clipped = robustTop(all, 1)
	}
	if f.Snap == nil {
		return
	}
	p.clampCursor()
	p.renderSparks()
}

func (p *routingPane) clampCursor() {
	s := p.snap()
	if s == nil {
		return
	}
	g := p.geom()
	p.row = clamp(p.row, 0, max(0, len(s.Strategies)-1))
	p.col = clamp(p.col, 0, max(0, len(s.URS)-1))
	if p.row < p.rowOff {
		p.rowOff = p.row
	}
	if p.row >= p.rowOff+g.body {
		p.rowOff = p.row - g.body + 1
	}
	p.rowOff = clamp(p.rowOff, 0, max(0, len(s.Strategies)-g.body))
	if p.col < p.colOff {
		p.colOff = p.col
	}
	if p.col >= p.colOff+g.ncols {
		p.colOff = p.col - g.ncols + 1
	}
	p.colOff = clamp(p.colOff, 0, max(0, len(s.URS)-g.ncols))
}

// renderSparks draws the sparklines of the visible columns once per frame or scroll, so View
// only concatenates strings.
func (p *routingPane) renderSparks() {
	s := p.snap()
	if s == nil {
		return
	}
	g := p.geom()
	w := g.colW - 1
	if p.sparkW != w {
		p.spark = sparkline.New(w, 1, sparkline.WithNoAutoMaxValue(),
			sparkline.WithStyle(lipgloss.NewStyle().Foreground(colAccent)))
		p.sparkW = w
	}
	p.sparks = p.sparks[:0]
	top := max(p.histMax, 1)
	for c := p.colOff; c < min(len(s.URS), p.colOff+g.ncols); c++ {
		p.sparks = append(p.sparks, withMarks(p.th, drawSpark(&p.spark, p.histOf(c), top), w, p.upOf(c)))
	}

	// The chart below the matrix, when the strategies leave at least three lines.
	p.chart = p.chart[:0]
	free := g.body - min(len(s.Strategies)-p.rowOff, g.body)
	if free < 3 {
		return
	}
	bw := p.w - 1 - g.nameW - 1 - 12
	if bw < 10 {
		return
	}
	if p.bigW != bw {
		p.big = sparkline.New(bw, 1, sparkline.WithNoAutoMaxValue(),
			sparkline.WithStyle(lipgloss.NewStyle().Foreground(colAccent)))
		p.bigW = bw
	}
	first := p.colOff
	n := min(free-2, len(s.URS)-first)
	scale := "scale 0–" + strconv.FormatFloat(top, 'f', 1, 64)
	if p.clipped {
		scale += ", spikes clipped"
	}
	span := "newest right"
	if k := min(bw, len(p.times)); k > 0 {
		span = shortClock(time.Duration(p.times[len(p.times)-k]-live.TrendEvery)) + "–" + shortClock(time.Duration(p.times[len(p.times)-1]))
	}
	p.chart = append(p.chart, p.th.header.s(fit("Submissions per virtual second, "+span+" · ▼ stop ▲ start · "+scale, p.w-1)))
	for c := first; c < first+n; c++ {
		u := &s.URS[c]
		h := p.histOf(c)
		rate := 0.0
		if len(h) > 0 {
			rate = h[len(h)-1]
		}
		name := fit(u.Name, g.nameW)
		if c == p.col {
			name = p.th.bold.s(name)
		}
		p.chart = append(p.chart, name+" "+withMarks(p.th, drawSpark(&p.big, h, top), bw, p.upOf(c))+" "+
			p.th.dim.s(fitR(strconv.FormatFloat(rate, 'f', 1, 64)+"/s", 11)))
	}
}

// histOf and upOf are URS c's submissions per virtual second and whether it ran.
func (p *routingPane) histOf(c int) []float64 {
	if c < len(p.hist) {
		return p.hist[c]
	}
	return nil
}

func (p *routingPane) upOf(c int) []bool {
	if c < len(p.up) {
		return p.up[c]
	}
	return nil
}

// drawSpark renders the tail of values that fits the sparkline, on a shared scale so the URS
// are comparable.
func drawSpark(m *sparkline.Model, values []float64, top float64) string {
	if w := m.Width(); len(values) > w {
		values = values[len(values)-w:]
	}
	clipped := make([]float64, len(values))
	for i, v := range values {
		clipped[i] = min(v, top) // above the scale: drawn full
	}
	m.Clear()
	m.SetMax(top)
	m.PushAll(clipped)
	m.Draw()
	return m.View()
}

// whyShort turns a URS's reason code (URSView.WhyCode) into a cell-sized label; the detail line
// has the whole sentence (URSView.Why).
func whyShort(u *core.URSView) string {
	switch u.WhyCode {
	case "":
		return "eligible"
	case core.WhyStopped:
		return "stopped"
	case core.WhyNoConnection:
		return "no conn"
	case core.WhyMaxSubmitted:
		return "at max"
	case core.WhyRate:
		return "rate held"
	case core.WhyRateZero:
		return "rate 0"
	}
	return u.Why
}

func (p *routingPane) View() string {
	s := p.snap()
	if s == nil {
		return ""
	}
	th, g := p.th, p.geom()
	lines := make([]string, 0, p.h)
	if len(s.URS) == 0 || len(s.Strategies) == 0 {
		lines = append(lines, th.dim.s(" no URS or no strategies in this scenario"))
		return p.finish(lines)
	}
	c0, c1 := p.colOff, min(len(s.URS), p.colOff+g.ncols)
	lines = append(lines, p.header(g, c0, c1)...)
	lines = append(lines, " "+th.border.s(strings.Repeat("─", g.leftW)+"┼"+strings.Repeat("─", max(0, p.w-2-g.leftW))))
	for r := p.rowOff; r < min(len(s.Strategies), p.rowOff+g.body); r++ {
		lines = append(lines, p.strategyRow(g, r, c0, c1))
	}
	if len(p.chart) > 0 && len(lines)+1+len(p.chart) <= p.h-g.foot {
		lines = append(lines, "")
		for _, c := range p.chart {
			lines = append(lines, " "+c)
		}
	}
	for len(lines) < p.h-g.foot {
		lines = append(lines, "")
	}
	lines = append(lines, p.detail(g)...)
	return p.finish(lines)
}

// headerRow renders a row of the header block: a label and one cell per visible URS (columns
// c0 to c1); names marks the cursor's column.
func (p *routingPane) headerRow(g routingGeom, c0, c1 int, label string, lp paint, names bool, cellOf func(c int, u *core.URSView) cell) string {
	s, th := p.snap(), p.th
	var b strings.Builder
	b.WriteString(" ")
	b.WriteString(lp.s(fit(label, g.leftW)))
	b.WriteString(th.border.s("│"))
	for c := c0; c < c1; c++ {
		ce := cellOf(c, &s.URS[c])
		lead := " "
		if names && c == p.col {
			lead = glyphCursor // the cursor's column, visible without colour too
		}
		t := fit(lead+ce.s, g.colW)
		if c == p.col && p.focused && names {
			b.WriteString(th.cursor.s(t))
		} else {
			b.WriteString(ce.p.s(t))
		}
	}
	return b.String()
}

// header is the block above the matrix: the URS names, their submissions, state and (with room)
// their counters.
func (p *routingPane) header(g routingGeom, c0, c1 int) []string {
	th := p.th
	row := func(label string, lp paint, names bool, cellOf func(c int, u *core.URSView) cell) string {
		return p.headerRow(g, c0, c1, label, lp, names, cellOf)
	}
	names := fit("Strategy", g.nameW) + " " + fitR("wait", 5) + " " + fitR("total", 7)
	lines := []string{
		row(names, th.header, true, func(_ int, u *core.URSView) cell { return cell{u.Name, th.bold} }),
		row("subm/s (virtual)", th.dim, false, func(c int, _ *core.URSView) cell {
			if i := c - c0; i < len(p.sparks) {
				return cell{p.sparks[i], th.text}
			}
			return cell{"", th.text}
		}),
		row("state", th.dim, false, func(_ int, u *core.URSView) cell {
			switch {
			case u.Eligible:
				return cell{glyphRunning + " eligible", th.ok}
			case !u.Running:
				return cell{glyphStopped + " stopped", th.bad}
			}
			return cell{"✗ " + whyShort(u), th.warn}
		}),
	}
	if g.head < 7 {
		return lines
	}
	return append(lines,
		row("pending / max", th.dim, false, func(_ int, u *core.URSView) cell {
			t := itoa(int64(u.Pending))
			if u.MaxSubmitted >= 0 {
				t += "/" + count(u.MaxSubmitted)
			}
			if u.Pending == 0 {
				return cell{t, th.dim}
			}
			return cell{t, th.text}
		}),
		row("submitted", th.dim, false, func(_ int, u *core.URSView) cell { return num(th, u.Submitted, th.text) }),
		row("resubmitted to", th.dim, false, func(_ int, u *core.URSView) cell { return num(th, u.Resubmitted, th.warn) }))
}

// strategyRow is strategy r's row of the matrix: its name and waiting and total, then a cell
// per visible URS (loaded and in the rotation, loaded only, not loaded).
func (p *routingPane) strategyRow(g routingGeom, r, c0, c1 int) string {
	th := p.th
	st := &p.snap().Strategies[r]
	var b strings.Builder
	mark := " "
	if r == p.row {
		mark = glyphCursor
	}
	left := fit(st.Name, g.nameW) + " " + fitR(count(int64(st.Waiting)), 5) + " " + fitR(count(st.Total), 7)
	switch {
	case r == p.row && p.focused:
		b.WriteString(th.cursor.s(mark + left))
	case st.Waiting > 0:
		b.WriteString(mark + th.warn.s(left))
	default:
		b.WriteString(mark + left)
	}
	b.WriteString(th.border.s("│"))
	for c := c0; c < c1 && c < len(st.Cells); c++ {
		ce := st.Cells[c]
		var t string
		pt := th.dim
		switch {
		case ce.Eligible:
			t, pt = glyphInRing+" "+count(ce.Submitted), th.ok
		case ce.Activated:
			t, pt = glyphLoaded+" "+count(ce.Submitted), th.warn
		case ce.Submitted > 0:
			t = glyphNot + " " + count(ce.Submitted)
		default:
			t = glyphNot
		}
		t = fit(" "+t, g.colW)
		if r == p.row && c == p.col && p.focused {
			b.WriteString(th.cursor.s(t))
		} else {
			b.WriteString(pt.s(t))
		}
	}
	return b.String()
}

// detail describes the cursor's URS and cell in words.
func (p *routingPane) detail(g routingGeom) []string {
	s, th := p.snap(), p.th
	u := &s.URS[p.col]
	st := &s.Strategies[p.row]
	var ursLine string
	if u.Eligible {
		ursLine = u.Name + ": eligible"
	} else {
		ursLine = u.Name + ": not eligible — " + u.Why
	}
	ursLine += " · pending " + strconv.Itoa(u.Pending)
	if u.MaxSubmitted >= 0 {
		ursLine += " of max " + itoa(u.MaxSubmitted)
	}
	ursLine += " · loaded: " + orNone(strings.Join(u.Strategies, ", "))
	up := th.text
	if !u.Eligible {
		up = th.warn
	}
	var cellLine string
	if p.col < len(st.Cells) {
		ce := st.Cells[p.col]
		switch {
		case ce.Eligible:
			cellLine = st.Name + " on " + u.Name + ": loaded, in the rotation"
		case ce.Activated:
			cellLine = st.Name + " on " + u.Name + ": loaded, not in the rotation (" + whyShort(u) + ")"
		default:
			cellLine = st.Name + " on " + u.Name + ": not loaded (t or a activates)"
		}
		cellLine += " · " + itoa(ce.Submitted) + " submitted"
	}
	if st.Waiting > 0 {
		cellLine += " · " + strconv.Itoa(st.Waiting) + " waiting for an eligible URS"
	}
	out := []string{" " + up.s(clip(ursLine, p.w-1))}
	if g.foot >= 2 {
		out = append(out, " "+th.dim.s(clip(cellLine, p.w-1)))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (p *routingPane) finish(lines []string) string {
	for len(lines) < p.h {
		lines = append(lines, "")
	}
	return joinLines(lines[:p.h])
}

func (p *routingPane) Selection() selection {
	s := p.snap()
	if s == nil {
		return selection{}
	}
	var sel selection
	if p.col < len(s.URS) {
		u := s.URS[p.col]
		sel.App, sel.Type, sel.URS = u.Name, core.TypeRoutingServer, u.Name
	}
	if p.row < len(s.Strategies) {
		sel.Strategy = s.Strategies[p.row].Name
	}
	return sel
}

func (p *routingPane) Info() string {
	s := p.snap()
	if s == nil || len(s.URS) == 0 {
		return ""
	}
	g := p.geom()
	c1 := min(len(s.URS), p.colOff+g.ncols)
	t := "strategy " + strconv.Itoa(p.row+1) + "/" + strconv.Itoa(len(s.Strategies))
	if len(s.URS) > g.ncols {
		t += " · URS " + strconv.Itoa(p.colOff+1) + "–" + strconv.Itoa(c1) + " of " + strconv.Itoa(len(s.URS)) + " (h/l)"
	}
	return t
}

func (p *routingPane) Click(x, y int) {
	s := p.snap()
	if s == nil {
		return
	}
	g := p.geom()
	if x > g.leftW+1 {
		p.col = p.colOff + (x-g.leftW-2)/g.colW
	}
	if y >= g.head && y < g.head+g.body {
		p.row = p.rowOff + y - g.head
	}
	p.clampCursor()
	p.renderSparks()
}

func (p *routingPane) Wheel(n int) {
	p.row += n
	p.clampCursor()
}
