package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A data directory the user cannot write is named as such: it used to say "attempt to write a
// readonly database" or "no such file or directory" for files that were there. The refusal needs
// a user the permissions apply to: as root the test runs ixlb as nobody (setpriv).
func TestUnwritableDataDirectory(t *testing.T) {
	base, err := os.MkdirTemp("", "ixlb-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(base, 0o700)
		filepath.Walk(base, func(p string, _ os.FileInfo, _ error) error { os.Chmod(p, 0o700); return nil })
		os.RemoveAll(base)
	})
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "ixlb")
	b, err := os.ReadFile(ixlbBin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, b, 0o755)
	var prefix []string
	var uid, gid int
	if os.Getuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("root, and no setpriv to run as another user")
		}
		prefix, uid, gid = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}, 65534, 65534
	} else {
		uid, gid = os.Getuid(), os.Getgid()
	}
	run := func(args ...string) (string, int) {
		t.Helper()
		all := append(append(prefix[:len(prefix):len(prefix)], bin), args...)
		cmd := exec.Command(all[0], all[1:]...)
		cmd.Env = append(os.Environ(), "HOME="+base, "XDG_STATE_HOME="+base)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return errb.String(), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return errb.String(), 0
	}
	data := filepath.Join(base, "data")
	os.Mkdir(data, 0o700)
	os.Chown(data, uid, gid)
	if errOut, code := run("run", "urs-failover", "--data", data, "--no-progress"); code != 0 {
		t.Fatalf("first run: exit %d, %s", code, errOut)
	}
	t.Run("directory", func(t *testing.T) {
		os.Chmod(data, 0o500)
		defer os.Chmod(data, 0o700)
		for _, args := range [][]string{{"run", "urs-failover", "--data", data}, {"run", "urs-failover", "--data", data, "--fresh"}} {
			errOut, code := run(args...)
			if code != 2 || !strings.Contains(errOut, "data directory "+data+" is not writable: permission denied") {
				t.Errorf("%v: exit %d, %s", args, code, errOut)
			}
		}
	})
	t.Run("journal", func(t *testing.T) {
		os.Chmod(filepath.Join(data, "ixlb.db"), 0o400)
		defer os.Chmod(filepath.Join(data, "ixlb.db"), 0o600)
		errOut, code := run("run", "urs-failover", "--data", data)
		if code != 2 || !strings.Contains(errOut, filepath.Join(data, "ixlb.db")+" is not writable") || !strings.Contains(errOut, "nothing was changed") {
			t.Errorf("exit %d, %s", code, errOut)
		}
	})
}

// A scribbled journal is named, and said to be damaged, with nothing changed — not just "flate:
// corrupt input".
func TestScribbledJournalNamed(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	reportOf(t, "run", "urs-failover", "--data", data, "--json")
	// Bytes of the first (compressed) chunk of the event log overwritten in place.
	sqlExec(t, filepath.Join(data, "ixlb.db"), `UPDATE event_chunks SET data = substr(data, 1, 10) || zeroblob(64) || substr(data, 75)
		WHERE first_seq = (SELECT min(first_seq) FROM event_chunks)`)
	before := snapshotDir(t, data)
	_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
	if code != 2 || !strings.Contains(errOut, filepath.Join(data, "ixlb.db")+": the stored event log cannot be read") ||
		!strings.Contains(errOut, "the event log is damaged") || !strings.Contains(errOut, "nothing was changed") {
		t.Fatalf("exit %d, %s", code, errOut)
	}
	if snapshotDir(t, data) != before {
		t.Fatal("the refused run changed the session")
	}
	if _, errOut, code := runBin(t, "events", data); code != 2 || !strings.Contains(errOut, "the event log is damaged") {
		t.Fatalf("ixlb events: exit %d, %s", code, errOut)
	}
}

// A session rerun with another seed, or after the scenario was edited, says which: it used to
// say "a different file" for both.
func TestScenarioChangeSaysWhat(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../scenarios/urs-failover.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, dir, "design.yaml", string(src))
	data := filepath.Join(dir, "data")
	reportOf(t, "run", file, "--data", data, "--json")
	if _, errOut, code := runBin(t, "run", file, "--data", data, "--seed", "12"); code != 2 ||
		!strings.Contains(errOut, `holds scenario "urs-failover" run with seed 11, not seed 12: run it with --seed 11 to continue it`) {
		t.Errorf("another seed: exit %d, %s", code, errOut)
	}
	writeFile(t, dir, "design.yaml", strings.Replace(string(src), "rate: 2/s", "rate: 3/s", 1))
	if _, errOut, code := runBin(t, "run", file, "--data", data); code != 2 ||
		!strings.Contains(errOut, `holds scenario "urs-failover", whose content has changed since that session began`) || !strings.Contains(errOut, "--fresh") {
		t.Errorf("edited: exit %d, %s", code, errOut)
	}
	// A comment is not content: the session goes on.
	writeFile(t, dir, "design.yaml", "# a note\n"+string(src))
	if _, errOut, code := runBin(t, "run", file, "--data", data); code != 0 {
		t.Errorf("a comment added: exit %d, %s", code, errOut)
	}
}

// Studies run seeds seed, seed+1, …: past the largest seed they wrapped to 0 and ran other seeds
// than asked; now that is refused.
func TestSeedsPastTheLargestRefused(t *testing.T) {
	for _, args := range [][]string{
		{"sweep", "seed-example", "--set", "seed=18446744073709551615", "--seeds", "3"},
		{"sweep", "seed-example", "--set", "seed=18446744073709551614", "--seeds", "3"},
	} {
		out, errOut, code := runBin(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "would pass the largest seed") {
			t.Errorf("%v: exit %d, %s%s", args, code, out, errOut)
		}
	}
	dir := t.TempDir()
	src, err := os.ReadFile("../../scenarios/seed-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, dir, "max.yaml", regexp.MustCompile(`(?m)^seed: .*$`).ReplaceAllString(string(src), "seed: 18446744073709551615"))
	if _, errOut, code := runBin(t, "compare", file, file, "--seeds", "2"); code != 2 || !strings.Contains(errOut, "would pass the largest seed") {
		t.Errorf("compare: exit %d, %s", code, errOut)
	}
	// The largest seed itself, alone, is fine.
	if _, errOut, code := runBin(t, "sweep", "seed-example", "--set", "seed=18446744073709551615", "--seeds", "1", "--set", "duration=10s"); code != 0 {
		t.Errorf("one seed at the largest: exit %d, %s", code, errOut)
	}
}

// Deleting ixlb.db-wal (the journal's last commits) while the databases keep theirs left rows
// that no journal accounts for, and the rerun exited 0 with another world (22 resubmissions, 278
// interactions instead of 241). Now it is refused, naming the database, and --rebuild gives the
// uninterrupted world.
func TestJournalWALDeleted(t *testing.T) {
	const file = "testdata/walk-repoint.yaml"
	dir := t.TempDir()
	whole := reportOf(t, "run", file, "--json")
	data := filepath.Join(dir, "data")
	at := lastPoints(t, file) * 2 / 3
	if r := runWith(t, crashBinary(t), []string{"IXLB_CRASHPOINT=kill:" + strconv.Itoa(at)}, "run", file, "--data", data, "--no-progress"); !r.killed {
		t.Fatalf("not stopped at point %d: exit %d %s", at, r.code, r.stderr)
	}
	if err := os.Remove(filepath.Join(data, "ixlb.db-wal")); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runBin(t, "run", file, "--data", data)
	if code != 2 || !strings.Contains(errOut, filepath.Join(data, "ixn")) || !strings.Contains(errOut, "journal does not account for") || !strings.Contains(errOut, "nothing was changed") {
		t.Fatalf("exit %d, %s", code, errOut)
	}
	if got := reportOf(t, "run", file, "--data", data, "--rebuild", "--json"); got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
		t.Fatalf("rebuilt: %.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
	}
}
