package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Hostile shapes are refused on the token stream, before the YAML parser (whose cost grows with
// the square of the depth and of a mapping's keys) sees them (issue 9 §4).
func TestParseRefusesHostileShapes(t *testing.T) {
	var keys strings.Builder
	keys.WriteString("version: 1\nduration: 1m\napplications:\n")
	for i := range MaxMappingEntries + 1 {
		fmt.Fprintf(&keys, "  A%d: {type: EmailServer}\n", i)
	}
	var items strings.Builder
	items.WriteString("version: 1\nduration: 1m\nexpect: [")
	for range MaxListItems + 1 {
		items.WriteString("x, ")
	}
	items.WriteString("x]\n")
	var bigMaps strings.Builder
	bigMaps.WriteString("version: 1\nduration: 1m\napplications:\n")
	for i := range 10 {
		fmt.Fprintf(&bigMaps, "  A%d:\n    options:\n      default:\n", i)
		for j := range 5000 {
			fmt.Fprintf(&bigMaps, "        o%d: x\n", j)
		}
	}
	var manyKeys strings.Builder
	manyKeys.WriteString("version: 1\nduration: 1m\nexpect:\n")
	for range MaxKeys/4 + 1 {
		manyKeys.WriteString("  - {a: 1, b: 2, c: 3, d: 4}\n")
	}
	var blockNest strings.Builder
	blockNest.WriteString("version: 1\nname:\n")
	for i := range 200 {
		fmt.Fprintf(&blockNest, "%s  k%d:\n", strings.Repeat("  ", i), i)
	}
	cases := []struct {
		name, text, want string
	}{
		{"flow lists nested 100k deep", "name: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n",
			"1:70: collections nested more than 64 deep"},
		{"flow mappings nested deep", "name: " + strings.Repeat("{a: ", 1000) + "1" + strings.Repeat("}", 1000) + "\n",
			"collections nested more than 64 deep"},
		{"block lists on one line", "name: \n  " + strings.Repeat("- ", 10_000) + "x\n", "collections nested more than 64 deep"},
		{"block mappings by indentation", blockNest.String(), "collections nested more than 64 deep"},
		{"a mapping of too many keys", keys.String(), "a mapping of more than 10000 entries"},
		{"ten mappings of 5000 keys", bigMaps.String(), "too many keys in large mappings"},
		{"too many keys in all", manyKeys.String(), "more than 250000 keys in the file"},
		{"a list of too many items", items.String(), "a list of more than 100000 entries"},
		{"over 8 MiB", "# " + strings.Repeat("x", MaxFileSize) + "\n", "a scenario file is at most 8388608 (8 MiB)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("hostile.yaml", []byte(c.text))
			var ds Diagnostics
			if !errors.As(err, &ds) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a diagnostic containing %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "hostile.yaml:") || strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("want one FILE:LINE:COL diagnostic, got %q", err)
			}
		})
	}
}

// Deep but legitimate files still load: the limits are far above real designs.
func TestParseAllowsRealShapes(t *testing.T) {
	// Block lists at their key's column, alternating with keys, do not count as nesting.
	var b strings.Builder
	b.WriteString(strings.Replace(minimal, "expect:\n  - interactions.lost == 0\n", "", 1))
	b.WriteString("expect:\n")
	for range 500 {
		b.WriteString("- interactions.lost == 0\n")
	}
	if _, err := Parse("ok.yaml", []byte(b.String())); err != nil {
		t.Fatal(err)
	}
	for _, info := range Bundled() {
		if _, err := Open(info.Name); err != nil {
			t.Errorf("%s: %v", info.Name, err)
		}
	}
	// Sixty levels of flow nesting in a description's place is allowed (and then a type error).
	_, err := Parse("deep.yaml", []byte("description: "+strings.Repeat("[", 60)+strings.Repeat("]", 60)+"\n"))
	if err == nil || strings.Contains(err.Error(), "nested more than") {
		t.Errorf("60 levels: %v", err)
	}
}

// A byte-order mark, as Windows editors write, is accepted (issue 9 §4).
func TestParseAcceptsBOM(t *testing.T) {
	s, err := Parse("bom.yaml", append([]byte("\uFEFF"), minimal...))
	if err != nil {
		t.Fatalf("a file starting with a UTF-8 BOM: %v", err)
	}
	if s.Config.Duration.String() != "1m0s" {
		t.Errorf("duration %v", s.Config.Duration)
	}
}

// A scenario declaring more databases than MaxDatabases is refused at the first one too many,
// before anything opens them (9,000 ran a 118 KB file out of memory).
func TestTooManyDatabases(t *testing.T) {
	src, err := Source("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	var more strings.Builder
	for i := 0; i < 9000; i++ {
		fmt.Fprintf(&more, "  extra_%d: {}\n", i)
	}
	text := strings.Replace(string(src), "databases:\n  ixn: {}\n", "databases:\n  ixn: {}\n"+more.String(), 1)
	if text == string(src) {
		t.Fatal("the seed example's databases line changed: update the test")
	}
	_, err = Parse("many.yaml", []byte(text))
	if err == nil || !strings.Contains(err.Error(), "many.yaml:105:3: databases: 9001 declared, at most 64") {
		t.Fatalf("error %v", err)
	}
}
