package tui

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/barchart"
	"github.com/charmbracelet/x/ansi"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// trendWindow is the charts' samples of the world shown (Frame.Samples: one a virtual second),
// oldest first. A column of a chart is a virtual second, whatever the speed or the refreshes.
type trendWindow struct {
	s []core.TrendSample
}

// take adds a frame's samples (a Reset frame's replace them) and reports whether any came.
func (w *trendWindow) take(f *live.Frame) bool {
	if f.Reset {
		w.s = w.s[:0]
	}
	if len(f.Samples) == 0 {
		return f.Reset
	}
	for _, s := range f.Samples {
		if n := len(w.s); n > 0 && w.s[n-1].T == s.T {
			w.s[n-1] = s // taken again: an operator acted at that whole second
			continue
		}
		w.s = append(w.s, s)
	}
	if n := len(w.s); n > live.TrendKeep {
		w.s = append(w.s[:0], w.s[n-live.TrendKeep:]...)
	}
	return true
}

// times are the instants that end each column: every sample but the first (which has no second
// before it).
func (w *trendWindow) times() []int64 {
	if len(w.s) < 2 {
		return nil
	}
	out := make([]int64, 0, len(w.s)-1)
	for _, s := range w.s[1:] {
		out = append(out, s.T)
	}
	return out
}

// ursRates are URS u's submissions in each virtual second, and whether it ran at its end.
func (w *trendWindow) ursRates(u int) ([]float64, []bool) {
	if len(w.s) < 2 {
		return nil, nil
	}
	rates := make([]float64, 0, len(w.s)-1)
	up := make([]bool, 0, len(w.s)-1)
	for i := 1; i < len(w.s); i++ {
		a, b := &w.s[i-1], &w.s[i]
		r := 0.0
		if u < len(a.URSSubmitted) && u < len(b.URSSubmitted) {
			r = float64(b.URSSubmitted[u]-a.URSSubmitted[u]) * float64(live.TrendEvery) / float64(b.T-a.T)
		}
		rates = append(rates, r)
		up = append(up, u < len(b.URSRunning) && b.URSRunning[u])
	}
	return rates, up
}

// levels are a figure of every sample (queued, agents busy), oldest first.
func (w *trendWindow) levels(of func(s *core.TrendSample) int64) []float64 {
	out := make([]float64, len(w.s))
	for i := range w.s {
		out[i] = float64(of(&w.s[i]))
	}
	return out
}

// Charts the operator would rather look at than read: horizontal bars of how requests spread
// over the servers of one target (is the load balanced?), and sparklines on a scale that one
// spike does not flatten, with markers where a URS stopped or started.

// barItem is one bar: a server and its requests.
type barItem struct {
	name    string
	value   int64
	stopped bool
}

// barRows draws one row per item: "  name  ██████▌      12  40%". The bars share the largest
// value, so equal load shows as equal bars; percentages are of the items' total.
func barRows(th *theme, w int, indent string, items []barItem) []row {
	if len(items) == 0 {
		return nil
	}
	nameW := 6
	var total, top int64
	for _, it := range items {
		nameW = max(nameW, width(it.name))
		if it.stopped {
			nameW = max(nameW, width(it.name)+2) // room for " ○" beside the name
		}
		total += it.value
		top = max(top, it.value)
	}
	nameW = min(nameW, max(6, w/3))
	numW := 12 // " 12.3k  100%"
	barW := w - width(indent) - nameW - 1 - numW
	if barW < 4 {
		return nil
	}
	b := barchart.New(barW, len(items), barchart.WithHorizontalBars(), barchart.WithNoAxis())
	b.AutoBarWidth, b.AutoMaxValue = false, false
	b.SetBarWidth(1)
	b.SetBarGap(0)
	b.SetMax(float64(max(top, 1)))
	data := make([]barchart.BarData, len(items))
	for i, it := range items {
		data[i] = barchart.BarData{Values: []barchart.BarValue{{Value: float64(it.value)}}}
	}
	b.PushAll(data)
	b.Draw()
	lines := strings.Split(b.View(), "\n")
	out := make([]row, 0, len(items))
	for i, it := range items {
		bar := ""
		if i < len(lines) {
			bar = fit(lines[i], barW)
		}
		pct := "  –"
		if total > 0 {
			pct = fitR(strconv.FormatInt(it.value*100/total, 10)+"%", 5)
		}
		num := fitR(count(it.value), numW-6) + " " + pct
		name := fit(it.name, nameW)
		bp := th.accent
		if it.stopped {
			bp, name = th.dim, fit(fit(it.name, nameW-2)+" ○", nameW)
		}
		plain := indent + name + " " + bar + num
		out = append(out, row{plain: fit(plain, w), text: indent + name + " " + bp.s(bar) + th.dim.s(num)})
	}
	return out
}

// robustTop is the top of a sparkline scale: the 95th percentile of the values (at least lo),
// so that a single spike is drawn clipped instead of flattening everything else. clipped says
// some value is above it.
func robustTop(values []float64, lo float64) (top float64, clipped bool) {
	if len(values) == 0 {
		return lo, false
	}
	s := slices.Clone(values)
	slices.Sort(s)
	p := s[int(math.Ceil(0.95*float64(len(s))))-1]
	top = max(p*1.1, lo)
	return top, s[len(s)-1] > top
}

// withMarks overlays ▼ where the URS stopped and ▲ where it started on a drawn sparkline
// (running holds the state at each value, newest right, aligned with the sparkline's tail).
func withMarks(th *theme, line string, w int, running []bool) string {
	if len(running) > w {
		running = running[len(running)-w:]
	}
	off := w - len(running)
	marks := map[int]rune{}
	for i := 1; i < len(running); i++ {
		switch {
		case running[i-1] && !running[i]:
			marks[off+i] = '▼'
		case !running[i-1] && running[i]:
			marks[off+i] = '▲'
		}
	}
	if len(marks) == 0 {
		return line
	}
	cells := []rune(ansi.Strip(line))
	var b strings.Builder
	run := 0
	flush := func(i int) {
		if i > run {
			b.WriteString(th.accent.s(string(cells[run:i])))
		}
	}
	for i := range cells {
		if m, ok := marks[i]; ok {
			flush(i)
			p := th.ok
			if m == '▼' {
				p = th.bad
			}
			b.WriteString(p.s(string(m)))
			run = i + 1
		}
	}
	flush(len(cells))
	return b.String()
}
