package study

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// Every swept value has a tick labelled as written, and the axis leaves half a step either side so
// no marker sits on the frame.
func TestXAxisTicksEveryValue(t *testing.T) {
	pos, ticks, lo, hi := xAxis([]string{"40", "42", "45", "48"})
	if lo != 39 || hi != 49 {
		t.Errorf("range %v…%v, want 39…49 (half the smallest step beyond the ends)", lo, hi)
	}
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	if strings.Join(labels, " ") != "40 42 45 48" || pos["45"] != 45 {
		t.Errorf("ticks %q", labels)
	}
	// Values that are not numbers are placed in their order.
	pos, ticks, _, _ = xAxis([]string{"fast", "slow"})
	if pos["slow"] != 1 || ticks[1].Label != "slow" {
		t.Errorf("nominal values: %v %v", pos, ticks)
	}
	// Rates read by their number.
	if pos, _, _, _ := xAxis([]string{"1/s", "2/s"}); pos["2/s"] != 2 {
		t.Errorf("rates: %v", pos)
	}
}

// tickLabels are the labelled ticks' labels, joined by blanks.
func tickLabels(ts []plot.Tick) string {
	var labels []string
	for _, tk := range ts {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	return strings.Join(labels, " ")
}

func TestTicks(t *testing.T) {
	cases := []struct {
		what  string
		ticks []plot.Tick
		want  string
	}{
		{"72.3…97.8", niceTicks{}.Ticks(72.3, 97.8), "75 80 85 90 95"},
		{"log 2.2…13", logTicks{}.Ticks(2.2, 13), "3 4 5 6 7 8 9 10"},
		{"counts 0…1.6 (no tick at 0.2 interactions)", niceTicks{minStep: 1}.Ticks(0, 1.6), "0 1"},
		{"1 h in 7 min (the end, 60, not labelled beside 56)", timeTicks(time.Hour, 7*time.Minute), "0 7 14 21 28 35 42 49 56"},
		{"log 0.55…4", logTicks{}.Ticks(0.55, 4), "0.6 0.7 0.8 0.9 1 2 3 4"},
	}
	for _, c := range cases {
		if got := tickLabels(c.ticks); got != c.want {
			t.Errorf("%s: %q, want %q", c.what, got, c.want)
		}
	}
}

// attack 16, B11 and B13: a log axis with a 0 in the data panicked inside gonum ("Values must be
// greater than 0 for a log scale"); a sweep with several lines drew the target but marked no
// line's fewest value meeting it.
func TestSweepPlotZerosAndSeveralLines(t *testing.T) {
	dir := t.TempDir()
	axes := []Axis{{Path: "agent_groups.Chat.agents", Values: []string{"40", "44", "48"}}, {Path: "traffic.0.patience", Values: []string{"30s", "10m"}}}
	var vs []VariantSummary
	for i, n := range axes[0].Values {
		for j, p := range axes[1].Values {
			k := float64(i)
			vs = append(vs, VariantSummary{Variant: 2*i + j, Set: map[string]string{axes[0].Path: n, axes[1].Path: p}, Runs: 5, Figures: map[string]Summary{
				"interactions.lost":         {N: 5},
				"service._all.abandon_rate": {N: 5, Mean: [2]float64{0.1, 0.05}[j] - 0.02*k, CI95: 0.005},
				"service._all.asa":          {N: 5, Mean: [2]float64{4, 20}[j] - [2]float64{0.5, 8}[j]*k, CI95: 0.2},
				"service._all.wait_p90":     {N: 5, Mean: 3, CI95: 0.1},
			}})
		}
	}
	vs[0].Figures["service._all.wait_p90"] = Summarize([]float64{math.NaN(), math.NaN()}) // nobody answered
	// Every value 0: refused with a message, not a panic.
	_, err := plotTo(filepath.Join(dir, "lost.png"), func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: "interactions.lost", LogY: true}, axes, vs)
	})
	if err == nil || !strings.Contains(err.Error(), "--log-y: no value of interactions: lost is above 0") {
		t.Errorf("all zeros on a log axis: %v", err)
	}
	// Some 0: drawn without them, and said.
	for i := range vs {
		if vs[i].Set[axes[0].Path] == "48" {
			vs[i].Figures["service._all.abandon_rate"] = Summary{N: 5}
		}
	}
	target := mustTargets(t, "service._all.abandon_rate<=0.05")[0]
	notes, err := plotTo(filepath.Join(dir, "ab.svg"), func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: target.Path, Target: &target, LogY: true}, axes, vs)
	})
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "2 points are 0 or less, which a logarithmic axis cannot show") {
		t.Errorf("zeros on a log axis: %v %q", err, notes)
	}
	// Undefined points are left out and said.
	notes, err = plotTo(filepath.Join(dir, "p90.png"), func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: "service._all.wait_p90"}, axes, vs)
	})
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "undefined in every run") {
		t.Errorf("undefined points: %v %q", err, notes)
	}
	// One mark per line: 30 s patience meets ASA ≤ 5 at 40, 10 min at 48.
	asa := mustTargets(t, "asa<=5")[0]
	svg := filepath.Join(dir, "asa.svg")
	if _, err := plotTo(svg, func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: asa.Path, Target: &asa}, axes, vs)
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(svg)
	for _, want := range []string{"traffic.0.patience=30s: fewest meeting the target: 40", "traffic.0.patience=10m: fewest meeting the target: 48"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("sweep plot lacks %q", want)
		}
	}
}

// attack 16, B17: traffic entries are numbered from 1 wherever a person reads them (load errors,
// lint, compare, plot labels); only paths (--set traffic.0.rate) index the list from 0.
func TestTrafficNumberedFromOne(t *testing.T) {
	if got := ParamLabel("traffic.0.patience"); got != "traffic 1: patience" {
		t.Errorf("x label %q", got)
	}
	src, err := scenarios.Source("service-level")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), "queue: chat_in, rate: 36/m", "queue: chat_in, rate: 36/m, bogus: 1", 1)
	_, err = scenarios.Parse("bad.yaml", []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "traffic 1") {
		t.Errorf("load error on the first entry: %v", err)
	}
	a, _ := scenarios.Parse("a.yaml", src)
	b, _ := scenarios.Parse("b.yaml", []byte(strings.Replace(string(src), "rate: 36/m", "rate: 38/m", 1)))
	if d := TrafficDifferences(a.Config, b.Config); len(d) != 1 || !strings.Contains(d[0], "traffic 1 (traffic.0) differs") {
		t.Errorf("compare on the first entry: %q", d)
	}
}

func TestRunInterval(t *testing.T) {
	cases := []struct{ asked, duration, want time.Duration }{
		{0, time.Hour, 15 * time.Minute},
		{0, 8 * time.Hour, 15 * time.Minute},
		{0, 30 * time.Minute, 5 * time.Minute},
		{0, 4 * time.Minute, time.Minute},
		{0, 20 * time.Second, 5 * time.Second},
		{30 * time.Minute, time.Hour, 30 * time.Minute},
	}
	for _, c := range cases {
		if got := RunInterval(c.asked, c.duration); got != c.want {
			t.Errorf("RunInterval(%s, %s) = %s, want %s", c.asked, c.duration, got, c.want)
		}
	}
}

func TestFewestMeeting(t *testing.T) {
	pts := []curvePoint{{36, Summary{N: 10, Mean: 0.75, CI95: 0.02}}, {38, Summary{N: 10, Mean: 0.81, CI95: 0.02}}, {40, Summary{N: 10, Mean: 0.83, CI95: 0.02}}}
	if x, ok := fewestMeeting(pts, mustTargets(t, "a.b>=0.8")[0]); !ok || x != 40 {
		t.Errorf("fewest meeting ≥ 0.8 with 95%% confidence: %v %v, want 40 (38's interval reaches 0.79)", x, ok)
	}
	if _, ok := fewestMeeting(pts, mustTargets(t, "a.b>=0.9")[0]); ok {
		t.Error("none meets 0.9")
	}
}

// A sweep plot and a staffing plot are PNGs a person can read, labelled from the catalogue.
func TestPlotsRender(t *testing.T) {
	dir := t.TempDir()
	axes := []Axis{{Path: "agent_groups.Chat.agents", Values: []string{"40", "42", "45"}}}
	var vs []VariantSummary
	for i, v := range axes[0].Values {
		vs = append(vs, VariantSummary{Variant: i, Set: map[string]string{axes[0].Path: v}, Runs: 4, Figures: map[string]Summary{
			"service._all.service_level": {N: 4, Mean: 0.7 + 0.05*float64(i), CI95: 0.02},
			"service._all.threshold":     {N: 4, Mean: 30},
			"service._all.asa":           {N: 4, Mean: 20 - 5*float64(i), CI95: 1},
		}})
	}
	target := mustTargets(t, "service._all.service_level>=0.75")[0]
	svg := filepath.Join(dir, "sweep.svg")
	if _, err := plotTo(svg, func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: "service._all.service_level", Target: &target}, axes, vs)
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(svg)
	for _, want := range []string{"% answered in 30 s", "agents in Chat", "target ≥ 75.0%", "fewest meeting the target: 45", ">42<"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("sweep plot lacks %q", want)
		}
	}
	if _, err := plotTo(filepath.Join(dir, "asa.png"), func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: "service._all.asa", LogY: true}, axes, vs)
	}); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, filepath.Join(dir, "asa.png"))
	if _, err := plotTo(filepath.Join(dir, "x.png"), func(f string) ([]byte, []string, error) {
		return DrawSweepPlot(f, SweepPlot{Figure: "service._all.asaa"}, axes, vs)
	}); err == nil || !strings.Contains(err.Error(), `did you mean "service._all.asa"`) {
		t.Errorf("unknown figure: %v", err)
	}

	sc := mmcScenario(t, "mmc", "4h", "")
	res, err := Staff(sc, StaffOptions{Group: "Agents", Targets: mustTargets(t, "service._all.service_level>=0.8", "asa<=60"), Seeds: 4, Around: 3})
	if err != nil {
		t.Fatal(err)
	}
	staffPNG := filepath.Join(dir, "staff.png")
	if _, err := plotTo(staffPNG, func(f string) ([]byte, []string, error) { return DrawStaffPlot(f, res, 3, false) }); err != nil {
		t.Fatal(err)
	}
	if img := decodePNG(t, staffPNG); img.Dy() < 2*img.Dx()/3 {
		t.Errorf("two panels in a %v image", img)
	}
	staffSVG := filepath.Join(dir, "staff.svg")
	if _, err := plotTo(staffSVG, func(f string) ([]byte, []string, error) { return DrawStaffPlot(f, res, 3, false) }); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(staffSVG)
	for _, want := range []string{"agents in Agents", "fewest meeting every target", "ASA (seconds)", "% answered in 20 s"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("staff plot lacks %q", want)
		}
	}
}

func TestRunPlotIntervals(t *testing.T) {
	sc, err := scenarios.Open("service-level")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		interval time.Duration
		want     string
	}{{0, "per 15 min interval"}, {30 * time.Minute, "per 30 min interval"}} {
		p := filepath.Join(dir, "run.svg")
		if err := runPlotTo(p, sc.Config, c.interval); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		for _, want := range []string{c.want, "chat_vip (in 10 s)", "all queues (in each queue&#39;s threshold)", "share of submissions (%)", "stop URS_1", "lost and abandoned " + c.want, "held and not given up"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("--interval %s: run plot lacks %q", c.interval, want)
			}
		}
	}
	if err := runPlotTo(filepath.Join(dir, "x.svg"), sc.Config, 2*time.Hour); err == nil {
		t.Error("an interval longer than the run is accepted")
	}
	if err := runPlotTo(filepath.Join(dir, "x.pdf"), sc.Config, 0); err == nil || !strings.Contains(err.Error(), "want a .svg or .png") {
		t.Errorf("a .pdf: %v", err)
	}
}

func decodePNG(t *testing.T, path string) image.Rectangle {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 400 {
		t.Errorf("%s is %v: too small to read", path, b)
	}
	return b
}

// plotTo draws with draw in path's format and writes the image to path, as ixlb does.
func plotTo(path string, draw func(format string) ([]byte, []string, error)) ([]string, error) {
	format, err := PlotFormat(path)
	if err != nil {
		return nil, err
	}
	b, notes, err := draw(format)
	if err != nil {
		return nil, err
	}
	return notes, os.WriteFile(path, b, 0o644)
}

// runPlotTo is plotTo for a run's plot.
func runPlotTo(path string, cfg core.Config, interval time.Duration) error {
	_, err := plotTo(path, func(f string) ([]byte, []string, error) {
		b, err := DrawRunPlot(f, cfg, interval)
		return b, nil, err
	})
	return err
}
