package tui

import (
	"strconv"

	"github.com/ixlb/ixlb/core"
)

// selection is what an operator action acts on: the selected row of the focused pane.
type selection struct {
	App      string       // an application: x stops it, s starts it
	Type     core.AppType // its type
	Strategy string       // a strategy: a and d start the wizard on it
	URS      string       // a URS (the Routing pane's column)
	Cluster  string       // an Application Cluster: m edits its members
}

// row is one line of a list pane. Rows are built from the snapshot when a frame arrives (in
// Update); View only picks the visible ones.
type row struct {
	key   string // identifies what the row shows, so the cursor stays on it across frames
	plain string // the text without escapes, fit to the width (the cursor row is painted whole)
	text  string // the painted text
	sel   selection
	pick  bool // the cursor can stop here
}

// rowList is a vertical list with a cursor over selectable rows and a window of h rows: only
// the window is rendered, however long the list.
type rowList struct {
	rows   []row
	cur    int // index into rows, -1 when nothing is selectable
	off    int
	h      int
	curKey string
}

// setHeight resizes the window; it starts again from the top so headings come back into view
// when there is room, then brings the cursor in.
func (l *rowList) setHeight(h int) {
	if h := max(h, 1); h != l.h {
		l.h, l.off = h, 0
	}
	l.scroll()
}

// setRows replaces the rows and keeps the cursor on the row with the same key, or on the
// nearest selectable row.
func (l *rowList) setRows(rows []row) {
	l.rows = rows
	if l.curKey != "" {
		for i := range rows {
			if rows[i].pick && rows[i].key == l.curKey {
				l.cur = i
				l.scroll()
				return
			}
		}
	}
	if l.cur >= len(rows) {
		l.cur = len(rows) - 1
	}
	if l.cur < 0 {
		l.cur = 0
	}
	l.settle(1)
}

// settle moves the cursor to a selectable row, searching in direction dir first.
func (l *rowList) settle(dir int) {
	if len(l.rows) == 0 {
		l.cur, l.curKey = -1, ""
		return
	}
	l.cur = clamp(l.cur, 0, len(l.rows)-1)
	for _, d := range []int{dir, -dir} {
		for i := l.cur; i >= 0 && i < len(l.rows); i += d {
			if l.rows[i].pick {
				l.cur, l.curKey = i, l.rows[i].key
				l.scroll()
				return
			}
		}
	}
	l.cur, l.curKey = -1, ""
	l.scroll()
}

// move goes n selectable rows down (n < 0: up).
func (l *rowList) move(n int) {
	if l.cur < 0 {
		return
	}
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	for ; n > 0; n-- {
		i := l.cur + dir
		for i >= 0 && i < len(l.rows) && !l.rows[i].pick {
			i += dir
		}
		if i < 0 || i >= len(l.rows) {
			break
		}
		l.cur = i
	}
	l.curKey = l.rows[l.cur].key
	if dir < 0 && l.firstPick() == l.cur {
		l.off = 0 // show the headings above the first row
	}
	l.scroll()
}

func (l *rowList) firstPick() int {
	for i := range l.rows {
		if l.rows[i].pick {
			return i
		}
	}
	return -1
}

func (l *rowList) top() {
	l.cur = 0
	l.off = 0
	l.settle(1)
}

func (l *rowList) bottom() {
	l.cur = len(l.rows) - 1
	l.settle(-1)
}

// scroll keeps the cursor in the window.
func (l *rowList) scroll() {
	if l.cur >= 0 {
		if l.cur < l.off {
			l.off = l.cur
		}
		if l.cur >= l.off+l.h {
			l.off = l.cur - l.h + 1
		}
	}
	l.off = clamp(l.off, 0, max(0, len(l.rows)-l.h))
}

// wheel scrolls the window by n rows and drags the cursor along when it leaves it.
func (l *rowList) wheel(n int) {
	l.off = clamp(l.off+n, 0, max(0, len(l.rows)-l.h))
	if l.cur >= 0 && (l.cur < l.off || l.cur >= l.off+l.h) {
		if n > 0 {
			l.cur = l.off
			l.settle(1)
		} else {
			l.cur = l.off + l.h - 1
			l.settle(-1)
		}
	}
}

// click selects the row at window line y.
func (l *rowList) click(y int) {
	i := l.off + y
	if i >= 0 && i < len(l.rows) && l.rows[i].pick {
		l.cur, l.curKey = i, l.rows[i].key
	}
}

func (l *rowList) selected() selection {
	if l.cur < 0 || l.cur >= len(l.rows) {
		return selection{}
	}
	return l.rows[l.cur].sel
}

// info is the cursor's position among selectable rows, for the pane's bottom border.
func (l *rowList) info() string {
	if l.cur < 0 {
		return ""
	}
	n, at := 0, 0
	for i := range l.rows {
		if l.rows[i].pick {
			n++
			if i == l.cur {
				at = n
			}
		}
	}
	return strconv.Itoa(at) + "/" + strconv.Itoa(n)
}

// view renders the window into h lines of width w; the first column carries the cursor mark.
func (l *rowList) view(th *theme, w int, focused bool) []string {
	out := make([]string, 0, l.h)
	for i := l.off; i < len(l.rows) && len(out) < l.h; i++ {
		r := &l.rows[i]
		switch {
		case i == l.cur && focused:
			out = append(out, th.cursor.s(glyphCursor+fit(r.plain, w-1)))
		case i == l.cur:
			out = append(out, glyphCursor+fit(r.text, w-1))
		default:
			out = append(out, " "+fit(r.text, w-1))
		}
	}
	for len(out) < l.h {
		out = append(out, "")
	}
	return out
}

// cols lays out cells of given widths separated by one space; negative widths align right.
// It returns the plain line; painted cells are built by the caller with the same widths.
type cols []int

// fitFirst gives the first (name) column what the others leave of width w, between 8 and 26.
func (c cols) fitFirst(w int) cols {
	n := 0
	for _, x := range c[1:] {
		n += abs(x) + 1
	}
	c[0] = clamp(w-n, 8, 26)
	return c
}

func (c cols) line(cells ...string) string {
	b := make([]byte, 0, 96)
	for i, s := range cells {
		if i >= len(c) {
			break
		}
		if i > 0 {
			b = append(b, ' ')
		}
		w := c[i]
		if w < 0 {
			b = append(b, fitR(s, -w)...)
		} else {
			b = append(b, fit(s, w)...)
		}
	}
	return string(b)
}

// cell is a cell's text with its paint, for rows whose cells are coloured individually.
type cell struct {
	s string
	p paint
}

func (c cols) paint(cells ...cell) (plain, text string) {
	pb := make([]byte, 0, 96)
	tb := make([]byte, 0, 128)
	for i, s := range cells {
		if i >= len(c) {
			break
		}
		if i > 0 {
			pb = append(pb, ' ')
			tb = append(tb, ' ')
		}
		w := c[i]
		var f string
		if w < 0 {
			f = fitR(s.s, -w)
		} else {
			f = fit(s.s, w)
		}
		pb = append(pb, f...)
		tb = append(tb, s.p.s(f)...)
	}
	return string(pb), string(tb)
}
