package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
)

// chainOf reads every committed chunk and checks its stored hash state against the log's lines
// read back: the state through a chunk's last line must be the SHA-256 of lines 1…last, each with
// its newline, and data_sha256 the digest of the row. It returns how many chunks had a state.
func chainOf(t *testing.T, dir string) int {
	t.Helper()
	var lines []string
	if err := ReadEvents(dir, 1, func(_ uint64, line []byte) error {
		lines = append(lines, string(line))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := rawDB(t, filepath.Join(dir, stateFileName)).Query(`SELECT first_seq, last_seq, size, data, log_sha256, data_sha256 FROM event_chunks ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	known := 0
	for rows.Next() {
		var first, last, size int64
		var data, state, sum []byte
		if err := rows.Scan(&first, &last, &size, &data, &state, &sum); err != nil {
			t.Fatal(err)
		}
		if string(sum) != string(rowDigest(uint64(first), uint64(last), size, data)) {
			t.Errorf("chunk %d-%d: data_sha256 is not the row's", first, last)
		}
		if state == nil {
			continue
		}
		known++
		h := sha256.New()
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			t.Fatalf("chunk %d-%d: %v", first, last, err)
		}
		want := sha256.Sum256([]byte(strings.Join(lines[:last], "\n") + "\n"))
		if got := h.Sum(nil); string(got) != string(want[:]) {
			t.Errorf("chunk %d-%d: log_sha256 is %x, the lines through it hash to %x", first, last, got[:6], want[:6])
		}
	}
	return known
}

// TestLogChain: whatever way the log was written — chunks filled and sealed in the background,
// a console's small commits appended to the last chunk, a history replayed over and a rewind —
// every chunk's stored state is the log's hash through it, and verifyLog finds the log's hash
// from the chain alone.
func TestLogChain(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 5000) // several full chunks
	mustCommit(t, s)
	for i := uint64(0); i < 20; i++ { // a console: a few lines a commit, appended to the tail
		want = append(want, emit(s.EventSink(), 5001+3*i, 3)...)
		mustCommit(t, s)
	}
	want = append(want[:4000], emit(s.EventSink(), 4001, 3000)...) // a replay from 4001
	mustCommit(t, s)
	if err := s.Rewind(RunState{Events: 6500, VirtualTime: 1 << 62}); err != nil {
		t.Fatal(err)
	}
	want = append(want[:6500], emit(s.EventSink(), 6501, 2000)...)
	mustCommit(t, s)
	if n := chainOf(t, dir); n < 4 {
		t.Fatalf("%d chunks with a state, want all of them", n)
	}
	for _, events := range []uint64{8500, 6500, 4001, 1} { // a chunk's end, and inside chunks
		h := sha256.New()
		for _, l := range want[:events] {
			h.Write([]byte(l.Line + "\n"))
		}
		n, got, err := s.state.verifyLog(events)
		if err != nil || n != events || got != hex.EncodeToString(h.Sum(nil)) {
			t.Errorf("verifyLog(%d) = %d, %.12s, %v; want %d, %.12x", events, n, got, err, events, h.Sum(nil))
		}
	}
}

// TestLogChainCatchesAScribble: a chunk's data changed under its hashes is not vouched for: its
// lines are read, and a log whose lines differ does not verify.
func TestLogChainCatchesAScribble(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	emit(s.EventSink(), 1, 3000)
	mustCommit(t, s)
	n0, want, err := s.state.verifyLog(3000)
	if err != nil || n0 != 3000 {
		t.Fatal(n0, err)
	}
	// An edit of the first chunk's lines, stored as is (still a valid sqlar row).
	w := writable(t, filepath.Join(dir, stateFileName))
	if _, err := w.Exec(`UPDATE event_chunks SET data = CAST(replace(CAST(sqlar_uncompress(data, size) AS TEXT), 'URS_2', 'URS_3') AS BLOB)
		WHERE first_seq = 1`); err != nil {
		t.Fatal(err)
	}
	var raw int
	w.QueryRow(`SELECT count(*) FROM event_chunks WHERE first_seq = 1 AND length(data) = size AND instr(CAST(data AS TEXT), 'URS_3') > 0`).Scan(&raw)
	if raw != 1 {
		t.Fatalf("the edit did not happen (%d)", raw)
	}
	n, got, err := s.state.verifyLog(3000)
	if err != nil || n != 3000 || got == want {
		t.Fatalf("after an edit: verifyLog = %d, %.12s, %v; want 3000 events and a hash other than %.12s", n, got, err, want)
	}
}

func mustCommit(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
}

// writable opens a file for writing behind the store's back, with the store's SQL functions.
func writable(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
