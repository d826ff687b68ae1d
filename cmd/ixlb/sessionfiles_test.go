package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// --events (or --plot) naming a file of the session — itself, through a symbolic or a hard link,
// or a name the session will use — is refused before anything is opened: `--events DIR/ixlb.db`
// truncated the journal and every later run said it was lost.
func TestOutputIntoTheSession(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	first := reportOf(t, "run", "dap-repoint-switchover", "--data", data, "--json")
	os.Symlink(filepath.Join(data, "ixlb.db"), filepath.Join(dir, "link-to-journal"))
	os.Symlink(filepath.Join(data, "ixlb.db"), filepath.Join(dir, "plot.svg"))
	os.Remove(filepath.Join(data, "ixn_archive.db-wal")) // not there now: its name still is the session's
	for _, c := range []struct{ flag, path string }{
		{"--events", filepath.Join(data, "ixlb.db")},
		{"--events", filepath.Join(data, "ixn.db-wal")},
		{"--events", filepath.Join(data, "ixn_archive.db-wal")},
		{"--events", filepath.Join(data, "ixlb.lock")},
		{"--events", filepath.Join(dir, "link-to-journal")},
		{"--events", filepath.Join(data, "..", "data", "ixlb.db")},
		{"--plot", filepath.Join(dir, "plot.svg")},
	} {
		before := snapshotDir(t, data)
		_, errOut, code := runBin(t, "run", "dap-repoint-switchover", "--data", data, c.flag, c.path)
		if code != 2 || !strings.Contains(errOut, "is a file of the session") {
			t.Errorf("%s %s: exit %d, %s", c.flag, c.path, code, errOut)
		}
		if snapshotDir(t, data) != before {
			t.Fatalf("%s %s changed the session", c.flag, c.path)
		}
	}
	// A hard link to ixn.db is refused too (the second name makes ixn.db itself refused, as a
	// file that also lives elsewhere).
	if err := os.Link(filepath.Join(data, "ixn.db"), filepath.Join(dir, "hard-link-to-ixn")); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runBin(t, "run", "dap-repoint-switchover", "--data", data, "--events", filepath.Join(dir, "hard-link-to-ixn")); code != 2 {
		t.Errorf("--events through a hard link to ixn.db: exit %d, %s", code, errOut)
	}
	os.Remove(filepath.Join(dir, "hard-link-to-ixn"))
	// After all that, the session is whole: the rerun reports the same.
	if again := reportOf(t, "run", "dap-repoint-switchover", "--data", data, "--json"); again.EventsSHA256 != first.EventsSHA256 {
		t.Fatalf("the session changed: %.12s, was %.12s", again.EventsSHA256, first.EventsSHA256)
	}
	// Refused, a name the session will use in a directory that is not there yet does not make the
	// directory and a session in it (it did, with ixlb.db, ixlb.lock and scenario.yaml, while
	// saying nothing was written: attack 17, minor).
	for _, name := range []string{"ixn_archive.db", "ixlb.db", "ixlb.lock"} {
		newDir := filepath.Join(dir, "new-"+name)
		_, errOut, code := runBin(t, "run", "dap-repoint-switchover", "--data", newDir, "--events", filepath.Join(newDir, name))
		if code != 2 || !strings.Contains(errOut, "is a file of the session") {
			t.Errorf("--events NEWDIR/%s: exit %d, %s", name, code, errOut)
		}
		if _, err := os.Stat(newDir); err == nil {
			t.Errorf("--events NEWDIR/%s refused, and NEWDIR was made", name)
		}
	}
	// A file of one's own in the directory is fine.
	if _, errOut, code := runBin(t, "run", "dap-repoint-switchover", "--data", data, "--events", filepath.Join(data, "events.jsonl")); code != 0 {
		t.Fatalf("--events DIR/events.jsonl: exit %d, %s", code, errOut)
	}
}

// ixlb never writes into a file outside the data directory through a hard link: a lock file or a
// database with another name (a hard link made to a file elsewhere) is refused, and the outside
// file keeps its bytes. Nor does it make a session in a directory that holds other things
// (`--data /`, a home directory): it refuses, instead of filling it and later emptying it with
// --fresh.
func TestNoWritesThroughLinksOrIntoForeignDirectories(t *testing.T) {
	dir := t.TempDir()
	outside := writeFile(t, dir, "precious.txt", "precious\n")
	for _, name := range []string{"ixlb.lock", "ixlb.db", "ixn.db", "ixn.db-wal"} {
		t.Run("hard link "+name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			os.MkdirAll(data, 0o700)
			if err := os.Link(outside, filepath.Join(data, name)); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runBin(t, "run", "urs-failover", "--data", data, "--no-progress")
			if code != 2 || !strings.Contains(errOut, "hard link") || !strings.Contains(errOut, name) {
				t.Errorf("exit %d, %s", code, errOut)
			}
			if b, _ := os.ReadFile(outside); string(b) != "precious\n" {
				t.Fatalf("the outside file was written: %q", b)
			}
		})
	}
	for _, c := range []struct{ name, data, want string }{
		{"the root directory", "/", "holds other files"},
		{"a directory with other files", filepath.Dir(outside), "holds other files (precious.txt) and no ixlb session"},
		// A file of the user's that has a name a session uses, and nothing else: no session
		// (attack 17 F7: the notes in scenario.yaml were replaced by the scenario, a lock file's
		// text by "pid N").
		{"a directory holding only a scenario.yaml of the user's", onlyFile(t, "scenario.yaml", "my precious notes\n"), "holds other files (scenario.yaml) and no ixlb session"},
		{"a directory holding only an ixlb.lock of the user's", onlyFile(t, "ixlb.lock", "not a lock\nimportant\n"), "holds other files (ixlb.lock) and no ixlb session"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadDir(c.data)
			_, errOut, code := runBin(t, "run", "urs-failover", "--data", c.data, "--no-progress")
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, %s", code, errOut)
			}
			if _, errOut, code := runBin(t, "run", "urs-failover", "--data", c.data, "--fresh", "--no-progress"); code != 2 {
				t.Errorf("--fresh: exit %d, %s", code, errOut)
			}
			if after, _ := os.ReadDir(c.data); len(after) != len(before) {
				t.Errorf("%s: %d entries, was %d", c.data, len(after), len(before))
			}
			for _, e := range before {
				if b, err := os.ReadFile(filepath.Join(c.data, e.Name())); err == nil && (strings.Contains(string(b), "pid ") || strings.Contains(string(b), "version: 1")) {
					t.Errorf("%s was written: %q", e.Name(), b)
				}
			}
		})
	}
}

// An output or input that is a FIFO would block for ever — holding the session's lock, deaf to
// signals: --events FIFO and sweep merge FIFO are refused at once, as are devices.
func TestFIFOsAndDevicesRefusedAsOutputAndInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, ext := range []string{".svg", ".png"} {
		if err := syscall.Mkfifo(fifo+ext, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rows := filepath.Join(dir, "rows.jsonl")
	if _, errOut, code := runBin(t, "sweep", "urs-failover", "--seeds", "2", "--set", "agent_groups.Agents.agents=3,4", "-o", rows); code != 0 {
		t.Fatalf("sweep: exit %d %s", code, errOut)
	}
	for _, args := range [][]string{
		{"run", "urs-failover", "--data", filepath.Join(dir, "data"), "--events", fifo},
		{"run", "urs-failover", "--events", fifo},
		{"run", "urs-failover", "--events", "/dev/zero"},
		{"sweep", "merge", fifo},
		{"sweep", "merge", "/dev/zero"},
		// --plot to a FIFO was opened and written with no reader: thrown away and reported as
		// written, or blocked for ever in a signal-deaf write (attack 17 F4, F5).
		{"run", "urs-failover", "--plot", fifo + ".svg"},
		{"run", "urs-failover", "--plot", fifo + ".png"},
		{"staff", "urs-failover", "--group", "Agents", "--target", "service._all.service_level>=0.8", "--plot", fifo + ".svg"},
		{"sweep", "urs-failover", "--seeds", "1", "-o", fifo},
		{"sweep", "merge", rows, "--plot", fifo + ".png"},
	} {
		start := time.Now()
		_, errOut, code := runBin(t, args...)
		if code != 2 || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%v: refused after %v", args, d)
		}
	}
}

// onlyFile is a new directory holding one file, name, with content.
func onlyFile(t *testing.T, name, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, name, content)
	return dir
}
