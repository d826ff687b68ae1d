package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The figure catalogue: what each figure path means to a planner — its label, its unit and how its
// numbers read. Tables (compare, sweep merge, staff), plots and their axes all label and format a
// figure through it, so "service._all.service_level" reads "% answered in 20 s" everywhere, with
// the scenario's own threshold.

// FigureKind says how a figure's numbers read.
type FigureKind uint8

const (
	KindNumber  FigureKind = iota
	KindCount              // interactions, requests: whole numbers in a run (their means are not)
	KindSeconds            // a time in seconds
	KindShare              // a fraction 0–1, shown as a percentage
)

// FigureInfo is the catalogue's entry for one figure path.
type FigureInfo struct {
	Path  string
	Scope string // the names in the path: "all queues", "chat_in", "Sales → URS_1"; "" for none
	Label string // what it measures: "% answered in 20 s", "ASA", "occupancy"
	Unit  string // "seconds", "%", "interactions"…; "" for plain numbers
	Kind  FigureKind
	rank  int
}

// catalogue entries: a path pattern ("*" stands for a scenario name, the figure's scope; "?" for
// any field name, shown in the label as "{name}", in words) and how it reads. The first match wins.
var catalogue = []struct {
	pattern, label, unit string
	kind                 FigureKind
}{
	{"service.*.service_level", "% answered in {threshold}", "%", KindShare},
	{"service.*.asa", "ASA", "seconds", KindSeconds},
	{"service.*.abandon_rate", "abandon rate", "%", KindShare},
	{"service.*.wait_p50", "wait, median", "seconds", KindSeconds},
	{"service.*.wait_p90", "wait, 90th percentile", "seconds", KindSeconds},
	{"service.*.wait_p99", "wait, 99th percentile", "seconds", KindSeconds},
	{"service.*.offered", "offered", "interactions", KindCount},
	{"service.*.answered", "answered", "interactions", KindCount},
	{"service.*.answered_within", "answered in {threshold}", "interactions", KindCount},
	{"service.*.abandoned", "abandoned", "interactions", KindCount},
	{"service.*.lost", "lost", "interactions", KindCount},
	{"service.*.lost_open", "lost, still open in another database", "interactions", KindCount},
	{"service.*.held", "held, waiting for a database", "interactions", KindCount},
	{"service.*.completed", "completed", "interactions", KindCount},
	{"service.*.touched", "touched by a failure", "interactions", KindCount},
	{"service.*.touched_asa", "ASA of those a failure touched", "seconds", KindSeconds},
	{"service.*.others_asa", "ASA of the others", "seconds", KindSeconds},
	{"service.*.extra_wait", "extra wait of those a failure touched", "seconds", KindSeconds},
	{"service.*.threshold", "service-level threshold", "seconds", KindSeconds},
	{"service.*.warmup", "warm-up", "seconds", KindSeconds},
	{"service.*.excluded", "arrived in the warm-up (left out)", "interactions", KindCount},
	{"service.*.?", "{name}", "interactions", KindCount},
	{"occupancy.*", "occupancy", "%", KindShare},
	{"urs_share.*.*", "share of the strategy's submissions", "%", KindShare},
	{"agent_time.*.per_interaction", "agent time per interaction", "seconds", KindSeconds},
	{"agent_time.*.?", "agent time per interaction: {name}", "seconds", KindSeconds},
	{"routing.*.*", "submissions", "interactions", KindCount},
	{"esp.*.*", "ESP requests", "requests", KindCount},
	{"esp_faults.?", "ESP faults: {name}", "requests", KindCount},
	{"dap.*.?", "DAP {name}", "requests", KindCount},
	{"databases.*.?", "{name}", "interactions", KindCount},
	{"interactions.lost_open", "lost, still open in another database", "interactions", KindCount},
	{"interactions.lost_finished", "lost, finished where the active IS cannot see them", "interactions", KindCount},
	{"interactions.lost_unwritten", "lost, never written to a database", "interactions", KindCount},
	{"interactions.resubmitted", "resubmissions", "resubmissions", KindCount},
	{"interactions.resubmitted_interactions", "interactions resubmitted", "interactions", KindCount},
	{"interactions.?", "{name}", "interactions", KindCount},
	{"agents.?", "{name}", "", KindCount},
	{"virtual_seconds", "virtual time", "seconds", KindSeconds},
	{"events", "events logged", "", KindCount},
	{"seed", "random seed", "", KindNumber},
}

// DescribeFigure is the catalogue's entry for path. figs supplies the figures a label depends on
// (a queue's service-level threshold: service.Q.threshold); it may be nil.
func DescribeFigure(path string, figs Figures) FigureInfo {
	segs := strings.Split(path, ".")
	for rank, c := range catalogue {
		pat := strings.Split(c.pattern, ".")
		if len(pat) != len(segs) {
			continue
		}
		var scope []string
		name := ""
		match := true
		for i, p := range pat {
			switch p {
			case "*":
				scope = append(scope, segs[i])
			case "?":
				name = strings.ReplaceAll(segs[i], "_", " ")
			default:
				match = match && p == segs[i]
			}
		}
		if !match {
			continue
		}
		f := FigureInfo{Path: path, Scope: scopeOf(scope), Unit: c.unit, Kind: c.kind, rank: rank}
		if f.Scope == "" && len(segs) == 2 {
			f.Scope = strings.ReplaceAll(segs[0], "_", " ") // interactions: lost, esp faults: timeout
		}
		f.Label = strings.ReplaceAll(c.label, "{name}", name)
		if strings.Contains(f.Label, "{threshold}") {
			f.Label = strings.ReplaceAll(f.Label, "{threshold}", ThresholdText(figs, segs[1]))
		}
		return f
	}
	return FigureInfo{Path: path, Label: path, rank: len(catalogue)}
}

// WhyUndefined says when the figure has no value (ServiceFigures.Undefined): "nobody was answered".
func (f FigureInfo) WhyUndefined() string {
	segs := strings.Split(f.Path, ".")
	switch last := segs[len(segs)-1]; {
	case segs[0] != "service":
	case last == "asa" || strings.HasPrefix(last, "wait_p"):
		return "nobody was answered"
	case last == "abandon_rate":
		return "nobody was answered or abandoned"
	case last == "touched_asa":
		return "no interaction a failure touched was answered after it"
	case last == "others_asa":
		return "every answered interaction was touched by a failure"
	case last == "extra_wait":
		return "no touched interaction and no other of the same queue were both answered"
	}
	return "nothing to average over"
}

// Rank is the figure's place in the catalogue: tables list a scope's figures in this order
// (service level, ASA, abandon rate, waits, then counts).
func (f FigureInfo) Rank() int { return f.rank }

func scopeOf(names []string) string {
	for i, n := range names {
		if n == AllQueues {
			names[i] = "all queues"
		}
	}
	return strings.Join(names, " → ")
}

// ThresholdText is a queue's service-level threshold as a planner writes it: "20 s". All queues
// together count each interaction against its own queue's threshold: when the queues' differ,
// that is what it says ("each queue's threshold"), not the scenario's default.
func ThresholdText(figs Figures, queue string) string {
	t, ok := figs["service."+queue+".threshold"]
	if !ok || t <= 0 {
		return "the threshold"
	}
	if queue == AllQueues {
		for k, v := range figs {
			if strings.HasSuffix(k, ".threshold") && strings.HasPrefix(k, "service.") && v != t && v > 0 {
				return "each queue's threshold"
			}
		}
	}
	return strconv.FormatFloat(t, 'f', -1, 64) + " s"
}

// Title is the scope and the label: "all queues: % answered in 20 s".
func (f FigureInfo) Title() string {
	if f.Scope == "" {
		return f.Label
	}
	return f.Scope + ": " + f.Label
}

// TitleWithUnit is Title with the unit a table's numbers are in, where the numbers do not carry
// it: "all queues: ASA (s)"; shares show "%" in every cell.
func (f FigureInfo) TitleWithUnit() string {
	if f.Kind == KindSeconds {
		return f.Title() + " (s)"
	}
	return f.Title()
}

// WithUnit is one value with its unit: "5.0 s", "80.0%", "12".
func (f FigureInfo) WithUnit(x float64) string {
	if f.Kind == KindSeconds {
		return f.Format(x) + " s"
	}
	return f.Format(x)
}

// AxisLabel labels a plot's axis in display units: "% answered in 20 s", "ASA (seconds)".
func (f FigureInfo) AxisLabel() string {
	switch f.Unit {
	case "", "%":
		if f.Kind == KindShare && !strings.HasPrefix(f.Label, "%") {
			return f.Label + " (%)"
		}
		return f.Label
	}
	return f.Label + " (" + f.Unit + ")"
}

// Display converts a value to the units it is shown in (a share to a percentage).
func (f FigureInfo) Display(x float64) float64 {
	if f.Kind == KindShare {
		return 100 * x
	}
	return x
}

// Format shows one value: "92.6%", "5.1", "2157".
func (f FigureInfo) Format(x float64) string {
	d := f.Display(x)
	switch f.Kind {
	case KindShare:
		return strconv.FormatFloat(d, 'f', 1, 64) + "%"
	case KindSeconds:
		return strconv.FormatFloat(d, 'f', 1, 64)
	case KindCount:
		if d == math.Trunc(d) && math.Abs(d) < 1e15 {
			return strconv.FormatFloat(d, 'f', 0, 64)
		}
		return strconv.FormatFloat(d, 'f', 2, 64)
	}
	return plainNumber(d)
}

func plainNumber(d float64) string {
	if d == math.Trunc(d) && math.Abs(d) < 1e15 {
		return strconv.FormatFloat(d, 'f', 0, 64)
	}
	return strconv.FormatFloat(d, 'g', 4, 64)
}

// ciDecimals is how many decimals show a half-width to two significant digits, and the mean
// beside it to the same place: "33990 ± 80" and "25478 ± 194", never "3.399e+04 ± 79.87".
func ciDecimals(ci float64) int {
	if ci <= 0 || math.IsNaN(ci) || math.IsInf(ci, 0) {
		return 1
	}
	return max(0, min(6, 1-int(math.Floor(math.Log10(ci)))))
}

// Decimals is how many decimals show every interval of a row or column alike: enough for the
// narrowest half-width given (0: none), or the kind's default when none is given.
func (f FigureInfo) Decimals(cis ...float64) int {
	d := -1
	for _, ci := range cis {
		if ci > 0 && !math.IsNaN(ci) {
			d = max(d, ciDecimals(f.Display(ci)))
		}
	}
	if d >= 0 {
		return d
	}
	switch f.Kind {
	case KindCount:
		return 0
	}
	return 1
}

// FormatCI shows a mean with the half-width of its confidence interval: "92.6 ± 0.7%",
// "5.10 ± 0.41". Without an interval (one value, or no spread) it is Format.
func (f FigureInfo) FormatCI(mean, ci float64) string {
	if ci <= 0 || math.IsNaN(ci) {
		return f.Format(mean)
	}
	return f.FormatCIWith(mean, ci, f.Decimals(ci))
}

// FormatCIWith is FormatCI with d decimals (see Decimals); a count without an interval whose mean
// is whole shows none.
func (f FigureInfo) FormatCIWith(mean, ci float64, d int) string {
	m := f.Display(mean)
	if f.Kind == KindCount && (ci <= 0 || math.IsNaN(ci)) && m == math.Trunc(m) {
		d = 0
	}
	s := strconv.FormatFloat(m, 'f', d, 64)
	if ci > 0 && !math.IsNaN(ci) {
		s += " ± " + strconv.FormatFloat(f.Display(ci), 'f', d, 64)
	}
	if f.Kind == KindShare {
		s += "%"
	}
	return s
}

// FormatDiff shows a difference with its interval, signed; shares differ in percentage points:
// "+2.8 ± 0.3 pts", "-1.61 ± 0.20".
func (f FigureInfo) FormatDiff(mean, ci float64) string {
	d := f.Decimals(ci)
	if f.Kind == KindCount && !(ci > 0) {
		if m := f.Display(mean); m != math.Trunc(m) {
			d = 2
		}
	}
	return f.FormatDiffWith(mean, ci, d)
}

// FormatDiffWith is FormatDiff with d decimals.
func (f FigureInfo) FormatDiffWith(mean, ci float64, d int) string {
	m := f.Display(mean)
	if f.Kind == KindCount && !(ci > 0) && m == math.Trunc(m) {
		d = 0
	}
	s := fmt.Sprintf("%+.*f", d, m)
	if ci > 0 && !math.IsNaN(ci) {
		s += " ± " + strconv.FormatFloat(f.Display(ci), 'f', d, 64)
	}
	if f.Kind == KindShare {
		s += " pts"
	}
	return s
}
