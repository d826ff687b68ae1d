//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
)

type staffFlags struct {
	group   string
	targets []string
	seeds   int
	min     int
	max     int
	json    bool
	plot    string
	logY    bool
	jobs    int
	noBar   bool
	warmup  warmupFlag
}

// plotWindow is how many counts either side of the answer `staff --plot` runs and draws.
const plotWindow = 4

func newStaffCmd() *cobra.Command {
	var f staffFlags
	cmd := &cobra.Command{
		Use:   "staff SCENARIO --group G --target 'PATH>=V' [--target …] [--seeds N] [--min A --max B]",
		Short: "Find the fewest agents in a group for which every target holds with 95% confidence",
		Long: `Staff answers the planner's first question — how many agents for 80% answered in 20 s? — for the
scenario as written, failures included: with a timeline that stops URS_2 at 10:00, it is "how many
agents for 80/20 on the day URS_2 dies", which no Erlang calculator can answer.

It runs the scenario with different agent counts in group G, each count over N seeds in memory on
every core, and finds by bisection the fewest agents for which every --target holds with 95%
confidence: the lower end of the figure's 95% interval meets a >= or > target, the upper end a
<= or < one. Every count runs the same seeds, so neighbouring counts meet the same customers
(common random numbers) and differ by the agents alone. The search starts from the scenario's own
count and assumes more agents never serve worse.

A target is PATH OP NUMBER, as in an expect line: service._all.service_level>=0.8 (a share:
0.8 is 80%), service.chat_vip.asa<=10 (seconds), service._all.abandon_rate<=0.05,
occupancy.Chat<=0.9. A figure of all queues may be named by its last part: asa<=30.

It prints the figures at the answer and one agent below (which does not meet them), and the
counts it tried; --json everything; --plot FILE (.png or .svg) the targets' figures against the
agents around the answer with their intervals, the target lines and the answer marked.

How good is the answer? The interval is over seeds: more seeds narrow it (the answer may drop by
an agent); a run that starts empty flatters short runs, so run a day rather than an hour, or set
a warm-up. With --seeds 10 an answer is right for the scenario 95 times in 100 per target.

Exit status: 0 when a count in the range meets every target, 1 when none does, 2 on bad input,
130/143 when interrupted (Ctrl-C stops at once).`,
		Example: `  ixlb staff service-level --group Chat --target 'service._all.service_level>=0.8'
  ixlb staff design.yaml --group Sales --target 'asa<=30' --target 'abandon_rate<=0.05' --seeds 20
  ixlb staff urs2-dies.yaml --group Sales --target 'service._all.service_level>=0.8' --plot staff.png`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.warmup.set = cmd.Flags().Changed("warmup")
			return runStaff(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.group, "group", "", "the agent group to staff (required)")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "PATH OP NUMBER that must hold with 95% confidence (repeatable; required)")
	cmd.Flags().IntVar(&f.seeds, "seeds", 10, "seeds per agent count (at least 2)")
	cmd.Flags().IntVar(&f.min, "min", 1, "the fewest agents to consider (at least 1: with none nobody is answered)")
	cmd.Flags().IntVar(&f.max, "max", 0, fmt.Sprintf("the most agents to consider (0: up to %d)", scenarios.MaxAgents))
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&f.plot, "plot", "", "draw the targets' figures against the agents around the answer (.svg or .png)")
	cmd.Flags().BoolVar(&f.logY, "log-y", false, "with --plot: a logarithmic y axis (for waits)")
	cmd.Flags().IntVar(&f.jobs, "jobs", 0, "runs at once (0: one per core)")
	cmd.Flags().BoolVar(&f.noBar, "no-progress", false, "do not show progress on a terminal")
	f.warmup.add(cmd)
	return cmd
}

func runStaff(stdout, stderr io.Writer, arg string, f staffFlags) error {
	if f.group == "" {
		return exitf(2, "--group is required: the agent group to staff, e.g. --group Chat")
	}
	if len(f.targets) == 0 {
		return exitf(2, "--target is required: what the staffing must reach, e.g. --target 'service._all.service_level>=0.8'")
	}
	if f.seeds < 2 || f.seeds > study.MaxSeeds {
		return exitf(2, "--seeds must be from 2 to %d (a confidence interval needs 2), got %d", study.MaxSeeds, f.seeds)
	}
	if f.jobs < 0 {
		return exitf(2, "--jobs must not be negative, got %d", f.jobs)
	}
	if f.min < 1 {
		return exitf(2, "--min must be at least 1, got %d: with no agents nobody is answered, which no staffing is", f.min)
	}
	if f.plot != "" {
		if _, err := study.PlotFormat(f.plot); err != nil {
			return exitf(2, "%v", err)
		}
	}
	var targets []study.Target
	for _, t := range f.targets {
		tg, err := study.ParseTarget(t)
		if err != nil {
			return exitf(2, "%v", err)
		}
		targets = append(targets, tg)
	}
	sc, err := loadForStudy(stderr, arg)
	if err != nil {
		return err
	}
	if err := f.warmup.apply(&sc.Config); err != nil {
		return err
	}
	if err := checkOutputs(nil, []string{scenarioPath(sc)}, output{"--plot", f.plot}); err != nil {
		return exitf(2, "%v", err)
	}
	sig := watchSignals()
	defer sig.release()
	guard, err := newMemoryGuard()
	if err != nil {
		return exitf(2, "%v", err)
	}
	prog := progressOut(stderr, f.noBar || f.json)
	tried, trying := 0, 0
	opt := study.StaffOptions{Group: f.group, Targets: targets, Seeds: f.seeds, Min: f.min, Max: f.max,
		Trying: func(n int) { tried++; trying = n },
		Options: study.Options{Jobs: f.jobs, Halted: sig.stopped, Guard: guard,
			Progress: func(done, total int) {
				showCount(prog, fmt.Sprintf("staff: %d agents in %s (count %d)", trying, f.group, tried), done, total)
			}}}
	if f.plot != "" {
		opt.Around = plotWindow
	}
	res, err := study.Staff(sc, opt)
	clearProgress(prog)
	if errors.Is(err, study.ErrInterrupted) {
		done := max(0, tried-1)
		fmt.Fprintf(stderr, "staff interrupted after %d agent %s\n", done, plural(done, "count", "counts"))
		return &exitError{code: sig.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return exitf(2, "%v", err)
	}
	// Nothing is left to stop between: a signal from now on ends the process at once, even while
	// it is blocked writing (a report into a pipe nobody reads).
	sig.done()
	if f.json {
		if err := writeJSON(stdout, res); err != nil {
			return exitf(2, "staff: %v", err)
		}
	} else {
		var b strings.Builder
		printStaff(&b, res, fmtDuration(sc.Config.Duration))
		io.WriteString(stdout, scenarios.EscapeTerminalLines(b.String()))
	}
	if f.plot != "" {
		notes, err := writePlot(f.plot, func(format string) ([]byte, []string, error) {
			return study.DrawStaffPlot(format, res, plotWindow, f.logY)
		})
		if err != nil {
			return exitf(2, "plot: %v", err)
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "plot: %s\n", n)
		}
		fmt.Fprintf(stderr, "plot → %s\n", f.plot)
	}
	if !res.Found {
		return &exitError{code: 1, err: errors.New("")}
	}
	return nil
}

func printStaff(w io.Writer, s *study.Staffing, duration string) {
	figs := s.Figures()
	fmt.Fprintf(w, "Staffing %s in %s: the fewest agents for which, with 95%% confidence,\n", s.Group, s.Scenario)
	for _, t := range s.Targets {
		fmt.Fprintf(w, "  %s\n", t.Describe(figs))
	}
	fmt.Fprintf(w, "%s of %s%s at every count (common random numbers)\n\n", study.SeedRange(s.Seeds), duration, warmupNote(figs))
	cols := []string{}
	for _, t := range s.Targets {
		cols = append(cols, t.Path)
	}
	if occ := "occupancy." + s.Group; !contains(cols, occ) {
		cols = append(cols, occ)
	}
	var rows []int
	if s.Found {
		rows = []int{s.Agents - 1, s.Agents}
	} else {
		for _, p := range s.Points[max(0, len(s.Points)-2):] {
			rows = append(rows, p.Agents)
		}
	}
	// What the design loses or holds stands beside the answer: no staffing brings it back, and a
	// service level read alone would hide it.
	for _, c := range []string{"interactions.lost", "service." + core.AllQueues + ".held"} {
		for _, n := range rows {
			if p, ok := s.Point(n); ok && p.Figures[c].Mean > 0 && !contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"agents"}
	for _, c := range cols {
		head = append(head, core.DescribeFigure(c, figs).TitleWithUnit())
	}
	head = append(head, "meets every target")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	decimals := map[string]int{} // one precision down each column
	for _, c := range cols {
		var cis []float64
		for _, n := range rows {
			if p, ok := s.Point(n); ok {
				cis = append(cis, p.Figures[c].CI95)
			}
		}
		decimals[c] = core.DescribeFigure(c, nil).Decimals(cis...)
	}
	undefined := false
	for _, n := range rows {
		p, ok := s.Point(n)
		if !ok {
			continue
		}
		cells := []string{strconv.Itoa(n)}
		for _, c := range cols {
			sum := p.Figures[c]
			cells = append(cells, study.FormatSummary(core.DescribeFigure(c, nil), sum, decimals[c]))
			undefined = undefined || sum.Undefined > 0
		}
		cells = append(cells, yesNo(p.OK))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	if undefined {
		fmt.Fprintf(w, "(%s)\n", study.UndefinedNote)
	}
	var counts []string
	for _, p := range s.Points {
		counts = append(counts, strconv.Itoa(p.Agents))
	}
	fmt.Fprintln(w)
	switch {
	case !s.Found && s.Plateau != "":
		fmt.Fprintf(w, "No count meets every target: %s (tried %s).\n", s.Plateau, strings.Join(counts, " "))
	case !s.Found:
		fmt.Fprintf(w, "No count from %d to %d agents meets every target (tried %s).\n", s.Min, s.Max, strings.Join(counts, " "))
	default:
		fmt.Fprintf(w, "→ %d %s in %s (tried %s)\n", s.Agents, plural(s.Agents, "agent", "agents"), s.Group, strings.Join(counts, " "))
		if p, ok := s.Point(s.Agents); ok {
			for _, x := range p.Warnings {
				fmt.Fprintf(w, "warning at %d agents, %s: %s\n", s.Agents, study.SeedRange(s.Seeds[:1]), x)
			}
		}
		if below, ok := s.Point(s.Agents - 1); ok && below.OK {
			fmt.Fprintf(w, "  %d agents meet every target too: the answer is at most --min %d; lower --min to search below it\n", s.Agents-1, s.Min)
		}
	}
	for _, x := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", x)
	}
}

// fmtDuration writes a run length as a planner does: 8h, 1h30m, 45s.
func fmtDuration(d time.Duration) string { return core.FormatDuration(d) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
