package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// The `:` command line: every operator action, typed. Names with spaces go in double quotes
// (`:stop "URS 1"`); tab completes command and application names.

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
)

type command struct {
	name    string
	usage   string
	summary string
	min     int
	max     int       // -1: any number
	args    []argKind // by position; the last repeats for variadic commands
	run     func(m *Model, args []string) (tea.Cmd, error)
}

var commands []command

func init() {
	act := func(kind core.ActionKind, verb string) func(m *Model, a []string) (tea.Cmd, error) {
		return func(m *Model, a []string) (tea.Cmd, error) {
			return m.applyCmd(verb+" "+a[0], core.Action{Kind: kind, App: a[0]}), nil
		}
	}
	activation := func(kind core.ActionKind, verb string) func(m *Model, a []string) (tea.Cmd, error) {
		return func(m *Model, a []string) (tea.Cmd, error) {
			return m.applyCmd(verb+" "+a[0]+" on "+strings.Join(a[1:], ", "),
				core.Action{Kind: kind, Strategy: a[0], URS: a[1:]}), nil
		}
	}
	membership := func(kind core.ActionKind, verb string) func(m *Model, a []string) (tea.Cmd, error) {
		return func(m *Model, a []string) (tea.Cmd, error) {
			return m.applyCmd(a[1]+" "+verb+" "+a[0], core.Action{Kind: kind, Cluster: a[0], App: a[1]}), nil
		}
	}
	commands = []command{
		{name: "stop", usage: "APP", summary: "stop an application", min: 1, max: 1, args: []argKind{argApp}, run: act(core.ActStop, "stopped")},
		{name: "start", usage: "APP", summary: "start an application", min: 1, max: 1, args: []argKind{argApp}, run: act(core.ActStart, "started")},
		{name: "activate", usage: "STRATEGY URS…", summary: "load a strategy on URS instances", min: 2, max: -1,
			args: []argKind{argStrategy, argURS}, run: activation(core.ActActivate, "activated")},
		{name: "deactivate", usage: "STRATEGY URS…", summary: "unload a strategy from URS instances", min: 2, max: -1,
			args: []argKind{argStrategy, argURS}, run: activation(core.ActDeactivate, "deactivated")},
		{name: "set", usage: "APP SECTION OPTION VALUE", summary: "set an option on the fly (section annex:NAME for the Annex)",
			min: 4, max: 4, args: []argKind{argApp, argSection, argOption, argValue},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("set "+a[0]+" "+a[1]+"/"+a[2]+" = "+a[3],
					core.Action{Kind: core.ActSetOption, App: a[0], Section: a[1], Option: a[2], Value: a[3]}), nil
			}},
		{name: "repoint", usage: "DAP DATABASE", summary: "point a DAP at another database", min: 2, max: 2,
			args: []argKind{argDAP, argDatabase},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				return m.applyCmd("re-pointed "+a[0]+" to "+a[1], core.Action{Kind: core.ActRepoint, App: a[0], Database: a[1]}), nil
			}},
		{name: "join", usage: "CLUSTER APP", summary: "add a server to an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, run: membership(core.ActJoin, "joined")},
		{name: "leave", usage: "CLUSTER APP", summary: "remove a server from an Application Cluster", min: 2, max: 2,
			args: []argKind{argCluster, argESP}, run: membership(core.ActLeave, "left")},
		{name: "switchover", usage: "[IS]", summary: "switch the Interaction Server pair over", min: 0, max: 1,
			args: []argKind{argIS},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				is := ""
				if len(a) == 1 {
					is = a[0]
				} else if is = m.pairIS(); is == "" {
					return nil, errors.New("switchover: no Interaction Server in this scenario")
				}
				return m.applyCmd("switched over", core.Action{Kind: core.ActSwitchover, App: is}), nil
			}},
		{name: "load", usage: "FILE", summary: "replace the running scenario with a file", min: 1, max: 1,
			args: []argKind{argFile},
			run:  func(m *Model, a []string) (tea.Cmd, error) { return m.loadCmd(a[0], false) }},
		{name: "speed", usage: "N", summary: "virtual seconds per wall-clock second (0.5, 1, 10, 1000…)", min: 1, max: 1,
			args: []argKind{argSpeed},
			run: func(m *Model, a []string) (tea.Cmd, error) {
				x, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(a[0]), "x"), 64)
				if err != nil || x <= 0 || x > 100000 {
					return nil, fmt.Errorf("speed: %q must be a number greater than 0 and at most 100000", a[0])
				}
				return m.setSpeed(x), nil
			}},
		{name: "pause", summary: "pause virtual time", run: func(m *Model, _ []string) (tea.Cmd, error) { return m.setPaused(true), nil }},
		{name: "resume", summary: "resume virtual time", run: func(m *Model, _ []string) (tea.Cmd, error) { return m.setPaused(false), nil }},
		{name: "help", summary: "list the commands", run: func(m *Model, _ []string) (tea.Cmd, error) {
			m.dlg = commandHelp()
			return nil, nil
		}},
		{name: "quit", summary: "leave the console", run: func(m *Model, _ []string) (tea.Cmd, error) { return tea.Quit, nil }},
	}
}

var commandAliases = map[string]string{"q": "quit", "q!": "quit", "exit": "quit", "h": "help", "?": "help",
	"open": "load", "e": "load", "so": "switchover"}

func lookupCommand(name string) (*command, bool) {
	if a, ok := commandAliases[name]; ok {
		name = a
	}
	for i := range commands {
		if commands[i].name == name {
			return &commands[i], true
		}
	}
	return nil, false
}

func commandHelp() *textDialog {
	lines := []string{}
	for _, c := range commands {
		lines = append(lines, fmt.Sprintf(":%-28s %s", strings.TrimSpace(c.name+" "+c.usage), c.summary))
	}
	lines = append(lines, "", `Quote names with spaces: :stop "URS 1". Tab completes names; ↑/↓ recall earlier commands.`)
	return &textDialog{title: "Commands", lines: lines}
}

// execute runs one command line. Errors are for the status bar; nothing here panics on input.
func (m *Model) execute(line string) (tea.Cmd, error) {
	toks, err := tokenize(line)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	name := strings.ToLower(toks[0])
	c, ok := lookupCommand(name)
	if !ok {
		return nil, fmt.Errorf("unknown command %q (:help lists them)", toks[0])
	}
	args := toks[1:]
	if len(args) < c.min || (c.max >= 0 && len(args) > c.max) {
		return nil, fmt.Errorf("usage: :%s", strings.TrimSpace(c.name+" "+c.usage))
	}
	for _, a := range args {
		if a == "" {
			return nil, fmt.Errorf("usage: :%s (empty argument)", strings.TrimSpace(c.name+" "+c.usage))
		}
	}
	return c.run(m, args)
}

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
		for _, c := range commands {
			cands = append(cands, c.name)
		}
	} else {
		c, ok := lookupCommand(strings.ToLower(toks[0].text))
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
	if s == nil && k != argFile && k != argSpeed {
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
			out = optionsFor(s, words[1])
		}
	case argValue:
		out = []string{"true", "false"}
	case argSpeed:
		for _, x := range Speeds {
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		}
	case argFile:
		out = fileCandidates(m.dir, prefix)
	}
	return out
}

// sectionsFor suggests option sections for an application, as the Configuration Layer has them.
func sectionsFor(s *core.Snapshot, app string) []string {
	var typ core.AppType
	for _, a := range s.Apps {
		if a.Name == app {
			typ = a.Type
		}
	}
	switch typ {
	case core.TypeInteractionServer:
		return []string{"settings", "annex:agent_reservation"}
	case core.TypeRoutingServer:
		out := []string{"default"}
		for _, is := range s.ISes {
			out = append(out, "annex:"+is.Name)
		}
		return out
	}
	return []string{"settings"}
}

// optionsFor suggests options of a section.
func optionsFor(s *core.Snapshot, section string) []string {
	switch section {
	case "settings":
		return []string{"delivering-timeout", "routing-timeout", "handling-timeout", "verify-database-identity",
			"default-max-submitted-per-router"}
	case "default":
		return []string{"agent_reservation"}
	case "annex:agent_reservation":
		var out []string
		for _, u := range s.URS {
			out = append(out, u.Name)
		}
		return out
	}
	if strings.HasPrefix(section, "annex:") {
		return []string{"max-submitted-interactions", "max-submission-rate"}
	}
	return nil
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
		return "tab: " + strings.Join(m.cands, "  ")
	}
	toks, _ := tokenizeLoose(m.cmd.Value())
	if len(toks) > 0 {
		if c, ok := lookupCommand(strings.ToLower(toks[0].text)); ok {
			return ":" + strings.TrimSpace(c.name+" "+c.usage) + " — " + c.summary
		}
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return "commands: " + strings.Join(names, " ") + " · tab completes · ↑/↓ history · esc cancels"
}
