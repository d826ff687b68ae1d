package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The one registry of the Genesys options ixlb reads (GENESYS-NOTES.md "Interaction Server
// options", "Submission limits, precisely", "Agent reservation"). The engine reads options through
// it, lint validates with it and the console completes and validates `:set` from it, so an option's
// name, place, range and default are spelled once.

// OptionKind is how an option's value is written.
type OptionKind uint8

// The kinds of option values.
const (
	KindBool     OptionKind = iota + 1 // true/false (also yes/no, 1/0, on/off)
	KindDuration                       // a Go duration ("30s") or a bare number in the option's Unit
	KindInt                            // a whole number
	KindRate                           // "10/second", "600/minute" or a bare number per second
)

func (k OptionKind) String() string {
	switch k {
	case KindBool:
		return "boolean"
	case KindDuration:
		return "duration"
	case KindInt:
		return "integer"
	case KindRate:
		return "rate"
	}
	return "unknown"
}

// Placeholders in OptionSpec.Section and OptionSpec.Name for names taken from the configuration.
const (
	// SectionIS stands for a URS Annex section named after an Interaction Server (Genesys puts
	// per-URS limits there).
	SectionIS = "<InteractionServer>"
	// NameURS stands for a RoutingServer's application name (the IS Annex agent_reservation
	// section has one option per participating URS).
	NameURS = "<RoutingServer>"
)

// OptionSpec describes one option: where it lives (application type, Options tab or Annex,
// section, name), how its value is written, its range and its default.
type OptionSpec struct {
	App     AppType
	Annex   bool
	Section string // or SectionIS
	Name    string // or NameURS
	Kind    OptionKind
	// Unit is the unit of a bare number (KindDuration); Min and Max bound the value in that unit
	// (KindDuration, KindInt) or in submissions a second (KindRate). Max 0 means unbounded.
	Unit     time.Duration
	Min, Max float64
	Default  string
	Doc      string
}

// OptionSpecs is every option ixlb reads, in the order a reference would list them.
var OptionSpecs = []OptionSpec{
	{App: TypeInteractionServer, Section: "settings", Name: "delivering-timeout", Kind: KindDuration,
		Unit: time.Second, Min: 1, Max: 86400, Default: "30",
		Doc: "time for the agent to accept; otherwise revoked and returned to the queue"},
	{App: TypeInteractionServer, Section: "settings", Name: "routing-timeout", Kind: KindDuration,
		Unit: time.Minute, Min: 20, Max: 525600, Default: "720",
		Doc: "longest an interaction may stay with a URS before it is taken back to its queue"},
	{App: TypeInteractionServer, Section: "settings", Name: "handling-timeout", Kind: KindDuration,
		Unit: time.Minute, Min: 1, Max: 525600, Default: "180",
		Doc: "an agent busy with an interaction this long has it revoked and returned to its queue (ixlb's reading of \"no agent activity\")"},
	{App: TypeInteractionServer, Section: "settings", Name: "verify-database-identity", Kind: KindBool,
		Default: "false", Doc: "ixlb extension: a backup refuses a DAP whose database is not the one in use"},
	{App: TypeInteractionServer, Section: "settings", Name: "default-max-submission-rate", Kind: KindRate,
		Min: 0, Max: MaxSubmissionRate, Default: "", Doc: "max-submission-rate for a URS that sets none (absent: no limit; 0 disables submissions)"},
	{App: TypeInteractionServer, Section: "settings", Name: "default-max-submitted-per-router", Kind: KindInt,
		Min: 0, Max: 50000, Default: "", Doc: "max-submitted-interactions for a URS that sets none (absent: no limit)"},
	{App: TypeInteractionServer, Section: "agent-reservation", Name: "request-collection-time", Kind: KindDuration,
		Unit: time.Millisecond, Min: 0, Max: 10000, Default: "100",
		Doc: "the arbiter collects concurrent reservation requests this long, then grants one"},
	{App: TypeInteractionServer, Section: "agent-reservation", Name: "reservation-time", Kind: KindDuration,
		Unit: time.Millisecond, Min: 1, Max: 3600000, Default: "10000",
		Doc: "how long a granted reservation holds the agent"},
	{App: TypeInteractionServer, Section: "agent-reservation", Name: "reject-subsequent-request", Kind: KindBool,
		Default: "true", Doc: "a request for an agent already reserved is rejected"},
	{App: TypeInteractionServer, Annex: true, Section: "agent_reservation", Name: NameURS, Kind: KindBool,
		Default: "false", Doc: "the URS of that name takes part in agent reservation"},
	{App: TypeRoutingServer, Section: "default", Name: "agent_reservation", Kind: KindBool,
		Default: "false", Doc: "the URS asks the Interaction Server to reserve an agent before routing to it"},
	{App: TypeRoutingServer, Annex: true, Section: SectionIS, Name: "max-submitted-interactions", Kind: KindInt,
		Min: 0, Max: 50000, Default: "",
		Doc: "most interactions this URS may hold at once (0 prevents submission; absent: no limit)"},
	{App: TypeRoutingServer, Annex: true, Section: SectionIS, Name: "max-submission-rate", Kind: KindRate,
		Min: 0, Max: MaxSubmissionRate, Default: "", Doc: "most submissions a second to this URS (absent: no limit; 0 disables submissions)"},
}

// LookupOption finds the spec of an option. isName reports whether a section name is an
// Interaction Server's (for SectionIS) and ursName whether an option name is a RoutingServer's (for
// NameURS); either may be nil, meaning "any name".
func LookupOption(t AppType, annex bool, section, name string, isName, ursName func(string) bool) (*OptionSpec, bool) {
	for i := range OptionSpecs {
		s := &OptionSpecs[i]
		if s.App != t || s.Annex != annex {
			continue
		}
		if s.Section == SectionIS {
			if isName != nil && !isName(section) {
				continue
			}
		} else if s.Section != section {
			continue
		}
		if s.Name == NameURS {
			if ursName != nil && !ursName(name) {
				continue
			}
		} else if s.Name != name {
			continue
		}
		return s, true
	}
	return nil, false
}

// OptionsOf lists the specs of an application type's options (Options tab or Annex).
func OptionsOf(t AppType, annex bool) []*OptionSpec {
	var out []*OptionSpec
	for i := range OptionSpecs {
		if OptionSpecs[i].App == t && OptionSpecs[i].Annex == annex {
			out = append(out, &OptionSpecs[i])
		}
	}
	return out
}

// Values are the values to offer when completing this option (booleans only).
func (s *OptionSpec) Values() []string {
	if s.Kind == KindBool {
		return []string{"true", "false"}
	}
	return nil
}

// Range says what values are valid, for messages and help ("1–86400 seconds or a duration").
func (s *OptionSpec) Range() string {
	switch s.Kind {
	case KindBool:
		return "true or false"
	case KindInt:
		return fmt.Sprintf("a whole number %s–%s", num(s.Min), num(s.Max))
	case KindRate:
		return fmt.Sprintf("N/second or N/minute, at most %s/second (0 disables submissions)", num(s.Max))
	case KindDuration:
		unit := unitName(s.Unit)
		low := FormatDuration(time.Duration(s.Min * float64(s.Unit)))
		// The example is the default, which is always in range.
		example, _ := ParseOptionDuration(s.Default, s.Unit)
		if s.Max > 0 {
			high := FormatDuration(time.Duration(s.Max * float64(s.Unit)))
			return fmt.Sprintf("%s–%s %s, or a duration from %s to %s such as %s", num(s.Min), num(s.Max), unit, low, high, FormatDuration(example))
		}
		return fmt.Sprintf("at least %s %s, or a duration of at least %s such as %s", num(s.Min), unit, low, FormatDuration(example))
	}
	return ""
}

// num writes a bound as a person would: 3600000, not 3.6e+06.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// FormatDuration writes a duration as a scenario would: 2m, 1h30m, 1m30s, 250ms (not 2m0s).
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func unitName(u time.Duration) string {
	switch u {
	case time.Millisecond:
		return "milliseconds"
	case time.Second:
		return "seconds"
	case time.Minute:
		return "minutes"
	case time.Hour:
		return "hours"
	}
	return u.String()
}

// Validate checks a value against the spec; the error says what is wrong and the valid range.
func (s *OptionSpec) Validate(v string) error {
	bad := func() error { return fmt.Errorf("%q is not valid for %s: want %s", v, s.Name, s.Range()) }
	switch s.Kind {
	case KindBool:
		if _, ok := ParseBool(v); !ok {
			return bad()
		}
	case KindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || float64(n) < s.Min || (s.Max > 0 && float64(n) > s.Max) {
			return bad()
		}
	case KindRate:
		if _, ok := ParseSubmissionRate(v); !ok {
			return bad()
		}
	case KindDuration:
		d, ok := ParseOptionDuration(v, s.Unit)
		if !ok {
			return bad()
		}
		n := float64(d) / float64(s.Unit)
		if math.IsNaN(n) {
			return bad()
		}
		if n < s.Min || (s.Max > 0 && n > s.Max) {
			return fmt.Errorf("%q is out of range for %s: want %s", v, s.Name, s.Range())
		}
	}
	return nil
}

// Duration reads a KindDuration value, falling back to the default when v is absent or invalid.
func (s *OptionSpec) Duration(v string, set bool) time.Duration {
	if set && s.Validate(v) == nil {
		d, _ := ParseOptionDuration(v, s.Unit)
		return d
	}
	d, _ := ParseOptionDuration(s.Default, s.Unit)
	return d
}

// Bool reads a KindBool value, falling back to the default.
func (s *OptionSpec) Bool(v string, set bool) bool {
	if set {
		if b, ok := ParseBool(v); ok {
			return b
		}
	}
	b, _ := ParseBool(s.Default)
	return b
}

// Int reads a KindInt value; -1 when neither the value nor a default gives one.
func (s *OptionSpec) Int(v string, set bool) int64 {
	if set && s.Validate(v) == nil {
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	}
	if n, err := strconv.ParseInt(s.Default, 10, 64); err == nil {
		return n
	}
	return -1
}

// OptionSpecFor is the spec of a named option with a fixed section, for the engine's reads; it
// panics on a name missing from the registry (a programming error, caught by any test).
func OptionSpecFor(t AppType, annex bool, section, name string) *OptionSpec {
	s, ok := LookupOption(t, annex, section, name, nil, nil)
	if !ok {
		panic("core: option not in the registry: " + string(t) + " " + section + "/" + name)
	}
	return s
}
