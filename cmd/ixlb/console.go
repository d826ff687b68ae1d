//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui"
	"github.com/ixlb/ixlb/tui/live"
)

// defaultScenario is what `ixlb` opens with no argument: the seed document's example.
const defaultScenario = "seed-example"

type consoleFlags struct {
	speed    float64
	paused   bool
	data     string
	fresh    bool
	rebuild  bool
	readOnly bool
}

var console consoleFlags

func addConsoleFlags(cmd *cobra.Command) {
	cmd.Flags().Float64Var(&console.speed, "speed", 1, "virtual seconds per wall-clock second (pause with space, change with + and -)")
	cmd.Flags().BoolVar(&console.paused, "paused", false, "open paused")
	cmd.Flags().StringVar(&console.data, "data", "", "keep the session in this directory (default: $XDG_STATE_HOME/ixlb/<scenario>-<digest of the file's path>)")
	cmd.Flags().BoolVar(&console.fresh, "fresh", false, "start the scenario over instead of resuming the saved session")
	cmd.Flags().BoolVar(&console.rebuild, "rebuild", false, "regenerate interaction databases, or the stored event log, that differ from the saved session by replaying it")
	cmd.Flags().BoolVar(&console.readOnly, "read-only", false, "look, do not touch: operator actions are refused and the saved session is left as it is (the scenario runs from its start in a scratch directory)")
}

// persister saves the console's session: operator actions, the event log and, about ten times
// a second, the engine's resume state — after the interaction rows, so it never runs ahead.
type persister struct {
	ss  session
	log core.EventSink
}

func (p *persister) RecordAction(t int64, a core.Action) error { return p.ss.RecordAction(t, a) }
func (p *persister) Commit(st core.ResumeState) error          { return p.ss.SaveAsync(st) }
func (p *persister) Event(e *core.Event, line []byte)          { p.log.Event(e, line) }

// Branch makes the saved session the branch cut, with its actions, in one step (see
// session.Branch); the databases follow when the runner resumes its journal on them.
func (p *persister) Branch(cut core.BranchCut) error { return p.ss.Branch(cut) }

// loadConfig is the console's scenario loader (the `o` file picker and `:load`, a file or a
// bundled name): lint errors stop the load there too, as they do on the command line; warnings go
// to the console's :messages.
func loadConfig(path string) (core.Config, []string, error) {
	sc, err := scenarios.Resolve(path)
	if err != nil {
		return core.Config{}, nil, err
	}
	ds := scenarios.Lint(sc)
	var warnings []string
	for _, d := range ds {
		if d.Severity == scenarios.SeverityError {
			return core.Config{}, nil, errors.New(d.Lint())
		}
		warnings = append(warnings, d.Lint())
	}
	if _, err := core.New(sc.Config); err != nil {
		return core.Config{}, nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	return sc.Config, warnings, nil
}

// savedSpeed reads the speed the console last ran a session at.
func savedSpeed(ss session) (float64, bool) {
	x, err := live.ParseSpeed(ss.ConsoleSpeed())
	return x, err == nil
}

// curDir is the data directory of the scenario running in the console (read by SavedSession on
// a UI goroutine, written by OpenScenario on the runner's).
type curDir struct {
	mu  sync.Mutex
	dir string
	ss  session // its session, whose files an export must not write (nil: none known)
	// def is the directory the running scenario would have without --data (defaultDataDir):
	// opening that scenario again from the console means the running session, wherever it is.
	def string
	// home is the session the console was opened on with --data (dir "" without): its
	// scenario, opened again from the console after another (by name or file, :load or o),
	// is that session again, not a second one in its default directory.
	home struct{ def, dir string }
}

func (c *curDir) get() string { c.mu.Lock(); defer c.mu.Unlock(); return c.dir }
func (c *curDir) set(ss session, def string) {
	c.mu.Lock()
	c.dir, c.ss, c.def = ss.Dir(), ss, def
	c.mu.Unlock()
}

// running says whether a scenario whose default directory is def is the one running, and
// where its session is.
func (c *curDir) running(def string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clean := filepath.Clean(def)
	return c.dir, clean == filepath.Clean(c.dir) || (c.def != "" && clean == filepath.Clean(c.def))
}

// newCurDir is the console's record of the session it opened on sc, ss; fromData says ss is in
// the directory --data named, which sc's session stays in while the console runs.
func newCurDir(ss session, sc *scenarios.Scenario, fromData bool) *curDir {
	c := &curDir{dir: ss.Dir(), ss: ss}
	c.def, _ = defaultDataDir(sc)
	if fromData && !ss.Temporary() {
		c.home.def, c.home.dir = c.def, ss.Dir()
	}
	return c
}

// dirFor is where the session of a scenario whose default directory is def lives: the running
// session's directory when it is the running scenario, --data's when it is the scenario the
// console was opened on with --data, else def.
func (c *curDir) dirFor(def string) (dir string, running bool) {
	if dir, ok := c.running(def); ok {
		return dir, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.home.dir != "" && c.home.def != "" && filepath.Clean(def) == filepath.Clean(c.home.def) {
		return c.home.dir, false
	}
	return def, false
}

// session is the running scenario's session (its Owns reads only what it was opened with, so
// it may be asked from any goroutine).
func (c *curDir) session() session { c.mu.Lock(); defer c.mu.Unlock(); return c.ss }

// openConsoleScenario moves the console's persister to the session of a scenario opened from the
// console: its own directory, resumed unless fresh. On error the running scenario's session is
// kept (or reopened, when it was the same directory).
func openConsoleScenario(p *persister, cur *curDir, cfg core.Config, source string, fresh bool) (live.ScenarioSession, error) {
	def, err := defaultDataDir(&scenarios.Scenario{File: source, Config: cfg})
	if err != nil {
		return live.ScenarioSession{}, err
	}
	// The running scenario again, or --data's: that session, in its directory.
	next, _ := cur.dirFor(def)
	old := p.ss
	same := !old.Temporary() && filepath.Clean(old.Dir()) == filepath.Clean(next)
	if old.Temporary() {
		next = "" // a read-only console keeps to scratch directories
		fresh = true
	}
	if same { // the running scenario again: its directory is free only once closed
		if err := old.Close(); err != nil {
			return live.ScenarioSession{}, err
		}
	}
	nss, err := openSession(next, cfg, fresh, false)
	if err == nil {
		if sc, lerr := scenarios.Resolve(source); lerr == nil {
			recordScenario(nss, sc)
		}
	}
	var history []core.Event
	if err == nil && nss.Resume() != nil {
		if history, err = nss.History(5000); err != nil {
			nss.Close()
		}
	}
	if err != nil {
		if same { // put the running scenario's session back
			if back, berr := openSession(old.Dir(), cfg, false, false); berr == nil {
				p.ss, p.log = back, back.EventSink()
				cur.set(back, cur.def)
			}
		}
		var mm *store.ScenarioMismatchError
		if errors.As(err, &mm) {
			return live.ScenarioSession{}, fmt.Errorf("%w (:load! %s starts it over)", err, source)
		}
		return live.ScenarioSession{}, err
	}
	p.ss, p.log = nss, nss.EventSink()
	cur.set(nss, def)
	if !same {
		old.Close()
	}
	opened := live.ScenarioSession{Options: []core.Option{core.WithDatabases(nss.Databases())}, Resume: nss.Resume(), History: history}
	if !nss.Temporary() {
		opened.Dir = nss.Dir()
		if abs, err := filepath.Abs(opened.Dir); err == nil {
			opened.Dir = abs
		}
	}
	return opened, nil
}

// savedSession describes the saved session of a scenario opened from the console, for the
// question the console asks ("" when it has none).
func savedSession(cur *curDir, cfg core.Config, source string) string {
	def, err := defaultDataDir(&scenarios.Scenario{File: source, Config: cfg})
	if err != nil {
		return ""
	}
	dir, running := cur.dirFor(def)
	if running {
		return "the one running now, in " + dir
	}
	info, ok, err := store.PeekSession(dir)
	switch {
	case err != nil:
		return "in " + dir + ", which cannot be opened now: " + err.Error()
	case !ok || !info.Saved || (info.Events == 0 && info.VirtualTime == 0):
		return "" // nothing happened in it: nothing to resume
	case info.Scenario.SHA256 != store.ScenarioOf(cfg).SHA256:
		return "in " + dir + ", of another version of the scenario (resuming refuses it)"
	}
	return fmt.Sprintf("at virtual %s, %d events, in %s", time.Duration(info.VirtualTime).Round(time.Millisecond), info.Events, dir)
}

// needTerminal says why the console cannot draw here: it needs a terminal for its output, and
// one to read keys from (standard input, or the controlling terminal when input is redirected).
// It needs a controlling terminal too, whatever its input and output are: without one (started
// under setsid, or by a service with a terminal device handed to it) the kernel never tells it
// the terminal was resized, and it would draw for the size it started at.
func needTerminal() error {
	if !isatty.IsTerminal(os.Stdout.Fd()) {
		return errors.New("the console needs a terminal: its output is not one (redirected to a file or a pipe?)")
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		if !isatty.IsTerminal(os.Stdin.Fd()) {
			return errors.New("the console needs a terminal to read keys from: its input is not one, and there is no controlling terminal")
		}
		return errors.New("the console needs a terminal: it has no controlling terminal (started with setsid?), so it would never learn that the terminal was resized")
	}
	tty.Close()
	return nil
}

func runConsole(cmd *cobra.Command, args []string) error {
	arg := defaultScenario
	if len(args) == 1 {
		arg = args[0]
	}
	if _, err := live.ParseSpeed(strconv.FormatFloat(console.speed, 'g', -1, 64)); err != nil {
		return exitf(2, "--speed: %v", err)
	}
	sc, warnings, err := loadConsoleScenario(cmd.ErrOrStderr(), arg)
	if err != nil {
		return err
	}
	dir := console.data
	var note string
	if console.readOnly {
		// Look, do not touch: a scratch directory, so the saved session stays as it was.
		if note, err = readOnlyNote(console.data, sc, console.fresh, console.rebuild); err != nil {
			return &exitError{code: 2, err: err}
		}
		dir, console.fresh = "", true
	} else if dir == "" {
		if dir, err = defaultDataDir(sc); err != nil {
			return exitf(2, "%v", err)
		}
	}
	// What this start makes, and takes away again if there is no terminal to draw on: the
	// session's directory, and its parent ($XDG_STATE_HOME/ixlb) when that is new too.
	_, statErr := os.Stat(dir)
	made := dir != "" && errors.Is(statErr, fs.ErrNotExist)
	_, statErr = os.Stat(filepath.Dir(dir))
	madeParent := made && errors.Is(statErr, fs.ErrNotExist)
	ss, err := openSession(dir, sc.Config, console.fresh, console.rebuild)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	for _, n := range ss.Notes() { // before the screen is taken: it shows again after the console closes
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", ss.Dir(), n)
	}
	recordScenario(ss, sc)
	if !cmd.Flags().Changed("speed") && !ss.Temporary() {
		if x, ok := savedSpeed(ss); ok {
			console.speed = x // the pace the operator left it at
		}
	}
	p := &persister{ss: ss, log: ss.EventSink()}
	opts, err := consoleOptions(sc, ss, p, warnings)
	if err != nil {
		ss.Close()
		return exitf(2, "%s: %v (use --fresh to start over)", dir, err)
	}
	opts.Note = note
	// After the session's own checks and its resume (a refusal there says more), before the
	// screen is taken: without a terminal there is no console, and a directory made for it goes.
	var noTerminal error
	opts.Terminal = func() error { noTerminal = needTerminal(); return noTerminal }
	// tui.Run handles SIGINT, SIGTERM and SIGHUP itself (a second handler here could deadlock
	// Bubble Tea's shutdown).
	err = tui.Run(context.Background(), opts)
	if noTerminal != nil {
		ss.Close()
		if made {
			os.RemoveAll(dir)
		}
		if madeParent {
			os.Remove(filepath.Dir(dir)) // only if still empty
		}
		return exitf(2, "%v\nTo run %s without a terminal: ixlb run %s (--json for the report, --events FILE for the log)", noTerminal, sc.Config.Name, arg)
	}
	if cerr := p.ss.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return consoleExit(ss, err)
}

// readOnlyNote is what a read-only console says of the flags it does not use: --data DIR (the
// session there is left as it is; the scenario runs from its start in a scratch directory),
// --fresh and --rebuild (nothing to start over or rebuild). A DIR that holds a session of another
// scenario is refused as it is without --read-only: the operator meant to look at that one.
func readOnlyNote(data string, sc *scenarios.Scenario, fresh, rebuild bool) (string, error) {
	var unused []string
	if data != "" {
		// A directory busy with another console, or one that cannot be read, is not opened
		// here at all: only a session known to be another scenario's is refused.
		if info, ok, err := store.PeekSession(data); err == nil && ok && info.Scenario.Name != sc.Config.Name {
			return "", fmt.Errorf("data directory %s belongs to scenario %q, not %q: name that scenario (its file, or its name when bundled) to look at it read-only",
				data, info.Scenario.Name, sc.Config.Name)
		}
		unused = append(unused, "the session in "+data+" is left as it is")
	}
	if fresh {
		unused = append(unused, "--fresh does nothing")
	}
	if rebuild {
		unused = append(unused, "--rebuild does nothing")
	}
	if len(unused) == 0 {
		return "", nil
	}
	return "read-only: " + strings.Join(unused, ", ") + "; " + sc.Config.Name + " runs from its start in a scratch directory", nil
}

// loadConsoleScenario loads the scenario the console opens and checks it before the console
// takes the screen: lint (its warnings on stderr), the memory estimate, the engine's own checks.
func loadConsoleScenario(stderr io.Writer, arg string) (*scenarios.Scenario, []string, error) {
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	warnings, err := lintAtLoad(stderr, sc)
	if err != nil { // warnings before the TUI takes the screen
		return nil, nil, err
	}
	if guard, err := newMemoryGuard(); err != nil {
		return nil, nil, exitf(2, "%v", err)
	} else if err := guard.checkEstimate(sc.File, sc.Config); err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	if _, err := core.New(sc.Config); err != nil {
		return nil, nil, exitf(2, "%s: %v", sc.File, err)
	}
	return sc, warnings, nil
}

// consoleOptions wires the console to its session: the engine on the session's databases, the
// saved history, the scenarios it may open (each in a session of its own), the speed kept, export.
func consoleOptions(sc *scenarios.Scenario, ss session, p *persister, warnings []string) (tui.Options, error) {
	engineOpts := []core.Option{core.WithDatabases(ss.Databases())}
	if console.rebuild {
		engineOpts = append(engineOpts, core.WithRebuild())
	}
	opts := tui.Options{Config: sc.Config, Source: sc.File, Load: loadConfig, Speed: console.speed,
		Paused: console.paused, Persister: p, EngineOptions: engineOpts,
		Resume: ss.Resume(), Warnings: warnings, ReadOnly: console.readOnly}
	if ss.Resume() != nil {
		var err error
		if opts.History, err = ss.History(5000); err != nil {
			return opts, err
		}
	}
	// Each scenario keeps its own session in its own directory: one opened from the console
	// (o, :load) resumes its saved session unless the operator chose to start it over.
	cur := newCurDir(ss, sc, console.data != "")
	opts.OpenScenario = func(cfg core.Config, source string, fresh bool) (live.ScenarioSession, error) {
		return openConsoleScenario(p, cur, cfg, source, fresh)
	}
	if !console.readOnly { // a read-only console opens every scenario from its start
		opts.SavedSession = func(cfg core.Config, source string) string {
			return savedSession(cur, cfg, source)
		}
	}
	if !console.readOnly {
		// Failing to keep the speed is not worth an error.
		opts.SpeedChanged = func(x float64) { p.ss.SetConsoleSpeed(strconv.FormatFloat(x, 'g', -1, 64)) }
	}
	opts.Export, opts.ExportCheck = consoleExport(cur), consoleExportCheck(cur)
	for _, b := range scenarios.Bundled() {
		opts.Bundled = append(opts.Bundled, b.Name)
	}
	return opts, nil
}

// consoleExit is the console's exit: a session that does not match its databases says what to
// do, a signal exits 128 + its number.
func consoleExit(ss session, err error) error {
	var mm *core.ResumeMismatchError
	if errors.As(err, &mm) {
		return &exitError{code: 2, err: explain(ss.ResumeError(err))}
	}
	var sig *tui.Signalled
	if errors.As(err, &sig) {
		// Stopped by a signal, the session saved: 128 + its number, as the shell expects (130
		// for SIGINT, 143 for SIGTERM, 129 for SIGHUP), not 0.
		code := 130
		if s, ok := sig.Signal.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		return &exitError{code: code, err: errors.New("")}
	}
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
