package study

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
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
// balance, per planning interval); curves of a figure against a chosen number are in
// plot_curve.go.

// PlotFormat checks the output's extension: SVG or PNG.
func PlotFormat(path string) (string, error) {
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
	depth   map[string][]float64 // per queue: customers waiting (Snapshot QueueView.Waiting)
	busy    map[string][]float64 // per agent group
	binT    []float64            // interval midpoints, minutes
	sl      map[string][]float64 // per queue and _all: service level of each interval's arrivals (NaN: nobody arrived)
	damage  map[string][]float64 // "lost": newly so in each interval (core.Damage); "abandoned": gave up in it
	share   map[string][]float64 // "strategy URS": share of the strategy's submissions in each interval
	markers []plotMarker
}

type plotMarker struct {
	t     float64 // minutes
	label string
}

// sampleRun runs cfg in memory from the start, sampling the queues and agents finely and
// aggregating the service level, the damage and the URS shares over intervals of the given
// length (the last one ends with the run). A run is deterministic, so this is the run `ixlb run`
// made (for the same scenario and seed).
//
// An interval's service level is that of the customers who arrived in it, as an ACD's interval
// report has it: those answered within the threshold over all who arrived — held at a media
// server, waiting, lost or abandoned count against it. An outage in which nobody is answered
// reads 0, not a gap; only an interval nobody arrived in is left out.
func sampleRun(cfg core.Config, interval time.Duration) (*runSeries, error) {
	e, err := core.New(cfg, core.WithoutEventLog(), core.WithIntervals(interval))
	if err != nil {
		return nil, err
	}
	end := int64(cfg.Duration)
	s := &runSeries{depth: map[string][]float64{}, busy: map[string][]float64{}, sl: map[string][]float64{}, share: map[string][]float64{},
		damage: map[string][]float64{}}
	bins := int((end + int64(interval) - 1) / int64(interval))
	per := max(1, (600+bins-1)/bins) // samples per interval: about 600 over the run
	prevRouted := map[string]float64{}
	var prevDamage core.Damage
	for b := 0; b < bins; b++ {
		lo, hi := int64(b)*int64(interval), min(end, int64(b+1)*int64(interval))
		var snap *core.Snapshot
		for j := 1; j <= per; j++ {
			at := lo + (hi-lo)*int64(j)/int64(per)
			if j == per && at < end {
				// Just before the edge: an action at a round time (a switchover at 2m) counts in
				// the interval it starts, where its marker is.
				e.RunUntil(at - 1)
			} else {
				e.RunUntil(at)
			}
			snap = e.Snapshot()
			s.t = append(s.t, float64(at)/float64(time.Minute))
			for _, q := range snap.Queues {
				// The customers still waiting, held ones included: not the finished work whose
				// write waits for a DAP, nor those who gave up while held.
				s.depth[q.Name] = append(s.depth[q.Name], float64(q.Waiting))
			}
			for _, g := range snap.Groups {
				s.busy[g.Name] = append(s.busy[g.Name], float64(g.Busy))
			}
		}
		s.binT = append(s.binT, float64(lo+hi)/2/float64(time.Minute))
		d := snap.Damage
		s.damage["lost"] = append(s.damage["lost"], float64(d.Lost-prevDamage.Lost))
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
			v, left := nanValue, 0.0
			if i < len(ivs) {
				v, left = ivs[i].ServiceLevel(), float64(ivs[i].Left)
			}
			s.sl[q] = append(s.sl[q], v)
			if q == core.AllQueues {
				// Abandoned when the customers gave up (abandoned_at), not when a held
				// interaction's row was closed.
				s.damage["abandoned"] = append(s.damage["abandoned"], left)
			}
		}
	}
	for _, ta := range cfg.Timeline {
		s.markers = append(s.markers, plotMarker{t: ta.At.Minutes(), label: actionLabel(ta.Action)})
	}
	sort.SliceStable(s.markers, func(i, j int) bool { return s.markers[i].t < s.markers[j].t })
	return s, nil
}

// IntervalDamage is what the run plot's lost-and-abandoned panel draws: the interactions newly
// lost and abandoned in each interval (0: RunInterval's default), so a test can hold the plot to
// the report's account of damage.
func IntervalDamage(cfg core.Config, interval time.Duration) (lost, abandoned []float64, err error) {
	s, err := sampleRun(cfg, RunInterval(interval, cfg.Duration))
	if err != nil {
		return nil, nil, err
	}
	return s.damage["lost"], s.damage["abandoned"], nil
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

// DefaultInterval is the run plot's planning interval: the 15 minutes workforce management
// plans in.
const DefaultInterval = 15 * time.Minute

// RunInterval is the interval a run plot aggregates over: the one asked for, else 15 minutes —
// or, for a run too short to show four of those, the longest of 10, 5, 2 and 1 minutes, 30 and
// 10 seconds that gives four.
func RunInterval(asked, duration time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	for _, d := range []time.Duration{DefaultInterval, 10 * time.Minute, 5 * time.Minute, 2 * time.Minute, time.Minute, 30 * time.Second, 10 * time.Second} {
		if duration >= 4*d {
			return d
		}
	}
	return max(time.Second, duration/4)
}

// MaxRunIntervals is the most intervals a run plot draws: more than a plot can show, and a typo
// such as 1ms for 1m would take minutes of CPU to draw a solid bar.
const MaxRunIntervals = 2000

// CheckRunPlot says, before a run, whether DrawRunPlot can draw it: a .svg or .png file in a
// directory that exists, and an interval (0: the default) no longer than the run that gives at
// most MaxRunIntervals intervals.
func CheckRunPlot(path string, cfg core.Config, interval time.Duration) error {
	if _, err := PlotFormat(path); err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("--plot %s: the directory %s does not exist", path, dir)
		}
	}
	return checkRunInterval(cfg, interval)
}

// checkRunInterval refuses an interval (0: the default) longer than the run or that makes more
// than MaxRunIntervals intervals.
func checkRunInterval(cfg core.Config, interval time.Duration) error {
	if interval < 0 || interval > cfg.Duration {
		return fmt.Errorf("--interval %s: want a length between 0 and the run's %s", interval, cfg.Duration)
	}
	if n := (cfg.Duration + RunInterval(interval, cfg.Duration) - 1) / RunInterval(interval, cfg.Duration); n > MaxRunIntervals {
		least := (cfg.Duration + MaxRunIntervals - 1) / MaxRunIntervals
		return fmt.Errorf("--interval %s makes %d intervals of the run's %s; a plot shows at most %d: use %s or longer",
			interval, n, cfg.Duration, MaxRunIntervals, roundUpNice(least))
	}
	return nil
}

// roundUpNice rounds a duration up to a whole second, or minute from a minute on.
func roundUpNice(d time.Duration) time.Duration {
	unit := time.Second
	if d >= time.Minute {
		unit = time.Minute
	}
	return (d + unit - 1).Truncate(unit)
}

// DrawRunPlot draws the five panels of a run as an image of format ("svg" or "png",
// PlotFormat): customers waiting per queue (held ones included), busy agents per group, the
// service level of each interval's arrivals, the interactions lost and abandoned per interval,
// and the URS shares per interval (interval 0: the default, RunInterval). The caller writes it
// (cmd/ixlb checks and opens every file it writes in one place).
func DrawRunPlot(format string, cfg core.Config, interval time.Duration) ([]byte, error) {
	if err := checkRunInterval(cfg, interval); err != nil {
		return nil, err
	}
	interval = RunInterval(interval, cfg.Duration)
	s, err := sampleRun(cfg, interval)
	if err != nil {
		return nil, err
	}
	every := "per " + fmtInterval(interval) + " interval"
	depth := newPanel(cfg.Name+": customers waiting per queue (queued, in a URS, or held and not given up)", "customers waiting")
	depth.Y.Min, depth.Y.Max = 0, 1 // counts start at 0; the data widen the range
	busy := newPanel("agents busy per group", "agents busy")
	busy.Y.Min, busy.Y.Max = 0, 1
	sl := newPanel("service level "+every, slAxisLabel(cfg))
	sl.Y.Min, sl.Y.Max = 0, 100
	dmg := newPanel("lost and abandoned "+every, "interactions")
	dmg.Y.Min, dmg.Y.Max = 0, 1
	share := newPanel("URS share of each strategy's submissions "+every, "share of submissions (%)")
	share.Y.Min, share.Y.Max = 0, 100
	share.X.Label.Text = "virtual time (minutes)"
	panels := []*plot.Plot{depth, busy, sl, dmg, share}
	legends := make([]*plot.Legend, len(panels))
	for i := range legends {
		l := plot.NewLegend()
		l.Top, l.Left = true, true
		legends[i] = &l
	}
	addSeries(depth, legends[0], s.t, s.depth, false, 1, nil)
	addSeries(busy, legends[1], s.t, s.busy, false, 1, nil)
	addSeries(sl, legends[2], s.binT, s.sl, true, 100, func(q string) string {
		name := q
		if q == core.AllQueues {
			name = "all queues"
		}
		return name + " (in " + thresholdOf(cfg, q) + ")"
	})
	addSeries(dmg, legends[3], s.binT, s.damage, true, 1, nil)
	addSeries(share, legends[4], s.binT, s.share, true, 100, nil)
	ticks := timeTicks(cfg.Duration, interval)
	for i, p := range panels {
		p.X.Min, p.X.Max = 0, cfg.Duration.Minutes()
		p.X.Tick.Marker = ticks
		p.Y.Tick.Marker = niceTicks{}
		if p == depth || p == busy || p == dmg {
			p.Y.Tick.Marker = niceTicks{minStep: 1} // counts: whole interactions and agents
		}
		addMarkers(p, s.markers, i == 0)
	}
	return drawStacked(format, 11*vg.Inch, 14*vg.Inch, panels, legends, vg.Points(10))
}

// drawStacked draws panels one above the other with their x axes aligned, each legend beside its
// panel's data (never on it), and returns the picture.
func drawStacked(format string, w, h vg.Length, panels []*plot.Plot, legends []*plot.Legend, padY vg.Length) ([]byte, error) {
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	dc := draw.New(c)
	var lw vg.Length
	for _, l := range legends {
		r := l.Rectangle(dc)
		lw = max(lw, r.Max.X-r.Min.X+vg.Points(8))
	}
	area := draw.Crop(dc, 0, -lw-vg.Points(12), 0, 0)
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(rows, draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(6), PadY: padY}, area)
	for i, p := range panels {
		p.Draw(canvases[i][0])
		data := p.DataCanvas(canvases[i][0])
		legends[i].Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: area.Max.X + vg.Points(6), Y: data.Min.Y},
			Max: vg.Point{X: dc.Max.X - vg.Points(4), Y: data.Max.Y}}})
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// thresholds are the scenario's service-level thresholds as the report's figures name them
// (service.Q.threshold, in seconds), for the catalogue's labels.
func thresholds(cfg core.Config) core.Figures {
	th := cfg.ServiceLevel
	if th <= 0 {
		th = core.DefaultServiceLevel
	}
	figs := core.Figures{"service." + core.AllQueues + ".threshold": th.Seconds()}
	for _, q := range cfg.Queues {
		figs["service."+q.Name+".threshold"] = th.Seconds()
		if q.ServiceLevel > 0 {
			figs["service."+q.Name+".threshold"] = q.ServiceLevel.Seconds()
		}
	}
	return figs
}

// slAxisLabel is the service-level axis in the catalogue's words: "% answered in 30 s" when every
// queue has the same threshold, else "% answered in each queue's threshold".
func slAxisLabel(cfg core.Config) string {
	return core.DescribeFigure("service."+core.AllQueues+".service_level", thresholds(cfg)).AxisLabel()
}

// thresholdOf is a queue's service-level threshold as the catalogue writes it: "30 s"; for all
// queues, the scenario's when every queue has it, else "each queue's threshold".
func thresholdOf(cfg core.Config, queue string) string {
	return core.ThresholdText(thresholds(cfg), queue)
}

func fmtInterval(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) + " s"
}

// timeTicks put a labelled tick at every interval boundary (thinned to at most 13 labels, and
// only whole multiples of the interval), so an interval's point sits between two ticks.
func timeTicks(duration, interval time.Duration) plot.ConstantTicks {
	n := int((duration + interval - 1) / interval)
	every := (n + 11) / 12
	var ts plot.ConstantTicks
	for i := 0; i <= n; i++ {
		at := min(duration, time.Duration(i)*interval)
		label := ""
		edge := time.Duration(i)*interval <= duration
		switch {
		case edge && (i%every == 0 || at == duration):
			label = strconv.FormatFloat(at.Minutes(), 'g', 4, 64)
		case !edge:
			// The run's end between two edges is labelled too, unless it falls so close to the
			// last label that they would run together (7 min intervals of an hour: 56 and 60).
			last := time.Duration((i-1)-(i-1)%every) * interval
			if at-last >= time.Duration(every)*interval*2/3 {
				label = strconv.FormatFloat(at.Minutes(), 'g', 4, 64)
			}
		}
		ts = append(ts, plot.Tick{Value: at.Minutes(), Label: label})
		if at == duration {
			break
		}
	}
	return ts
}

func newPanel(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	return p
}

// addSeries adds one line per name (sorted, _all last) to the panel and its legend, values
// multiplied by scale (100: shares as percentages). NaN points (an interval without data) break
// the line rather than bridging it.
func addSeries(p *plot.Plot, legend *plot.Legend, xs []float64, series map[string][]float64, points bool, scale float64, label func(string) string) {
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
			cur = append(cur, plotter.XY{X: xs[k], Y: y * scale})
			p.Y.Max = max(p.Y.Max, y*scale)
		}
		if len(cur) > 0 {
			segs = append(segs, cur)
		}
		text := name
		if label != nil {
			text = label(name)
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
			var sc *plotter.Scatter
			if points {
				if sc, err = plotter.NewScatter(xys); err == nil {
					sc.Color = l.Color
					sc.Radius = vg.Points(2)
					p.Add(sc)
				}
			}
			if si == 0 {
				if sc != nil {
					legend.Add(text, l, sc)
				} else {
					legend.Add(text, l)
				}
			}
		}
	}
	// A little room above the highest value, so no line runs along the frame (shares and
	// service levels stop at 100%).
	if scale == 1 {
		p.Y.Max *= 1.05
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
	// Labels step down a row when the one before in that row would run into them: a label takes
	// about 5.5 points a character on a panel about 690 points wide.
	const rows = 6
	var rowEnd [rows]float64
	for i := range rowEnd {
		rowEnd[i] = math.Inf(-1)
	}
	span := p.X.Max - p.X.Min
	for i, m := range ms {
		l, err := plotter.NewLine(plotter.XYs{{X: m.t, Y: ymin}, {X: m.t, Y: ymax}})
		if err != nil {
			continue
		}
		l.Color = color.RGBA{R: 200, G: 30, B: 30, A: 255}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(l)
		row := i % rows
		if span > 0 {
			for r := range rowEnd {
				if rowEnd[r] <= m.t {
					row = r
					break
				}
			}
			rowEnd[row] = m.t + float64(len(m.label)+2)*5.5/690*span
		}
		lbl.XYs = append(lbl.XYs, plotter.XY{X: m.t, Y: ymax - (ymax-ymin)*0.07*float64(row)})
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
