package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/ixlb/ixlb/core"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// The interactions table keeps Genesys' own column names so that people who know the product can
// read it with sqlite3. Times are REAL virtual seconds since the start of the scenario (core.Row
// carries virtual nanoseconds; a float64 holds them exactly for the first 52 days, far beyond any
// scenario), NULL when not set. A completed interaction keeps its row, its last state and
// completed_at. The comments stay in sqlite_master, so `.schema` shows them.
const interactionsDDL = `CREATE TABLE interactions (
	id                     INTEGER PRIMARY KEY,
	media_type             TEXT,
	queue                  TEXT,
	state                  INTEGER NOT NULL, -- 0 queued, 2 being processed by URS, 3 handled by agent
	submitted_by           TEXT,
	received_at            REAL,             -- virtual seconds
	placed_in_queue_at     REAL,
	submitted_to_router_at REAL,
	delivered_at           REAL,
	assigned_to            TEXT,
	completed_at           REAL,             -- NULL while the interaction is open
	urs                    TEXT,             -- the URS holding it (state 2)
	strategy               TEXT,             -- attached data
	category               TEXT              -- attached data: the classification category
)`

// openPredicate selects the interactions an Interaction Server restores. State 9 is core's
// "completed" marker; it never reaches a Genesys column in practice, but is honoured like
// core.MemDatabase does.
const openPredicate = `completed_at IS NULL AND state <> 9`

// No index on state, on purpose. A partial index on the open rows was measured: it made Counts
// 3.5x and Open 2x faster on a million rows (35 vs 120 ms, 50 vs 115 ms) but cost a fifth of the
// write throughput (every interaction enters and leaves it), which is where a run spends its time.
// Counts and Open run once per report or restore; one scan of the table serves them.

var interactionColumns = []string{"id", "media_type", "queue", "state", "submitted_by", "received_at",
	"placed_in_queue_at", "submitted_to_router_at", "delivered_at", "assigned_to", "completed_at",
	"urs", "strategy", "category"}

// interactionsSchema is the interactions database. Version 0 had no attached data columns.
var interactionsSchema = &schema{
	kind:    "interactions",
	version: 1,
	create:  []string{interactionsDDL},
	migrations: map[int][]string{
		0: {
			`ALTER TABLE interactions ADD COLUMN strategy TEXT`,
			`ALTER TABLE interactions ADD COLUMN category TEXT`,
		},
	},
}

// ixnFile is one logical interactions database: its file, and the one ordered queue of writes
// every DAP handle of it feeds. Sharing the queue is what keeps an interaction's successive rows
// in order when the IS sends them through successive DAPs.
type ixnFile struct {
	*sqliteFile
	name string

	mu     sync.Mutex
	batch  []core.Row      // accepted, not yet committed
	at     map[int64]int32 // ID -> position in batch
	rows   int             // Options.BatchRows
	due    int             // commit when the batch holds this many rows (more after a failed commit)
	up     *upsert
	boxes  map[string]driver.Value // see box
	closed bool
}

func openInteractions(path, name string, o *Options) (*ixnFile, error) {
	sf, err := openFile(path, interactionsSchema, name, o)
	if err != nil {
		return nil, err
	}
	return &ixnFile{
		sqliteFile: sf, name: name,
		batch: make([]core.Row, 0, o.batchRows()), at: make(map[int64]int32, o.batchRows()),
		rows: o.batchRows(), due: o.batchRows(),
		up:    newUpsert("interactions", "id", interactionColumns),
		boxes: map[string]driver.Value{},
	}, nil
}

// write queues r. A later write of the same ID replaces the queued row in place: the batch
// commits as one transaction, so no reader could have seen the earlier version, and the later
// row is the whole truth (core.Database.Write records whole rows). This is what lets a short-lived
// interaction's four rows (queued, in URS, with agent, completed) cost one SQLite write.
func (f *ixnFile) write(r *core.Row) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("write interaction %d to %s: %w", r.ID, f.path, ErrClosed)
	}
	if i, ok := f.at[r.ID]; ok {
		f.batch[i] = *r
		return nil
	}
	f.at[r.ID] = int32(len(f.batch))
	f.batch = append(f.batch, *r)
	if len(f.batch) >= f.due {
		return f.commitLocked()
	}
	return nil
}

func (f *ixnFile) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("flush %s: %w", f.path, ErrClosed)
	}
	return f.commitLocked()
}

// commitLocked writes the batch in one transaction. On failure the batch stays, whole and in
// order, and is retried on the next Flush or after another batch's worth of writes; the error is
// returned to the call that triggered the commit.
func (f *ixnFile) commitLocked() error {
	if len(f.batch) == 0 {
		return nil
	}
	err := f.tx(func(c *sqlite3.SQLiteConn) error {
		return f.up.write(c, len(f.batch), f.fill)
	})
	if err != nil {
		f.due = len(f.batch) + f.rows
		return fmt.Errorf("commit %d interactions to %s: %w", len(f.batch), f.path, err)
	}
	clear(f.batch) // drop the strings
	f.batch = f.batch[:0]
	clear(f.at)
	f.due = f.rows
	return nil
}

func (f *ixnFile) fill(i int, dst []driver.NamedValue) {
	r := &f.batch[i]
	dst[0].Value = r.ID
	dst[1].Value = f.box(r.Media)
	dst[2].Value = f.box(r.Queue)
	dst[3].Value = int64(r.State)
	dst[4].Value = f.box(r.SubmittedBy)
	dst[5].Value = seconds(r.ReceivedAt)
	dst[6].Value = seconds(r.PlacedInQueueAt)
	dst[7].Value = seconds(r.SubmittedToRouterAt)
	dst[8].Value = seconds(r.DeliveredAt)
	dst[9].Value = f.box(r.AssignedTo)
	dst[10].Value = seconds(r.CompletedAt)
	dst[11].Value = f.box(r.URS)
	dst[12].Value = f.box(r.Strategy)
	dst[13].Value = f.box(r.Category)
}

// box is the string as a driver value, NULL for "not set". The strings are the scenario's names
// (media, queues, applications, agents, strategies, categories), a few hundred at most: boxing
// each once instead of per row took a tenth off the write path's CPU.
func (f *ixnFile) box(s string) driver.Value {
	if s == "" {
		return nil
	}
	if v, ok := f.boxes[s]; ok {
		return v
	}
	if len(f.boxes) >= 4096 { // not a scenario's names after all: stay bounded
		clear(f.boxes)
	}
	var v driver.Value = s
	f.boxes[s] = v
	return v
}

// seconds converts virtual nanoseconds to the REAL seconds of the table; 0 (not set) is NULL.
func seconds(ns int64) driver.Value {
	if ns == 0 {
		return nil
	}
	return float64(ns) / 1e9
}

func nanos(s sql.NullFloat64) int64 {
	if !s.Valid {
		return 0
	}
	return secondsToNanos(s.Float64)
}

// secondsToNanos inverts seconds exactly wherever seconds is one-to-one (below 2^52 ns): the
// product s*1e9 can be off by one after rounding, so the neighbour that converts back to s wins.
func secondsToNanos(s float64) int64 {
	n := int64(math.Round(s * 1e9))
	for _, c := range [...]int64{n, n - 1, n + 1} {
		if float64(c)/1e9 == s {
			return c
		}
	}
	return n
}

const selectOpen = `SELECT id, media_type, queue, state, submitted_by, received_at, placed_in_queue_at,
	submitted_to_router_at, delivered_at, assigned_to, completed_at, urs, strategy, category
	FROM interactions WHERE ` + openPredicate + ` ORDER BY id`

// open calls fn for every open row, in ID order, from committed data. fn runs without the file's
// lock held, so it may write; the *Row is reused and valid only during the call.
func (f *ixnFile) open(fn func(*core.Row)) error {
	if err := f.flush(); err != nil {
		return err
	}
	rows, err := f.r.Query(selectOpen)
	if err != nil {
		return fmt.Errorf("read %s: %w", f.path, err)
	}
	defer rows.Close()
	var (
		r                                                   core.Row
		state                                               int64
		media, queue, by, assigned, urs, strategy, category sql.NullString
		received, placed, toRouter, delivered, completed    sql.NullFloat64
	)
	for rows.Next() {
		err := rows.Scan(&r.ID, &media, &queue, &state, &by, &received, &placed, &toRouter,
			&delivered, &assigned, &completed, &urs, &strategy, &category)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.path, err)
		}
		r = core.Row{
			ID: r.ID, Media: media.String, Queue: queue.String, State: uint8(state),
			SubmittedBy: by.String, ReceivedAt: nanos(received), PlacedInQueueAt: nanos(placed),
			SubmittedToRouterAt: nanos(toRouter), DeliveredAt: nanos(delivered),
			AssignedTo: assigned.String, CompletedAt: nanos(completed), URS: urs.String,
			Strategy: strategy.String, Category: category.String,
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
	count(*) FILTER (WHERE NOT (` + openPredicate + `))
	FROM interactions`

func (f *ixnFile) readCounts() (c core.Counts, err error) {
	err = f.r.QueryRow(countsQuery).Scan(&c.Rows, &c.Queued, &c.InURS, &c.WithAgent, &c.Completed)
	return c, err
}

func (f *ixnFile) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	err := f.commitLocked()
	f.closed = true
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
