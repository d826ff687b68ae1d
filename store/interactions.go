package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/ixlb/ixlb/core"
)

// The interactions table keeps Genesys' own column names so that people who know the product can
// read it with sqlite3. Times are INTEGER virtual nanoseconds since the start of the scenario, as
// core.Row carries them, NULL when not set: exact at any time a scenario can reach (REAL seconds,
// in schema version 2, held nanoseconds exactly only for the first 52 days, and a session past
// about 100 days no longer compared equal to its own replay). A completed interaction keeps its
// row, its last state and completed_at. The comments stay in sqlite_master, so `.schema` shows
// them.
const interactionsDDL = `CREATE TABLE interactions (
	id                     INTEGER PRIMARY KEY,
	media_type             TEXT,
	queue                  TEXT,
	state                  INTEGER NOT NULL, -- 0 queued, 2 being processed by URS, 3 handled by agent
	submitted_by           TEXT,
	received_at            INTEGER,          -- virtual nanoseconds since the scenario's start
	placed_in_queue_at     INTEGER,
	submitted_to_router_at INTEGER,
	delivered_at           INTEGER,
	assigned_to            TEXT,
	completed_at           INTEGER,          -- NULL while the interaction is open
	urs                    TEXT,             -- the URS holding it (state 2)
	strategy               TEXT,             -- attached data
	category               TEXT,             -- attached data: the classification category
	abandoned_at           INTEGER           -- the customer gave up (closes the row; not completed)
)`

// openPredicate selects the interactions an Interaction Server restores. State 9 is core's
// "completed" marker; it never reaches a Genesys column in practice, but is honoured like
// core.MemDatabase does.
const openPredicate = `completed_at IS NULL AND abandoned_at IS NULL AND state <> 9`

// No index on state, on purpose. A partial index on the open rows was measured: it made Counts
// 3.5x and Open 2x faster on a million rows (35 vs 120 ms, 50 vs 115 ms) but cost a fifth of the
// write throughput (every interaction enters and leaves it), which is where a run spends its time.
// Counts and Open run once per report or restore; one scan of the table serves them.

var interactionColumns = []string{"id", "media_type", "queue", "state", "submitted_by", "received_at",
	"placed_in_queue_at", "submitted_to_router_at", "delivered_at", "assigned_to", "completed_at",
	"urs", "strategy", "category", "abandoned_at"}

// interactionsSchema is the interactions database. Version 0 had no attached data columns,
// version 1 no abandoned_at, version 2 kept times as REAL seconds.
var interactionsSchema = &schema{
	kind:    "interactions",
	version: 3,
	create:  []string{interactionsDDL},
	migrations: map[int][]string{
		0: {
			`ALTER TABLE interactions ADD COLUMN strategy TEXT`,
			`ALTER TABLE interactions ADD COLUMN category TEXT`,
		},
		1: {`ALTER TABLE interactions ADD COLUMN abandoned_at REAL`},
		// A REAL column would turn integers back into floats: the table is made anew, each time
		// converted to the nanoseconds it was written from (ixlb_ns inverts the old conversion).
		2: {
			`ALTER TABLE interactions RENAME TO interactions_v2`,
			interactionsDDL,
			`INSERT INTO interactions SELECT id, media_type, queue, state, submitted_by, ixlb_ns(received_at),
				ixlb_ns(placed_in_queue_at), ixlb_ns(submitted_to_router_at), ixlb_ns(delivered_at), assigned_to,
				ixlb_ns(completed_at), urs, strategy, category, ixlb_ns(abandoned_at) FROM interactions_v2`,
			`DROP TABLE interactions_v2`,
		},
	},
}

// ixnFile is one logical interactions database: its file, and the one ordered queue of writes
// every DAP handle of it feeds. Sharing the queue is what keeps an interaction's successive rows
// in order when the IS sends them through successive DAPs.
//
// Writes fill cur; the file's committer takes it whole when asked (a full batch, Flush, a state
// commit) and commits it on its own goroutine while the engine goes on. Flush, Counts and Open
// wait for it.
type ixnFile struct {
	*sqliteFile
	name string

	ownOnce sync.Once
	ownErr  error
	state   *stateFile // lists the file as the session's (own)

	mu     sync.Mutex
	c      committer
	cur    *rowBatch // accepted, not yet taken
	rows   int       // Options.BatchRows: a commit is asked for at this many rows
	closed bool

	// Owned by the committer goroutine.
	spare *rowBatch // the last committed batch, cleared: the next cur
	retry *rowBatch // rows of a failed commit, committed before the next batch
	up    *upsert
	boxes map[string]driver.Value // see box
	last  [7]lastBox
}

// maxPending bounds a pending batch, in multiples of the batch size: beyond it Write waits for the
// committer to take the batch. A file holds at most two batches, the one being committed and the
// one being filled, each of at most maxPending*BatchRows rows. The bound is what a run holds when
// SQLite falls behind the engine: memory that follows the commits' lag, not the interactions in
// flight, so it is kept small (with 4 and 4096-row batches a long run's peak RSS grew with its
// length until the bound was reached).
const maxPending = 2

// rowBatch is one group commit: rows in the order they were accepted, one per ID.
type rowBatch struct {
	rows []core.Row
	at   map[int64]int32 // ID -> position in rows
}

// newRowBatch is an empty batch. It grows as rows come and keeps its room when reused: sized for
// BatchRows up front, two batches of a file took 50 MB before the first row.
func newRowBatch() *rowBatch {
	return &rowBatch{at: map[int64]int32{}}
}

// put records r. A later row of the same ID replaces the queued one in place: the batch commits as
// one transaction, so no reader could have seen the earlier version, and the later row is the
// whole truth (core.Database.Write records whole rows). This is what lets a short-lived
// interaction's four rows (queued, in URS, with agent, completed) cost one SQLite write.
func (b *rowBatch) put(r *core.Row) {
	if i, ok := b.at[r.ID]; ok {
		b.rows[i] = *r
		return
	}
	b.at[r.ID] = int32(len(b.rows))
	b.rows = append(b.rows, *r)
}

func (b *rowBatch) reset() {
	clear(b.rows) // drop the strings
	b.rows = b.rows[:0]
	clear(b.at)
}

func openInteractions(path, name string, o *Options) (*ixnFile, error) {
	sf, err := openFile(path, interactionsSchema, name, o)
	if err != nil {
		return nil, err
	}
	f := &ixnFile{
		sqliteFile: sf, name: name,
		cur: newRowBatch(), rows: o.batchRows(),
		up:    newUpsert("interactions", "id", interactionColumns),
		boxes: map[string]driver.Value{},
	}
	f.c.start(&f.mu, f.take)
	return f, nil
}

// own makes the file writable before the session writes it (a DAP connects, a resume rolls it
// back), once, and lists it in the state's databases table when the session made it: when this
// made its schema, or it holds no rows yet. One with rows whose schema was there is not listed
// (a stranger's file, let through by --rebuild, is not the session's).
func (f *ixnFile) own() error {
	f.ownOnce.Do(func() {
		f.ownErr = f.makeOwn()
	})
	return f.ownErr
}

func (f *ixnFile) makeOwn() error {
	if f.state == nil {
		_, err := f.writable()
		return err
	}
	// The journal first: a database file without one is a session whose journal was lost.
	if err := f.state.ready(); err != nil {
		return err
	}
	made, err := f.writable()
	if err != nil {
		return err
	}
	if !made {
		// Whether it holds a row, not how many: counting scanned every row of a file a resume
		// reads back in full anyway.
		var held bool
		db, done := f.reader()
		err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM interactions)`).Scan(&held)
		done()
		if err != nil {
			return fmt.Errorf("open %s: %w", f.path, err)
		}
		if held {
			return nil
		}
	}
	return f.state.registerDatabase(f.name, f.identity)
}

// write queues r and asks for a commit when the batch is full. A failed background commit is not
// reported here: its rows are retried with the next batch, and whether they made it is the next
// commit's to say (Flush, or the state commit that waits for them). The engine must not see a
// disk's hiccup as an event of the simulated world.
func (f *ixnFile) write(r *core.Row) error {
	if err := f.own(); err != nil { // once; before the lock (it may wait for the state)
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("write interaction %d to %s: %w", r.ID, f.path, ErrClosed)
	}
	f.cur.put(r)
	if n := len(f.cur.rows); n >= f.rows {
		if serial {
			f.c.wait(f.c.request(true), false) // reported below, or by the next call
		} else if n >= maxPending*f.rows {
			f.c.waitTaken()
		} else {
			f.c.request(true)
		}
	}
	return nil
}

// request asks for the rows accepted so far to be committed and returns the ticket that says
// they are.
func (f *ixnFile) request() (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, fmt.Errorf("flush %s: %w", f.path, ErrClosed)
	}
	return f.c.request(len(f.cur.rows) > 0), nil
}

// flush commits everything accepted so far and waits for it.
func (f *ixnFile) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("flush %s: %w", f.path, ErrClosed)
	}
	return f.c.wait(f.c.request(len(f.cur.rows) > 0), true)
}

// waitFor waits for ticket t of request; nil means the rows are committed.
func (f *ixnFile) waitFor(t uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.c.wait(t, false)
}

// take swaps in an empty batch (committer goroutine, f.mu held).
func (f *ixnFile) take() func() error {
	b := f.cur
	f.cur, f.spare = f.spare, nil
	if f.cur == nil {
		f.cur = newRowBatch()
	}
	return func() error { return f.commit(b) }
}

// commit writes b in one transaction, after the rows of an earlier failed commit. On failure the
// rows stay, whole and in order, for the next batch or Flush. Committer goroutine only.
func (f *ixnFile) commit(b *rowBatch) error {
	if f.retry != nil {
		for i := range b.rows {
			f.retry.put(&b.rows[i])
		}
		b.reset()
		f.spare = b
		b, f.retry = f.retry, nil
	}
	if len(b.rows) > 0 {
		err := f.tx(func(c wconn) error {
			return f.up.write(c, len(b.rows), func(i int, dst []driver.NamedValue) { f.fill(&b.rows[i], dst) })
		})
		if err != nil {
			f.retry = b
			return fmt.Errorf("commit %d interactions to %s: %w", len(b.rows), f.path, err)
		}
	}
	b.reset()
	f.spare = b
	return nil
}

func (f *ixnFile) fill(r *core.Row, dst []driver.NamedValue) {
	dst[0].Value = r.ID
	dst[1].Value = f.box(0, r.Media)
	dst[2].Value = f.box(1, r.Queue)
	dst[3].Value = int64(r.State)
	dst[4].Value = f.box(2, r.SubmittedBy)
	dst[5].Value = nanos(r.ReceivedAt)
	dst[6].Value = nanos(r.PlacedInQueueAt)
	dst[7].Value = nanos(r.SubmittedToRouterAt)
	dst[8].Value = nanos(r.DeliveredAt)
	dst[9].Value = f.box(3, r.AssignedTo)
	dst[10].Value = nanos(r.CompletedAt)
	dst[11].Value = f.box(4, r.URS)
	dst[12].Value = f.box(5, r.Strategy)
	dst[13].Value = f.box(6, r.Category)
	dst[14].Value = nanos(r.AbandonedAt)
}

// box is the string as a driver value, NULL for "not set". The strings are the scenario's names
// (media, queues, applications, agents, strategies, categories), a few hundred at most: boxing
// each once instead of per row took a tenth off the write path's CPU. Column col's last name is
// tried before the map: names repeat from row to row (one media, a few queues), and comparing
// with the same string is cheaper than hashing it.
func (f *ixnFile) box(col int, s string) driver.Value {
	if s == "" {
		return nil
	}
	if l := &f.last[col]; l.s == s && l.v != nil {
		return l.v
	}
	v, ok := f.boxes[s]
	if !ok {
		v = f.newBox(s)
	}
	f.last[col] = lastBox{s, v}
	return v
}

func (f *ixnFile) newBox(s string) driver.Value {
	if len(f.boxes) >= 4096 { // not a scenario's names after all: stay bounded
		clear(f.boxes)
	}
	var v driver.Value = s
	f.boxes[s] = v
	return v
}

// lastBox is a column's last boxed name.
type lastBox struct {
	s string
	v driver.Value
}

// nanos is a row time as the table keeps it: virtual nanoseconds, NULL for 0 (not set).
func nanos(ns int64) driver.Value {
	if ns == 0 {
		return nil
	}
	return ns
}

// secondsToNanos inverts the REAL seconds of schema version 2 (float64(ns)/1e9) exactly wherever
// that was one-to-one (below 2^52 ns): the product s*1e9 can be off by one after rounding, so the
// neighbour that converts back to s wins. Migrations use it as the SQL function ixlb_ns.
func secondsToNanos(s float64) int64 {
	n := int64(math.Round(s * 1e9))
	for _, c := range [...]int64{n, n - 1, n + 1} {
		if float64(c)/1e9 == s {
			return c
		}
	}
	return n
}

// ixlbNs is the SQL function ixlb_ns(seconds): NULL stays NULL, a number becomes nanoseconds.
func ixlbNs(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return x * 1_000_000_000
	case float64:
		return secondsToNanos(x)
	}
	return v
}

const selectOpen = `SELECT id, media_type, queue, state, submitted_by, received_at, placed_in_queue_at,
	submitted_to_router_at, delivered_at, assigned_to, completed_at, urs, strategy, category
	FROM interactions WHERE ` + openPredicate + ` ORDER BY id`

// open calls fn for every open row, in ID order, from committed data. fn runs without the file's
// lock held, so it may write; the *Row is reused and valid only during the call.
func (f *ixnFile) open(fn func(*core.Row)) error { return f.scan(selectOpen, false, fn) }

// selectAll lists every row, completed and abandoned ones too (Resume's checks): the numbers as
// columns, the seven names as one text, separated by textSep (see all).
const selectAll = `SELECT id, state, received_at, placed_in_queue_at, submitted_to_router_at, delivered_at,
	completed_at, abandoned_at,
	concat_ws(char(31), ifnull(media_type, ''), ifnull(queue, ''), ifnull(submitted_by, ''),
		ifnull(assigned_to, ''), ifnull(urs, ''), ifnull(strategy, ''), ifnull(category, ''))
	FROM interactions ORDER BY id`

// selectRow is one row by ID, a column a value (all's way round a name holding textSep).
const selectRow = `SELECT id, media_type, queue, state, submitted_by, received_at, placed_in_queue_at,
	submitted_to_router_at, delivered_at, assigned_to, completed_at, urs, strategy, category, abandoned_at
	FROM interactions WHERE id = ?`

// textSep separates the names in selectAll's text (ASCII's unit separator).
const textSep = 0x1f

// all calls fn for every row, in ID order, from committed data.
//
// A resume reads every row of a database to compare it with the replay: a million rows read
// through database/sql cost more than the replay itself (each value converted through reflection
// into a Null type). The rows are read on the reader's own driver connection instead, the values
// taken as the driver gives them (measured: half the time; one text a row built by SQL's printf
// was slower still). The driver gives each text as a new string boxed in an interface, two
// allocations each: the seven names come as one text, which costs SQLite less than it saves
// (measured: 13–20% less CPU for the read). A row whose names do not split into seven (one of
// them holds the separator: an edit) is read again a column a value. fn runs without the file's
// lock; the *Row is reused.
func (f *ixnFile) all(fn func(*core.Row)) error {
	if err := f.flush(); err != nil {
		return err
	}
	err := f.rawRead(func(c *sqlite3.SQLiteConn) error {
		rows, err := c.Query(selectAll, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		v := make([]driver.Value, 9)
		var r core.Row
		var names [7]string
		for {
			switch err := rows.Next(v); {
			case err == io.EOF:
				return nil
			case err != nil:
				return err
			}
			r = core.Row{ID: num(v[0]), State: uint8(num(v[1])), ReceivedAt: num(v[2]),
				PlacedInQueueAt: num(v[3]), SubmittedToRouterAt: num(v[4]), DeliveredAt: num(v[5]),
				CompletedAt: num(v[6]), AbandonedAt: num(v[7])}
			if splitNames(asString(v[8]), &names) {
				r.Media, r.Queue, r.SubmittedBy, r.AssignedTo = names[0], names[1], names[2], names[3]
				r.URS, r.Strategy, r.Category = names[4], names[5], names[6]
			} else if r, err = rowByID(c, r.ID); err != nil {
				return err
			}
			fn(&r)
		}
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	return nil
}

// splitNames splits selectAll's text into its seven names; false when it does not hold exactly
// seven.
func splitNames(s string, names *[7]string) bool {
	for k := range 6 {
		i := strings.IndexByte(s, textSep)
		if i < 0 {
			return false
		}
		names[k], s = s[:i], s[i+1:]
	}
	names[6] = s
	return strings.IndexByte(s, textSep) < 0
}

// rowByID reads the row id a column a value.
func rowByID(c *sqlite3.SQLiteConn, id int64) (core.Row, error) {
	rows, err := c.Query(selectRow, []driver.Value{id})
	if err != nil {
		return core.Row{}, err
	}
	defer rows.Close()
	v := make([]driver.Value, 15)
	if err := rows.Next(v); err != nil {
		return core.Row{}, fmt.Errorf("row %d: %w", id, err)
	}
	return core.Row{ID: num(v[0]), Media: asString(v[1]), Queue: asString(v[2]), State: uint8(num(v[3])),
		SubmittedBy: asString(v[4]), ReceivedAt: num(v[5]), PlacedInQueueAt: num(v[6]),
		SubmittedToRouterAt: num(v[7]), DeliveredAt: num(v[8]), AssignedTo: asString(v[9]),
		CompletedAt: num(v[10]), URS: asString(v[11]), Strategy: asString(v[12]), Category: asString(v[13]),
		AbandonedAt: num(v[14])}, nil
}

// num is an INTEGER column's value, 0 for NULL. A value of another type (an edited row) reads as
// a number no row of ixlb's has, so that it differs from the session's row.
func num(v driver.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case nil:
		return 0
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x)
		}
	}
	return math.MinInt64
}

// scan runs query (the columns of selectOpen, then abandoned_at when abandoned) and calls fn per
// row. fn runs without the file's lock.
func (f *ixnFile) scan(query string, abandoned bool, fn func(*core.Row)) error {
	if err := f.flush(); err != nil {
		return err
	}
	db, done := f.reader()
	defer done()
	rows, err := db.Query(query)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	defer rows.Close()
	var (
		r                                                   core.Row
		state                                               int64
		media, queue, by, assigned, urs, strategy, category sql.NullString
		received, placed, toRouter, delivered, completed    sql.NullInt64
		gaveUp                                              sql.NullInt64
	)
	dst := []any{&r.ID, &media, &queue, &state, &by, &received, &placed, &toRouter,
		&delivered, &assigned, &completed, &urs, &strategy, &category}
	if abandoned {
		dst = append(dst, &gaveUp)
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		r = core.Row{
			ID: r.ID, Media: media.String, Queue: queue.String, State: uint8(state),
			SubmittedBy: by.String, ReceivedAt: received.Int64, PlacedInQueueAt: placed.Int64,
			SubmittedToRouterAt: toRouter.Int64, DeliveredAt: delivered.Int64,
			AssignedTo: assigned.String, CompletedAt: completed.Int64, URS: urs.String,
			Strategy: strategy.String, Category: category.String, AbandonedAt: gaveUp.Int64,
		}
		fn(&r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	return nil
}

// counts reads the figures from committed data, after committing the batch: the report's numbers
// come from the database, never from a counter kept beside it.
func (f *ixnFile) counts() (core.Counts, error) {
	if err := f.flush(); err != nil {
		return core.Counts{}, err
	}
	c, err := f.readCounts()
	if err != nil {
		return core.Counts{}, fmt.Errorf("count %s: %w", f.path, err)
	}
	return c, nil
}

// countsQuery reads every figure in one scan of the table.
const countsQuery = `SELECT count(*),
	count(*) FILTER (WHERE ` + openPredicate + ` AND state = 0),
	count(*) FILTER (WHERE ` + openPredicate + ` AND state = 2),
	count(*) FILTER (WHERE ` + openPredicate + ` AND state = 3),
	count(*) FILTER (WHERE NOT (` + openPredicate + `) AND abandoned_at IS NULL),
	count(*) FILTER (WHERE abandoned_at IS NOT NULL)
	FROM interactions`

// walk reads every page of the interactions table, so that a damaged one is found before a
// session is resumed (OpenSession), at the cost of a page header each: SQLite counts the rows of
// a table by walking its b-tree, page by page, and does not decode them. (Counts, which decodes
// three columns of every row, cost a resume a tenth of a second a million rows; the resume then
// reads every row anyway.)
func (f *ixnFile) walk() error {
	if err := f.flush(); err != nil {
		return err
	}
	db, done := f.reader()
	defer done()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM interactions`).Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	return nil
}

func (f *ixnFile) readCounts() (c core.Counts, err error) {
	db, done := f.reader()
	defer done()
	err = db.QueryRow(countsQuery).Scan(&c.Rows, &c.Queued, &c.InURS, &c.WithAgent, &c.Completed, &c.Abandoned)
	return c, err
}

// close commits what is pending, stops the committer and closes the file.
func (f *ixnFile) close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	err := f.c.wait(f.c.request(len(f.cur.rows) > 0), true)
	f.closed = true
	f.mu.Unlock()
	f.c.stop()
	f.up.close()
	return errors.Join(err, f.sqliteFile.close())
}

// dapHandle is a Database Access Point's handle to an interactions database (core.Database).
// Handles of one database share its file and its ordered write queue.
type dapHandle struct {
	dap string // "" for the store's own handle (reports)
	f   *ixnFile
}

// String names the handle in diagnostics: "ixn via DAP_1".
func (h *dapHandle) String() string {
	if h.dap == "" {
		return h.f.name
	}
	return h.f.name + " via " + h.dap
}

// Name implements core.Database: the logical database name.
func (h *dapHandle) Name() string { return h.f.name }

// Identity implements core.Database: the UUID written when the database file was created.
func (h *dapHandle) Identity() string { return h.f.identity }

// Write implements core.Database. The row is copied; it is committed with its batch.
func (h *dapHandle) Write(r *core.Row) error { return h.f.write(r) }

// Flush implements core.Database: it commits the batch (durable across a process crash; with
// Options.Synchronous "FULL" also across a power loss).
func (h *dapHandle) Flush() error { return h.f.flush() }

// Open implements core.Database. The *Row passed to fn is reused: copy it to keep it.
func (h *dapHandle) Open(fn func(*core.Row)) error { return h.f.open(fn) }

// Counts implements core.Database.
func (h *dapHandle) Counts() (core.Counts, error) { return h.f.counts() }
