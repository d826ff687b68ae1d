//go:build cgo

package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
	"github.com/ixlb/ixlb/store"
)

// The performance table of the README (section Figures), each figure a ratio to a floor measured
// in the same benchmark run, on testdata/load-25k.yaml: about 200,000 e-mails in 8 virtual
// seconds, 25,000 a second over four streams, four URS, two classifiers, 60,000 agents.
//
//	go test ./cmd/ixlb -run '^$' -bench Perf -benchtime 1x -count 3
//
// The floor (perfFloor) is the least SQLite work a persisted run could cost: an INSERT when an
// interaction arrives and an UPDATE when it completes, 1000 interactions a transaction, WAL. The
// machine is shared and the wall clock moves with the neighbours' load, so every figure is also
// given per CPU second (user + system, every thread).
const perfScenario = "testdata/load-25k.yaml"

// perfFloor runs the floor for n interactions in dir and returns its wall and CPU time.
func perfFloor(b *testing.B, dir string, n int) (wall, cpu time.Duration) {
	b.Helper()
	start, c0 := time.Now(), cpuTime()
	sqliteFloor(b, dir, n, 1000)
	return time.Since(start), cpuTime() - c0
}

// perfReport runs `ixlb run SCENARIO --data DIR --json` in process and returns its report.
func perfReport(b *testing.B, scenario, dir string) map[string]any {
	b.Helper()
	var out bytes.Buffer
	if err := runScenario(&out, io.Discard, scenario, runFlags{data: dir, noProg: true, json: true}); err != nil {
		b.Fatalf("ixlb run %s: %v", scenario, err)
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		b.Fatal(err)
	}
	return rep
}

func reportInt(rep map[string]any, path ...string) int64 {
	var v any = rep
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	f, _ := v.(float64)
	return int64(f)
}

// BenchmarkPerf measures the table's ratios. Each sub-benchmark measures its floor itself, right
// before its own work, so that both see the same load of the machine.
func BenchmarkPerf(b *testing.B) {
	// `ixlb run --data DIR` end to end: interactions a second ÷ the floor's.
	b.Run("run", func(b *testing.B) {
		var floorWall, floorCPU, runWall, runCPU time.Duration
		var n, events, logBytes int64
		for i := 0; i < b.N; i++ {
			fw, fc := perfFloor(b, b.TempDir(), 200_000)
			floorWall, floorCPU = floorWall+fw, floorCPU+fc
			dir := filepath.Join(b.TempDir(), "data")
			old := debug.SetGCPercent(runGCPercent) // as the ixlb binary runs
			start, c0 := time.Now(), cpuTime()
			rep := perfReport(b, perfScenario, dir)
			runWall, runCPU = runWall+time.Since(start), runCPU+cpuTime()-c0
			debug.SetGCPercent(old)
			n += reportInt(rep, "interactions", "submitted")
			events += reportInt(rep, "events")
			st, err := os.Stat(filepath.Join(dir, "ixlb.db"))
			if err != nil {
				b.Fatal(err)
			}
			logBytes += st.Size()
		}
		floor := float64(200_000 * b.N)
		b.ReportMetric(float64(n)/runWall.Seconds(), "ixn/s")
		b.ReportMetric(floor/floorWall.Seconds(), "floor-ixn/s")
		b.ReportMetric((float64(n)/runWall.Seconds())/(floor/floorWall.Seconds()), "x-floor")
		b.ReportMetric((float64(n)/runCPU.Seconds())/(floor/floorCPU.Seconds()), "x-floor-cpu")
		b.ReportMetric(float64(logBytes)/float64(events), "log-B/event")
	})

	// `ixlb sweep --seeds 2`: two runs in memory, one per core.
	b.Run("sweep", func(b *testing.B) {
		var floorWall, floorCPU, wall, cpu time.Duration
		for i := 0; i < b.N; i++ {
			fw, fc := perfFloor(b, b.TempDir(), 200_000)
			floorWall, floorCPU = floorWall+fw, floorCPU+fc
			start, c0 := time.Now(), cpuTime()
			if err := runSweep(io.Discard, io.Discard, perfScenario, sweepFlags{seeds: 2, noBar: true, out: filepath.Join(b.TempDir(), "rows.jsonl")}); err != nil {
				b.Fatal(err)
			}
			wall, cpu = wall+time.Since(start), cpu+cpuTime()-c0
		}
		n, floor := float64(2*200_000*b.N), float64(200_000*b.N)
		b.ReportMetric(n/wall.Seconds(), "ixn/s")
		b.ReportMetric((n/wall.Seconds())/(floor/floorWall.Seconds()), "x-floor")
		b.ReportMetric((n/cpu.Seconds())/(floor/floorCPU.Seconds()), "x-floor-cpu")
	})

	// The engine in memory without the event log, as a sweep, compare or staff run runs it
	// (study.RunOne), on one goroutine: interactions per CPU second.
	b.Run("memory-nolog", func(b *testing.B) {
		sc, err := scenarios.Load(perfScenario)
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			r, err := study.RunOne(study.Run{Config: sc.Config, Seed: sc.Config.Seed}, study.Options{})
			if err != nil {
				b.Fatal(err)
			}
			n += int64(r.Figures["interactions.submitted"])
		}
		b.ReportMetric(float64(n)/(cpuTime()-c0).Seconds(), "ixn/cpu-s")
	})

	// Peak RSS of the same load for 8× as long (1.6 million interactions) ÷ that of 1×: the
	// built binary, one process each, its peak from the kernel (ru_maxrss).
	b.Run("rss", func(b *testing.B) {
		long := perfScenarioCopy(b, "64s")
		var one, eight int64
		for i := 0; i < b.N; i++ {
			one += perfChild(b, perfScenario, filepath.Join(b.TempDir(), "data")).maxRSS
			eight += perfChild(b, long, filepath.Join(b.TempDir(), "data")).maxRSS
		}
		b.ReportMetric(float64(one)/float64(b.N)/1024, "rss-1x-MiB")
		b.ReportMetric(float64(eight)/float64(b.N)/1024, "rss-8x-MiB")
		b.ReportMetric(float64(eight)/float64(one), "rss-8x/1x")
	})

	// Reopening a session killed at 90% of an 800,000-interaction run (the same load for 32
	// virtual seconds): the CPU time of opening, checking and replaying it (store.OpenSession and
	// core.Resume, in process, on a copy of the killed directory), ÷ the CPU time of the whole
	// run (the built binary, ru_utime + ru_stime).
	b.Run("resume", func(b *testing.B) {
		long := perfScenarioCopy(b, "32s")
		sc, err := scenarios.Load(long)
		if err != nil {
			b.Fatal(err)
		}
		killed := filepath.Join(b.TempDir(), "killed")
		at := perfKillAt(b, long, killed, int64(sc.Config.Duration)*9/10)
		var full, reopen, reopenWall time.Duration
		for i := 0; i < b.N; i++ {
			full += perfChild(b, long, filepath.Join(b.TempDir(), "data")).cpu
			dir := filepath.Join(b.TempDir(), "copy")
			if err := os.CopyFS(dir, os.DirFS(killed)); err != nil {
				b.Fatal(err)
			}
			old := debug.SetGCPercent(runGCPercent) // as the ixlb binary runs
			start, c0 := time.Now(), cpuTime()
			ss, err := store.OpenSession(dir, sc.Config, store.SessionOptions{Owner: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			r := ss.Resume()
			if r == nil || r.T < at {
				b.Fatalf("the killed session resumes from %v, want at least %s", r, time.Duration(at))
			}
			if _, err := core.Resume(sc.Config, *r, core.WithDatabases(ss.Databases()), core.WithSink(ss.EventSink())); err != nil {
				b.Fatal(err)
			}
			reopen, reopenWall = reopen+cpuTime()-c0, reopenWall+time.Since(start)
			debug.SetGCPercent(old)
			if err := ss.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(full.Seconds()/float64(b.N), "full-cpu-s")
		b.ReportMetric(reopen.Seconds()/float64(b.N), "reopen-cpu-s")
		b.ReportMetric(reopenWall.Seconds()/float64(b.N), "reopen-wall-s")
		b.ReportMetric(reopen.Seconds()/full.Seconds(), "reopen/full-cpu")
	})

	// Reopening an hour of console traffic: the bundled seed-example driven for an hour of
	// virtual time as the console drives it at speed 1 (a save every 100 ms, with the lines of
	// those 100 ms: 36,000 commits, the log's last chunk appended to each time), then reopened
	// (store.OpenSession and core.Resume, as the console does on the next start).
	b.Run("console-hour", func(b *testing.B) {
		sc, err := scenarios.Resolve("seed-example")
		if err != nil {
			b.Fatal(err)
		}
		cfg := sc.Config
		cfg.Duration = time.Hour
		dir := filepath.Join(b.TempDir(), "console")
		ss, err := store.OpenSession(dir, cfg, store.SessionOptions{Owner: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		eng, err := core.New(cfg, core.WithDatabases(ss.Databases()), core.WithSink(ss.EventSink()))
		if err != nil {
			b.Fatal(err)
		}
		for t := int64(0); t < int64(time.Hour); {
			t += int64(100 * time.Millisecond)
			eng.RunUntil(t)
			st, err := eng.ResumeState()
			if err != nil {
				b.Fatal(err)
			}
			if err := ss.SaveAsync(st); err != nil {
				b.Fatal(err)
			}
		}
		if err := ss.Close(); err != nil {
			b.Fatal(err)
		}
		var wall, cpu time.Duration
		for i := 0; i < b.N; i++ {
			start, c0 := time.Now(), cpuTime()
			ss, err := store.OpenSession(dir, cfg, store.SessionOptions{Owner: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := core.Resume(cfg, *ss.Resume(), core.WithDatabases(ss.Databases()), core.WithSink(ss.EventSink())); err != nil {
				b.Fatal(err)
			}
			wall, cpu = wall+time.Since(start), cpu+cpuTime()-c0
			if err := ss.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(wall.Seconds()/float64(b.N), "reopen-wall-s")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "reopen-cpu-s")
	})
}

// perfScenarioCopy writes load-25k with another duration (same name, same rate) and returns its
// path.
func perfScenarioCopy(b *testing.B, duration string) string {
	b.Helper()
	src, err := os.ReadFile(perfScenario)
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Replace(string(src), "duration: 8s", "duration: "+duration, 1)
	if text == string(src) {
		b.Fatal("load-25k.yaml has no 'duration: 8s' line")
	}
	p := filepath.Join(b.TempDir(), "load-"+duration+".yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

type childUsage struct {
	cpu    time.Duration
	maxRSS int64 // KiB
}

// perfChild runs the built ixlb on scenario with --data dir and returns what it cost.
func perfChild(b *testing.B, scenario, dir string) childUsage {
	b.Helper()
	cmd := exec.Command(ixlbBin, "run", scenario, "--data", dir, "--no-progress")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("ixlb run %s: %v\n%s", scenario, err, errb.String())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return childUsage{cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), maxRSS: ru.Maxrss}
}

// perfKillAt runs the built ixlb on scenario into dir and SIGKILLs it once its saved run state has
// reached virtual time at; it returns the saved time it was killed at.
func perfKillAt(b *testing.B, scenario, dir string, at int64) int64 {
	b.Helper()
	cmd := exec.Command(ixlbBin, "run", scenario, "--data", dir, "--no-progress")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	state := filepath.Join(dir, "ixlb.db")
	for {
		select {
		case err := <-exited:
			b.Fatalf("ixlb run %s ended (%v) before it was killed", scenario, err)
		case <-time.After(5 * time.Millisecond):
		}
		if _, err := os.Stat(state); err != nil {
			continue
		}
		t, err := savedTime(state)
		if err != nil || t < at {
			continue
		}
		cmd.Process.Kill()
		<-exited
		return t
	}
}

func savedTime(path string) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var t int64
	err = db.QueryRow(`SELECT value FROM run_state WHERE key = 'virtual_time_ns'`).Scan(&t)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return t, nil
}
