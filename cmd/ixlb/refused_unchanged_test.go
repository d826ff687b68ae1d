package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// fileBytes is what is in dir, file by file: name, size and SHA-256 of the bytes (SQLite's
// shared-memory index, -shm, aside: a reader may rewrite it).
func fileBytes(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %d %x", e.Name(), len(b), sha256.Sum256(b)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// A rerun refused because the session's databases changed changes nothing: not the directory's
// bytes (a deleted -wal made it create a new ixn.db and rewrite ixlb.db's list of databases before
// refusing, attack 17 F2), and not the --events file the user named (the replay wrote it, then the
// databases were checked: a complete log of 241032 lines was cut to 234205, F1). --rebuild then
// gives the uninterrupted world, --events file included.
func TestRefusedRerunChangesNothing(t *testing.T) {
	const file = "testdata/walk-repoint.yaml"
	dir := t.TempDir()
	wholeEvents := filepath.Join(dir, "whole.jsonl")
	whole := reportOf(t, "run", file, "--json", "--events", wholeEvents)
	wholeLog, _ := os.ReadFile(wholeEvents)
	other := filepath.Join(dir, "other")
	if _, errOut, code := runBin(t, "run", file, "--data", other, "--seed", "14", "--no-progress"); code != 0 {
		t.Fatalf("another seed's session: exit %d %s", code, errOut)
	}
	at := lastPoints(t, file) * 2 / 3 // after the switchover onto ixn_archive
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, data string)
		want   string
	}{
		{"ixn.db of another seed's session", func(t *testing.T, data string) {
			for _, s := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(data, "ixn.db"+s))
			}
			b, err := os.ReadFile(filepath.Join(other, "ixn.db"))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(data, "ixn.db"), b, 0o600)
		}, "is not the database this session wrote"},
		{"ixn.db-wal deleted", func(t *testing.T, data string) {
			if err := os.Remove(filepath.Join(data, "ixn.db-wal")); err != nil {
				t.Fatal(err)
			}
		}, "ixn.db: has no interactions table"},
		{"ixn_archive.db-wal deleted", func(t *testing.T, data string) {
			if err := os.Remove(filepath.Join(data, "ixn_archive.db-wal")); err != nil {
				t.Fatal(err)
			}
		}, "ixn_archive.db: has no interactions table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			if r := runWith(t, crashBinary(t), []string{"IXLB_CRASHPOINT=kill:" + strconv.Itoa(at)}, "run", file, "--data", data, "--no-progress"); !r.killed {
				t.Fatalf("not stopped at point %d: exit %d %s", at, r.code, r.stderr)
			}
			c.damage(t, data)
			events := filepath.Join(t.TempDir(), "events.jsonl")
			mine := []byte("the complete log of an earlier run\n")
			if err := os.WriteFile(events, mine, 0o644); err != nil {
				t.Fatal(err)
			}
			before := fileBytes(t, data)
			_, errOut, code := runBin(t, "run", file, "--data", data, "--json", "--events", events)
			if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "nothing was changed") {
				t.Fatalf("exit %d, %s", code, errOut)
			}
			if after := fileBytes(t, data); after != before {
				t.Errorf("the refused rerun changed the directory:\n%s\nwas\n%s", after, before)
			}
			if b, _ := os.ReadFile(events); !bytes.Equal(b, mine) {
				t.Errorf("the refused rerun wrote the --events file (%d bytes)", len(b))
			}
			got := reportOf(t, "run", file, "--data", data, "--json", "--events", events, "--rebuild")
			if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
				t.Fatalf("rebuilt: %.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
			}
			if b, _ := os.ReadFile(events); !bytes.Equal(b, wholeLog) {
				t.Errorf("the rebuilt run's --events file differs from the uninterrupted run's (%d bytes, %d)", len(b), len(wholeLog))
			}
		})
	}
}

// An output may not be the scenario file the command runs (by its name, a symbolic or a hard
// link), nor another output of the same command: `--events design.yaml` wrote the event log over
// the design and exited 0 (attack 17 F3), `--plot x.svg --events x.svg` wrote both into one file.
// Refused before anything is done: the design is intact, no --data directory is made.
func TestOutputIsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/walk-repoint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	design := writeFile(t, dir, "design.yaml", string(src))
	if err := os.Symlink(design, filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(design, filepath.Join(dir, "hard.yaml")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	both := filepath.Join(dir, "x.svg")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", design, "--data", data, "--events", design}, "is the scenario file this command runs"},
		{[]string{"run", design, "--events", filepath.Join(dir, "link.yaml")}, "is the scenario file this command runs"},
		{[]string{"run", design, "--events", filepath.Join(dir, "hard.yaml")}, "is the scenario file this command runs"},
		{[]string{"run", design, "--plot", design + ".svg", "--events", filepath.Join(dir, ".", "design.yaml")}, "is the scenario file this command runs"},
		{[]string{"run", design, "--data", data, "--plot", both, "--events", both}, "name the same file"},
		{[]string{"sweep", design, "--seeds", "1", "-o", design}, "is the scenario file this command runs"},
	} {
		_, errOut, code := runBin(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "nothing was written") {
			t.Errorf("%v: exit %d, %s", c.args, code, errOut)
		}
		if b, _ := os.ReadFile(design); !bytes.Equal(b, src) {
			t.Fatalf("%v wrote over the design", c.args)
		}
		for _, p := range []string{data, both, design + ".svg"} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%v made %s", c.args, p)
			}
		}
	}
}
