package main

import (
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
// of what the live session wrote, the cut of the journal, the databases rebuilt by replay, the
// action's record, the saves of the 15 s run on the branch — and fails each write once (eio),
// then reopens the session as the console does, without --rebuild, and runs it on to 3:20. The
// session must reopen every time, and be one of three worlds: as before the branch, the branch
// with its action, or the branch without it (killed after the cut, before the action's record
// was committed; see README). The cut and the branch's journal were two transactions: a kill
// between them left the log cut under the old journal, and the session never reopened.
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
	// The three worlds a reopened session may be, each run on to 3:20.
	worlds := map[string]string{}
	for _, w := range []struct{ name, step string }{{"before the branch", ""}, {"the branch", "branch"}, {"the branch without its action", "noaction"}} {
		dir := filepath.Join(tmp, "ref-"+strings.ReplaceAll(w.name, " ", "-"))
		copyDir(t, base, dir)
		if w.step != "" {
			if r := drill(t, nil, w.step, dir); r.code != 0 {
				t.Fatalf("%s: exit %d %s", w.name, r.code, r.stderr)
			}
		}
		sha, err := reopenAndRunOn(dir)
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if other, ok := worlds[sha]; ok {
			// A branch without an action is the same world run on: the engine is
			// deterministic, and the cut only forgets what it will do again.
			w.name = other + " or " + w.name
		}
		worlds[sha] = w.name
	}
	if len(worlds) != 2 {
		t.Fatalf("the worlds are %v: the branch's action changes nothing the walk could see", worlds)
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
		stride = 7 // about twenty points in go test ./...; .ci/run walks them all
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
			sha, err := reopenAndRunOn(dir)
			if err != nil {
				t.Errorf("%s at point %d (%s): the session does not reopen: %v", mode, n, points[n-1], err)
				continue
			}
			w, ok := worlds[sha]
			if !ok {
				t.Errorf("%s at point %d (%s): reopened to another world (events sha256 %.12s)", mode, n, points[n-1], sha)
				continue
			}
			seen[w]++
			os.RemoveAll(dir)
		}
	}
	t.Logf("branch walk: %d durable points, %d runs, reopened as: %v", len(points), runs, seen)
	if len(seen) != 2 {
		t.Errorf("the walk never reopened %v: it does not cover both sides of the cut", seen)
	}
}

// reopenAndRunOn opens the session in dir as the console does (no --rebuild), runs it on to 3:20,
// quits, and returns the SHA-256 of its stored event log.
func reopenAndRunOn(dir string) (string, error) {
	sc, err := scenarios.Open("dap-repoint-switchover")
	if err != nil {
		return "", err
	}
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		return "", err
	}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{Persister: &persister{ss: ss, log: ss.EventSink()}, Resume: ss.Resume(),
		EngineOptions: []core.Option{core.WithDatabases(ss.Databases())}})
	if err != nil {
		ss.Close()
		return "", ss.ResumeError(err)
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
		return "", err
	}
	return eventsSHA(dir)
}

// eventsSHA is `ixlb events DIR --sha256`: the SHA-256 of the session's stored event log.
func eventsSHA(dir string) (string, error) {
	out, err := exec.Command(ixlbBin, "events", dir, "--sha256").Output()
	if err != nil {
		return "", fmt.Errorf("ixlb events %s --sha256: %w", dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}
