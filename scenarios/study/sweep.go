package study

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/goccy/go-yaml"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// A sweep runs a grid of scenario variants × seeds. Each --set PATH=V1,V2,… is one axis; the grid
// is their product, the first --set varying slowest. Runs are numbered variant-major
// (run = variant*seeds + seed index) and shard I of N takes the runs with run % N == I, so shards
// are deterministic, balanced, and their rows together are exactly the unsharded sweep's rows.

// Axis is one --set: a path and its values, as written.
type Axis struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// Row is one run of a sweep, one line of its output.
type Row struct {
	Grid    string            `json:"grid"` // identifies the sweep: scenario bytes, axes, seeds
	Variant int               `json:"variant"`
	Set     map[string]string `json:"set"`
	Seed    uint64            `json:"seed"`
	Figures core.Figures      `json:"figures"` // undefined figures are null
	Failed  []string          `json:"failed,omitempty"`
	Errors  []string          `json:"errors,omitempty"`
	// Axes and Runs describe the whole grid, so merge can tell a missing shard.
	Axes []Axis `json:"axes"`
	Runs int    `json:"runs"`
}

func ParseAxes(sets []string) ([]Axis, error) {
	var axes []Axis
	seen := map[string]bool{}
	for _, s := range sets {
		path, vals, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if !ok || path == "" || strings.TrimSpace(vals) == "" {
			return nil, fmt.Errorf("--set %q: want PATH=V1,V2,… e.g. agent_groups.Sales.agents=150,200", s)
		}
		if seen[path] {
			return nil, fmt.Errorf("--set %s given twice: put all its values in one --set", path)
		}
		seen[path] = true
		a := Axis{Path: path}
		for _, v := range strings.Split(vals, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return nil, fmt.Errorf("--set %s: empty value in %q", path, vals)
			}
			a.Values = append(a.Values, v)
		}
		axes = append(axes, a)
	}
	return axes, nil
}

// ParseShard reads --shard I/N, or N with $JOB_COMPLETION_INDEX; "" is 0/1.
func ParseShard(s string, env func(string) string) (i, n int, err error) {
	if s == "" {
		return 0, 1, nil
	}
	is, ns, both := strings.Cut(s, "/")
	if !both {
		ns = is
		is = env("JOB_COMPLETION_INDEX")
		if is == "" {
			return 0, 0, fmt.Errorf("--shard %s names only the count: give I/%s, or set JOB_COMPLETION_INDEX (a Kubernetes Indexed Job does)", s, s)
		}
	}
	n, err = strconv.Atoi(strings.TrimSpace(ns))
	if err != nil || n < 1 {
		return 0, 0, fmt.Errorf("--shard %q: the count must be a whole number ≥ 1", s)
	}
	i, err = strconv.Atoi(strings.TrimSpace(is))
	if err != nil || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: the index %q must be a whole number from 0 to %d", s, is, n-1)
	}
	return i, n, nil
}

// VariantSource is the scenario's YAML with path set to the YAML scalar value.
func VariantSource(src []byte, path, value string) ([]byte, error) {
	var doc any
	if err := yaml.UnmarshalWithOptions(src, &doc, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return nil, fmt.Errorf("value %q: %w", value, err)
	}
	doc, err := setPath(doc, strings.Split(path, "."), v, path)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(doc)
}

// namedCollections are the scenario's top-level mappings of named things.
var namedCollections = map[string]bool{"applications": true, "agent_groups": true, "strategies": true,
	"business_processes": true, "clusters": true, "databases": true}

func setPath(node any, segs []string, v any, full string) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	seg := segs[0]
	if seg == "" {
		return nil, fmt.Errorf("path %q has an empty part", full)
	}
	switch n := node.(type) {
	case nil:
		child, err := setPath(nil, segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		return yaml.MapSlice{{Key: seg, Value: child}}, nil
	case yaml.MapSlice:
		for i := range n {
			if fmt.Sprint(n[i].Key) == seg {
				child, err := setPath(n[i].Value, segs[1:], v, full)
				if err != nil {
					return nil, err
				}
				n[i].Value = child
				return n, nil
			}
		}
		if named := strings.SplitN(full, ".", 2)[0]; len(segs) > 1 && len(strings.Split(full, ".")) == len(segs)+1 && namedCollections[named] {
			// A name under applications, agent_groups… that is not there is a typo, not a new
			// application or group to create.
			var names []string
			for i := range n {
				names = append(names, fmt.Sprint(n[i].Key))
			}
			return nil, fmt.Errorf("path %q: the scenario has no %s %q%s", full, strings.TrimSuffix(named, "s"), seg, core.DidYouMean(seg, names))
		}
		child, err := setPath(nil, segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		return append(n, yaml.MapItem{Key: seg, Value: child}), nil
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n) {
			return nil, fmt.Errorf("path %q: %q is not an item of a list of %d (use 0…%d)", full, seg, len(n), len(n)-1)
		}
		child, err := setPath(n[i], segs[1:], v, full)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, fmt.Errorf("path %q: %q is under a single value, not a mapping or list", full, seg)
}

// Variant is one point of the grid, loaded.
type Variant struct {
	Set      map[string]string // path -> value, as written
	Scenario *scenarios.Scenario
}

// BuildGrid loads every variant of the grid (first axis slowest).
func BuildGrid(file string, src []byte, axes []Axis) ([]Variant, error) {
	base, err := scenarios.Parse(file, src)
	if err != nil {
		return nil, err
	}
	named := false // an axis sets the name itself
	for _, a := range axes {
		named = named || a.Path == "name"
	}
	n := 1
	for _, a := range axes {
		n *= len(a.Values)
	}
	if n > 100000 {
		return nil, fmt.Errorf("the grid has %d variants; more than 100000 is surely a mistake", n)
	}
	var out []Variant
	for k := 0; k < n; k++ {
		set := map[string]string{}
		data := src
		rem := k
		var label []string
		for ai := len(axes) - 1; ai >= 0; ai-- {
			a := axes[ai]
			v := a.Values[rem%len(a.Values)]
			rem /= len(a.Values)
			set[a.Path] = v
		}
		for _, a := range axes {
			var err error
			data, err = VariantSource(data, a.Path, set[a.Path])
			if err != nil {
				return nil, fmt.Errorf("%s: --set %s=%s: %w", file, a.Path, set[a.Path], err)
			}
			label = append(label, a.Path+"="+set[a.Path])
		}
		name := file
		if len(label) > 0 {
			name = file + "[" + strings.Join(label, " ") + "]"
		}
		sc, err := scenarios.Parse(name, data)
		if err != nil {
			return nil, err
		}
		if ds := scenarios.Lint(sc); ds.HasErrors() {
			var lines []string
			for _, d := range ds {
				lines = append(lines, d.Lint())
			}
			return nil, fmt.Errorf("%s", strings.Join(lines, "\n"))
		}
		if !named {
			sc.Config.Name = base.Config.Name // not the variant's label: every run is the same scenario
		}
		out = append(out, Variant{Set: set, Scenario: sc})
	}
	return out, nil
}

// GridID identifies a sweep by what makes its rows: the scenario's bytes, the axes and the seeds
// (and anything else that changes every run, such as a warm-up given on the command line).
func GridID(src []byte, axes []Axis, seeds int, extra ...string) string {
	h := sha256.New()
	h.Write(src)
	b, _ := json.Marshal(axes)
	h.Write(b)
	fmt.Fprintf(h, "seeds %d", seeds)
	for _, x := range extra {
		fmt.Fprintf(h, "\n%s", x)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Sweep is a grid of variants × seeds, or one shard of it.
type Sweep struct {
	Variants      []Variant
	Axes          []Axis
	Seeds         int    // per variant
	FirstSeed     uint64 // the scenario's seed: seeds are FirstSeed, FirstSeed+1…
	Grid          string // GridID
	Shard, Shards int    // this sweep runs the runs whose number % Shards == Shard
}

// NewSweep loads the grid of the scenario file's variants.
func NewSweep(file string, src []byte, axes []Axis, seeds, shard, shards int, extra ...string) (*Sweep, error) {
	vs, err := BuildGrid(file, src, axes)
	if err != nil {
		return nil, err
	}
	return &Sweep{Variants: vs, Axes: axes, Seeds: seeds, FirstSeed: vs[0].Scenario.Config.Seed,
		Grid: GridID(src, axes, seeds, extra...), Shard: shard, Shards: shards}, nil
}

// Total is the number of runs of the whole grid.
func (s *Sweep) Total() int { return len(s.Variants) * s.Seeds }

// Mine is the number of runs of this shard.
func (s *Sweep) Mine() int {
	if s.Shard >= s.Total() {
		return 0
	}
	return (s.Total() - s.Shard + s.Shards - 1) / s.Shards
}

// number is the grid's run number of this shard's k-th run. Runs are made when a worker takes
// them, so a big grid costs no memory up front.
func (s *Sweep) number(k int) int { return s.Shard + k*s.Shards }

// Run is this shard's k-th run.
func (s *Sweep) Run(k int) Run {
	r := s.number(k)
	v := s.Variants[r/s.Seeds]
	return Run{Config: v.Scenario.Config, Expect: v.Scenario.Expect, Seed: s.FirstSeed + uint64(r%s.Seeds)}
}

// Row is the output line of this shard's k-th run.
func (s *Sweep) Row(k int, res Result) Row {
	r := s.number(k)
	return Row{Grid: s.Grid, Variant: r / s.Seeds, Set: s.Variants[r/s.Seeds].Set, Seed: s.FirstSeed + uint64(r%s.Seeds),
		Figures: res.Figures, Failed: res.Failed, Errors: res.Errors, Axes: s.Axes, Runs: s.Total()}
}

// SourcedRow is a row and where it was read (FILE:LINE).
type SourcedRow struct {
	Row
	At string
}

// ReadRows reads sweep rows from files ("-" is stdin), naming FILE:LINE on bad input. Files are
// read a line at a time: memory holds the rows read and one line of at most MaxRowLine bytes.
func ReadRows(paths []string, stdin io.Reader) ([]SourcedRow, error) {
	var rows []SourcedRow
	for _, p := range paths {
		if p == "-" {
			var err error
			if rows, err = readRowsFrom(rows, p, stdin); err != nil {
				return nil, err
			}
			continue
		}
		f, err := openRows(p)
		if err != nil {
			return nil, err
		}
		rows, err = readRowsFrom(rows, p, &cappedReader{r: f, left: MaxRowsFile, path: p})
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// MaxRowLine bounds one line of a rows file: a row is a few hundred bytes (a variant's settings,
// its figures, a few errors). A file holding one huge line (a gigabyte of JSON) was read whole
// and then scanned: 2.2 GB of memory for "bufio.Scanner: token too long".
const MaxRowLine = 4 << 20

// readRowsFrom appends the rows of r (the file p) to rows.
func readRowsFrom(rows []SourcedRow, p string, r io.Reader) ([]SourcedRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxRowLine)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		at := fmt.Sprintf("%s:%d", p, line)
		var row Row
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("%s: not a sweep row: %v", at, err)
		}
		if row.Grid == "" || row.Runs < 1 || row.Variant < 0 {
			return nil, fmt.Errorf("%s: not a sweep row (no grid, runs or variant)", at)
		}
		rows = append(rows, SourcedRow{row, at})
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return nil, fmt.Errorf("%s:%d: a line longer than %d MiB: not a sweep row (a row is a few hundred bytes)", p, line+1, MaxRowLine>>20)
	case err != nil:
		return nil, fmt.Errorf("%s:%d: %w", p, line+1, err)
	}
	return rows, nil
}

// MaxRowsFile bounds a file of rows ReadRows reads into memory (a million runs of rows are a few
// hundred MiB).
const MaxRowsFile = 1 << 30

// openRows opens a file of rows: a regular file of at most MaxRowsFile bytes. A FIFO would block
// for ever and /dev/zero never end (both read without limit before).
func openRows(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	switch {
	case err != nil:
	case !st.Mode().IsRegular():
		err = fmt.Errorf("%s is not a regular file (%s)", path, scenarios.ModeName(st.Mode()))
	case st.Size() > MaxRowsFile:
		err = fmt.Errorf("%s is %d MiB, more than the %d MiB of rows merge reads", path, st.Size()>>20, MaxRowsFile>>20)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// cappedReader reads a rows file up to MaxRowsFile bytes and fails past it (a file that grows
// while it is read).
type cappedReader struct {
	r    io.Reader
	left int64
	path string
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, fmt.Errorf("%s grew past %d MiB while being read", c.path, MaxRowsFile>>20)
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, fmt.Errorf("%s grew past %d MiB while being read", c.path, MaxRowsFile>>20)
	}
	return n, err
}
