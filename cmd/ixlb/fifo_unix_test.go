//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO given as the scenario is refused at once, not waited on (issue 9 §4).
func TestFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{{"run", fifo}, {"lint", fifo}} {
		_, errOut, code := runBin(t, args...)
		if code != 2 || !strings.Contains(errOut, "not a regular file (a FIFO)") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
