package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A process stopped 10–30 ms after it started can leave a hot rollback journal (NAME.db-journal):
// SQLite switches a new, empty file to WAL mode in a rollback transaction. The files in
// testdata/hot-journal were left that way by SIGKILLs of ixlb run (18 of 60 such kills left one).
// Before, ixlb looked at such a file read-only, which cannot roll a journal back: every rerun
// said "attempt to write a readonly database" (or "damaged"), for good. Now the rerun, and
// --fresh, go on, and the world is the uninterrupted run's.
func TestHotJournalAfterAnEarlyKill(t *testing.T) {
	whole := reportOf(t, "run", "urs-failover", "--json")
	install := func(t *testing.T, data string, names ...string) {
		t.Helper()
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join("testdata", "hot-journal", n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, n), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("journal of ixlb.db", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		os.MkdirAll(data, 0o700)
		install(t, data, "ixlb.db", "ixlb.db-journal")
		got := reportOf(t, "run", "urs-failover", "--data", data, "--json")
		if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
			t.Fatalf("%.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
		}
	})
	t.Run("journal of ixn.db", func(t *testing.T) {
		// Stopped as it was about to create ixn.db (its journal made, the database not), then
		// the database as the SIGKILL left it.
		data := filepath.Join(t.TempDir(), "data")
		at := pointOf(t, "create ixn.db", "urs-failover")
		r := runWith(t, crashBinary(t), []string{"IXLB_CRASHPOINT=kill:" + strconv.Itoa(at)}, "run", "urs-failover", "--data", data, "--no-progress")
		if !r.killed {
			t.Fatalf("not stopped at point %d: exit %d %s", at, r.code, r.stderr)
		}
		install(t, data, "ixn.db", "ixn.db-journal")
		got := reportOf(t, "run", "urs-failover", "--data", data, "--json")
		if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
			t.Fatalf("%.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
		}
	})
	t.Run("empty ixlb.db with its journal", func(t *testing.T) {
		// Killed while SQLite set ixlb.db up (10–20 ms in): the file has no bytes yet and its
		// journal records a database of no pages. The rerun said "not a SQLite file" for good
		// (TestKillAndCompare's first kill, now and then).
		data := filepath.Join(t.TempDir(), "data")
		os.MkdirAll(data, 0o700)
		if err := os.WriteFile(filepath.Join(data, "ixlb.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("testdata", "hot-journal", "empty-ixlb.db-journal"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, "ixlb.db-journal"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		got := reportOf(t, "run", "urs-failover", "--data", data, "--json")
		if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
			t.Fatalf("%.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
		}
	})
	t.Run("--fresh", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		os.MkdirAll(data, 0o700)
		install(t, data, "ixlb.db", "ixlb.db-journal")
		if _, errOut, code := runBin(t, "run", "urs-failover", "--data", data, "--fresh", "--no-progress"); code != 0 {
			t.Fatalf("--fresh: exit %d, %s", code, errOut)
		}
	})
}

// pointOf is the number of the first durable point labelled label ("create ixn.db") in a run of
// scenario with the crash-point binary.
func pointOf(t *testing.T, label, scenario string) int {
	t.Helper()
	for i, l := range traceOf(t, scenario) {
		if _, rest, _ := strings.Cut(l, " "); rest == label {
			return i + 1
		}
	}
	t.Fatalf("no point %q in a run of %s", label, scenario)
	return 0
}

// traceOf lists the durable points ("N kind file") of a run of scenario, with the crash-point
// binary.
func traceOf(t *testing.T, scenario string) []string {
	t.Helper()
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	r := runWith(t, crashBinary(t), []string{"IXLB_CRASHPOINT_TRACE=" + trace}, "run", scenario, "--data", filepath.Join(dir, "data"), "--no-progress")
	if r.code != 0 {
		t.Fatalf("counting run: exit %d %s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(trace)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
