package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/ixlb/ixlb/core"
)

// lockFile takes the write lock of a file from another connection, as another process would, and
// returns its release.
func lockFile(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, "_busy_timeout=5000&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			tx.Rollback()
			db.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// settled waits until the committer has finished everything asked of it and returns its state.
func settled(t *testing.T, mu interface {
	Lock()
	Unlock()
}, c *committer) error {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	c.idle()
	return c.err
}

func countRows(t *testing.T, path, query string) (n int) {
	t.Helper()
	if err := rawDB(t, path).QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrBusy
}

// TestBackgroundErrorReportedByTheNextCommit: a batch that fails to commit in the background is
// not reported by Write — the engine would take a disk's hiccup for an event of its world — but
// by the next Flush (or the state commit that waits for it), while it still fails; its rows are
// committed by a later commit.
func TestBackgroundErrorReportedByTheNextCommit(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{BatchRows: 2, BusyTimeout: 20 * time.Millisecond})
	d := connect(t, s, "DAP_1", "ixn")
	f := d.(*dapHandle).f
	path := filepath.Join(dir, "ixn.db")
	release := lockFile(t, path)

	for i := range int64(2) { // a full batch: committed, and failing, in the background
		r := core.Row{ID: i + 1, State: core.StateQueued}
		if err := d.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := settled(t, &f.mu, &f.c); !isBusy(err) {
		t.Fatalf("background commit: %v, want busy", err)
	}
	for id := int64(3); id <= 6; id++ {
		r := core.Row{ID: id, State: core.StateQueued}
		if err := d.Write(&r); err != nil {
			t.Fatalf("Write %d: %v, want nil (the failure is the next commit's to report)", id, err)
		}
	}
	err := d.Flush()
	if !isBusy(err) || !strings.Contains(err.Error(), "interactions to "+path) {
		t.Fatalf("Flush while locked: %v, want the busy error", err)
	}
	if err := s.Commit(); !isBusy(err) {
		t.Fatalf("the state's commit while the rows cannot be: %v", err)
	}
	release()
	if err := d.Flush(); err != nil {
		t.Fatalf("Flush after the lock went: %v", err)
	}
	if n := countRows(t, path, `SELECT count(*) FROM interactions`); n != 6 {
		t.Fatalf("%d rows committed, want all 6", n)
	}
}

// TestStateWaitsForInteractions: while an interaction database cannot commit, neither can the
// state (events, run state); both go in once it can.
func TestStateWaitsForInteractions(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{BusyTimeout: 20 * time.Millisecond})
	d := connect(t, s, "DAP_1", "ixn")
	release := lockFile(t, filepath.Join(dir, "ixn.db"))
	r := core.Row{ID: 1, State: core.StateQueued}
	d.Write(&r)
	emit(s.EventSink(), 1, 10)
	s.SaveRun(RunState{VirtualTime: 7, Events: 10})
	if err := s.CommitBackground(); err != nil {
		t.Fatalf("CommitBackground: %v", err)
	}
	if err := s.Commit(); !isBusy(err) || !strings.Contains(err.Error(), "the interaction databases did not commit") {
		t.Fatalf("Commit with the database locked: %v", err)
	}
	if err := s.Err(); err == nil {
		t.Fatal("Err is nil after a failed commit")
	}
	state := filepath.Join(dir, stateFileName)
	if n := countRows(t, state, `SELECT count(*) FROM event_chunks`); n != 0 {
		t.Fatalf("events committed ahead of the interaction rows: %d chunks", n)
	}
	if _, ok, _ := s.LoadRun(); ok {
		t.Fatal("run state committed ahead of the interaction rows")
	}
	release()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err after a successful commit: %v", err)
	}
	if got, _ := s.LastEvents(100); len(got) != 10 {
		t.Fatalf("%d events after the retry, want 10", len(got))
	}
	if rs, ok, _ := s.LoadRun(); !ok || rs.VirtualTime != 7 {
		t.Fatalf("run state after the retry: %+v %v", rs, ok)
	}
	if c, _ := d.Counts(); c.Rows != 1 {
		t.Fatalf("rows after the retry: %+v", c)
	}
}

// TestCommitBackground: it returns before SQLite is done; what it handed off is committed in
// order, and a failure is reported by the next call.
func TestCommitBackground(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{BusyTimeout: 20 * time.Millisecond})
	d := connect(t, s, "DAP_1", "ixn")
	for i := range int64(100) {
		r := core.Row{ID: i + 1, State: core.StateQueued}
		d.Write(&r)
	}
	emit(s.EventSink(), 1, 50)
	s.SaveRun(RunState{VirtualTime: 1, Events: 50})
	if err := s.CommitBackground(); err != nil {
		t.Fatal(err)
	}
	// Reads wait for the commits under way.
	if rs, ok, err := s.LoadRun(); !ok || err != nil || rs.Events != 50 {
		t.Fatalf("LoadRun after CommitBackground: %+v %v %v", rs, ok, err)
	}
	if n := countRows(t, filepath.Join(dir, "ixn.db"), `SELECT count(*) FROM interactions`); n != 100 {
		t.Fatalf("%d rows under a committed run state, want 100", n)
	}

	release := lockFile(t, filepath.Join(dir, stateFileName))
	emit(s.EventSink(), 51, 5)
	if err := s.CommitBackground(); err != nil {
		t.Fatalf("CommitBackground reported an error before there was one: %v", err)
	}
	settled(t, &s.state.mu, &s.state.c)
	if err := s.CommitBackground(); !isBusy(err) {
		t.Fatalf("next CommitBackground: %v, want the failure", err)
	}
	release()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LastEvents(1); len(got) != 1 || got[0].Seq != 55 {
		t.Fatalf("last event after the retry: %+v", got)
	}
}

// TestBackpressure: while the committer cannot commit, Write takes a bounded number of rows, then
// waits; it goes on when SQLite does.
func TestBackpressure(t *testing.T) {
	dir := t.TempDir()
	const batch = 10
	s := newStore(t, dir, Options{BatchRows: batch, BusyTimeout: 10 * time.Second})
	d := connect(t, s, "DAP_1", "ixn")
	release := lockFile(t, filepath.Join(dir, "ixn.db"))
	var written atomic.Int64
	done := make(chan error, 1)
	go func() {
		for i := range int64(20 * batch) {
			r := core.Row{ID: i + 1, State: core.StateQueued}
			if err := d.Write(&r); err != nil {
				done <- err
				return
			}
			written.Add(1)
		}
		done <- nil
	}()
	time.Sleep(300 * time.Millisecond)
	// One batch taken (its commit waits for the lock), one pending; each of at most maxPending
	// batches' worth of rows (the committer takes whatever is pending when it gets to it).
	if n := written.Load(); n > 2*maxPending*batch {
		t.Fatalf("%d rows accepted while the committer was stuck; want at most %d", n, 2*maxPending*batch)
	}
	select {
	case err := <-done:
		t.Fatalf("all rows accepted while the committer was stuck (%v)", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := d.Counts(); err != nil || c.Rows != 20*batch {
		t.Fatalf("Counts %+v, %v", c, err)
	}
}
