package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/tui/live"
)

// pane is one component of the console. The pane manager (panes.go) owns focus, borders and
// layout; a pane renders its inner area only and sees key messages only while focused. Every
// pane sees every frame. What only some panes do is a small interface of its own (mouser,
// informer, capturer).
type pane interface {
	Title() string
	// SetSize gives the inner size (inside the border).
	SetSize(w, h int)
	SetFocused(bool)
	// Update takes frameMsg (all panes) and tea.KeyMsg (the focused pane).
	Update(msg tea.Msg) tea.Cmd
	// View renders exactly the inner height; lines wider than the inner width are clipped.
	View() string
	// Keys are the pane's own bindings, for the help.
	Keys() []paneKey
	// Selection is what operator actions act on.
	Selection() selection
}

// mouser is a pane that takes the mouse: Click and Wheel in inner coordinates.
type mouser interface {
	Click(x, y int)
	Wheel(n int)
}

// informer is a pane with a short text for its bottom border (position, filter).
type informer interface{ Info() string }

// capturer is a pane that can read text (a filter): while Capturing, keys go to it first.
type capturer interface{ Capturing() bool }

// frameMsg carries a published frame to the panes.
type frameMsg struct{ f *live.Frame }

// navKeys are the list navigation keys shared by the panes.
type navKeys struct{ up, down, pgUp, pgDown, top, bottom key.Binding }

func newNavKeys(g *globalKeys) navKeys {
	return navKeys{g.navUp, g.navDown, g.navPgUp, g.navPgDown, g.navTop, g.navBottom}
}

// listPane is the common part of the panes that are a list of rows (ESP, Database,
// Interactions): navigation, mouse and rendering of the window.
type listPane struct {
	th      *theme
	nav     navKeys
	list    rowList
	w, h    int
	focused bool
	frame   *live.Frame
	build   func() []row // rows from p.frame at width p.w-1
	header  func() []string
}

func (p *listPane) SetFocused(f bool) { p.focused = f }

func (p *listPane) headerLines() []string {
	if p.header == nil || p.frame == nil {
		return nil
	}
	return p.header()
}

func (p *listPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.rebuild()
}

func (p *listPane) rebuild() {
	if p.frame == nil || p.frame.Snap == nil {
		return
	}
	p.list.setHeight(p.h - len(p.headerLines()))
	p.list.setRows(p.build())
}

// updateList handles frames and navigation; it reports whether it consumed msg.
func (p *listPane) updateList(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case frameMsg:
		p.frame = msg.f
		p.rebuild()
		return true
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, p.nav.up):
			p.list.move(-1)
		case key.Matches(msg, p.nav.down):
			p.list.move(1)
		case key.Matches(msg, p.nav.pgUp):
			p.list.move(-p.list.h)
		case key.Matches(msg, p.nav.pgDown):
			p.list.move(p.list.h)
		case key.Matches(msg, p.nav.top):
			p.list.top()
		case key.Matches(msg, p.nav.bottom):
			p.list.bottom()
		default:
			return false
		}
		return true
	}
	return false
}

func (p *listPane) View() string {
	if p.frame == nil || p.frame.Snap == nil {
		return ""
	}
	head := p.headerLines()
	lines := make([]string, 0, p.h)
	for _, l := range head {
		lines = append(lines, " "+fit(l, p.w-1))
	}
	lines = append(lines, p.list.view(p.th, p.w, p.focused)...)
	if len(lines) > p.h {
		lines = lines[:p.h]
	}
	return joinLines(lines)
}

// want is how many lines the pane's content takes (rows and header), for the layout.
func (p *listPane) want() int { return len(p.list.rows) + len(p.headerLines()) }

func (p *listPane) Selection() selection { return p.list.selected() }
func (p *listPane) Info() string         { return p.list.info() }
func (p *listPane) Wheel(n int)          { p.list.wheel(n) }

func (p *listPane) Click(_, y int) {
	p.list.click(y - len(p.headerLines()))
}

// heading is a non-selectable row.
func heading(th *theme, w int, text string) row {
	t := fit(text, w)
	return row{plain: t, text: th.header.s(t)}
}

// note is a non-selectable row in a paint.
func note(p paint, w int, text string) row {
	t := fit(text, w)
	return row{plain: t, text: p.s(t)}
}

// state is a running/stopped cell.
func state(th *theme, running bool) cell {
	if running {
		return cell{glyphRunning + " running", th.ok}
	}
	return cell{glyphStopped + " stopped", th.bad}
}

// num is a counter cell, dim when zero.
func num(th *theme, n int64, hot paint) cell {
	if n == 0 {
		return cell{"0", th.dim}
	}
	return cell{count(n), hot}
}
