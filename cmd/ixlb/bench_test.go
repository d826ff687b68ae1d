package main

import (
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	_ "github.com/mattn/go-sqlite3"
)

// BenchmarkRunPersisted is `ixlb run testdata/load-200k.yaml --data DIR` end to end in process:
// about 200,000 interactions with every row and event committed to SQLite. It reports
// interactions per second of wall time, with the SQLite floor (sqliteFloor) and the in-memory
// engine's figure beside it. load-200k-long handles each e-mail for 5 virtual seconds, so that
// an interaction's rows span commits (an INSERT and an UPDATE, the floor's shape); in load-200k
// most interactions start and end between two commits.
//
// On a shared machine compare the figures of one run: go test ./cmd/ixlb -run '^$' -bench
// RunPersisted -benchtime 1x -count 5.
func BenchmarkRunPersisted(b *testing.B) {
	sc, err := scenarios.Load("testdata/load-200k.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"load-200k", "load-200k-long"} {
		b.Run("sqlite/"+name, func(b *testing.B) {
			var n int64
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(b.TempDir(), "data")
				if err := runScenario(io.Discard, io.Discard, "testdata/"+name+".yaml", runFlags{data: dir, noProg: true}); err != nil {
					b.Fatal(err)
				}
				n += 200_000
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "interactions/s")
			b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "interactions/cpu-s")
		})
	}
	// The SQLite floor for the same 200,000 interactions: see sqliteFloor.
	b.Run("floor", func(b *testing.B) {
		var n int64
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			sqliteFloor(b, b.TempDir(), 200_000, 2000)
			n += 200_000
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "interactions/s")
		b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "interactions/cpu-s")
	})
	// The engine alone, in memory: with the event log encoded and hashed as ixlb run does, and
	// without it (core.WithoutEventLog), as sweeps run. -cpu 1 gives the one-core figure.
	for _, mode := range []struct {
		name string
		opts []core.Option
	}{{"memory", nil}, {"memory-nolog", []core.Option{core.WithoutEventLog()}}} {
		b.Run(mode.name, func(b *testing.B) {
			var n int64
			start, cpu := time.Now(), cpuTime()
			for i := 0; i < b.N; i++ {
				e, err := core.New(sc.Config, mode.opts...)
				if err != nil {
					b.Fatal(err)
				}
				e.RunUntil(int64(sc.Config.Duration))
				if _, err := e.Report(); err != nil {
					b.Fatal(err)
				}
				n += 200_000
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "interactions/s")
			b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "interactions/cpu-s")
		})
	}
}

// sqliteFloor is the least SQLite work a persisted run of n interactions could cost: one INSERT
// when an interaction arrives and one UPDATE when it completes, in the ordinary go-sqlite3 way
// (database/sql, prepared statements), per interactions a transaction (the INSERTs of per new
// interactions and the UPDATEs of the per before them), WAL, synchronous=NORMAL, into the Genesys
// interactions table. No event log, no engine.
func sqliteFloor(b *testing.B, dir string, n, per int) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "floor.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE interactions (
		id INTEGER PRIMARY KEY, media_type TEXT, queue TEXT, state INTEGER NOT NULL, submitted_by TEXT,
		received_at REAL, placed_in_queue_at REAL, submitted_to_router_at REAL, delivered_at REAL,
		assigned_to TEXT, completed_at REAL, urs TEXT, strategy TEXT, category TEXT)`); err != nil {
		b.Fatal(err)
	}
	ins, err := db.Prepare(`INSERT INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	upd, err := db.Prepare(`UPDATE interactions SET state = ?, delivered_at = ?, assigned_to = ?, completed_at = ? WHERE id = ?`)
	if err != nil {
		b.Fatal(err)
	}
	defer upd.Close()
	commits := n / per
	for c := 0; c <= commits; c++ {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		ti, tu := tx.Stmt(ins), tx.Stmt(upd)
		for k := 0; k < per; k++ {
			if c < commits { // the interactions arriving in this slice
				id := int64(c*per + k + 1)
				t := float64(id) / 2000
				if _, err := ti.Exec(id, "email", "inbox", 0, "EmailSrv_1", t, t, nil, nil, nil, nil, nil, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			if c > 0 { // those of the slice before complete
				id := int64((c-1)*per + k + 1)
				t := float64(id)/2000 + 0.5
				if _, err := tu.Exec(3, t, fmt.Sprintf("Agents/%04d", id%5000), t+0.5, id); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the process's CPU time (user+system, every thread): what a run costs, which stays
// meaningful when other work shares the cores and stretches the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
