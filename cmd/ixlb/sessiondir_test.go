package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// Default session directories do not collide (issue 9 §6): names that differ only in characters
// a file name cannot hold, and two files with one `name:`, get directories of their own; the same
// file always gets the same one, under a readable name.
func TestDefaultDataDirDoesNotCollide(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", "x")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o700)
	b := writeFile(t, filepath.Join(dir, "sub"), "a.yaml", "x")
	dd := func(file, name string) string {
		t.Helper()
		d, err := defaultDataDir(&scenarios.Scenario{File: file, Config: core.Config{Name: name}})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(d) != filepath.Join(state, "ixlb") {
			t.Fatalf("%s is not under $XDG_STATE_HOME/ixlb", d)
		}
		return filepath.Base(d)
	}
	cases := []struct{ what, x, y string }{
		{"日本 and 中国 in one file's place", dd(a, "日本"), dd(b, "中国")},
		{"two files with the same name:", dd(a, "sales"), dd(b, "sales")},
		{"a file and the bundled scenario of its name", dd(a, "seed-example"), dd("bundled:seed-example.yaml", "seed-example")},
		{"names differing in a slash", dd(a, "a/b"), dd(b, "a_b")},
	}
	for _, c := range cases {
		if c.x == c.y {
			t.Errorf("%s: both in %s", c.what, c.x)
		}
	}
	if x, y := dd(a, "sales"), dd(filepath.Join(dir, ".", "a.yaml"), "sales"); x != y {
		t.Errorf("one file, two spellings of its path: %s and %s", x, y)
	}
	if x, y := dd("bundled:seed-example.yaml", "seed-example"), dd("seed-example", "seed-example"); x != y {
		t.Errorf("a bundled scenario by name and as bundled: %s and %s", x, y)
	}
	for _, c := range []struct{ name, prefix string }{
		{"日本", "日本-"}, {"urs-failover", "urs-failover-"}, {"../../etc", "_.._etc-"}, {"", "a-"},
		{strings.Repeat("n", 100), strings.Repeat("n", 40) + "-"},
	} {
		if got := dd(a, c.name); !strings.HasPrefix(got, c.prefix) || len(got) != len(c.prefix)+10 {
			t.Errorf("name %q: directory %q, want %q and 10 hex digits", c.name, got, c.prefix)
		}
	}
}
