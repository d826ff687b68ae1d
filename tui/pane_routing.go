package tui

import (
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ixlb/ixlb/core"
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
	frame   *Frame

	row, col       int // cursor: strategy index, URS index
	rowOff, colOff int

	// Submission rate history per URS (interactions per virtual second between frames), fed
	// from successive snapshots' URSView.Submitted.
	hist    map[string][]float64
	up      map[string][]bool // whether the URS ran, at each value of hist
	lastSub map[string]int64
	lastT   int64
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

const histLen = 240 // frames of history: about 24 s of wall clock

func newRoutingPane(th *theme, g *globalKeys) *routingPane {
	return &routingPane{th: th, nav: newNavKeys(g), left: g.navLeft, right: g.navRight,
		toggle: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "toggle strategy on URS")),
		hist:   map[string][]float64{}, up: map[string][]bool{}, lastSub: map[string]int64{}, lastT: -1}
}

func (p *routingPane) Title() string       { return "Routing" }
func (p *routingPane) SetFocused(f bool)   { p.focused = f }
func (p *routingPane) Capturing() bool     { return false }
func (p *routingPane) Keys() []key.Binding { return []key.Binding{p.left, p.right, p.toggle} }

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

func (p *routingPane) takeFrame(f *Frame) {
	if f.Reset || f.Gen != p.gen {
		p.hist, p.up, p.lastSub, p.lastT, p.gen = map[string][]float64{}, map[string][]bool{}, map[string]int64{}, -1, f.Gen
		p.row, p.col, p.rowOff, p.colOff = 0, 0, 0, 0
	}
	p.frame = f
	s := f.Snap
	if s == nil {
		return
	}
	if p.lastT >= 0 && s.T > p.lastT {
		dt := float64(s.T-p.lastT) / 1e9
		p.histMax = 0
		for _, u := range s.URS {
			// Smoothed (EMA over ~5 frames): at 1x a frame sees 0 or 1 submission, and the raw
			// rate would flicker between 0 and 10/s.
			inst := float64(u.Submitted-p.lastSub[u.Name]) / dt
			prev := inst
			if h := p.hist[u.Name]; len(h) > 0 {
				prev = h[len(h)-1]
			}
			h := append(p.hist[u.Name], prev+0.3*(inst-prev))
			up := append(p.up[u.Name], u.Running)
			if len(h) > histLen {
				h, up = h[len(h)-histLen:], up[len(up)-histLen:]
			}
			p.hist[u.Name], p.up[u.Name] = h, up
		}
		// One scale for every URS, so they compare; the 95th percentile, so one spike (a burst
		// of resubmissions) does not flatten the rest.
		var all []float64
		for _, h := range p.hist {
			all = append(all, h...)
		}
		p.histMax, p.clipped = robustTop(all, 1)
	}
	if p.lastT < 0 || s.T > p.lastT {
		for _, u := range s.URS {
			p.lastSub[u.Name] = u.Submitted
		}
		p.lastT = s.T
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
		u := s.URS[c].Name
		p.sparks = append(p.sparks, withMarks(p.th, drawSpark(&p.spark, p.hist[u], top), w, p.up[u]))
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
	p.chart = append(p.chart, p.th.header.s(fit("Submissions per virtual second, newest right · ▼ stop ▲ start · "+scale, p.w-1)))
	for c := first; c < first+n; c++ {
		u := &s.URS[c]
		h := p.hist[u.Name]
		rate := 0.0
		if len(h) > 0 {
			rate = h[len(h)-1]
		}
		name := fit(u.Name, g.nameW)
		if c == p.col {
			name = p.th.bold.s(name)
		}
		p.chart = append(p.chart, name+" "+withMarks(p.th, drawSpark(&p.big, h, top), bw, p.up[u.Name])+" "+
			p.th.dim.s(fitR(strconv.FormatFloat(rate, 'f', 1, 64)+"/s", 11)))
	}
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
	sep := th.border.s("│")

	// headerRow renders a row of the header block: a label and one cell per visible URS.
	headerRow := func(label string, lp paint, names bool, cellOf func(c int, u *core.URSView) cell) string {
		var b strings.Builder
		b.WriteString(" ")
		b.WriteString(lp.s(fit(label, g.leftW)))
		b.WriteString(sep)
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

	names := fit("Strategy", g.nameW) + " " + fitR("wait", 5) + " " + fitR("total", 7)
	lines = append(lines, headerRow(names, th.header, true, func(_ int, u *core.URSView) cell {
		return cell{u.Name, th.bold}
	}))
	lines = append(lines, headerRow("subm/s (virtual)", th.dim, false, func(c int, _ *core.URSView) cell {
		if i := c - c0; i < len(p.sparks) {
			return cell{p.sparks[i], th.text}
		}
		return cell{"", th.text}
	}))
	lines = append(lines, headerRow("state", th.dim, false, func(_ int, u *core.URSView) cell {
		switch {
		case u.Eligible:
			return cell{glyphRunning + " eligible", th.ok}
		case !u.Running:
			return cell{glyphStopped + " stopped", th.bad}
		}
		return cell{"✗ " + whyShort(u), th.warn}
	}))
	if g.head >= 7 {
		lines = append(lines, headerRow("pending / max", th.dim, false, func(_ int, u *core.URSView) cell {
			t := itoa(int64(u.Pending))
			if u.MaxSubmitted >= 0 {
				t += "/" + count(u.MaxSubmitted)
			}
			if u.Pending == 0 {
				return cell{t, th.dim}
			}
			return cell{t, th.text}
		}))
		lines = append(lines, headerRow("submitted", th.dim, false, func(_ int, u *core.URSView) cell {
			return num(th, u.Submitted, th.text)
		}))
		lines = append(lines, headerRow("resubmitted to", th.dim, false, func(_ int, u *core.URSView) cell {
			return num(th, u.Resubmitted, th.warn)
		}))
	}
	lines = append(lines, " "+th.border.s(strings.Repeat("─", g.leftW)+"┼"+strings.Repeat("─", max(0, p.w-2-g.leftW))))

	for r := p.rowOff; r < min(len(s.Strategies), p.rowOff+g.body); r++ {
		st := &s.Strategies[r]
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
		b.WriteString(sep)
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
		lines = append(lines, b.String())
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
