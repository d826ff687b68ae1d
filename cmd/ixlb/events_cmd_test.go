package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// TestEventsCommand: `ixlb events DIR` prints the log a run kept in DIR byte for byte as `run
// --events` wrote it, its --sha256 is the report's events_sha256, --from/--limit pick a range,
// and directories that are not ixlb's are refused with exit status 2.
func TestEventsCommand(t *testing.T) {
	dir := t.TempDir()
	data, file := filepath.Join(dir, "data"), filepath.Join(dir, "events.jsonl")
	out, _, code := runBin(t, "run", "urs-failover", "--json", "--data", data, "--events", file)
	if code != 0 {
		t.Fatalf("run: exit %d", code)
	}
	var rep core.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	got, errOut, code := runBin(t, "events", data)
	if code != 0 || got != string(want) {
		t.Fatalf("events: exit %d, %d bytes (%s); want the %d bytes run --events wrote", code, len(got), errOut, len(want))
	}
	for _, f := range []string{"ixlb.db-wal", "ixlb.db-shm"} {
		if _, err := os.Stat(filepath.Join(data, f)); err == nil {
			t.Errorf("events left %s behind in a directory nobody uses", f)
		}
	}
	if sum, _, _ := runBin(t, "events", data, "--sha256"); strings.TrimSpace(sum) != rep.EventsSHA256 {
		t.Fatalf("events --sha256 = %q, report's events_sha256 %q", sum, rep.EventsSHA256)
	}
	lines := strings.SplitAfter(string(want), "\n")
	if part, _, _ := runBin(t, "events", data, "--from", "100", "--limit", "3"); part != strings.Join(lines[99:102], "") {
		t.Fatalf("--from 100 --limit 3:\n%s", part)
	}
	if part, _, code := runBin(t, "events", data, "--from", "999999999"); part != "" || code != 0 {
		t.Fatalf("--from past the end: exit %d, %q", code, part)
	}

	garbage := filepath.Join(dir, "garbage")
	os.MkdirAll(garbage, 0o700)
	os.WriteFile(filepath.Join(garbage, "ixlb.db"), []byte("not a database at all, just text"), 0o600)
	for _, tc := range []struct{ dir, msg string }{
		{filepath.Join(dir, "missing"), "not an ixlb data directory"},
		{file, "not an ixlb data directory"},
		{dir, "no ixlb.db"},
		{garbage, "not an ixlb database"},
	} {
		out, errOut, code := runBin(t, "events", tc.dir)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.msg) {
			t.Errorf("events %s: exit %d, stdout %q, stderr %q; want 2 and %q", tc.dir, code, out, errOut, tc.msg)
		}
	}
	if _, errOut, code := runBin(t, "events", data, "--limit", "-1"); code != 2 || !strings.Contains(errOut, "--limit") {
		t.Errorf("--limit -1: exit %d, %s", code, errOut)
	}
}
