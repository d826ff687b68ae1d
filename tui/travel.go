package tui

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// Time travel and drills: `:goto T`, `[` and `]` show the world as it was (the runner replays the
// journal in memory); an action there branches — after asking, since what happened later is
// discarded; `:live` returns. `:export FILE` writes the session as a scenario (ExportFunc).

// travelStep is how far [ and ] move.
const travelStep = 10 * time.Second

// ExportFunc writes the session j as a scenario file at path (overwriting it only when asked):
// the original scenario with the operator actions in its timeline, and expect: lines from the
// figures when expect. It checks that the file reproduces the session and says what it wrote.
type ExportFunc func(j live.SessionJournal, path string, expect, overwrite bool) (string, error)

// parseVirtualTime reads a virtual time as an operator types it: 1:30 (minutes:seconds),
// 1:02:03 (hours too), 90 or 90.5 (seconds), or a Go duration (90s, 1m30s, 1h).
func parseVirtualTime(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a virtual time: write 1:30 (m:ss), 1:02:03 (h:mm:ss), 90 (seconds) or 1m30s", s)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, bad
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, bad
		}
		return int64(d), nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, bad
	}
	var total float64
	for i, p := range parts {
		last := i == len(parts)-1
		if p == "" || (!last && strings.Contains(p, ".")) {
			return 0, bad
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (i > 0 && v >= 60) {
			return 0, bad
		}
		total = total*60 + v
	}
	if total > float64(1<<62)/1e9 {
		return 0, bad
	}
	return int64(total * 1e9), nil
}

// rewound reports whether the console shows a rewound view.
func (m *Model) rewound() bool { return m.frame != nil && m.frame.Rewound }

// shownT is the virtual time on the screen.
func (m *Model) shownT() int64 {
	if s := m.snap(); s != nil {
		return s.T
	}
	return 0
}

// whileRewound says why pacing does nothing in a rewound view ("" when live).
func (w world) whileRewound() string {
	if w.f == nil || !w.f.Rewound {
		return ""
	}
	var t int64
	if w.s != nil {
		t = w.s.T
	}
	return "rewound to " + clock(t) + ": the live simulation waits at " + clock(w.f.LiveT) +
		" — ] steps forward, :live returns to it as it was, running or paused"
}

// travelState is the console's one rewind under way: rewinds run one at a time, in the order
// asked (two running at once could land in either order), and [ ] pressed meanwhile aim from
// where the last one goes, so a held key steps as many times as it repeats.
type travelState struct {
	busy   bool  // a rewind (or the return to live) is under way
	queued bool  // another was asked for meanwhile: to to, when the one under way is done
	to     int64 // the instant asked for last (-1: live)
}

// travelDoneMsg says a rewind (or the return to live) is done.
type travelDoneMsg struct {
	info string
	err  error
	at   int64 // the instant shown now, for :messages (the frame showing it may come later)
}

// travelAim is the instant [ and ] step from: where the rewind under way goes, else the screen's.
func (m *Model) travelAim() int64 {
	if m.travel.busy {
		if m.travel.to < 0 {
			return m.frame.LiveT
		}
		return m.travel.to
	}
	return m.shownT()
}

// sameInstant reports whether t and u show as the same instant: the console's clock reads to
// the millisecond, and an operator acts between instants, so `:goto` of the time on the screen
// means the world as it is there now, the live one (not the instant just before what was done).
func sameInstant(t, u int64) bool { return t/int64(time.Millisecond) == u/int64(time.Millisecond) }

// rewindCmd shows the world at t: a rewound view, or the live simulation when t is where it is.
func (m *Model) rewindCmd(t int64) (tea.Cmd, error) {
	if m.frame == nil {
		return nil, errors.New("no simulation yet")
	}
	if t >= m.frame.LiveT || sameInstant(t, m.frame.LiveT) {
		if t > m.frame.LiveT && !sameInstant(t, m.frame.LiveT) {
			return nil, fmt.Errorf("the session has not reached %s yet (live is at %s)", clock(t), clock(m.frame.LiveT))
		}
		return m.liveCmd(), nil
	}
	return m.travelTo(t), nil
}

// travelTo asks for the world at t (-1: live), after the rewind under way if there is one.
func (m *Model) travelTo(t int64) tea.Cmd {
	m.travel.to = t
	if m.travel.busy {
		m.travel.queued = true
		return nil
	}
	m.travel.busy = true
	sim, ro, from, liveT := m.sim, m.readOnly, m.shownT(), m.frame.LiveT
	if t < 0 {
		return func() tea.Msg {
			if err := sim.Live(); err != nil {
				return travelDoneMsg{err: err, at: from}
			}
			return travelDoneMsg{info: "live again: nothing was changed", at: liveT}
		}
	}
	return func() tea.Msg {
		if err := sim.Rewind(t); err != nil {
			return travelDoneMsg{err: fmt.Errorf("goto: %w", err), at: from}
		}
		if ro {
			return travelDoneMsg{info: "at " + clock(t) + " (rewound, read-only: looking only); :live returns", at: t}
		}
		return travelDoneMsg{info: "at " + clock(t) + " (rewound): acting here branches; :live returns", at: t}
	}
}

// travelDone takes a finished rewind's outcome and starts the one asked for meanwhile.
func (m *Model) travelDone(msg travelDoneMsg) tea.Cmd {
	m.travel.busy = false
	if m.travel.queued {
		m.travel.queued = false
		return m.travelTo(m.travel.to) // the last one asked for: its outcome is the one to say
	}
	m.stampAt = &msg.at
	defer func() { m.stampAt = nil }()
	if msg.err != nil {
		m.fail(msg.err)
	} else {
		m.succeeded(msg.info)
	}
	return nil
}

// stepTime moves the shown instant by d: back into the past, or forward up to the live one.
func (m *Model) stepTime(d time.Duration) tea.Cmd {
	if m.frame == nil {
		return nil
	}
	from := m.travelAim()
	t := from + int64(d)
	away := m.rewound() || (m.travel.busy && m.travel.to >= 0) // in the past, or on the way there
	switch {
	case t < 0 && from == 0:
		m.info("at the start already")
		return nil
	case t < 0:
		t = 0
	case t >= m.frame.LiveT || sameInstant(t, m.frame.LiveT):
		if !away {
			m.info("live already: [ steps back")
			return nil
		}
		return m.liveCmd()
	}
	return m.travelTo(t)
}

// liveCmd returns to the present.
func (m *Model) liveCmd() tea.Cmd {
	if !m.rewound() && !m.travel.busy {
		return func() tea.Msg { return resultMsg{info: "live already"} }
	}
	return m.travelTo(-1)
}

// branchQuestion asks whether to branch for what (the action, as its message will say it) and
// says what branching from the rewound view discards.
func (m *Model) branchQuestion(what string) (string, []string) {
	f := m.frame
	at := clock(f.Discard.T)
	return "Branch at " + at + ": " + what + "?", []string{
		fmt.Sprintf("This discards what happened after %s: %s and %s (live is at %s).", at,
			plural(int(f.Discard.Events), "event"), plural(f.Discard.Actions, "operator action"), clock(f.LiveT)),
		"The session's journal is cut at " + at + " and goes on from there with this action; the databases are rebuilt by replay.",
		"(:live returns to the present without changing anything.)",
	}
}

// branchApplyCmd branches, then applies acts.
func (m *Model) branchApplyCmd(desc string, acts []core.Action) tea.Cmd {
	sim := m.sim
	return func() tea.Msg {
		d, err := sim.Branch(acts...)
		if err != nil {
			return resultMsg{err: err}
		}
		return resultMsg{info: fmt.Sprintf("%s — branched at %s (discarded %s, %s)", desc, clock(d.T),
			plural(int(d.Events), "event"), plural(d.Actions, "operator action"))}
	}
}

// exportArgs reads :export's arguments: one FILE and --expect, in either order. A FILE that
// starts with - is refused (it looks like a mistyped option: write ./-name), and ~/ is the
// home directory, as in a shell.
func exportArgs(args []string) (path string, expect bool, err error) {
	for _, a := range args {
		switch {
		case a == "--expect":
			expect = true
		case strings.HasPrefix(a, "-"):
			return "", false, fmt.Errorf("export: %q is not an option of :export FILE [--expect] (a file whose name starts with - is written ./%s)", a, a)
		case path != "":
			return "", false, fmt.Errorf("export: one FILE, not %q and %q (usage: :export FILE [--expect])", path, a)
		default:
			path = a
		}
	}
	if path == "" {
		return "", false, errors.New("export: which file? (usage: :export FILE [--expect])")
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok || path == "~" {
		home, herr := os.UserHomeDir()
		if herr != nil {
			return "", false, fmt.Errorf("export: %s: no home directory for ~ (%v)", path, herr)
		}
		path = filepath.Join(home, rest)
	}
	return path, expect, nil
}

// exportCmd writes the session as a scenario (:export FILE [--expect]).
func (m *Model) exportCmd(args []string, force bool) (tea.Cmd, error) {
	if m.export == nil {
		return nil, errors.New("export: not available in this console")
	}
	path, expect, err := exportArgs(args)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(path) && m.dir != "" {
		path = filepath.Join(m.dir, path)
	}
	if m.exportCheck != nil && m.frame != nil {
		// Refused before anything is asked or opened: the session's own files, the scenario it
		// runs, a device or a FIFO.
		if err := m.exportCheck(path, m.frame.Source); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	sim, export := m.sim, m.export
	run := func() tea.Msg {
		j, err := sim.Journal()
		if err != nil {
			return resultMsg{err: fmt.Errorf("export: %w", err)}
		}
		info, err := export(j, path, expect, true)
		if err != nil {
			return resultMsg{err: fmt.Errorf("export: %w", err)}
		}
		return resultMsg{info: info}
	}
	st, err := os.Lstat(path)
	switch {
	case err != nil:
		return run, nil
	case st.IsDir():
		return nil, fmt.Errorf("export: %s is a directory", path)
	case force:
		return run, nil
	}
	body := []string{path + " exists: the export replaces it (:export! does not ask)."}
	if st.Mode()&os.ModeSymlink != 0 {
		to, _ := os.Readlink(path)
		body = []string{path + " is a symbolic link (to " + to + "): the export replaces the link with the file, and leaves what it points at as it is (:export! does not ask)."}
	}
	m.dlg = &confirmDialog{title: "Overwrite " + filepath.Base(path) + "?", danger: true, warn: "! This replaces a file.", body: body, yes: run}
	return nil, nil
}
