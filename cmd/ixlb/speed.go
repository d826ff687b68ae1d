//go:build cgo

package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ixlb/ixlb/tui/live"
)

// maxSpeed is the fastest pace, in virtual seconds per wall-clock second: the console's :speed
// ceiling. Inf and 1e308 would hang at virtual time 0 (the target time overflows), NaN compares
// false with everything: a speed is a finite number in range, or refused.
const maxSpeed = live.MaxSpeed

// speedValue is a --speed flag: a number in (0, maxSpeed], or 0 too where zero means "as fast
// as possible" (ixlb run). Its errors say what is wrong and the valid range.
type speedValue struct {
	p         *float64
	allowZero bool
}

func newSpeedValue(p *float64, def float64, allowZero bool) *speedValue {
	*p = def
	return &speedValue{p: p, allowZero: allowZero}
}

func (v *speedValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v *speedValue) Type() string   { return "float" }

func (v *speedValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err != nil && !strings.Contains(err.Error(), "out of range"):
		return fmt.Errorf("%q is not a number: want %s", s, v.valid())
	case err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 || f > maxSpeed || (f == 0 && !v.allowZero):
		return fmt.Errorf("%s is out of range: want %s", s, v.valid())
	}
	*v.p = f
	return nil
}

func (v *speedValue) valid() string {
	if v.allowZero {
		return fmt.Sprintf("a speed factor from 0 (as fast as possible) to %d", maxSpeed)
	}
	return fmt.Sprintf("a speed factor greater than 0 and at most %d", maxSpeed)
}
