package core

import (
	"fmt"
	"math/rand/v2"
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
	st     []uint8 // ID -> what the row counts as (memNone…memAbandoned)
	names  []string
	nameID map[string]uint32
	last   [7]recentNames // per field, the names interned last (intern)
	// keyed is, per field, the name id + 1 of each index of the writing engine's tables
	// (rowKeys.of + 1; 0: not seen yet), for the engine keyOwner: a row's assigned_to is one of
	// thousands of agents, which the recent names miss and the map would hash (writeKeyed).
	keyed    [7][]uint32
	keyOwner *Engine
	counts   Counts
	// compact drops a row once it is closed (completed or abandoned), leaving its count (st)
	// and a mark in index: droppedRow.
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
func (d *MemDatabase) repack(old *memRow, r *Row) memRow {
	name := func(field int, id uint32, s string) uint32 {
		if d.names[id] == s {
			return id
		}
		return d.intern(field, s)
	}
	return memRow{id: r.ID, receivedAt: r.ReceivedAt, placedAt: r.PlacedInQueueAt, toRouterAt: r.SubmittedToRouterAt,
		deliveredAt: r.DeliveredAt, doneAt: r.CompletedAt, media: name(0, old.media, r.Media), queue: name(1, old.queue, r.Queue),
		by: name(2, old.by, r.SubmittedBy), assigned: name(3, old.assigned, r.AssignedTo), urs: name(4, old.urs, r.URS),
		strategy: name(5, old.strategy, r.Strategy), category: name(6, old.category, r.Category), state: r.State,
		abandonedAt: r.AbandonedAt}
}

func (d *MemDatabase) pack(r *Row) memRow {
	return memRow{id: r.ID, receivedAt: r.ReceivedAt, placedAt: r.PlacedInQueueAt, toRouterAt: r.SubmittedToRouterAt,
		deliveredAt: r.DeliveredAt, doneAt: r.CompletedAt, media: d.intern(0, r.Media), queue: d.intern(1, r.Queue),
		by: d.intern(2, r.SubmittedBy), assigned: d.intern(3, r.AssignedTo), urs: d.intern(4, r.URS),
		strategy: d.intern(5, r.Strategy), category: d.intern(6, r.Category), state: r.State,
		abandonedAt: r.AbandonedAt}
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
func (d *MemDatabase) Write(r *Row) error {
	if i, ok := d.pos(r.ID); ok {
		d.put(i, d.repack(d.rows.at(i), r))
	} else {
		d.insert(d.pack(r))
	}
	return nil
}

// rowKeys are the names of the row an engine writes as indexes of its own tables, which never
// change what an index names: media, queue, submitted_by, assigned_to, URS, strategy and
// category (intern's fields, in its order), -1 for "". Indexes of engine's tables.
type rowKeys struct {
	engine *Engine
	of     [7]int32
}

// writeKeyed is Write from an engine that gives the row's names as its own indexes (k): the
// database finds each name's id in a slice by index, without comparing or hashing the name
// (assigned_to is one of thousands: a hash, or a cache miss on the string, per write). A row a
// compact database closes is counted and dropped: its names are not looked up at all.
func (d *MemDatabase) writeKeyed(r *Row, k *rowKeys) error {
	if d.keyOwner != k.engine { // another engine's indexes name other names
		d.keyed, d.keyOwner = [7][]uint32{}, k.engine
	}
	m := memRow{id: r.ID, receivedAt: r.ReceivedAt, placedAt: r.PlacedInQueueAt, toRouterAt: r.SubmittedToRouterAt,
		deliveredAt: r.DeliveredAt, doneAt: r.CompletedAt, state: r.State, abandonedAt: r.AbandonedAt}
	if !d.compact || (m.doneAt == 0 && m.abandonedAt == 0) {
		m.media = d.keyedID(0, k.of[0], r.Media)
		m.queue = d.keyedID(1, k.of[1], r.Queue)
		m.by = d.keyedID(2, k.of[2], r.SubmittedBy)
		m.assigned = d.keyedID(3, k.of[3], r.AssignedTo)
		m.urs = d.keyedID(4, k.of[4], r.URS)
		m.strategy = d.keyedID(5, k.of[5], r.Strategy)
		m.category = d.keyedID(6, k.of[6], r.Category)
	}
	if i, ok := d.pos(r.ID); ok {
		d.put(i, m)
	} else {
		d.insert(m)
	}
	return nil
}

// keyedID is the id of name s, the engine's index k of field f (-1: "").
func (d *MemDatabase) keyedID(f int, k int32, s string) uint32 {
	i := int(k) + 1
	if t := d.keyed[f]; i < len(t) && t[i] != 0 {
		return t[i] - 1
	}
	// A name first seen through this index gets an id of its own without the map (for 60,000
	// agents, hashing and growing it was a tenth of what a study allocated): the same name
	// written by name, or by another engine, may get another id, which reads back the same.
	var id uint32
	if f == 3 && s != "" {
		id = uint32(len(d.names))
		d.names = append(d.names, s)
	} else {
		id = d.intern(f, s)
	}
	if t := d.keyed[f]; i >= len(t) {
		d.keyed[f] = append(t, make([]uint32, i+1-len(t))...)
	}
	d.keyed[f][i] = id + 1
	return id
}

// What a MemDatabase counts a row as (MemDatabase.st, by ID beside index): a write finds what it
// replaces there, without reading the row it overwrites (a cache miss a write).
const (
	memNone      uint8 = iota // no row
	memQueued                 // open, state 0
	memInURS                  // open, state 2
	memWithAgent              // open, state 3
	memOpen                   // open, another state
	memDone                   // completed_at set
	memAbandoned              // abandoned_at set (not counted as completed)
)

func statusOf(m *memRow) uint8 {
	switch {
	case m.abandonedAt != 0:
		return memAbandoned
	case m.doneAt != 0:
		return memDone
	case m.state == StateQueued:
		return memQueued
	case m.state == StateInURS:
		return memInURS
	case m.state == StateWithAgent:
		return memWithAgent
	}
	return memOpen
}

// put writes m, a row of the database at position i, over what it held.
func (d *MemDatabase) put(i int, m memRow) {
	st := statusOf(&m)
	d.count(d.st[m.id], -1)
	d.count(st, 1)
	d.st[m.id] = st
	if d.compact && st >= memDone {
		d.drop(i, m.id)
		return
	}
	*d.rows.at(i) = m
}

// insert adds the row m, new to the database (or written again after a compact database dropped
// it).
func (d *MemDatabase) insert(m memRow) {
	for int64(len(d.index)) <= m.id {
		d.index = append(d.index, 0)
		d.st = append(d.st, memNone)
	}
	if d.index[m.id] < 0 { // written again after it was dropped: it is counted already
		d.count(d.st[m.id], -1)
	} else {
		d.counts.Rows++
	}
	st := statusOf(&m)
	d.count(st, 1)
	d.st[m.id] = st
	d.index[m.id] = int32(d.rows.len() + 1)
	d.rows.push(m)
	if d.compact && st >= memDone {
		d.drop(d.rows.len()-1, m.id)
	}
}

// droppedRow marks in MemDatabase.index a row a compact database counted (st says as what) and
// dropped.
const droppedRow int32 = -1

// drop forgets row id of a compact database, at position i: its place is taken
// by the last row.
func (d *MemDatabase) drop(i int, id int64) {
	last := d.rows.len() - 1
	if i != last {
		r := d.rows.at(i)
		*r = *d.rows.at(last)
		d.index[r.id] = int32(i + 1)
	}
	d.rows.n = last
	d.index[id] = droppedRow
}

func (d *MemDatabase) count(st uint8, n int64) {
	switch st {
	case memQueued:
		d.counts.Queued += n
	case memInURS:
		d.counts.InURS += n
	case memWithAgent:
		d.counts.WithAgent += n
	case memDone:
		d.counts.Completed += n
	case memAbandoned:
		d.counts.Abandoned += n
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
