package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a diagnostic stops the file from loading (error) or only flags a pitfall
// (warning, for the lint pass).
type Severity string

// The severities `ixlb lint` prints.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Diagnostic codes. They are printed by `ixlb lint` and matched by scripts: add, never rename.
const (
	CodeSyntax        = "syntax"            // the YAML itself cannot be read
	CodeVersion       = "version"           // a format version this ixlb does not read
	CodeUnknownField  = "unknown-field"     // a key the format does not define here
	CodeDuplicateKey  = "duplicate-key"     // the same key twice in one mapping
	CodeMissingField  = "missing-field"     // a required key is absent
	CodeType          = "type"              // a value of the wrong YAML kind (list for string, …)
	CodeBadValue      = "bad-value"         // the right kind, but out of range or malformed
	CodeBadDuration   = "bad-duration"      // not a Go duration
	CodeBadRate       = "bad-rate"          // not N/s, N/min, N/hour… with N > 0, or above the maximum
	CodeUnknownRef    = "unknown-reference" // names an application, strategy, queue… that does not exist
	CodeWrongRefType  = "wrong-type"        // names an application of the wrong type
	CodeNestedCluster = "nested-cluster"    // an Application Cluster inside another
	CodeMixedCluster  = "mixed-cluster"     // an Application Cluster with members of several types
	CodeTopology      = "topology"          // a deployment the Interaction Server cannot run
	CodeBadExpect     = "bad-expect"        // an `expect` line that does not parse or names nothing
)

// Pos is a 1-based line and column in a scenario file.
type Pos struct {
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether p points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 && p.Col > 0 }

func (p Pos) compare(q Pos) int {
	if c := cmp.Compare(p.Line, q.Line); c != 0 {
		return c
	}
	return cmp.Compare(p.Col, q.Col)
}

// Diagnostic is one finding about a scenario file, at the node it concerns.
type Diagnostic struct {
	File     string
	Line     int
	Col      int
	Severity Severity
	Code     string
	Message  string
}

// Pos is where the diagnostic points.
func (d Diagnostic) Pos() Pos { return Pos{d.Line, d.Col} }

// String is the load-error form, `FILE:LINE:COL: message`, which editors and CI annotate.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Message)
}

// Lint is the form `ixlb lint` prints: `FILE:LINE:COL: error|warning CODE: message`.
func (d Diagnostic) Lint() string {
	return fmt.Sprintf("%s:%d:%d: %s %s: %s", d.File, d.Line, d.Col, d.Severity, d.Code, d.Message)
}

// Diagnostics is every finding of a load, sorted by position. As an error it prints one
// `FILE:LINE:COL: message` a line. Parse returns it as its error: use errors.As to get it back.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error (warnings do not stop a load).
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == SeverityError })
}

// Sort orders the diagnostics by position; findings at one position keep the order they were made.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Pos().compare(b.Pos())
	})
}
