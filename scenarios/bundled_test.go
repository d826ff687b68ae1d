package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// run runs a scenario to its end through the engine and evaluates its expectations.
func run(t *testing.T, s *Scenario) (*core.Report, []core.ExpectationResult) {
	t.Helper()
	e, err := core.New(s.Config)
	if err != nil {
		t.Fatalf("%s: core.New: %v", s.File, err)
	}
	e.RunUntil(int64(s.Config.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatalf("%s: report: %v", s.File, err)
	}
	return r, Evaluate(s.Expect, r)
}

// The scenarios the product ships are its demos and its regression suite: each must load, run
// without engine errors, and meet every one of its expectations.
func TestBundledScenariosHoldTheirExpectations(t *testing.T) {
	infos := Bundled()
	if len(infos) < 7 {
		t.Fatalf("Bundled() lists %d scenarios, want at least 7", len(infos))
	}
	for _, info := range infos {
		t.Run(info.Name, func(t *testing.T) {
			s, err := Open(info.Name)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if strings.TrimSpace(s.Config.Description) == "" || strings.HasPrefix(info.Description, "(does not load") {
				t.Errorf("no description: %q", info.Description)
			}
			if len(s.Expect) == 0 {
				t.Fatalf("no expectations: a bundled scenario must pin its point")
			}
			r, results := run(t, s)
			for _, e := range r.Errors {
				t.Errorf("engine error: %s", e)
			}
			for _, res := range results {
				if !res.OK {
					t.Errorf("expectation failed: %s (actual %v) %s", res.Expect, res.Actual, res.Error)
				}
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite the pinned event-log hashes of testdata/bundled-events.sha256")

// The bundled scenarios' event logs, byte for byte (their events_sha256 with the file's seed),
// pinned: a change that is meant to leave the engine's behaviour alone (a refactor, an
// optimisation) must leave them as they are. A change of behaviour updates them, on purpose:
// go test ./scenarios -run TestBundledEventLogs -update.
func TestBundledEventLogs(t *testing.T) {
	const pinned = "testdata/bundled-events.sha256"
	var got strings.Builder
	for _, info := range Bundled() {
		s, err := Open(info.Name)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		r, _ := run(t, s)
		fmt.Fprintf(&got, "%s %s\n", r.EventsSHA256, info.Name)
	}
	if *update {
		if err := os.WriteFile(pinned, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(pinned)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("the bundled scenarios' event logs changed (sha256, then the scenario):\ngot\n%swant\n%s"+
			"If the engine's behaviour changed on purpose: go test ./scenarios -run TestBundledEventLogs -update", got.String(), want)
	}
}

func TestBundledListing(t *testing.T) {
	infos := Bundled()
	want := []string{"dap-failover", "dap-repoint-guarded", "dap-repoint-switchover", "double-booking",
		"double-booking-fixed", "esp-direct-vs-cluster",
		"reservation-contention", "seed-example", "service-level", "urs-failover"}
	var names []string
	for _, i := range infos {
		names = append(names, i.Name)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("Bundled() = %q, want %q (sorted)", names, want)
	}
	infos[0].Name = "changed"
	if Bundled()[0].Name == "changed" {
		t.Error("Bundled returns its cache: a caller can change it")
	}
}

func TestOpenAndResolve(t *testing.T) {
	for _, name := range []string{"seed-example", "seed-example.yaml"} {
		s, err := Open(name)
		if err != nil {
			t.Fatalf("Open(%q): %v", name, err)
		}
		// Named as bundled: there is no seed-example.yaml in the current directory (issue 13).
		if s.File != "bundled:seed-example.yaml" || s.Config.Name != "seed-example" {
			t.Errorf("Open(%q): file %q name %q", name, s.File, s.Config.Name)
		}
	}
	if _, err := Open("seed-exampel"); err == nil || !strings.Contains(err.Error(), `did you mean "seed-example"?`) ||
		!strings.Contains(err.Error(), "urs-failover") {
		t.Errorf("Open of an unknown name: %v, want a suggestion and the list", err)
	}
	if _, err := Open("../parse.go"); err == nil {
		t.Error("Open reads outside the bundled scenarios")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "seed-example.yaml") // a file wins over the bundled scenario of that name
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(path)
	if err != nil || s.File != path || s.Config.Name != "seed-example" || len(s.Config.Apps) != 8 {
		t.Errorf("Resolve(file) = %v, %v; want the file", s, err)
	}
	s, err = Resolve("urs-failover")
	if err != nil || s.File != "bundled:urs-failover.yaml" {
		t.Errorf("Resolve(bundled) = %v, %v", s, err)
	}
	if s, err = Resolve("bundled:urs-failover.yaml"); err != nil || s.Config.Name != "urs-failover" {
		t.Errorf("Resolve(bundled:urs-failover.yaml) = %v, %v", s, err)
	}
	_, err = Resolve(filepath.Join(dir, "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "dap-failover, dap-repoint-guarded") {
		t.Errorf("Resolve(neither) = %v, want the bundled names listed", err)
	}
	if _, err := Resolve(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Resolve(dir) = %v", err)
	}
}
