package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRebuildLogCrashPointWalk stops `--rebuild` at every durable point of its regeneration of a
// damaged event log — the DELETE of the old chunks, each chunk of the replayed log inserted, the
// COMMIT, and the point after it — stopped there (kill), one write failed (eio) and the disk full
// from there on (enospc). Until the COMMIT the damaged log is still there, and a rerun without
// --rebuild refuses it as before; whatever the point, the same command with --rebuild then gives
// the uninterrupted run's report and --events file byte for byte.
func TestRebuildLogCrashPointWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("the walk builds and runs the crash-point binary")
	}
	const scenario = "urs-failover" // a log of a few chunks
	crash := crashBinary(t)
	tmp := t.TempDir()
	wholeReport, wholeLog := uninterruptedRun(t, scenario)
	// The damaged session: killed mid-run, a chunk of its log deleted.
	base := filepath.Join(tmp, "base")
	at := lastPoints(t, scenario) * 2 / 3
	if r := runWith(t, crash, []string{"IXLB_CRASHPOINT=kill:" + strconv.Itoa(at)}, "run", scenario, "--data", base, "--no-progress"); !r.killed {
		t.Fatalf("not stopped at point %d: exit %d %s", at, r.code, r.stderr)
	}
	logDamages[1].damage(t, filepath.Join(base, "ixlb.db"))

	// The regeneration's points: from its first statement on ixlb.db to its COMMIT.
	trace := filepath.Join(tmp, "trace")
	counted := filepath.Join(tmp, "counted")
	copyDir(t, base, counted)
	if r := runWith(t, crash, []string{"IXLB_CRASHPOINT_TRACE=" + trace}, "run", scenario, "--data", counted, "--no-progress", "--rebuild"); r.code != 0 {
		t.Fatalf("counting: exit %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	points := strings.Split(strings.TrimSpace(string(b)), "\n")
	first, commit := 0, 0
	for i, p := range points {
		switch {
		case first == 0 && strings.HasSuffix(p, " statement ixlb.db"):
			first = i + 1
		case first > 0 && strings.HasSuffix(p, " commit ixlb.db"):
			commit = i + 1
		}
		if commit > 0 {
			break
		}
	}
	if first == 0 || commit-first < 3 {
		t.Fatalf("no regeneration of several chunks found in the rebuild's points: %q", points)
	}
	runs, refused := 0, 0
	for n := first; n <= commit+1 && n <= len(points); n++ {
		for _, mode := range walkModes {
			label := fmt.Sprintf("%s at point %d (%s)", mode, n, points[n-1])
			dir := filepath.Join(tmp, fmt.Sprintf("%s%d", mode, n))
			copyDir(t, base, dir)
			r := runWith(t, crash, []string{"IXLB_CRASHPOINT=" + mode + ":" + strconv.Itoa(n)}, "run", scenario, "--data", dir, "--no-progress", "--rebuild")
			runs++
			if mode == "kill" && !r.killed {
				t.Errorf("%s: not stopped there: exit %d %s", label, r.code, r.stderr)
				continue
			}
			if mode == "kill" && n <= commit {
				// Not committed: the damaged log is still the session's.
				_, errOut, code := runBin(t, "run", scenario, "--data", dir)
				if code != 2 || !strings.Contains(errOut, "the stored event log differs") || !strings.Contains(errOut, "--rebuild") {
					t.Errorf("%s: the rerun without --rebuild: exit %d %s", label, code, errOut)
				}
				refused++
			}
			events := filepath.Join(dir, "..", fmt.Sprintf("%s%d.jsonl", mode, n))
			out, errOut, code := runBin(t, "run", scenario, "--data", dir, "--json", "--events", events, "--rebuild")
			if code != 0 || out != wholeReport {
				t.Errorf("%s: --rebuild again: exit %d %s", label, code, errOut)
				continue
			}
			if got, _ := os.ReadFile(events); !bytes.Equal(got, wholeLog) {
				t.Errorf("%s: --rebuild again: the --events file differs from the uninterrupted run's", label)
				continue
			}
			os.RemoveAll(dir)
		}
	}
	t.Logf("rebuild walk: %d points of the regeneration (%d-%d of %d) and the one after, %d runs, %d killed before the COMMIT still refused",
		commit-first+1, first, commit, len(points), runs, refused)
}
