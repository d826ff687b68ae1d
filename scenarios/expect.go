package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/ixlb/ixlb/core"
)

// Expectation is one `expect` line: `PATH OP NUMBER` or `spread(PATH) OP NUMBER`, PATH being a
// dotted path into the JSON form of the run report (absent = 0).
type Expectation struct {
	Text   string   // as written; the report's `expect` field
	Spread bool     // spread(PATH): max - min of every number under PATH
	Path   []string // segments of PATH
	Op     string   // == != < <= > >=
	Value  float64
	Pos    Pos // of the line in the scenario file; zero for one parsed from text alone

	segOff []int // byte offset of each segment in Text, to point diagnostics at it
}

// ExpectError is a syntax error in an expectation, at a byte offset of its text.
type ExpectError struct {
	Offset int
	Msg    string
}

func (e *ExpectError) Error() string { return e.Msg }

var ops = []string{"==", "!=", "<=", ">=", "<", ">"}

const opChars = "=<>!"

// ParseExpectation reads one expectation. Names in the path may hold any character but a dot, and
// cannot hold operator characters (= < > !): the operator is the last run of those before NUMBER.
func ParseExpectation(text string) (Expectation, error) {
	e := Expectation{Text: text}
	i := strings.LastIndexAny(text, opChars)
	if i < 0 {
		return e, &ExpectError{len(strings.TrimRight(text, " \t")), "missing a comparison (== != < <= > >=): want PATH OP NUMBER, e.g. interactions.lost == 0"}
	}
	opStart := i
	for opStart > 0 && strings.ContainsRune(opChars, rune(text[opStart-1])) {
		opStart--
	}
	e.Op = text[opStart : i+1]
	if !slices.Contains(ops, e.Op) {
		return e, &ExpectError{opStart, fmt.Sprintf("unknown operator %q: want one of == != < <= > >=", e.Op)}
	}
	rhs := text[i+1:]
	numOff := i + 1 + (len(rhs) - len(strings.TrimLeft(rhs, " \t")))
	num := strings.TrimSpace(rhs)
	v, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		if num == "" {
			return e, &ExpectError{numOff, fmt.Sprintf("missing the number after %s", e.Op)}
		}
		return e, &ExpectError{numOff, fmt.Sprintf("want a number after %s, got %q", e.Op, num)}
	}
	e.Value = v
	lhs := text[:opStart]
	off := len(lhs) - len(strings.TrimLeft(lhs, " \t"))
	lhs = strings.TrimSpace(lhs)
	if lhs == "" {
		return e, &ExpectError{off, "missing the report path before " + e.Op}
	}
	if open := strings.IndexByte(lhs, '('); open >= 0 && strings.HasSuffix(lhs, ")") {
		fn := strings.TrimSpace(lhs[:open])
		if fn != "spread" {
			return e, &ExpectError{off, fmt.Sprintf("unknown function %q: only spread(PATH) is defined", fn)}
		}
		inner := lhs[open+1 : len(lhs)-1]
		off += open + 1 + (len(inner) - len(strings.TrimLeft(inner, " \t")))
		lhs = strings.TrimSpace(inner)
		e.Spread = true
		if lhs == "" {
			return e, &ExpectError{off, "spread() needs a report path"}
		}
	}
	for _, seg := range strings.Split(lhs, ".") {
		if strings.TrimSpace(seg) == "" || strings.TrimSpace(seg) != seg {
			return e, &ExpectError{off, fmt.Sprintf("bad report path %q: empty name or spaces around a dot", lhs)}
		}
		e.Path = append(e.Path, seg)
		e.segOff = append(e.segOff, off)
		off += len(seg) + 1
	}
	return e, nil
}

// PathString is the dotted path.
func (e Expectation) PathString() string { return strings.Join(e.Path, ".") }

// Evaluate checks every expectation against a run report, read through the report's one
// flattener (core.Report.Figures): a path names the same figure here as in a sweep row or a plot.
func Evaluate(exps []Expectation, r *core.Report) []core.ExpectationResult {
	out := make([]core.ExpectationResult, 0, len(exps))
	figs := r.Figures()
	for _, e := range exps {
		if r == nil {
			out = append(out, core.ExpectationResult{Expect: e.Text, Error: "no report"})
			continue
		}
		out = append(out, e.eval(figs))
	}
	return out
}

func (e Expectation) eval(figs core.Figures) core.ExpectationResult {
	res := core.ExpectationResult{Expect: e.Text}
	path := e.PathString()
	if e.Spread {
		// max − min of every number under the path (none: 0).
		if under := figs.Under(path); len(under) > 0 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, k := range under {
				if !core.Undefined(figs[k]) {
					lo, hi = min(lo, figs[k]), max(hi, figs[k])
				}
			}
			if hi >= lo {
				res.Actual = hi - lo
			}
		}
	} else if x, ok := figs[path]; ok && core.Undefined(x) {
		// Nothing to average over (an ASA with nobody answered): no value meets a bound.
		res.Error = fmt.Sprintf("%s is undefined: %s", path, core.DescribeFigure(path, nil).WhyUndefined())
		return res
	} else if ok {
		res.Actual = x
	} else if sh := core.ReportShape().At(e.Path); sh != nil && sh.Kind != core.ShapeNumber {
		res.Error = fmt.Sprintf("%s is not a number", path)
		return res
	} // else absent: 0
	res.OK = compare(res.Actual, e.Op, e.Value)
	return res
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

// expectations reads the `expect` list; paths are checked against the scenario once it is read.
func (l *loader) expectations(raw ast.Node) {
	items, _ := l.list(raw, "expect", "expect")
	for i, it := range items {
		what := fmt.Sprintf("expect %d", i+1)
		pos := posOf(it)
		n, ok := l.resolve(it)
		if !ok {
			continue
		}
		s, isStr := n.(*ast.StringNode)
		if !isStr {
			l.errorf(pos, CodeType, "%s: want a line such as \"interactions.lost == 0\", got %s", what, kindOf(n))
			continue
		}
		at := func(off int) Pos { return offsetPos(pos, s, off) }
		e, err := ParseExpectation(s.Value)
		if err != nil {
			ee := err.(*ExpectError)
			l.errorf(at(ee.Offset), CodeBadExpect, "%s: %s", what, ee.Msg)
			continue
		}
		e.Pos = pos
		l.expect = append(l.expect, e)
		l.later(func() { l.checkExpectPath(e, what, at) })
	}
}

// offsetPos is the position of byte off of a string scalar's value, when the value is written on
// one line without escapes; otherwise the scalar's own position.
func offsetPos(base Pos, s *ast.StringNode, off int) Pos {
	tk := s.GetToken()
	if tk == nil || strings.ContainsAny(tk.Value, "\n\\") || off > len(s.Value) {
		return base
	}
	quote := 0
	if o := strings.TrimLeft(tk.Origin, " \t\r\n"); strings.HasPrefix(o, `"`) || strings.HasPrefix(o, `'`) {
		quote = 1
		if strings.Contains(s.Value, "'") && strings.HasPrefix(o, `'`) {
			return base // '' escapes shift columns
		}
	}
	return Pos{base.Line, base.Col + quote + utf8.RuneCountInString(s.Value[:off])}
}

// checkExpectPath checks an expectation's path against the report's shape and the scenario's
// names: with "absent = 0", a typo in a path would otherwise pass silently.
func (l *loader) checkExpectPath(e Expectation, what string, at func(int) Pos) {
	sh := core.ReportShape()
	var walked []string
	for i, seg := range e.Path {
		pos := at(e.segOff[i])
		prefix := strings.Join(walked, ".")
		switch sh.Kind {
		case core.ShapeObject:
			next, ok := sh.Fields[seg]
			if !ok {
				where := "the report"
				if prefix != "" {
					where = prefix
				}
				l.errorf(pos, CodeBadExpect, "%s: %s has no %q%s", what, where, seg, didYouMean(seg, sh.Order))
				return
			}
			sh = next
		case core.ShapeNames:
			if known, checked := l.reportNames(walked); checked && !slices.Contains(known, seg) {
				l.errorf(pos, CodeBadExpect, "%s: %s has no %q: %s%s", what, prefix, seg, l.reportNamesKind(walked), didYouMean(seg, known))
				return
			}
			sh = sh.Elem
		default:
			l.errorf(pos, CodeBadExpect, "%s: %s is a single value; nothing is under it", what, prefix)
			return
		}
		walked = append(walked, seg)
	}
	full := e.PathString()
	switch {
	case sh.Kind == core.ShapeText:
		l.errorf(at(e.segOff[len(e.segOff)-1]), CodeBadExpect, "%s: %s is not a number", what, full)
	case !e.Spread && sh.Kind != core.ShapeNumber:
		l.errorf(at(e.segOff[len(e.segOff)-1]), CodeBadExpect, "%s: %s is a group of figures, not a number; name one of them, or use spread(%s)", what, full, full)
	}
}

// reportNames lists the names a report map holds at path (routing -> strategies, routing.S -> URS…)
// according to the scenario. checked is false for maps whose names the scenario cannot predict.
func (l *loader) reportNames(path []string) (names []string, checked bool) {
	switch {
	case len(path) == 1 && (path[0] == "routing" || path[0] == "urs_share"):
		for _, s := range l.cfg.Strategies {
			names = append(names, s.Name)
		}
	case len(path) == 1 && path[0] == "service":
		for _, q := range l.cfg.Queues {
			names = append(names, q.Name)
		}
		names = append(names, core.AllQueues)
	case len(path) == 1 && path[0] == "occupancy":
		for _, g := range l.cfg.AgentGroups {
			names = append(names, g.Name)
		}
	case len(path) == 2 && (path[0] == "routing" || path[0] == "urs_share"):
		names = l.appNames(core.TypeRoutingServer)
	case len(path) == 1 && path[0] == "esp":
		for _, s := range l.cfg.Strategies {
			for _, st := range s.Steps {
				if st.Via != "" && !slices.Contains(names, st.Via) {
					names = append(names, st.Via)
				}
			}
		}
	case len(path) == 2 && path[0] == "esp":
		names = l.appNames(espServerTypes()...)
	case len(path) == 1 && path[0] == "dap":
		names = l.appNames(core.TypeDatabaseAccessPoint)
	case len(path) == 1 && path[0] == "databases":
		names = l.cfg.Databases
	default:
		return nil, false
	}
	return names, true
}

func (l *loader) reportNamesKind(path []string) string {
	switch {
	case len(path) == 1 && (path[0] == "routing" || path[0] == "urs_share"):
		return "not a strategy of this scenario"
	case len(path) == 1 && path[0] == "service":
		return "not a queue of this scenario (or _all)"
	case len(path) == 1 && path[0] == "occupancy":
		return "not an agent group of this scenario"
	case len(path) == 2 && (path[0] == "routing" || path[0] == "urs_share"):
		return "not a RoutingServer of this scenario"
	case len(path) == 1 && path[0] == "esp":
		return "no strategy step has that `via`"
	case len(path) == 2 && path[0] == "esp":
		return "not an ESP server of this scenario"
	case len(path) == 1 && path[0] == "dap":
		return "not a DatabaseAccessPoint of this scenario"
	case len(path) == 1 && path[0] == "databases":
		return "not a database of this scenario"
	}
	return "unknown name"
}
