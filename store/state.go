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
	"sync"
	"time"

	"github.com/ixlb/ixlb/core"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// stateFileName is the console and run state of a data directory. No logical database may take
// its name.
const stateFileName = "ixlb.db"

// stateSchema is the console/run state: which scenario the directory belongs to, where the run
// stands, what operators did and the event log. Version 1 kept one row per event in a table
// events(seq, t, kind, line); version 2 keeps chunks of lines (events.go) and a view of that name;
// version 3 compresses the chunks (sqlar layout: size and data instead of lines).
//
// Pages are SQLite's default 4 KiB. Version 2 files were made with 16 KiB pages, which suited
// text chunks of 64 KiB; a compressed chunk of about 20 KiB fills a 16 KiB page and most of
// another, while 4 KiB pages leave at most one partly used page a chunk. An existing file keeps
// its page size.
var stateSchema = &schema{
	kind:    "state",
	version: 3,
	create: []string{
		`CREATE TABLE scenario (
			id          INTEGER PRIMARY KEY CHECK (id = 1), -- one row: the directory's scenario
			name        TEXT NOT NULL,
			sha256      TEXT NOT NULL,                     -- hex, of the scenario file's bytes
			recorded_at TEXT NOT NULL
		)`,
		// virtual_time_ns, seed (decimal text: a uint64), events, resume (the engine's BLOB).
		`CREATE TABLE run_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID`,
		`CREATE TABLE actions (
			seq    INTEGER PRIMARY KEY,
			t      REAL NOT NULL,  -- virtual seconds
			kind   TEXT NOT NULL,
			action TEXT NOT NULL   -- JSON
		)`,
		eventChunksDDL,
		eventsViewDDL,
	},
	migrations: map[int][]string{1: migrateEventsToChunks, 2: migrateChunksToSqlar},
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

	// Owned by the committer goroutine (or by whoever holds mu while it is idle).
	spare *stateBatch // the last committed batch, cleared: the next cur
	retry *stateBatch // a failed commit's batch
	codec codec       // compresses the event log's chunks
}

func openState(path string, o *Options, files func() []*ixnFile) (*stateFile, error) {
	sf, err := openFile(path, stateSchema, "ixlb", o)
	if err != nil {
		return nil, err
	}
	st := &stateFile{sqliteFile: sf, files: files, cur: &stateBatch{}, lines: o.batchLines()}
	st.c.start(&st.mu, st.take)
	return st, nil
}

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
	st.cur.add(seq, t, line) // copies: line is reused by the caller
	if n := st.cur.lines; n >= st.lines {
		if n >= maxPending*st.lines {
			st.c.waitTaken()
		} else {
			st.c.request(true)
		}
	}
}

// take swaps in an empty batch and asks every interaction database to commit the rows accepted
// so far: the tickets the state's commit waits for (committer goroutine, st.mu held).
func (st *stateFile) take() func() error {
	b := st.cur
	st.cur, st.spare = st.spare, nil
	if st.cur == nil {
		st.cur = &stateBatch{}
	}
	var errs []error
	for _, f := range st.files() {
		t, err := f.request()
		if err != nil {
			if !errors.Is(err, ErrClosed) {
				errs = append(errs, err)
			}
			continue
		}
		b.tickets = append(b.tickets, fileTicket{f, t})
	}
	return func() error { return st.commit(b, errors.Join(errs...)) }
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
	t := st.c.request(true) // even with no state pending: the databases' rows are
	if !wait {
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
// Committer goroutine only.
func (st *stateFile) commit(b *stateBatch, takeErr error) error {
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
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("not before the interaction databases: %w", err)
		}
		return nil
	}
	var err error
	if b.empty() {
		err = waitRows()
	} else {
		err = st.tx(func(c *sqlite3.SQLiteConn) error {
			if err := writeState(c, b, &st.codec); err != nil {
				return err
			}
			return waitRows()
		})
	}
	if err != nil {
		st.retry = b
		return fmt.Errorf("commit %s: %w", st.path, err)
	}
	st.recycle(b)
	return nil
}

func writeState(c *sqlite3.SQLiteConn, b *stateBatch, cd *codec) error {
	if err := writeChunks(c, b, cd); err != nil {
		return err
	}
	for _, a := range b.actions {
		_, err := c.Exec(`INSERT INTO actions(t, kind, action) VALUES (?, ?, ?)`,
			[]driver.Value{float64(a.t) / 1e9, a.kind, string(a.json)})
		if err != nil {
			return fmt.Errorf("insert action: %w", err)
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

func writeRun(c *sqlite3.SQLiteConn, rs *RunState) error {
	resume := rs.Resume
	if resume == nil {
		resume = []byte{} // a BLOB, not NULL
	}
	for _, kv := range []struct {
		k string
		v driver.Value
	}{
		{"virtual_time_ns", rs.VirtualTime},
		{"seed", strconv.FormatUint(rs.Seed, 10)},
		{"events", int64(rs.Events)},
		{"resume", resume},
	} {
		_, err := c.Exec(`INSERT INTO run_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			[]driver.Value{kv.k, kv.v})
		if err != nil {
			return err
		}
	}
	return nil
}

func (st *stateFile) saveRun(rs RunState) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("save run state: %w", ErrClosed)
	}
	rs.Resume = append([]byte(nil), rs.Resume...)
	st.cur.run = &rs
	return nil
}

func (st *stateFile) loadRun() (RunState, bool, error) {
	st.settle()
	var rs RunState
	rows, err := st.r.Query(`SELECT key, value FROM run_state`)
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
	err := st.tx(func(c *sqlite3.SQLiteConn) error {
		if err := dropChunksFrom(c, from, &st.codec); err != nil {
			return err
		}
		_, err := c.Exec(`DELETE FROM actions WHERE t > ?`, []driver.Value{float64(t) / 1e9})
		return err
	})
	if err != nil {
		return fmt.Errorf("rewind %s: %w", st.path, err)
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

func (st *stateFile) recordAction(t int64, a core.Action) error {
	b, err := json.Marshal(actionJSON{Kind: a.Kind.String(), App: a.App, Strategy: a.Strategy, URS: a.URS,
		Section: a.Section, Option: a.Option, Value: a.Value, Database: a.Database, Cluster: a.Cluster})
	if err != nil {
		return fmt.Errorf("record action %s: %w", a.Kind, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("record action %s: %w", a.Kind, ErrClosed)
	}
	st.cur.actions = append(st.cur.actions, pendingAction{t: t, kind: a.Kind.String(), json: b})
	return nil
}

func (st *stateFile) readActions(fn func(t int64, a core.Action) error) error {
	st.settle()
	rows, err := st.r.Query(`SELECT t, action FROM actions ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read actions from %s: %w", st.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t float64
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
		if err := fn(secondsToNanos(t), a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read actions from %s: %w", st.path, err)
	}
	return nil
}

// ScenarioMismatchError says the data directory belongs to another scenario (or to another
// version of the scenario file).
type ScenarioMismatchError struct {
	Dir          string
	Name, SHA256 string // recorded in the directory
	WantName     string // asked for
	WantSHA256   string
}

func (e *ScenarioMismatchError) Error() string {
	if e.Name != e.WantName {
		return fmt.Sprintf("data directory %s belongs to scenario %q (sha256 %s), not %q (sha256 %s): use another data directory",
			e.Dir, e.Name, short(e.SHA256), e.WantName, short(e.WantSHA256))
	}
	return fmt.Sprintf("data directory %s holds scenario %q from a different file (sha256 %s, this file %s): use another data directory",
		e.Dir, e.Name, short(e.SHA256), short(e.WantSHA256))
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12] + "…"
	}
	return sha
}

// checkScenario records the scenario on first use and compares it afterwards, in one IMMEDIATE
// transaction so two processes cannot both claim an empty directory.
func (st *stateFile) checkScenario(dir, name, sha string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("check scenario: %w", ErrClosed)
	}
	var mismatch error
	st.c.idle() // the writer connection is the committer's otherwise
	err := st.tx(func(c *sqlite3.SQLiteConn) error {
		rows, err := c.Query(`SELECT name, sha256 FROM scenario WHERE id = 1`, nil)
		if err != nil {
			return err
		}
		dest := make([]driver.Value, 2)
		err = rows.Next(dest)
		rows.Close()
		switch {
		case err == io.EOF:
			_, err = c.Exec(`INSERT INTO scenario(id, name, sha256, recorded_at) VALUES (1, ?, ?, ?)`,
				[]driver.Value{name, sha, time.Now().UTC().Format(time.RFC3339)})
			return err
		case err != nil:
			return err
		}
		if got, gotSHA := asString(dest[0]), asString(dest[1]); got != name || gotSHA != sha {
			mismatch = &ScenarioMismatchError{Dir: dir, Name: got, SHA256: gotSHA, WantName: name, WantSHA256: sha}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check scenario in %s: %w", st.path, err)
	}
	return mismatch
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
	return st.sqliteFile.close()
}
