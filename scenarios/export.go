package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/ixlb/ixlb/core"
)

// A console session exported as a scenario (`ixlb export`, the console's `:export`) is the
// session's scenario file as it was — comments, order and all — with the operator's actions
// added at the end of its `timeline:` (each `by: operator`, at the virtual time it was taken),
// `duration:` set to where the session stands, the seed the session ran with, and, if asked,
// `expect:` lines from the session's figures. The file is edited as text at the places the YAML
// parser reports, then read back: it must load as exactly the session's configuration, or the
// export is refused.

// Drill is what a session adds to its scenario.
type Drill struct {
	Duration time.Duration      // where the session stands: the exported run's duration
	Seed     uint64             // the seed the session ran with
	Actions  []core.TimedAction // the operator's actions, in the order they were taken
	// Expect, when not nil, replaces the scenario's expect: lines (the scenario's own are kept
	// as comments: a drill may well change what they say).
	Expect []string
	// StopTraffic pins the traffic entries without `stop:` to the scenario's own duration, so a
	// session that ran past its end keeps its arrivals as they were.
	StopTraffic bool
	Header      []string // comment lines put first (without the "# ")
}

// ExportDrill returns src, the scenario file named file, with the drill written in; see Drill.
// It refuses, saying why, what it cannot write so that the file loads as the session ran.
func ExportDrill(file string, src []byte, d Drill) ([]byte, error) {
	orig, err := Parse(file, src)
	if err != nil {
		return nil, fmt.Errorf("the scenario does not load: %w", err)
	}
	if d.Duration <= 0 {
		return nil, fmt.Errorf("the session is at 0s: nothing happened yet to export")
	}
	data := stripBOM(src)
	// Lines are edited with LF ends (the YAML parser's positions miscount CRLF after comments);
	// a CRLF file gets CRLF back.
	crlf := bytes.Contains(data, []byte("\r\n"))
	if crlf {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	f, err := topLevelOf(file, data)
	if err != nil {
		return nil, err
	}
	if err := f.writeDrill(orig, d); err != nil {
		return nil, err
	}
	header := make([]string, 0, len(d.Header))
	for _, h := range d.Header {
		header = append(header, strings.TrimRight("# "+h, " "))
	}
	f.ed.prepend(header)
	out := f.ed.bytes()
	if crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if err := readsBack(file, out, orig, d); err != nil {
		return nil, err
	}
	return out, nil
}

// topLevel is a block-style scenario file being edited, with its top-level entries.
type topLevel struct {
	file  string
	ed    *textEdit
	keys  map[string]*ast.MappingValueNode
	lines []int // the lines of the top-level keys, in order
}

func topLevelOf(file string, data []byte) (*topLevel, error) {
	doc := newDecoder(file, len(data))
	root, ok := parseYAML(doc, data)
	if !ok {
		return nil, fmt.Errorf("the scenario does not load: %v", doc.failure())
	}
	top, ok := root.(*ast.MappingNode)
	if !ok || top.IsFlowStyle {
		return nil, fmt.Errorf("%s is written as one flow mapping ({...}): export edits block-style files (one top-level key a line)", file)
	}
	f := &topLevel{file: file, ed: newTextEdit(data), keys: map[string]*ast.MappingValueNode{}}
	for _, mv := range top.Values {
		name, _ := scalarText(mv.Key)
		f.keys[name] = mv
		f.lines = append(f.lines, mv.Key.GetToken().Position.Line)
	}
	slices.Sort(f.lines)
	return f, nil
}

// blockEnd is the last line (1-based) of the top-level entry whose key is on line: up to the next
// key, leaving out blank lines and comments at the margin, which belong to the next.
func (f *topLevel) blockEnd(line int) int {
	end := len(f.ed.lines)
	for _, l := range f.lines {
		if l > line {
			end = l - 1
			break
		}
	}
	for end > line {
		t := strings.TrimRight(f.ed.lines[end-1], "\r\n")
		if strings.TrimSpace(t) != "" && !strings.HasPrefix(t, "#") {
			break
		}
		end--
	}
	return end
}

// writeDrill edits the drill into the file: duration and seed, traffic stops, the operator's
// actions at the end of the timeline, expect lines.
func (f *topLevel) writeDrill(orig *Scenario, d Drill) error {
	ed, keys := f.ed, f.keys
	if err := ed.replaceScalar(keys["duration"], "duration", d.Duration.String()); err != nil {
		return err
	}
	if d.Seed != orig.Config.Seed {
		if mv, ok := keys["seed"]; ok {
			if err := ed.replaceScalar(mv, "seed", strconv.FormatUint(d.Seed, 10)); err != nil {
				return err
			}
		} else {
			ed.insert(keys["duration"].Key.GetToken().Position.Line, "seed: "+strconv.FormatUint(d.Seed, 10)+
				"                # the seed the session ran with")
		}
	}
	// traffic: a stop for entries without one, when the duration moves past the scenario's end.
	if d.StopTraffic {
		if err := ed.pinTraffic(keys["traffic"], orig.Config); err != nil {
			return err
		}
	}
	items := make([]string, 0, len(d.Actions))
	for _, a := range d.Actions {
		s, err := timelineEntry(a)
		if err != nil {
			return err
		}
		items = append(items, s)
	}
	if len(items) > 0 {
		if err := ed.appendItems(keys["timeline"], "timeline", items, f.blockEnd); err != nil {
			return err
		}
	}
	if d.Expect != nil {
		return f.writeExpect(orig, d.Expect)
	}
	return nil
}

// writeExpect replaces the file's expect: lines with the drill's, keeping the scenario's own as
// comments.
func (f *topLevel) writeExpect(orig *Scenario, expect []string) error {
	block := []string{"expect:"}
	for _, x := range expect {
		block = append(block, "  - "+expectString(x))
	}
	if len(orig.Expect) > 0 {
		block = append(block, "  # the scenario's own expectations, before this drill:")
		for _, x := range orig.Expect {
			block = append(block, "  #   "+x.Text)
		}
	}
	if mv, ok := f.keys["expect"]; ok {
		line := mv.Key.GetToken().Position.Line
		if mv.Key.GetToken().Position.Column != 1 {
			return fmt.Errorf("%s: expect: is not at the left margin; cannot replace it", f.file)
		}
		f.ed.replace(line, f.blockEnd(line), block)
	} else {
		f.ed.appendBlock(block)
	}
	return nil
}

// readsBack checks that the exported file loads as the session's scenario, or it is not written.
func readsBack(file string, out []byte, orig *Scenario, d Drill) error {
	got, err := Parse(file, out)
	if err != nil {
		return fmt.Errorf("the exported file does not load (%v): not written", err)
	}
	want := orig.Config
	want.Duration, want.Seed = d.Duration, d.Seed
	want.Timeline = append(slices.Clone(want.Timeline), d.Actions...)
	if d.StopTraffic {
		want.Traffic = slices.Clone(want.Traffic)
		for i := range want.Traffic {
			if want.Traffic[i].Stop == 0 {
				want.Traffic[i].Stop = orig.Config.Duration
			}
		}
	}
	if !reflect.DeepEqual(got.Config, want) {
		return fmt.Errorf("the exported file does not read back as the session's scenario (%s): not written", configDiff(got.Config, want))
	}
	if d.Expect != nil {
		var texts []string
		for _, x := range got.Expect {
			texts = append(texts, x.Text)
		}
		if !slices.Equal(texts, d.Expect) {
			return fmt.Errorf("the exported file's expect: lines do not read back: not written")
		}
	}
	return nil
}

// configDiff names the first top-level field of a Config that differs.
func configDiff(a, b core.Config) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return va.Type().Field(i).Name + " differs"
		}
	}
	return "it differs"
}

// timelineEntry writes an operator's action as a flow-style timeline entry.
func timelineEntry(ta core.TimedAction) (string, error) {
	a := ta.Action
	at := "{at: " + ta.At.String() + ", "
	var body string
	switch a.Kind {
	case core.ActStop, core.ActStart, core.ActSwitchover, core.ActRestart:
		body = a.Kind.String() + ": " + yamlString(a.App)
	case core.ActActivate, core.ActDeactivate:
		urs := make([]string, len(a.URS))
		for i, u := range a.URS {
			urs[i] = yamlString(u)
		}
		body = a.Kind.String() + ": " + yamlString(a.Strategy) + ", on: [" + strings.Join(urs, ", ") + "]"
	case core.ActSetOption:
		body = "set: {app: " + yamlString(a.App) + ", section: " + yamlString(a.Section) + ", option: " +
			yamlString(a.Option) + ", value: " + quoted(a.Value) + "}"
	case core.ActRepoint:
		body = "set: {app: " + yamlString(a.App) + ", database: " + yamlString(a.Database) + "}"
	case core.ActJoin, core.ActLeave:
		body = a.Kind.String() + ": {cluster: " + yamlString(a.Cluster) + ", app: " + yamlString(a.App) + "}"
	default:
		return "", fmt.Errorf("the operator's %s at %s has no timeline form", a.Kind, ta.At)
	}
	by := ""
	if ta.Operator {
		by = ", by: operator"
	}
	return at + body + by + "}", nil
}

// plainRE is a scalar YAML reads as the same string, unquoted.
var plainRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./-]*$`)

// yamlString writes s as YAML reads it back as the string s: plain when that is safe, else
// double-quoted (a JSON string is a YAML double-quoted scalar).
func yamlString(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return quoted(s)
	}
	if plainRE.MatchString(s) {
		return s
	}
	return quoted(s)
}

// plainExpectRE is an expectation YAML reads unquoted as itself: a path, an operator, a number.
var plainExpectRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.()-]* (==|!=|<=|>=|<|>) -?[0-9][0-9.eE+-]*$`)

// expectString writes an expect: line as the bundled scenarios do: plain when that reads back.
func expectString(s string) string {
	if plainExpectRE.MatchString(s) {
		return s
	}
	return quoted(s)
}

func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// textEdit edits a YAML file by lines, keeping everything it does not touch byte for byte.
type textEdit struct {
	lines []string // each with its line end, if it had one
	nl    string   // the line end of what is added
	// ops, applied bottom up at the end: replace lines [from, to] (1-based) with new.
	ops []editOp
	pre []string
	app []string
}

type editOp struct {
	from, to int // to < from: insert after line to
	text     []string
}

func newTextEdit(data []byte) *textEdit {
	e := &textEdit{nl: "\n"}
	s := string(data)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			e.lines = append(e.lines, s)
			break
		}
		e.lines = append(e.lines, s[:i+1])
		s = s[i+1:]
	}
	return e
}

func (e *textEdit) replace(from, to int, text []string) {
	e.ops = append(e.ops, editOp{from: from, to: to, text: text})
}

// insert puts text after line (1-based).
func (e *textEdit) insert(after int, text ...string) {
	e.ops = append(e.ops, editOp{from: after + 1, to: after, text: text})
}

func (e *textEdit) prepend(text []string) { e.pre = append(e.pre, text...) }

func (e *textEdit) appendBlock(text []string) { e.app = append(e.app, text...) }

// scalarRE is a one-word scalar at the start of a line's rest (a duration, a seed): quoted, or
// plain up to a blank, a comment or the end of a flow collection.
var scalarRE = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#,\]}]+)`)

// replaceScalar replaces the scalar value of a top-level key.
func (e *textEdit) replaceScalar(mv *ast.MappingValueNode, key, value string) error {
	if mv == nil {
		return fmt.Errorf("the scenario has no %s:", key)
	}
	v := mv.Value
	switch v.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.LiteralNode:
	default:
		return fmt.Errorf("%s: is not written as a plain value (an alias or a tag?): cannot set it", key)
	}
	pos := v.GetToken().Position
	if pos.Line < 1 || pos.Line > len(e.lines) {
		return fmt.Errorf("%s: cannot find its value in the file", key)
	}
	line := e.lines[pos.Line-1]
	body := strings.TrimRight(line, "\r\n")
	r := []rune(body)
	if pos.Column < 1 || pos.Column > len(r) {
		return fmt.Errorf("%s: cannot find its value in the file", key)
	}
	rest := string(r[pos.Column-1:])
	m := scalarRE.FindStringSubmatch(rest)
	if m == nil {
		return fmt.Errorf("%s: cannot find its value in the file", key)
	}
	old := m[1]
	newLine := string(r[:pos.Column-1]) + value + rest[len(old):] + line[len(body):]
	e.replace(pos.Line, pos.Line, []string{strings.TrimRight(newLine, "\r\n")})
	return nil
}

// appendItems adds flow-style items to the top-level sequence mv (absent: a new block).
func (e *textEdit) appendItems(mv *ast.MappingValueNode, key string, items []string, blockEnd func(int) int) error {
	if mv == nil {
		e.appendBlock(append([]string{key + ":"}, indentAll("  - ", items)...))
		return nil
	}
	keyLine := mv.Key.GetToken().Position.Line
	switch v := mv.Value.(type) {
	case *ast.NullNode:
		if mv.Key.GetToken().Position.Column != 1 {
			return fmt.Errorf("%s: is not at the left margin; cannot add to it", key)
		}
		e.replace(keyLine, keyLine, append([]string{key + ":"}, indentAll("  - ", items)...))
		return nil
	case *ast.SequenceNode:
		if v.IsFlowStyle {
			if v.End == nil || v.End.Position == nil {
				return fmt.Errorf("%s: cannot find the end of its [...] list", key)
			}
			p := v.End.Position
			line := e.lines[p.Line-1]
			r := []rune(line)
			if p.Column < 1 || p.Column > len(r) || r[p.Column-1] != ']' {
				return fmt.Errorf("%s: cannot find the end of its [...] list", key)
			}
			sep := ", "
			if len(v.Values) == 0 {
				sep = ""
			}
			newLine := string(r[:p.Column-1]) + sep + strings.Join(items, ", ") + string(r[p.Column-1:])
			e.replace(p.Line, p.Line, []string{strings.TrimRight(newLine, "\r\n")})
			return nil
		}
		indent := "  "
		if len(v.Values) > 0 && v.Start != nil && v.Start.Position != nil {
			indent = strings.Repeat(" ", max(0, v.Start.Position.Column-1))
		}
		e.insert(blockEnd(keyLine), indentAll(indent+"- ", items)...)
		return nil
	}
	return fmt.Errorf("%s: is not written as a list (an alias or a tag?): cannot add the drill to it", key)
}

// pinTraffic writes stop: (the scenario's duration) into traffic entries that have none.
func (e *textEdit) pinTraffic(mv *ast.MappingValueNode, cfg core.Config) error {
	if mv == nil {
		return nil
	}
	seq, ok := mv.Value.(*ast.SequenceNode)
	if !ok {
		return fmt.Errorf("traffic: is not written as a list: cannot pin its stop times")
	}
	for i, item := range seq.Values {
		if i >= len(cfg.Traffic) || cfg.Traffic[i].Stop != 0 {
			continue
		}
		m, ok := item.(*ast.MappingNode)
		if !ok || !m.IsFlowStyle || m.End == nil || m.End.Position == nil {
			return fmt.Errorf("traffic entry %d: only a {...} entry can have its stop pinned; give it stop: %s", i+1, cfg.Duration)
		}
		p := m.End.Position
		r := []rune(e.lines[p.Line-1])
		if p.Column < 1 || p.Column > len(r) || r[p.Column-1] != '}' {
			return fmt.Errorf("traffic entry %d: cannot find its end", i+1)
		}
		newLine := string(r[:p.Column-1]) + ", stop: " + cfg.Duration.String() + string(r[p.Column-1:])
		e.replace(p.Line, p.Line, []string{strings.TrimRight(newLine, "\r\n")})
	}
	return nil
}

func indentAll(prefix string, items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = prefix + s
	}
	return out
}

// bytes applies the edits.
func (e *textEdit) bytes() []byte {
	lines := slices.Clone(e.lines)
	ops := slices.Clone(e.ops)
	// Bottom up, so earlier line numbers hold; at one line, the later-added op first.
	slices.SortStableFunc(ops, func(a, b editOp) int { return b.from - a.from })
	for _, op := range ops {
		repl := make([]string, len(op.text))
		for i, t := range op.text {
			repl[i] = t + e.nl
		}
		if op.to < op.from { // an insertion
			lines = slices.Insert(lines, op.from-1, repl...)
			continue
		}
		lines = slices.Replace(lines, op.from-1, op.to, repl...)
	}
	var b strings.Builder
	for _, p := range e.pre {
		b.WriteString(p + e.nl)
	}
	for _, l := range lines {
		b.WriteString(l)
	}
	if len(e.app) > 0 {
		s := b.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteString(e.nl)
		}
		b.WriteString(e.nl)
		for _, a := range e.app {
			b.WriteString(a + e.nl)
		}
	}
	return []byte(b.String())
}
