//go:build cgo

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui/live"
)

type runFlags struct {
	seed     uint64
	json     bool
	events   string
	noProg   bool
	seedSet  bool
	data     string
	speed    float64
	fresh    bool
	rebuild  bool
	plot     string
	interval time.Duration
	warmup   time.Duration
	warmSet  bool
	ivSet    bool // --interval given (0s too)
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario headlessly and check its expectations",
		Long: `Run simulates the scenario's duration of virtual time as fast as possible, prints a summary
(URS distribution per strategy, ESP requests per target, DAPs, agents) and evaluates the
scenario's expect lines.

SCENARIO is a file or the name of a bundled scenario (see the README).

State lives in SQLite: each database of the scenario is DIR/<name>.db and the run state and event
log are DIR/ixlb.db. Without --data a temporary directory is used and removed at the end. With
--data, a run that was killed continues from its last commit when the same command is run again:
the session is replayed from its journal (seed, operator actions) to its last commit, checked against
the saved event-log hash and the interaction databases, and goes on exactly as if it had never
stopped. A directory whose run had finished reports it again. A database that does not hold what
the session wrote (deleted, emptied, replaced, edited), or a stored event log that is not the
journal's, is refused with what differs: --rebuild regenerates it by replay, --fresh starts over.
--speed N paces virtual time at N times the wall clock instead of running flat out.

One process owns a data directory at a time: a second one on it is refused at once. Ctrl-C or
SIGTERM commits what is done and stops; the same command then resumes.

Exit status: 0 when every expectation holds, 1 when one fails, 2 when the scenario cannot be
loaded (the message names FILE:LINE:COL) or the run cannot go on, 130/143 when interrupted by
SIGINT/SIGTERM.`,
		Example: `  ixlb run seed-example
  ixlb run design.yaml --seed 42 --json > report.json
  ixlb run design.yaml --events events.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.seedSet = cmd.Flags().Changed("seed")
			f.warmSet = cmd.Flags().Changed("warmup")
			f.ivSet = cmd.Flags().Changed("interval")
			runGC()
			return runScenario(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	cmd.Flags().Var((*seedFlag)(&f.seed), "seed", "override the scenario's seed (a whole number from 0 to 18446744073709551615)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the run report as JSON on stdout")
	cmd.Flags().StringVar(&f.events, "events", "", "write the event log (JSON lines) to this file")
	cmd.Flags().BoolVar(&f.noProg, "no-progress", false, "do not show a progress bar on a terminal")
	cmd.Flags().StringVar(&f.data, "data", "", "keep the databases and run state in this directory (resumes a killed run)")
	cmd.Flags().Var(newSpeedValue(&f.speed, 0, true), "speed", fmt.Sprintf("pace virtual time at N times the wall clock (0: as fast as possible; at most %d)", maxSpeed))
	cmd.Flags().BoolVar(&f.fresh, "fresh", false, "with --data: start over, removing the directory's ixlb files")
	cmd.Flags().BoolVar(&f.rebuild, "rebuild", false, "with --data: regenerate interaction databases, or the stored event log, that differ from the session by replaying it")
	cmd.Flags().StringVar(&f.plot, "plot", "", "draw queues, agents, service level and URS shares over time (.svg or .png)")
	cmd.Flags().DurationVar(&f.interval, "interval", 0, fmt.Sprintf("with --plot: the interval service level and URS shares are taken over (default 15m; shorter for runs under an hour; at most %d intervals)", study.MaxRunIntervals))
	cmd.Flags().DurationVar(&f.warmup, "warmup", 0, "leave interactions that arrive before this out of the service figures (every queue; overrides the file's service_level warmup)")
	return cmd
}

// runGCPercent is the garbage collector's target for `ixlb run` (GOGC, unless the environment
// sets it): the heap may grow to 1.5 times what is live, not twice. What is live is flat (the
// engine, the rows and event lines of at most two saves), but with Go's default a long run
// reached its 2× peak where a short one stopped before it: peak RSS 1.15–1.4 times as high for a
// run eight times as long. At 50 it is within 1.15, for a few percent more CPU (README, Figures).
const runGCPercent = 50

// runGC sets runGCPercent for this process, unless GOGC is set.
func runGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(runGCPercent)
	}
}

// lineSink writes the event log, one JSON object a line, to the --events file. The file is opened
// only once the session is accepted (attach): a rerun refused because the session changed leaves
// the user's file as it was. Lines that come before (a new engine's first events, if any) wait in
// memory.
type lineSink struct {
	w       *bufio.Writer
	waiting []byte
}

func (s *lineSink) Event(_ *core.Event, line []byte) {
	if s.w == nil {
		s.waiting = append(append(s.waiting, line...), '\n')
		return
	}
	s.w.Write(line)
	s.w.WriteByte('\n')
}

// attach opens the --events file: a resumed session's file is written whole, the committed events
// from the store first, then the run goes on — the same file, byte for byte, as a run never
// stopped (a killed run's own file is missing what it had buffered).
func (s *lineSink) attach(path string, ss session) (*outputFile, error) {
	file, err := createOutput(path, ss, false)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(file, 1<<20)
	if r := ss.Resume(); r != nil && r.Events > 0 {
		if err := ss.EachEvent(r.Events, func(line string) {
			w.WriteString(line)
			w.WriteByte('\n')
		}); err != nil {
			file.Abort()
			return nil, err
		}
	}
	w.Write(s.waiting)
	s.w, s.waiting = w, nil
	return file, nil
}

func runScenario(stdout, stderr io.Writer, arg string, f runFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	p, err := prepareRun(stderr, arg, f)
	if err != nil {
		return err
	}
	// From before the session exists: a signal while it opens is heard at the first step, and
	// a temporary directory is not left behind.
	stop := watchSignals()
	defer stop.release()
	ss, err := openSessionWith(f.data, p.cfg, store.SessionOptions{Fresh: f.fresh, Rebuild: f.rebuild, Interrupt: stop.stopped})
	if errors.Is(err, core.ErrInterrupted) {
		fmt.Fprintf(stderr, "interrupted while regenerating the event log of %s; nothing was changed: run the same command to go on\n", f.data)
		return &exitError{code: stop.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer ss.Close()
	stop.onForce(func() { // ended at once by a signal: a temporary directory is not left behind
		if ss.Temporary() {
			os.RemoveAll(ss.Dir())
		}
	})
	// The engine asks between events, not only between slices: a slice can hold millions of
	// events, and a signal is answered at once however long it takes.
	opts := []core.Option{core.WithDatabases(ss.Databases()), core.WithSink(ss.EventSink()), core.WithInterrupt(stop.stopped)}
	var sink *lineSink
	if f.events != "" {
		sink = &lineSink{}
		opts = append(opts, core.WithSink(sink))
	}
	eng, err := startEngine(stderr, ss, p, f, opts)
	if errors.Is(err, core.ErrInterrupted) {
		fmt.Fprintf(stderr, "interrupted while replaying the session in %s; nothing was changed: run the same command to resume\n", ss.Dir())
		return &exitError{code: stop.exitCode(), err: errors.New("")}
	}
	if err != nil {
		return err
	}
	// The session is accepted: from here on its outputs are written.
	recordScenario(ss, p.sc)
	var events *bufio.Writer
	if sink != nil {
		file, err := sink.attach(f.events, ss)
		if err != nil {
			return exitf(2, "events: %v", err)
		}
		defer file.Close()
		events = sink.w
	}
	start := time.Now()
	end := int64(p.cfg.Duration)
	prog := progressOut(stderr, f.noProg)
	lp := loop{ss: ss, progress: prog, stop: stop, guard: p.guard, slices: runSlices(p.cfg)}
	if f.speed > 0 {
		err = lp.pace(eng, end, f.speed)
	} else {
		err = lp.simulate(eng, end)
	}
	if err != nil {
		return stopped(stderr, eng, ss, events, stop, err)
	}
	elapsed := time.Since(start)
	if events != nil {
		if err := events.Flush(); err != nil {
			return exitf(2, "events: %v", err)
		}
	}
	if err := save(ss, eng); err != nil {
		return databasesFailed(ss, eng, err)
	}
	stop.done() // from here on a signal ends the process at once: nothing is left to commit
	return reportRun(stdout, stderr, eng, p, f, elapsed)
}

// check refuses flags that do not go together, before anything is read.
func (f runFlags) check() error {
	if f.fresh && f.data == "" {
		return exitf(2, "--fresh needs --data")
	}
	if f.rebuild && (f.data == "" || f.fresh) {
		return exitf(2, "--rebuild needs --data (and starts from the saved session, so not with --fresh)")
	}
	if _, err := study.PlotFormat(f.plot); f.plot != "" && err != nil {
		return exitf(2, "%v", err)
	}
	if (f.interval != 0 || f.ivSet) && f.plot == "" {
		return exitf(2, "--interval is the plot's interval: give --plot FILE too")
	}
	if f.interval < 0 || f.ivSet && f.interval == 0 {
		return exitf(2, "--interval %s: want a positive length such as 15m or 30m (leave it out for the default)", f.interval)
	}
	return nil
}

// runPlan is a scenario checked and ready to run.
type runPlan struct {
	sc       *scenarios.Scenario
	warnings []string     // lint's, at load
	cfg      core.Config  // the session's configuration: the file's, with --seed
	runCfg   core.Config  // what the engine runs: cfg with --warmup
	guard    *memoryGuard // watches the process's memory
}

// prepareRun loads the scenario and checks everything that can be checked before the run: lint,
// the memory estimate, the engine's own checks, the plot, the outputs and the warm-up.
func prepareRun(stderr io.Writer, arg string, f runFlags) (*runPlan, error) {
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	warnings, err := lintAtLoad(stderr, sc) // lint warnings on stderr and in the report
	if err != nil {
		return nil, err
	}
	cfg := sc.Config
	if f.seedSet {
		cfg.Seed = f.seed
	}
	guard, err := newMemoryGuard()
	if err != nil {
		return nil, exitf(2, "%v", err)
	}
	if err := guard.checkEstimate(sc.File, cfg); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if _, err := core.New(cfg); err != nil {
		return nil, exitf(2, "%s: %v", sc.File, err)
	}
	if f.plot != "" {
		// Before the run: a plot that cannot be drawn is said now, not after an hour's run.
		if err := study.CheckRunPlot(f.plot, cfg, f.interval); err != nil {
			return nil, exitf(2, "%v", err)
		}
	}
	// The outputs are checked before anything is done (not even the data directory made); they
	// are written once the session is accepted.
	var layout sessionFiles
	if f.data != "" {
		layout = store.NewLayout(f.data, cfg)
	}
	if err := checkOutputs(layout, []string{scenarioPath(sc)}, output{"--events", f.events}, output{"--plot", f.plot}); err != nil {
		return nil, exitf(2, "%v", err)
	}
	// The warm-up changes what is counted, not what happens: the session is the file's, so a
	// finished --data run can be reported again with another --warmup.
	runCfg := cfg
	if f.warmSet {
		if err := checkWarmup(f.warmup, cfg.Duration); err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		runCfg.Queues = append([]core.QueueConfig(nil), cfg.Queues...)
		runCfg.SetWarmup(f.warmup)
	}
	return &runPlan{sc: sc, warnings: warnings, cfg: cfg, runCfg: runCfg, guard: guard}, nil
}

// startEngine makes the engine: the saved session resumed (saying so), or a new run.
func startEngine(stderr io.Writer, ss session, p *runPlan, f runFlags, opts []core.Option) (*core.Engine, error) {
	r := ss.Resume()
	if r == nil {
		eng, err := core.New(p.runCfg, opts...)
		if err != nil {
			return nil, exitf(2, "%s: %v", p.sc.File, err)
		}
		return eng, nil
	}
	if f.rebuild {
		opts = append(opts, core.WithRebuild())
	}
	eng, err := core.Resume(p.runCfg, *r, opts...)
	if errors.Is(err, core.ErrInterrupted) {
		return nil, err // a signal during the replay: the caller says so
	}
	if err != nil {
		return nil, &exitError{code: 2, err: explain(ss.ResumeError(err))}
	}
	for _, n := range append(slices.Clone(ss.Notes()), eng.Notes()...) {
		fmt.Fprintf(stderr, "%s: %s\n", ss.Dir(), n)
	}
	if r.Events == 0 {
		// Nothing committed to resume: only the notes say what was rolled back.
	} else if r.T >= int64(p.cfg.Duration) {
		fmt.Fprintf(stderr, "the run in %s had finished at %s virtual; reporting it again\n", ss.Dir(), time.Duration(r.T).Round(time.Millisecond))
	} else {
		fmt.Fprintf(stderr, "resuming %s from %s at %s virtual\n", p.cfg.Name, ss.Dir(), time.Duration(r.T).Round(time.Millisecond))
	}
	return eng, nil
}

// reportRun prints the finished run's report (JSON or the summary), draws its plot and exits 1
// when an expectation fails.
func reportRun(stdout, stderr io.Writer, eng *core.Engine, p *runPlan, f runFlags, elapsed time.Duration) error {
	rep, err := eng.Report()
	if err != nil {
		return exitf(2, "report: %v", err)
	}
	rep.Expectations = scenarios.Evaluate(p.sc.Expect, rep)
	runWarnings := len(rep.Warnings) // the run's own, after lint's (which went to stderr at load)
	rep.Warnings = append(p.warnings, rep.Warnings...)
	if f.json {
		if err := writeJSON(stdout, rep); err != nil {
			return exitf(2, "report: %v", err)
		}
	} else {
		var b strings.Builder
		printSummary(&b, rep, elapsed, rep.Warnings[len(rep.Warnings)-runWarnings:])
		// Names and expectations come from the file: escaped for the terminal.
		io.WriteString(stdout, scenarios.EscapeTerminalLines(b.String()))
	}
	if err := plotRun(stderr, f.plot, p.runCfg, f.interval); err != nil {
		return exitf(2, "plot: %v", err)
	}
	for _, x := range rep.Expectations {
		if !x.OK {
			return &exitError{code: 1, err: fmt.Errorf("")}
		}
	}
	return nil
}

// seedFlag is --seed: the seed of the random streams, a uint64, refused in words when it is not.
type seedFlag uint64

func (s *seedFlag) String() string { return strconv.FormatUint(uint64(*s), 10) }
func (s *seedFlag) Type() string   { return "uint64" }
func (s *seedFlag) Set(v string) error {
	x, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return fmt.Errorf("a seed is a whole number from 0 to 18446744073709551615")
	}
	*s = seedFlag(x)
	return nil
}

// plotRun draws `ixlb run --plot`: the run is replayed in memory from the start (deterministic,
// and a resumed session is the same world as one never interrupted), sampled finely; the plot
// costs a second run but changes nothing in the first.
func plotRun(stderr io.Writer, path string, cfg core.Config, interval time.Duration) error {
	if path == "" {
		return nil
	}
	_, err := writePlot(path, func(format string) ([]byte, []string, error) {
		img, err := study.DrawRunPlot(format, cfg, interval)
		return img, nil, err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "plot → %s\n", path)
	return nil
}

// checkWarmup refuses a --warmup that would leave nothing to measure.
func checkWarmup(d, duration time.Duration) error {
	switch {
	case d < 0:
		return fmt.Errorf("--warmup %s: must not be negative", d)
	case d >= duration:
		return fmt.Errorf("--warmup %s: not shorter than the run (duration %s): nothing would be measured", d, duration)
	}
	return nil
}

// progressOut is where the progress bar goes: stderr when it is a terminal, else nowhere.
func progressOut(stderr io.Writer, off bool) io.Writer {
	if off {
		return nil
	}
	if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return stderr
	}
	return nil
}

// storageError says the databases failed under the engine (core.Engine.StorageErr): what the
// engine did since is not the simulated world's, and is not saved.
type storageError struct{ err error }

func (e *storageError) Error() string { return e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }

// loop drives the engine to the end of the run, committing as it goes, and stops early on a
// signal or when the memory guard trips.
type loop struct {
	ss       session
	progress io.Writer
	stop     *interruption
	guard    *memoryGuard
	slices   int
}

// step commits after a stretch of virtual time and checks for a reason to stop.
func (lp loop) step(eng *core.Engine, end int64) error {
	if err := lp.save(eng); err != nil {
		return err
	}
	return lp.check(eng, end)
}

// save commits the session in the background (checkpoint), after a storage failure's check.
func (lp loop) save(eng *core.Engine) error {
	if err := eng.StorageErr(); err != nil {
		return &storageError{err}
	}
	if err := checkpoint(lp.ss, eng); err != nil {
		return &storageError{err} // a save that failed (or one in the background before it)
	}
	return nil
}

// check shows progress and checks for a reason to stop.
func (lp loop) check(eng *core.Engine, end int64) error {
	if err := eng.StorageErr(); err != nil {
		return &storageError{err}
	}
	showProgress(lp.progress, eng, end)
	if lp.stop.stopped() {
		return errInterrupted
	}
	return lp.guard.Check(eng)
}

// simulate runs the engine to the end as fast as it goes, showing progress on a terminal and
// checking for a signal and the memory guard every 1% of the duration (more often under heavy
// traffic).
//
// It saves the session every so many events (saveEvery), so a killed run loses little, and so
// that what waits for a commit (the event lines and interaction rows since the last save)
// follows the traffic, not the run's length: a run eight times as long holds no more. The saves
// fall where that many events are reached (at an instant's end), not at slice ends: an
// interaction that lives across few saves is written to its database few times.
func (lp loop) simulate(eng *core.Engine, end int64) error {
	from, start := eng.Now(), eng.EventCount()
	saved := start
	for i := 1; i <= lp.slices; i++ {
		to := core.SliceEnd(from, end, i, lp.slices)
		for !eng.RunUntilEvents(to, saved+saveEvery(eng.EventCount()-start, i-1, lp.slices)) {
			if eng.Interrupted() {
				return errInterrupted // stopped between two instants: stopped() saves there
			}
			if err := lp.save(eng); err != nil {
				return err
			}
			saved = eng.EventCount()
		}
		if err := lp.check(eng, end); err != nil {
			return err
		}
	}
	clearProgress(lp.progress)
	return nil
}

// saveEvery is how many events a run lets pass between two saves, having seen events in done of
// its slices: store.EventsPerSave, or an eighth of the run's events as estimated so far when that
// is less, so that a small run saves a few times too (the count is the engine's, so the saves
// fall at the same events in every run of a scenario).
func saveEvery(events uint64, done, slices int) uint64 {
	every := store.EventsPerSave()
	if done == 0 {
		return every
	}
	est := events * uint64(slices) / uint64(done)
	return max(1, min(every, est/8))
}

// pace runs virtual time at speed times the wall clock, committing about ten times a second,
// with the console's pacing rule (live.Pace, live.RunTo).
func (lp loop) pace(eng *core.Engine, end int64, speed float64) error {
	const tick = 100 * time.Millisecond
	clock := live.WallClock{}
	wall0, virt0 := clock.Now(), eng.Now()
	for eng.Now() < end {
		if lp.stop.sleep(tick) {
			return errInterrupted
		}
		target := min(end, virt0+live.Pace(clock.Now().Sub(wall0), speed))
		live.RunTo(eng, target, clock, time.Time{})
		if err := lp.step(eng, end); err != nil {
			return err
		}
	}
	clearProgress(lp.progress)
	return nil
}

func showProgress(w io.Writer, eng *core.Engine, end int64) {
	if w == nil || end <= 0 {
		return
	}
	pct := int(float64(eng.Now()) * 100 / float64(end))
	n := pct * 30 / 100
	bar := strings.Repeat("█", n) + strings.Repeat("░", 30-n)
	fmt.Fprintf(w, "\r%s %3d%%  %s virtual, %d events", bar, pct, time.Duration(eng.Now()).Round(time.Second), eng.EventCount())
}

func clearProgress(w io.Writer) {
	if w != nil {
		fmt.Fprint(w, "\r\033[K")
	}
}

func printSummary(w io.Writer, r *core.Report, elapsed time.Duration, runWarnings []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "%s (seed %d): %s virtual in %s, %d events, sha256 %.12s\n\n", r.Scenario, r.Seed,
		time.Duration(r.VirtualSeconds*1e9), elapsed.Round(time.Millisecond), r.Events, r.EventsSHA256)
	ic := r.Interactions
	fmt.Fprintf(tw, "Interactions (database %s)\n", ic.Database)
	fmt.Fprintf(tw, "  submitted\t%d\tcompleted\t%d\tqueued\t%d\n", ic.Submitted, ic.Completed, ic.Queued)
	fmt.Fprintf(tw, "  in URS\t%d\twith agent\t%d\trevoked\t%d\n", ic.InURS, ic.WithAgent, ic.Revoked)
	fmt.Fprintf(tw, "  damage\t%s\n\n", damageText(ic.Damage))
	fmt.Fprintln(tw, "Routing: submissions per strategy and URS")
	for _, s := range sortedKeys(r.Routing) {
		fmt.Fprintf(tw, "  %s\t%s\n", s, joinCounts(r.Routing[s]))
	}
	fmt.Fprintln(tw, "\nESP: requests per target and server")
	for _, v := range sortedKeys(r.ESP) {
		fmt.Fprintf(tw, "  %s\t%s\n", v, joinCounts(r.ESP[v]))
	}
	fmt.Fprintf(tw, "  faults\tmisrouted %d  unavailable %d  timeout %d\n\n", r.ESPFaults.Misrouted, r.ESPFaults.Unavailable, r.ESPFaults.Timeout)
	fmt.Fprintln(tw, "Database Access Points")
	for _, d := range sortedKeys(r.DAP) {
		c := r.DAP[d]
		fmt.Fprintf(tw, "  %s\t→ %s\trequests %d\tfailures %d\n", d, c.Database, c.Requests, c.Failures)
	}
	for _, db := range sortedKeys(r.Databases) {
		c := r.Databases[db]
		fmt.Fprintf(tw, "  database %s\t%d interactions\t%d completed\n", db, c.Interactions, c.Completed)
	}
	a := r.Agents
	prolonged := ""
	if a.Prolonged > 0 {
		prolonged = fmt.Sprintf("\tprolonged %d", a.Prolonged)
	}
	fmt.Fprintf(tw, "\nAgents\treservations %d\tdenied %d\tdouble-booked %d%s\n", a.Reservations, a.Denied, a.DoubleBooked, prolonged)
	printService(tw, r)
	printServiceNotes(tw, r, runWarnings)
	for _, e := range r.Errors {
		fmt.Fprintf(tw, "\nerror: %s\n", e)
	}
	if len(r.Expectations) > 0 {
		fmt.Fprintln(tw, "\nExpectations")
		pass := 0
		for _, x := range r.Expectations {
			mark := "✗"
			if x.OK {
				mark = "✓"
				pass++
			}
			detail := fmt.Sprintf("actual %s", fmtNum(x.Actual))
			if x.Error != "" {
				detail = x.Error
			}
			fmt.Fprintf(tw, "  %s %s\t%s\n", mark, x.Expect, detail)
		}
		fmt.Fprintf(tw, "%d of %d expectations hold\n", pass, len(r.Expectations))
	}
}

// damageText is the account of damage under the labels the console shows it with (Damage.Items);
// held says where the work waits.
func damageText(d core.Damage) string {
	var parts []string
	for _, it := range d.Items() {
		s := fmt.Sprintf("%s %d", it.Label, it.Value)
		if it.Label == "held" && d.Held > 0 {
			s += fmt.Sprintf(" (%d waiting at media, %d for a DAP)", d.WaitingAtMedia, d.HeldForDAP)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

// fmtSec shows seconds to what they mean: milliseconds below a second (a 3 ms median is not 0.0),
// tenths up to 100 s, whole seconds beyond.
func fmtSec(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1:
		return fmt.Sprintf("%.3f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// lostText is a queue's lost interactions and, of them, those still open in another database.
func lostText(f core.ServiceFigures) string {
	if f.LostOpen > 0 {
		return fmt.Sprintf("%d (%d open)", f.Lost, f.LostOpen)
	}
	return fmt.Sprint(f.Lost)
}

// extraWaitText is the wait a failure added, "–" when there is nothing to compare (no touched
// interaction answered after the failure reached it, or no other).
func extraWaitText(f core.ServiceFigures) string {
	if slices.Contains(f.Undefined, "extra_wait") {
		return "–"
	}
	return fmt.Sprintf("%+.1f", f.ExtraWait)
}

// printServiceNotes follows the service table: what the warm-up left out, what an agent's time
// per interaction is made of, and the run's own warnings (not a steady state, work lost or held).
func printServiceNotes(tw *tabwriter.Writer, r *core.Report, runWarnings []string) {
	if all, ok := r.Service[core.AllQueues]; ok && (all.Warmup > 0 || all.Excluded > 0) {
		var per []string
		for _, q := range sortedKeys(r.Service) {
			if f := r.Service[q]; q != core.AllQueues && f.Warmup != all.Warmup {
				per = append(per, fmt.Sprintf("%s %s", q, time.Duration(f.Warmup*1e9)))
			}
		}
		w := time.Duration(all.Warmup * 1e9).String()
		if len(per) > 0 {
			w += " (" + strings.Join(per, ", ") + ")"
		}
		fmt.Fprintf(tw, "  warm-up\t%s: %d interactions that arrived before it are left out of these figures and of occupancy\n", w, all.Excluded)
	}
	for _, g := range sortedKeys(r.AgentTime) {
		t := r.AgentTime[g]
		rejected := ""
		if t.Rejected > 0 {
			rejected = " + rejected invites " + fmtSec(t.Rejected)
		}
		fmt.Fprintf(tw, "  agent time of %s\treservation %s + ring %s + handling %s%s = %s s an interaction (the AHT to give an Erlang calculator)\n",
			g, fmtSec(t.Reservation), fmtSec(t.Ring), fmtSec(t.Handling), rejected, fmtSec(t.PerInteraction))
	}
	for _, w := range runWarnings {
		fmt.Fprintf(tw, "  ! %s\n", w)
	}
}

func fmtNum(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%g", f)
}
