package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Built with cgo off, ixlb compiles and says at start what it needs (issue 13), instead of a
// build failing inside go-sqlite3 with "c.Prepare undefined".
func TestBuildWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ixlb once more")
	}
	bin := filepath.Join(t.TempDir(), "ixlb-nocgo")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "run", "seed-example").CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "built without cgo") ||
		!strings.Contains(string(out), "install gcc") || !strings.Contains(string(out), "CGO_ENABLED=1") {
		t.Errorf("%v: %s", err, out)
	}
}
