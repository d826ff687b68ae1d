package core

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Resuming a saved session continues the same simulated world: the engine is deterministic, so
// the session's journal — the seed, each operator action with the step at which it was applied,
// and how far the run had got — is replayed from t=0, checked against the saved event-log hash and
// the interaction databases, and the run goes on, byte for byte as if it had never stopped. An
// Interaction Server restart is an operator action of its own (ActRestart), never a side effect of
// reopening.

// ResumeState is a session's journal at a commit. A store saves it after the interaction rows of
// the same commit, so it never claims more than the databases hold.
type ResumeState struct {
	T       int64  `json:"t"`
	Seed    uint64 `json:"seed"`
	Steps   uint64 `json:"steps"` // timers the engine had processed
	Events  uint64 `json:"events"`
	LogHash []byte `json:"log_hash"` // the SHA-256 state of the event log so far
	// ReplayHash is the SHA-256 state of the events' binary records so far (Event.appendRecord):
	// a replay checks its events against it without encoding their lines, then takes LogHash
	// up. A journal of an older ixlb has none, and its replay hashes the lines.
	ReplayHash []byte          `json:"replay_hash,omitempty"`
	Applied    []AppliedAction `json:"applied"` // operator and timeline actions, in order
	// Identities are the identities of the interaction databases the session wrote, by name: a
	// database replaced, recreated or from another session is recognised.
	Identities map[string]string `json:"identities,omitempty"`
}

// AppliedAction is an action applied at virtual time T, after Step timers: an operator's (the
// console, replayed on resume) or the timeline's (which replays itself).
type AppliedAction struct {
	T        int64  `json:"t"`
	Step     uint64 `json:"step"`
	Operator bool   `json:"operator,omitempty"`
	Action   Action `json:"action"`
}

// Applied lists the actions applied so far, in order (timeline and console alike).
func (e *Engine) Applied() []AppliedAction { return e.applied }

// Steps is how many timers the engine has processed: with the seed and the operator actions, the
// exact position of a run.
func (e *Engine) Steps() uint64 { return e.steps }

// ResumeState captures the engine's journal now. Call it when the databases have every write made
// so far.
func (e *Engine) ResumeState() (ResumeState, error) {
	st := ResumeState{T: e.now, Seed: e.cfg.Seed, Steps: e.steps, Events: e.log.count,
		Applied: slices.Clone(e.applied), Identities: map[string]string{}}
	for name, id := range e.identities {
		st.Identities[name] = id
	}
	h, err := e.log.state()
	if err != nil {
		return st, fmt.Errorf("event log hash state: %w", err)
	}
	st.LogHash = h
	if !e.noLog {
		if st.ReplayHash, err = e.records.state(); err != nil {
			return st, fmt.Errorf("event records hash state: %w", err)
		}
	}
	return st, nil
}

// ResumeMismatchError says that an interaction database does not hold what the replayed session
// holds: nothing was changed; --rebuild regenerates the databases by replay.
type ResumeMismatchError struct {
	Database string
	Problem  string
}

func (e *ResumeMismatchError) Error() string {
	return fmt.Sprintf("database %s: %s", e.Database, e.Problem)
}

// WithRebuild makes Resume rewrite interaction databases that do not match the replayed session
// from the replay, instead of refusing them.
func WithRebuild() Option { return func(e *Engine) { e.rebuild = true } }

// Resume continues the session saved as st, on the databases given with WithDatabases. It replays
// the scenario from t=0 quietly (no sink sees the replayed events; the databases are not touched),
// applying the operator actions at the steps they were applied, up to the saved position. Then it
// checks that the replayed log has the saved hash and that each interaction database holds what
// the replay holds. A database ahead of the journal (rows committed just before a crash or a
// failed state commit, whose events were never committed) is rolled back to it; any other
// difference is a *ResumeMismatchError unless WithRebuild was given. Notes says what was repaired.
func Resume(cfg Config, st ResumeState, opts ...Option) (*Engine, error) {
	older := func(err error) error { return olderJournal(st, err, " (start over with --fresh)") }
	cfg.Seed = st.Seed
	// The options are read into a scratch engine: the replay runs on memory, and only then moves
	// onto the databases and sinks they name.
	given := &Engine{cfg: &cfg}
	for _, o := range opts {
		o(given)
	}
	if given.dbs == nil {
		return nil, fmt.Errorf("resume needs the databases it was saved with")
	}
	mem := NewMemDatabases()
	e, err := New(cfg, WithDatabases(mem))
	if err != nil {
		return nil, err
	}
	e.interrupt = given.interrupt // a long replay stops on a signal too
	// With the records' hash saved, the replay hashes records, not lines (checkReplay).
	e.replaying = len(st.ReplayHash) > 0 && len(st.LogHash) > 0
	if err := e.replayJournal(st); err != nil {
		return nil, older(err)
	}
	if err := checkReplay(e, st); err != nil {
		return nil, older(err)
	}
	if err := e.adoptDatabases(mem, given.dbs, st, given.rebuild); err != nil {
		return nil, err
	}
	e.sinks = given.sinks
	return e, nil
}

// replayJournal runs a new engine through the journal st: each operator action applied at the
// step it was applied at, then on to the saved position.
func (e *Engine) replayJournal(st ResumeState) error {
	for _, a := range st.Applied {
		if !a.Operator {
			continue // the timeline replays itself
		}
		if err := e.runSteps(a.Step, a.T); err != nil {
			return fmt.Errorf("replay to the %s at %s: %w", a.Action.Kind, time.Duration(a.T), err)
		}
		e.now = a.T
		if err := e.Apply(a.Action); err != nil {
			return fmt.Errorf("replay %s at %s: %w", a.Action.Kind, time.Duration(a.T), err)
		}
	}
	if err := e.runSteps(st.Steps, st.T); err != nil {
		return fmt.Errorf("replay to %s: %w", time.Duration(st.T), err)
	}
	if e.now < st.T {
		e.now = st.T
	}
	return nil
}

// ReplayLog regenerates the event log of the session saved as st: the scenario replayed from t=0
// in memory with the journal's operator actions, to the saved position, every event given to
// sink with its line. The replayed log is checked against the journal — its count, the records'
// hash and the lines' hash — and an error says when it is not the session's (the lines given
// to sink are then not its log). opts may add WithInterrupt. A store repairs a damaged stored
// log with it (--rebuild).
func ReplayLog(cfg Config, st ResumeState, sink EventSink, opts ...Option) error {
	if err := replayLog(cfg, st, sink, opts...); err != nil {
		return olderJournal(st, err, "")
	}
	return nil
}

// olderJournal is err, a replay's failure, unless the journal has events and no step: then it
// was written by an older ixlb, which kept no steps, and says so. (Events and no step is also a
// session where the operator acted at 0 before the clock ever moved — a console opened paused —
// which replays: only a journal that does not replay is an older one.)
func olderJournal(st ResumeState, err error, hint string) error {
	if errors.Is(err, ErrInterrupted) || st.Events == 0 || st.Steps != 0 {
		return err
	}
	return fmt.Errorf("the saved session was written by an older ixlb and cannot be replayed exactly%s", hint)
}

func replayLog(cfg Config, st ResumeState, sink EventSink, opts ...Option) error {
	if len(st.LogHash) == 0 {
		return fmt.Errorf("the saved session has no event log hash to check a replay against")
	}
	cfg.Seed = st.Seed
	given := &Engine{cfg: &cfg}
	for _, o := range opts {
		o(given)
	}
	e, err := New(cfg, WithDatabases(NewMemDatabases()), WithSink(sink))
	if err != nil {
		return err
	}
	e.interrupt = given.interrupt
	if err := e.replayJournal(st); err != nil {
		return err
	}
	if e.log.count != st.Events {
		return fmt.Errorf("the saved session does not replay: %d events replayed, %d saved", e.log.count, st.Events)
	}
	if len(st.ReplayHash) > 0 {
		got, err := e.records.state()
		if err != nil {
			return err
		}
		if !bytes.Equal(got, st.ReplayHash) {
			return fmt.Errorf("the saved session does not replay: its events differ")
		}
	}
	want, err := st.EventsSHA256()
	if err != nil {
		return err
	}
	if got := e.EventsSHA256(); got != want {
		return fmt.Errorf("the saved session does not replay: the event log differs (sha256 %.12s replayed, %.12s saved)", got, want)
	}
	return nil
}

// runSteps processes timers until steps of them have run, none of them later than t.
func (e *Engine) runSteps(steps uint64, t int64) error {
	for e.steps < steps {
		if e.stopSaid() {
			return ErrInterrupted // the replay is thrown away: any step will do
		}
		if e.q.len() == 0 || e.q.peek().at > t {
			return fmt.Errorf("the replay diverged: %d of %d steps by %s", e.steps, steps, time.Duration(t))
		}
		e.step()
	}
	return nil
}

// checkReplay compares the replayed event log with the saved one: by the records' hash when the
// journal has it — and then the log's own hash state is the journal's from here on — else by the
// lines' hash.
func checkReplay(e *Engine, st ResumeState) error {
	if e.log.count != st.Events {
		return fmt.Errorf("the saved session does not replay: %d events replayed, %d saved (the scenario or ixlb changed; start over with --fresh)", e.log.count, st.Events)
	}
	if len(st.LogHash) == 0 {
		return nil
	}
	if e.replaying {
		e.replaying = false
		got, err := e.records.state()
		if err != nil {
			return err
		}
		if !bytes.Equal(got, st.ReplayHash) {
			return fmt.Errorf("the saved session does not replay: its events differ (the scenario or ixlb changed; start over with --fresh)")
		}
		if err := e.log.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.LogHash); err != nil {
			return fmt.Errorf("saved event log hash: %w", err)
		}
		return nil
	}
	want, err := st.EventsSHA256()
	if err != nil {
		return err
	}
	if e.EventsSHA256() != want {
		return fmt.Errorf("the saved session does not replay: the event log differs (sha256 %.12s replayed, %.12s saved; the scenario or ixlb changed; start over with --fresh)", e.EventsSHA256(), want)
	}
	return nil
}

// Notes are what Resume repaired, for the user to read.
func (e *Engine) Notes() []string { return e.notes }

// adoptDatabases checks the real databases against the replay's in-memory ones, then moves every
// handle of the engine onto the real ones. Every database is checked before any is repaired: a
// refusal (a *ResumeMismatchError) has changed nothing, even when another database needed only a
// roll-back.
func (e *Engine) adoptDatabases(mem *MemDatabases, real Databases, st ResumeState, rebuild bool) error {
	// Every database the replay wrote goes by its real identity from here on, whether or not a
	// handle still connects to it: the journal names it so (a "mem-…" identity saved for a
	// database no DAP points at any more made the next resume refuse the real file).
	idOf := map[string]string{} // in-memory identity -> real identity
	var repairs []*repair
	for _, name := range e.cfg.Databases {
		db, err := real.Database(name)
		if err != nil {
			return fmt.Errorf("open database %s: %w", name, err)
		}
		if id, ok := e.identities[name]; ok {
			idOf[id] = db.Identity()
			e.identities[name] = db.Identity()
		}
		r, err := checkDatabase(mem, db, st, rebuild)
		if err != nil {
			return err
		}
		if r != nil {
			repairs = append(repairs, r)
		}
	}
	for _, r := range repairs {
		if err := r.do(); err != nil {
			return err
		}
		e.notes = append(e.notes, r.note)
	}
	if err := e.reconnect(real, idOf); err != nil {
		return err
	}
	e.dbs = real
	return nil
}

// repair is what a resume must do to a database before it goes on, and the note that says so.
type repair struct {
	do   func() error
	note string
}

// checkDatabase compares a real database with the replay's (mem): nil when it holds what the
// saved session wrote, a repair when it holds rows committed after (or, with rebuild, other rows),
// a *ResumeMismatchError when it holds what the session did not write.
func checkDatabase(mem *MemDatabases, db Database, st ResumeState, rebuild bool) (*repair, error) {
	name := db.Name()
	m, used := mem.dbs[name]
	saved := st.Identities[name]
	if !used && saved == "" {
		// The session had not connected to it by the saved position, so every row in it
		// was written after: a database first written between the last saved state and a
		// crash or a failed commit. (One the session never made is refused before this, by
		// the store's Session.)
		fix, note, err := rollBackUnknown(db)
		if err != nil || fix == nil {
			return nil, err
		}
		return &repair{fix, note}, nil
	}
	if m == nil {
		m = &MemDatabase{name: name}
	}
	problem, ahead, fix, err := compareDatabase(m, db, saved, st.T)
	if err != nil || problem == "" {
		return nil, err
	}
	if !ahead && !rebuild {
		return nil, &ResumeMismatchError{Database: name, Problem: problem}
	}
	note := fmt.Sprintf("database %s regenerated by replay (%s)", name, problem)
	if ahead {
		note = fmt.Sprintf("database %s had rows committed after the last saved state (a crash or a failed commit): rolled back to it", name)
	}
	if p, ok := db.(Patcher); ok && ahead && fix != nil {
		// Only the rows committed after the saved position go back to it.
		return &repair{func() error {
			if err := p.Patch(fix.put, fix.del); err != nil {
				return fmt.Errorf("roll back database %s to the saved session: %w", name, err)
			}
			return nil
		}, note}, nil
	}
	rw, ok := db.(Rewriter)
	if !ok {
		return nil, &ResumeMismatchError{Database: name, Problem: problem + " (and it cannot be rewritten)"}
	}
	return &repair{func() error {
		if err := rw.Rewrite(func(fn func(*Row)) { m.All(fn) }); err != nil {
			return fmt.Errorf("rewrite database %s from the replay: %w", name, err)
		}
		return nil
	}, note}, nil
}

// reconnect moves every handle of the engine onto the real databases; held writes follow their
// database by identity (idOf: in-memory identity -> real identity).
func (e *Engine) reconnect(real Databases, idOf map[string]string) error {
	connect := func(who string, h Database) (Database, error) {
		r, err := real.Connect(who, h.Name())
		if err != nil {
			return nil, fmt.Errorf("%s: connect to database %s: %w", who, h.Name(), err)
		}
		idOf[h.Identity()] = r.Identity()
		e.identities[h.Name()] = r.Identity()
		return r, nil
	}
	for _, a := range e.apps {
		if a.handle == nil {
			continue
		}
		h, err := connect(a.name, a.handle)
		if err != nil {
			return err
		}
		a.handle = h
	}
	if e.is.db != nil {
		h, err := connect(e.nameOf(e.is.active), e.is.db)
		if err != nil {
			return err
		}
		e.is.db = h
	}
	for i := range e.is.held {
		if id, ok := idOf[e.is.held[i].db]; ok {
			e.is.held[i].db = id
		}
	}
	return nil
}

// rollBackUnknown is how to empty a database the saved session does not know of (nil when it is
// empty), and the note that says it was.
func rollBackUnknown(db Database) (func() error, string, error) {
	c, err := db.Counts()
	if err != nil {
		return nil, "", fmt.Errorf("read database %s: %w", db.Name(), err)
	}
	if c.Rows == 0 {
		return nil, "", nil
	}
	problem := fmt.Sprintf("holds %d interactions, but the saved session had not written to it", c.Rows)
	rw, ok := db.(Rewriter)
	if !ok {
		return nil, "", &ResumeMismatchError{Database: db.Name(), Problem: problem + " (and it cannot be rewritten)"}
	}
	fix := func() error {
		if err := rw.Rewrite(func(func(*Row)) {}); err != nil {
			return fmt.Errorf("roll back database %s: %w", db.Name(), err)
		}
		return nil
	}
	return fix, fmt.Sprintf("database %s was first written after the last saved state (a crash or a failed commit): its %d interactions were rolled back", db.Name(), c.Rows), nil
}

// Rewriter is a Database that can replace all its rows at once, for Resume.
type Rewriter interface {
	// Rewrite replaces every row with those rows lists (completed ones included).
	Rewrite(rows func(fn func(*Row))) error
}

// Patcher is a Database that can put back some rows and delete others at once: Resume rolls a
// database that is ahead of the saved session back with it, touching only what is ahead.
type Patcher interface {
	// Patch writes the rows put (whole, by ID) and deletes the IDs del, in one transaction.
	Patch(put []Row, del []int64) error
}

// Scanner is a Database that can list every row, completed and abandoned ones too, so Resume
// compares whole databases, not only what is open.
type Scanner interface {
	// All calls fn for every row, in ID order. The *Row is valid only during the call.
	All(fn func(*Row)) error
}

// All implements Scanner.
func (d *MemDatabase) All(fn func(*Row)) error {
	for id := range d.index {
		if i, ok := d.pos(int64(id)); ok {
			r := d.unpack(d.rows.at(i))
			fn(&r)
		}
	}
	return nil
}

// rowFix is what rolls a database that is ahead back to the session: the session's rows to put
// back, and the rows to delete.
type rowFix struct {
	put []Row
	del []int64
}

// countRow adds r to c as the interactions table's counts count it (store's countsQuery): open
// rows by state, closed ones as completed or abandoned.
func countRow(c *Counts, r *Row) {
	c.Rows++
	switch {
	case r.AbandonedAt != 0:
		c.Abandoned++
	case r.CompletedAt != 0 || r.State == StateCompleted:
		c.Completed++
	case r.State == StateQueued:
		c.Queued++
	case r.State == StateInURS:
		c.InURS++
	case r.State == StateWithAgent:
		c.WithAgent++
	}
}

// compareDatabase says how the database differs from the replay's ("" when it does not), and
// whether it is only ahead of it: every difference is progress made after the saved position t —
// rows committed just before a run stopped, whose state commit never came. Anything else (a
// database deleted, emptied, replaced or edited) is a difference the user must decide about.
// When it is ahead, fix says what rolls it back (nil when the database cannot list its rows).
//
// A database that can list every row (Scanner) is compared as two streams in ID order, the
// replay's and the file's, side by side: nothing of either is held but the rows to put back.
func compareDatabase(m *MemDatabase, db Database, savedIdentity string, t int64) (problem string, ahead bool, fix *rowFix, err error) {
	if savedIdentity != "" && db.Identity() == "" {
		return fmt.Sprintf("has no interactions table (the session wrote database %.8s there): it was emptied or replaced, or its -wal file, which held its last commits, was deleted", savedIdentity), false, nil, nil
	}
	if savedIdentity != "" && db.Identity() != savedIdentity {
		return fmt.Sprintf("is not the database this session wrote (identity %.8s, the session's %.8s): it was deleted, replaced or comes from another session", db.Identity(), savedIdentity), false, nil, nil
	}
	scan, whole := db.(Scanner)
	if !whole {
		problem, ahead, err = compareOpen(m, db, t)
		return problem, ahead, nil, err
	}
	want, _ := m.Counts()
	var got Counts
	fix = &rowFix{}
	var first string // the first difference, in ID order
	next := int64(0) // the replay's next ID to visit
	maxID := m.maxID()
	// mine visits the replay's rows before id that the file does not have.
	mine := func(upTo int64) {
		for ; next < upTo && next <= maxID; next++ {
			if i, ok := m.pos(next); ok && first == "" {
				r := m.unpack(m.rows.at(i))
				first = fmt.Sprintf("interaction %d differs from the session's (%s)", r.ID, rowDiff(r, Row{}, true, false))
			}
		}
	}
	err = scan.All(func(f *Row) {
		countRow(&got, f)
		mine(f.ID)
		i, inMine := m.pos(f.ID)
		if f.ID == next {
			next++
		}
		if !inMine {
			if f.ID > maxID && !(closed(*f) && f.CompletedAt <= t && f.AbandonedAt <= t) {
				ahead = true // a new interaction, created after the saved position
				fix.del = append(fix.del, f.ID)
			} else if first == "" {
				first = fmt.Sprintf("interaction %d differs from the session's (%s)", f.ID, rowDiff(Row{}, *f, false, true))
			}
			return
		}
		r := m.unpack(m.rows.at(i))
		switch {
		case r == *f:
		case !closed(r) && (progressed(r, *f, t) || movedAtTheInstant(r, *f, t)):
			ahead = true
			fix.put = append(fix.put, r)
		case first == "":
			first = fmt.Sprintf("interaction %d differs from the session's (%s)", f.ID, rowDiff(r, *f, true, true))
		}
	})
	if err != nil {
		return "", false, nil, fmt.Errorf("read database %s: %w", m.name, err)
	}
	mine(maxID + 1)
	if got.Rows < want.Rows || got.Completed < want.Completed || got.Abandoned < want.Abandoned {
		return fmt.Sprintf("holds %d interactions (%d completed); the session has %d (%d completed)", got.Rows, got.Completed, want.Rows, want.Completed), false, nil, nil
	}
	if first != "" {
		return first, false, nil, nil
	}
	return verdict(got, want, ahead, fix)
}

// verdict is compareDatabase's answer once no row differs but by progress.
func verdict(got, want Counts, ahead bool, fix *rowFix) (string, bool, *rowFix, error) {
	if !ahead && got != want {
		return fmt.Sprintf("holds %d interactions (%d completed), the session %d (%d completed)", got.Rows, got.Completed, want.Rows, want.Completed), false, nil, nil
	}
	if ahead {
		return fmt.Sprintf("holds %d interactions (%d completed), ahead of the session's %d (%d completed)", got.Rows, got.Completed, want.Rows, want.Completed), true, fix, nil
	}
	return "", false, nil, nil
}

// compareOpen compares the open rows of a database that cannot list the others.
func compareOpen(m *MemDatabase, db Database, t int64) (problem string, ahead bool, err error) {
	want, _ := m.Counts()
	got, err := db.Counts()
	if err != nil {
		return "", false, fmt.Errorf("read database %s: %w", m.name, err)
	}
	if got.Rows < want.Rows || got.Completed < want.Completed || got.Abandoned < want.Abandoned {
		return fmt.Sprintf("holds %d interactions (%d completed); the session has %d (%d completed)", got.Rows, got.Completed, want.Rows, want.Completed), false, nil
	}
	mine, theirs := map[int64]Row{}, map[int64]Row{}
	m.Open(func(r *Row) { mine[r.ID] = *r })
	if err := db.Open(func(r *Row) { theirs[r.ID] = *r }); err != nil {
		return "", false, fmt.Errorf("read database %s: %w", m.name, err)
	}
	// Visit in ID order, so the first difference named is the same on every run.
	ids := make([]int64, 0, len(mine)+len(theirs))
	for id := range mine {
		ids = append(ids, id)
	}
	for id := range theirs {
		if _, ok := mine[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r, inMine := mine[id]
		f, inTheirs := theirs[id]
		switch {
		case inMine && inTheirs && r == f:
		case inMine && inTheirs && !closed(r) && (progressed(r, f, t) || movedAtTheInstant(r, f, t)):
			ahead = true
		case inMine && !inTheirs && got.Completed+got.Abandoned > want.Completed+want.Abandoned:
			ahead = true // completed or abandoned in the file after the saved position
		case !inMine && inTheirs && id > m.maxID():
			ahead = true // a new interaction, created after the saved position
		default:
			return fmt.Sprintf("interaction %d differs from the session's (%s)", id, rowDiff(r, f, inMine, inTheirs)), false, nil
		}
	}
	problem, ahead, _, _ = verdict(got, want, ahead, nil)
	return problem, ahead, nil
}

// closed reports whether a row is final: completed or abandoned rows never change again.
func closed(r Row) bool { return r.CompletedAt != 0 || r.AbandonedAt != 0 || r.State == StateCompleted }

// movedAtTheInstant reports whether the file's row f is the session's row r changed at the saved
// instant t itself, after the save: an operator action applied at t (the console paused there, a
// branch's action) moves an interaction — a URS stopped sends it back to its queue — without a
// time column after t, and its rows can be committed before the journal that records the action.
// Each time column is the session's, t or later, or one the session's row had not written yet (an
// interaction's delivery decided before t is written when it happens: its time is the decision's);
// a queue changes only with a placement at t or later; what else may differ is where the
// interaction is (state, URS, agent, strategy). An edit of a time the session's row has, before t,
// or of where the interaction came from or when, is still a difference.
func movedAtTheInstant(r, f Row, t int64) bool {
	same := func(a, b int64) bool { return a == b || b >= t || a == 0 }
	return r.Media == f.Media && r.SubmittedBy == f.SubmittedBy && r.ReceivedAt == f.ReceivedAt &&
		same(r.PlacedInQueueAt, f.PlacedInQueueAt) && (r.Queue == f.Queue || f.PlacedInQueueAt >= t) &&
		same(r.SubmittedToRouterAt, f.SubmittedToRouterAt) && same(r.DeliveredAt, f.DeliveredAt) &&
		same(r.CompletedAt, f.CompletedAt) && same(r.AbandonedAt, f.AbandonedAt)
}

// progressed reports whether the file's row f is the session's row r moved on after time t.
func progressed(r, f Row, t int64) bool {
	return f.PlacedInQueueAt > t || f.SubmittedToRouterAt > t || f.DeliveredAt > t || f.CompletedAt > t ||
		f.AbandonedAt > t ||
		(r.State == StateInURS && f.State == StateWithAgent)
}

// maxID is the highest interaction id the database has seen (ids only grow).
func (d *MemDatabase) maxID() int64 { return int64(len(d.index)) - 1 }

func rowDiff(want, got Row, inSession, inFile bool) string {
	switch {
	case !inFile:
		return "in the session, not in the file"
	case !inSession:
		return "in the file, not in the session"
	}
	// The first column that differs, by its Genesys name.
	cols := []struct {
		name       string
		file, sess any
	}{
		{"state", got.State, want.State}, {"queue", got.Queue, want.Queue}, {"media_type", got.Media, want.Media},
		{"submitted_by", got.SubmittedBy, want.SubmittedBy}, {"received_at", secs(got.ReceivedAt), secs(want.ReceivedAt)},
		{"placed_in_queue_at", secs(got.PlacedInQueueAt), secs(want.PlacedInQueueAt)},
		{"submitted_to_router_at", secs(got.SubmittedToRouterAt), secs(want.SubmittedToRouterAt)},
		{"delivered_at", secs(got.DeliveredAt), secs(want.DeliveredAt)}, {"assigned_to", got.AssignedTo, want.AssignedTo},
		{"completed_at", secs(got.CompletedAt), secs(want.CompletedAt)}, {"abandoned_at", secs(got.AbandonedAt), secs(want.AbandonedAt)},
		{"urs", got.URS, want.URS}, {"strategy", got.Strategy, want.Strategy}, {"category", got.Category, want.Category},
	}
	for _, c := range cols {
		if c.file != c.sess {
			return fmt.Sprintf("%s %v in the file, %v in the session", c.name, c.file, c.sess)
		}
	}
	return "its columns differ"
}

// secs shows a row time exactly (the table keeps nanoseconds), NULL for unset.
func secs(ns int64) string {
	if ns == 0 {
		return "NULL"
	}
	return time.Duration(ns).String()
}

// EventsSHA256 is the hex SHA-256 of the saved event log's bytes (what the report calls
// events_sha256 at the saved position).
func (st ResumeState) EventsSHA256() (string, error) {
	h := sha256.New()
	if len(st.LogHash) > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.LogHash); err != nil {
			return "", fmt.Errorf("saved event log hash: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
