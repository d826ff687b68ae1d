package core

import (
	"regexp"
	"testing"
	"time"
)

// One parser for rates: traffic (any unit, named) and max-submission-rate (per second or per
// minute, or a bare number a second, at most MaxSubmissionRate a second).
func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		v   string
		n   float64
		per time.Duration
		ok  bool
	}{
		{"2/s", 2, time.Second, true}, {"600/minute", 600, time.Minute, true}, {"2000/hour", 2000, time.Hour, true},
		{".5/sec", 0.5, time.Second, true}, {" 7 ", 7, 0, true}, {"120/minutes", 120, time.Minute, true},
		{"2/S", 0, 0, false}, {"2 /s", 0, 0, false}, {"1e3/s", 0, 0, false}, {"-1/s", 0, 0, false},
		{"NaN/second", 0, 0, false}, {"Inf/second", 0, 0, false}, {"2/d", 0, 0, false}, {"/s", 0, 0, false},
	} {
		n, per, ok := ParseRate(c.v)
		if ok != c.ok || ok && (n != c.n || per != c.per) {
			t.Errorf("ParseRate(%q) = %v %v %v, want %v %v %v", c.v, n, per, ok, c.n, c.per, c.ok)
		}
	}
	// The audit's case: 2000/hour is about 0.56 a second, not above the ceiling; the option does
	// not count per hour, so it is not a valid max-submission-rate either (bad-option-value).
	for v, above := range map[string]bool{"1001/second": true, "60001/minute": true, "1000/second": false,
		"60000/minute": false, "2000/hour": false, "5000": true, "fast": false} {
		if got := RateAboveCeiling(v); got != above {
			t.Errorf("RateAboveCeiling(%q) = %v, want %v", v, got, above)
		}
	}
	if _, ok := ParseSubmissionRate("2000/hour"); ok {
		t.Error("max-submission-rate 2000/hour accepted: the option counts per second or per minute")
	}
	for _, o := range []Opt{OptMaxSubmissionRate, OptDefaultMaxSubmissionRate} {
		if max := o.Spec().Max; max != MaxSubmissionRate {
			t.Errorf("the registry's ceiling of %s %v is not MaxSubmissionRate", o, max)
		}
	}
}

// The JSON Schema's rate pattern accepts exactly the rates with a unit that ParseRate reads.
func TestRatePattern(t *testing.T) {
	re := regexp.MustCompile(RatePattern())
	for _, v := range []string{"2/s", " 2/s ", "600/minute", "2000/hour", ".5/sec", "7", "2/S", "2 /s", "1e3/s",
		"-1/s", "NaN/second", "2/d", "/s", "3/hrs", "4/mins", "1./h", "1/fortnight"} {
		_, per, ok := ParseRate(v)
		if want := ok && per > 0; re.MatchString(v) != want {
			t.Errorf("%q: pattern matches %v, ParseRate reads it with a unit %v", v, !want, want)
		}
	}
}
