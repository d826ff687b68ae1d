package core

import (
	"fmt"
	"math/rand/v2"
	"unsafe"
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
	AbandonedAt         int64  // the customer gave up before an agent answered (closes the row)
}

// Counts are the interaction figures read back from a database.
type Counts struct {
	Rows      int64
	Queued    int64
	InURS     int64
	WithAgent int64
	Completed int64
	Abandoned int64 // closed rows with abandoned_at set; not in Completed
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
	// Open lists the rows that are neither completed nor abandoned, in ID order: what an Interaction Server restores
	// when it becomes active. The *Row passed to fn is valid only during the call.
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
	dbs     map[string]*MemDatabase
	compact bool
}

// NewMemDatabases returns an empty set of in-memory databases.
func NewMemDatabases() *MemDatabases { return &MemDatabases{dbs: map[string]*MemDatabase{}} }

// NewCompactMemDatabases keeps only the open rows in memory: a completed or abandoned row is
// counted and dropped. For studies (compare, sweep), which read figures, not rows, so memory
// follows what is in flight instead of everything a long run ever saw.
func NewCompactMemDatabases() *MemDatabases {
	return &MemDatabases{dbs: map[string]*MemDatabase{}, compact: true}
}

// Database opens (creating on first use) the database named name.
func (m *MemDatabases) Database(name string) (Database, error) {
	if db, ok := m.dbs[name]; ok {
		return db, nil
	}
	// An identity tells two databases apart (Identity), also across sets: a console's branch
	// replays into new ones, which must not pass for the old. Like the store's UUIDs it is drawn
	// at random, from the runtime's source, not the run's streams: it never reaches the event log.
	db := &MemDatabase{name: name, id: fmt.Sprintf("mem-%016x", rand.Uint64()), compact: m.compact}
	m.dbs[name] = db
	return db, nil
}

// Connect implements Databases: in memory every DAP shares the database itself.
func (m *MemDatabases) Connect(dap, database string) (Database, error) { return m.Database(database) }

// MemDatabase is one in-memory interaction database. Rows are stored compactly (names interned)
// and pointer-free, so a long run's completed rows cost the garbage collector nothing.
type MemDatabase struct {
	name   string
	id     string
	rows   rowBlocks
	index  []int32 // ID -> position in rows + 1; IDs are dense, so a slice beats a map
	names  []string
	nameID map[string]uint32
	last   [7]recentNames // per field, the names interned last (intern)
	// agentName is, by the writing engine's agent index, the id of the agent's name and the
	// string it was written with: a row's assigned_to is one of thousands of names, which the
	// recent names above miss and the map would hash (writeAgent).
	agentName []agentRef
	counts    Counts
	// compact drops a row once it is closed (completed or abandoned), leaving its count and a
	// mark in index: droppedDone or droppedAbandoned.
	compact bool
}

type memRow struct {
	id                                                    int64
	receivedAt, placedAt, toRouterAt, deliveredAt, doneAt int64
	abandonedAt                                           int64
	media, queue, by, assigned, urs, strategy, category   uint32
	state                                                 uint8
}

// intern is s's id. Each field remembers the few names it interned last (a URS, queue, strategy
// or category of a busy scenario: a handful, taking turns) before the map is asked: comparing with
// the same backing string is cheap, hashing it is not.
func (d *MemDatabase) intern(field int, s string) uint32 {
	r := &d.last[field]
	// The engine writes its own strings: the same bytes as a name interned before, mostly. ==
	// of two names of the same length (URS_1, URS_2) compares their bytes; the pointers first.
	for _, id := range r.ids[:r.n] {
		if n := d.names[id]; len(n) == len(s) && unsafe.StringData(n) == unsafe.StringData(s) {
			return id
		}
	}
	for _, id := range r.ids[:r.n] {
		if d.names[id] == s {
			return id
		}
	}
	id, ok := d.nameID[s]
	if !ok {
		if d.nameID == nil {
			d.nameID = map[string]uint32{}
		}
		id = uint32(len(d.names))
		d.names = append(d.names, s)
		d.nameID[s] = id
	}
	r.ids[r.next] = id
	r.next = (r.next + 1) % uint8(len(r.ids))
	r.n = max(r.n, r.next)
	if r.next == 0 {
		r.n = uint8(len(r.ids))
	}
	return id
}

// agentRef is the name an engine's agent was last written with: its id + 1 (0: none yet), and
// the address and length of the interned string. The engine writes an agent's name from the one
// string it keeps, which is the one interned, so a write carrying that very string is that id
// without reading names (a 60,000-agent table of string headers: a cache miss a row). The
// address is a uintptr, not a pointer: names keeps the string alive (and Go's heap does not
// move), and the garbage collector has no pointers here to scan.
type agentRef struct {
	id  uint32
	n   uint32
	ptr uintptr
}

// is reports whether s is the very string the ref was made from.
func (a agentRef) is(s string) bool {
	return a.id > 0 && a.ptr == uintptr(unsafe.Pointer(unsafe.StringData(s))) && a.n == uint32(len(s))
}

// recentNames are the names a field interned last.
type recentNames struct {
	ids     [6]uint32
	n, next uint8
}

// rowBlocks keeps memRows in blocks of a fixed size: growing never copies the rows written so far
// (a replay of a long session appends a million of them; doubling a slice copied them again and
// again).
type rowBlocks struct {
	blocks [][]memRow
	n      int
}

const rowBlockBits = 12

func (s *rowBlocks) at(i int) *memRow {
	return &s.blocks[i>>rowBlockBits][i&(1<<rowBlockBits-1)]
}

func (s *rowBlocks) push(m memRow) {
	if s.n>>rowBlockBits == len(s.blocks) {
		s.blocks = append(s.blocks, make([]memRow, 1<<rowBlockBits))
	}
	*s.at(s.n) = m
	s.n++
}

func (s *rowBlocks) len() int { return s.n }

// repack is r packed over the row it replaces: a name the row had already keeps its id without
// interning it again (most writes of an interaction change its state and a time, not its names,
// and == on the same backing string is cheap).
func (d *MemDatabase) repack(old *memRow, r *Row, agent int32) memRow {
	name := func(field int, id uint32, s string) uint32 {
		if d.names[id] == s {
			return id
		}
		return d.intern(field, s)
	}
	assigned := old.assigned
	switch {
	case agent >= 0 && int(agent) < len(d.agentName) && d.agentName[agent].is(r.AssignedTo):
		assigned = d.agentName[agent].id - 1
	case d.names[assigned] != r.AssignedTo:
		assigned = d.assigned(r.AssignedTo, agent)
	}
	return memRow{id: r.ID, receivedAt: r.ReceivedAt, placedAt: r.PlacedInQueueAt, toRouterAt: r.SubmittedToRouterAt,
		deliveredAt: r.DeliveredAt, doneAt: r.CompletedAt, media: name(0, old.media, r.Media), queue: name(1, old.queue, r.Queue),
		by: name(2, old.by, r.SubmittedBy), assigned: assigned, urs: name(4, old.urs, r.URS),
		strategy: name(5, old.strategy, r.Strategy), category: name(6, old.category, r.Category), state: r.State,
		abandonedAt: r.AbandonedAt}
}

func (d *MemDatabase) pack(r *Row, agent int32) memRow {
	return memRow{id: r.ID, receivedAt: r.ReceivedAt, placedAt: r.PlacedInQueueAt, toRouterAt: r.SubmittedToRouterAt,
		deliveredAt: r.DeliveredAt, doneAt: r.CompletedAt, media: d.intern(0, r.Media), queue: d.intern(1, r.Queue),
		by: d.intern(2, r.SubmittedBy), assigned: d.assigned(r.AssignedTo, agent), urs: d.intern(4, r.URS),
		strategy: d.intern(5, r.Strategy), category: d.intern(6, r.Category), state: r.State,
		abandonedAt: r.AbandonedAt}
}

// assigned is the id of assigned_to s, the name of the writing engine's agent `agent` (-1: not
// known, or no agent): found by the agent's index, checked against the name (another engine's
// agent of that index is another name, and then the name is interned).
func (d *MemDatabase) assigned(s string, agent int32) uint32 {
	if agent < 0 || s == "" {
		return d.intern(3, s)
	}
	if int(agent) < len(d.agentName) {
		if a := d.agentName[agent]; a.is(s) {
			return a.id - 1
		} else if a.id > 0 && d.names[a.id-1] == s {
			return a.id - 1
		}
	}
	id, ok := d.nameID[s]
	if !ok {
		id = d.intern(3, s)
	}
	if int(agent) >= len(d.agentName) {
		d.agentName = append(d.agentName, make([]agentRef, int(agent)+1-len(d.agentName))...)
	}
	// The interned string's address, not s's: names keeps that one alive, so no other string
	// can take its address. (The engine's own string, interned first, is the same one.)
	n := d.names[id]
	d.agentName[agent] = agentRef{id: id + 1, n: uint32(len(n)), ptr: uintptr(unsafe.Pointer(unsafe.StringData(n)))}
	return id
}

func (d *MemDatabase) unpack(m *memRow) Row {
	return Row{ID: m.id, Media: d.names[m.media], Queue: d.names[m.queue], State: m.state,
		SubmittedBy: d.names[m.by], ReceivedAt: m.receivedAt, PlacedInQueueAt: m.placedAt,
		SubmittedToRouterAt: m.toRouterAt, DeliveredAt: m.deliveredAt, AssignedTo: d.names[m.assigned],
		CompletedAt: m.doneAt, URS: d.names[m.urs], Strategy: d.names[m.strategy], Category: d.names[m.category],
		AbandonedAt: m.abandonedAt}
}

// Name implements Database.
func (d *MemDatabase) Name() string { return d.name }

// Identity implements Database.
func (d *MemDatabase) Identity() string { return d.id }

// Write implements Database.
func (d *MemDatabase) Write(r *Row) error { return d.writeAgent(r, -1) }

// writeAgent is Write from an engine that knows the index of the agent the row is assigned to
// (-1: none, or not known).
func (d *MemDatabase) writeAgent(r *Row, agent int32) error {
	i, ok := d.pos(r.ID)
	if ok {
		old := d.rows.at(i)
		m := d.repack(old, r, agent)
		d.count(old, -1)
		*old = m
		d.count(&m, 1)
		d.dropClosed(r.ID)
		return nil
	}
	m := d.pack(r, agent)
	{
		for int64(len(d.index)) <= r.ID {
			d.index = append(d.index, 0)
		}
		switch d.index[r.ID] {
		case droppedDone: // written again after it was dropped: it is counted already
			d.counts.Completed--
		case droppedAbandoned:
			d.counts.Abandoned--
		default:
			d.counts.Rows++
		}
		d.index[r.ID] = int32(d.rows.len() + 1)
		d.rows.push(m)
		d.count(&m, 1)
		d.dropClosed(r.ID)
		return nil
	}
}

// Marks in MemDatabase.index of rows a compact database counted and dropped.
const (
	droppedDone      int32 = -1
	droppedAbandoned int32 = -2
)

// dropClosed forgets a closed row of a compact database (its place taken by the last row).
func (d *MemDatabase) dropClosed(id int64) {
	if !d.compact {
		return
	}
	i, ok := d.pos(id)
	if !ok {
		return
	}
	r := d.rows.at(i)
	if r.doneAt == 0 && r.abandonedAt == 0 {
		return
	}
	mark := droppedDone
	if r.abandonedAt != 0 {
		mark = droppedAbandoned
	}
	last := d.rows.len() - 1
	if i != last {
		*r = *d.rows.at(last)
		d.index[r.id] = int32(i + 1)
	}
	d.rows.n = last
	d.index[id] = mark
}

func (d *MemDatabase) count(r *memRow, n int64) {
	if r.abandonedAt != 0 {
		d.counts.Abandoned += n
		return
	}
	if r.doneAt != 0 {
		d.counts.Completed += n
		return
	}
	switch r.state {
	case StateQueued:
		d.counts.Queued += n
	case StateInURS:
		d.counts.InURS += n
	case StateWithAgent:
		d.counts.WithAgent += n
	}
}

func (d *MemDatabase) pos(id int64) (int, bool) {
	if id < 0 || id >= int64(len(d.index)) || d.index[id] <= 0 {
		return 0, false
	}
	return int(d.index[id] - 1), true
}

// Flush implements Database.
func (d *MemDatabase) Flush() error { return nil }

// Open implements Database.
func (d *MemDatabase) Open(fn func(*Row)) error {
	for i := range d.rows.len() {
		if m := d.rows.at(i); m.doneAt == 0 && m.abandonedAt == 0 {
			r := d.unpack(m)
			fn(&r)
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
	return d.unpack(d.rows.at(i)), true
}

// Rewrite implements Rewriter: the database then holds exactly the rows listed.
func (d *MemDatabase) Rewrite(rows func(fn func(*Row))) error {
	var all []Row
	rows(func(r *Row) { all = append(all, *r) })
	*d = MemDatabase{name: d.name, id: d.id}
	for i := range all {
		if err := d.Write(&all[i]); err != nil {
			return err
		}
	}
	return nil
}
