package scenarios

// Typed readers over the AST: mappings of names, objects with a fixed set of fields, and the
// scalars the format uses (names, integers, numbers, durations, lists, option sections). Each
// reports a wrong value at the value's own position and says what it wanted.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// mapping reads a mapping of names (applications, strategies, an option section…): its entries in
// file order, each indexed under path. Null is an empty mapping. ok is false, having reported it,
// when the node is not a mapping.
func (d *decoder) mapping(raw ast.Node, path, what string) ([]entry, bool) {
	n, ok := d.resolve(raw)
	if !ok {
		return nil, false
	}
	if isNull(n) {
		return nil, true
	}
	if !isMapping(n) {
		d.errorf(posOf(raw), CodeType, "%s: want a mapping, got %s", what, kindOf(n))
		return nil, false
	}
	es := d.entries(n)
	for _, e := range es {
		d.index.add(join(path, e.key), e.keyPos, posOf(e.value))
	}
	return es, true
}

// object is a mapping with a fixed set of fields (an application, a step, a traffic stream…).
type object struct {
	d      *decoder
	path   string
	what   string
	pos    Pos
	fields map[string]entry
	ok     bool
}

// object reads a mapping whose keys must be among known; any other key is an unknown-field error.
// what names the object in messages ("application URS_1").
func (d *decoder) object(raw ast.Node, path, what string, known ...string) *object {
	o := &object{d: d, path: path, what: what, pos: posOf(raw), fields: map[string]entry{}}
	n, ok := d.resolve(raw)
	if !ok {
		return o
	}
	if isNull(n) {
		o.ok = true
		return o
	}
	if !isMapping(n) {
		d.errorf(posOf(raw), CodeType, "%s: want a mapping, got %s", what, kindOf(n))
		return o
	}
	o.ok = true
	for _, e := range d.entries(n) {
		if !slices.Contains(known, e.key) {
			d.unknownField(e, what, known)
			continue
		}
		o.fields[e.key] = e
		d.index.add(join(path, e.key), e.keyPos, posOf(e.value))
	}
	return o
}

func (d *decoder) unknownField(e entry, what string, known []string) {
	if hint := didYouMean(e.key, known); hint != "" {
		d.errorf(e.keyPos, CodeUnknownField, "unknown field %q in %s%s", e.key, what, hint)
		return
	}
	if len(known) == 0 {
		d.errorf(e.keyPos, CodeUnknownField, "unknown field %q in %s, which has no fields", e.key, what)
		return
	}
	d.errorf(e.keyPos, CodeUnknownField, "unknown field %q in %s (known: %s)", e.key, what, listNames(known))
}

// get returns a field's value node if the field is present.
func (o *object) get(key string) (ast.Node, bool) {
	e, ok := o.fields[key]
	return e.value, ok
}

func (o *object) has(key string) bool { _, ok := o.fields[key]; return ok }

// keyPos is where a present field's key is.
func (o *object) keyPos(key string) Pos { return o.fields[key].keyPos }

func (o *object) sub(key string) string { return join(o.path, key) }

// label names a field in messages: "agent group Sales: agents", or just "duration" at the top.
func (o *object) label(key string) string {
	if o.path == "" {
		return key
	}
	return o.what + ": " + key
}

// require reports each of keys that is absent, at the object; it returns whether all are there.
func (o *object) require(keys ...string) bool {
	all := true
	for _, k := range keys {
		if !o.has(k) {
			all = false
			if o.ok {
				if o.path == "" {
					o.d.errorf(o.pos, CodeMissingField, "missing required field %q", k)
				} else {
					o.d.errorf(o.pos, CodeMissingField, "%s: missing required field %q", o.what, k)
				}
			}
		}
	}
	return all
}

// str reads a string field ("" and ok=false when absent or not a string, the latter reported).
// Names may be written as numbers; booleans, null and collections are type errors.
func (o *object) str(key string) (named, bool) {
	raw, ok := o.get(key)
	if !ok {
		return named{}, false
	}
	return o.d.str(raw, o.label(key))
}

func (d *decoder) str(raw ast.Node, what string) (named, bool) {
	pos := posOf(raw)
	n, ok := d.resolve(raw)
	if !ok {
		return named{Pos: pos}, false
	}
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode:
		s, _ := scalarText(n)
		if strings.TrimSpace(s) == "" {
			d.errorf(pos, CodeBadValue, "%s: want a name, got an empty string", what)
			return named{Pos: pos}, false
		}
		if !d.printableName(s, pos, what+":") {
			return named{Pos: pos}, false
		}
		return named{Name: s, Pos: pos}, true
	}
	d.errorf(pos, CodeType, "%s: want a string, got %s", what, kindOf(n))
	return named{Pos: pos}, false
}

// text reads any scalar as text: option values, descriptions.
func (d *decoder) text(raw ast.Node, what string) (string, bool) {
	n, ok := d.resolve(raw)
	if !ok {
		return "", false
	}
	s, ok := scalarText(n)
	if !ok {
		d.errorf(posOf(raw), CodeType, "%s: want a value, got %s", what, kindOf(n))
		return s, false
	}
	// Descriptions and option values reach the console's panes too: line breaks and tabs are
	// text, escape sequences and bidirectional overrides are not.
	if r, bad := unsafeRune(strings.NewReplacer("\n", "", "\t", "", "\r", "").Replace(s)); bad {
		d.errorf(posOf(raw), CodeBadValue, "%s: %q holds %s (U+%04X): text may hold line breaks and tabs, but no other control or bidirectional formatting characters",
			what, s, runeKind(r), r)
		return s, false
	}
	return s, true
}

// integer reads a whole number in [lo, hi].
func (o *object) integer(key string, lo, hi int64) (int64, bool) {
	raw, ok := o.get(key)
	if !ok {
		return 0, false
	}
	return o.d.integer(raw, o.label(key), lo, hi)
}

func (d *decoder) integer(raw ast.Node, what string, lo, hi int64) (int64, bool) {
	pos := posOf(raw)
	n, ok := d.resolve(raw)
	if !ok {
		return 0, false
	}
	iv, isInt := n.(*ast.IntegerNode)
	if !isInt {
		if s, ok := outOfRangeNumber(n); ok {
			d.errorf(pos, CodeBadValue, "%s: %s is too large: must be an integer between %d and %d", what, s, lo, hi)
			return 0, false
		}
		d.errorf(pos, CodeType, "%s: want an integer between %d and %d, got %s", what, lo, hi, kindOf(n))
		return 0, false
	}
	var v int64
	switch x := iv.Value.(type) {
	case int64:
		v = x
	case uint64:
		if x > math.MaxInt64 {
			d.errorf(pos, CodeBadValue, "%s: %d is too large: must be an integer between %d and %d", what, x, lo, hi)
			return 0, false
		}
		v = int64(x)
	default:
		d.errorf(pos, CodeType, "%s: want an integer, got %q", what, iv.GetToken().Value)
		return 0, false
	}
	if v < lo || v > hi {
		d.errorf(pos, CodeBadValue, "%s: must be between %d and %d, got %d", what, lo, hi, v)
		return 0, false
	}
	return v, true
}

// unsigned reads a uint64 (the seed), which may exceed int64.
func (o *object) unsigned(key string) (uint64, bool) {
	raw, ok := o.get(key)
	if !ok {
		return 0, false
	}
	pos := posOf(raw)
	n, ok := o.d.resolve(raw)
	if !ok {
		return 0, false
	}
	if iv, isInt := n.(*ast.IntegerNode); isInt {
		switch x := iv.Value.(type) {
		case uint64:
			return x, true
		case int64:
			if x >= 0 {
				return uint64(x), true
			}
			o.d.errorf(pos, CodeBadValue, "%s: must not be negative, got %d", o.label(key), x)
			return 0, false
		}
	}
	if s, ok := outOfRangeNumber(n); ok {
		o.d.errorf(pos, CodeBadValue, "%s: %s is too large: must be an integer between 0 and %d", o.label(key), s, uint64(math.MaxUint64))
		return 0, false
	}
	o.d.errorf(pos, CodeType, "%s: want an integer between 0 and %d, got %s", o.label(key), uint64(math.MaxUint64), kindOf(n))
	return 0, false
}

// number reads a finite number (integer or decimal).
func (d *decoder) number(raw ast.Node, what string) (float64, bool) {
	pos := posOf(raw)
	n, ok := d.resolve(raw)
	if !ok {
		return 0, false
	}
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		s, _ := scalarText(n)
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if iv, ok := n.(*ast.IntegerNode); ok {
			// Hex, octal and binary integers: use the parser's value.
			switch x := iv.Value.(type) {
			case int64:
				f, err = float64(x), nil
			case uint64:
				f, err = float64(x), nil
			}
		}
		if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, true
		}
	case *ast.InfinityNode, *ast.NanNode:
		d.errorf(pos, CodeBadValue, "%s: want a finite number, got %s", what, kindOf(n))
		return 0, false
	}
	if s, ok := outOfRangeNumber(n); ok {
		d.errorf(pos, CodeBadValue, "%s: %s is out of range: want a finite number such as 0.5 or 2", what, s)
		return 0, false
	}
	d.errorf(pos, CodeType, "%s: want a number, got %s", what, kindOf(n))
	return 0, false
}

// duration reads a Go duration ("250ms", "30s", "10m"); negative durations are errors.
func (o *object) duration(key string) (time.Duration, bool) {
	raw, ok := o.get(key)
	if !ok {
		return 0, false
	}
	return o.d.duration(raw, o.label(key))
}

func (d *decoder) duration(raw ast.Node, what string) (time.Duration, bool) {
	pos := posOf(raw)
	n, ok := d.resolve(raw)
	if !ok {
		return 0, false
	}
	s, isScalar := scalarText(n)
	if !isScalar || isNull(n) {
		d.errorf(pos, CodeType, "%s: want a duration such as 30s, got %s", what, kindOf(n))
		return 0, false
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil && durationRE.MatchString(strings.TrimSpace(s)) {
		d.errorf(pos, CodeBadDuration, "%s: duration %q is out of range: at most %s (ten years of virtual time)", what, s, fmtDuration(MaxDuration))
		return 0, false
	}
	if err != nil {
		d.errorf(pos, CodeBadDuration, "%s: bad duration %q: want a Go duration such as 250ms, 30s or 10m", what, s)
		return 0, false
	}
	if v < 0 {
		d.errorf(pos, CodeBadDuration, "%s: duration %q must not be negative", what, s)
		return 0, false
	}
	if v > MaxDuration {
		d.errorf(pos, CodeBadDuration, "%s: duration %q is out of range: at most %s (ten years of virtual time)", what, s, fmtDuration(MaxDuration))
		return 0, false
	}
	return v, true
}

// list reads a sequence; its items are indexed under path. Null is an empty list.
func (d *decoder) list(raw ast.Node, path, what string) ([]ast.Node, bool) {
	n, ok := d.resolve(raw)
	if !ok {
		return nil, false
	}
	if isNull(n) {
		return nil, true
	}
	seq, isSeq := n.(*ast.SequenceNode)
	if !isSeq {
		d.errorf(posOf(raw), CodeType, "%s: want a list, got %s", what, kindOf(n))
		return nil, false
	}
	for i, it := range seq.Values {
		d.index.add(item(path, i), Pos{}, posOf(it))
	}
	return seq.Values, true
}

// names reads a list of names (connections, activated_on, members…), each with its position.
// A name listed twice is an error: the Configuration Layer would not hold it twice either.
func (d *decoder) names(raw ast.Node, path, what string) []named {
	items, _ := d.list(raw, path, what)
	var out []named
	first := map[string]Pos{}
	for _, it := range items {
		nm, ok := d.str(it, what)
		if !ok {
			continue
		}
		if at, dup := first[nm.Name]; dup {
			d.errorf(nm.Pos, CodeDuplicateKey, "%s: %q is listed twice (first at %s)", what, nm.Name, at)
			continue
		}
		first[nm.Name] = nm.Pos
		out = append(out, nm)
	}
	return out
}

// options reads Configuration Layer sections: section -> option -> value, every value as text.
func (d *decoder) options(raw ast.Node, path, what string) map[string]map[string]string {
	sections, ok := d.mapping(raw, path, what)
	if !ok {
		return nil
	}
	out := map[string]map[string]string{}
	for _, s := range sections {
		opts, ok := d.mapping(s.value, join(path, s.key), fmt.Sprintf("%s section %s", what, s.key))
		if !ok {
			continue
		}
		sec := map[string]string{}
		for _, o := range opts {
			if v, ok := d.text(o.value, fmt.Sprintf("%s %s/%s", what, s.key, o.key)); ok {
				sec[o.key] = v
			}
		}
		out[s.key] = sec
	}
	return out
}

// numberRE is YAML's number syntax: a plain scalar matching it that the YAML parser left as a
// string is a number too large for it (23 digits, 1e400), not a string.
var numberRE = regexp.MustCompile(`^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$`)

// outOfRangeNumber returns the text of a plain (unquoted) scalar that is a number out of any
// range the parser holds.
func outOfRangeNumber(n ast.Node) (string, bool) {
	sn, ok := n.(*ast.StringNode)
	if !ok || sn.GetToken() == nil || sn.GetToken().Type != token.StringType {
		return "", false
	}
	if numberRE.MatchString(sn.Value) {
		return sn.Value, true
	}
	return "", false
}

// durationRE is Go's duration syntax: a string matching it that time.ParseDuration refuses is
// out of range ("10000000h"), not malformed.
var durationRE = regexp.MustCompile(`^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)
