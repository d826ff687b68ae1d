package study

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/ixlb/ixlb/core"
)

// Summary is a figure's mean over seeds and the half-width of its 95% confidence interval.
// Runs where the figure is undefined (NaN: an ASA with nobody answered) are not averaged in;
// they are counted in Undefined. With none defined, Mean is NaN (JSON null).
type Summary struct {
	N         int     `json:"n"` // runs averaged: those where the figure is defined
	Mean      float64 `json:"mean"`
	CI95      float64 `json:"ci95"`                // mean ± ci95; 0 with fewer than 2 values
	Undefined int     `json:"undefined,omitempty"` // runs where it is undefined
}

// Defined says whether any run defines the figure.
func (s Summary) Defined() bool { return s.N > 0 }

type summaryJSON struct {
	N         int      `json:"n"`
	Mean      *float64 `json:"mean"`
	CI95      float64  `json:"ci95"`
	Undefined int      `json:"undefined,omitempty"`
}

// MarshalJSON writes an undefined mean as null (JSON has no NaN).
func (s Summary) MarshalJSON() ([]byte, error) {
	j := summaryJSON{N: s.N, CI95: s.CI95, Undefined: s.Undefined}
	if !math.IsNaN(s.Mean) {
		j.Mean = &s.Mean
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a null mean as undefined.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var j summaryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Summary{N: j.N, Mean: math.NaN(), CI95: j.CI95, Undefined: j.Undefined}
	if j.Mean != nil {
		s.Mean = *j.Mean
	}
	return nil
}

// Lo and Hi are the interval's bounds.
func (s Summary) Lo() float64 { return s.Mean - s.CI95 }
func (s Summary) Hi() float64 { return s.Mean + s.CI95 }

// Summarize is the mean of xs with a Student's t 95% confidence interval: the seeds are
// independent replications, so their means are close to normal whatever the figure's own law.
func Summarize(xs []float64) Summary {
	if slices.ContainsFunc(xs, math.IsNaN) {
		defined := slices.DeleteFunc(slices.Clone(xs), math.IsNaN)
		s := Summarize(defined)
		s.Undefined = len(xs) - len(defined)
		return s
	}
	n := len(xs)
	s := Summary{N: n}
	if n == 0 {
		s.Mean = math.NaN()
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(n)
	if n < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	if sd <= 1e-12*math.Abs(s.Mean) {
		sd = 0 // rounding noise of identical values
	}
	s.CI95 = tQuantile975(n-1) * sd / math.Sqrt(float64(n))
	return s
}

// tQuantile975 is the 97.5% quantile of Student's t with df degrees of freedom (two-sided 95%).
func tQuantile975(df int) float64 {
	table := [...]float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	switch {
	case df <= 0:
		return math.NaN()
	case df < len(table):
		return table[df]
	case df < 60:
		return 2.042 - (2.042-2.000)*float64(df-30)/30
	case df < 120:
		return 2.000 - (2.000-1.980)*float64(df-60)/60
	}
	return 1.960
}

// Means are the figures' means: what labels that depend on other figures (a queue's threshold)
// read.
func Means(figs map[string]Summary) core.Figures {
	out := make(core.Figures, len(figs))
	for k, s := range figs {
		out[k] = s.Mean
	}
	return out
}

// OrderFigures sorts figure paths as tables list them: by section as FigureSections orders them,
// the overall queue (_all) first, then by scope (queue, group…) and within a scope in the
// catalogue's order (service level, ASA, abandon rate, waits, counts).
func OrderFigures(names []string) []string {
	type key struct {
		section int
		notAll  bool
		scope   string
		rank    int
		path    string
	}
	keys := make([]key, len(names))
	for i, n := range names {
		sec, _, _ := strings.Cut(n, ".")
		info := core.DescribeFigure(n, nil)
		keys[i] = key{sectionRank(sec), !strings.HasPrefix(n, sec+"."+core.AllQueues+"."), info.Scope, info.Rank(), n}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		switch {
		case a.section != b.section:
			return a.section < b.section
		case a.notAll != b.notAll:
			return !a.notAll
		case a.scope != b.scope:
			return a.scope < b.scope
		case a.rank != b.rank:
			return a.rank < b.rank
		}
		return a.path < b.path
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.path
	}
	return out
}

// namesOf lists the figures present in any of the results, ordered.
func namesOf(results ...[]Result) []string {
	seen := map[string]bool{}
	var names []string
	for _, rs := range results {
		for _, r := range rs {
			for k := range r.Figures {
				if !seen[k] {
					seen[k] = true
					names = append(names, k)
				}
			}
		}
	}
	return OrderFigures(names)
}

// FormatSummary shows a summary as tables do, through the catalogue with d decimals: "–" when no
// run defines the figure, and "(k of n seeds)" after it when only some do (the others had
// nothing to average: nobody answered, no touched interaction answered).
func FormatSummary(info core.FigureInfo, s Summary, d int) string {
	if !s.Defined() {
		return "–"
	}
	return info.FormatCIWith(s.Mean, s.CI95, d) + partial(s)
}

// FormatDiffSummary is FormatSummary for a difference B − A, paired where both are defined.
func FormatDiffSummary(info core.FigureInfo, s Summary, d int) string {
	if !s.Defined() {
		return "–"
	}
	return info.FormatDiffWith(s.Mean, s.CI95, d) + partial(s)
}

func partial(s Summary) string {
	if s.Undefined == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of %d seeds)", s.N, s.N+s.Undefined)
}

// UndefinedNote explains "–" and "(k of n seeds)" under a table that shows any.
const UndefinedNote = "– : undefined in every seed, (k of n seeds): defined in k only — an ASA or wait with nobody answered, a touched ASA or extra wait with no touched interaction answered after the failure; such a figure meets no target"
