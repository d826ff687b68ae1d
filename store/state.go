package store

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ixlb/ixlb/core"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// stateFileName is the console and run state of a data directory. No logical database may take
// its name.
const stateFileName = "ixlb.db"

// stateSchema is the console/run state: which scenario the directory belongs to, where the run
// stands, what operators did, the event log and the interaction databases the session made.
// Version 1 kept one row per event in a table events(seq, t, kind, line); version 2 keeps chunks
// of lines (events.go) and a view of that name; version 3 compresses the chunks (sqlar layout:
// size and data instead of lines); version 4 keeps times as INTEGER nanoseconds (exact, as the
// interactions do), the scenario's seed and content digest apart (so a mismatch can say which
// changed), and the databases table; version 5 keeps the log's chain of hashes beside each chunk
// (logchain.go: a resume checks the stored log without inflating it).
//
// Pages are SQLite's default 4 KiB. Version 2 files were made with 16 KiB pages, which suited
// text chunks of 64 KiB; a compressed chunk of about 20 KiB fills a 16 KiB page and most of
// another, while 4 KiB pages leave at most one partly used page a chunk. An existing file keeps
// its page size.
var stateSchema = &schema{
	kind:    "state",
	version: 5,
	create: []string{
		`CREATE TABLE scenario (
			id             INTEGER PRIMARY KEY CHECK (id = 1), -- one row: the directory's scenario
			name           TEXT NOT NULL,
			sha256         TEXT NOT NULL, -- hex, of the scenario's content and seed
			recorded_at    TEXT NOT NULL,
			seed           TEXT,          -- decimal (a uint64)
			content_sha256 TEXT           -- hex, of the scenario's content without its seed
		)`,
		// virtual_time_ns, seed (decimal text: a uint64), events, resume (the engine's BLOB).
		`CREATE TABLE run_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID`,
		actionsDDL,
		eventChunksDDL,
		eventsViewDDL,
		databasesDDL,
	},
	migrations: map[int][]string{1: migrateEventsToChunks, 2: migrateChunksToSqlar, 3: migrateTimesToNanos, 4: migrateChunkHashes},
}

const (
	actionsDDL = `CREATE TABLE actions (
			seq    INTEGER PRIMARY KEY,
			t      INTEGER NOT NULL, -- virtual nanoseconds
			kind   TEXT NOT NULL,
			action TEXT NOT NULL     -- JSON
		)`
	// databasesDDL lists the interaction databases this session made, by identity: a database
	// file the journal does not name yet (made after the last saved state) is the session's own
	// when it is listed here, and a stranger's otherwise. A database is listed before any of its
	// rows is committed.
	databasesDDL = `CREATE TABLE databases (
			name       TEXT PRIMARY KEY,
			identity   TEXT NOT NULL,
			created_at TEXT NOT NULL
		) WITHOUT ROWID`
)

// migrateTimesToNanos makes the times of a version 3 state file INTEGER nanoseconds, and adds
// what version 4 keeps beside them.
var migrateTimesToNanos = []string{
	`ALTER TABLE actions RENAME TO actions_v3`,
	actionsDDL,
	`INSERT INTO actions(seq, t, kind, action) SELECT seq, ixlb_ns(t), kind, action FROM actions_v3`,
	`DROP TABLE actions_v3`,
	`DROP VIEW events`,
	`ALTER TABLE event_chunks RENAME TO event_chunks_v3`,
	eventChunksDDLv4,
	`INSERT INTO event_chunks(first_seq, last_seq, first_t, last_t, size, data)
		SELECT first_seq, last_seq, ixlb_ns(first_t), ixlb_ns(last_t), size, data FROM event_chunks_v3`,
	`DROP TABLE event_chunks_v3`,
	eventsViewDDL,
	`ALTER TABLE scenario ADD COLUMN seed TEXT`,
	`ALTER TABLE scenario ADD COLUMN content_sha256 TEXT`,
	databasesDDL,
}

// migrateChunkHashes adds the chain of hashes to a version 4 state file. Its chunks keep NULL: a
// resume checks them by reading their lines, as before.
var migrateChunkHashes = []string{
	`ALTER TABLE event_chunks ADD COLUMN log_sha256 BLOB`,
	`ALTER TABLE event_chunks ADD COLUMN data_sha256 BLOB`,
}

// RunState is where a run stands, saved with SaveRun and written by the next Commit.
type RunState struct {
	VirtualTime int64  // virtual nanoseconds
	Seed        uint64 //
	Events      uint64 // events emitted so far
	Resume      []byte // the engine's serialized resume state
}

// EventLine is one stored event log line.
type EventLine struct {
	Seq  uint64
	T    int64 // virtual nanoseconds
	Kind string
	Line string
}

type pendingAction struct {
	t    int64
	kind string
	json []byte
}

// stateFile is DIR/ixlb.db with its pending writes: event lines, operator actions, run state.
//
// When its committer takes the pending batch (after a Commit, or when enough lines are pending),
// it asks every interaction database to commit what it holds at that moment and waits for those
// commits before it commits the state: the state never claims more than the databases hold, even
// after a crash between the two.
type stateFile struct {
	*sqliteFile
	files func() []*ixnFile // the store's interaction databases, in name order

	mu       sync.Mutex
	c        committer
	cur      *stateBatch
	lines    int   // event lines after which a commit is asked for
	eventErr error // why Event dropped a line, for Err
	closed   bool
	lastBG   uint64 // the ticket of the last background commit (CommitBackground)

	seal *sealer // hashes and compresses full chunks, in order

	// Owned by the committer goroutine (or by whoever holds mu while it is idle).
	spare *stateBatch // the last committed batch, cleared: the next cur
	retry *stateBatch // a failed commit's batch
	codec codec       // compresses the event log's chunks when the sealer did not
	mark  logMark     // the committed log's last line and hash state

	tail atomic.Pointer[logMark] // mark, for the sealer to pick up after a gap
	// journaled: a run state is committed, so event lines may be committed ahead of the next
	// one (a resume rewinds them); before it, they wait for it.
	journaled atomic.Bool

	// What the session's first write does before it (mu held): the file is only looked at until
	// then, so a session refused after it was opened has changed nothing (see sqliteFile).
	pending         bool
	pendingScenario *ScenarioID // a new session's scenario row
	pendingRewind   *rewindTo   // RewindLater's cut
}

// rewindTo is where a history is cut: the event lines after seq, the actions after t.
type rewindTo struct {
	seq uint64
	t   int64
}

func openState(path string, o *Options, files func() []*ixnFile) (*stateFile, error) {
	sf, err := openFile(path, stateSchema, "ixlb", o)
	if err != nil {
		return nil, err
	}
	st := &stateFile{sqliteFile: sf, files: files, cur: &stateBatch{}, lines: o.batchLines()}
	err = sf.rawRead(func(c *sqlite3.SQLiteConn) (err error) {
		if st.mark, err = tailMark(c); err != nil {
			return err
		}
		rows, err := c.Query(`SELECT count(*) FROM run_state`, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		dest := make([]driver.Value, 1)
		if err := rows.Next(dest); err != nil {
			return err
		}
		n, _ := dest[0].(int64)
		st.journaled.Store(n > 0)
		return nil
	})
	if err != nil {
		sf.close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	st.publish()
	st.seal = newSealer(st.mark, func() logMark { return *st.tail.Load() })
	st.c.start(&st.mu, st.take)
	return st, nil
}

// publish makes the committed mark the sealer's to resync from.
func (st *stateFile) publish() {
	m := st.mark
	st.tail.Store(&m)
}

// sealChunk hands a chunk to the sealer (mu held).
func (st *stateFile) sealChunk(c *chunk) { st.seal.submit(sealJob{c: c}) }

// event queues one event line and asks for a commit when enough are pending.
func (st *stateFile) event(seq uint64, t int64, line []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.closed:
		st.eventErr = fmt.Errorf("event %d: %w", seq, ErrClosed)
		return
	case bytes.IndexByte(line, '\n') >= 0:
		// Lines are JSON, which has no raw newline; the chunks are split on them.
		st.eventErr = fmt.Errorf("event %d: line contains a newline: not stored", seq)
		return
	}
	if st.pending {
		if err := st.firstWrite(); err != nil {
			st.eventErr = fmt.Errorf("event %d: %w", seq, err)
			return
		}
	}
	st.cur.add(seq, t, line, st.sealChunk) // copies: line is reused by the caller
	// Lines are committed on their own only once a run state is (or goes with them): a log
	// without a journal is one whose journal was lost, and a session refuses it.
	if n := st.cur.lines; n >= st.lines && (st.cur.run != nil || st.journaled.Load()) {
		if serial {
			st.c.wait(st.c.request(true), false) // the commit's error is the next call's to report
		} else if n >= maxPending*st.lines {
			st.c.waitTaken()
		} else {
			st.c.request(true)
		}
	}
}

// take swaps in an empty batch and asks every interaction database to commit the rows accepted
// so far: the tickets the state's commit waits for (committer goroutine, st.mu held). In the
// crash-point walk's serial order the databases are asked later, one after another (commit).
func (st *stateFile) take() func() error {
	b := st.cur
	b.sealOpen(st.sealChunk)
	st.cur, st.spare = st.spare, nil
	if st.cur == nil {
		st.cur = &stateBatch{}
	}
	files := st.files()
	if serial {
		return func() error { return st.commit(b, nil, files) }
	}
	var errs []error
	for _, f := range files {
		t, err := f.request()
		if err != nil {
			if !errors.Is(err, ErrClosed) {
				errs = append(errs, err)
			}
			continue
		}
		b.tickets = append(b.tickets, fileTicket{f, t})
	}
	return func() error { return st.commit(b, errors.Join(errs...), nil) }
}

// commitAll asks for everything pending to be committed: the interaction databases' rows first,
// then the state (event lines, operator actions, run state), which is committed only if every
// database committed. With wait it returns the outcome; without, a failure of an earlier
// background commit that no call has reported yet.
func (st *stateFile) commitAll(wait bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("commit %s: %w", st.path, ErrClosed)
	}
	if !wait && !serial && st.lastBG > 0 {
		// The save before this one must be in first: what waits for SQLite (rows, sealed
		// chunks) is then at most two saves' worth, however far the engine could run ahead of
		// SQLite — which it does as the files grow (a run eight times as long held twice the
		// rows in memory before this).
		st.c.wait(st.lastBG, false) // its failure is reported below, or by the next call
	}
	t := st.c.request(true) // even with no state pending: the databases' rows are
	if !wait && !serial {
		st.lastBG = t
		return st.c.takeUnseen()
	}
	return st.c.wait(t, true)
}

// settle waits for the commits asked for so far, so that a read sees what the caller committed.
func (st *stateFile) settle() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.c.wait(max(st.c.want, st.c.taken), false) // a failure is the committer's to report
}

// commit writes b, after a failed batch's retry, and commits it once the interaction batches it
// depends on are committed; on failure the batch is kept for the next one. The writes go first,
// in the open transaction, so that SQLite works on both files at once (a Commit waits for the
// slower of the two, not for both in turn); nothing of it is visible before the rows are in.
// In the serial order (serial: the crash-point walk) the databases given in inTurn commit first,
// one after another, and then the state. Committer goroutine only.
func (st *stateFile) commit(b *stateBatch, takeErr error, inTurn []*ixnFile) error {
	tickets := b.tickets
	b.tickets = nil
	if st.retry != nil {
		st.retry.merge(b)
		st.recycle(b)
		b, st.retry = st.retry, nil
	}
	waitRows := func() error {
		errs := []error{takeErr}
		for _, ft := range tickets {
			errs = append(errs, ft.f.waitFor(ft.t))
		}
		for _, f := range inTurn {
			if err := f.flush(); err != nil && !errors.Is(err, ErrClosed) {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("the interaction databases did not commit: %w", err)
		}
		return nil
	}
	var err error
	mark := st.mark
	write := func(c wconn) (err error) {
		mark, err = writeState(c, b, &st.codec, st.mark)
		return err
	}
	switch {
	case b.empty():
		err = waitRows()
	case serial:
		if err = waitRows(); err == nil {
			err = st.tx(write)
		}
	default:
		err = st.tx(func(c wconn) error {
			if err := write(c); err != nil {
				return err
			}
			return waitRows()
		})
	}
	if err != nil {
		st.retry = b
		return fmt.Errorf("commit %s: %w", st.path, err)
	}
	st.mark = mark
	st.publish()
	if b.run != nil {
		st.journaled.Store(true)
	}
	st.recycle(b)
	return nil
}

func writeState(c wconn, b *stateBatch, cd *codec, m logMark) (logMark, error) {
	m, err := writeChunks(c, b, cd, m)
	if err != nil {
		return m, err
	}
	return m, writeRest(c, b)
}

// writeRest writes the batch's operator actions and run state.
func writeRest(c wconn, b *stateBatch) error {
	if len(b.actions) > 0 {
		// One statement for the batch's actions (the console's few at a time).
		q := `INSERT INTO actions(t, kind, action) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(b.actions)), ",")
		args := make([]driver.Value, 0, 3*len(b.actions))
		for _, a := range b.actions {
			args = append(args, a.t, a.kind, string(a.json))
		}
		if err := c.exec(q, args...); err != nil {
			return fmt.Errorf("insert actions: %w", err)
		}
	}
	if b.run != nil {
		if err := writeRun(c, b.run); err != nil {
			return fmt.Errorf("write run state: %w", err)
		}
	}
	return nil
}

func (st *stateFile) recycle(b *stateBatch) {
	b.reset()
	st.spare = b
}

// writeRun writes the run state in one statement.
func writeRun(c wconn, rs *RunState) error {
	resume := rs.Resume
	if resume == nil {
		resume = []byte{} // a BLOB, not NULL
	}
	return c.exec(`INSERT INTO run_state(key, value) VALUES ('virtual_time_ns', ?), ('seed', ?), ('events', ?), ('resume', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		rs.VirtualTime, strconv.FormatUint(rs.Seed, 10), int64(rs.Events), resume)
}

func (st *stateFile) saveRun(rs RunState) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("save run state: %w", ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return fmt.Errorf("save run state: %w", err)
	}
	rs.Resume = append([]byte(nil), rs.Resume...)
	st.cur.run = &rs
	return nil
}

func (st *stateFile) loadRun() (RunState, bool, error) {
	st.settle()
	var rs RunState
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT key, value FROM run_state`)
	if err != nil {
		return rs, false, fmt.Errorf("read run state from %s: %w", st.path, err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var k string
		var v any
		if err := rows.Scan(&k, &v); err != nil {
			return rs, false, fmt.Errorf("read run state from %s: %w", st.path, err)
		}
		found = true
		switch k {
		case "virtual_time_ns":
			rs.VirtualTime, _ = v.(int64)
		case "events":
			n, _ := v.(int64)
			rs.Events = uint64(n)
		case "seed":
			rs.Seed, err = strconv.ParseUint(asString(v), 10, 64)
			if err != nil {
				return rs, false, fmt.Errorf("read run state from %s: seed: %w", st.path, err)
			}
		case "resume":
			b, _ := v.([]byte)
			rs.Resume = append([]byte(nil), b...)
		}
	}
	if err := rows.Err(); err != nil {
		return rs, false, fmt.Errorf("read run state from %s: %w", st.path, err)
	}
	return rs, found, nil
}

// rewind drops the event lines after seq and the actions after virtual time t: pending, waiting
// for a retry, or committed.
func (st *stateFile) rewind(seq uint64, t int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("rewind %s: %w", st.path, ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return fmt.Errorf("rewind %s: %w", st.path, err)
	}
	return st.rewindLocked(seq, t)
}

// rewindLater is rewind done by the first write (see pending): the lines after seq are not read
// meanwhile (events, lastEvents).
func (st *stateFile) rewindLater(seq uint64, t int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("rewind %s: %w", st.path, ErrClosed)
	}
	st.pendingRewind, st.pending = &rewindTo{seq, t}, true
	return nil
}

// visibleTo is the last line a reader may see: all of them, but after rewindLater.
func (st *stateFile) visibleTo() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pendingRewind != nil {
		return st.pendingRewind.seq
	}
	return math.MaxUint64
}

// firstWrite does what waits for the session's first write (pending), mu held: the file made
// writable, a new session's scenario row, the cut of RewindLater.
func (st *stateFile) firstWrite() error {
	if !st.pending {
		return nil
	}
	st.c.idle() // the writer connection is the committer's otherwise
	if id := st.pendingScenario; id != nil {
		err := st.tx(func(c wconn) error {
			return c.exec(`INSERT INTO scenario(id, name, sha256, recorded_at, seed, content_sha256) VALUES (1, ?, ?, ?, ?, ?)`,
				id.Name, id.SHA256, time.Now().UTC().Format(time.RFC3339), strconv.FormatUint(id.Seed, 10), id.Content)
		})
		if err != nil {
			return fmt.Errorf("record the scenario in %s: %w", st.path, err)
		}
		st.pendingScenario = nil
	}
	if r := st.pendingRewind; r != nil {
		if err := st.rewindLocked(r.seq, r.t); err != nil {
			return err
		}
		st.pendingRewind = nil
	}
	st.pending = false
	return nil
}

// ready makes the file writable and does what waits for the first write (pending): before an
// interaction database is first written, the journal is there.
func (st *stateFile) ready() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("open %s: %w", st.path, ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return err
	}
	st.c.idle()
	_, err := st.writable()
	return err
}

// rewindLocked is rewind with mu held.
func (st *stateFile) rewindLocked(seq uint64, t int64) error {
	// With the committer idle, the batches asked for before are in the file (or in the retry),
	// and it cannot start another while mu is held.
	st.c.idle()
	from := min(seq, math.MaxInt64-1) + 1 // seqs are stored as SQLite integers

	for _, b := range []*stateBatch{st.cur, st.retry} {
		if b != nil {
			b.dropFrom(from)
			b.actions = dropActionsAfter(b.actions, t)
		}
	}
	for _, c := range st.cur.chunks {
		c.wait() // the sealer is past them: its state can be reset
	}
	mark := st.mark
	err := st.tx(func(c wconn) (err error) {
		if mark, err = dropChunksFrom(c, from, &st.codec); err != nil {
			return err
		}
		return c.exec(`DELETE FROM actions WHERE t > ?`, t)
	})
	if err != nil {
		return fmt.Errorf("rewind %s: %w", st.path, err)
	}
	st.mark = mark
	st.publish()
	// The pending lines, if any, follow the rewound log: the sealer hashes on from its end.
	m := mark
	if n := len(st.cur.chunks); n > 0 {
		m = logMark{seq: st.cur.chunks[n-1].last} // unknown: the committer hashes them
	}
	st.seal.submit(sealJob{reset: &m})
	return nil
}

// branchTo is what a branch makes the saved history: the event lines after kept and the actions
// after run.VirtualTime dropped, then batch's lines and actions (the branch's own, at the instant)
// and run, the journal after them. logHash is the hash state the log must have through the
// batch's lines: the journal's.
type branchTo struct {
	kept    uint64
	batch   *stateBatch
	run     RunState
	logHash []byte
}

// branch cuts the history as rewind does and writes the branch's event lines, its actions' records
// and its run state, all in one transaction: a crash leaves the journal as it was before the
// branch or as the branch with its actions, never the log cut under the old run state (which no
// open accepts) nor the branch without what it was made for. Everything written before must be
// committed (Store.Commit): a pending line or action would otherwise go in with the cut, or be
// lost with it.
func (st *stateFile) branch(to branchTo) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.quiet("branch"); err != nil {
		return err
	}
	b := to.batch
	defer b.reset()
	b.run = &to.run
	from := min(to.kept, math.MaxInt64-1) + 1 // seqs are stored as SQLite integers
	mark := st.mark
	err := st.tx(func(c wconn) (err error) {
		if mark, err = dropChunksFrom(c, from, &st.codec); err != nil {
			return err
		}
		if err := c.exec(`DELETE FROM actions WHERE t > ?`, to.run.VirtualTime); err != nil {
			return err
		}
		if mark, err = writeState(c, b, &st.codec, mark); err != nil {
			return err
		}
		// The lines are the journal's: a log that does not hash to it would be refused by the
		// next open, so it is refused here, before anything is committed.
		if mark.seq != to.run.Events || mark.known() && to.logHash != nil && !bytes.Equal(mark.state, to.logHash) {
			return fmt.Errorf("the branch's event log (%d events) does not agree with its journal (%d events)", mark.seq, to.run.Events)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("branch %s: %w", st.path, err)
	}
	st.mark = mark
	st.publish()
	st.journaled.Store(true)
	m := mark
	st.seal.submit(sealJob{reset: &m}) // the lines to come follow the branch's
	return nil
}

// branchBatch is the batch of a branch's own writes: the event lines of events (seqs kept+1 on,
// one after another) and the records of actions applied at t. Its chunks are not the sealer's:
// the committer's writer hashes and compresses them (writeChunks).
func branchBatch(kept uint64, events []core.Event, t int64, actions []core.Action) (*stateBatch, error) {
	b := &stateBatch{}
	seal := func(c *chunk) {
		c.size, c.data = int64(len(c.text)), c.text
		c.sealed = make(chan struct{})
		close(c.sealed)
	}
	var line []byte
	for i := range events {
		ev := &events[i]
		if ev.Seq != kept+uint64(i)+1 {
			b.reset()
			return nil, fmt.Errorf("event %d of the branch has seq %d, not %d", i+1, ev.Seq, kept+uint64(i)+1)
		}
		line = ev.AppendJSON(line[:0])
		b.add(ev.Seq, ev.T, line, seal)
	}
	b.sealOpen(seal)
	for _, a := range actions {
		rec, err := actionRecord(t, a)
		if err != nil {
			b.reset()
			return nil, err
		}
		b.actions = append(b.actions, rec)
	}
	return b, nil
}

// quiet readies the file for a transaction of its own outside the batches (mu held): open, the
// session's first write done, the committer idle and nothing pending — everything written before
// committed (Store.Commit), so nothing goes in with it or is lost by it. what names the write in
// the error.
func (st *stateFile) quiet(what string) error {
	if st.closed {
		return fmt.Errorf("%s %s: %w", what, st.path, ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return fmt.Errorf("%s %s: %w", what, st.path, err)
	}
	st.c.idle()
	if st.retry != nil || !st.cur.empty() {
		return fmt.Errorf("%s %s: writes of the session are not committed yet", what, st.path)
	}
	return nil
}

func dropActionsAfter(actions []pendingAction, t int64) []pendingAction {
	kept := actions[:0]
	for _, a := range actions {
		if a.t <= t {
			kept = append(kept, a)
		}
	}
	return kept
}

// actionJSON is how an operator action is kept: kind by name, only the fields it uses.
type actionJSON struct {
	Kind     string   `json:"kind"`
	App      string   `json:"app,omitempty"`
	Strategy string   `json:"strategy,omitempty"`
	URS      []string `json:"urs,omitempty"`
	Section  string   `json:"section,omitempty"`
	Option   string   `json:"option,omitempty"`
	Value    string   `json:"value,omitempty"`
	Database string   `json:"database,omitempty"`
	Cluster  string   `json:"cluster,omitempty"`
}

// actionRecord is how an operator action applied at t is kept in the actions table.
func actionRecord(t int64, a core.Action) (pendingAction, error) {
	b, err := json.Marshal(actionJSON{Kind: a.Kind.String(), App: a.App, Strategy: a.Strategy, URS: a.URS,
		Section: a.Section, Option: a.Option, Value: a.Value, Database: a.Database, Cluster: a.Cluster})
	if err != nil {
		return pendingAction{}, fmt.Errorf("record action %s: %w", a.Kind, err)
	}
	return pendingAction{t: t, kind: a.Kind.String(), json: b}, nil
}

func (st *stateFile) recordAction(t int64, a core.Action) error {
	rec, err := actionRecord(t, a)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("record action %s: %w", a.Kind, ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return fmt.Errorf("record action %s: %w", a.Kind, err)
	}
	st.cur.actions = append(st.cur.actions, rec)
	return nil
}

func (st *stateFile) readActions(fn func(t int64, a core.Action) error) error {
	st.settle()
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT t, action FROM actions ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read actions from %s: %w", st.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t int64
		var js string
		if err := rows.Scan(&t, &js); err != nil {
			return fmt.Errorf("read actions from %s: %w", st.path, err)
		}
		var aj actionJSON
		if err := json.Unmarshal([]byte(js), &aj); err != nil {
			return fmt.Errorf("read actions from %s: %w", st.path, err)
		}
		k, ok := core.ParseActionKind(aj.Kind)
		if !ok {
			return fmt.Errorf("read actions from %s: unknown action kind %q", st.path, aj.Kind)
		}
		a := core.Action{Kind: k, App: aj.App, Strategy: aj.Strategy, URS: aj.URS, Section: aj.Section,
			Option: aj.Option, Value: aj.Value, Database: aj.Database, Cluster: aj.Cluster}
		if err := fn(t, a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read actions from %s: %w", st.path, err)
	}
	return nil
}

// ScenarioID identifies the scenario a data directory belongs to: its name, its seed, and digests
// of its parsed configuration (so a comment edit does not orphan a session) with and without the
// seed.
type ScenarioID struct {
	Name    string
	Seed    uint64
	SHA256  string // hex, of the configuration with its seed
	Content string // hex, of the configuration without its seed
}

// ScenarioMismatchError says the data directory belongs to another scenario, or to this one with
// another seed or content, and which.
type ScenarioMismatchError struct {
	Dir  string
	Have ScenarioID // recorded in the directory (a directory of an older ixlb has no Content)
	Want ScenarioID // asked for
}

func (e *ScenarioMismatchError) Error() string {
	h, w := e.Have, e.Want
	switch {
	case h.Name != w.Name:
		return fmt.Sprintf("data directory %s belongs to scenario %q, not %q: use another data directory", e.Dir, h.Name, w.Name)
	case h.Content == "":
		return fmt.Sprintf("data directory %s holds scenario %q with other content or another seed (sha256 %s, now %s): use another data directory",
			e.Dir, h.Name, short(h.SHA256), short(w.SHA256))
	case h.Content == w.Content:
		return fmt.Sprintf("data directory %s holds scenario %q run with seed %d, not seed %d: run it with --seed %d to continue it, or use another data directory",
			e.Dir, h.Name, h.Seed, w.Seed, h.Seed)
	case h.Seed != w.Seed:
		return fmt.Sprintf("data directory %s holds scenario %q run with seed %d, and the scenario's content has changed since that session began (sha256 %s, now %s); this run asks for seed %d: use another data directory",
			e.Dir, h.Name, h.Seed, short(h.Content), short(w.Content), w.Seed)
	}
	return fmt.Sprintf("data directory %s holds scenario %q, whose content has changed since that session began (sha256 %s, now %s; the seed %d is the same): use another data directory",
		e.Dir, h.Name, short(h.Content), short(w.Content), w.Seed)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12] + "…"
	}
	return sha
}

// checkScenario records the scenario on first use and compares it afterwards, in one IMMEDIATE
// transaction so two processes cannot both claim an empty directory.
func (st *stateFile) checkScenario(dir string, want ScenarioID) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("check scenario: %w", ErrClosed)
	}
	var have ScenarioID
	var ok bool
	err := st.rawRead(func(c *sqlite3.SQLiteConn) (err error) {
		have, ok, err = readScenario(c)
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("check scenario in %s: %w", st.path, err)
	case !ok:
		// Recorded by the session's first write: a session refused before has written nothing.
		st.pendingScenario, st.pending = &want, true
	case have.Name != want.Name || have.SHA256 != want.SHA256:
		return &ScenarioMismatchError{Dir: dir, Have: have, Want: want}
	}
	return nil
}

// readScenario reads the directory's scenario row; ok is false when there is none yet.
func readScenario(c *sqlite3.SQLiteConn) (id ScenarioID, ok bool, err error) {
	rows, err := c.Query(`SELECT name, sha256, coalesce(seed, ''), coalesce(content_sha256, '') FROM scenario WHERE id = 1`, nil)
	if err != nil {
		return id, false, err
	}
	defer rows.Close()
	dest := make([]driver.Value, 4)
	switch err := rows.Next(dest); {
	case err == io.EOF:
		return id, false, nil
	case err != nil:
		return id, false, err
	}
	id = ScenarioID{Name: asString(dest[0]), SHA256: asString(dest[1]), Content: asString(dest[3])}
	if s := asString(dest[2]); s != "" {
		if id.Seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			return id, false, fmt.Errorf("scenario seed %q: %w", s, err)
		}
	} else {
		id.Content = "" // without the seed, the content digest cannot be told apart either
	}
	return id, true, nil
}

// registerDatabase lists an interaction database as the session's own (databasesDDL), unless it
// is listed already with that identity.
func (st *stateFile) registerDatabase(name, identity string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("register database %s: %w", name, ErrClosed)
	}
	if err := st.firstWrite(); err != nil {
		return fmt.Errorf("register database %s: %w", name, err)
	}
	st.c.idle() // the writer connection is the committer's otherwise
	if _, err := st.writable(); err != nil {
		return fmt.Errorf("register database %s: %w", name, err)
	}
	known, err := st.databases(st.w)
	if err != nil {
		return fmt.Errorf("register database %s in %s: %w", name, st.path, err)
	}
	if known[name] == identity {
		return nil
	}
	err = st.tx(func(c wconn) error {
		return c.exec(`INSERT INTO databases(name, identity, created_at) VALUES (?, ?, ?)
			ON CONFLICT(name) DO UPDATE SET identity = excluded.identity, created_at = excluded.created_at`,
			name, identity, time.Now().UTC().Format(time.RFC3339))
	})
	if err != nil {
		return fmt.Errorf("register database %s in %s: %w", name, st.path, err)
	}
	return nil
}

// madeDatabases reads the committed databases table: the identity of each interaction database
// the session made, by name.
func (st *stateFile) madeDatabases() (map[string]string, error) {
	st.settle()
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT name, identity FROM databases`)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", st.path, err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var name, id string
		if err := rows.Scan(&name, &id); err != nil {
			return nil, fmt.Errorf("read %s: %w", st.path, err)
		}
		m[name] = id
	}
	return m, rows.Err()
}

// databases reads the databases table on the writer: identity by name.
func (st *stateFile) databases(c *sqlite3.SQLiteConn) (map[string]string, error) {
	return connPairs(c, `SELECT name, identity FROM databases`)
}

// close stops the committer and closes the file; the store has committed before.
func (st *stateFile) close() error {
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return nil
	}
	st.closed = true
	st.mu.Unlock()
	st.c.stop()
	st.seal.stop()
	return st.sqliteFile.close()
}
