package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

func (m *Model) tooSmall() bool { return m.w < minW || m.h < minH }

// layout fits the panes to the terminal (panes.go), when it is large enough to draw them.
func (m *Model) layout() {
	if !m.tooSmall() {
		m.place(m.w, m.h)
	}
}

// View renders the latest frame. It is called after every message, so it only assembles what
// the panes render from their visible windows.
func (m *Model) View() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	if m.tooSmall() {
		msg := fmt.Sprintf("enlarge the terminal (need %dx%d, have %dx%d)", minW, minH, m.w, m.h)
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, lipgloss.NewStyle().Width(m.w).Align(lipgloss.Center).Render(msg))
	}
	if m.snap() == nil {
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, "starting the simulation…")
	}
	body := m.paneManager.view(m.w, m.h, m.snap().Scenario)
	if m.dlg != nil {
		m.overlay(body)
	}
	if m.cmdOn {
		body = append(body, m.th.bar.s(fit(" "+m.cmdHint(), m.w)))
	} else {
		body = append(body, m.statusBar())
	}
	body = append(body, m.bottomLine())
	return strings.Join(body, "\n")
}

// seg is a piece of the status bar in its paint.
type seg struct {
	t string
	p paint
}

// statusBar shows the scenario, the clock and speed, the active IS, totals and the last error,
// dropping detail to fit the width.
func (m *Model) statusBar() string {
	th := m.th
	levels := m.statusLevels()
	// The account of damage (the run report's figures and labels): never dropped for room.
	if d := m.frame.Snap.Damage; d.Lost > 0 || d.Held > 0 {
		var dmg []seg
		if d.Lost > 0 {
			dmg = append(dmg, seg{"lost " + count(d.Lost), th.barBad})
		}
		if d.Held > 0 {
			dmg = append(dmg, seg{"held " + count(d.Held), th.barWarn})
		}
		for i := range levels {
			levels[i] = append(levels[i], dmg...)
		}
	}
	const sep = " │ "
	// The last error keeps at least this much room: detail goes first.
	errRoom := 0
	if m.lastErr != "" {
		errRoom = len(sep) + min(width(m.lastErr)+12, 40) // figures go first: the error needs room to be read
	}
	use, used := fitLevel(levels, sep, m.w-errRoom)
	var b strings.Builder
	b.WriteString(th.bar.s(" "))
	for i, sg := range use {
		if i > 0 {
			b.WriteString(th.bar.s(sep))
		}
		b.WriteString(sg.p.s(sg.t))
	}
	if m.lastErr != "" {
		if rest := m.w - used - len(sep); rest >= 12 {
			e := "last error: " + m.lastErr
			if width(e) > rest && rest < 40 {
				e = "✗ error · :messages" // the bottom line and :messages have it in full
			}
			e = clip(e, rest)
			b.WriteString(th.bar.s(sep))
			b.WriteString(th.barBad.s(e))
			used += len(sep) + width(e)
		}
	}
	if used < m.w {
		b.WriteString(th.bar.s(spaces(m.w - used)))
	}
	return fit(b.String(), m.w)
}

// fitLevel is the first level (the most detailed) that fits in room, and its width; the last
// when none does.
func fitLevel(levels [][]seg, sep string, room int) ([]seg, int) {
	var use []seg
	used := 0
	for _, lv := range levels {
		n := 1
		for i, sg := range lv {
			if i > 0 {
				n += len(sep)
			}
			n += width(sg.t)
		}
		use, used = lv, n
		if n <= room {
			break
		}
	}
	return use, used
}

// runSegs say the state of the run (speed, paused, end of scenario, rewound, read-only), in
// words and, for a bar too narrow for them, shorter.
func (m *Model) runSegs() (run, short seg) {
	th, f := m.th, m.frame
	run = seg{"► " + speedText(f.Speed), th.barKey}
	short = run
	if f.Paused {
		run = seg{"‖ paused · " + speedText(f.Speed), th.barWarn}
		short = seg{"‖ " + speedText(f.Speed), th.barWarn}
		if f.Note != "" {
			run.t = "‖ end of scenario · " + speedText(f.Speed)
			short.t = "‖ end " + speedText(f.Speed)
		}
	}
	if f.Behind && !f.Paused {
		run.t += " (behind)"
	}
	if f.Rewound {
		// The past, replayed: the live simulation waits where it was. (To the millisecond when
		// the two would read the same second.)
		at, live := shortClock(time.Duration(f.Snap.T)), shortClock(time.Duration(f.LiveT))
		if at == live {
			at, live = clock(f.Snap.T), clock(f.LiveT)
		}
		run = seg{"at " + at + " (rewound, live is at " + live + ")", th.barWarn}
		short = seg{"rewound · live " + live, th.barWarn}
	}
	if m.readOnly {
		// Whoever looks at the screen knows nothing they do will change the simulation.
		run.t, short.t = "read-only "+run.t, "RO "+short.t
	}
	return run, short
}

// statusLevels are the status bar's contents from the most detailed to the least.
func (m *Model) statusLevels() [][]seg {
	th, f, s := m.th, m.frame, m.frame.Snap
	run, runShort := m.runSegs()
	clk := "t " + clock(s.T)
	clkShort := seg{clk, th.bar}
	if f.Duration > 0 {
		clk += " / " + shortClock(f.Duration)
	}
	is := seg{"IS " + s.ActiveIS, th.bar}
	if s.ActiveIS == "" {
		is = seg{"IS none", th.barBad}
	} else if s.Held {
		is = seg{"IS " + s.ActiveIS + " held", th.barBad}
	}
	// One wording at every width: a narrower bar leaves figures out first, then the scenario's
	// duration and the IS; it does not rename anything, and the state of the run (paused, end
	// of scenario, rewound) keeps its words to the last. One source too: these are the run
	// report's figures under its labels — the interactions as the databases have them
	// (Snapshot.Recorded) — and the account of damage; what the IS holds in memory, which runs
	// ahead while writes wait for a DAP, is the Interactions pane's.
	rc, resub := s.Recorded, s.Damage.Resubmitted
	fig := func(parts ...string) seg { return seg{strings.Join(parts, " · "), th.bar} }
	sub, done := "submitted "+count(rc.Submitted), "completed "+count(rc.Completed)
	resubmitted := "resubmissions " + count(resub)
	figures := []seg{
		fig(sub, done, "queued "+count(rc.Queued), "in URS "+count(rc.InURS), "with agent "+count(rc.WithAgent), resubmitted),
		fig(sub, done, "in URS "+count(rc.InURS), resubmitted),
		fig(sub, done, resubmitted),
		fig(sub, done),
		fig(sub),
	}
	var head []seg // the scenario's name: the compact layout's tab bar shows it
	if !m.compact {
		head = []seg{{s.Scenario, th.barKey}}
	}
	with := func(segs ...seg) []seg { return append(append([]seg(nil), head...), segs...) }
	clkSeg := seg{clk, th.bar}
	return [][]seg{
		with(run, clkSeg, is, figures[0]),
		with(run, clkSeg, is, figures[1]),
		with(run, clkSeg, is, figures[2]),
		with(run, clkSeg, is, figures[3]),
		with(run, clkShort, is, figures[3]),
		with(run, clkShort, is, figures[4]),
		with(run, clkShort, is),
		{run, clkShort, is},
		{run, clkShort},
		{runShort, clkShort}, // (only where the words do not fit at all)
	}
}

// bottomLine is the command line while typing, else the latest message, else the key hints.
func (m *Model) bottomLine() string {
	th := m.th
	switch {
	case m.cmdOn:
		return fit(m.cmd.View(), m.w)
	case m.msg != "" && m.msgErr:
		return th.bad.s(fit("✗ "+m.msg, m.w))
	case m.msg != "":
		return th.ok.s(fit("✓ "+m.msg, m.w))
	}
	h := m.help
	h.Width = m.w
	if m.dlg != nil {
		return fit(h.ShortHelpView(m.dlg.Keys()), m.w)
	}
	if m.capturing() {
		return fit(h.ShortHelpView([]key.Binding{kKeepFilter, kClearFilter}), m.w)
	}
	return fit(h.ShortHelpView(m.keyMap().ShortHelp()), m.w)
}

// dialogWidth is a dialog's outer width: what it prefers, within the terminal.
func (m *Model) dialogWidth(prefer int) int { return min(m.w-4, prefer) }

// overlay draws the open dialog centred over the body lines.
func (m *Model) overlay(body []string) {
	th := m.th
	dw := m.dialogWidth(96)
	if sz, ok := m.dlg.(interface{ width() int }); ok {
		dw = m.dialogWidth(sz.width())
	}
	maxH := len(body) - 2
	iw := dw - 4
	content := m.dlg.View(th, iw, maxH-4)
	if len(content) > maxH-4 {
		content = content[:maxH-4]
	}
	title := clip(" "+safeText(m.dlg.Title())+" ", iw)
	bp := th.dialogBorder
	lines := make([]string, 0, len(content)+4)
	lines = append(lines, bp.s("╭─")+th.titleFocus.s(title)+bp.s(strings.Repeat("─", max(0, dw-3-width(title)))+"╮"))
	lines = append(lines, bp.s("│")+spaces(dw-2)+bp.s("│"))
	for _, c := range content {
		lines = append(lines, bp.s("│")+" "+fit(c, iw)+" "+bp.s("│"))
	}
	lines = append(lines, bp.s("│")+spaces(dw-2)+bp.s("│"))
	lines = append(lines, bp.s("╰"+strings.Repeat("─", dw-2)+"╯"))
	x := (m.w - dw) / 2
	y := max(0, (len(body)-len(lines))/2)
	for i, l := range lines {
		if y+i >= len(body) {
			break
		}
		bg := body[y+i]
		body[y+i] = ansi.Truncate(bg, x, "") + l + ansi.TruncateLeft(bg, x+dw, "")
	}
}
