package store

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

func newStore(t *testing.T, dir string, o Options) *Store {
	t.Helper()
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func connect(t *testing.T, s *Store, dap, db string) core.Database {
	t.Helper()
	d, err := s.Connect(dap, db)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func openRows(t *testing.T, d core.Database) []core.Row {
	t.Helper()
	var out []core.Row
	if err := d.Open(func(r *core.Row) { out = append(out, *r) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// rawDB opens a file with plain database/sql, read-only, to look at what is really stored.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fullRow is a row with every column set: the shape the engine writes for a completed interaction.
func fullRow(id int64) core.Row {
	return core.Row{
		ID: id, Media: "email", Queue: "Inbound_Email", State: core.StateWithAgent,
		SubmittedBy: "EmailServer_1", ReceivedAt: 1_500_000_000 + id, PlacedInQueueAt: 1_750_000_000,
		SubmittedToRouterAt: 2_000_000_001, DeliveredAt: 3_123_456_789, AssignedTo: "Agent_042",
		URS: "URS_1", Strategy: "Classify_Email", Category: "Billing",
	}
}

func TestRowRoundTrip(t *testing.T) {
	huge := int64(1)<<52 - 1 // the largest time the REAL seconds column holds exactly (~52 days)
	tests := []struct {
		name string
		row  core.Row
	}{
		{"all set", fullRow(1)},
		{"nulls", core.Row{ID: 2, State: core.StateQueued}},
		{"queued, no agent yet", core.Row{ID: 3, Media: "chat", Queue: "Q", State: core.StateQueued, SubmittedBy: "Chat_1", ReceivedAt: 1, PlacedInQueueAt: 1}},
		{"in URS", core.Row{ID: 4, Media: "sms", Queue: "Q", State: core.StateInURS, ReceivedAt: 999_999_999, SubmittedToRouterAt: 1_000_000_000, URS: "URS_2", Strategy: "S"}},
		{"huge times", core.Row{ID: 5, State: core.StateQueued, ReceivedAt: huge, PlacedInQueueAt: huge - 1, SubmittedToRouterAt: 86_400_000_000_007, DeliveredAt: 600_000_000_001}},
		{"unicode and quotes", core.Row{ID: 6, Media: "e'mail", Queue: "Очередь \"1\"", State: core.StateQueued, Category: "x\x01y"}},
		{"id 0", core.Row{ID: 0, State: core.StateQueued, Queue: "Q"}},
	}
	s := newStore(t, t.TempDir(), Options{})
	d := connect(t, s, "DAP_1", "ixn")
	for _, tc := range tests {
		if err := d.Write(&tc.row); err != nil {
			t.Fatal(err)
		}
	}
	got := map[int64]core.Row{}
	for _, r := range openRows(t, d) {
		got[r.ID] = r
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if g := got[tc.row.ID]; g != tc.row {
				t.Errorf("read back\n %+v\nwrote\n %+v", g, tc.row)
			}
		})
	}

	t.Run("NULL in the table when not set", func(t *testing.T) {
		var nulls int
		err := rawDB(t, filepath.Join(s.Dir(), "ixn.db")).QueryRow(`SELECT
			(media_type IS NULL) + (queue IS NULL) + (submitted_by IS NULL) + (received_at IS NULL) +
			(placed_in_queue_at IS NULL) + (submitted_to_router_at IS NULL) + (delivered_at IS NULL) +
			(assigned_to IS NULL) + (completed_at IS NULL) + (urs IS NULL) + (strategy IS NULL) + (category IS NULL)
			FROM interactions WHERE id = 2`).Scan(&nulls)
		if err != nil || nulls != 12 {
			t.Fatalf("NULL columns of an empty row: %d, %v; want 12", nulls, err)
		}
	})
	t.Run("times are INTEGER nanoseconds", func(t *testing.T) {
		var typ string
		var v int64
		err := rawDB(t, filepath.Join(s.Dir(), "ixn.db")).QueryRow(
			`SELECT typeof(delivered_at), delivered_at FROM interactions WHERE id = 1`).Scan(&typ, &v)
		if err != nil || typ != "integer" || v != 3_123_456_789 {
			t.Fatalf("delivered_at = %s %v, %v; want integer 3123456789", typ, v, err)
		}
	})
	t.Run("completed row keeps its row", func(t *testing.T) {
		r := fullRow(1)
		r.CompletedAt = 4_000_000_000
		if err := d.Write(&r); err != nil {
			t.Fatal(err)
		}
		for _, o := range openRows(t, d) {
			if o.ID == 1 {
				t.Fatal("a completed interaction is listed as open")
			}
		}
		var state int
		var completed int64
		err := rawDB(t, filepath.Join(s.Dir(), "ixn.db")).QueryRow(
			`SELECT state, completed_at FROM interactions WHERE id = 1`).Scan(&state, &completed)
		if err != nil || state != int(core.StateWithAgent) || completed != 4_000_000_000 {
			t.Fatalf("completed row: state %d completed_at %v, %v", state, completed, err)
		}
	})
}

// TestMatchesMemDatabase drives the store and core's reference implementation with the same random
// writes, through three DAP handles in turn and with batches small enough to commit often, and
// compares what they read back.
func TestMatchesMemDatabase(t *testing.T) {
	for _, batch := range []int{1, 7, 4096} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			s := newStore(t, t.TempDir(), Options{BatchRows: batch})
			daps := []core.Database{connect(t, s, "DAP_1", "ixn"), connect(t, s, "DAP_2", "ixn"), connect(t, s, "DAP_3", "ixn")}
			mem, _ := core.NewMemDatabases().Database("ixn")
			rng := rand.New(rand.NewPCG(1, uint64(batch)))
			states := []uint8{core.StateQueued, core.StateInURS, core.StateWithAgent}
			for i := range 3000 {
				r := core.Row{ID: rng.Int64N(300) + 1, Media: "email", Queue: fmt.Sprintf("Q%d", rng.IntN(3)),
					State: states[rng.IntN(3)], ReceivedAt: int64(i+1) * 1e6, URS: "URS_1"}
				if rng.IntN(4) == 0 {
					r.CompletedAt = int64(i+1) * 1e6
				}
				if err := daps[i%3].Write(&r); err != nil {
					t.Fatal(err)
				}
				mem.Write(&r)
				if i%1000 == 999 { // read in the middle too: reads flush
					compareDB(t, daps[i%2], mem)
				}
			}
			compareDB(t, daps[0], mem)
		})
	}
}

func compareDB(t *testing.T, d, mem core.Database) {
	t.Helper()
	got, err := d.Counts()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := mem.Counts()
	if got != want {
		t.Fatalf("Counts = %+v, want %+v", got, want)
	}
	var wantOpen []core.Row
	mem.Open(func(r *core.Row) { wantOpen = append(wantOpen, *r) })
	// MemDatabase lists in insertion order; the database in ID order.
	byID := map[int64]core.Row{}
	for _, r := range wantOpen {
		byID[r.ID] = r
	}
	gotOpen := openRows(t, d)
	if len(gotOpen) != len(wantOpen) {
		t.Fatalf("Open listed %d rows, want %d", len(gotOpen), len(wantOpen))
	}
	for i, r := range gotOpen {
		if i > 0 && gotOpen[i-1].ID >= r.ID {
			t.Fatalf("Open not in ID order: %d after %d", r.ID, gotOpen[i-1].ID)
		}
		if byID[r.ID] != r {
			t.Fatalf("Open row %d = %+v, want %+v", r.ID, r, byID[r.ID])
		}
	}
}

func TestCounts(t *testing.T) {
	rows := []core.Row{
		{ID: 1, State: core.StateQueued},
		{ID: 2, State: core.StateQueued},
		{ID: 3, State: core.StateInURS},
		{ID: 4, State: core.StateWithAgent},
		{ID: 5, State: core.StateWithAgent, CompletedAt: 7},
		{ID: 6, State: core.StateCompleted},
		{ID: 7, State: 1}, // cached: a row, in no bucket (as in core.MemDatabase)
	}
	tests := []struct {
		name   string
		writes []core.Row
		want   core.Counts
	}{
		{"empty", nil, core.Counts{}},
		{"one of each", rows, core.Counts{Rows: 7, Queued: 2, InURS: 1, WithAgent: 1, Completed: 2}},
		{"updates replace", append(append([]core.Row{}, rows...),
			core.Row{ID: 1, State: core.StateInURS}, core.Row{ID: 3, State: core.StateWithAgent, CompletedAt: 9}),
			core.Counts{Rows: 7, Queued: 1, InURS: 1, WithAgent: 1, Completed: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, t.TempDir(), Options{BatchRows: 3})
			d := connect(t, s, "DAP_1", "ixn")
			for i := range tc.writes {
				if err := d.Write(&tc.writes[i]); err != nil {
					t.Fatal(err)
				}
			}
			// Through another handle: the figures are read from the file, not from the handle.
			got, err := s.Database("ixn")
			if err != nil {
				t.Fatal(err)
			}
			c, err := got.Counts()
			if err != nil || c != tc.want {
				t.Fatalf("Counts = %+v, %v; want %+v", c, err, tc.want)
			}
		})
	}
}

func TestCountsReadFromFile(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	d := connect(t, s, "DAP_1", "ixn")
	for i := range int64(10) {
		r := core.Row{ID: i + 1, State: core.StateQueued}
		d.Write(&r)
	}
	if _, err := d.Counts(); err != nil {
		t.Fatal(err)
	}
	// Another process (here: another connection) completes them behind the store's back.
	w, err := sql.Open("sqlite3", dsn(filepath.Join(dir, "ixn.db"), "_busy_timeout=5000"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`UPDATE interactions SET completed_at = 1`); err != nil {
		t.Fatal(err)
	}
	c, err := d.Counts()
	if err != nil || c != (core.Counts{Rows: 10, Completed: 10}) {
		t.Fatalf("Counts = %+v, %v; want the file's figures", c, err)
	}
}

func TestOpenListsOpenRowsInIDOrder(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{BatchRows: 2})
	d := connect(t, s, "DAP_1", "ixn")
	for _, id := range []int64{9, 3, 7, 1, 5, 2} {
		r := core.Row{ID: id, State: core.StateQueued, Queue: "Q"}
		if id%2 == 0 {
			r.CompletedAt = 1
		}
		d.Write(&r)
	}
	var ids []int64
	for _, r := range openRows(t, d) {
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != "[1 3 5 7 9]" {
		t.Fatalf("Open listed %v, want [1 3 5 7 9]", ids)
	}
}

func TestOrderAcrossDAPs(t *testing.T) {
	for _, batch := range []int{1, 2, 3, 4096} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			s := newStore(t, t.TempDir(), Options{BatchRows: batch})
			d1, d2 := connect(t, s, "DAP_1", "ixn"), connect(t, s, "DAP_2", "ixn")
			if d1 == d2 {
				t.Fatal("two DAPs share one handle")
			}
			if d1.Identity() != d2.Identity() {
				t.Fatal("two DAPs of one database see different identities")
			}
			insert := core.Row{ID: 42, State: core.StateQueued, Queue: "Q", ReceivedAt: 1}
			update := core.Row{ID: 42, State: core.StateWithAgent, Queue: "Q", ReceivedAt: 1, AssignedTo: "Agent_1", DeliveredAt: 2}
			filler := core.Row{ID: 1, State: core.StateQueued}
			d1.Write(&filler)
			d1.Write(&insert)
			d2.Write(&update)
			got := openRows(t, d1)
			if len(got) != 2 || got[1] != update {
				t.Fatalf("final rows %+v, want the update last written through DAP_2", got)
			}
			// And back again, through the other handle.
			insert.State = core.StateInURS
			d2.Write(&insert)
			d1.Write(&update)
			if got := openRows(t, d2); got[1] != update {
				t.Fatalf("final row %+v, want %+v", got[1], update)
			}
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := connect(t, s, "DAP_1", "a"), connect(t, s, "DAP_2", "b")
	idA, idB := a.Identity(), b.Identity()
	if !uuidRE.MatchString(idA) || !uuidRE.MatchString(idB) {
		t.Fatalf("identities %q %q are not UUIDs", idA, idB)
	}
	if idA == idB {
		t.Fatal("two databases share an identity")
	}
	if own, _ := s.Database("a"); own.Identity() != idA || own.Name() != "a" {
		t.Fatalf("store handle: %s %s, want a %s", own.Name(), own.Identity(), idA)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = newStore(t, dir, Options{})
	if got := connect(t, s, "DAP_9", "a").Identity(); got != idA {
		t.Fatalf("identity after reopen %q, want %q", got, idA)
	}
}

// snapshot reads a file's bytes; refused files must come out identical.
func snapshot(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func makeSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, "_journal_mode=DELETE"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRefusesForeignFiles(t *testing.T) {
	// A real ixlb interactions file, to damage.
	good := filepath.Join(t.TempDir(), "good")
	gs := newStore(t, good, Options{})
	r := fullRow(1)
	connect(t, gs, "DAP_1", "ixn").Write(&r)
	if err := gs.Close(); err != nil {
		t.Fatal(err)
	}
	valid := snapshot(t, filepath.Join(good, "ixn.db"))
	state := snapshot(t, filepath.Join(good, "ixlb.db"))
	damaged := func(at int) []byte {
		b := bytes.Clone(valid)
		for i := at; i < at+64; i++ {
			b[i] = 0xA5
		}
		return b
	}

	tests := []struct {
		name   string
		make   func(t *testing.T, path string)
		reason string
	}{
		{"text file", func(t *testing.T, p string) { os.WriteFile(p, []byte("hello, world\n"), 0o644) }, "not a SQLite file"},
		{"random bytes", func(t *testing.T, p string) {
			b := make([]byte, 8192)
			rand.NewChaCha8([32]byte{7}).Read(b)
			os.WriteFile(p, b, 0o644)
		}, "not a SQLite file"},
		{"short", func(t *testing.T, p string) { os.WriteFile(p, []byte("SQLite"), 0o644) }, "not a SQLite file"},
		{"damaged header", func(t *testing.T, p string) { os.WriteFile(p, damaged(16), 0o644) }, "damaged"},
		{"damaged schema page", func(t *testing.T, p string) { os.WriteFile(p, damaged(100), 0o644) }, "damaged"},
		{"another application's SQLite", func(t *testing.T, p string) {
			makeSQLite(t, p, `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)`, `INSERT INTO customers VALUES (1, 'ACME')`)
		}, "no meta table"},
		{"a meta table without kind", func(t *testing.T, p string) {
			makeSQLite(t, p, `CREATE TABLE meta (key TEXT, value TEXT)`, `INSERT INTO meta VALUES ('version', '3')`)
		}, "meta has no kind"},
		{"an ixlb state file", func(t *testing.T, p string) { os.WriteFile(p, state, 0o644) }, `kind "state", want "interactions"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.db")
			tc.make(t, path)
			before := snapshot(t, path)
			s := newStore(t, dir, Options{})
			_, err := s.Connect("DAP_1", "x")
			if err == nil {
				t.Fatal("opened a foreign file")
			}
			t.Log(err)
			if !errors.Is(err, ErrNotIxlb) {
				t.Errorf("error %v is not ErrNotIxlb", err)
			}
			want := "open " + path + ": not an ixlb database: " + tc.reason
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n %v\nwant prefix\n %s", err, want)
			}
			if !bytes.Equal(snapshot(t, path), before) {
				t.Error("the refused file changed")
			}
			for _, suffix := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(path + suffix); err == nil {
					t.Errorf("left %s behind", path+suffix)
				}
			}
		})
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	connect(t, s, "DAP_1", "ixn")
	s.Close()
	path := filepath.Join(dir, "ixn.db")
	w, err := sql.Open("sqlite3", dsn(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	before := snapshot(t, path)
	s = newStore(t, dir, Options{})
	_, err = s.Connect("DAP_1", "ixn")
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "open "+path+": written by a newer ixlb (schema version 4") {
		t.Fatalf("error %v, want it refused as written by a newer ixlb", err)
	}
	if !bytes.Equal(snapshot(t, path), before) {
		t.Error("the refused file changed")
	}
}

// v0DDL is schema version 0 of the interactions database: no attached data columns.
const v0DDL = `CREATE TABLE interactions (
	id INTEGER PRIMARY KEY, media_type TEXT, queue TEXT, state INTEGER NOT NULL, submitted_by TEXT,
	received_at REAL, placed_in_queue_at REAL, submitted_to_router_at REAL, delivered_at REAL,
	assigned_to TEXT, completed_at REAL, urs TEXT)`

func TestMigratesVersion0(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	const id = "0b7f1e52-3c1a-4d7e-9f00-1234567890ab"
	makeSQLite(t, path, metaDDL, v0DDL,
		`INSERT INTO meta VALUES ('kind', 'interactions'), ('name', 'old'), ('identity', '`+id+`'), ('schema_version', '0')`,
		`INSERT INTO interactions (id, media_type, queue, state, received_at, urs) VALUES (7, 'email', 'Q', 2, 1.5, 'URS_1')`)

	s := newStore(t, dir, Options{})
	d := connect(t, s, "DAP_1", "old")
	if d.Identity() != id {
		t.Fatalf("identity %q after migration, want %q", d.Identity(), id)
	}
	want := core.Row{ID: 7, Media: "email", Queue: "Q", State: core.StateInURS, ReceivedAt: 1_500_000_000, URS: "URS_1"}
	if got := openRows(t, d); len(got) != 1 || got[0] != want {
		t.Fatalf("migrated rows %+v, want %+v", got, want)
	}
	want.Strategy, want.Category = "S", "Billing"
	d.Write(&want)
	if got := openRows(t, d); got[0] != want {
		t.Fatalf("after writing attached data: %+v", got[0])
	}
	var v string
	if err := rawDB(t, path).QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil || v != "3" {
		t.Fatalf("schema_version %q, %v; want 3", v, err)
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := newStore(t, dir, Options{})
	r := fullRow(1)
	connect(t, s, "DAP_1", "ixn").Write(&r)
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data directory mode %v, %v; want 0700", st.Mode().Perm(), err)
	}
	checked := 0
	for _, name := range []string{"ixn.db", "ixn.db-wal", "ixn.db-shm", "ixlb.db", "ixlb.db-wal", "ixlb.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && strings.Contains(name, "-") {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		checked++
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
	}
	if checked < 4 {
		t.Fatalf("checked %d files; expected the WAL files of open databases too", checked)
	}
}

func TestNames(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{})
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "ixlb", "IXLB"} {
		if _, err := s.Connect("DAP_1", name); err == nil {
			t.Errorf("database name %q accepted", name)
		}
	}
	if _, err := s.Connect("DAP_1", "ixn-2.archive"); err != nil {
		t.Error(err)
	}
}

func TestClosed(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := connect(t, s, "DAP_1", "ixn")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	r := core.Row{ID: 1}
	if err := d.Write(&r); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if _, err := s.Connect("DAP_1", "ixn"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Connect after Close: %v", err)
	}
}

func TestCloseCommits(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := fullRow(5)
	connect(t, s, "DAP_1", "ixn").Write(&r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rawDB(t, filepath.Join(dir, "ixn.db")).QueryRow(`SELECT count(*) FROM interactions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after Close: %d, %v", n, err)
	}
}

// The migration from REAL seconds (schema version 2) gives back the nanoseconds the seconds were
// made from, wherever they were one-to-one.
func TestSecondsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(ns int64) {
		if got := secondsToNanos(float64(ns) / 1e9); got != ns {
			t.Fatalf("%d ns -> %v s -> %d ns", ns, float64(ns)/1e9, got)
		}
	}
	for _, ns := range []int64{1, 999_999_999, 1_000_000_001, 1<<52 - 1, 1<<52 - 2, 1 << 51} {
		check(ns)
	}
	for range 200_000 {
		check(rng.Int64N(1<<52) + 1)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "odd.db")
	// Claims version 0 but already has the category column: the migration adds strategy, then
	// fails on category, and must take strategy back.
	makeSQLite(t, path, metaDDL, strings.Replace(v0DDL, "urs TEXT)", "urs TEXT, category TEXT)", 1),
		`INSERT INTO meta VALUES ('kind', 'interactions'), ('name', 'odd'), ('identity', 'x'), ('schema_version', '0')`)
	s := newStore(t, dir, Options{})
	if _, err := s.Connect("DAP_1", "odd"); err == nil || !strings.Contains(err.Error(), "migrate schema version 0 to 1") {
		t.Fatalf("error %v, want the migration to fail", err)
	}
	db := rawDB(t, path)
	var v string
	var cols int
	db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	db.QueryRow(`SELECT count(*) FROM pragma_table_info('interactions') WHERE name = 'strategy'`).Scan(&cols)
	if v != "0" || cols != 0 {
		t.Fatalf("after a failed migration: schema_version %s, strategy column %d; want 0 and none (rolled back)", v, cols)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{Synchronous: "sometimes"}); err == nil {
		t.Fatal("accepted synchronous=sometimes")
	}
	s := newStore(t, t.TempDir(), Options{Synchronous: "full", BatchRows: 2})
	d := connect(t, s, "DAP_1", "ixn")
	for i := range int64(5) {
		r := core.Row{ID: i + 1}
		d.Write(&r)
	}
	// synchronous is a connection setting: ask the writer, once its committer is idle (the
	// connection is the committer's, and not safe to share: the query crashed the test now and
	// then while a batch was being committed).
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	f := d.(*dapHandle).f
	f.mu.Lock()
	f.c.idle()
	rows, err := f.w.Query(`PRAGMA synchronous`, nil)
	if err != nil {
		f.mu.Unlock()
		t.Fatal(err)
	}
	dest := make([]driver.Value, 1)
	err = rows.Next(dest)
	rows.Close()
	f.mu.Unlock()
	if err != nil || dest[0] != int64(2) {
		t.Fatalf("writer synchronous = %v, %v; want 2 (FULL)", dest[0], err)
	}
	if c, err := d.Counts(); err != nil || c.Rows != 5 {
		t.Fatalf("Counts %+v, %v", c, err)
	}
}

// TestWriterPragmas: the writer runs with the page cache, scratch storage and checkpoint interval
// the write path was measured with, whatever the file's page size.
func TestWriterPragmas(t *testing.T) {
	for _, ps := range []int{0, 16 << 10} {
		path := filepath.Join(t.TempDir(), "x.db")
		f, err := openFile(path, &schema{kind: "test", version: 1, pageSize: ps}, "x", &Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.close()
		if _, err := f.writable(); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, p := range []string{"cache_size", "temp_store", "wal_autocheckpoint", "page_size"} {
			rows, err := f.w.Query("PRAGMA "+p, nil)
			if err != nil {
				t.Fatal(err)
			}
			dest := make([]driver.Value, 1)
			rows.Next(dest)
			rows.Close()
			got[p], _ = dest[0].(int64)
		}
		want := map[string]int64{"cache_size": -cacheKiB, "temp_store": 2, "page_size": int64(max(ps, 4096)),
			"wal_autocheckpoint": int64(walCheckpointBytes / max(ps, 4096))}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("page size %d: pragmas %v, want %v", ps, got, want)
		}
	}
}

// TestRowWrittenOncePerCommit: whatever an interaction goes through between two commits, and
// through whichever DAP, SQLite sees one write of its row per commit (counted by triggers on the
// table): an insert for a new interaction, an update for one committed before.
func TestRowWrittenOncePerCommit(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	d1, d2 := connect(t, s, "DAP_1", "ixn"), connect(t, s, "DAP_2", "ixn")
	if err := d1.Flush(); err != nil { // creates the file
		t.Fatal(err)
	}
	w, err := sql.Open(driverName, dsn(filepath.Join(dir, "ixn.db"), "_busy_timeout=5000"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, q := range []string{
		`CREATE TABLE writes (kind TEXT, id INTEGER)`,
		`CREATE TRIGGER count_inserts AFTER INSERT ON interactions BEGIN INSERT INTO writes VALUES ('insert', new.id); END`,
		`CREATE TRIGGER count_updates AFTER UPDATE ON interactions BEGIN INSERT INTO writes VALUES ('update', new.id); END`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (ins, upd, ids int) {
		t.Helper()
		err := w.QueryRow(`SELECT count(*) FILTER (WHERE kind = 'insert'), count(*) FILTER (WHERE kind = 'update'),
			count(DISTINCT id) FROM writes`).Scan(&ins, &upd, &ids)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	const n = 10_000 // more than a batch of the old default (4096), which cut commits short
	// Each interaction is queued, goes to a URS and to an agent before the first commit, its
	// rows interleaved with the others' and alternating DAPs.
	for _, state := range []uint8{core.StateQueued, core.StateInURS, core.StateWithAgent} {
		for id := int64(1); id <= n; id++ {
			r := fullRow(id)
			r.State = state
			d := d1
			if (id+int64(state))%2 == 0 {
				d = d2
			}
			if err := d.Write(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if ins, upd, ids := count(); ins != n || upd != 0 || ids != n {
		t.Fatalf("first commit: %d inserts, %d updates of %d rows; want %d inserts", ins, upd, ids, n)
	}
	// Then each completes (two more rows) before the second.
	for round := 0; round < 2; round++ {
		for id := int64(1); id <= n; id++ {
			r := fullRow(id)
			r.CompletedAt = int64(round + 1)
			if err := d2.Write(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if ins, upd, _ := count(); ins != n || upd != n {
		t.Fatalf("second commit: %d inserts, %d updates in all; want %d and %d", ins, upd, n, n)
	}
	if c, err := d1.Counts(); err != nil || c.Rows != n || c.Completed != n {
		t.Fatalf("counts %+v, %v", c, err)
	}
}

// A file SQLite had started (header, WAL mode) but ixlb was killed before the schema committed
// holds nothing: it is taken as new, not refused as foreign.
func TestEmptySQLiteFileIsTakenAsNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ixn.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA journal_mode=WAL`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Database("ixn"); err != nil {
		t.Fatalf("an empty SQLite file was refused: %v", err)
	}
}
