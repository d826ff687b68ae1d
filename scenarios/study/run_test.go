package study

import (
	"errors"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// guardCount is a Guard that counts the slices it was asked after.
type guardCount struct{ n int }

func (g *guardCount) Check(*core.Engine) error { g.n++; return nil }

// RunOne reaches the end of a run of the longest allowed duration. (Its slices ended at
// end*i/200, which overflowed int64 past about 1280 days: an 87600h run stopped short.)
func TestRunOneReachesTheEndOfTheLongestRun(t *testing.T) {
	sc := mmcScenario(t, "ten-years", "87600h", "")
	sc.Config.Traffic[0].Rate = 1.0 / 3600 // one an hour: about 87,600 arrivals
	r, err := RunOne(Run{Config: sc.Config, Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Figures["interactions.submitted"]
	if got < 86_000 || got > 89_000 {
		t.Fatalf("%v submitted over ten years at one an hour, want about 87,600", got)
	}
}

// A study's run stops on Halted between events, inside a slice, not only between slices: the
// engine asks it as it goes (core.WithInterrupt). Here Halted says stop on its second question,
// which comes inside the first slice: that slice never ends (the guard, asked after each slice,
// is never asked).
func TestRunOneHaltsInsideASlice(t *testing.T) {
	sc := mmcScenario(t, "busy", "8h", "")
	sc.Config.Traffic[0].Rate = 50 // a second: thousands of events in each of the 200 slices
	asked := 0
	g := &guardCount{}
	_, err := RunOne(Run{Config: sc.Config, Seed: 1}, Options{Guard: g, Halted: func() bool { asked++; return asked >= 2 }})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err %v, want ErrInterrupted", err)
	}
	if g.n != 0 {
		t.Fatalf("%d slices ended before the run stopped, want it stopped inside the first", g.n)
	}
}
