package core

import (
	"fmt"
	"sync/atomic"
)

// Interaction states as Genesys stores them in the interactions table (column `state`).
const (
	StateQueued    uint8 = 0 // waiting in a queue
	StateInURS     uint8 = 2 // being processed by a URS
	StateWithAgent uint8 = 3 // being handled by an agent
	// StateCompleted is not a Genesys state value: a completed row keeps its last state and has
	// completed_at set. The engine uses it only to say "completed" in a Row.
	StateCompleted uint8 = 9
)

// Row is one interaction as the Interaction Server writes it to its database. Times are virtual
// nanoseconds since the start of the scenario; 0 means not set (NULL).
type Row struct {
	ID                  int64
	Media               string
	Queue               string
	State               uint8
	SubmittedBy         string
	ReceivedAt          int64
	PlacedInQueueAt     int64
	SubmittedToRouterAt int64
	DeliveredAt         int64
	AssignedTo          string
	CompletedAt         int64
	URS                 string // the URS holding it (state 2)
	Strategy            string
	Category            string // attached data: the classification category
}

// Counts are the interaction figures read back from a database.
type Counts struct {
	Rows      int64
	Queued    int64
	InURS     int64
	WithAgent int64
	Completed int64
}

// Database is one logical interaction database (a `databases:` entry) as Database Access Points
// reach it. The engine calls it from its own goroutine only; an implementation that flushes in the
// background must make its own methods safe against that.
type Database interface {
	// Name is the logical database name of the scenario.
	Name() string
	// Identity is the UUID written when the database was created; the identity guard
	// (verify-database-identity) compares it.
	Identity() string
	// Write records the whole row (insert or update by ID). Implementations may batch writes; a
	// failed write is reported by the next call or by Flush.
	Write(r *Row) error
	// Flush makes every accepted write durable.
	Flush() error
	// Open lists the rows that are not completed, in ID order: what an Interaction Server restores
	// when it becomes active.
	Open(fn func(*Row)) error
	// Counts reads the state counts.
	Counts() (Counts, error)
}

// Databases opens the scenario's logical databases.
type Databases interface {
	// Database opens the logical database name, for reading its figures.
	Database(name string) (Database, error)
	// Connect opens a Database Access Point's own handle to the database it points at. Writes
	// for one database must keep their order whichever DAP handle they come through: the IS sends
	// an interaction's successive rows through successive DAPs.
	Connect(dap, database string) (Database, error)
}

// MemDatabases keeps every logical database in memory: the engine's default, and the tests'.
type MemDatabases struct {
	dbs map[string]*MemDatabase
}

// NewMemDatabases returns an empty set of in-memory databases.
func NewMemDatabases() *MemDatabases { return &MemDatabases{dbs: map[string]*MemDatabase{}} }

var memIdentity atomic.Uint64

// Database opens (creating on first use) the database named name.
func (m *MemDatabases) Database(name string) (Database, error) {
	if db, ok := m.dbs[name]; ok {
		return db, nil
	}
	db := &MemDatabase{name: name, id: fmt.Sprintf("mem-%08x", memIdentity.Add(1))}
	m.dbs[name] = db
	return db, nil
}

// Connect implements Databases: in memory every DAP shares the database itself.
func (m *MemDatabases) Connect(dap, database string) (Database, error) { return m.Database(database) }

// MemDatabase is one in-memory interaction database.
type MemDatabase struct {
	name   string
	id     string
	rows   []Row
	index  []int32 // ID -> position in rows + 1; IDs are dense, so a slice beats a map
	counts Counts
}

// Name implements Database.
func (d *MemDatabase) Name() string { return d.name }

// Identity implements Database.
func (d *MemDatabase) Identity() string { return d.id }

// Write implements Database.
func (d *MemDatabase) Write(r *Row) error {
	i, ok := d.pos(r.ID)
	if !ok {
		for int64(len(d.index)) <= r.ID {
			d.index = append(d.index, 0)
		}
		d.index[r.ID] = int32(len(d.rows) + 1)
		d.rows = append(d.rows, *r)
		d.counts.Rows++
		d.count(r, 1)
		return nil
	}
	d.count(&d.rows[i], -1)
	d.rows[i] = *r
	d.count(r, 1)
	return nil
}

func (d *MemDatabase) count(r *Row, n int64) {
	if r.CompletedAt != 0 || r.State == StateCompleted {
		d.counts.Completed += n
		return
	}
	switch r.State {
	case StateQueued:
		d.counts.Queued += n
	case StateInURS:
		d.counts.InURS += n
	case StateWithAgent:
		d.counts.WithAgent += n
	}
}

func (d *MemDatabase) pos(id int64) (int, bool) {
	if id < 0 || id >= int64(len(d.index)) || d.index[id] == 0 {
		return 0, false
	}
	return int(d.index[id] - 1), true
}

// Flush implements Database.
func (d *MemDatabase) Flush() error { return nil }

// Open implements Database.
func (d *MemDatabase) Open(fn func(*Row)) error {
	for i := range d.rows {
		r := &d.rows[i]
		if r.CompletedAt == 0 && r.State != StateCompleted {
			fn(r)
		}
	}
	return nil
}

// Counts implements Database.
func (d *MemDatabase) Counts() (Counts, error) { return d.counts, nil }

// Row returns the row with id, for tests.
func (d *MemDatabase) Row(id int64) (Row, bool) {
	i, ok := d.pos(id)
	if !ok {
		return Row{}, false
	}
	return d.rows[i], true
}
