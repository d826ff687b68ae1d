package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui"
)

// defaultScenario is what `ixlb` opens with no argument: the seed document's example.
const defaultScenario = "seed-example"

type consoleFlags struct {
	speed    float64
	paused   bool
	data     string
	fresh    bool
	readOnly bool
}

var console consoleFlags

func addConsoleFlags(cmd *cobra.Command) {
	cmd.Flags().Float64Var(&console.speed, "speed", 1, "virtual seconds per wall-clock second (pause with space, change with + and -)")
	cmd.Flags().BoolVar(&console.paused, "paused", false, "open paused")
	cmd.Flags().StringVar(&console.data, "data", "", "keep the session in this directory (default: $XDG_STATE_HOME/ixlb/<scenario>)")
	cmd.Flags().BoolVar(&console.fresh, "fresh", false, "start the scenario over instead of resuming the saved session")
	cmd.Flags().BoolVar(&console.readOnly, "read-only", false, "look, do not touch: operator actions are refused and the saved session is left as it is (the scenario runs from its start in a scratch directory)")
}

// persister saves the console's session: operator actions, the event log and, about ten times
// a second, the engine's resume state — after the interaction rows, so it never runs ahead.
type persister struct {
	ss  *session
	log store.EventLog
}

func (p *persister) RecordAction(t int64, a core.Action) error { return p.ss.st.RecordAction(t, a) }
func (p *persister) Commit(st core.ResumeState) error          { return p.ss.commitAsync(st) }
func (p *persister) Event(e *core.Event, line []byte)          { p.log.Event(e, line) }

// loadConfig is the console's scenario loader (the `o` file picker and `:load`): lint errors stop
// the load there too, as they do on the command line.
func loadConfig(path string) (core.Config, error) {
	sc, err := scenarios.Resolve(path)
	if err != nil {
		return core.Config{}, err
	}
	if ds := scenarios.Lint(sc); ds.HasErrors() {
		for _, d := range ds {
			if d.Severity == scenarios.SeverityError {
				return core.Config{}, errors.New(d.Lint())
			}
		}
	}
	return sc.Config, nil
}

func runConsole(cmd *cobra.Command, args []string) error {
	arg := defaultScenario
	if len(args) == 1 {
		arg = args[0]
	}
	if _, err := tui.ParseSpeed(strconv.FormatFloat(console.speed, 'g', -1, 64)); err != nil {
		return exitf(2, "--speed: %v", err)
	}
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	warnings, err := lintAtLoad(cmd.ErrOrStderr(), sc)
	if err != nil { // warnings before the TUI takes the screen
		return err
	}
	if _, err := core.New(sc.Config); err != nil {
		return exitf(2, "%s: %v", sc.File, err)
	}
	dir := console.data
	if console.readOnly {
		// Look, do not touch: a scratch directory, so the saved session stays as it was.
		dir, console.fresh = "", true
	} else if dir == "" {
		if dir, err = defaultDataDir(sc); err != nil {
			return exitf(2, "%v", err)
		}
	}
	ss, err := openSession(dir, sc.Config, console.fresh)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	p := &persister{ss: ss, log: ss.st.EventSink()}
	opts := tui.Options{Config: sc.Config, Source: sc.File, Load: loadConfig, Speed: console.speed,
		Paused: console.paused, Persister: p, EngineOptions: []core.Option{core.WithDatabases(ss.st)},
		Resume: ss.resume, Warnings: warnings, ReadOnly: console.readOnly}
	if ss.resume != nil {
		if opts.History, err = ss.history(5000); err != nil {
			ss.close()
			return exitf(2, "%s: %v (use --fresh to start over)", dir, err)
		}
	}
	// A scenario opened from the console (o, :load) gets its own directory and starts afresh.
	opts.EngineOptionsFor = func(cfg core.Config, source string) ([]core.Option, error) {
		next, err := defaultDataDir(&scenarios.Scenario{File: source, Config: cfg})
		if err != nil {
			return nil, err
		}
		nss, err := openSession(next, cfg, true)
		if err != nil {
			return nil, err
		}
		old := p.ss
		p.ss, p.log = nss, nss.st.EventSink()
		old.close()
		return []core.Option{core.WithDatabases(nss.st)}, nil
	}
	// tui.Run handles SIGINT, SIGTERM and SIGHUP itself (a second handler here could deadlock
	// Bubble Tea's shutdown).
	err = tui.Run(context.Background(), opts)
	if cerr := p.ss.close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
