// Package scenarios reads scenario files (format v1, docs/scenarios.md) into the engine's core.Config,
// strictly and with positions: every problem is a Diagnostic at the node it concerns, and a file
// that loads is one the engine can run. It also evaluates `expect` lines against a run report and
// carries the bundled scenarios.
package scenarios

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"

	"github.com/ixlb/ixlb/core"
)

// FormatVersion is the scenario format this package reads.
const FormatVersion = 1

// Scenario is a loaded scenario file.
type Scenario struct {
	File   string      // as given to Parse: a path, or a bundled file's name
	Config core.Config // what core.New runs
	Expect []Expectation
	index  *Index
	text   []byte
}

// Text is the file's bytes as parsed (what an export of a session edits).
func (s *Scenario) Text() []byte { return s.text }

// Index is the position of every node of the file by path, for diagnostics made after the load.
func (s *Scenario) Index() *Index { return s.index }

// Pos is the position of the node at path (see Index.Pos), e.g. Pos("applications.URS_1.options").
func (s *Scenario) Pos(path string) (Pos, bool) { return s.index.Pos(path) }

// Load reads and parses the scenario file at path.
func Load(path string) (*Scenario, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a scenario from data; file names it in diagnostics. On failure the error is a
// Diagnostics value holding every problem found, sorted by position.
func Parse(file string, data []byte) (*Scenario, error) {
	d := newDecoder(file, len(data))
	if len(data) > MaxFileSize {
		d.errorf(Pos{1, 1}, CodeBadValue, "the file is %d bytes; a scenario file is at most %d (8 MiB)", len(data), MaxFileSize)
		return nil, d.failure()
	}
	data = stripBOM(data)
	root, ok := parseYAML(d, data)
	if !ok {
		return nil, d.failure()
	}
	if !checkVersion(d, root) {
		return nil, d.failure()
	}
	d.collectAnchors(root)
	l := newLoader(d)
	base := strings.TrimPrefix(file, BundledPrefix)
	l.cfg.Name = strings.TrimSuffix(filepath.Base(base), filepath.Ext(base))
	l.top(root)
	if l.diags.HasErrors() {
		return nil, d.failure()
	}
	return &Scenario{File: file, Config: l.cfg, Expect: l.expect, index: d.index, text: data}, nil
}

// failure returns the diagnostics sorted, each once: content reached through several aliases
// would otherwise report the same problem at the same place several times.
func (d *decoder) failure() error {
	d.diags.Sort()
	return slices.Compact(d.diags)
}

// parseYAML turns the bytes into one document's root node. goccy/go-yaml stops at its first syntax
// error; that one is reported with its position.
func parseYAML(d *decoder, data []byte) (root ast.Node, ok bool) {
	defer func() {
		// The YAML parser is third-party code fed with user input: a panic in it is a load error,
		// not a crash of the console.
		if r := recover(); r != nil {
			d.errorf(Pos{1, 1}, CodeSyntax, "cannot parse YAML: %v", r)
			root, ok = nil, false
		}
	}()
	tokens := lexer.Tokenize(string(data))
	if !d.checkShape(tokens) {
		return nil, false
	}
	// Duplicate keys are allowed here and reported by the decoder, which reports all of them.
	f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			pos := Pos{1, 1}
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				pos = Pos{max(1, tk.Position.Line), max(1, tk.Position.Column)}
			}
			d.errorf(pos, CodeSyntax, "YAML syntax: %s", ye.GetMessage())
		} else {
			d.errorf(Pos{1, 1}, CodeSyntax, "YAML syntax: %v", err)
		}
		return nil, false
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && !isNil(doc.Body) {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.errorf(Pos{1, 1}, CodeMissingField, "empty scenario: a scenario needs at least version, duration and applications")
		return nil, false
	}
	if len(docs) > 1 {
		at := posOf(docs[1].Body)
		if tk := docs[1].Start; tk != nil && tk.Position != nil {
			at = Pos{max(1, tk.Position.Line), max(1, tk.Position.Column)}
		}
		d.errorf(at, CodeSyntax, "a scenario file holds one YAML document; this is a second one")
		return nil, false
	}
	return docs[0].Body, true
}

// checkVersion looks at `version` before anything else: a file of another format version would
// otherwise drown its one real problem in unknown-field errors.
func checkVersion(d *decoder, root ast.Node) bool {
	probe := newDecoder(d.file, 0)
	probe.budget = d.budget
	n, ok := probe.resolve(root)
	if !ok || !isMapping(n) {
		return true // the full pass reports it
	}
	for _, e := range probe.entries(n) {
		if e.key != "version" {
			continue
		}
		v, ok := probe.resolve(e.value)
		if !ok {
			return true
		}
		iv, isInt := v.(*ast.IntegerNode)
		if s, big := outOfRangeNumber(v); big {
			d.errorf(posOf(e.value), CodeVersion, "unsupported version %s: this ixlb reads scenario format version %d", s, FormatVersion)
			return false
		}
		if !isInt {
			d.errorf(posOf(e.value), CodeVersion, "version: want the number %d, got %s", FormatVersion, kindOf(v))
			return false
		}
		switch x := iv.Value.(type) {
		case int64:
			if x == FormatVersion {
				return true
			}
		case uint64:
			if x == FormatVersion {
				return true
			}
		}
		text, _ := scalarText(v)
		d.errorf(posOf(e.value), CodeVersion, "unsupported version %s: this ixlb reads scenario format version %d", text, FormatVersion)
		return false
	}
	return true
}

// topFields are the keys of a scenario file, in the order the format documents them.
var topFields = []string{"version", "name", "description", "seed", "duration", "applications", "clusters",
	"databases", "strategies", "business_processes", "agent_groups", "traffic", "service_level", "timeline", "expect"}

func (l *loader) top(root ast.Node) {
	o := l.object(root, "", "scenario", topFields...)
	if !o.ok {
		return
	}
	o.require("version", "duration", "applications")
	if nm, ok := o.str("name"); ok {
		l.cfg.Name = nm.Name
	}
	if raw, ok := o.get("description"); ok {
		l.cfg.Description, _ = l.text(raw, "description")
	}
	l.cfg.Seed = 1
	if s, ok := o.unsigned("seed"); ok {
		l.cfg.Seed = s
	}
	if dur, ok := o.duration("duration"); ok {
		if dur <= 0 {
			raw, _ := o.get("duration")
			l.errorf(posOf(raw), CodeBadDuration, "duration must be positive")
		}
		l.cfg.Duration = dur
	}
	if raw, ok := o.get("service_level"); ok {
		l.cfg.ServiceLevel, l.cfg.Warmup = l.serviceLevel(raw, "service_level", "service_level")
	}
	// Sections are read in file-independent order; references between them are checked once all
	// are read, so a file may define things in any order.
	sections := []struct {
		key  string
		read func(ast.Node)
	}{
		{"applications", l.applications},
		{"clusters", l.clusters},
		{"databases", l.databases},
		{"strategies", l.strategies},
		{"business_processes", l.businessProcesses},
		{"agent_groups", l.agentGroups},
		{"traffic", l.traffic},
		{"timeline", l.timeline},
		{"expect", l.expectations},
	}
	for _, s := range sections {
		if raw, ok := o.get(s.key); ok {
			l.sectionPos[s.key] = o.keyPos(s.key)
			s.read(raw)
		}
	}
	l.link()
}
