package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

func (m *Model) tooSmall() bool { return m.w < minW || m.h < minH }

// Below fullW x fullH the console shows one pane at a time.
const (
	fullW = 140
	fullH = 34
)

// layout places the panes. Wide and tall terminals get the whole console at once: Routing over
// the Event log on the left, ESP, Database and Interactions on the right. Smaller ones (down to
// 80x24) show one pane at a time under a tab bar, so nothing is squeezed into garbage.
func (m *Model) layout() {
	if m.tooSmall() {
		return
	}
	bodyH := m.h - 2 // status bar and help line
	m.compact = m.w < fullW || m.h < fullH
	if m.compact {
		r := rect{0, 1, m.w, bodyH - 1}
		for i := range m.rects {
			m.rects[i] = r
			m.panes[i].SetSize(r.w-2, r.h-2)
		}
		return
	}
	// The right column's tables need about 60 columns. Up to 180 columns the rest goes to the
	// matrix and the event log; beyond, the event log has what it needs (about 100) and the
	// right column, whose panes truncate first, takes the rest.
	rightW := clamp(m.w*42/100, 60, 80)
	if m.w >= 180 {
		rightW = clamp(m.w-100, 80, m.w/2)
	}
	leftW := m.w - rightW
	routH := bodyH / 2
	m.rects[paneRouting] = rect{0, 0, leftW, routH}
	m.rects[paneLog] = rect{0, routH, leftW, bodyH - routH}
	for _, i := range []int{paneRouting, paneLog} {
		m.panes[i].SetSize(m.rects[i].w-2, m.rects[i].h-2)
	}
	m.layoutRight(leftW, rightW, bodyH)
}

// layoutRight splits the right column between ESP, Database and Interactions by what each has
// to show (at least 7 lines each), so a long ESP list is not cut while Interactions has empty
// lines. Without a frame yet it uses 40/30/30.
func (m *Model) layoutRight(x, w, h int) {
	ps := []int{paneESP, paneDB, paneIxn}
	hs := []int{h * 40 / 100, h * 30 / 100, 0}
	hs[2] = h - hs[0] - hs[1]
	want := make([]int, 3)
	total := 0
	for k, i := range ps {
		m.panes[i].SetSize(w-2, hs[k]-2) // rows are built for the width
		if lp, ok := m.panes[i].(interface{ want() int }); ok {
			want[k] = max(7, lp.want()+2)
		}
		total += want[k]
	}
	if m.frame != nil && total > 0 {
		const least = 7
		if total <= h {
			// Everything fits: each gets what it wants, Interactions the rest.
			hs = []int{want[0], want[1], h - want[0] - want[1]}
		} else {
			// Shares by want, none below the least.
			rest := h
			for k := 0; k < 2; k++ {
				hs[k] = max(least, h*want[k]/total)
				rest -= hs[k]
			}
			hs[2] = rest
			if hs[2] < least {
				hs[0] -= least - hs[2]
				hs[2] = least
			}
		}
	}
	y := 0
	for k, i := range ps {
		m.rects[i] = rect{x, y, w, hs[k]}
		m.panes[i].SetSize(w-2, hs[k]-2)
		y += hs[k]
	}
	m.rightWants = m.wants()
}

// wants are the right column's content heights; a change re-lays the column out.
func (m *Model) wants() [3]int {
	var out [3]int
	for k, i := range []int{paneESP, paneDB, paneIxn} {
		if lp, ok := m.panes[i].(interface{ want() int }); ok {
			out[k] = lp.want()
		}
	}
	return out
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
	body := make([]string, 0, m.h)
	if m.compact {
		body = append(body, m.tabBar())
		body = append(body, m.box(m.focus)...)
	} else {
		left := append(m.box(paneRouting), m.box(paneLog)...)
		right := append(append(m.box(paneESP), m.box(paneDB)...), m.box(paneIxn)...)
		for i := range left {
			body = append(body, left[i]+right[i])
		}
	}
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

// box draws pane i inside its border: title in the top edge, position in the bottom edge, heavy
// lines when focused.
func (m *Model) box(i int) []string {
	th, r, p := m.th, m.rects[i], m.panes[i]
	b, bp, tp := boxPlain, th.border, th.title
	if i == m.focus {
		b, bp, tp = boxFocus, th.borderFocus, th.titleFocus
	}
	iw, ih := r.w-2, r.h-2
	title := clip(" "+strconv.Itoa(i+1)+" "+p.Title()+" ", max(0, iw-1))
	out := make([]string, 0, r.h)
	out = append(out, bp.s(b.tl+b.h)+tp.s(title)+bp.s(strings.Repeat(b.h, max(0, iw-1-width(title)))+b.tr))
	lines := strings.Split(p.View(), "\n")
	side := bp.s(b.v)
	for j := 0; j < ih; j++ {
		l := ""
		if j < len(lines) {
			l = lines[j]
		}
		out = append(out, side+fit(l, iw)+side)
	}
	info := p.Info()
	if info != "" {
		info = " " + clip(info, max(0, iw-4)) + " "
	}
	out = append(out, bp.s(b.bl+strings.Repeat(b.h, max(0, iw-width(info)-1)))+th.dim.s(info)+bp.s(b.h+b.br))
	return out
}

// tabBar is the compact layout's pane switcher.
func (m *Model) tabBar() string {
	th := m.th
	var b strings.Builder
	x := 0
	m.tabs = m.tabs[:0]
	for i, p := range m.panes {
		t := " " + strconv.Itoa(i+1) + " " + p.Title() + " "
		if i == m.focus {
			t = "[" + strconv.Itoa(i+1) + " " + p.Title() + "]"
			b.WriteString(th.cursor.s(t))
		} else {
			b.WriteString(th.dim.s(t))
		}
		m.tabs = append(m.tabs, span{x, x + width(t)})
		x += width(t)
		b.WriteString(" ")
		x++
	}
	// The scenario's name, right-aligned: the status bar has no room for it at this size.
	if rest := m.w - x - 1; rest >= 8 {
		name := clip(m.snap().Scenario, rest)
		b.WriteString(spaces(rest - width(name)))
		b.WriteString(th.bold.s(name))
	}
	return fit(b.String(), m.w)
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
	if m.panes[m.focus].Capturing() {
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
