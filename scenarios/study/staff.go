package study

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// Staffing: the fewest agents in a group for which every target holds with 95% confidence, found
// by bisection over agent counts. Every count runs the same seeds, so neighbouring counts meet the
// same customers (common random numbers) and their difference is the agents' alone.

// Target is a figure a staffing must reach: `service._all.service_level >= 0.8`, `asa <= 30`.
type Target struct {
	Text  string  `json:"target"`
	Path  string  `json:"path"`
	Op    string  `json:"op"` // >= > <= <
	Value float64 `json:"value"`
}

// ParseTarget reads PATH OP NUMBER, the syntax of an `expect` line. A figure of the overall
// queue may be named by its last part alone: `asa<=30` is service._all.asa.
func ParseTarget(s string) (Target, error) {
	e, err := scenarios.ParseExpectation(s)
	if err != nil {
		return Target{}, fmt.Errorf("--target %q: %v", s, err)
	}
	if e.Spread {
		return Target{}, fmt.Errorf("--target %q: spread() is not a figure to staff for", s)
	}
	switch e.Op {
	case ">=", ">", "<=", "<":
	default:
		return Target{}, fmt.Errorf("--target %q: want one of >= > <= < (a target is a bound, not an equality)", s)
	}
	path := e.PathString()
	if len(e.Path) == 1 && core.ReportShape().At([]string{"service", core.AllQueues, path}) != nil {
		path = "service." + core.AllQueues + "." + path
	}
	return Target{Text: strings.TrimSpace(s), Path: path, Op: e.Op, Value: e.Value}, nil
}

// Bound is the end of a figure's 95% interval the target is held to: the lower for >= and >,
// the upper for <= and <. Holding it there is holding it with 95% confidence.
func (t Target) Bound(s Summary) float64 {
	if t.Op == ">=" || t.Op == ">" {
		return s.Lo()
	}
	return s.Hi()
}

// Met says whether the figure meets the target with 95% confidence. A figure undefined in any
// run does not: at that count some day nobody is answered, and an ASA nobody had is no ASA of 0.
func (t Target) Met(s Summary) bool {
	if s.N == 0 || s.Undefined > 0 {
		return false
	}
	b := t.Bound(s)
	switch t.Op {
	case ">=":
		return b >= t.Value
	case ">":
		return b > t.Value
	case "<=":
		return b <= t.Value
	}
	return b < t.Value
}

// Describe is the target as a planner reads it: "all queues: % answered in 20 s ≥ 80%".
func (t Target) Describe(figs core.Figures) string {
	return core.DescribeFigure(t.Path, figs).Title() + " " + t.Bounds(figs)
}

// Bounds is the target's comparison alone, in display units: "≥ 80.0%", "≤ 30.0 s".
func (t Target) Bounds(figs core.Figures) string {
	f := core.DescribeFigure(t.Path, figs)
	op := map[string]string{">=": "≥", ">": ">", "<=": "≤", "<": "<"}[t.Op]
	return op + " " + f.WithUnit(t.Value)
}

// StaffOptions say what to staff for.
type StaffOptions struct {
	Group    string
	Targets  []Target
	Seeds    int
	Min, Max int // the range of agent counts searched; Min 0: from 1; Max 0: up to scenarios.MaxAgents
	// Around, when > 0, also runs every count within Around of the answer: the curve a plot draws.
	Around int
	// Trying is called before each agent count is run (may be nil): progress.
	Trying func(agents int)
	Options
}

// Point is one agent count run over the seeds.
type Point struct {
	Agents  int                `json:"agents"`
	Figures map[string]Summary `json:"figures"`
	Meets   []bool             `json:"meets"` // per target
	OK      bool               `json:"ok"`    // every target met
	Failed  int                `json:"failed_runs,omitempty"`
	// Warnings are the first seed's report warnings at this count (not a steady state…).
	Warnings []string `json:"warnings,omitempty"`
	// values are the targets' figures seed by seed, for paired differences between counts.
	values map[string][]float64
}

// Staffing is the result of Staff.
type Staffing struct {
	Scenario string   `json:"scenario"` // the file
	Name     string   `json:"name"`     // the scenario's name
	Group    string   `json:"group"`
	Targets  []Target `json:"targets"`
	Seeds    []uint64 `json:"seeds"`
	// Agents is the answer: the fewest agents meeting every target; 0 with Found false when no
	// count in the range does.
	Agents int     `json:"agents"`
	Found  bool    `json:"found"`
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Points []Point `json:"points"` // every count run, by agents
	// Plateau, when no count meets the targets, says which target more agents stopped helping
	// (a failure or a setting limits it, not staffing); "" when the search reached --max.
	Plateau string `json:"plateau,omitempty"`
	// Warnings say when the answer should not be taken as it stands: a target that more agents
	// did not always serve better, one that holds with a single agent, work the design loses.
	Warnings []string `json:"warnings,omitempty"`
}

// Point returns the point run at n agents.
func (s *Staffing) Point(n int) (Point, bool) {
	i, ok := slices.BinarySearchFunc(s.Points, n, func(p Point, n int) int { return p.Agents - n })
	if !ok {
		return Point{}, false
	}
	return s.Points[i], true
}

// Figures are the mean figures of the points, for labels (thresholds).
func (s *Staffing) Figures() core.Figures {
	if len(s.Points) == 0 {
		return nil
	}
	return Means(s.Points[len(s.Points)-1].Figures)
}

// Staff finds the fewest agents in o.Group for which every target holds with 95% confidence.
func Staff(sc *scenarios.Scenario, o StaffOptions) (*Staffing, error) {
	gi := slices.IndexFunc(sc.Config.AgentGroups, func(g core.AgentGroupConfig) bool { return g.Name == o.Group })
	if gi < 0 {
		var names []string
		for _, g := range sc.Config.AgentGroups {
			names = append(names, g.Name)
		}
		return nil, fmt.Errorf("%s has no agent group %q%s (its groups: %s)", sc.File, o.Group, core.DidYouMean(o.Group, names), strings.Join(names, ", "))
	}
	if len(o.Targets) == 0 {
		return nil, fmt.Errorf("no --target: say what the staffing must reach, e.g. --target 'service._all.service_level>=0.8'")
	}
	if o.Seeds < 2 {
		return nil, fmt.Errorf("--seeds %d: a 95%% confidence interval needs at least 2 seeds (10 or more to be useful)", o.Seeds)
	}
	if o.Max == 0 {
		o.Max = scenarios.MaxAgents
	}
	if o.Min == 0 {
		o.Min = 1
	}
	if o.Min < 1 || o.Max > scenarios.MaxAgents || o.Min > o.Max {
		return nil, fmt.Errorf("--min %d --max %d: want 1 ≤ min ≤ max ≤ %d (with no agents nobody is answered: no staffing)", o.Min, o.Max, scenarios.MaxAgents)
	}
	if err := checkTargets(sc, o.Targets); err != nil {
		return nil, err
	}
	s := &Staffing{Scenario: sc.File, Name: sc.Config.Name, Group: o.Group, Targets: o.Targets, Min: o.Min, Max: o.Max}
	for i := range o.Seeds {
		s.Seeds = append(s.Seeds, sc.Config.Seed+uint64(i))
	}
	st := &staffer{sc: sc, group: gi, o: o, s: s, done: map[int]Point{}}
	if err := st.search(); err != nil {
		return nil, err
	}
	if s.Found && o.Around > 0 {
		for n := max(o.Min, s.Agents-o.Around); n <= min(o.Max, s.Agents+o.Around); n++ {
			if _, err := st.eval(n); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range st.done {
		s.Points = append(s.Points, p)
	}
	sort.Slice(s.Points, func(i, j int) bool { return s.Points[i].Agents < s.Points[j].Agents })
	s.Warnings = append(s.Warnings, notMonotone(s)...)
	s.Warnings = append(s.Warnings, vacuous(sc, s)...)
	return s, nil
}

// notMonotone says which target a count met while more agents did not: the search assumes more
// agents never serve worse, which figures of the answered alone (the ASA, the waits) break when
// customers give up — fewer agents, more abandon, and those answered waited less.
func notMonotone(s *Staffing) []string {
	var out []string
	figs := s.Figures()
	for i, t := range s.Targets {
		for a, p := range s.Points {
			if !p.Meets[i] {
				continue
			}
			for _, q := range s.Points[a+1:] {
				if !q.Meets[i] {
					out = append(out, fmt.Sprintf("%s holds at %d agents but not at %d: more agents do not always serve it better, so the answer may not be the fewest (with impatient customers, pair a target on the answered's waits with one on abandon_rate or service_level)",
						t.Describe(figs), p.Agents, q.Agents))
					break
				}
			}
			break
		}
	}
	return out
}

// vacuous says when the targets hold with a single agent: they do not depend on how many agents
// answer (an abandon rate where no customer has a patience; a count no failure moves).
func vacuous(sc *scenarios.Scenario, s *Staffing) []string {
	var out []string
	patience := false
	for _, tr := range sc.Config.Traffic {
		patience = patience || tr.Patience > 0
	}
	for _, t := range s.Targets {
		if !patience && (strings.HasSuffix(t.Path, ".abandon_rate") || strings.HasSuffix(t.Path, ".abandoned")) {
			out = append(out, fmt.Sprintf("%s: no traffic entry has a patience, so nobody abandons whatever the agents: this target says nothing about staffing (target a service level or an ASA)", t.Text))
		}
	}
	if s.Found && s.Agents == 1 {
		out = append(out, "the targets hold with a single agent: they do not measure how many agents answer the customers (target a service level or an ASA)")
	}
	return out
}

// checkTargets refuses a target whose figure the scenario's report does not have, before any run:
// its report at time 0 names every queue, group and section.
func checkTargets(sc *scenarios.Scenario, ts []Target) error {
	e, err := core.New(sc.Config, core.WithoutEventLog(), core.WithDatabases(core.NewCompactMemDatabases()))
	if err != nil {
		return fmt.Errorf("%s: %w", sc.File, err)
	}
	rep, err := e.Report()
	if err != nil {
		return fmt.Errorf("%s: %w", sc.File, err)
	}
	figs := StudyFigures(rep.Figures())
	var known []string
	for k := range figs {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, t := range ts {
		if _, ok := figs[t.Path]; ok || strings.HasPrefix(t.Path, "urs_share.") {
			continue // URS shares appear with the first submission
		}
		return fmt.Errorf("--target %q: %s has no figure %q%s; figures are named as in expect lines: service.QUEUE.service_level, service._all.asa, occupancy.GROUP…",
			t.Text, sc.File, t.Path, core.DidYouMean(t.Path, known))
	}
	return nil
}

type staffer struct {
	sc    *scenarios.Scenario
	group int
	o     StaffOptions
	s     *Staffing
	done  map[int]Point
}

// eval runs n agents over the seeds (once: a count already run is remembered).
func (st *staffer) eval(n int) (Point, error) {
	if p, ok := st.done[n]; ok {
		return p, nil
	}
	if st.o.Trying != nil {
		st.o.Trying(n)
	}
	cfg := st.sc.Config
	cfg.AgentGroups = slices.Clone(cfg.AgentGroups) // the scenario's own config is shared
	cfg.AgentGroups[st.group].Agents = n
	results := make([]Result, len(st.s.Seeds))
	err := RunAll(len(st.s.Seeds), func(i int) Run { return Run{Config: cfg, Expect: st.sc.Expect, Seed: st.s.Seeds[i]} }, st.o.Options,
		func(i int, r Result) error { results[i] = r; return nil })
	if err != nil {
		return Point{}, err
	}
	p := Point{Agents: n, Figures: map[string]Summary{}, OK: true, values: map[string][]float64{}}
	for _, name := range namesOf(results) {
		xs := make([]float64, len(results))
		for i, r := range results {
			xs[i] = r.Figures[name]
		}
		p.Figures[name] = Summarize(xs)
		p.values[name] = xs
	}
	for _, r := range results {
		if len(r.Failed) > 0 {
			p.Failed++
		}
	}
	p.Warnings = results[0].Warnings
	for _, t := range st.o.Targets {
		m := t.Met(p.Figures[t.Path])
		p.Meets = append(p.Meets, m)
		p.OK = p.OK && m
	}
	st.done[n] = p
	return p, nil
}

// plateau says which failing target did not improve beyond noise from a to b (many) more agents:
// what holds it back is not the agents (a failure that holds work, a strategy that sends work
// elsewhere), so searching further up is pointless.
func (st *staffer) plateau(a, b Point) string {
	for i, t := range st.o.Targets {
		if b.Meets[i] {
			continue
		}
		// Paired by seed: both counts met the same customers.
		xa, xb := a.values[t.Path], b.values[t.Path]
		d := make([]float64, len(xa))
		for k := range xa {
			d[k] = xb[k] - xa[k]
			if t.Op == "<=" || t.Op == "<" {
				d[k] = -d[k]
			}
		}
		if gain := Summarize(d); gain.Mean <= gain.CI95 {
			f := core.DescribeFigure(t.Path, Means(b.Figures))
			sa, sb := a.Figures[t.Path], b.Figures[t.Path]
			return fmt.Sprintf("from %d to %d agents, %s went from %s to %s, no better beyond noise: more agents stop helping (a failure or a setting limits it, not staffing)",
				a.Agents, b.Agents, f.Title(), f.FormatCI(sa.Mean, sa.CI95), f.FormatCI(sb.Mean, sb.CI95))
		}
	}
	return ""
}

// search brackets the answer from the scenario's own count — widening the step each time, down
// while the targets hold and up while they do not — then bisects the bracket. It assumes more
// agents never serve worse, which common random numbers make true of the means up to noise.
func (st *staffer) search() error {
	lo, hi := st.o.Min, st.o.Max
	n0 := min(max(st.sc.Config.AgentGroups[st.group].Agents, lo), hi)
	p, err := st.eval(n0)
	if err != nil {
		return err
	}
	fail, pass := -1, -1 // the highest count known to fail, the lowest known to pass
	if p.OK {
		pass = n0
		for step := 1; pass > lo; step *= 2 {
			n := max(lo, pass-step)
			q, err := st.eval(n)
			if err != nil {
				return err
			}
			if !q.OK {
				fail = n
				break
			}
			pass = n
		}
	} else {
		fail = n0
		for step := 1; fail < hi; step *= 2 {
			n := min(hi, fail+step)
			q, err := st.eval(n)
			if err != nil {
				return err
			}
			if q.OK {
				pass = n
				break
			}
			if n-fail >= max(4, fail/4) {
				if why := st.plateau(st.done[fail], q); why != "" {
					st.s.Plateau = why
					return nil
				}
			}
			fail = n
		}
	}
	if pass < 0 {
		return nil // nothing up to the maximum meets the targets
	}
	for fail >= 0 && pass-fail > 1 {
		mid := fail + (pass-fail)/2
		q, err := st.eval(mid)
		if err != nil {
			return err
		}
		if q.OK {
			pass = mid
		} else {
			fail = mid
		}
	}
	st.s.Agents, st.s.Found = pass, true
	// One below the answer, for the table, even when the answer is the --min (never none).
	if pass > 1 {
		if _, err := st.eval(pass - 1); err != nil {
			return err
		}
	}
	return nil
}
