package tui

import (
	"context"
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ixlb/ixlb/core"
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
	Persister Persister
	// History is the event log of an earlier session, shown before the new events.
	History []core.Event
	// EngineOptions go to every core.New the console makes (the first scenario and each one
	// loaded later). Do not pass core.WithSink here: the console needs the engine's only sink;
	// use Sink.
	EngineOptions []core.Option
	// EngineOptionsFor, when set, gives the options of each scenario loaded later from the
	// console (for example a fresh set of databases for it).
	EngineOptionsFor func(cfg core.Config, source string) ([]core.Option, error)
	// Sink receives every event too (on the engine's goroutine; see core.EventSink).
	Sink core.EventSink
	// Resume, when set, continues a saved session (core.Resume) instead of starting afresh.
	Resume *core.ResumeState
	// Warnings are the scenario's lint warnings: the status bar says how many there are (the
	// CLI prints them on stderr, where they show again after the console closes).
	Warnings []string
}

// Run opens the console full screen and returns when the user quits or ctx ends.
func Run(ctx context.Context, o Options) error {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	r, err := NewRunner(o.Config, RunnerOptions{Source: o.Source, Speed: o.Speed, Paused: o.Paused,
		Persister: o.Persister, History: o.History, EngineOptions: o.EngineOptions,
		EngineOptionsFor: o.EngineOptionsFor, Sink: o.Sink, Resume: o.Resume})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.Start(ctx)
	m := NewModel(r, o.Load)
	m.warnings(o.Warnings)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx))
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil // the caller cancelled: a normal way out
	}
	return errors.Join(err, r.Close())
}
