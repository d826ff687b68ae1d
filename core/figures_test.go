package core

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// jsonNumbers flattens the report's JSON form, independently of Figures: the paths users read
// in `ixlb run --json` are the paths Figures gives.
func jsonNumbers(t *testing.T, r *Report) map[string]float64 {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case float64:
			out[prefix] = v
		case map[string]any:
			for k, x := range v {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
		}
	}
	walk("", doc)
	return out
}

func seedReport(t *testing.T) *Report {
	t.Helper()
	e, err := New(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(seedConfig().Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFiguresAreTheReportsNumbers(t *testing.T) {
	r := seedReport(t)
	got, want := r.Figures(), jsonNumbers(t, r)
	if len(got) != len(want) || len(got) < 50 {
		t.Errorf("%d figures, the JSON has %d numbers", len(got), len(want))
	}
	undefined := 0
	for k, v := range want {
		g, ok := got[k]
		if ok && math.IsNaN(g) {
			// Undefined: the JSON keeps the contract's number 0 and names it in its section's list.
			i := strings.LastIndex(k, ".")
			sec := r.Service[strings.TrimPrefix(k[:i], "service.")]
			if v != 0 || !strings.HasPrefix(k, "service.") || !slices.Contains(sec.Undefined, k[i+1:]) {
				t.Errorf("%s: Figures undefined, JSON %v, its section's undefined list %v", k, v, sec.Undefined)
			}
			undefined++
			continue
		}
		if !ok || g != v {
			t.Errorf("%s: Figures %v (present %v), JSON %v", k, g, ok, v)
		}
	}
	if undefined == 0 {
		t.Error("the seed example's fax queue has no touched interaction: its touched ASA should be undefined")
	}
	for _, k := range []string{"service._all.service_level", "service.email_in.asa", "occupancy.Sales", "routing.C.URS_2", "esp.FaxCluster.FaxSrv_1", "interactions.submitted"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no figure %s", k)
		}
	}
	if (*Report)(nil).Figures() == nil {
		t.Error("a nil report has no figures, not a nil map")
	}
}

func TestReportShape(t *testing.T) {
	sh := ReportShape()
	cases := []struct {
		path string
		kind ShapeKind
		nil  bool
	}{
		{"service", ShapeNames, false},
		{"service.anything.asa", ShapeNumber, false},
		{"routing.S.URS_1", ShapeNumber, false},
		{"interactions.database", ShapeText, false},
		{"interactions", ShapeObject, false},
		{"interactions.nope", 0, true},
		{"seed.x", 0, true},
	}
	for _, c := range cases {
		got := sh.At(strings.Split(c.path, "."))
		if (got == nil) != c.nil || (got != nil && got.Kind != c.kind) {
			t.Errorf("%s: %+v, want kind %d (nil %v)", c.path, got, c.kind, c.nil)
		}
	}
	// Every figure of a real report is a number of the shape.
	for k := range seedReport(t).Figures() {
		if s := sh.At(strings.Split(k, ".")); s == nil || s.Kind != ShapeNumber {
			t.Errorf("figure %s is not a number in the shape", k)
		}
	}
}

func TestCatalogueLabelsEveryFigure(t *testing.T) {
	cfg := seedConfig()
	cfg.ServiceLevel = 30e9
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	r, _ := e.Report()
	figs := r.Figures()
	for k := range figs {
		if f := DescribeFigure(k, figs); f.Label == k || f.Label == "" || strings.Contains(f.Label, "{") {
			t.Errorf("%s: not catalogued: %+v", k, f)
		}
	}
	sl := DescribeFigure("service._all.service_level", figs)
	if sl.Title() != "all queues: % answered in 30 s" || sl.AxisLabel() != "% answered in 30 s" || sl.Kind != KindShare {
		t.Errorf("service level: %+v (%q)", sl, sl.Title())
	}
	if asa := DescribeFigure("service.email_in.asa", figs); asa.AxisLabel() != "ASA (seconds)" || asa.Scope != "email_in" {
		t.Errorf("ASA: %+v", asa)
	}
	if sh := DescribeFigure("urs_share.C.URS_1", figs); sh.Scope != "C → URS_1" || sh.Kind != KindShare {
		t.Errorf("URS share: %+v", sh)
	}
	if l := DescribeFigure("interactions.lost_open", nil); l.Title() != "interactions: lost, still open in another database" || l.Kind != KindCount {
		t.Errorf("interactions.lost_open: %+v", l)
	}
	if u := DescribeFigure("nothing.known", nil); u.Label != "nothing.known" {
		t.Errorf("an unknown path is its own label: %+v", u)
	}
}

// Numbers read alike in every table: the half-width to two significant digits and the mean to the
// same decimal place, shares in percent and their differences in points.
func TestFigureFormats(t *testing.T) {
	count := FigureInfo{Kind: KindCount}
	share := FigureInfo{Kind: KindShare}
	secs := FigureInfo{Kind: KindSeconds}
	cases := []struct{ got, want string }{
		{count.FormatCI(33990.4, 79.87), "33990 ± 80"},
		{count.FormatCI(25478, 193.9), "25478 ± 194"},
		{count.FormatCI(2.45, 0.8915), "2.45 ± 0.89"},
		{count.FormatCI(2157, 0), "2157"},
		{count.Format(2.5), "2.50"},
		{share.FormatCI(0.9257, 0.006972), "92.57 ± 0.70%"},
		{share.FormatCI(0.9257, 0.0312), "92.6 ± 3.1%"},
		{share.Format(0.943), "94.3%"},
		{share.FormatDiff(0.02846, 0.003381), "+2.85 ± 0.34 pts"},
		{secs.FormatCI(5.096, 0.4093), "5.10 ± 0.41"},
		{secs.FormatDiff(-1.61, 0.2031), "-1.61 ± 0.20"},
		{secs.Format(63.58), "63.6"},
		{count.FormatDiff(0, 0), "+0"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if d := ciDecimals(math.NaN()); d != 1 {
		t.Errorf("NaN half-width: %d decimals", d)
	}
}

// attack 16, B12: all queues count each interaction against its own queue's threshold, so when
// the queues' differ the label says so instead of the scenario's default ("in 20 s").
func TestAllQueuesThresholdLabel(t *testing.T) {
	same := Figures{"service._all.threshold": 20, "service.q1.threshold": 20, "service.q2.threshold": 20}
	if got := DescribeFigure("service._all.service_level", same).Title(); got != "all queues: % answered in 20 s" {
		t.Errorf("same thresholds: %q", got)
	}
	differ := Figures{"service._all.threshold": 20, "service.q1.threshold": 20, "service.q2.threshold": 60}
	if got := DescribeFigure("service._all.service_level", differ).Title(); got != "all queues: % answered in each queue's threshold" {
		t.Errorf("thresholds 20 s and 60 s: %q", got)
	}
	if got := DescribeFigure("service.q2.service_level", differ).Title(); got != "q2: % answered in 60 s" {
		t.Errorf("a queue's own: %q", got)
	}
}
