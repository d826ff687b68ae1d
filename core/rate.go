package core

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rates as people and Genesys write them: one parser for traffic rates (scenarios) and the
// max-submission-rate options (the engine, lint, the console's :set).

// MaxSubmissionRate is Genesys' ceiling on max-submission-rate, in submissions a second per URS:
// the option registry's bound, the engine's and lint's (rate-above-ceiling).
const MaxSubmissionRate = 1000

// RateSpellings lists the units a rate may be written in, for messages.
const RateSpellings = "N/s, N/sec, N/second, N/m, N/min, N/minute, N/h or N/hour"

var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
}

// rateNumberPattern is a plain decimal: digits with an optional fraction (no sign, exponent, NaN
// or Inf).
const rateNumberPattern = `([0-9]+(\.[0-9]*)?|\.[0-9]+)`

var rateNumber = regexp.MustCompile(`^` + rateNumberPattern + `$`)

// RatePattern is a regular expression (RE2 and ECMA-262 alike, for the JSON Schema) of the rates
// ParseRate reads with a unit: "N/UNIT", spaces around it allowed.
func RatePattern() string {
	units := make([]string, 0, len(rateUnits))
	for u := range rateUnits {
		units = append(units, u)
	}
	// Longest first, then alphabetical: the alternation reads as a list, and its order is fixed.
	slices.SortFunc(units, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return `^\s*` + rateNumberPattern + `/(` + strings.Join(units, "|") + `)\s*$`
}

// ParseRate reads "N/UNIT" (UNIT one of RateSpellings' units or their plurals, lower case, no
// spaces inside), or a bare N, as N and the unit's duration (per is 0 for a bare N). ok is false
// for anything else.
func ParseRate(v string) (n float64, per time.Duration, ok bool) {
	num, unit, slash := strings.Cut(strings.TrimSpace(v), "/")
	if !rateNumber.MatchString(num) {
		return 0, 0, false
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(n, 0) {
		return 0, 0, false
	}
	if !slash {
		return n, 0, true
	}
	per, ok = rateUnits[unit]
	return n, per, ok
}

// submissionRate reads a max-submission-rate value as submissions a second, without the ceiling:
// "10/second", "600/minute" (Genesys' spellings, s/sec/m/min too) or a bare number a second.
func submissionRate(v string) (float64, bool) {
	n, per, ok := ParseRate(v)
	switch {
	case !ok:
		return 0, false
	case per == 0:
		per = time.Second
	case per != time.Second && per != time.Minute:
		return 0, false // the option counts per second or per minute
	}
	return n / per.Seconds(), true
}

// ParseSubmissionRate reads max-submission-rate ("10/second", "600/minute" or a bare number a
// second; 0 disables, at most MaxSubmissionRate a second) as the least time between two
// submissions; 0 means no limit.
func ParseSubmissionRate(v string) (time.Duration, bool) {
	perSecond, ok := submissionRate(v)
	if !ok || perSecond > MaxSubmissionRate {
		return 0, false
	}
	if perSecond == 0 {
		return 0, true
	}
	gap := float64(time.Second) / perSecond
	if gap >= math.MaxInt64/2 {
		return 0, false // so slow the gap overflows (1e-300/second)
	}
	return time.Duration(gap), true
}

// RateAboveCeiling reports whether a max-submission-rate value is well formed but above Genesys'
// ceiling of MaxSubmissionRate a second (which the Interaction Server does not accept).
func RateAboveCeiling(v string) bool {
	perSecond, ok := submissionRate(v)
	return ok && perSecond > MaxSubmissionRate
}
