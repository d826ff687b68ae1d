package tui

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
	"github.com/muesli/termenv"
)

// Options start the console.
type Options struct {
	Config core.Config
	Source string   // the scenario file the config came from, "" when built in memory
	Load   LoadFunc // reads a scenario file for `o` and `:load`; nil disables them
	Speed  float64  // initial speed factor; 0 means 1x
	Paused bool     // start paused
	// Persister records operator actions (and, if it implements core.EventSink, events); nil
	// keeps the session in memory.
	Persister live.Persister
	// History is the event log of an earlier session, shown before the new events.
	History []core.Event
	// EngineOptions go to every core.New the console makes (the first scenario and each one
	// loaded later). Do not pass core.WithSink here: the console needs the engine's only sink;
	// use Sink.
	EngineOptions []core.Option
	// OpenScenario, when set, gives what each scenario opened later from the console runs on:
	// its own databases and, unless fresh, its saved session (see RunnerOptions).
	OpenScenario func(cfg core.Config, source string, fresh bool) (live.ScenarioSession, error)
	// SavedSession describes the saved session of a scenario ("" when it has none), for the
	// question asked before opening it; it is called off the UI goroutine.
	SavedSession func(cfg core.Config, source string) string
	// SpeedChanged is told each speed the operator sets (off the UI goroutine), so the next
	// session can start at it.
	SpeedChanged func(x float64)
	// Sink receives every event too (on the engine's goroutine; see core.EventSink).
	Sink core.EventSink
	// Resume, when set, continues a saved session (core.Resume) instead of starting afresh.
	Resume *core.ResumeState
	// Warnings are the scenario's lint warnings: the status bar says how many there are (the
	// CLI prints them on stderr, where they show again after the console closes).
	Warnings []string
	// ReadOnly opens a console where everything can be looked at and nothing changes the
	// simulation (a trainee or an observer watching a drill). It may rewind, never branch.
	ReadOnly bool
	// Export writes the session as a scenario (:export); nil disables it.
	Export ExportFunc
	// ExportCheck, when set, says why :export may not write path (a file of the session, the
	// scenario file it runs from source, not a regular file): asked before the console offers
	// to overwrite anything.
	ExportCheck func(path, source string) error
	// Bundled are the names of the bundled scenarios, which :load completes.
	Bundled []string
	// Note is said in the bottom line when the console opens, and kept in :messages (e.g.
	// what a read-only console leaves unused).
	Note string
	// Terminal, when set, says why there is no terminal to draw on (nil: there is one). It is
	// asked once the simulation is built, before the screen is taken; Run returns its error.
	Terminal func() error
}

// Run opens the console full screen and returns when the user quits or ctx ends.
func Run(ctx context.Context, o Options) error {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	r, err := live.NewRunner(o.Config, live.RunnerOptions{Source: o.Source, Speed: o.Speed, Paused: o.Paused,
		Persister: o.Persister, History: o.History, EngineOptions: o.EngineOptions,
		OpenScenario: o.OpenScenario, Sink: o.Sink, Resume: o.Resume})
	if err != nil {
		return err
	}
	if o.Terminal != nil {
		if err := o.Terminal(); err != nil {
			return errors.Join(err, r.Close())
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.Start(ctx)
	m := NewModel(r, o.Load)
	m.savedSession = o.SavedSession
	m.speedChanged = o.SpeedChanged
	m.warnings(o.Warnings)
	if o.Note != "" {
		m.info(o.Note)
	}
	m.SetReadOnly(o.ReadOnly)
	m.SetExport(o.Export)
	m.SetExportCheck(o.ExportCheck)
	m.SetBundled(o.Bundled)
	// Bubble Tea's own signal handler is off: with a second handler in the process (or a
	// cancelled context) it can block forever handing an InterruptMsg to an event loop that has
	// already stopped, and the console never exits. One handler here quits instead.
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx),
		tea.WithoutSignalHandler())
	var caught atomic.Value // the signal that ended the console
	stop := quitOnSignal(p, &caught)
	defer stop()
	_, err = p.Run()
	sig, _ := caught.Load().(os.Signal)
	if errors.Is(err, tea.ErrProgramKilled) && (ctx.Err() != nil || sig != nil) {
		err = nil // the caller cancelled or a signal asked to quit: a normal way out
	}
	err = errors.Join(err, r.Close())
	if err == nil && sig != nil {
		return &Signalled{Signal: sig}
	}
	return err
}

// Signalled is Run's error when a signal ended the console, the session saved: the caller exits
// as the shell expects of a process a signal stopped, 128 + its number.
type Signalled struct{ Signal os.Signal }

func (s *Signalled) Error() string { return "stopped by " + s.Signal.String() }

// quitOnSignal ends p on SIGINT, SIGTERM, SIGHUP or SIGQUIT: the first asks it to quit (the terminal is
// restored, the session saved); a second, or a quit that does not finish within a second, kills
// it; SIGHUP (the terminal closed) kills it at once. Quit and Kill never block, whatever state
// the program is in.
func quitOnSignal(p *tea.Program, caught *atomic.Value) (stop func()) {
	ch := make(chan os.Signal, 2)
	// SIGQUIT too: Go's default for it dumps every goroutine over the console's screen and exits
	// 2, the terminal left in raw mode on the alternate screen.
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-ch:
		case <-done:
			return
		}
		caught.Store(sig)
		if sig == syscall.SIGHUP {
			// The terminal is gone: nothing to draw or restore there, and a graceful quit
			// would only wait on writes to it. The session is still saved (Run closes the
			// runner after the program returns).
			p.Kill()
			return
		}
		p.Quit()
		select {
		case <-ch:
		case <-time.After(time.Second):
		case <-done:
			return
		}
		p.Kill()
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
