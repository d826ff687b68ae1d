package tui

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text helpers. Panes lay out plain text first (fit to a width), then paint it: widths are
// computed on text without escape sequences, which is both correct and cheap.

// width is the display width of plain text; ASCII is the common case and costs nothing.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == 0x1b {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

var spaceRun = strings.Repeat(" ", 512)

// spaces returns n blanks.
func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(spaceRun) {
		return spaceRun[:n]
	}
	return strings.Repeat(" ", n)
}

// fit truncates (with an ellipsis) or pads plain or painted text to exactly w cells, left aligned.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	return s + spaces(w-n)
}

// fitR is fit, right aligned (numbers).
func fitR(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return spaces(w-n) + s
}

// clip truncates without padding.
func clip(s string, w int) string {
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// count formats a counter compactly so it fits narrow matrix cells: 12345 -> 12.3k.
func count(n int64) string {
	switch {
	case n < 100000:
		return strconv.FormatInt(n, 10)
	case n < 10000000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 0, 64) + "k"
	default:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	}
}

// clock formats virtual nanoseconds as hh:mm:ss.mmm.
func clock(ns int64) string {
	if ns < 0 {
		ns = 0
	}
	d := time.Duration(ns)
	h := int64(d / time.Hour)
	m := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	ms := int64(d/time.Millisecond) % 1000
	b := make([]byte, 0, 12)
	b = pad2(b, h)
	b = append(b, ':')
	b = pad2(b, m)
	b = append(b, ':')
	b = pad2(b, s)
	b = append(b, '.')
	if ms < 100 {
		b = append(b, '0')
	}
	if ms < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, ms, 10)
	return string(b)
}

// shortClock formats a duration as hh:mm:ss (the scenario's duration in the status bar).
func shortClock(d time.Duration) string {
	c := clock(int64(d))
	return c[:len(c)-4]
}

func pad2(b []byte, n int64) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, n, 10)
}

// speedText formats a speed factor: 0.5x, 10x.
func speedText(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64) + "x"
}

// containsFold reports whether s contains sub, ignoring ASCII case, without allocating: the
// event-log filter runs it over thousands of lines on each keystroke.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			a, b := s[i+j], sub[j]
			if a != b && lower(a) != lower(b) {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// quoteArg quotes a name for the command line when it needs it.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"\\") {
		return s
	}
	return strconv.Quote(s)
}

// joinLines joins exactly the given lines with newlines.
func joinLines(lines []string) string { return strings.Join(lines, "\n") }

// clamp limits v to [lo, hi].
func clamp(v, lo, hi int) int {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}
