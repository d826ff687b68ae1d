package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ixlbBin is the ixlb binary built once for the tests that run it as a user would.
var ixlbBin string

func TestMain(m *testing.M) {
	if os.Getenv("IXLB_TEST_CHILD") != "" {
		os.Exit(m.Run()) // a test re-run in a fresh process (see runInChild): no binary needed
	}
	dir, err := os.MkdirTemp("", "ixlb-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ixlbBin = filepath.Join(dir, "ixlb")
	build := exec.Command("go", "build", "-o", ixlbBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ixlb: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBin runs the built binary and returns stdout, stderr and the exit status.
func runBin(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(ixlbBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ixlb: %v", err)
	}
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runInChild runs the calling test again in a process of its own, with IXLB_TEST_CHILD set, for
// what is process-wide (SQLite reads its temporary directory once per process). It reports
// whether this is the child, which does the test's work.
func runInChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv("IXLB_TEST_CHILD") != "" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IXLB_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a child process: %v\n%s", t.Name(), err, out)
	}
	if bytes.Contains(out, []byte("--- SKIP")) {
		t.Skipf("skipped in the child process:\n%s", out)
	}
	return false
}
