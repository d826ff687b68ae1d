package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/tui/live"
)

// TestBranchCrashPointWalk stops a console's branch at every durable point it has — the commit
// of what the live session wrote, the one transaction that cuts the log and writes the branch's
// event lines, its action's record and its journal, the databases rebuilt by replay, the saves
// of the 15 s run on the branch — and fails each write once (eio), then reopens the session as
// the console does, without --rebuild. The session must reopen every time, as one of two worlds:
// the session before the branch (its journal and stored log exactly the live session's), or the
// branch WITH its action (a stored log that is the uninterrupted branch's up to where it was
// saved, past the instant: the action's lines in it). Never the branch without its action: the
// history discarded, and URS_1 running (attack 19 F6; the cut and the action's record were two
// commits). Each reopened session is then run on to 3:20 and must end as its world's
// uninterrupted run does.
//
// The drill is the crash-point binary's branch-drill (branchdrill_crashpoints.go): the console's
// runner and persister on dap-repoint-switchover, rewound from 2:40 to 2:20, URS_1 stopped there.
func TestBranchCrashPointWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("the branch walk builds and runs the crash-point binary")
	}
	crash := crashBinary(t)
	tmp := t.TempDir()
	drill := func(t *testing.T, env []string, step, dir string) walkRun {
		t.Helper()
		return runWith(t, crash, env, "branch-drill", step, dir)
	}
	base := filepath.Join(tmp, "live")
	if r := drill(t, nil, "live", base); r.code != 0 {
		t.Fatalf("the live world: exit %d %s", r.code, r.stderr)
	}
	// The worlds, uninterrupted: their stored logs as the drill left them, and run on to 3:20.
	type refWorld struct {
		name  string
		lines [][]byte // the stored log as the drill left it
		runOn string   // events sha256 once run on to 3:20
	}
	ref := func(name, step string) refWorld {
		t.Helper()
		dir := filepath.Join(tmp, "ref-"+step)
		copyDir(t, base, dir)
		if step != "live" {
			if r := drill(t, nil, step, dir); r.code != 0 {
				t.Fatalf("%s: exit %d %s", name, r.code, r.stderr)
			}
		}
		w := refWorld{name: name, lines: storedLines(t, dir)}
		var err error
		if _, w.runOn, err = reopenAndRunOn(dir); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return w
	}
	before := ref("the session before the branch", "live")
	branch := ref("the branch with its action", "branch")
	noAction := ref("the branch without its action", "noaction")
	kept := 0 // the lines through 2:20, which every world shares
	for kept < len(before.lines) && kept < len(branch.lines) && bytes.Equal(before.lines[kept], branch.lines[kept]) {
		kept++
	}
	if kept == 0 || kept >= len(branch.lines) || before.runOn == branch.runOn || before.runOn != noAction.runOn {
		t.Fatalf("the worlds do not tell the branch apart: %d lines kept of %d and %d; run on: %.12s, %.12s, without the action %.12s",
			kept, len(before.lines), len(branch.lines), before.runOn, branch.runOn, noAction.runOn)
	}
	// world names the world a session reopened with n events and the log digest sha is in.
	world := func(n uint64, sha string) (*refWorld, string) {
		switch {
		case n == uint64(len(before.lines)) && sha == prefixSHA(before.lines, n):
			return &before, ""
		case n > uint64(kept) && n <= uint64(len(branch.lines)) && sha == prefixSHA(branch.lines, n):
			return &branch, ""
		case n <= uint64(len(noAction.lines)) && sha == prefixSHA(noAction.lines, n):
			return nil, fmt.Sprintf("%s (%d events; %d kept at the instant)", noAction.name, n, kept)
		}
		return nil, fmt.Sprintf("another world (%d events, sha256 %.12s)", n, sha)
	}
	// Count the branch's points.
	trace := filepath.Join(tmp, "trace")
	counted := filepath.Join(tmp, "counted")
	copyDir(t, base, counted)
	if r := drill(t, []string{"IXLB_CRASHPOINT_TRACE=" + trace}, "branch", counted); r.code != 0 {
		t.Fatalf("counting: exit %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	points := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(points) < 10 {
		t.Fatalf("a branch with %d durable points: %q", len(points), points)
	}
	stride := 1
	if os.Getenv("IXLB_CRASH_WALK") != "all" {
		stride = 7 // about ten points in go test ./...; .ci/run walks them all
	}
	seen := map[string]int{}
	runs := 0
	for n := 1; n <= len(points); n += stride {
		for _, mode := range []string{"kill", "eio"} {
			dir := filepath.Join(tmp, fmt.Sprintf("%s%d", mode, n))
			copyDir(t, base, dir)
			r := drill(t, []string{"IXLB_CRASHPOINT=" + mode + ":" + strconv.Itoa(n)}, "branch", dir)
			runs++
			if mode == "kill" && !r.killed {
				t.Errorf("point %d (%s): not stopped there: exit %d %s", n, points[n-1], r.code, r.stderr)
				continue
			}
			at, sha, err := reopenAndRunOn(dir)
			if err != nil {
				t.Errorf("%s at point %d (%s): the session does not reopen: %v", mode, n, points[n-1], err)
				continue
			}
			atSHA, _ := at.EventsSHA256()
			w, other := world(at.Events, atSHA)
			if w == nil {
				t.Errorf("%s at point %d (%s): reopened as %s", mode, n, points[n-1], other)
				continue
			}
			if sha != w.runOn {
				t.Errorf("%s at point %d (%s): reopened as %s, but run on to 3:20 it is another world (sha256 %.12s, not %.12s)",
					mode, n, points[n-1], w.name, sha, w.runOn)
				continue
			}
			seen[w.name]++
			os.RemoveAll(dir)
		}
	}
	t.Logf("branch walk: %d durable points, %d runs, reopened as: %v", len(points), runs, seen)
	if len(seen) != 2 {
		t.Errorf("the walk never reopened %v: it does not cover both sides of the cut", seen)
	}
}

// reopenAndRunOn opens the session in dir as the console does (no --rebuild), runs it on to 3:20,
// quits, and returns the journal it reopened at and the SHA-256 of its stored event log at the end.
func reopenAndRunOn(dir string) (core.ResumeState, string, error) {
	sc, err := scenarios.Open("dap-repoint-switchover")
	if err != nil {
		return core.ResumeState{}, "", err
	}
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		return core.ResumeState{}, "", err
	}
	var at core.ResumeState
	if rs := ss.Resume(); rs != nil {
		at = *rs
	}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{Persister: &persister{ss: ss, log: ss.EventSink()}, Resume: ss.Resume(),
		EngineOptions: []core.Option{core.WithDatabases(ss.Databases())}})
	if err != nil {
		ss.Close()
		return at, "", ss.ResumeError(err)
	}
	j, err := r.Journal()
	if err == nil {
		err = r.Step(200*time.Second - time.Duration(j.State.T))
	}
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if cerr := ss.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return at, "", err
	}
	sha, err := eventsSHA(dir)
	return at, sha, err
}

// storedLines is `ixlb events DIR`: the session's stored event log, a line each.
func storedLines(t *testing.T, dir string) [][]byte {
	t.Helper()
	out, err := exec.Command(ixlbBin, "events", dir).Output()
	if err != nil {
		t.Fatalf("ixlb events %s: %v", dir, err)
	}
	return bytes.SplitAfter(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
}

// prefixSHA is the events sha256 of the log's first n lines.
func prefixSHA(lines [][]byte, n uint64) string {
	h := sha256.New()
	for _, l := range lines[:n] {
		h.Write(bytes.TrimSuffix(l, []byte("\n")))
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// eventsSHA is `ixlb events DIR --sha256`: the SHA-256 of the session's stored event log.
func eventsSHA(dir string) (string, error) {
	out, err := exec.Command(ixlbBin, "events", dir, "--sha256").Output()
	if err != nil {
		return "", fmt.Errorf("ixlb events %s --sha256: %w", dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}
