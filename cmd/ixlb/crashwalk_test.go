package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The crash-point walk. The store counts its durable points (store/crashpoint.go): the creation
// of the directory and of each file, every statement of a write transaction, every COMMIT. A
// binary built with the tag ixlb_crashpoints stops itself at the Nth (IXLB_CRASHPOINT=kill:N) or
// fails the Nth write as a failing disk would (eio:N) or every write from the Nth on as a full disk
// would (enospc:N). The walk runs a scenario to its end once to count the points, then, for every
// point and every mode, runs it again into a fresh directory, stopped or failed there, and reruns
// the same command with the real ixlb. The rerun must give the uninterrupted run's report,
// events_sha256 and --events file byte for byte, or exit 2 naming the file and what differs, after
// which --rebuild must give them. Never exit 0 with another world.
//
// By default every walkStride-th point is walked (a few seconds a scenario); IXLB_CRASH_WALK=all
// walks every point (.ci/run does), -short skips the walk.

// walkScenarios: a DAP re-pointed to a second database and a switchover onto it (the new
// database is first written between two saves of the journal), an Interaction Server restart,
// and impatient customers.
var walkScenarios = []string{"testdata/walk-repoint.yaml", "testdata/walk-restart.yaml", "testdata/walk-patience.yaml"}

// walkBatch makes the walked runs commit an interaction database every 4 rows and the event log
// every 16 lines on their own, between the saves of the journal (a long run does so every 16384
// rows and 65536 lines), so that those commits are walked too.
const walkBatch = "IXLB_CRASHPOINT_BATCH=4"

// walkModes: the process stopped, one write failing, the disk full from there on.
var walkModes = []string{"kill", "eio", "enospc"}

const walkStride = 31

var crashBin struct {
	once sync.Once
	path string
	err  error
}

// crashBinary builds ixlb with the durable points counted, once.
func crashBinary(t *testing.T) string {
	t.Helper()
	crashBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "ixlb-crash-")
		if err != nil {
			crashBin.err = err
			return
		}
		crashBin.path = filepath.Join(dir, "ixlb-crash")
		build := exec.Command("go", "build", "-tags", "ixlb_crashpoints", "-o", crashBin.path, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := build.CombinedOutput(); err != nil {
			crashBin.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if crashBin.err != nil {
		t.Fatal(crashBin.err)
	}
	return crashBin.path
}

// walkRun is one run of a binary: its output and how it ended.
type walkRun struct {
	stdout, stderr string
	code           int  // exit status, -1 when killed by a signal
	killed         bool // ended by SIGKILL
}

func runWith(t *testing.T, bin string, env []string, args ...string) walkRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	r := walkRun{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	default:
		t.Errorf("run %s: %v", bin, err)
		r.code = -2
	}
	return r
}

// world is what a run's user sees of the simulated world: the report and the --events file.
type world struct {
	report string // JSON, byte for byte
	events []byte
}

func (w world) same(o world) bool { return w.report == o.report && bytes.Equal(w.events, o.events) }

// walkTally counts how the reruns went.
type walkTally struct {
	mu                                   sync.Mutex
	runs, resumed, rolledBack, refused   int
	finishedAnyway, failedRuns, startAll int
	recoveries                           map[string]bool // the kinds of recovery walked
	recoveryRuns, recoveryLimit          int
}

// newRecovery reports whether a rerun recovered a kind of state not walked yet: a stop at a point
// of this label, repaired with these notes. The rerun's own points are walked once per kind.
func (w *walkTally) newRecovery(label, stderr, data string) bool {
	var notes []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, data+": ") {
			notes = append(notes, strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return -1
				}
				return r
			}, strings.TrimPrefix(l, data+": ")))
		}
	}
	if len(notes) == 0 {
		return false // nothing was repaired: the rerun's points are the run's own
	}
	_, kind, _ := strings.Cut(label, " ")
	key := kind + " | " + strings.Join(notes, " | ")
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.recoveries == nil {
		w.recoveries = map[string]bool{}
	}
	if w.recoveries[key] || len(w.recoveries) >= w.recoveryLimit {
		return false
	}
	w.recoveries[key] = true
	return true
}

func (w *walkTally) add(f func(*walkTally)) {
	w.mu.Lock()
	f(w)
	w.mu.Unlock()
}

func TestCrashPointWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash-point walk is not short")
	}
	all := os.Getenv("IXLB_CRASH_WALK") == "all"
	crash := crashBinary(t)
	for si, name := range walkScenarios {
		t.Run(strings.TrimSuffix(filepath.Base(name), ".yaml"), func(t *testing.T) {
			walkScenario(t, crash, name, si, all)
		})
	}
}

func walkScenario(t *testing.T, crash, scenario string, offset int, all bool) {
	tmp := t.TempDir()
	args := func(data, events string) []string {
		return []string{"run", scenario, "--data", data, "--json", "--no-progress", "--events", events}
	}
	worldOf := func(r walkRun, events string) world {
		b, _ := os.ReadFile(events)
		return world{r.stdout, b}
	}
	// The uninterrupted run, with ixlb itself; then with the points counted, twice: the same
	// world, and the same points in the same order (the numbering means one point in every run).
	ref := filepath.Join(tmp, "ref")
	r := runWith(t, ixlbBin, nil, args(filepath.Join(ref, "data"), filepath.Join(tmp, "ref.jsonl"))...)
	if r.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", r.code, r.stderr)
	}
	whole := worldOf(r, filepath.Join(tmp, "ref.jsonl"))
	var traces [2][]byte
	for i := range traces {
		trace := filepath.Join(tmp, fmt.Sprintf("trace%d", i))
		events := filepath.Join(tmp, fmt.Sprintf("counted%d.jsonl", i))
		r := runWith(t, crash, []string{walkBatch, "IXLB_CRASHPOINT_TRACE=" + trace}, args(filepath.Join(tmp, fmt.Sprintf("counted%d", i), "data"), events)...)
		if r.code != 0 || !worldOf(r, events).same(whole) {
			t.Fatalf("the run with its points counted: exit %d, a world of its own\n%s", r.code, r.stderr)
		}
		traces[i], _ = os.ReadFile(trace)
	}
	if !bytes.Equal(traces[0], traces[1]) {
		t.Fatal("two runs went through different durable points: the numbering would not mean one point")
	}
	points := bytes.Count(traces[0], []byte("\n"))
	labels := strings.Split(strings.TrimSpace(string(traces[0])), "\n")
	if points < 100 {
		t.Fatalf("only %d durable points", points)
	}
	var ns []int
	for n := 1; n <= points; n++ {
		if all || n%walkStride == offset%walkStride {
			ns = append(ns, n)
		}
	}
	tally := walkTally{recoveryLimit: 1}
	if all {
		tally.recoveryLimit = 1000
	}
	type job struct {
		n    int
		mode string
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				walkPoint(t, crash, scenario, j.n, labels[j.n-1], j.mode, whole, tmp, args, worldOf, &tally)
			}
		}()
	}
	for _, n := range ns {
		for _, mode := range walkModes {
			jobs <- job{n, mode}
		}
	}
	close(jobs)
	wg.Wait()
	t.Logf("%s: %d durable points, %d walked in %d modes (%d runs): reruns resumed %d, rolled back rows %d, refused then rebuilt %d, started over %d; failed runs that still finished the same world %d, failed runs that stopped %d; %d kinds of recovery walked, their first %d points stopped and failed (%d runs)",
		scenario, points, len(ns), len(walkModes), tally.runs, tally.resumed, tally.rolledBack, tally.refused, tally.startAll, tally.finishedAnyway, tally.failedRuns,
		len(tally.recoveries), recoveryPoints, tally.recoveryRuns)
}

// walkPoint stops or fails one run at point n and checks the rerun.
func walkPoint(t *testing.T, crash, scenario string, n int, label, mode string, whole world, tmp string,
	args func(data, events string) []string, worldOf func(walkRun, string) world, tally *walkTally) {
	at := fmt.Sprintf("%s:%d (%s)", mode, n, label)
	dir := filepath.Join(tmp, mode+"-"+strconv.Itoa(n))
	data, events := filepath.Join(dir, "data"), filepath.Join(dir, "events.jsonl")
	defer os.RemoveAll(dir)
	r := runWith(t, crash, []string{walkBatch, "IXLB_CRASHPOINT=" + mode + ":" + strconv.Itoa(n)}, args(data, events)...)
	switch {
	case mode == "kill" && !r.killed:
		t.Errorf("%s: the run was not stopped there (exit %d)\n%s", at, r.code, r.stderr)
		return
	case mode != "kill" && r.killed:
		t.Errorf("%s: killed\n%s", at, r.stderr)
		return
	case mode != "kill" && r.code == 0:
		// The failure was retried and made good: then it must be the same world.
		if !worldOf(r, events).same(whole) {
			t.Errorf("%s: exit 0 with another world\n%s", at, r.stderr)
		}
		tally.add(func(w *walkTally) { w.runs++; w.finishedAnyway++ })
		return
	case mode != "kill" && r.code != 2:
		t.Errorf("%s: a failed write ended with exit %d, want 2\n%s", at, r.code, r.stderr)
		return
	case mode != "kill":
		tally.add(func(w *walkTally) { w.failedRuns++ })
	}
	// The directory as the stop left it, for the walk of the rerun's own points (recovery).
	saved := filepath.Join(dir, "saved")
	if mode == "kill" {
		copyDir(t, data, saved)
	}
	re := runWith(t, ixlbBin, nil, args(data, events)...)
	if mode == "kill" && re.code == 0 && tally.newRecovery(label, re.stderr, data) {
		walkRecovery(t, crash, at, saved, whole, tmp, args, worldOf, tally)
	}
	switch re.code {
	case 0:
		if !worldOf(re, events).same(whole) {
			t.Errorf("%s: the rerun exited 0 with another world\n%s", at, diffWorld(worldOf(re, events), whole, re.stderr))
			return
		}
		tally.add(func(w *walkTally) {
			w.runs++
			switch {
			case strings.Contains(re.stderr, "rolled back"):
				w.rolledBack++
			case strings.Contains(re.stderr, "resuming"):
				w.resumed++
			default:
				w.startAll++
			}
		})
	case 2:
		// Refused: it must name the file and what differs, and --rebuild must recover.
		if !strings.Contains(re.stderr, data) || !strings.Contains(re.stderr, "nothing was changed") {
			t.Errorf("%s: the rerun refused without naming a file of %s and saying nothing changed:\n%s", at, data, re.stderr)
			return
		}
		rb := runWith(t, ixlbBin, nil, append(args(data, events), "--rebuild")...)
		if rb.code != 0 || !worldOf(rb, events).same(whole) {
			t.Errorf("%s: refused (%s), then --rebuild: exit %d, another world\n%s", at, strings.TrimSpace(re.stderr), rb.code, rb.stderr)
			return
		}
		tally.add(func(w *walkTally) { w.runs++; w.refused++ })
	default:
		t.Errorf("%s: the rerun exited %d\n%s", at, re.code, re.stderr)
	}
}

// diffWorld says where two worlds part, for the failure message.
func diffWorld(got, want world, stderr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stderr: %s\n", stderr)
	if got.report != want.report {
		g, w := strings.Split(got.report, "\n"), strings.Split(want.report, "\n")
		for i := 0; i < len(g) && i < len(w); i++ {
			if g[i] != w[i] {
				fmt.Fprintf(&b, "report line %d: %s, want %s\n", i+1, strings.TrimSpace(g[i]), strings.TrimSpace(w[i]))
			}
		}
	}
	if !bytes.Equal(got.events, want.events) {
		fmt.Fprintf(&b, "--events: %d bytes, want %d\n", len(got.events), len(want.events))
	}
	return b.String()
}

// recoveryPoints is how many of a recovering rerun's first durable points are walked: its repairs
// (the stored log rewound, databases rolled back or emptied, each one transaction) come before
// its own run goes on.
const recoveryPoints = 16

// walkRecovery stops (and fails) the rerun of a stopped run at each of its first durable points —
// in the middle of its repairs — and checks that the next rerun still gives the uninterrupted
// world (or refuses, and --rebuild does).
func walkRecovery(t *testing.T, crash, at, saved string, whole world, tmp string,
	args func(data, events string) []string, worldOf func(walkRun, string) world, tally *walkTally) {
	for m := 1; m <= recoveryPoints; m++ {
		for _, mode := range []string{"kill", "eio"} {
			where := fmt.Sprintf("%s, then its rerun %s:%d", at, mode, m)
			dir, err := os.MkdirTemp(tmp, "recovery-")
			if err != nil {
				t.Error(err)
				return
			}
			data, events := filepath.Join(dir, "data"), filepath.Join(dir, "events.jsonl")
			copyDir(t, saved, data)
			r := runWith(t, crash, []string{walkBatch, "IXLB_CRASHPOINT=" + mode + ":" + strconv.Itoa(m)}, args(data, events)...)
			if r.code == 0 && !r.killed && !worldOf(r, events).same(whole) {
				t.Errorf("%s: exit 0 with another world\n%s", where, r.stderr)
			}
			re := runWith(t, ixlbBin, nil, args(data, events)...)
			switch {
			case re.code == 0 && !worldOf(re, events).same(whole):
				t.Errorf("%s: the next rerun exited 0 with another world\n%s", where, diffWorld(worldOf(re, events), whole, re.stderr))
			case re.code == 2:
				rb := runWith(t, ixlbBin, nil, append(args(data, events), "--rebuild")...)
				if rb.code != 0 || !worldOf(rb, events).same(whole) {
					t.Errorf("%s: refused (%s), then --rebuild: exit %d, another world", where, strings.TrimSpace(re.stderr), rb.code)
				}
			case re.code != 0:
				t.Errorf("%s: the next rerun exited %d\n%s", where, re.code, re.stderr)
			}
			tally.add(func(w *walkTally) { w.recoveryRuns++ })
			os.RemoveAll(dir)
		}
	}
}

// copyDir copies the regular files of from into a new directory to (none when from is absent: a
// run stopped before it made its directory).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Error(err)
		return
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Error(err)
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(to, e.Name()), b, 0o600)
		}
		if err != nil {
			t.Error(err)
		}
	}
}
