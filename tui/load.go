package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// scenarioFiles is what the console knows of scenario files: how to read one, where the file
// picker and :load start, the bundled scenarios, saved sessions, and where :export writes.
type scenarioFiles struct {
	load LoadFunc // nil: no `o`, no `:load`
	dir  string   // where the file picker and :load start
	// seenSource is the running scenario's file, which dir follows.
	seenSource string
	// bundled are the bundled scenarios' names, for :load's completion.
	bundled []string
	// savedSession describes a scenario's saved session (Options.SavedSession).
	savedSession func(cfg core.Config, source string) string
	// export writes the session as a scenario (Options.Export); nil: :export is not available.
	export ExportFunc
	// exportCheck says why :export may not write a path (Options.ExportCheck).
	exportCheck func(path, source string) error
}

// follow moves dir next to the running scenario's file, when it is one: the file picker and
// :load start there.
func (f *scenarioFiles) follow(source string) {
	if source == f.seenSource {
		return
	}
	f.seenSource = source
	if abs, err := filepath.Abs(source); err == nil && source != "" {
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			f.dir = filepath.Dir(abs)
		}
	}
}

// openFile opens the file picker in the current directory.
func (m *Model) openFile() tea.Cmd {
	if m.load == nil {
		m.fail(errors.New("opening scenario files is not available in this console"))
		return nil
	}
	m.dlg = filePick(m.dir, func(path string) tea.Cmd {
		c, err := m.loadCmd(path, loadAsk)
		if err != nil {
			return func() tea.Msg { return resultMsg{err: err} }
		}
		return c
	})
	return nil
}

// How a scenario opened from the console starts.
type loadMode uint8

const (
	loadAsk    loadMode = iota // the file picker: ask, offering to resume or start over
	loadResume                 // :load — resume its saved session, if any
	loadFresh                  // :load! — start over, erasing its saved session (asks first)
)

// loadCmd parses a scenario file off the UI goroutine (and looks for its saved session).
func (m *Model) loadCmd(path string, mode loadMode) (tea.Cmd, error) {
	if m.load == nil {
		return nil, errors.New("load: opening scenario files is not available in this console")
	}
	if !filepath.IsAbs(path) && m.dir != "" {
		// A file next to the others; otherwise the name goes to the loader as typed, which
		// knows the bundled scenarios (":load urs-failover").
		if _, err := os.Stat(filepath.Join(m.dir, path)); err == nil {
			path = filepath.Join(m.dir, path)
		}
	}
	load, saved := m.load, m.savedSession
	return func() tea.Msg {
		cfg, warns, err := load(path)
		msg := loadedMsg{path: path, cfg: cfg, warnings: warns, err: err, mode: mode}
		if err == nil && saved != nil {
			msg.saved = saved(cfg, path)
		}
		return msg
	}, nil
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		m.fail(msg.err)
		return nil
	}
	sim, cfg, path, warns := m.sim, msg.cfg, msg.path, msg.warnings
	name := safeText(cfg.Name)
	replace := func(fresh bool) tea.Cmd {
		return func() tea.Msg {
			if err := sim.Replace(cfg, path, fresh); err != nil {
				return resultMsg{err: fmt.Errorf("load %s: %w", path, err)}
			}
			how := "a new session"
			switch {
			case msg.saved != "" && fresh:
				how = "started over"
			case msg.saved != "":
				how = "resumed its saved session"
			}
			return loadResultMsg{info: "opened " + name + " (" + how + ") from " + path, warnings: warns}
		}
	}
	cur := "the running scenario"
	if s := m.snap(); s != nil {
		cur = s.Scenario
	}
	keep := "Running: " + cur + " — its session is saved; opening it again resumes it."
	if cur == name {
		keep = "It is the scenario running now."
	}
	switch {
	case msg.mode == loadResume:
		return replace(false)
	case msg.mode == loadFresh && msg.saved == "":
		return replace(true)
	case msg.mode == loadFresh:
		m.dlg = &confirmDialog{title: "Start " + name + " over?", danger: true, warn: "! This erases a saved session.",
			body: []string{"This erases the saved session of " + name + ": " + msg.saved + ".", keep},
			yes:  replace(true)}
	case msg.saved == "":
		m.dlg = &confirmDialog{title: "Open " + name + "?",
			body: []string{keep, "New: " + name + " (" + path + "), from its start."},
			yes:  replace(false)}
	default:
		m.dlg = &choiceDialog{title: "Open " + name + "?",
			body: []string{keep, name + " has a saved session: " + msg.saved + "."},
			choices: []choice{
				{key: "r", label: "resume it", cmd: replace(false)},
				{key: "f", label: "start over (erases its saved session)", cmd: replace(true)},
			}}
	}
	return nil
}
