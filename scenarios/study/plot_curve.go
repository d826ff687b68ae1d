package study

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ixlb/ixlb/core"
)

// Curve plots: a figure against a number the planner chooses (agents, a rate) — the picture a
// staffing decision is made from. Every plotted value is a mean over seeds with its 95%
// interval; the y axis is in the catalogue's display units ("% answered in 20 s", seconds); the
// x axis has a tick at every value that ran; the legend sits beside the data, never on it.

// curve is one line: a figure at each x, with its interval.
type curve struct {
	name   string
	points []curvePoint
}

type curvePoint struct {
	x float64
	s Summary
}

// curvePanel is one figure against x: its curves, the target it must reach and the xs marked as
// answers.
type curvePanel struct {
	title  string
	y      core.FigureInfo
	curves []curve
	target *Target
	figs   core.Figures // what labels read (thresholds)
	marks  []panelMark  // the fewest meeting the target: one, or one per curve
}

// panelMark is an x marked on a panel, with its legend label and colour.
type panelMark struct {
	x     float64
	label string
	col   color.Color
}

// curveFigure is a plot of one or more panels sharing an x axis.
type curveFigure struct {
	xLabel string
	xTicks []plot.Tick // every x that ran, labelled as written
	xMin   float64
	xMax   float64
	logY   bool
	panels []curvePanel
	// notes say what the plot could not draw (values a log axis has no room for, figures no run
	// defined): the command prints them, so nothing is left out silently.
	notes []string
}

var (
	targetColor = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	markColor   = color.RGBA{R: 20, G: 120, B: 40, A: 255}
)

// yScale maps a figure's value to the panel's y: display units, clamped to what the axis can
// show (shares to 0–100%; on a log axis, intervals reaching 0 stop at half the least mean).
type yScale struct {
	info  core.FigureInfo
	log   bool
	floor float64
}

func (y yScale) at(v float64) float64 {
	v = y.info.Display(v)
	if y.log {
		return math.Max(v, y.floor/2)
	}
	if y.info.Kind == core.KindShare {
		return math.Min(100, math.Max(0, v))
	}
	return v
}

// build makes one panel: its curves with their intervals, the target's line, the y range and the
// marked answer.
func (cf *curveFigure) build(cp curvePanel, legend *plot.Legend) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = cp.title
	p.Y.Label.Text = cp.y.AxisLabel()
	p.X.Label.Text = cf.xLabel
	p.Add(plotter.NewGrid())
	ys := yScale{info: cp.y, log: cf.logY}
	// What cannot be drawn is left out and said: a mean no run defined (nobody answered), and on
	// a log axis a mean of 0 or less (a log axis has no 0).
	undefined, nonPositive := 0, 0
	for i := range cp.curves {
		c := &cp.curves[i]
		kept := c.points[:0:0]
		for _, pt := range c.points {
			switch {
			case !pt.s.Defined():
				undefined++
			case cf.logY && cp.y.Display(pt.s.Mean) <= 0:
				nonPositive++
			default:
				kept = append(kept, pt)
				if v := cp.y.Display(pt.s.Mean); v > 0 && (ys.floor == 0 || v < ys.floor) {
					ys.floor = v
				}
			}
		}
		c.points = kept
	}
	if undefined > 0 {
		cf.notes = append(cf.notes, fmt.Sprintf("%s: %d %s undefined in every run (nothing to average: nobody answered) and not drawn",
			cp.y.Title(), undefined, plural(undefined, "point is", "points are")))
	}
	if nonPositive > 0 {
		cf.notes = append(cf.notes, fmt.Sprintf("%s: %d %s 0 or less, which a logarithmic axis cannot show, and not drawn (plot without --log-y to see them)",
			cp.y.Title(), nonPositive, plural(nonPositive, "point is", "points are")))
	}
	if cf.logY && ys.floor == 0 {
		return nil, fmt.Errorf("--log-y: no value of %s is above 0, and a logarithmic axis has no 0: plot it without --log-y", cp.y.Title())
	}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for ci, c := range cp.curves {
		lo, hi, err := addCurve(p, legend, c, plotutil.Color(ci), ys)
		if err != nil {
			return nil, err
		}
		ylo, yhi = math.Min(ylo, lo), math.Max(yhi, hi)
	}
	if math.IsInf(ylo, 0) {
		return nil, fmt.Errorf("no values to plot")
	}
	if cp.target != nil && cf.logY && cp.y.Display(cp.target.Value) <= 0 {
		cf.notes = append(cf.notes, fmt.Sprintf("%s: the target's line at %s is not drawn on a logarithmic axis", cp.y.Title(), cp.y.Format(cp.target.Value)))
	} else if cp.target != nil {
		tv := ys.at(cp.target.Value)
		ylo, yhi = math.Min(ylo, tv), math.Max(yhi, tv)
		if tl, err := plotter.NewLine(plotter.XYs{{X: cf.xMin, Y: tv}, {X: cf.xMax, Y: tv}}); err == nil {
			tl.Color = targetColor
			tl.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			tl.Width = vg.Points(1.5)
			p.Add(tl)
			legend.Add("target "+cp.target.Bounds(cp.figs), tl)
		}
	}
	setYRange(p, cp.y.Kind, cf.logY, ylo, yhi)
	for _, m := range cp.marks {
		addMark(p, legend, m)
	}
	p.X.Min, p.X.Max = cf.xMin, cf.xMax
	p.X.Tick.Marker = plot.ConstantTicks(cf.xTicks)
	return p, nil
}

// addCurve draws one curve — its band, error bars, line and points — and returns the y range its
// intervals span.
func addCurve(p *plot.Plot, legend *plot.Legend, c curve, col color.Color, ys yScale) (ylo, yhi float64, err error) {
	ylo, yhi = math.Inf(1), math.Inf(-1)
	var mean, lo, hi plotter.XYs
	for _, pt := range c.points {
		m, l, h := ys.at(pt.s.Mean), ys.at(pt.s.Lo()), ys.at(pt.s.Hi())
		mean = append(mean, plotter.XY{X: pt.x, Y: m})
		lo = append(lo, plotter.XY{X: pt.x, Y: l})
		hi = append(hi, plotter.XY{X: pt.x, Y: h})
		ylo, yhi = math.Min(ylo, l), math.Max(yhi, h)
	}
	if len(mean) == 0 {
		return ylo, yhi, nil
	}
	band := append(plotter.XYs{}, lo...)
	for i := len(hi) - 1; i >= 0; i-- {
		band = append(band, hi[i])
	}
	if poly, err := plotter.NewPolygon(band); err == nil && len(mean) > 1 {
		r, g, b, _ := col.RGBA()
		poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 50}
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	errs := make(plotter.YErrors, len(mean))
	for i := range mean {
		errs[i].Low, errs[i].High = mean[i].Y-lo[i].Y, hi[i].Y-mean[i].Y
	}
	if eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{mean, errs}); err == nil {
		eb.Color = col
		eb.CapWidth = vg.Points(6)
		p.Add(eb)
	}
	l, sc, err := plotter.NewLinePoints(mean)
	if err != nil {
		return 0, 0, err
	}
	l.Color, sc.Color = col, col
	l.Width = vg.Points(1.5)
	sc.Shape = draw.CircleGlyph{}
	sc.Radius = vg.Points(3)
	p.Add(l, sc)
	legend.Add(c.name, l, sc)
	return ylo, yhi, nil
}

// setYRange leaves head and foot room so nothing sits on the frame; shares, counts and times
// never go below 0, shares not above 100%.
func setYRange(p *plot.Plot, kind core.FigureKind, logY bool, ylo, yhi float64) {
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = ylo/1.3, yhi*1.3
		return
	}
	pad := (yhi - ylo) * 0.08
	if pad == 0 {
		pad = math.Max(math.Abs(yhi)*0.05, 1)
	}
	p.Y.Tick.Marker = niceTicks{}
	p.Y.Min, p.Y.Max = ylo-pad, yhi+pad
	if kind == core.KindShare || kind == core.KindCount || kind == core.KindSeconds {
		p.Y.Min = math.Max(p.Y.Min, math.Min(0, ylo))
	}
	if kind == core.KindShare {
		p.Y.Max = math.Min(p.Y.Max, 100+pad/2)
	}
}

// addMark draws an answer: a vertical line at x in its colour, in the legend and written at its
// top.
func addMark(p *plot.Plot, legend *plot.Legend, m panelMark) {
	if ml, err := plotter.NewLine(plotter.XYs{{X: m.x, Y: p.Y.Min}, {X: m.x, Y: p.Y.Max}}); err == nil {
		ml.Color = m.col
		ml.Width = vg.Points(1.5)
		ml.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(ml)
		legend.Add(m.label, ml)
	}
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: m.x, Y: p.Y.Max}},
		Labels: []string{" " + strconv.FormatFloat(m.x, 'g', -1, 64)}})
	if err == nil {
		lbl.TextStyle[0].Color = m.col
		lbl.TextStyle[0].YAlign = draw.YTop
		p.Add(lbl)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// write draws the figure: the panels stacked, each with its legend beside its data. Its notes
// say what it could not draw.
func (cf *curveFigure) draw(format string) ([]byte, []string, error) {
	var plots []*plot.Plot
	var legends []*plot.Legend
	for _, cp := range cf.panels {
		l := plot.NewLegend()
		l.Top, l.Left = true, true
		l.Padding = vg.Points(4)
		p, err := cf.build(cp, &l)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cp.title, err)
		}
		plots, legends = append(plots, p), append(legends, &l)
	}
	h := 5*vg.Inch + 4*vg.Inch*vg.Length(len(plots)-1)
	b, err := drawStacked(format, 11*vg.Inch, h, plots, legends, vg.Points(14))
	return b, cf.notes, err
}

// logTicks label 1, 2 and 5 of every decade — every digit when the range is under a decade or
// two — so waits read in seconds, not powers of ten.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	labelled := []float64{1, 2, 5}
	if hi/lo < 30 {
		labelled = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1.0; m < 10; m++ {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if slices.Contains(labelled, m) {
				// 12 digits: 7 × 10⁻¹ reads 0.7, not 0.7000000000000001.
				t.Label = strconv.FormatFloat(v, 'g', 12, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// niceTicks put 5 to 10 labelled ticks at round steps (1, 2, 2.5 or 5 times a power of ten), no
// finer than minStep (1 for counts: no tick at 0.2 interactions).
type niceTicks struct{ minStep float64 }

func (nt niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := max((hi-lo)/7, nt.minStep)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if nt.minStep > 0 && math.Mod(m*mag, nt.minStep) != 0 {
			continue // counts tick at whole numbers: 2 or 5, not 2.5
		}
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if step/math.Pow(10, math.Floor(math.Log10(step)+1e-9)) == 2.5 {
		prec++
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		if m := v + step/2; m < hi && step/2 >= nt.minStep {
			ts = append(ts, plot.Tick{Value: m})
		}
	}
	return ts
}

// xAxis places the swept values: as numbers where they read as numbers ("2/s" reads as 2), else
// in their order. Every value gets a tick; the range has half a step of room either side so no
// marker sits on the frame.
func xAxis(values []string) (pos map[string]float64, ticks []plot.Tick, lo, hi float64) {
	pos = map[string]float64{}
	numeric := true
	for _, v := range values {
		f, ok := leadingNumber(v)
		numeric = numeric && ok
		pos[v] = f
	}
	if !numeric {
		for i, v := range values {
			pos[v] = float64(i)
		}
	}
	xs := make([]float64, 0, len(values))
	for _, v := range values {
		xs = append(xs, pos[v])
	}
	sort.Float64s(xs)
	step := math.Inf(1)
	for i := 1; i < len(xs); i++ {
		if d := xs[i] - xs[i-1]; d > 0 {
			step = math.Min(step, d)
		}
	}
	if math.IsInf(step, 1) {
		step = math.Max(1, math.Abs(xs[0])*0.1)
	}
	lo, hi = xs[0]-step/2, xs[len(xs)-1]+step/2
	// Every value a tick; labels thin out when they would crowd (more than 25).
	every := (len(values) + 24) / 25
	sorted := append([]string(nil), values...)
	sort.SliceStable(sorted, func(i, j int) bool { return pos[sorted[i]] < pos[sorted[j]] })
	for i, v := range sorted {
		label := v
		if i%every != 0 {
			label = ""
		}
		ticks = append(ticks, plot.Tick{Value: pos[v], Label: label})
	}
	return pos, ticks, lo, hi
}

// leadingNumber reads the number a value starts with: "150" → 150, "2/s" → 2, "30s" → 30.
func leadingNumber(s string) (float64, bool) {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && s[end] == '-')) {
		end++
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	return f, err == nil
}

// ParamLabel reads a swept scenario path as a planner would: "agents in Chat".
func ParamLabel(path string) string {
	segs := strings.Split(path, ".")
	if len(segs) == 3 && segs[0] == "agent_groups" && segs[2] == "agents" {
		return "agents in " + segs[1]
	}
	if n, err := strconv.Atoi(segs[min(1, len(segs)-1)]); len(segs) == 3 && segs[0] == "traffic" && err == nil {
		// Entries numbered from 1, as the scenario's messages and compare number them.
		return fmt.Sprintf("traffic %d: %s", n+1, strings.ReplaceAll(segs[2], "_", " "))
	}
	return path
}

// SweepPlot says what a sweep plot draws.
type SweepPlot struct {
	Figure string
	Target *Target // its line, and the fewest of the first axis's values meeting it, marked
	LogY   bool
}

// DrawSweepPlot draws, as an image of format (PlotFormat), a figure's mean against the first axis
// of the sweep, one line per value of the other axes, with its 95% confidence band; with a target,
// each line's fewest value meeting it is marked in the line's colour. The notes say what it could
// not draw.
func DrawSweepPlot(format string, sp SweepPlot, axes []Axis, vs []VariantSummary) ([]byte, []string, error) {
	if len(axes) == 0 {
		return nil, nil, fmt.Errorf("--plot: the sweep has no --set axis to plot against")
	}
	if sp.Target != nil && sp.Target.Path != sp.Figure {
		sp.Figure = sp.Target.Path
	}
	x := axes[0]
	pos, ticks, lo, hi := xAxis(x.Values)
	groups := map[string][]VariantSummary{}
	var order []string
	means := core.Figures{}
	for _, v := range vs {
		var parts []string
		for _, a := range axes[1:] {
			parts = append(parts, a.Path+"="+v.Set[a.Path])
		}
		key := strings.Join(parts, " ")
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], v)
		for k, s := range v.Figures {
			means[k] = s.Mean
		}
	}
	info := core.DescribeFigure(sp.Figure, means)
	panel := curvePanel{title: info.Title() + " — mean and 95% confidence interval", y: info, target: sp.Target, figs: means}
	for _, key := range order {
		g := groups[key]
		sort.SliceStable(g, func(i, j int) bool { return pos[g[i].Set[x.Path]] < pos[g[j].Set[x.Path]] })
		c := curve{name: key}
		if c.name == "" {
			c.name = "mean, 95% interval"
		}
		for _, v := range g {
			if s, ok := v.Figures[sp.Figure]; ok {
				c.points = append(c.points, curvePoint{x: pos[v.Set[x.Path]], s: s})
			}
		}
		if len(c.points) == 0 {
			continue
		}
		// The fewest (first) value of the axis at which the target holds with 95% confidence: one
		// mark per line, in the line's colour (the table's "meets target" column says the same).
		if sp.Target != nil {
			if xv, ok := fewestMeeting(c.points, *sp.Target); ok {
				m := panelMark{x: xv, label: "fewest meeting the target: " + strconv.FormatFloat(xv, 'g', -1, 64), col: markColor}
				if len(order) > 1 {
					m.label = key + ": fewest meeting the target: " + strconv.FormatFloat(xv, 'g', -1, 64)
					m.col = plotutil.Color(len(panel.curves))
				}
				panel.marks = append(panel.marks, m)
			}
		}
		panel.curves = append(panel.curves, c)
	}
	if len(panel.curves) == 0 {
		known := slicesKeys(means)
		return nil, nil, fmt.Errorf("--plot: no row has the figure %q%s", sp.Figure, core.DidYouMean(sp.Figure, known))
	}
	cf := &curveFigure{xLabel: ParamLabel(x.Path), xTicks: ticks, xMin: lo, xMax: hi, logY: sp.LogY, panels: []curvePanel{panel}}
	return cf.draw(format)
}

// fewestMeeting is the least x (points are sorted by x) whose figure meets the target with 95%
// confidence.
func fewestMeeting(points []curvePoint, t Target) (float64, bool) {
	for _, pt := range points {
		if t.Met(pt.s) {
			return pt.x, true
		}
	}
	return 0, false
}

func slicesKeys(m core.Figures) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DrawStaffPlot draws, as an image of format (PlotFormat), each target's figure against the agent
// count with its 95% interval, the target's line, and the answer marked: the counts within window
// of the answer (every count run when there is no answer, or window is 0).
func DrawStaffPlot(format string, s *Staffing, window int, logY bool) ([]byte, []string, error) {
	var points []Point
	for _, p := range s.Points {
		if !s.Found || window <= 0 || abs(p.Agents-s.Agents) <= window {
			points = append(points, p)
		}
	}
	if len(points) == 0 {
		return nil, nil, fmt.Errorf("--plot: nothing ran")
	}
	figs := s.Figures()
	var values []string
	for _, p := range points {
		values = append(values, strconv.Itoa(p.Agents))
	}
	_, ticks, lo, hi := xAxis(values)
	cf := &curveFigure{xLabel: "agents in " + s.Group, xTicks: ticks, xMin: lo, xMax: hi, logY: logY}
	for i := range s.Targets {
		t := s.Targets[i]
		info := core.DescribeFigure(t.Path, figs)
		c := curve{name: "mean, 95% interval"}
		for _, p := range points {
			c.points = append(c.points, curvePoint{x: float64(p.Agents), s: p.Figures[t.Path]})
		}
		panel := curvePanel{title: fmt.Sprintf("%s: %s", s.Name, info.Title()), y: info, curves: []curve{c}, target: &t, figs: figs}
		if s.Found {
			panel.marks = []panelMark{{x: float64(s.Agents), label: fmt.Sprintf("fewest meeting every target: %d", s.Agents), col: markColor}}
		}
		cf.panels = append(cf.panels, panel)
	}
	return cf.draw(format)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
