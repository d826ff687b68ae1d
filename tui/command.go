package tui

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/tui/live"
)

// The `:` command line: every operator action, typed. Names with spaces go in double quotes
// (`:stop "URS 1"`); tab completes command and application names.

// cmdLine is the command line's state: the input, its history and tab completion. The Model
// routes keys to it and runs what it returns (execute).
type cmdLine struct {
	cmdOn   bool
	cmd     textinput.Model
	hist    []string
	histPos int
	draft   string   // the line being typed when ↑ left it, given back by ↓ past the newest
	cands   []string // completions offered by the last tab
	cyc     tabCycle // repeated tabs go through the completions
}

// open opens the command line holding text.
func (c *cmdLine) open(text string) tea.Cmd {
	c.cmdOn = true
	c.cands = nil
	c.cmd.SetValue(text)
	c.cmd.CursorEnd()
	c.histPos = len(c.hist)
	return c.cmd.Focus()
}

// keep adds a line to the history (not twice in a row).
func (c *cmdLine) keep(line string) {
	if len(c.hist) == 0 || c.hist[len(c.hist)-1] != line {
		c.hist = append(c.hist, line)
	}
}

// recall moves in the history: -1 older, +1 newer (past the newest: an empty line).
func (c *cmdLine) recall(dir int) {
	n := clamp(c.histPos+dir, 0, len(c.hist))
	if n == c.histPos {
		return
	}
	if c.histPos == len(c.hist) {
		c.draft = c.cmd.Value() // leaving the line being typed: kept, not lost
	}
	c.histPos = n
	v := c.draft
	if n < len(c.hist) {
		v = c.hist[n]
	}
	c.cmd.SetValue(v)
	c.cmd.CursorEnd()
}

// argKind says what an argument names, for completion.
type argKind uint8

const (
	argNone argKind = iota
	argApp
	argURS
	argStrategy
	argDAP
	argDatabase
	argCluster
	argESP
	argIS
	argSection
	argOption
	argValue
	argFile
	argSpeed
	argExportFlag
)

// token is a word of the command line with where it starts.
type token struct {
	text  string
	start int
}

// tokenizeLoose splits on blanks; double quotes group, backslash escapes inside quotes. It
// reports an unterminated quote instead of failing, so completion can work inside one.
func tokenizeLoose(s string) (toks []token, openQuote bool) {
	var cur strings.Builder
	in, q, start := false, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q && c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			if !in {
				start = i
			}
			q, in = !q, true
		case !q && (c == ' ' || c == '\t'):
			if in {
				toks = append(toks, token{cur.String(), start})
				cur.Reset()
				in = false
			}
		default:
			if !in {
				start = i
			}
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		toks = append(toks, token{cur.String(), start})
	}
	return toks, q
}

func tokenize(s string) ([]string, error) {
	toks, open := tokenizeLoose(s)
	if open {
		return nil, errors.New("unterminated double quote")
	}
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.text
	}
	return out, nil
}

// complete completes the word at the end of line. It returns the new line and, when several
// names fit, the candidates to show.
func (m *Model) complete(line string) (string, []string) {
	toks, open := tokenizeLoose(line)
	trailing := !open && (line == "" || strings.HasSuffix(line, " "))
	var prefix string
	var head string // the line before the word being completed
	idx := len(toks)
	if !trailing && len(toks) > 0 {
		last := toks[len(toks)-1]
		prefix, head, idx = last.text, line[:last.start], len(toks)-1
	} else {
		head = line
	}
	var cands []string
	if idx == 0 {
		cands = commandNames()
	} else {
		c, _, ok := lookupCommand(strings.ToLower(toks[0].text))
		if !ok || len(c.args) == 0 {
			return line, nil
		}
		k := c.args[min(idx-1, len(c.args)-1)]
		if c.max >= 0 && idx-1 >= c.max {
			return line, nil
		}
		words := make([]string, 0, len(toks))
		for _, t := range toks[1:min(idx, len(toks))] {
			words = append(words, t.text)
		}
		cands = m.candidates(k, words, prefix)
	}
	var match []string
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(prefix)) {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return line, nil
	case 1:
		if strings.HasSuffix(match[0], "/") { // a directory: keep going inside it
			return head + quoteArg(match[0]), nil
		}
		return head + quoteArg(match[0]) + " ", nil
	}
	lcp := match[0]
	for _, c := range match[1:] {
		n := 0
		for n < len(lcp) && n < len(c) && lower(lcp[n]) == lower(c[n]) {
			n++
		}
		lcp = lcp[:n]
	}
	if len(lcp) > len(prefix) {
		if strings.ContainsAny(lcp, " \"") {
			return head + `"` + strings.ReplaceAll(lcp, `"`, `\"`), match
		}
		return head + lcp, match
	}
	return line, match
}

// candidates lists names of a kind from the latest snapshot. words are the arguments before.
func (m *Model) candidates(k argKind, words []string, prefix string) []string {
	s := m.snap()
	if s == nil && k != argFile && k != argSpeed && k != argExportFlag {
		return nil
	}
	var out []string
	switch k {
	case argApp:
		for _, a := range s.Apps {
			out = append(out, a.Name)
		}
	case argURS:
		for _, u := range s.URS {
			out = append(out, u.Name)
		}
	case argStrategy:
		for _, st := range s.Strategies {
			out = append(out, st.Name)
		}
	case argDAP:
		for _, d := range s.DAPs {
			out = append(out, d.Name)
		}
	case argDatabase:
		out = append(out, s.Databases...)
	case argCluster:
		for _, c := range s.Clusters {
			out = append(out, c.Name)
		}
	case argESP:
		for _, e := range s.ESPServers {
			out = append(out, e.Name)
		}
	case argIS:
		for _, is := range s.ISes {
			out = append(out, is.Name)
		}
	case argSection:
		if len(words) > 0 {
			out = sectionsFor(s, words[0])
		}
	case argOption:
		if len(words) > 1 {
			out = optionsFor(s, words[0], words[1])
		}
	case argValue:
		if len(words) > 2 {
			out = valuesFor(s, words[0], words[1], words[2])
		}
	case argSpeed:
		for _, x := range live.Speeds {
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		}
	case argFile:
		out = fileCandidates(m.dir, prefix)
		if !strings.ContainsAny(prefix, `/\`) {
			out = append(out, m.bundled...) // :load takes bundled scenarios by name
		}
	case argExportFlag:
		out = []string{"--expect"}
	}
	return out
}

// fileCandidates lists scenario files and directories for :load.
func fileCandidates(base, prefix string) []string {
	dir, _ := filepath.Split(prefix)
	look := dir
	if !filepath.IsAbs(look) {
		look = filepath.Join(base, dir)
	}
	ents, err := os.ReadDir(look)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		switch {
		case e.IsDir():
			out = append(out, dir+n+"/")
		case strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml"):
			out = append(out, dir+n)
		}
	}
	sort.Strings(out)
	return out
}

// cmdHint is shown above the command line while typing: the completions the last tab offered,
// else the usage of the command being typed, else the commands.
func (m *Model) cmdHint() string {
	if len(m.cands) > 0 {
		parts := make([]string, len(m.cands))
		for i, c := range m.cands {
			if i == m.cyc.i {
				c = "[" + c + "]"
			}
			parts[i] = c
		}
		return "tab: " + strings.Join(parts, "  ") + " (tab again: next)"
	}
	toks, _ := tokenizeLoose(m.cmd.Value())
	if len(toks) > 0 {
		if c, _, ok := lookupCommand(strings.ToLower(toks[0].text)); ok {
			h := c.usageLine() + " — " + c.summary
			if c.refused(m.readOnly) {
				h += " (read-only: refused)"
			} else if c.dangerous {
				h += " (asks first; :" + c.name + "! does not)"
			}
			return h
		}
	}
	return "commands: " + strings.Join(commandNames(), " ") + " · tab completes · ↑/↓ history · esc cancels"
}

// tabCycle is the state of repeated tabs: the line before the word, the completions, which one
// is shown (-1: none yet) and the line as the last tab left it.
type tabCycle struct {
	head  string
	cands []string
	i     int
	line  string
}

// tab is one press of tab (back: shift+tab) on the command line: the first completes as far as
// the names agree and lists them; the next ones go through them in turn.
func (m *Model) tab(v string, back bool) string {
	if c := &m.cyc; len(c.cands) > 1 && v == c.line {
		n := len(c.cands)
		switch {
		case c.i < 0 && back:
			c.i = n - 1
		case back:
			c.i = (c.i - 1 + n) % n
		default:
			c.i = (c.i + 1) % n
		}
		c.line = c.head + quoteArg(c.cands[c.i])
		m.cands = c.cands
		return c.line
	}
	line, cands := m.complete(v)
	m.cyc = tabCycle{}
	if len(cands) > 1 {
		m.cands = cands
		toks, open := tokenizeLoose(line)
		head := line
		if !open && !strings.HasSuffix(line, " ") && len(toks) > 0 {
			head = line[:toks[len(toks)-1].start]
		} else if open && len(toks) > 0 {
			head = line[:toks[len(toks)-1].start]
		}
		m.cyc = tabCycle{head: head, cands: cands, i: -1, line: line}
	}
	return line
}
