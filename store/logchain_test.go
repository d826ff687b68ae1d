package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
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
	base := emptyState // the state the next row was written after
	for rows.Next() {
		var first, last, size int64
		var data, state, sum []byte
		if err := rows.Scan(&first, &last, &size, &data, &state, &sum); err != nil {
			t.Fatal(err)
		}
		if sum != nil && state != nil && string(sum) != string(rowDigest(base, state, uint64(first), uint64(last), size, data)) {
			t.Errorf("chunk %d-%d: data_sha256 is not the row's after the chunk before it", first, last)
		}
		base = state
		if state == nil {
			continue
		}
		if sum == nil {
			t.Errorf("chunk %d-%d: a state without data_sha256", first, last)
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

// TestLogChainRefusesASiblingsRows (attack 19 F1): rows of another session's log with the same
// seqs — each one whole, its own digest right — put in place of some of this log's chunks are not
// taken on trust: the log then hashes to another digest than this one's, whichever chunks are
// swapped (the first, one in the middle, all but the last).
func TestLogChainRefusesASiblingsRows(t *testing.T) {
	const events = 8000
	sibling := t.TempDir()
	b := newStore(t, sibling, Options{})
	emitAs(b.EventSink(), 1, events, "URS_9")
	mustCommit(t, b)
	var firsts []int64
	rows, err := rawDB(t, filepath.Join(sibling, stateFileName)).Query(`SELECT first_seq FROM event_chunks ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f int64
		rows.Scan(&f)
		firsts = append(firsts, f)
	}
	rows.Close()
	if len(firsts) < 4 {
		t.Fatalf("want at least 4 chunks to swap, have %d", len(firsts))
	}
	cases := map[string][]int64{
		"first":            firsts[:1],
		"middle":           firsts[len(firsts)/2 : len(firsts)/2+1],
		"all but the last": firsts[:len(firsts)-1],
	}
	for _, name := range []string{"first", "middle", "all but the last"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := newStore(t, dir, Options{})
			emit(s.EventSink(), 1, events)
			mustCommit(t, s)
			n0, want, err := s.state.verifyLog(events)
			if err != nil || n0 != events {
				t.Fatal(n0, err)
			}
			w := writable(t, filepath.Join(dir, stateFileName))
			if _, err := w.Exec(`ATTACH ? AS o`, filepath.Join(sibling, stateFileName)); err != nil {
				t.Fatal(err)
			}
			for _, f := range cases[name] {
				res, err := w.Exec(`UPDATE event_chunks SET (last_seq, size, data, log_sha256, data_sha256) =
					(SELECT last_seq, size, data, log_sha256, data_sha256 FROM o.event_chunks x WHERE x.first_seq = event_chunks.first_seq)
					WHERE first_seq = ?`, f)
				if err != nil {
					t.Fatal(err)
				}
				if k, _ := res.RowsAffected(); k != 1 {
					t.Fatalf("chunk %d: no row swapped", f)
				}
			}
			n, got, err := s.state.verifyLog(events)
			if err == nil && n == events && got == want {
				t.Fatalf("with the sibling's chunks %v the log still hashes to this log's %.12s", cases[name], want)
			}
		})
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

// TestLogChainOfAnOlderFile: chunks without hashes (a file of an older ixlb, migrated) are read
// and hashed, and the chunks written after them carry no state either (the state before them is
// not known) until the log is verified the long way: verifyLog finds the same hash.
func TestLogChainOfAnOlderFile(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 3000)
	mustCommit(t, s)
	s.Close()
	w := writable(t, filepath.Join(dir, stateFileName))
	if _, err := w.Exec(`UPDATE event_chunks SET log_sha256 = NULL, data_sha256 = NULL`); err != nil {
		t.Fatal(err)
	}
	s = newStore(t, dir, Options{})
	want = append(want, emit(s.EventSink(), 3001, 3000)...)
	mustCommit(t, s)
	if n := chainOf(t, dir); n != 0 {
		t.Fatalf("%d chunks claim a state after chunks without one", n)
	}
	h := sha256.New()
	for _, l := range want {
		h.Write([]byte(l.Line + "\n"))
	}
	if n, got, err := s.state.verifyLog(6000); err != nil || n != 6000 || got != hex.EncodeToString(h.Sum(nil)) {
		t.Fatalf("verifyLog = %d, %.12s, %v; want 6000, %.12x", n, got, err, h.Sum(nil))
	}
}

// TestPatchAndAll: Patch puts some rows back and deletes others in one commit, touching nothing
// else; All lists every row in ID order, as written, NULLs as zero values.
func TestPatchAndAll(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{})
	d := connect(t, s, "DAP_1", "ixn")
	var want []core.Row
	for id := int64(1); id <= 700; id++ { // more than one DELETE's worth of IDs
		r := fullRow(id)
		if id%3 == 0 {
			r = core.Row{ID: id, State: core.StateQueued, Queue: "q", ReceivedAt: id}
		}
		d.Write(&r)
		want = append(want, r)
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	back := want[4]
	back.AssignedTo, back.CompletedAt = "Agent_7", 9e9
	var del []int64
	for id := int64(401); id <= 700; id++ {
		del = append(del, id)
	}
	if err := d.(core.Patcher).Patch([]core.Row{back}, del); err != nil {
		t.Fatal(err)
	}
	want[4] = back
	want = want[:400]
	var got []core.Row
	if err := d.(core.Scanner).All(func(r *core.Row) { got = append(got, *r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows after the patch, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestAllReadsEveryName: All reads each row's names back exactly as written, whichever of them
// is empty, and also when a name holds the separator All joins them with (read again a column
// a value), in ID order.
func TestAllReadsEveryName(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{})
	d := connect(t, s, "DAP_1", "ixn")
	sep := string(rune(textSep))
	edit := []func(r *core.Row){
		func(r *core.Row) {},
		func(r *core.Row) { *r = core.Row{ID: r.ID, State: core.StateQueued} }, // every name NULL
		func(r *core.Row) { r.Media = "e" + sep + "mail" },
		func(r *core.Row) { r.Queue = sep },
		func(r *core.Row) { r.SubmittedBy = sep + sep },
		func(r *core.Row) { r.AssignedTo = "Agent" + sep },
		func(r *core.Row) { r.URS = "" },
		func(r *core.Row) { r.Strategy = sep + "Classify" },
		func(r *core.Row) { r.Category = "Bill" + sep + "ing" },
		func(r *core.Row) { r.Category, r.Media = "Émilie·Ω", "" },
		func(r *core.Row) { r.Queue, r.Category = "", "" },
	}
	var want []core.Row
	for i, e := range edit {
		r := fullRow(int64(10 + i))
		e(&r)
		if err := d.Write(&r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []core.Row
	if err := d.(core.Scanner).All(func(r *core.Row) { got = append(got, *r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", want[i].ID, got[i], want[i])
		}
	}
}
