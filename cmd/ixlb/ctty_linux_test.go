//go:build linux && cgo

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A console whose input and output are a terminal but which has no controlling terminal (setsid)
// would never learn of a resize: it refuses, as without a terminal, and leaves no session
// directory (attack 20 B20).
func TestConsoleWithoutAControllingTerminal(t *testing.T) {
	master, tty := openPTY(t)
	go func() { // what the console draws, read away so it never blocks
		buf := make([]byte, 4096)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
		}
	}()
	state := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ixlbBin, "seed-example", "--paused")
	var errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, &errb
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // a new session: no controlling terminal
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatal("the console started without a controlling terminal")
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(errb.String(), "no controlling terminal") {
		t.Fatalf("exit %v: %s", err, errb.String())
	}
	if ents, _ := os.ReadDir(filepath.Join(state, "ixlb")); len(ents) != 0 {
		t.Fatalf("a session directory was left behind: %v", ents[0].Name())
	}
}
