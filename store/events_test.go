package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// chunkRow is a row of event_chunks.
type chunkRow struct {
	first, last   int64
	firstT, lastT int64 // virtual nanoseconds
	size          int64
	stored        int    // bytes of data
	lines         string // inflated
}

func readChunks(t *testing.T, path string) []chunkRow {
	t.Helper()
	rows, err := rawDB(t, path).Query(`SELECT first_seq, last_seq, first_t, last_t, size, data FROM event_chunks ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []chunkRow
	for rows.Next() {
		var c chunkRow
		var data []byte
		if err := rows.Scan(&c.first, &c.last, &c.firstT, &c.lastT, &c.size, &data); err != nil {
			t.Fatal(err)
		}
		c.stored = len(data)
		lines, err := decodeChunk(data, c.size)
		if err != nil {
			t.Fatalf("chunk %d: %v", c.first, err)
		}
		c.lines = string(lines)
		out = append(out, c)
	}
	return out
}

// checkChunks verifies the chunks against the lines they should hold: consecutive seqs, times of
// their first and last line, a size bound.
func checkChunks(t *testing.T, path string, want []EventLine, maxBytes int) []chunkRow {
	t.Helper()
	chunks := readChunks(t, path)
	bySeq := map[uint64]EventLine{}
	for _, e := range want {
		bySeq[e.Seq] = e
	}
	n := 0
	for _, c := range chunks {
		lines := strings.Split(c.lines, "\n")
		if int64(len(lines)) != c.last-c.first+1 {
			t.Fatalf("chunk %d-%d holds %d lines", c.first, c.last, len(lines))
		}
		if len(c.lines) > maxBytes {
			t.Fatalf("chunk %d-%d is %d bytes, more than %d", c.first, c.last, len(c.lines), maxBytes)
		}
		for i, l := range lines {
			if w := bySeq[uint64(c.first)+uint64(i)]; l != w.Line {
				t.Fatalf("chunk %d-%d line %d = %q, want %q", c.first, c.last, i, l, w.Line)
			}
		}
		if f, l := bySeq[uint64(c.first)], bySeq[uint64(c.last)]; c.firstT != f.T || c.lastT != l.T {
			t.Fatalf("chunk %d-%d times %v-%v, want %v-%v", c.first, c.last, c.firstT, c.lastT, f.T, l.T)
		}
		n += len(lines)
	}
	if n != len(want) {
		t.Fatalf("chunks hold %d lines, want %d", n, len(want))
	}
	return chunks
}

// TestEventChunks: thousands of lines go into a few chunks of bounded size, and read back the
// same whichever way they are read, across chunk boundaries.
func TestEventChunks(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 3000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	want = append(want, emit(s.EventSink(), 3001, 2000)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	chunks := checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
	if len(chunks) < 3 || len(chunks) > 8 {
		t.Fatalf("%d chunks for %d lines", len(chunks), len(want))
	}
	got, err := s.Events(0, -1)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Events(0, -1): %d lines, %v", len(got), err)
	}
	// Around every chunk boundary.
	for _, c := range chunks {
		for _, from := range []int64{c.first - 1, c.first, c.last} {
			if from < 1 {
				continue
			}
			got, err := s.Events(uint64(from), 3)
			if err != nil || !reflect.DeepEqual(got, want[from-1:min(from+2, int64(len(want)))]) {
				t.Fatalf("Events(%d, 3) = %v, %v", from, got, err)
			}
		}
		n := min(int(int64(len(want))-c.first+2), len(want)) // one line into the chunk before
		if got, err := s.LastEvents(n); err != nil || !reflect.DeepEqual(got, want[len(want)-n:]) {
			t.Fatalf("LastEvents(%d): %d lines, %v", n, len(got), err)
		}
	}
	if got, _ := s.LastEvents(10_000); !reflect.DeepEqual(got, want) {
		t.Fatalf("LastEvents beyond the log: %d lines", len(got))
	}
	if got, _ := s.Events(6000, 10); len(got) != 0 {
		t.Fatalf("Events past the end: %v", got)
	}
	if got, _ := s.Events(1, 0); len(got) != 0 {
		t.Fatalf("Events with limit 0: %v", got)
	}
}

// TestEventsView: the events view shows the chunks' lines one a row, as the per-event table of
// schema version 1 did.
func TestEventsView(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 2500)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := rawDB(t, filepath.Join(dir, stateFileName)).Query(`SELECT seq, t, kind, line FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var seq int64
		var sec float64
		var kind, line string
		if err := rows.Scan(&seq, &sec, &kind, &line); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if uint64(seq) != w.Seq || sec != float64(w.T)/1e9 || kind != w.Kind || line != w.Line {
			t.Fatalf("view row %d: %d %v %s %s\nwant %d %v %s %s", i, seq, sec, kind, line, w.Seq, float64(w.T)/1e9, w.Kind, w.Line)
		}
	}
	if err := rows.Err(); err != nil || i != len(want) {
		t.Fatalf("view has %d rows, %v; want %d", i, err, len(want))
	}
}

// TestRewindCutsChunk: a rewind into the middle of a committed chunk cuts it, and the resumed
// run's lines follow on.
func TestRewindCutsChunk(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 2000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	emit(s.EventSink(), 2001, 30) // pending, and dropped too
	chunks := readChunks(t, filepath.Join(dir, stateFileName))
	cut := uint64(chunks[1].first + 10)
	if err := s.Rewind(RunState{Events: cut}); err != nil {
		t.Fatal(err)
	}
	want = want[:cut]
	if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("after Rewind(%d): %d lines, last %+v", cut, len(got), got[len(got)-1])
	}
	checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
	want = append(want, emit(s.EventSink(), cut+1, 500)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
	if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("after resuming: %d lines", len(got))
	}
	if err := s.Rewind(RunState{Events: 0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LastEvents(10); len(got) != 0 {
		t.Fatalf("after Rewind(0): %v", got)
	}
}

// TestRewindIntoCompressedChunk: a rewind into a compressed chunk inflates it, cuts it and keeps
// the lines before; the run goes on from there.
func TestRewindIntoCompressedChunk(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 6000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	chunks := readChunks(t, filepath.Join(dir, stateFileName))
	if int64(chunks[1].stored) >= chunks[1].size {
		t.Fatalf("chunk 1 is not compressed: %d bytes for %d", chunks[1].stored, chunks[1].size)
	}
	cut := uint64(chunks[1].first + 100)
	if err := s.Rewind(RunState{Events: cut}); err != nil {
		t.Fatal(err)
	}
	want = append(want[:cut], emit(s.EventSink(), cut+1, 50)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
	if got, err := s.Events(0, -1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after the rewind into a compressed chunk: %d lines, %v", len(got), err)
	}
}

// TestReplay: a seq at or before a logged one replays history from there, whether the earlier
// lines are pending, committed, or both.
func TestReplay(t *testing.T) {
	for _, commitFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("committed=%v", commitFirst), func(t *testing.T) {
			dir := t.TempDir()
			s := newStore(t, dir, Options{})
			want := emit(s.EventSink(), 1, 1000)
			if commitFirst {
				s.Commit()
			}
			again := emit(s.EventSink(), 400, 50)
			want = append(want[:399], again...)
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
				t.Fatalf("after the replay: %d lines, want %d", len(got), len(want))
			}
			checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
			// From the very start.
			want = emit(s.EventSink(), 0, 3)
			s.Commit()
			if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
				t.Fatalf("after a replay from 0: %v", got)
			}
		})
	}
}

// TestSmallCommitsMerge: the console commits a few lines at a time; they are appended to the last
// chunk while it is small, instead of making a chunk each.
func TestSmallCommitsMerge(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	var want []EventLine
	for i := range uint64(400) {
		want = append(want, emit(s.EventSink(), 3*i+1, 3)...)
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	chunks := checkChunks(t, filepath.Join(dir, stateFileName), want, mergeBytes)
	if len(chunks) > 10 {
		t.Fatalf("%d chunks for 400 commits of 3 lines", len(chunks))
	}
	if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("%d lines back, want %d", len(got), len(want))
	}
}

// TestGapStartsChunk: seqs that do not follow on start a new chunk (a chunk's seqs are
// consecutive), and reads skip the gap.
func TestGapStartsChunk(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 10)
	want = append(want, emit(s.EventSink(), 100, 10)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if chunks := checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes); len(chunks) != 2 {
		t.Fatalf("%d chunks, want 2", len(chunks))
	}
	if got, _ := s.Events(50, 2); !reflect.DeepEqual(got, want[10:12]) {
		t.Fatalf("Events(50, 2) = %v", got)
	}
}

func TestNewlineInLine(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{})
	e := core.Event{Seq: 1, Kind: core.EvAppStopped, App: "URS_1"}
	s.EventSink().Event(&e, []byte("{\"t\":0,\n}"))
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "newline") {
		t.Fatalf("Err = %v, want the dropped line", err)
	}
	s.Commit()
	if got, _ := s.LastEvents(1); len(got) != 0 {
		t.Fatalf("stored %v", got)
	}
}

func TestLineTimeKind(t *testing.T) {
	tests := []struct {
		line string
		t    int64
		kind string
		err  bool
	}{
		{`{"t":12.5,"seq":3,"kind":"submitted","ixn":1}`, 12_500_000_000, "submitted", false},
		{`{"t":0,"seq":1,"kind":"app_stopped"}`, 0, "app_stopped", false},
		{`{"t":0.000000001,"seq":1,"kind":"x"}`, 1, "x", false},
		{`{"t":9223372036.854775807,"seq":1,"kind":"x"}`, 1<<63 - 1, "x", false},
		{`{"t":-1.5,"seq":1,"kind":"x"}`, -1_500_000_000, "x", false},
		{`{"kind":"completed","t":3}`, 3_000_000_000, "completed", false}, // not core's order: the slow path
		{`{"t":1,"seq":1,"kind":"a\"b"}`, 1_000_000_000, `a"b`, false},
		{`{"t":1e3,"kind":"x"}`, 0, "", true},
		{`{"t":1.0000000001,"kind":"x"}`, 0, "", true},
		{`{"t":99999999999,"kind":"x"}`, 0, "", true},
		{`{"t":9223372036.854775808,"kind":"x"}`, 0, "", true},
		{`{"t":9223372039,"kind":"x"}`, 0, "", true},
		{`{"t":1.,"kind":"x"}`, 0, "", true},
		{`not json`, 0, "", true},
	}
	for _, tc := range tests {
		ns, kind, err := core.EventLineTimeKind([]byte(tc.line))
		if (err != nil) != tc.err || ns != tc.t || kind != tc.kind {
			t.Errorf("EventLineTimeKind(%s) = %d %q %v, want %d %q err %v", tc.line, ns, kind, err, tc.t, tc.kind, tc.err)
		}
	}
}

type nopSink struct{}

func (nopSink) Event(*core.Event, []byte) {}

// v1StateDDL is schema version 1 of the state file: one row per event.
var v1StateDDL = []string{
	`CREATE TABLE scenario (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, sha256 TEXT NOT NULL, recorded_at TEXT NOT NULL)`,
	`CREATE TABLE run_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID`,
	`CREATE TABLE actions (seq INTEGER PRIMARY KEY, t REAL NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL)`,
	`CREATE TABLE events (seq INTEGER PRIMARY KEY, t REAL NOT NULL, kind TEXT NOT NULL, line TEXT NOT NULL)`,
}

func TestMigratesStateVersion1(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, stateFileName)
	stmts := append([]string{metaDDL}, v1StateDDL...)
	stmts = append(stmts,
		`INSERT INTO meta VALUES ('kind', 'state'), ('name', 'ixlb'), ('identity', 'f00'), ('schema_version', '1')`,
		`INSERT INTO run_state VALUES ('virtual_time_ns', 5000000000), ('events', 2100)`,
		`INSERT INTO actions(t, kind, action) VALUES (1.5, 'stop', '{"kind":"stop","app":"URS_1"}')`)
	// 2000 lines in a run (several chunks' worth), then a gap and a short run.
	var want []EventLine
	for _, r := range [][2]uint64{{1, 2000}, {2091, 10}} {
		want = append(want, emit(nopSink{}, r[0], r[1])...)
	}
	var ins strings.Builder
	ins.WriteString(`INSERT INTO events(seq, t, kind, line) VALUES `)
	for i, e := range want {
		if i > 0 {
			ins.WriteString(",")
		}
		fmt.Fprintf(&ins, "(%d, %v, '%s', '%s')", e.Seq, float64(e.T)/1e9, e.Kind, strings.ReplaceAll(e.Line, "'", "''"))
	}
	makeSQLite(t, path, append(stmts, ins.String())...)

	s := newStore(t, dir, Options{})
	if got, err := s.Events(0, -1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("migrated events: %d lines, %v; want %d", len(got), err, len(want))
	}
	chunks := checkChunks(t, path, want, chunkBytes+200) // the migration cuts after the line that passes 64 KiB
	if len(chunks) < 2 {
		t.Fatalf("%d chunks for 2010 lines", len(chunks))
	}
	if rs, ok, err := s.LoadRun(); !ok || err != nil || rs.Events != 2100 {
		t.Fatalf("run state after the migration: %+v %v %v", rs, ok, err)
	}
	var n int
	s.Actions(func(int64, core.Action) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d actions after the migration", n)
	}
	db := rawDB(t, path)
	var v, typ string
	db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	db.QueryRow(`SELECT type FROM sqlite_master WHERE name = 'events'`).Scan(&typ)
	if v != "5" || typ != "view" {
		t.Fatalf("schema_version %s, events is a %s; want 5 and a view", v, typ)
	}
	var viewRows int
	if err := db.QueryRow(`SELECT count(*) FROM events WHERE kind = 'app_stopped'`).Scan(&viewRows); err != nil || viewRows != 670 {
		t.Fatalf("view after the migration: %d app_stopped rows, %v; want 670", viewRows, err)
	}
	// And the log goes on.
	want = append(want, emit(s.EventSink(), 2101, 5)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the migration and more lines: %d lines", len(got))
	}
}

// TestChunksCompressed: every chunk but a small last one is stored compressed, and the log costs
// a fraction of its text on disk.
func TestChunksCompressed(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 20_000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	want = append(want, emit(s.EventSink(), 20_001, 7)...) // a small last chunk
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	chunks := checkChunks(t, filepath.Join(dir, stateFileName), want, chunkBytes)
	text, stored := 0, 0
	for i, c := range chunks {
		text += int(c.size)
		stored += c.stored
		if raw := int64(c.stored) == c.size; raw != (i == len(chunks)-1) {
			t.Errorf("chunk %d-%d: %d bytes stored for %d (raw %v)", c.first, c.last, c.stored, c.size, raw)
		}
	}
	if stored*4 > text {
		t.Fatalf("%d bytes stored for %d bytes of lines: not compressed", stored, text)
	}
	if got, err := s.Events(0, -1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Events: %d lines, %v", len(got), err)
	}
}

// TestSmallCommitsSealed: a console's small commits append to a last chunk stored as is; once it
// is full it is compressed, and the lines read back the same, also through the view.
func TestSmallCommitsSealed(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	var want []EventLine
	for i := range uint64(1500) {
		want = append(want, emit(s.EventSink(), 3*i+1, 3)...)
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	chunks := checkChunks(t, filepath.Join(dir, stateFileName), want, mergeBytes)
	if len(chunks) < 10 || len(chunks) > 40 {
		t.Fatalf("%d chunks for 1500 commits of 3 lines", len(chunks))
	}
	for i, c := range chunks[:len(chunks)-1] {
		if int64(c.stored) >= c.size {
			t.Fatalf("chunk %d (%d-%d) not sealed: %d bytes stored for %d", i, c.first, c.last, c.stored, c.size)
		}
	}
	var n int
	var last string
	err := rawDB(t, filepath.Join(dir, stateFileName)).QueryRow(`SELECT count(*), max(line) FILTER (WHERE seq = ?) FROM events`, len(want)).Scan(&n, &last)
	if err != nil || n != len(want) || last != want[len(want)-1].Line {
		t.Fatalf("view: %d rows, last %q, %v; want %d, %q", n, last, err, len(want), want[len(want)-1].Line)
	}
}

// TestMigratesStateVersion2: text chunks of version 2 are kept as they are (uncompressed sqlar
// rows), read back the same through Events and the view, and the log goes on compressed.
func TestMigratesStateVersion2(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, stateFileName)
	want := emit(nopSink{}, 1, 1000)
	var a, b strings.Builder
	for _, e := range want[:600] {
		a.WriteString(e.Line + "\n")
	}
	for _, e := range want[600:] {
		b.WriteString(e.Line + "\n")
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "'", "''") + "'" }
	stmts := append([]string{metaDDL}, v1StateDDL[:3]...)
	stmts = append(stmts, eventChunksDDLv2, eventsViewDDLv2,
		`INSERT INTO meta VALUES ('kind', 'state'), ('name', 'ixlb'), ('identity', 'f00'), ('schema_version', '2')`,
		fmt.Sprintf(`INSERT INTO event_chunks VALUES (1, 600, %v, %v, %s), (601, 1000, %v, %v, %s)`,
			float64(want[0].T)/1e9, float64(want[599].T)/1e9, q(a.String()),
			float64(want[600].T)/1e9, float64(want[999].T)/1e9, q(b.String())))
	makeSQLite(t, path, stmts...)

	s := newStore(t, dir, Options{})
	if got, err := s.Events(0, -1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("migrated events: %d lines, %v; want %d", len(got), err, len(want))
	}
	checkChunks(t, path, want, chunkBytes)
	var n int
	if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM events WHERE kind = 'app_stopped'`).Scan(&n); err != nil || n != 333 {
		t.Fatalf("view after the migration: %d app_stopped rows, %v; want 333", n, err)
	}
	want = append(want, emit(s.EventSink(), 1001, 3000)...)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	chunks := checkChunks(t, path, want, chunkBytes)
	if c := chunks[len(chunks)-1]; int64(c.stored) >= c.size {
		t.Fatalf("the log's new chunk is not compressed: %d bytes for %d", c.stored, c.size)
	}
	if got, _ := s.Events(0, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the migration and more lines: %d lines", len(got))
	}
}

// TestDamagedChunk: a chunk whose data does not inflate to its size is an error naming it, not
// wrong lines.
func TestDamagedChunk(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	emit(s.EventSink(), 1, 5000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open(driverName, dsn(filepath.Join(dir, stateFileName), ""))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`UPDATE event_chunks SET size = size + 1 WHERE first_seq = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Events(1, 10); err == nil || !strings.Contains(err.Error(), "chunk 1") {
		t.Fatalf("Events over a damaged chunk: %v", err)
	}
}

// TestReadEventsOlderLayouts: ReadEvents reads a version 1 and a version 2 state file in their own
// layout, without migrating them, and a current one from a given seq.
func TestReadEventsOlderLayouts(t *testing.T) {
	want := emit(nopSink{}, 1, 900)
	var all strings.Builder
	for _, e := range want {
		all.WriteString(e.Line + "\n")
	}
	q := "'" + strings.ReplaceAll(strings.TrimSuffix(all.String(), "\n"), "'", "''") + "'"
	v1 := []string{`INSERT INTO meta VALUES ('kind', 'state'), ('name', 'ixlb'), ('identity', 'f00'), ('schema_version', '1')`}
	var ins strings.Builder
	ins.WriteString(`INSERT INTO events VALUES `)
	for i, e := range want {
		if i > 0 {
			ins.WriteString(",")
		}
		fmt.Fprintf(&ins, "(%d, %v, '%s', '%s')", e.Seq, float64(e.T)/1e9, e.Kind, strings.ReplaceAll(e.Line, "'", "''"))
	}
	v1 = append(v1, ins.String())
	layouts := map[string][]string{
		"1": append(append([]string{metaDDL}, v1StateDDL...), v1...),
		"2": append(append([]string{metaDDL}, v1StateDDL[:3]...), eventChunksDDLv2, eventsViewDDLv2,
			`INSERT INTO meta VALUES ('kind', 'state'), ('name', 'ixlb'), ('identity', 'f00'), ('schema_version', '2')`,
			fmt.Sprintf(`INSERT INTO event_chunks VALUES (1, 900, 0, 1, %s)`, q)),
	}
	for version, stmts := range layouts {
		dir := t.TempDir()
		path := filepath.Join(dir, stateFileName)
		makeSQLite(t, path, stmts...)
		var got []string
		err := ReadEvents(dir, 890, func(seq uint64, line []byte) error {
			got = append(got, fmt.Sprint(seq, " ", string(line)))
			return nil
		})
		if err != nil || len(got) != 11 || got[0] != "890 "+want[889].Line || got[10] != "900 "+want[899].Line {
			t.Fatalf("version %s: %d lines from 890, %v", version, len(got), err)
		}
		var v string
		rawDB(t, path).QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
		if v != version {
			t.Fatalf("ReadEvents changed schema_version %s to %s", version, v)
		}
	}

	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want = emit(s.EventSink(), 1, 5000)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := ReadEvents(dir, 1234, func(seq uint64, line []byte) error {
		if w := want[seq-1]; seq != 1234+uint64(n) || string(line) != w.Line {
			return fmt.Errorf("line %d: %d %s", n, seq, line)
		}
		n++
		return nil
	})
	if err != nil || n != 5000-1233 {
		t.Fatalf("ReadEvents from 1234: %d lines, %v", n, err)
	}
}
