package tui

import (
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/tui/live"
)

// paneManager owns the panes: which one has the focus, where each is drawn, the layout that
// fits them to the terminal, their borders and the mouse over them (pug's PaneManager). The
// Model hosts dialogs and the command line over it and feeds it frames and keys.
type paneManager struct {
	th      *theme
	panes   []pane
	focus   int
	rects   []rect
	compact bool
	tabs    []span // compact mode: where each pane's tab is, for mouse clicks
	// rightWants are the right column's content heights the layout was made for.
	rightWants [3]int
	framed     bool // a frame came: the right column is split by what the panes show
}

type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

type span struct{ x0, x1 int }

// The panes, in tab order.
const (
	paneRouting = iota
	paneESP
	paneDB
	paneIxn
	paneLog
	numPanes
)

func newPaneManager(th *theme, g *globalKeys) paneManager {
	pm := paneManager{th: th, rects: make([]rect, numPanes), panes: []pane{
		newRoutingPane(th, g),
		newESPPane(th, g),
		newDBPane(th, g),
		newIxnPane(th, g),
		newLogPane(th, g, live.DefaultRingSize),
	}}
	pm.panes[pm.focus].SetFocused(true)
	return pm
}

func (pm *paneManager) focusPane(i int) {
	pm.panes[pm.focus].SetFocused(false)
	pm.focus = (i + numPanes) % numPanes
	pm.panes[pm.focus].SetFocused(true)
}

// focused is the pane with the focus.
func (pm *paneManager) focused() pane { return pm.panes[pm.focus] }

// capturing reports that the focused pane is reading text (a filter): keys go to it first.
func (pm *paneManager) capturing() bool {
	c, ok := pm.focused().(capturer)
	return ok && c.Capturing()
}

// takeFrame gives every pane the frame; it reports whether the layout must follow (the right
// column's content changed size).
func (pm *paneManager) takeFrame(f *live.Frame) (relayout bool) {
	pm.framed = true
	for _, p := range pm.panes {
		p.Update(frameMsg{f})
	}
	return !pm.compact && pm.wants() != pm.rightWants
}

// Below fullW x fullH the console shows one pane at a time.
const (
	fullW = 140
	fullH = 34
)

// place lays the panes out in a terminal of w x h. Wide and tall terminals get the whole console
// at once: Routing over the Event log on the left, ESP, Database and Interactions on the right.
// Smaller ones (down to 80x24) show one pane at a time under a tab bar, so nothing is squeezed
// into garbage.
func (pm *paneManager) place(w, h int) {
	bodyH := h - 2 // status bar and help line
	pm.compact = w < fullW || h < fullH
	if pm.compact {
		r := rect{0, 1, w, bodyH - 1}
		for i := range pm.rects {
			pm.rects[i] = r
			pm.panes[i].SetSize(r.w-2, r.h-2)
		}
		return
	}
	// The right column's tables need about 60 columns. Up to 180 columns the rest goes to the
	// matrix and the event log; beyond, the event log has what it needs (about 100) and the
	// right column, whose panes truncate first, takes the rest.
	rightW := clamp(w*42/100, 60, 80)
	if w >= 180 {
		rightW = clamp(w-100, 80, w/2)
	}
	leftW := w - rightW
	routH := bodyH / 2
	pm.rects[paneRouting] = rect{0, 0, leftW, routH}
	pm.rects[paneLog] = rect{0, routH, leftW, bodyH - routH}
	for _, i := range []int{paneRouting, paneLog} {
		pm.panes[i].SetSize(pm.rects[i].w-2, pm.rects[i].h-2)
	}
	pm.placeRight(leftW, rightW, bodyH)
}

// placeRight splits the right column between ESP, Database and Interactions by what each has
// to show (at least 7 lines each), so a long ESP list is not cut while Interactions has empty
// lines. Without a frame yet it uses 40/30/30.
func (pm *paneManager) placeRight(x, w, h int) {
	ps := []int{paneESP, paneDB, paneIxn}
	hs := []int{h * 40 / 100, h * 30 / 100, 0}
	hs[2] = h - hs[0] - hs[1]
	want := make([]int, 3)
	total := 0
	for k, i := range ps {
		pm.panes[i].SetSize(w-2, hs[k]-2) // rows are built for the width
		if lp, ok := pm.panes[i].(interface{ want() int }); ok {
			want[k] = max(7, lp.want()+2)
		}
		total += want[k]
	}
	if pm.framed && total > 0 {
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
		pm.rects[i] = rect{x, y, w, hs[k]}
		pm.panes[i].SetSize(w-2, hs[k]-2)
		y += hs[k]
	}
	pm.rightWants = pm.wants()
}

// wants are the right column's content heights; a change re-lays the column out.
func (pm *paneManager) wants() [3]int {
	var out [3]int
	for k, i := range []int{paneESP, paneDB, paneIxn} {
		if lp, ok := pm.panes[i].(interface{ want() int }); ok {
			out[k] = lp.want()
		}
	}
	return out
}

// view draws the panes in their borders, w wide (the compact layout: the focused one under the
// tab bar, which names scenario).
func (pm *paneManager) view(w, h int, scenario string) []string {
	body := make([]string, 0, h)
	if pm.compact {
		body = append(body, pm.tabBar(w, scenario))
		return append(body, pm.box(pm.focus)...)
	}
	left := append(pm.box(paneRouting), pm.box(paneLog)...)
	right := append(append(pm.box(paneESP), pm.box(paneDB)...), pm.box(paneIxn)...)
	for i := range left {
		body = append(body, left[i]+right[i])
	}
	return body
}

// box draws pane i inside its border: title in the top edge, position in the bottom edge, heavy
// lines when focused.
func (pm *paneManager) box(i int) []string {
	th, r, p := pm.th, pm.rects[i], pm.panes[i]
	b, bp, tp := boxPlain, th.border, th.title
	if i == pm.focus {
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
	info := ""
	if in, ok := p.(informer); ok {
		info = in.Info()
	}
	if info != "" {
		info = " " + clip(info, max(0, iw-4)) + " "
	}
	out = append(out, bp.s(b.bl+strings.Repeat(b.h, max(0, iw-width(info)-1)))+th.dim.s(info)+bp.s(b.h+b.br))
	return out
}

// tabBar is the compact layout's pane switcher, w wide, with the scenario's name.
func (pm *paneManager) tabBar(w int, scenario string) string {
	th := pm.th
	var b strings.Builder
	x := 0
	pm.tabs = pm.tabs[:0]
	for i, p := range pm.panes {
		t := " " + strconv.Itoa(i+1) + " " + p.Title() + " "
		if i == pm.focus {
			t = "[" + strconv.Itoa(i+1) + " " + p.Title() + "]"
			b.WriteString(th.cursor.s(t))
		} else {
			b.WriteString(th.dim.s(t))
		}
		pm.tabs = append(pm.tabs, span{x, x + width(t)})
		x += width(t)
		b.WriteString(" ")
		x++
	}
	// The scenario's name, right-aligned: the status bar has no room for it at this size.
	if rest := w - x - 1; rest >= 8 {
		name := clip(scenario, rest)
		b.WriteString(spaces(rest - width(name)))
		b.WriteString(th.bold.s(name))
	}
	return fit(b.String(), w)
}

// mouse handles a mouse event over the panes: a click on a tab or a pane focuses it (and
// clicks inside it), the wheel scrolls the pane under it.
func (pm *paneManager) mouse(ev tea.MouseMsg) {
	if pm.compact && ev.Y == 0 && ev.Action == tea.MouseActionPress && ev.Button == tea.MouseButtonLeft {
		for i, t := range pm.tabs {
			if ev.X >= t.x0 && ev.X < t.x1 {
				pm.focusPane(i)
			}
		}
		return
	}
	for i, r := range pm.rects {
		if (pm.compact && i != pm.focus) || !r.contains(ev.X, ev.Y) {
			continue
		}
		p, _ := pm.panes[i].(mouser)
		switch {
		case ev.Button == tea.MouseButtonWheelUp && p != nil:
			p.Wheel(-3)
		case ev.Button == tea.MouseButtonWheelDown && p != nil:
			p.Wheel(3)
		case ev.Action == tea.MouseActionPress && ev.Button == tea.MouseButtonLeft:
			pm.focusPane(i)
			if x, y := ev.X-r.x-1, ev.Y-r.y-1; p != nil && x >= 0 && y >= 0 && x < r.w-2 && y < r.h-2 {
				p.Click(x, y)
			}
		}
		return
	}
}
