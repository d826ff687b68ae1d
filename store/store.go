// Package store keeps ixlb's state in SQLite (github.com/mattn/go-sqlite3): one file per logical
// interaction database, DIR/<name>.db, in the Genesys interactions-table layout, and the console
// and run state in DIR/ixlb.db.
//
// Writes are group-committed in the background. Write queues a row in the database's one ordered
// batch and event lines queue in the state's; each file has a committer goroutine that takes its
// pending batch whole when asked (a full batch, Commit, CommitBackground) and commits it in one
// transaction while the engine goes on, so SQLite's work runs on the other core. Whoever needs
// committed data (Flush, Counts, Open, Commit, Close, Events) waits for it; the error of a
// background commit is returned by the next call. The state is committed only after the
// interaction rows accepted before it. Every file has one writer connection (WAL, IMMEDIATE
// transactions, synchronous NORMAL), used by its committer only, and a small pool of read
// connections.
//
// Concurrency: the engine calls a Database from its own goroutine; the console may read (Events,
// LastEvents, LoadRun) from another. Every method is safe for concurrent use. Locks are taken in
// one order: state, then the store's table of files, then a file. A file's committer shares the
// file's lock; the state's committer waits for interaction committers, never the other way round.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ixlb/ixlb/core"
)

// ErrClosed is wrapped by errors from a closed Store.
var ErrClosed = errors.New("store closed")

// Options tune a Store. The zero value is the default.
type Options struct {
	// BatchRows is the most interaction rows one group commit carries, and, when set, the most
	// event lines the state keeps before committing them on its own; 0 means 131072 rows and
	// 1048576 lines. Commit commits whatever is pending anyway: a run saves every EventsPerSave
	// events, the console ten times a second.
	//
	// Between commits a row is kept in memory, and a later row of the same interaction replaces
	// it: an interaction is written to SQLite at most once a commit, whatever it went through
	// meanwhile. The default is large so that it is the run's saves that cut batches, not the
	// batch size: a batch cut between two saves writes the rows it holds, and an interaction's
	// row is written again for each cut it lives across (with 16384 rows and 65536 lines, a busy
	// run wrote 2.2 rows an interaction where its saves alone wrote 1.9).
	BatchRows int
	// BusyTimeout is how long a connection waits for a lock another process holds; 0 means 5s.
	BusyTimeout time.Duration
	// Synchronous is SQLite's synchronous setting for writers: "NORMAL" (default) survives a
	// process crash, "FULL" also a power loss, at the price of an fsync per commit.
	Synchronous string
}

func (o *Options) batchRows() int {
	switch {
	case walkBatch > 0:
		return walkBatch
	case o.BatchRows <= 0:
		return 1 << 17
	}
	return o.BatchRows
}

// batchLines: the state commits its event lines on its own only to bound memory (a line takes
// about 17 bytes once its chunk is sealed), since every such commit also cuts the interaction
// databases' batches short. A run saves far more often than every 1048576 lines.
func (o *Options) batchLines() int {
	switch {
	case walkBatch > 0:
		return 4 * walkBatch
	case o.BatchRows <= 0:
		return 1 << 20
	}
	return o.BatchRows
}

// EventsPerSave is how many events `ixlb run` lets pass between two saves of its session. A save
// commits the rows and event lines since the last one; its size, not a share of the duration,
// bounds what waits in memory (about 4 MB of compressed lines and the rows of the interactions
// that changed), so a run eight times as long holds no more. It is large so that an interaction
// lives across few saves: a row is written once a save it changed in (with saves every 1% of a
// busy run, 2.8 writes an interaction; the floor's insert and update are 2). In the crash-point
// walk (IXLB_CRASHPOINT_BATCH) it is small, so that its small scenarios save many times.
func EventsPerSave() uint64 {
	if walkBatch > 0 {
		return uint64(8 * walkBatch)
	}
	return 1 << 17
}

func (o *Options) busyMillis() int64 {
	if o.BusyTimeout <= 0 {
		return 5000
	}
	return o.BusyTimeout.Milliseconds()
}

func (o *Options) synchronous() string {
	if o.Synchronous == "" {
		return "NORMAL"
	}
	return strings.ToUpper(o.Synchronous)
}

// Store is a data directory. It implements core.Databases.
type Store struct {
	dir   string
	opts  Options
	state *stateFile

	openMu  sync.Mutex // one interaction database opened at a time (handle)
	mu      sync.Mutex
	files   map[string]*ixnFile
	handles map[[2]string]*dapHandle // {dap, database}
	closed  bool
}

var _ core.Databases = (*Store)(nil)

// Open opens the data directory dir, creating it (mode 0700) if absent, and its state database.
// Interaction databases are opened, or created, on first use.
func Open(dir string, opts Options) (*Store, error) {
	switch opts.synchronous() {
	case "NORMAL", "FULL":
	default:
		return nil, fmt.Errorf("open %s: synchronous %q: want NORMAL or FULL", dir, opts.Synchronous)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	s := &Store{dir: dir, opts: opts, files: map[string]*ixnFile{}, handles: map[[2]string]*dapHandle{}}
	st, err := openState(filepath.Join(dir, stateFileName), &opts, s.fileList)
	if err != nil {
		return nil, err
	}
	s.state = st
	return s, nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// Database implements core.Databases: the store's own handle to the logical database name, for
// reading its figures.
func (s *Store) Database(name string) (core.Database, error) { return s.handle("", name) }

// Connect implements core.Databases: the DAP's handle to database. Handles of one database share
// its ordered write queue, so an interaction's rows keep their order whichever DAP carries them.
//
// A DAP's handle is for writing: the file is made writable now (created, its schema set up) and
// listed in the state's databases table before any of its rows can be committed. The store's own
// handle (Database) only reads until it is written through (a resume's roll-back).
func (s *Store) Connect(dap, database string) (core.Database, error) {
	h, err := s.handle(dap, database)
	if err != nil {
		return nil, err
	}
	if err := h.f.own(); err != nil {
		return nil, err
	}
	return h, nil
}

func (s *Store) handle(dap, name string) (*dapHandle, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	s.openMu.Lock()
	defer s.openMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, fmt.Errorf("open database %s: %w", name, ErrClosed)
	}
	key := [2]string{dap, name}
	if h, ok := s.handles[key]; ok {
		s.mu.Unlock()
		return h, nil
	}
	f, ok := s.files[name]
	s.mu.Unlock()
	if !ok {
		// Opened without the table's lock: registering takes the state's, which comes first.
		var err error
		if f, err = s.openDatabase(name); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.files[name] = f
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &dapHandle{dap: dap, f: f}
	s.handles[key] = h
	return h, nil
}

// openDatabase opens the interaction database name: a look at it, changing nothing, until it is
// written (sqliteFile). Its first write lists it in the state's databases table (own).
func (s *Store) openDatabase(name string) (*ixnFile, error) {
	f, err := openInteractions(filepath.Join(s.dir, name+".db"), name, &s.opts)
	if err != nil {
		return nil, err
	}
	f.state = s.state
	return f, nil
}

// checkName refuses logical names that are not a plain file name, or that would be the state
// database's file.
func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("database name %q: not a file name", name)
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("database name %q: must not contain a path separator", name)
	case strings.EqualFold(name+".db", stateFileName):
		return fmt.Errorf("database name %q is reserved for the console state (%s)", name, stateFileName)
	}
	return nil
}

// fileList is the interaction databases, in name order.
func (s *Store) fileList() []*ixnFile {
	s.mu.Lock()
	files := make([]*ixnFile, 0, len(s.files))
	for _, f := range s.files {
		files = append(files, f)
	}
	s.mu.Unlock()
	slices.SortFunc(files, func(a, b *ixnFile) int { return strings.Compare(a.name, b.name) })
	return files
}

// Commit writes everything pending and waits for it: the interaction databases' rows first, then
// the state (event lines, operator actions, run state), and the state only if every database
// committed.
func (s *Store) Commit() error { return s.state.commitAll(true) }

// CommitBackground is Commit without the wait: it hands everything pending to the committers and
// returns, so a run can save its state every so often without stopping for SQLite. The order
// holds as with Commit: the state is committed only after the interaction rows handed off with
// it. A failure is returned by the next CommitBackground or Commit (which waits, so it also says
// whether the retry made it), and by Err.
func (s *Store) CommitBackground() error { return s.state.commitAll(false) }

// Err is the error of the last state commit when it failed (the event log's own commits run in
// the background: EventLog.Event cannot return one), nil once a later commit succeeds; and why
// Event dropped a line, if it ever did (that one stays).
func (s *Store) Err() error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return errors.Join(s.state.eventErr, s.state.c.err)
}

// CheckScenario binds the directory to a scenario: the first call records it; later calls return
// a *ScenarioMismatchError when its name or digest differs, e.g. when a data directory of another
// scenario is reused, or the scenario was edited or run with another seed.
func (s *Store) CheckScenario(id ScenarioID) error { return s.state.checkScenario(s.dir, id) }

// SaveRun keeps rs (copied) to be written by the next commit.
func (s *Store) SaveRun(rs RunState) error { return s.state.saveRun(rs) }

// LoadRun reads the committed run state (after the commits under way); ok is false when none was
// ever committed.
func (s *Store) LoadRun() (rs RunState, ok bool, err error) { return s.state.loadRun() }

// Rewind makes the history agree with a run resumed from rs (after a crash, the state may hold
// event lines and actions the resumed run will not repeat): it deletes the event lines after
// rs.Events (seq is 1-based, so the resumed run's next line is rs.Events+1) and the actions after
// rs.VirtualTime, committed or pending.
func (s *Store) Rewind(rs RunState) error { return s.state.rewind(rs.Events, rs.VirtualTime) }

// Branch makes the saved history the branch cut: the event lines after cut.Kept and the actions
// after cut.State.T dropped, the branch's event lines and its actions' records written, and its
// journal saved as the run state — in one transaction, all or nothing. Everything before must be
// committed (Commit).
func (s *Store) Branch(cut core.BranchCut) error {
	rs, err := runState(cut.State)
	if err != nil {
		return err
	}
	b, err := branchBatch(cut.Kept, cut.Events, cut.State.T, cut.Actions)
	if err != nil {
		return err
	}
	return s.state.branch(branchTo{kept: cut.Kept, batch: b, run: rs, logHash: cut.State.LogHash})
}

// RewindLater is Rewind done by the session's first write: until then nothing is written (a
// session refused meanwhile has changed nothing), and the lines after rs.Events are not read.
func (s *Store) RewindLater(rs RunState) error {
	return s.state.rewindLater(rs.Events, rs.VirtualTime)
}

// RecordAction keeps an operator action applied at virtual time t (nanoseconds), to be written by
// the next commit.
func (s *Store) RecordAction(t int64, a core.Action) error { return s.state.recordAction(t, a) }

// Actions calls fn for every committed operator action (after the commits under way), in the
// order they were recorded.
func (s *Store) Actions(fn func(t int64, a core.Action) error) error { return s.state.readActions(fn) }

// Events reads up to limit (all when negative) committed event lines with seq >= fromSeq, in
// order. It waits for the commits under way; lines still pending are not there until the next
// commit.
func (s *Store) Events(fromSeq uint64, limit int) ([]EventLine, error) {
	return s.state.events(fromSeq, limit)
}

// LastEvents reads the last n committed event lines, oldest first.
func (s *Store) LastEvents(n int) ([]EventLine, error) { return s.state.lastEvents(n) }

// EventLog is the store as a core.EventSink: it batches event lines into chunks of the log.
type EventLog struct{ s *Store }

var _ core.EventSink = EventLog{}

// EventSink returns the event log sink of the store.
func (s *Store) EventSink() EventLog { return EventLog{s} }

// Event implements core.EventSink. line is copied; it must not contain a newline (JSON has none).
// Lines are one history: a seq at or before one already logged replays it, and the lines from
// that seq on are replaced (a run started over in the same directory). A failed commit is
// reported by Store.Err and by the next Commit.
func (l EventLog) Event(e *core.Event, line []byte) { l.s.state.event(e.Seq, e.T, line) }

// wrote reports whether anything was written to a file of the store (a file is only looked at
// until its first write: sqliteFile).
func (s *Store) wrote() bool {
	if s.state.isWritable() {
		return true
	}
	for _, f := range s.fileList() {
		if f.isWritable() {
			return true
		}
	}
	return false
}

// Close commits everything and closes every file. The store is unusable afterwards.
func (s *Store) Close() error {
	err := s.Commit()
	if errors.Is(err, ErrClosed) {
		return nil
	}
	s.mu.Lock()
	s.closed = true // no new files from here on
	s.mu.Unlock()
	files := s.fileList()
	errs := []error{err}
	// The state's committer first: its last job may still wait for interaction commits.
	errs = append(errs, s.state.close())
	for _, f := range files {
		errs = append(errs, f.close())
	}
	return errors.Join(errs...)
}
