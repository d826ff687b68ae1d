package scenarios

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ixlb/ixlb/core"
)

// didYouMean returns ` (did you mean "X"?)` for the known name closest to name, or "". The
// engine's operator actions use the same rule (core.DidYouMean).
func didYouMean(name string, known []string) string { return core.DidYouMean(name, known) }

// suggest is didYouMean, or failing a close spelling the one name that starts the same way
// for more than five characters: "ClassificationSrv" is the ClassificationServer, "urs-failure"
// the urs-failover scenario. A shorter shared start, or one shared by several names, is a
// coincidence ("dap-…", "Email…") and suggests nothing.
func suggest(name string, known []string) string {
	if h := didYouMean(name, known); h != "" {
		return h
	}
	best, bestLen, tie := "", 5, false
	for _, k := range known {
		n := commonPrefix(strings.ToLower(name), strings.ToLower(k))
		switch {
		case n > bestLen:
			best, bestLen, tie = k, n, false
		case n == bestLen && best != "":
			tie = true
		}
	}
	if best == "" || tie {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// listNames renders a short list of known names for a message; long lists are cut.
func listNames(names []string) string {
	const max = 12
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(", … (%d more)", len(names)-max)
	}
	return strings.Join(names, ", ")
}

// isBidi reports the Unicode bidirectional formatting characters, which reorder what a terminal
// shows ("Trojan Source"): a name holding one can display as another name.
func isBidi(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// unsafeRune is the first control or bidirectional formatting character of s: names are printed
// on terminals, where an escape sequence retitles the window or blinks, so they may hold neither.
// Bytes that are not UTF-8 count too (reported as utf8.RuneError); a real U+FFFD does not.
func unsafeRune(s string) (rune, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsControl(r) || isBidi(r) || (r == utf8.RuneError && size == 1) {
			return r, true
		}
		i += size
	}
	return 0, false
}

// EscapeTerminal makes text from a scenario file safe to print on a terminal, on one line:
// control characters (escape sequences, carriage returns, line breaks…) and bidirectional
// formatting characters are shown as Go escapes (\x1b, \n, \u202e); everything else as is.
func EscapeTerminal(s string) string {
	if _, bad := unsafeRune(s); !bad {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EscapeTerminalLines is EscapeTerminal for multi-line text (an error of several diagnostics):
// line breaks and tabs stay, everything else is escaped.
func EscapeTerminalLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = EscapeTerminal(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

// MaxFileNameLen is the longest database name: each database is the file DIR/NAME.db.
const MaxFileNameLen = 64

// fileNameProblem says why name cannot be a portable file name in the data directory, or "".
// Letters, digits, '_', '-' and '.' only (no path separator, so nothing lands outside the
// directory), not starting with '.', at most 64 characters, and not ixlb (the state file ixlb.db).
func fileNameProblem(name string) string {
	switch {
	case len(name) > MaxFileNameLen:
		return fmt.Sprintf("%d characters; at most %d", utf8.RuneCountInString(name), MaxFileNameLen)
	case strings.HasPrefix(name, "."):
		return "it starts with '.'"
	case strings.EqualFold(name, "ixlb"):
		return "ixlb.db is the session's own state file"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return fmt.Sprintf("it holds %q", r)
		}
	}
	return ""
}

// oneLine keeps a diagnostic's message on its line and safe for a terminal (EscapeTerminal).
var oneLine escaper

type escaper struct{}

func (escaper) Replace(s string) string { return EscapeTerminal(s) }
