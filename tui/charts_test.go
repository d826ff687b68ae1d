package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// One spike does not flatten the scale: the 95th percentile sets it, the spike is clipped.
func TestRobustTop(t *testing.T) {
	vals := make([]float64, 100)
	for i := range vals {
		vals[i] = 2
	}
	vals[50] = 500
	top, clipped := robustTop(vals, 1)
	if top > 3 || !clipped {
		t.Fatalf("top %v clipped %v: the spike sets the scale", top, clipped)
	}
	if top, clipped := robustTop([]float64{0, 0, 0}, 1); top != 1 || clipped {
		t.Fatalf("all zero: top %v clipped %v", top, clipped)
	}
}

// Bars are proportional to requests, on the largest; a stopped server is marked.
func TestBarRows(t *testing.T) {
	th := newTheme()
	rows := barRows(th, 60, "  ", []barItem{{"ClassSrv_1", 100, false}, {"ClassSrv_2", 50, false}, {"ClassSrv_3", 0, true}})
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	full := strings.Count(rows[0].plain, "█")
	half := strings.Count(rows[1].plain, "█")
	if full < 20 || half < full/2-1 || half > full/2+1 {
		t.Fatalf("bars %d and %d:\n%s\n%s", full, half, rows[0].plain, rows[1].plain)
	}
	if !strings.Contains(rows[0].plain, "66%") || !strings.Contains(rows[2].plain, "○") || strings.Contains(rows[2].plain, "█") {
		t.Fatalf("rows:\n%s\n%s\n%s", rows[0].plain, rows[1].plain, rows[2].plain)
	}
	for _, r := range rows {
		if width(r.plain) != 60 || ansi.StringWidth(r.text) != 60 {
			t.Fatalf("width %d/%d: %q", width(r.plain), ansi.StringWidth(r.text), r.plain)
		}
	}
	if barRows(th, 20, "  ", []barItem{{"a-long-server-name", 1, false}}) != nil {
		t.Fatal("bars drawn with no room for them")
	}
}

// The Routing pane's sparklines show ▼ where a URS stopped and ▲ where it started again.
func TestSparklineMarkers(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	for i := 0; i < 10; i++ {
		h.step(time.Second)
	}
	h.command("stop! URS_1")
	for i := 0; i < 5; i++ {
		h.step(time.Second)
	}
	h.wantView("▼")
	h.command("start URS_1")
	h.step(time.Second)
	h.wantView("▲")
	h.wantView("▼ stop ▲ start")
}

// Requests per server of each target and per DAP are drawn as bars.
func TestRequestBars(t *testing.T) {
	h := newHarness(t, seedConfig(), 200, 60)
	h.step(30 * time.Second)
	h.wantView("Requests by target")
	h.wantView("Requests per DAP")
	v := h.view()
	for _, name := range []string{"ClassSrv_1 █", "ClassSrv_2 █", "DAP_1  █", "DAP_2  █"} {
		if !strings.Contains(v, name) {
			t.Fatalf("no bar for %q:\n%s", name, v)
		}
	}
	h.keys("4")
	h.wantView("agents busy")
}

// enter on a cluster row folds it (▸, members hidden) and unfolds it (▾).
func TestClusterFolds(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys("2") // the cluster row is selected
	h.wantView("▾ FaxCluster")
	before := strings.Count(h.view(), "FaxSrv_1")
	h.keys("enter")
	h.wantView("▸ FaxCluster")
	if n := strings.Count(h.view(), "FaxSrv_1"); n != before-1 {
		t.Fatalf("FaxSrv_1 shown %d times folded, %d unfolded", n, before)
	}
	h.keys("enter")
	h.wantView("▾ FaxCluster")
}
