package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// safeText makes text from outside the console — names from a scenario file, error messages,
// file names — safe to draw: control characters (ESC, BEL, CR, the C1 range, DEL) and the
// bidirectional overrides become visible escapes (\x1b, \u202e), so a name can neither retitle
// the terminal, move the cursor, blink, nor reorder what follows it. Text without them is
// returned as is, without allocating.
func safeText(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isSafe reports whether s has nothing safeText would change; ASCII is checked byte by byte.
func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || unsafeRune(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true // bidirectional embeddings, overrides and isolates
	}
	return false
}
