package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Colours adapt to light and dark terminals. Everything the console paints comes from here, so a
// change of palette is a change of this file only.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"}
	colOK     = lipgloss.AdaptiveColor{Light: "#007A3D", Dark: "#5FD787"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#9A5B00", Dark: "#FFAF00"}
	colBad    = lipgloss.AdaptiveColor{Light: "#C00000", Dark: "#FF5F5F"}
	colNote   = lipgloss.AdaptiveColor{Light: "#8700AF", Dark: "#D787FF"}
	colDim    = lipgloss.AdaptiveColor{Light: "#808080", Dark: "#707070"}
	colCursor = lipgloss.AdaptiveColor{Light: "#C6DDFF", Dark: "#1F4A75"}
	colBar    = lipgloss.AdaptiveColor{Light: "#E2E2E2", Dark: "#303030"}
	colBarFg  = lipgloss.AdaptiveColor{Light: "#202020", Dark: "#D0D0D0"}
)

// paint is a style reduced to the escape sequences around its text. lipgloss.Style.Render is
// general (wrapping, padding, per-line work); the panes style hundreds of short cells per frame,
// so they concatenate a prefix and a suffix instead. Under an ASCII profile (NO_COLOR, tests)
// both are empty.
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	out := s.Render("x")
	i := strings.Index(out, "x")
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+1:]}
}

// s paints one line of text (no newlines).
func (p paint) s(text string) string {
	if p.pre == "" {
		return text
	}
	return p.pre + text + p.post
}

// theme holds every style of the console. It is built after the colour profile is known (NO_COLOR,
// tests set ASCII), never at package init.
type theme struct {
	text, dim, bold, accent, ok, warn, bad, note paint
	header                                       paint // column headings
	cursor                                       paint // the selected row of the focused pane
	cursorDim                                    paint // the selected row of an unfocused pane
	title, titleFocus                            paint
	border, borderFocus                          paint
	bar, barKey, barWarn, barBad                 paint // the status bar
	dialogBorder                                 paint

	help lipgloss.Style // base for bubbles/help
}

func newTheme() *theme {
	n := lipgloss.NewStyle
	return &theme{
		text:         paint{},
		dim:          newPaint(n().Foreground(colDim)),
		bold:         newPaint(n().Bold(true)),
		accent:       newPaint(n().Foreground(colAccent)),
		ok:           newPaint(n().Foreground(colOK)),
		warn:         newPaint(n().Foreground(colWarn)),
		bad:          newPaint(n().Foreground(colBad).Bold(true)),
		note:         newPaint(n().Foreground(colNote)),
		header:       newPaint(n().Foreground(colDim).Bold(true)),
		cursor:       newPaint(n().Background(colCursor).Bold(true)),
		cursorDim:    newPaint(n().Underline(true)),
		title:        newPaint(n().Foreground(colDim).Bold(true)),
		titleFocus:   newPaint(n().Foreground(colAccent).Bold(true)),
		border:       newPaint(n().Foreground(colDim)),
		borderFocus:  newPaint(n().Foreground(colAccent)),
		bar:          newPaint(n().Background(colBar).Foreground(colBarFg)),
		barKey:       newPaint(n().Background(colBar).Foreground(colAccent).Bold(true)),
		barWarn:      newPaint(n().Background(colBar).Foreground(colWarn).Bold(true)),
		barBad:       newPaint(n().Background(colBar).Foreground(colBad).Bold(true)),
		dialogBorder: newPaint(n().Foreground(colAccent)),
		help:         n(),
	}
}

// Glyphs. They are part of the meaning (not only colour), so the console stays readable under
// NO_COLOR and in the ASCII golden files.
const (
	glyphCursor   = "▸"
	glyphRunning  = "●"
	glyphStopped  = "○"
	glyphInRing   = "●" // strategy loaded and the URS is in the rotation
	glyphLoaded   = "◐" // strategy loaded, but the URS is not eligible
	glyphNot      = "·" // strategy not loaded
	glyphHot      = "◆"
	glyphChecked  = "[x]"
	glyphUnchk    = "[ ]"
	glyphDisabled = "[-]"
)

// box is a border set: focused panes get heavy lines so focus shows without colour.
type box struct{ tl, tr, bl, br, h, v string }

var (
	boxPlain = box{"╭", "╮", "╰", "╯", "─", "│"}
	boxFocus = box{"┏", "┓", "┗", "┛", "━", "┃"}
)
