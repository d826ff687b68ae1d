//go:build cgo

package main

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ixlb/ixlb/core"
)

// Plots: the picture of a run (what a failure did to queues, agents, service level and the URS
// balance) and of a sweep (a figure against the swept parameter, with its confidence band).

// plotFormat checks the output's extension: SVG or PNG.
func plotFormat(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "svg", "png":
		return ext, nil
	}
	return "", fmt.Errorf("--plot %s: want a .svg or .png file", path)
}

// runSeries is a run sampled over time.
type runSeries struct {
	t       []float64            // sample times, minutes
	depth   map[string][]float64 // per queue: waiting (queued + in URS + held at media or for a DAP)
	busy    map[string][]float64 // per agent group
	binT    []float64            // interval midpoints, minutes
	sl      map[string][]float64 // per queue and _all: service level of each interval's arrivals (NaN: nobody arrived)
	damage  map[string][]float64 // "lost", "abandoned": newly so in each interval (core.Damage)
	share   map[string][]float64 // "strategy URS": share of the strategy's submissions in each interval
	markers []plotMarker
}

type plotMarker struct {
	t     float64 // minutes
	label string
}

// sampleRun runs cfg in memory from the start, sampling `samples` times and aggregating the
// service level and URS shares over `bins` intervals. A run is deterministic, so this is the run
// `ixlb run` made (for the same scenario and seed).
//
// An interval's service level is that of the customers who arrived in it, as an ACD's interval
// report has it: those answered within the threshold over all who arrived — held at a media
// server, waiting, lost or abandoned count against it. An outage in which nobody is answered
// reads 0, not a gap; only an interval nobody arrived in is left out.
func sampleRun(cfg core.Config, samples, bins int) (*runSeries, error) {
	end := int64(cfg.Duration)
	e, err := core.New(cfg, core.WithoutEventLog(), core.WithIntervals(time.Duration(end/int64(max(bins, 1)))))
	if err != nil {
		return nil, err
	}
	s := &runSeries{depth: map[string][]float64{}, busy: map[string][]float64{}, sl: map[string][]float64{}, share: map[string][]float64{},
		damage: map[string][]float64{}}
	per := samples / bins
	if per < 1 {
		per = 1
	}
	prevRouted := map[string]float64{}
	var prevDamage core.Damage
	lastEdge := 0.0 // where the current interval starts, minutes
	for i := 1; i <= samples; i++ {
		at := end * int64(i) / int64(samples)
		if i < samples {
			// Just before the edge: an action at a round time (a switchover at 2m) counts in the
			// interval it starts, where its marker is.
			e.RunUntil(at - 1)
		} else {
			e.RunUntil(at)
		}
		snap := e.Snapshot()
		s.t = append(s.t, float64(at)/float64(time.Minute))
		for _, q := range snap.Queues {
			// Held work waits too, where the customer sees it.
			s.depth[q.Name] = append(s.depth[q.Name], float64(q.Queued+q.InURS+q.Held))
		}
		for _, g := range snap.Groups {
			s.busy[g.Name] = append(s.busy[g.Name], float64(g.Busy))
		}
		if i%per != 0 && i != samples {
			continue
		}
		hi := s.t[len(s.t)-1]
		s.binT = append(s.binT, (lastEdge+hi)/2)
		lastEdge = hi
		d := snap.Damage
		s.damage["lost"] = append(s.damage["lost"], float64(d.Lost-prevDamage.Lost))
		s.damage["abandoned"] = append(s.damage["abandoned"], float64(d.Abandoned-prevDamage.Abandoned))
		prevDamage = d
		for _, st := range snap.Strategies {
			var tot float64
			for _, c := range st.Cells {
				tot += float64(c.Submitted)
			}
			dTot := tot - prevRouted[st.Name]
			for k, c := range st.Cells {
				key := st.Name + " " + snap.URS[k].Name
				v := nanValue
				if dTot > 0 {
					v = (float64(c.Submitted) - prevRouted[key]) / dTot
				}
				if c.Submitted > 0 || c.Activated {
					s.share[key] = append(s.share[key], v)
				} else {
					s.share[key] = append(s.share[key], nanValue)
				}
				prevRouted[key] = float64(c.Submitted)
			}
			prevRouted[st.Name] = tot
		}
	}
	for q, ivs := range e.Intervals() {
		for i := range s.binT {
			v := nanValue
			if i < len(ivs) {
				v = ivs[i].ServiceLevel()
			}
			s.sl[q] = append(s.sl[q], v)
		}
	}
	for _, ta := range cfg.Timeline {
		s.markers = append(s.markers, plotMarker{t: ta.At.Minutes(), label: actionLabel(ta.Action)})
	}
	sort.SliceStable(s.markers, func(i, j int) bool { return s.markers[i].t < s.markers[j].t })
	return s, nil
}

var nanValue = func() float64 { var z float64; return z / z }()

// actionLabel is a short label for a timeline action: "stop URS_1", "switchover IxnServer".
func actionLabel(a core.Action) string {
	switch a.Kind {
	case core.ActActivate, core.ActDeactivate:
		return a.Kind.String() + " " + a.Strategy
	case core.ActJoin, core.ActLeave:
		return a.Kind.String() + " " + a.App
	case core.ActSetOption:
		return "set " + a.App + " " + a.Option
	}
	return a.Kind.String() + " " + a.App
}

// writeRunPlot draws the four panels of a run to path (.svg or .png).
func writeRunPlot(path string, cfg core.Config) error {
	format, err := plotFormat(path)
	if err != nil {
		return err
	}
	s, err := sampleRun(cfg, 600, 60)
	if err != nil {
		return err
	}
	depth := newPanel(cfg.Name+": waiting interactions (queued + in URS + held) per queue", "waiting")
	depth.Y.Min, depth.Y.Max = 0, 1 // counts start at 0; the data widen the range
	addSeries(depth, s.t, s.depth, false, true)
	busy := newPanel("agents busy per group", "agents")
	busy.Y.Min, busy.Y.Max = 0, 1
	addSeries(busy, s.t, s.busy, false, true)
	sl := newPanel(fmt.Sprintf("service level per %s interval", time.Duration(float64(cfg.Duration)/float64(len(s.binT))).Round(time.Second)), "answered in time")
	sl.Y.Min, sl.Y.Max = 0, 1.05
	sl.Legend.Top, sl.Legend.Left = false, true // service levels crowd the top
	addSeries(sl, s.binT, s.sl, true, false)
	dmg := newPanel("lost and abandoned per interval", "interactions")
	dmg.Y.Min, dmg.Y.Max = 0, 1
	addSeries(dmg, s.binT, s.damage, true, true)
	share := newPanel("URS share of each strategy's submissions per interval", "share")
	share.Y.Min, share.Y.Max = 0, 1
	addSeries(share, s.binT, s.share, true, true)
	share.X.Label.Text = "virtual time (minutes)"
	panels := []*plot.Plot{depth, busy, sl, dmg, share}
	for i, p := range panels {
		p.X.Min, p.X.Max = 0, cfg.Duration.Minutes()
		addMarkers(p, s.markers, i == 0)
	}
	const w, h = 10 * vg.Inch, 14 * vg.Inch
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return err
	}
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(rows, draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(6), PadY: vg.Points(10)}, draw.New(c))
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	return writeCanvas(path, c)
}

func writeCanvas(path string, c vg.CanvasWriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func newPanel(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	return p
}

// addSeries adds one line per name (sorted, _all last); NaN points break nothing (they are left out).
func addSeries(p *plot.Plot, xs []float64, series map[string][]float64, points, headroom bool) {
	names := make([]string, 0, len(series))
	for k := range series {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == core.AllQueues) != (names[j] == core.AllQueues) {
			return names[j] == core.AllQueues
		}
		return names[i] < names[j]
	})
	for i, name := range names {
		// An interval without data (NaN) breaks the line rather than bridging it.
		var segs []plotter.XYs
		var cur plotter.XYs
		for k, y := range series[name] {
			if k >= len(xs) {
				break
			}
			if y != y {
				if len(cur) > 0 {
					segs, cur = append(segs, cur), nil
				}
				continue
			}
			cur = append(cur, plotter.XY{X: xs[k], Y: y})
		}
		if len(cur) > 0 {
			segs = append(segs, cur)
		}
		for si, xys := range segs {
			l, err := plotter.NewLine(xys)
			if err != nil {
				continue
			}
			l.Color = plotutil.Color(i)
			l.Width = vg.Points(1.2)
			if name == core.AllQueues {
				l.Color = color.Black
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			p.Add(l)
			if si == 0 {
				p.Legend.Add(name, l)
			}
			if points {
				if sc, err := plotter.NewScatter(xys); err == nil {
					sc.Color = l.Color
					sc.Radius = vg.Points(1.5)
					p.Add(sc)
				}
			}
		}
	}
	// Head room for the legend, which sits at the top right.
	if headroom && len(names) > 0 {
		p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)*(1.1+0.08*float64(len(names)))
	}
}

// addMarkers draws a dashed vertical line at each timeline action, labelled on the first panel.
func addMarkers(p *plot.Plot, ms []plotMarker, label bool) {
	if len(ms) == 0 {
		return
	}
	// The panel's y range is known once its data are in.
	ymin, ymax := p.Y.Min, p.Y.Max
	if ymax <= ymin {
		ymax = ymin + 1
	}
	var lbl plotter.XYLabels
	for i, m := range ms {
		l, err := plotter.NewLine(plotter.XYs{{X: m.t, Y: ymin}, {X: m.t, Y: ymax}})
		if err != nil {
			continue
		}
		l.Color = color.RGBA{R: 200, G: 30, B: 30, A: 255}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(l)
		// Labels step down so that actions close in time stay readable.
		lbl.XYs = append(lbl.XYs, plotter.XY{X: m.t, Y: ymax - (ymax-ymin)*0.08*float64(i%4)})
		lbl.Labels = append(lbl.Labels, " "+m.label)
	}
	if label {
		if l, err := plotter.NewLabels(lbl); err == nil {
			for i := range l.TextStyle {
				l.TextStyle[i].Color = color.RGBA{R: 200, G: 30, B: 30, A: 255}
			}
			p.Add(l)
		}
	}
}

// writeSweepPlot draws a figure's mean against the first axis of the sweep, one line per value
// of the other axes, with the 95% confidence band.
func writeSweepPlot(path, figure string, axes []sweepAxis, vs []variantSummary) error {
	format, err := plotFormat(path)
	if err != nil {
		return err
	}
	if len(axes) == 0 {
		return fmt.Errorf("--plot: the sweep has no --set axis to plot against")
	}
	x := axes[0]
	// x positions: the values as numbers where they read as numbers ("2/s" reads as 2), else
	// their order.
	pos := map[string]float64{}
	numeric := true
	for _, v := range x.Values {
		f, ok := leadingNumber(v)
		if !ok {
			numeric = false
		}
		pos[v] = f
	}
	if !numeric {
		for i, v := range x.Values {
			pos[v] = float64(i)
		}
	}
	groups := map[string][]variantSummary{}
	var order []string
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
	}
	p := plot.New()
	p.Title.Text = figure + " (mean, 95% confidence band)"
	p.X.Label.Text = x.Path
	p.Y.Label.Text = figure
	p.Add(plotter.NewGrid())
	found := false
	for gi, key := range order {
		g := groups[key]
		sort.SliceStable(g, func(i, j int) bool { return pos[g[i].Set[x.Path]] < pos[g[j].Set[x.Path]] })
		var mean, lo, hi plotter.XYs
		for _, v := range g {
			s, ok := v.Figures[figure]
			if !ok {
				continue
			}
			xv := pos[v.Set[x.Path]]
			mean = append(mean, plotter.XY{X: xv, Y: s.Mean})
			lo = append(lo, plotter.XY{X: xv, Y: s.Mean - s.CI95})
			hi = append(hi, plotter.XY{X: xv, Y: s.Mean + s.CI95})
		}
		if len(mean) == 0 {
			continue
		}
		found = true
		col := plotutil.Color(gi)
		band := append(plotter.XYs{}, lo...)
		for i := len(hi) - 1; i >= 0; i-- {
			band = append(band, hi[i])
		}
		if poly, err := plotter.NewPolygon(band); err == nil {
			r, gg, b, _ := col.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(gg >> 8), B: uint8(b >> 8), A: 60}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		l, sc, err := plotter.NewLinePoints(mean)
		if err != nil {
			continue
		}
		l.Color, sc.Color = col, col
		p.Add(l, sc)
		name := key
		if name == "" {
			name = figure
		}
		p.Legend.Add(name, l, sc)
	}
	if !found {
		var known []string
		for _, v := range vs {
			for k := range v.Figures {
				known = append(known, k)
			}
		}
		sort.Strings(known)
		return fmt.Errorf("--plot: no row has the figure %q%s", figure, core.DidYouMean(figure, known))
	}
	if !numeric {
		var ticks []plot.Tick
		for i, v := range x.Values {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: v})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	c, err := draw.NewFormattedCanvas(8*vg.Inch, 5*vg.Inch, format)
	if err != nil {
		return err
	}
	p.Draw(draw.New(c))
	return writeCanvas(path, c)
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

// plotRun draws `ixlb run --plot`: the run is replayed in memory from the start (deterministic,
// and a resumed session is the same world as one never interrupted), sampled finely; the plot
// costs a second run but changes nothing in the first.
func plotRun(stderr io.Writer, path string, cfg core.Config) error {
	if path == "" {
		return nil
	}
	if err := writeRunPlot(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "plot → %s\n", path)
	return nil
}
