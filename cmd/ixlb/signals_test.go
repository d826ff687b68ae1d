package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// `ixlb run` stopped by SIGINT, SIGTERM or SIGHUP commits what is done, says so, removes its
// temporary directory and exits 128 + the signal (issue 9 §5); with --data the same command then
// resumes. (SIGHUP used to kill it without any of that, leaving the temporary directory.)
func TestRunInterrupted(t *testing.T) {
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		code int
		data bool
	}{
		{"SIGINT with --data", syscall.SIGINT, 130, true},
		{"SIGTERM with --data", syscall.SIGTERM, 143, true},
		{"SIGTERM in a temporary directory", syscall.SIGTERM, 143, false},
		{"SIGHUP with --data", syscall.SIGHUP, 129, true},
		{"SIGHUP in a temporary directory", syscall.SIGHUP, 129, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			data := filepath.Join(t.TempDir(), "data")
			args := []string{"run", "seed-example", "--speed", "1", "--no-progress"}
			if c.data {
				args = append(args, "--data", data)
			}
			cmd := exec.Command(ixlbBin, args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "XDG_STATE_HOME="+t.TempDir())
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			dir := data
			if !c.data {
				for range 1000 {
					if m, _ := filepath.Glob(filepath.Join(tmp, "ixlb-run-*")); len(m) == 1 {
						dir = m[0]
						break
					}
					sleepShort()
				}
			}
			waitForRows(t, filepath.Join(dir, "ixn.db"), 1)
			cmd.Process.Signal(c.sig)
			err := cmd.Wait()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != c.code || !strings.Contains(errb.String(), "interrupted at ") {
				t.Fatalf("exit %d, stderr %q; want exit %d and the interruption said", code, errb.String(), c.code)
			}
			if !c.data {
				if left, _ := os.ReadDir(tmp); len(left) != 0 {
					t.Fatalf("left in the temporary directory: %v", left)
				}
				return
			}
			if !strings.Contains(errb.String(), "run the same command to resume") {
				t.Errorf("stderr %q does not say how to resume", errb.String())
			}
			// The same command resumes from where it stopped and finishes, losing nothing. (Its
			// expectations are the resume's business, issue 9 §1: exit 0 or 1.)
			out, errOut, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress", "--json")
			if code > 1 || !strings.Contains(errOut, "resuming") {
				t.Fatalf("resume: exit %d, %s", code, errOut)
			}
			var r core.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.Interactions.Lost != 0 || r.Interactions.Submitted == 0 {
				t.Fatalf("resumed report: %v %+v", err, r.Interactions)
			}
		})
	}
}
