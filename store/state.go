package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/ixlb/ixlb/core"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// stateFileName is the console and run state of a data directory. No logical database may take
// its name.
const stateFileName = "ixlb.db"

// stateSchema is the console/run state: which scenario the directory belongs to, where the run
// stands, what operators did and the event log.
var stateSchema = &schema{
	kind:    "state",
	version: 1,
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
		`CREATE TABLE events (
			seq  INTEGER PRIMARY KEY,
			t    REAL NOT NULL,    -- virtual seconds
			kind TEXT NOT NULL,
			line TEXT NOT NULL     -- the event log line (JSON, no newline)
		)`,
	},
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

type pendingEvent struct {
	seq      uint64
	t        int64
	kind     string
	off, end int // the line in arena
}

type pendingAction struct {
	t    int64
	kind string
	json []byte
}

// stateFile is DIR/ixlb.db with its pending writes: event lines, operator actions, run state.
type stateFile struct {
	*sqliteFile

	mu      sync.Mutex
	events  []pendingEvent
	arena   []byte // the pending events' lines, back to back
	actions []pendingAction
	run     *RunState
	rows    int
	due     int
	up      *upsert
	err     error // the last failed background commit (from Event), until a commit succeeds
	closed  bool
}

func openState(path string, o *Options) (*stateFile, error) {
	sf, err := openFile(path, stateSchema, "ixlb", o)
	if err != nil {
		return nil, err
	}
	return &stateFile{
		sqliteFile: sf, rows: o.batchRows(), due: o.batchRows(),
		events: make([]pendingEvent, 0, o.batchRows()),
		up:     newUpsert("events", "seq", []string{"seq", "t", "kind", "line"}),
	}, nil
}

// event queues one event line; a full batch commits, interaction databases first.
func (st *stateFile) event(e *core.Event, line []byte, flushFiles func() error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		st.err = fmt.Errorf("event %d: %w", e.Seq, ErrClosed)
		return
	}
	off := len(st.arena)
	st.arena = append(st.arena, line...) // line is reused by the caller
	st.events = append(st.events, pendingEvent{seq: e.Seq, t: e.T, kind: e.Kind.String(), off: off, end: len(st.arena)})
	if len(st.events) >= st.due {
		// Event has no error result: keep the error for Commit and Err.
		st.err = st.commitLocked(flushFiles)
	}
}

// commit writes everything pending: first the interaction databases, then, only if they all
// committed, the state. So the state never claims more than the databases hold, even after a
// crash between the two.
func (st *stateFile) commit(flushFiles func() error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("commit %s: %w", st.path, ErrClosed)
	}
	err := st.commitLocked(flushFiles)
	st.err = err
	return err
}

func (st *stateFile) commitLocked(flushFiles func() error) error {
	if err := flushFiles(); err != nil {
		st.due = len(st.events) + st.rows
		return err
	}
	if len(st.events) == 0 && len(st.actions) == 0 && st.run == nil {
		return nil
	}
	err := st.tx(func(c *sqlite3.SQLiteConn) error {
		if err := st.up.write(c, len(st.events), st.fillEvent); err != nil {
			return err
		}
		for _, a := range st.actions {
			_, err := c.Exec(`INSERT INTO actions(t, kind, action) VALUES (?, ?, ?)`,
				[]driver.Value{float64(a.t) / 1e9, a.kind, string(a.json)})
			if err != nil {
				return err
			}
		}
		if st.run != nil {
			return writeRun(c, st.run)
		}
		return nil
	})
	if err != nil {
		st.due = len(st.events) + st.rows
		return fmt.Errorf("commit %s: %w", st.path, err)
	}
	st.events, st.arena, st.actions, st.run = st.events[:0], st.arena[:0], st.actions[:0], nil
	st.due = st.rows
	return nil
}

func (st *stateFile) fillEvent(i int, dst []driver.NamedValue) {
	e := &st.events[i]
	dst[0].Value = int64(e.seq)
	dst[1].Value = float64(e.t) / 1e9
	dst[2].Value = e.kind
	// No copy: the driver copies the text into SQLite before the arena can change.
	line := ""
	if e.end > e.off {
		line = unsafe.String(&st.arena[e.off], e.end-e.off)
	}
	dst[3].Value = line
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
	st.run = &rs
	return nil
}

func (st *stateFile) loadRun() (RunState, bool, error) {
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

// rewind drops the event lines after seq and the actions after virtual time t, committed or not.
func (st *stateFile) rewind(seq uint64, t int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return fmt.Errorf("rewind %s: %w", st.path, ErrClosed)
	}
	events := st.events[:0] // the arena stays: the kept lines' offsets remain valid
	for _, e := range st.events {
		if e.seq <= seq {
			events = append(events, e)
		}
	}
	st.events = events
	actions := st.actions[:0]
	for _, a := range st.actions {
		if a.t <= t {
			actions = append(actions, a)
		}
	}
	st.actions = actions
	err := st.tx(func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(`DELETE FROM events WHERE seq > ?`, []driver.Value{int64(seq)}); err != nil {
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
	st.actions = append(st.actions, pendingAction{t: t, kind: a.Kind.String(), json: b})
	return nil
}

func (st *stateFile) readActions(fn func(t int64, a core.Action) error) error {
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

func (st *stateFile) queryEvents(query string, args ...any) ([]EventLine, error) {
	rows, err := st.r.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	var out []EventLine
	for rows.Next() {
		var e EventLine
		var seq int64
		var t float64
		if err := rows.Scan(&seq, &t, &e.Kind, &e.Line); err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		e.Seq, e.T = uint64(seq), secondsToNanos(t)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	return out, nil
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

func (st *stateFile) close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return nil
	}
	st.closed = true
	st.up.close()
	return st.sqliteFile.close()
}
