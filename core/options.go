package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The one registry of the Genesys options ixlb reads: docs/scenarios.md ("Options") lists them
// from it, and the option names, places and defaults are those of Genesys' Interaction Server and
// Universal Routing Server reference (eServices 8.5, "Interaction Server options" and "Agent
// reservation"). Every consumer reads an option through its handle (Opt): the engine reads
// values, lint validates them, the console completes and validates `:set`, and the JSON Schema
// (scenarios/schema.json) and the options table of docs/scenarios.md are generated from it. So an
// option's name, place, range, default and description are spelled once: adding an option is an
// entry here plus the behaviour that reads it.

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

// annexPrefix marks an Annex section where a section is written as one string: a timeline `set`
// and the console's `:set` write `annex:agent_reservation`, the Options tab's `settings`.
const annexPrefix = "annex:"

// AnnexSection writes an Annex section as `set` takes it: "annex:" + name.
func AnnexSection(name string) string { return annexPrefix + name }

// CutAnnex reads a section as `set` writes it: the Annex section's name and true for
// "annex:NAME", else the section itself (of the Options tab) and false. "annex:" alone names no
// Annex section: it is an Options tab section of that name.
func CutAnnex(section string) (name string, annex bool) {
	if s, ok := strings.CutPrefix(section, annexPrefix); ok && s != "" {
		return s, true
	}
	return section, false
}

// MaxSubmittedInteractions is the largest max-submitted-interactions (and
// default-max-submitted-per-router) Genesys accepts.
const MaxSubmittedInteractions = 50000

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
	Default  string // "" when the option has no default: absent, it sets no limit
	Doc      string // what the option does, as the engine reads it: a sentence in lower case, without its period
}

// Opt is the handle of one option of the registry: code names an option by its handle, never by
// its name, so a typo does not compile.
type Opt uint8

// The options ixlb reads, in the order a reference lists them.
const (
	OptDeliveringTimeout            Opt = iota // IS settings/delivering-timeout
	OptRoutingTimeout                          // IS settings/routing-timeout
	OptHandlingTimeout                         // IS settings/handling-timeout
	OptVerifyDatabaseIdentity                  // IS settings/verify-database-identity (ixlb's)
	OptDefaultMaxSubmissionRate                // IS settings/default-max-submission-rate
	OptDefaultMaxSubmittedPerRouter            // IS settings/default-max-submitted-per-router
	OptRequestCollectionTime                   // IS agent-reservation/request-collection-time
	OptReservationTime                         // IS agent-reservation/reservation-time
	OptRejectSubsequentRequest                 // IS agent-reservation/reject-subsequent-request
	OptAnnexAgentReservation                   // IS Annex agent_reservation/<RoutingServer>
	OptAgentReservation                        // URS default/agent_reservation
	OptMaxSubmittedInteractions                // URS Annex <InteractionServer>/max-submitted-interactions
	OptMaxSubmissionRate                       // URS Annex <InteractionServer>/max-submission-rate
	numOptions
)

// optionSpecs is the registry, indexed by handle. It is never written after initialisation.
var optionSpecs = [numOptions]OptionSpec{
	OptDeliveringTimeout: {App: TypeInteractionServer, Section: "settings", Name: "delivering-timeout", Kind: KindDuration,
		Unit: time.Second, Min: 1, Max: 86400, Default: "30",
		Doc: "time an invited agent has to accept; otherwise the invite is revoked and the interaction goes back to its queue"},
	OptRoutingTimeout: {App: TypeInteractionServer, Section: "settings", Name: "routing-timeout", Kind: KindDuration,
		Unit: time.Minute, Min: 20, Max: 525600, Default: "720",
		Doc: "longest an interaction may stay with a URS before it is taken back to its queue"},
	OptHandlingTimeout: {App: TypeInteractionServer, Section: "settings", Name: "handling-timeout", Kind: KindDuration,
		Unit: time.Minute, Min: 1, Max: 525600, Default: "180",
		Doc: "an agent busy with an interaction this long has it revoked and returned to its queue (ixlb's reading of \"no agent activity\")"},
	OptVerifyDatabaseIdentity: {App: TypeInteractionServer, Section: "settings", Name: "verify-database-identity", Kind: KindBool,
		Default: "false", Doc: "an ixlb extension: an Interaction Server that becomes active refuses a DAP whose database is not the one in use, so a re-pointed DAP loses nothing"},
	OptDefaultMaxSubmissionRate: {App: TypeInteractionServer, Section: "settings", Name: "default-max-submission-rate", Kind: KindRate,
		Min: 0, Max: MaxSubmissionRate, Default: "", Doc: "the max-submission-rate of a URS that sets none (absent: no limit; 0 disables submissions)"},
	OptDefaultMaxSubmittedPerRouter: {App: TypeInteractionServer, Section: "settings", Name: "default-max-submitted-per-router", Kind: KindInt,
		Min: 0, Max: MaxSubmittedInteractions, Default: "", Doc: "the max-submitted-interactions of a URS that sets none (absent: no limit)"},
	OptRequestCollectionTime: {App: TypeInteractionServer, Section: "agent-reservation", Name: "request-collection-time", Kind: KindDuration,
		Unit: time.Millisecond, Min: 0, Max: 10000, Default: "100",
		Doc: "the arbiter collects the reservation requests for an agent this long, then grants as many as the agent has free capacity for, at random, and denies the rest"},
	OptReservationTime: {App: TypeInteractionServer, Section: "agent-reservation", Name: "reservation-time", Kind: KindDuration,
		Unit: time.Millisecond, Min: 1, Max: 3600000, Default: "10000",
		Doc: "a reservation whose interaction was rejected or not answered before the accept still holds the agent until this long after its grant"},
	OptRejectSubsequentRequest: {App: TypeInteractionServer, Section: "agent-reservation", Name: "reject-subsequent-request", Kind: KindBool,
		Default: "true", Doc: "a request for an agent already reserved is denied; false: the URS holding a lingering reservation of the agent renews it"},
	OptAnnexAgentReservation: {App: TypeInteractionServer, Annex: true, Section: "agent_reservation", Name: NameURS, Kind: KindBool,
		Default: "false", Doc: "the Interaction Server arbitrates agent reservations for the URS of that name (with the URS's own agent_reservation)"},
	OptAgentReservation: {App: TypeRoutingServer, Section: "default", Name: "agent_reservation", Kind: KindBool,
		Default: "false", Doc: "the URS asks the Interaction Server to reserve an agent before routing to it (with the IS Annex entry for it); without it the URS routes on its own, lagging view and may double-book agents it shares"},
	OptMaxSubmittedInteractions: {App: TypeRoutingServer, Annex: true, Section: SectionIS, Name: "max-submitted-interactions", Kind: KindInt,
		Min: 0, Max: MaxSubmittedInteractions, Default: "",
		Doc: "most interactions this URS may hold at once (0 prevents submission; absent: no limit)"},
	OptMaxSubmissionRate: {App: TypeRoutingServer, Annex: true, Section: SectionIS, Name: "max-submission-rate", Kind: KindRate,
		Min: 0, Max: MaxSubmissionRate, Default: "", Doc: "most submissions a second to this URS (absent: no limit; 0 disables submissions)"},
}

// AllOptions lists every option of the registry, in reference order.
func AllOptions() []Opt {
	out := make([]Opt, numOptions)
	for i := range out {
		out[i] = Opt(i)
	}
	return out
}

func (o Opt) spec() *OptionSpec { return &optionSpecs[o] }

// Spec is the option's registry entry (a copy).
func (o Opt) Spec() OptionSpec { return optionSpecs[o] }

// Name is the option's name as Genesys spells it (NameURS for the IS Annex's per-URS options).
func (o Opt) Name() string { return o.spec().Name }

// String names the option for messages: "settings/delivering-timeout".
func (o Opt) String() string {
	s := o.spec()
	if s.Annex {
		return AnnexSection(s.Section) + "/" + s.Name
	}
	return s.Section + "/" + s.Name
}

// Get reads the option's value from the tab it lives on (an application's Options or Annex):
// the value and whether it is set. For an option whose section or name stands for an application
// (SectionIS, NameURS), use GetFor.
func (o Opt) Get(tab Options) (string, bool) { return o.GetFor(tab, "") }

// GetFor reads the option's value from a tab, app standing for its placeholder: the
// Interaction Server that names the section (SectionIS) or the URS the option is named after
// (NameURS).
func (o Opt) GetFor(tab Options, app string) (string, bool) {
	section, name := o.Key(app)
	return tab.Get(section, name)
}

// Key is the section and name the option is read under, app standing for its placeholder.
func (o Opt) Key(app string) (section, name string) {
	s := o.spec()
	section, name = s.Section, s.Name
	if section == SectionIS {
		section = app
	}
	if name == NameURS {
		name = app
	}
	return section, name
}

// Names reports whether a `set` of section and name (the section as `set` writes it, "annex:NAME"
// for the Annex) is of this option; a placeholder (SectionIS, NameURS) stands for any name.
func (o Opt) Names(section, name string) bool {
	s := o.spec()
	sec, annex := CutAnnex(section)
	return annex == s.Annex && (s.Section == SectionIS || s.Section == sec) && (s.Name == NameURS || s.Name == name)
}

// LookupOption finds the option of an application type's tab (annex: its Annex) read under section
// and name. isName reports whether a section name is an Interaction Server's (for SectionIS) and
// ursName whether an option name is a RoutingServer's (for NameURS); either may be nil, meaning
// "any name".
func LookupOption(t AppType, annex bool, section, name string, isName, ursName func(string) bool) (Opt, bool) {
	for o := range numOptions {
		s := o.spec()
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
		return o, true
	}
	return 0, false
}

// OptionsOf lists the options of an application type (Options tab or Annex).
func OptionsOf(t AppType, annex bool) []Opt {
	var out []Opt
	for o := range numOptions {
		if s := o.spec(); s.App == t && s.Annex == annex {
			out = append(out, o)
		}
	}
	return out
}

// Values are the values to offer when completing this option (booleans only).
func (o Opt) Values() []string {
	if o.spec().Kind == KindBool {
		return []string{"true", "false"}
	}
	return nil
}

// Range says what values are valid, for messages and help ("1–86400 seconds or a duration").
func (o Opt) Range() string {
	s := o.spec()
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
func (o Opt) Validate(v string) error {
	s := o.spec()
	bad := func() error { return fmt.Errorf("%q is not valid for %s: want %s", v, s.Name, o.Range()) }
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
			return fmt.Errorf("%q is out of range for %s: want %s", v, s.Name, o.Range())
		}
	}
	return nil
}

// Duration reads a KindDuration value, falling back to the default when v is absent or invalid.
func (o Opt) Duration(v string, set bool) time.Duration {
	s := o.spec()
	if set && o.Validate(v) == nil {
		d, _ := ParseOptionDuration(v, s.Unit)
		return d
	}
	d, _ := ParseOptionDuration(s.Default, s.Unit)
	return d
}

// Bool reads a KindBool value, falling back to the default.
func (o Opt) Bool(v string, set bool) bool {
	s := o.spec()
	if set {
		if b, ok := ParseBool(v); ok {
			return b
		}
	}
	b, _ := ParseBool(s.Default)
	return b
}

// Int reads a KindInt value; -1 when neither the value nor a default gives one.
func (o Opt) Int(v string, set bool) int64 {
	s := o.spec()
	if set && o.Validate(v) == nil {
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	}
	if n, err := strconv.ParseInt(s.Default, 10, 64); err == nil {
		return n
	}
	return -1
}

// Canonical writes a valid value the way the registry spells it: true or false for a boolean
// (TRUE, yes, 1, on …), a whole number without sign or leading zeros, a duration or a rate as
// written but trimmed (a bare number and a unit are both ways of writing it). ok is false when
// v is not valid for the option.
func (o Opt) Canonical(v string) (string, bool) {
	if o.Validate(v) != nil {
		return "", false
	}
	v = strings.TrimSpace(v)
	switch o.spec().Kind {
	case KindBool:
		b, _ := ParseBool(v)
		return strconv.FormatBool(b), true
	case KindInt:
		n, _ := strconv.ParseInt(v, 10, 64)
		return strconv.FormatInt(n, 10), true
	}
	return v, true
}

// Same reports whether a and b, both valid, are one value of the option as the engine reads
// it: yes and TRUE, 30 and 30s for a timeout in seconds, 10/second and 600/minute.
func (o Opt) Same(a, b string) bool {
	if o.Validate(a) != nil || o.Validate(b) != nil {
		return false
	}
	s := o.spec()
	switch s.Kind {
	case KindBool:
		x, _ := ParseBool(a)
		y, _ := ParseBool(b)
		return x == y
	case KindInt:
		x, _ := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		y, _ := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		return x == y
	case KindDuration:
		x, _ := ParseOptionDuration(a, s.Unit)
		y, _ := ParseOptionDuration(b, s.Unit)
		return x == y
	case KindRate:
		x, _ := submissionRate(a)
		y, _ := submissionRate(b)
		return x == y
	}
	return false
}
