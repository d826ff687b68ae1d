package core

import (
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// The wait histogram's percentiles against the exact nearest-rank percentiles of the same waits:
// to the millisecond below 1.024 s, within 0.1% above, whatever the waits (from none to days).
func TestWaitHistPercentiles(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 2000).Draw(t, "n")
		scale := rapid.IntRange(0, 45).Draw(t, "scale") // waits up to 2^scale ns
		waits := make([]int64, n)
		h := &waitHist{}
		for i := range waits {
			w := rapid.Int64Range(0, int64(1)<<rapid.IntRange(0, scale).Draw(t, "octave")).Draw(t, "wait")
			waits[i] = w
			h.add(w)
		}
		slices.Sort(waits)
		ps := []float64{0.01, 0.5, 0.9, 0.99, 1}
		got := make([]float64, len(ps))
		h.quantiles(ps, got)
		for k, p := range ps {
			exact := float64(waits[max(1, int(math.Ceil(p*float64(n)-1e-9)))-1]) / 1e9
			tol := 0.001 * exact // 0.1%
			if exact < 1.024 {
				tol = 0.001 // the millisecond it falls in
			}
			if math.Abs(got[k]-exact) > tol+1e-12 {
				t.Fatalf("p%g of %d waits: %v s, exact %v s (allowed ±%v)", 100*p, n, got[k], exact, tol)
			}
		}
	})
}

// Waits that all take the same few milliseconds read as exactly that: no half-bin artefacts.
func TestWaitHistExactBelowOneSecond(t *testing.T) {
	h := &waitHist{}
	for i := 0; i < 60; i++ {
		h.add(3_000_000) // 3 ms: the fixed delay of an interaction that never queued
	}
	for i := 0; i < 40; i++ {
		h.add(int64(i+1) * 1_000_000_000)
	}
	got := make([]float64, 4)
	h.quantiles([]float64{0.5, 0.6, 0.61, 0.9}, got)
	want := []float64{0.003, 0.003, 1, 30}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 0.001*want[i] {
			t.Errorf("quantile %d: %v, want %v", i, got[i], want[i])
		}
	}
	if p50, _, _ := (&waitHist{}).percentiles(); p50 != 0 {
		t.Errorf("no waits: %v", p50)
	}
}
