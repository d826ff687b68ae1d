package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/store"
)

// startBin starts the ixlb binary in the background; the test kills it at the end if it is
// still running.
func startBin(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(ixlbBin, args...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// waitLocked waits until the process pid has written itself into dir's lock file.
func waitLocked(t *testing.T, dir string, pid int) {
	t.Helper()
	want := fmt.Sprintf("pid %d\n", pid)
	for range 1000 {
		if b, err := os.ReadFile(filepath.Join(dir, store.LockFileName)); err == nil && strings.HasPrefix(string(b), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d never took the lock of %s", pid, dir)
}

// dirFiles is every file of dir with its content, for "nothing changed" checks.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		m[e.Name()] = string(b)
	}
	return m
}

// One owner per data directory (issue 9 §2): while `ixlb run --data DIR` runs, a second run, a
// --fresh run and the console on DIR are refused at once with exit 2, naming the owner, and
// change nothing; once the owner is gone (even killed), the directory is usable again.
func TestDataDirectoryHasOneOwner(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	owner := startBin(t, "run", "seed-example", "--data", data, "--speed", "1", "--no-progress")
	waitLocked(t, data, owner.Process.Pid)
	want := fmt.Sprintf("%s is in use by ixlb run (pid %d)", data, owner.Process.Pid)
	for _, args := range [][]string{
		{"run", "seed-example", "--data", data, "--no-progress"},
		{"run", "seed-example", "--data", data, "--fresh", "--no-progress"},
		{"run", "urs-failover", "--data", data, "--fresh", "--no-progress"},
		{"seed-example", "--data", data},            // the console
		{"seed-example", "--data", data, "--fresh"}, // the console starting over
	} {
		// The owner keeps writing; the refused process must not have touched its files, which
		// the owner alone changes: so no content check here, but every file is still there.
		before := dirFiles(t, data)
		start := time.Now()
		_, errOut, code := runBin(t, args...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", args, code, errOut, want)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%v: refused after %v, not at once", args, d)
		}
		for name := range before {
			if strings.HasSuffix(name, "-journal") {
				continue // SQLite's own, made and removed by the owner's transactions
			}
			if _, err := os.Stat(filepath.Join(data, name)); err != nil {
				t.Errorf("%v removed %s of the running session", args, name)
			}
		}
	}
	if owner.ProcessState != nil {
		t.Fatal("the owner stopped during the test")
	}
	// Killed once it has committed rows.
	waitForRows(t, filepath.Join(data, "ixn.db"), 1)
	owner.Process.Signal(syscall.SIGKILL)
	owner.Wait()
	// The kernel released the lock with the process: the same command runs (its expectations
	// after a resume are issue 9 §1's business: exit 0 or 1).
	_, errOut, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress")
	// (Killed before its first state commit, it starts over, rolling the rows back.)
	if code > 1 || !(strings.Contains(errOut, "resuming") || strings.Contains(errOut, "rolled back")) {
		t.Fatalf("after the owner was killed: exit %d, %s", code, errOut)
	}
}

// --fresh deletes only what it recognises as the session's files, inside the directory (issue 9
// §3): a foreign file where a database should be stops it with nothing removed, and files that
// are not the session's stay.
func TestFreshRemovesOnlySessionFiles(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, _, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress"); code != 0 {
		t.Fatal("first run failed")
	}
	notes := writeFile(t, data, "notes.txt", "mine")
	other := writeFile(t, data, "other.db", "not ixlb's")
	// A foreign ixn.db (someone's SQLite file of the same name): refused, nothing removed.
	foreign := filepath.Join(dir, "foreign")
	os.MkdirAll(foreign, 0o700)
	writeFile(t, foreign, "ixn.db", "SQLite format 3\x00 but really not")
	state, _ := os.ReadFile(filepath.Join(data, "ixlb.db"))
	if err := os.WriteFile(filepath.Join(foreign, "ixlb.db"), state, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runBin(t, "run", "seed-example", "--data", foreign, "--fresh", "--no-progress")
	if code != 2 || !strings.Contains(errOut, "ixn.db") || !strings.Contains(errOut, "nothing removed") {
		t.Fatalf("foreign ixn.db: exit %d, %s", code, errOut)
	}
	for _, n := range []string{"ixn.db", "ixlb.db"} {
		if _, err := os.Stat(filepath.Join(foreign, n)); err != nil {
			t.Errorf("--fresh removed %s although it refused", n)
		}
	}
	// A symbolic link where a database should be is not followed or removed.
	linked := filepath.Join(dir, "linked")
	os.MkdirAll(linked, 0o700)
	victim := writeFile(t, dir, "victim.db", "precious")
	os.Symlink(victim, filepath.Join(linked, "ixn.db"))
	if _, errOut, code := runBin(t, "run", "seed-example", "--data", linked, "--fresh", "--no-progress"); code != 2 {
		t.Errorf("symlinked ixn.db: exit %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Error("the symlink's target was changed")
	}
	// The session's own directory: --fresh starts over, other files stay.
	if _, errOut, code := runBin(t, "run", "seed-example", "--data", data, "--fresh", "--no-progress"); code != 0 || strings.Contains(errOut, "resuming") {
		t.Fatalf("--fresh: exit %d, %s", code, errOut)
	}
	for _, p := range []string{notes, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("--fresh removed %s", p)
		}
	}
}

// A database name that would leave the data directory is a load error with its position, from
// run and from lint, and nothing outside the directory is touched (issue 9 §3).
func TestDatabaseNameCannotLeaveTheDirectory(t *testing.T) {
	dir := t.TempDir()
	victimDir := filepath.Join(dir, "victimdir")
	os.MkdirAll(victimDir, 0o700)
	victim := writeFile(t, victimDir, "victim.db", "precious")
	src, err := os.ReadFile("../../scenarios/seed-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(src), "ixn", "../victimdir/victim")
	file := writeFile(t, dir, "evil.yaml", text)
	data := filepath.Join(dir, "data")
	for _, args := range [][]string{
		{"run", file, "--data", data, "--fresh", "--no-progress"},
		{"lint", file},
	} {
		_, errOut, code := runBin(t, args...)
		out := errOut
		if args[0] == "lint" {
			out, _, code = runBin(t, args...)
		}
		if code == 0 || !strings.Contains(out, file+":") || !strings.Contains(out, `database "../victimdir/victim"`) {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Error("the file outside the data directory was changed")
	}
}

func sleepShort() { time.Sleep(10 * time.Millisecond) }
