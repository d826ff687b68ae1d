package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// decoder reads scenario nodes out of goccy/go-yaml's AST. Walking the AST ourselves, instead of
// unmarshalling into structs, is what gives every diagnostic the exact position of the node it is
// about and lets one load report every problem, not just the first.
type decoder struct {
	file    string
	diags   Diagnostics
	index   *Index
	anchors map[string][]anchorDef

	// Aliases can make a small file expand into a huge tree (the "billion laughs"); every node the
	// decoder resolves counts against a budget proportional to the file's size.
	resolved  int
	budget    int
	exhausted bool
}

type anchorDef struct {
	pos   Pos
	value ast.Node
}

// named is a name as written in the file, with its position: references are checked with it.
type named struct {
	Name string
	Pos  Pos
}

func newDecoder(file string, size int) *decoder {
	return &decoder{file: file, index: newIndex(), anchors: map[string][]anchorDef{}, budget: 16*size + 10_000}
}

func (d *decoder) report(p Pos, sev Severity, code, format string, args ...any) {
	if !p.IsValid() {
		p = Pos{1, 1}
	}
	d.diags = append(d.diags, Diagnostic{File: d.file, Line: p.Line, Col: p.Col, Severity: sev, Code: code,
		Message: EscapeTerminal(fmt.Sprintf(format, args...))})
}

func (d *decoder) errorf(p Pos, code, format string, args ...any) {
	d.report(p, SeverityError, code, format, args...)
}

// isNil reports whether n is nil or a typed nil pointer, both of which the AST produces.
func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// posOf is where a node starts. A block mapping's own token is its first ':', so it is located at
// its first key instead.
func posOf(n ast.Node) Pos {
	if isNil(n) {
		return Pos{1, 1}
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 && v.Values[0] != nil {
			return posOf(v.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if !isNil(v.Key) {
			return posOf(v.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{1, 1}
	}
	return Pos{max(1, tk.Position.Line), max(1, tk.Position.Column)}
}

// collectAnchors records every anchor of the document, so aliases can be resolved by name and
// position (an alias refers to the latest anchor of that name before it).
func (d *decoder) collectAnchors(root ast.Node) {
	if isNil(root) {
		return
	}
	for _, n := range ast.Filter(ast.AnchorType, root) {
		a, ok := n.(*ast.AnchorNode)
		if !ok || isNil(a.Name) {
			continue
		}
		name := a.Name.GetToken().Value
		d.anchors[name] = append(d.anchors[name], anchorDef{pos: posOf(a), value: a.Value})
	}
	for _, defs := range d.anchors {
		slices.SortFunc(defs, func(a, b anchorDef) int { return a.pos.compare(b.pos) })
	}
}

// resolve looks through anchors, tags and aliases to the node that carries the value. It returns
// ok=false, having reported why, when the node cannot be resolved. A nil node is YAML null.
func (d *decoder) resolve(n ast.Node) (ast.Node, bool) {
	for {
		if isNil(n) {
			return nil, true
		}
		d.resolved++
		if d.resolved > d.budget {
			if !d.exhausted {
				d.exhausted = true
				d.errorf(posOf(n), CodeBadValue, "the file expands to too many nodes (aliases nested too deeply)")
			}
			return nil, false
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.MappingKeyNode:
			n = v.Value
		case *ast.TagNode:
			tag := ""
			if v.Start != nil {
				tag = v.Start.Value
			}
			switch tag {
			case "!!str":
				if s, ok := v.Value.(ast.ScalarNode); ok && !isNil(s) && s.GetToken() != nil {
					if _, isStr := s.(*ast.StringNode); !isStr {
						return ast.String(s.GetToken()), true
					}
				}
				n = v.Value
			case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
				n = v.Value
			default:
				d.errorf(posOf(v), CodeType, "unsupported YAML tag %q", tag)
				return nil, false
			}
		case *ast.AliasNode:
			name := ""
			if !isNil(v.Value) && v.Value.GetToken() != nil {
				name = v.Value.GetToken().Value
			}
			at := posOf(v)
			var target ast.Node
			found := false
			for _, a := range d.anchors[name] {
				if a.pos.compare(at) < 0 {
					target, found = a.value, true
				}
			}
			if !found {
				d.errorf(at, CodeUnknownRef, "alias *%s has no anchor &%s before it", name, name)
				return nil, false
			}
			n = target
		default:
			return n, true
		}
	}
}

// kindOf names a resolved node's kind for "want X, got Y" messages.
func kindOf(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode:
		return "a number"
	case *ast.InfinityNode:
		return "infinity (.inf)"
	case *ast.NanNode:
		return "not-a-number (.nan)"
	case *ast.BoolNode:
		return "a boolean"
	}
	return "an unsupported node"
}

func isNull(n ast.Node) bool {
	if isNil(n) {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// scalarText is the text of any scalar as the user wrote it (without quotes): option values are
// text in the Configuration Layer whatever YAML thinks they are. Null is "".
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if isNil(v.Value) {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// entry is one key of a mapping, with the unresolved value (whose position the index keeps).
type entry struct {
	key    string
	keyPos Pos
	value  ast.Node
}

// entries lists a resolved mapping's keys in file order. Merge keys (`<<: *defaults`) are expanded
// in place; keys written in the mapping itself win over merged ones. A key written twice is an
// error at its second occurrence.
func (d *decoder) entries(n ast.Node) []entry {
	var pairs []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		pairs = v.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{v}
	}
	type merge struct {
		at   int
		from []entry
	}
	var own []entry
	var merges []merge
	first := map[string]Pos{}
	for _, p := range pairs {
		if p == nil || isNil(p.Key) {
			continue
		}
		if p.Key.IsMergeKey() {
			merges = append(merges, merge{at: len(own), from: d.mergeSources(p.Value)})
			continue
		}
		key, pos, ok := d.key(p.Key)
		if !ok {
			continue
		}
		if at, dup := first[key]; dup {
			d.errorf(pos, CodeDuplicateKey, "duplicate key %q (first at %s)", key, at)
			continue
		}
		first[key] = pos
		own = append(own, entry{key: key, keyPos: pos, value: p.Value})
	}
	if len(merges) == 0 {
		return own
	}
	var out []entry
	seen := map[string]bool{}
	for k := range first {
		seen[k] = true
	}
	for i := 0; i <= len(own); i++ {
		for _, m := range merges {
			if m.at != i {
				continue
			}
			for _, e := range m.from {
				if !seen[e.key] {
					seen[e.key] = true
					out = append(out, e)
				}
			}
		}
		if i < len(own) {
			out = append(out, own[i])
		}
	}
	return out
}

// mergeSources are the entries a merge key brings: one mapping or a list of mappings.
func (d *decoder) mergeSources(raw ast.Node) []entry {
	n, ok := d.resolve(raw)
	if !ok {
		return nil
	}
	switch v := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return d.entries(v)
	case *ast.SequenceNode:
		var out []entry
		seen := map[string]bool{}
		for _, it := range v.Values {
			m, ok := d.resolve(it)
			if !ok {
				continue
			}
			if !isMapping(m) {
				d.errorf(posOf(it), CodeType, "a merge key (<<) wants mappings, got %s", kindOf(m))
				continue
			}
			for _, e := range d.entries(m) {
				if !seen[e.key] { // the first mapping of the list wins
					seen[e.key] = true
					out = append(out, e)
				}
			}
		}
		return out
	}
	d.errorf(posOf(raw), CodeType, "a merge key (<<) wants a mapping or a list of mappings, got %s", kindOf(n))
	return nil
}

func isMapping(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}

// key is the text of a mapping key; keys are names, so they must be non-empty scalars.
func (d *decoder) key(raw ast.Node) (string, Pos, bool) {
	pos := posOf(raw)
	n, ok := d.resolve(raw)
	if !ok {
		return "", pos, false
	}
	if isNull(n) {
		d.errorf(pos, CodeType, "a key must be a name, got nothing")
		return "", pos, false
	}
	s, ok := scalarText(n)
	if !ok {
		d.errorf(pos, CodeType, "a key must be a name, got %s", kindOf(n))
		return "", pos, false
	}
	if strings.TrimSpace(s) == "" {
		d.errorf(pos, CodeType, "a key must be a name, got an empty string")
		return "", pos, false
	}
	if !d.printableName(s, pos, "key") {
		return "", pos, false
	}
	return s, pos, true
}

// printableName reports a name holding a control, bidirectional, invisible or blank-looking
// character: names reach terminals (the console, run summaries, lint), where `\e]0;…\a` retitles
// the window and U+202E shows one name as another; and a character a terminal shows as nothing or
// as a plain space made a name of its own that reads as another: "URS_2\u200b" ("unknown
// application URS_2"), or two RoutingServers URS_1 and "URS\u034f_1" side by side in a report.
func (d *decoder) printableName(s string, pos Pos, what string) bool {
	r, bad := unsafeRune(s)
	if !bad {
		r, bad = invisibleRune(s)
	}
	if !bad {
		return true
	}
	d.errorf(pos, CodeBadValue, "%s %s holds %s (U+%04X): names may hold no control, formatting or invisible characters", what, quoteVisibly(s), runeKind(r), r)
	return false
}

// invisibleRune is the first character of s that a terminal shows as nothing, or as a blank that
// is not the ASCII space (see invisible).
func invisibleRune(s string) (rune, bool) {
	for _, r := range s {
		if invisible(r) {
			return r, true
		}
	}
	return 0, false
}

// invisible reports a character that shows as nothing or as a blank other than the space:
//   - not graphic: format characters (Cf: zero-width spaces and joiners, the byte-order mark, soft
//     hyphens, tags), private-use, unassigned code points and noncharacters (U+FFFF), the line and
//     paragraph separators (U+2028, U+2029);
//   - Unicode's other default-ignorable code points (U+034F COMBINING GRAPHEME JOINER, U+17B4
//     KHMER VOWEL INHERENT AQ, the Hangul fillers U+115F and U+3164) and the variation selectors
//     (U+FE0F), which fonts render as nothing;
//   - spaces other than U+0020 (no-break, figure, hair, ideographic…) and U+2800 BRAILLE PATTERN
//     BLANK, which read as a space.
func invisible(r rune) bool {
	switch {
	case r == ' ':
		return false
	case !unicode.IsGraphic(r):
		return true
	case unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.Zs):
		return true
	}
	return r == '\u2800'
}

// quoteVisibly quotes a name for a message as strconv.Quote does, and writes as \u escapes too the
// invisible characters strconv.Quote keeps as they are (a combining grapheme joiner, a no-break
// space), so the message shows where they are.
func quoteVisibly(s string) string {
	if _, bad := unsafeRune(s); bad {
		return strconv.Quote(s) // bytes that are not UTF-8 as \x escapes
	}
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case !invisible(r) || !strconv.IsPrint(r):
			q := strconv.Quote(string(r))
			b = append(b, q[1:len(q)-1]...)
		case r <= 0xFFFF:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = fmt.Appendf(b, `\U%08x`, r)
		}
	}
	return string(append(b, '"'))
}

// runeKind names what unsafeRune found.
func runeKind(r rune) string {
	switch {
	case isBidi(r):
		return "a bidirectional formatting character"
	case r == utf8.RuneError:
		return "bytes that are not UTF-8"
	case unicode.Is(unicode.Cf, r):
		return "an invisible formatting character"
	case unicode.Is(unicode.Zs, r) || r == '\u2800':
		return "a blank that is not the ASCII space"
	case unicode.In(r, unicode.Zl, unicode.Zp):
		return "a line or paragraph separator"
	case invisible(r) && !unicode.IsControl(r):
		return "a character that shows as nothing"
	}
	return "a control character"
}
