package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// FuzzParse: whatever the bytes, Parse never panics; a failure is Diagnostics, every one with a
// position inside the file and the `FILE:LINE:COL: message` form; a success is a configuration the
// engine accepts (the load-time checks are the engine's, with positions).
func FuzzParse(f *testing.F) {
	seeds := []string{minimal, "", "version: 1", "version: 2\nfoo: 1", "a: [1, 2", "- x\n- y", "\t", "&a [*a]",
		"version: 1\nduration: 1m\napplications: {A: &a {type: InteractionServer, backup: A}}",
		// Hostile input (issue 9 §4): a BOM, nesting, control and bidi characters, huge numbers.
		"\uFEFF" + minimal, "name: " + strings.Repeat("[", 70) + strings.Repeat("]", 70), "a:\n  " + strings.Repeat("- ", 70) + "x",
		strings.Replace(minimal, "version: 1\n", "version: 1\nname: \"x\\e]0;T\\a\\u202e\"\n", 1),
		strings.Replace(minimal, "agents: 5", "agents: 123456789012345678901234", 1),
		strings.Replace(minimal, "rate: 1/s", "rate: 10/min", 1),
		strings.Replace(minimal, "databases: {ixn: {}}", "databases: {ixn: {}, ../x: {}}", 1),
		strings.Replace(minimal, "databases: {ixn: {}}", "databases: {ixn: {}, \"i\u034fxn\": {}, \"ixn\u3164\": {}}", 1)}
	entries, _ := fs.ReadDir(bundledFS, ".")
	for _, e := range entries {
		b, _ := bundledFS.ReadFile(e.Name())
		seeds = append(seeds, string(b))
	}
	if b, err := os.ReadFile("testdata/format-example.yaml"); err == nil {
		seeds = append(seeds, string(b))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ds Diagnostics
			if !errors.As(err, &ds) || len(ds) == 0 {
				t.Fatalf("error %T without diagnostics: %v", err, err)
			}
			// YAML breaks lines at \r\n, \r and \n alike.
			text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
			lines := strings.Count(text, "\n") + 1
			for i, d := range ds {
				if r, bad := unsafeRune(d.Message); bad {
					t.Fatalf("diagnostic with a raw %U, unsafe on a terminal: %q", r, d.Message)
				}
				if d.File != "fuzz.yaml" || d.Line < 1 || d.Col < 1 || d.Line > lines+1 || d.Message == "" || d.Code == "" {
					t.Fatalf("diagnostic without a proper position: %+v", d)
				}
				if i > 0 && ds[i-1].Pos().compare(d.Pos()) > 0 {
					t.Fatalf("diagnostics not sorted: %v before %v", ds[i-1].Pos(), d.Pos())
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(ds) {
				t.Fatalf("%d diagnostics print as %d lines:\n%s", len(ds), n, err)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("fuzz.yaml:%d:%d: ", ds[0].Line, ds[0].Col)) {
				t.Fatalf("error text %q", err.Error())
			}
			return
		}
		if _, err := core.New(s.Config); err != nil {
			t.Fatalf("Parse accepted a scenario the engine refuses: %v", err)
		}
		for _, db := range s.Config.Databases {
			if why := fileNameProblem(db); why != "" {
				t.Fatalf("database %q loaded: %s", db, why)
			}
		}
		names := []string{s.Config.Name}
		for _, a := range s.Config.Apps {
			names = append(names, a.Name)
		}
		for _, st := range s.Config.Strategies {
			names = append(names, st.Name)
		}
		for _, n := range names {
			if r, bad := unsafeRune(n); bad {
				t.Fatalf("name %q with %U loaded", n, r)
			}
			if r, bad := invisibleRune(n); bad {
				t.Fatalf("name %q with the invisible %U loaded", n, r)
			}
		}
	})
}

// FuzzEngine: a scenario that loads runs without crashing the engine. Runs are bounded (a minute
// of virtual time, a few thousand arrivals) so the fuzzer explores configurations, not load.
func FuzzEngine(f *testing.F) {
	f.Add([]byte(minimal))
	entries, _ := fs.ReadDir(bundledFS, ".")
	for _, e := range entries {
		b, _ := bundledFS.ReadFile(e.Name())
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		horizon := min(s.Config.Duration, time.Minute)
		arrivals, agents := 0.0, 0
		for _, tr := range s.Config.Traffic {
			arrivals += tr.Rate * horizon.Seconds()
		}
		for _, g := range s.Config.AgentGroups {
			agents += g.Agents * max(1, len(g.Capacity))
		}
		if arrivals > 5000 || agents > 5000 || len(s.Config.Timeline) > 200 {
			return
		}
		e, err := core.New(s.Config)
		if err != nil {
			t.Fatalf("Parse accepted a scenario the engine refuses: %v", err)
		}
		e.RunUntil(int64(horizon))
		if _, err := e.Report(); err != nil {
			t.Fatalf("report: %v", err)
		}
	})
}
