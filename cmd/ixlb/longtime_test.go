package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/store"
)

// longScenario runs for duration, with its traffic, a URS stop and an Interaction Server restart
// in its last hour: the rows and events are far past 2^53 nanoseconds (104 days).
func longScenario(t *testing.T, dir string, hours int) string {
	t.Helper()
	at := func(h int, d string) string { return fmt.Sprintf("%dh%s", h, d) }
	return writeFile(t, dir, fmt.Sprintf("long-%dh.yaml", hours), fmt.Sprintf(`version: 1
name: long
seed: 3
duration: %dh
applications:
  IxnServer: {type: InteractionServer, connections: [DAP_1, EmailSrv_1]}
  URS_1: {type: RoutingServer, connections: [IxnServer]}
  URS_2: {type: RoutingServer, connections: [IxnServer]}
  EmailSrv_1: {type: EmailServer}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
databases:
  ixn: {}
strategies:
  S: {activated_on: [URS_1, URS_2], steps: [{route: {group: A}}]}
business_processes:
  B: {queues: {q: {strategy: S}}}
agent_groups:
  A: {agents: 20, capacity: {email: 1}, handle_time: 87600h}
traffic:
  - {media: email, from: EmailSrv_1, queue: q, rate: 1/s, start: %s, patience: 87600h}
timeline:
  - {at: %s, stop: URS_1}
  - {at: %s, restart: IxnServer}
  - {at: %s, start: URS_1}
expect:
  - interactions.submitted > 0
`, hours, at(hours-1, "50m"), at(hours-1, "53m"), at(hours-1, "55m"), at(hours-1, "57m")))
}

// Long durations run to their end — the longest allowed, ten years, too — and their sessions
// reopen: `duration: 30000h` used to stop at 85% with a normal summary (the slicing overflowed
// int64), and a finished session of 200 days could not be rerun (times stored as REAL seconds no
// longer compared equal: "interaction 1 differs"). Longer than ten years is refused at load.
func TestLongDurationsRunToTheirEnd(t *testing.T) {
	for _, hours := range []int{4800, 30000, 87600} {
		t.Run(strconv.Itoa(hours)+"h", func(t *testing.T) {
			dir := t.TempDir()
			file := longScenario(t, dir, hours)
			whole := reportOf(t, "run", file, "--json")
			if want := float64(hours) * 3600; whole.VirtualSeconds != want || whole.Interactions.Submitted == 0 {
				t.Fatalf("ran %v virtual seconds with %d interactions; want %v", whole.VirtualSeconds, whole.Interactions.Submitted, want)
			}
			data := filepath.Join(dir, "data")
			first := reportOf(t, "run", file, "--data", data, "--json")
			out, errOut, code := runBin(t, "run", file, "--data", data, "--json")
			if code != 0 || !strings.Contains(errOut, "had finished") || !strings.Contains(out, first.EventsSHA256) {
				t.Fatalf("rerun of the finished session: exit %d, %s", code, errOut)
			}
			// Stopped late in the run (a third of its durable points from the end) and resumed.
			at := lastPoints(t, file) * 2 / 3
			killed := filepath.Join(dir, "killed")
			if r := runWith(t, crashBinary(t), []string{"IXLB_CRASHPOINT=kill:" + strconv.Itoa(at)}, "run", file, "--data", killed, "--no-progress"); !r.killed {
				t.Fatalf("not stopped at point %d: exit %d %s", at, r.code, r.stderr)
			}
			if got := reportOf(t, "run", file, "--data", killed, "--json"); got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
				t.Fatalf("resumed: %.12s %+v; uninterrupted %.12s %+v", got.EventsSHA256, got.Interactions, whole.EventsSHA256, whole.Interactions)
			}
		})
	}
	t.Run("beyond ten years", func(t *testing.T) {
		dir := t.TempDir()
		src, _ := os.ReadFile(longScenario(t, dir, 87600))
		file := writeFile(t, dir, "longer.yaml", strings.Replace(string(src), "duration: 87600h", "duration: 2562047h", 1))
		_, errOut, code := runBin(t, "run", file)
		if code != 2 || !strings.Contains(errOut, file+":4:11:") || !strings.Contains(errOut, "at most 87600h") {
			t.Fatalf("exit %d, %s", code, errOut)
		}
	})
}

// lastPoints counts the durable points of a run of file with the crash-point binary.
func lastPoints(t *testing.T, file string) int { return len(traceOf(t, file)) }

// core.SliceEnd splits any run into its slices exactly: ends where the old product (end-from)*i/n
// would, wherever that did not overflow, reaches end at the last slice, and never goes back.
func TestSliceEnd(t *testing.T) {
	for _, c := range []struct {
		from, end int64
		n         int
	}{
		{0, int64(4 * time.Minute), 100},
		{int64(time.Minute), int64(30000 * time.Hour), 100},
		{0, int64(87600 * time.Hour), 100_000},
		{0, math.MaxInt64, 100},
		{math.MaxInt64 - 1000, math.MaxInt64, 7},
		{5, 5, 3},
	} {
		prev := c.from
		for i := 1; i <= c.n; i++ {
			got := core.SliceEnd(c.from, c.end, i, c.n)
			if got < prev || got > c.end {
				t.Fatalf("%+v: slice %d ends at %d after %d", c, i, got, prev)
			}
			if d := c.end - c.from; d <= math.MaxInt64/int64(c.n) {
				if want := c.from + d*int64(i)/int64(c.n); got != want {
					t.Fatalf("%+v: slice %d ends at %d, want %d", c, i, got, want)
				}
			}
			prev = got
		}
		if prev != c.end {
			t.Fatalf("%+v: the last slice ends at %d", c, prev)
		}
	}
}

// TestSaveEvery: a run saves every store.EventsPerSave events, whatever its length, so what
// waits for a commit does not grow with it; a small run saves about eight times all the same.
func TestSaveEvery(t *testing.T) {
	every := store.EventsPerSave()
	for _, tc := range []struct {
		name   string
		events uint64 // seen in done of 100 slices
		done   int
		want   uint64
	}{
		{"the first slice: nothing known yet", 0, 0, every},
		{"a busy run", 1_300_000, 10, every},           // 13M estimated: the bound
		{"eight times as long", 10_000_000, 10, every}, // the same
		{"a small run", 960 / 10, 10, 120},             // 960 estimated: an eighth
		{"a tiny run", 3, 50, 1},
	} {
		if got := saveEvery(tc.events, tc.done, 100); got != tc.want {
			t.Errorf("%s: every %d events, want %d", tc.name, got, tc.want)
		}
	}
}
