package core

import (
	"fmt"
	"time"
)

// The Interaction Server's database (seed: "Balancing DB Servers"). The IS works with one database
// through all its DAPs, round-robin over those whose DB Server runs, failing over when a request
// fails; with none left, work is held. A DAP re-pointed on the fly is reported and ignored — until
// an IS becomes active (a switchover or a restart) and reads the configuration again.

type isState struct {
	primary, backup int32
	active          int32 // the active IS, -1 when none runs
	db              Database
	dbName          string
	daps            []int32   // the DAPs the active IS uses, in connection order
	dapRing         ring      // those it believes reach the database
	held            []heldRow // writes waiting for a DAP
	pendingRestore  bool      // active, but could not read its database yet
	holding         bool      // a `held` was logged and work has not resumed since
	parkedDone      []waitEntry

	deliveringTimeout int64
	routingTimeout    int64
	verifyIdentity    bool
	defaultMaxSub     int64
	handlingTimeout   int64
	defaultRate       time.Duration // default-max-submission-rate as the least gap between submissions
	defaultRateSet    bool          // default-max-submission-rate is set (0 then disables submissions)
	// The [agent-reservation] options of the IS arbiter.
	collectTime      int64
	reservationTime  int64 // how long a reservation whose interaction left the agent before the accept lingers
	rejectSubsequent bool
}

// isDAPs lists the DAPs on the Connections tab of the IS in force.
func (e *Engine) isDAPs() []int32 {
	var out []int32
	for _, c := range e.isConnections() {
		if id, ok := e.byName[c]; ok && e.apps[id].typ == TypeDatabaseAccessPoint {
			out = append(out, id)
		}
	}
	return out
}

func (e *Engine) dapUp(d *app) bool {
	// A DAP through a DB Server needs both running; an ODBC DAP (no DB Server) only itself.
	return d.running && (d.dbServer < 0 || e.apps[d.dbServer].running)
}

// activateIS makes an IS the active one: it reads the configuration as it is now, chooses its
// database, and restores the interactions found there (queued stay queued, those in a URS are
// resubmitted, those with agents stay with them) — as a backup does after a switchover.
func (e *Engine) activateIS(id int32, prev Database) {
	// Whatever database it ends up with, the rows of the others are out of sight from now on.
	defer e.dmgSight(e.activeDB())
	e.is.active = id
	e.refreshISOptions()
	for _, u := range e.urs {
		e.refreshURS(u)
	}
	e.refreshTargets()
	daps := e.isDAPs()
	e.is.daps = e.is.daps[:0]
	e.is.dapRing = ring{}
	e.setISDatabase(nil)
	if len(daps) == 0 {
		e.fail(fmt.Errorf("%s has no DatabaseAccessPoint connection", e.apps[id].name))
		e.is.pendingRestore = true
		return
	}
	// Which database: with the identity guard, the one in use; otherwise the IS cannot know the
	// configuration changed, so it takes the database named by the most recently changed DAP.
	for _, d := range daps {
		a := e.apps[d]
		if a.handle != nil && a.handle.Name() == a.database {
			continue
		}
		h, err := e.dbs.Connect(a.name, a.database)
		if err != nil {
			e.storage(fmt.Errorf("%s: connect to database %s: %w", a.name, a.database, err))
			a.handle = nil
			continue
		}
		a.handle = h
		e.identities[h.Name()] = h.Identity()
	}
	var chosen Database
	{
		inUse := ""
		if prev != nil {
			inUse = prev.Name()
		}
		var choices []DAPChoice
		for _, d := range daps {
			if a := e.apps[d]; a.handle != nil {
				choices = append(choices, DAPChoice{Name: a.name, Database: a.database, RepointSeq: a.repointSeq})
			}
		}
		name := e.apps[id].isMem.Choose(e.is.verifyIdentity, inUse, choices)
		switch {
		case name == "":
			e.is.pendingRestore = true
			return
		case prev != nil && name == inUse:
			chosen = prev
		default:
			db, err := e.dbs.Connect(e.apps[id].name, name)
			if err != nil {
				e.storage(fmt.Errorf("%s: connect to database %s: %w", e.apps[id].name, name, err))
				e.is.pendingRestore = true
				return
			}
			chosen = db
			e.identities[db.Name()] = db.Identity()
		}
	}
	e.setISDatabase(chosen)
	for _, d := range daps {
		a := e.apps[d]
		if a.handle == nil {
			continue
		}
		if a.handle.Identity() != chosen.Identity() {
			e.ev.App = a.name
			if e.is.verifyIdentity && prev != nil {
				e.ev.Detail = fmt.Sprintf("refused: %s points at database %s, not %s in use (verify-database-identity)", a.name, a.database, chosen.Name())
			} else {
				e.ev.Detail = fmt.Sprintf("not used: %s points at database %s, the Interaction Server works with %s", a.name, a.database, chosen.Name())
			}
			e.emit(EvConfigChanged)
			continue
		}
		e.is.daps = append(e.is.daps, d)
		if e.dapUp(a) {
			e.is.dapRing.add(d)
		}
	}
	e.apps[id].isMem.Remember(chosen.Name())
	if len(e.is.daps) == 0 {
		// Every DAP leads elsewhere (the identity guard refused them all): nothing can be read or
		// written. Say so, instead of stalling without a sign.
		e.holdWork(e.apps[id].name, "no Database Access Point leads to database "+chosen.Name()+" in use; work is held")
	} else if e.is.dapRing.len() > 0 {
		e.releaseWork(e.apps[id].name + " is active with database " + chosen.Name() + "; held work resumes")
	}
	e.is.pendingRestore = true
	e.restore()
}

// restore reads the database of the active IS and rebuilds the working set from it.
func (e *Engine) restore() {
	if !e.is.pendingRestore || e.is.active < 0 {
		return
	}
	// What was held for this database goes in first, so the restore reads every state change
	// the previous IS made.
	if !e.flushHeld() {
		return
	}
	d, ok := e.dapFor()
	if !ok {
		return // held until a DAP returns
	}
	e.is.pendingRestore = false
	d.requests++
	live := map[int64]int32{}
	for slot := range e.ixns {
		if ix := &e.ixns[slot]; ix.live {
			live[ix.id] = int32(slot)
		}
	}
	var rows []Row
	if err := d.handle.Open(func(r *Row) { rows = append(rows, *r) }); err != nil {
		e.storage(fmt.Errorf("restore from %s: %w", e.is.dbName, err))
	}
	parked := e.hearParked(rows)
	known := map[int64]bool{}
	for i := range rows {
		r := &rows[i]
		known[r.ID] = true
		if r.ID > e.nextID {
			e.nextID = r.ID
		}
		e.restoreRow(r, live, parked)
	}
	e.forgetUnknown(live, known, parked)
	for _, w := range e.is.parkedDone {
		ix := &e.ixns[w.slot]
		if ix.live && ix.gen == w.gen {
			e.agentDone(w.slot)
		}
	}
	e.is.parkedDone = nil
	for _, st := range e.strats {
		e.drain(st)
	}
	e.unpark()
}

// hearParked hears the completions agents reported while no Interaction Server could hear them
// (parked): of the interactions the database has with their agents, the IS hears them first, so
// the agents they freed are free in the log too before anything is restored onto them. It
// returns the interactions whose completion stays parked.
func (e *Engine) hearParked(rows []Row) (parked map[int64]bool) {
	parked = map[int64]bool{}
	withAgent := map[int64]bool{}
	for i := range rows {
		if rows[i].State == StateWithAgent {
			withAgent[rows[i].ID] = true
		}
	}
	keep := e.is.parkedDone[:0]
	for _, w := range e.is.parkedDone {
		ix := &e.ixns[w.slot]
		if !ix.live || ix.gen != w.gen {
			continue
		}
		if withAgent[ix.id] {
			e.agentDone(w.slot)
			continue
		}
		parked[ix.id] = true
		keep = append(keep, w)
	}
	e.is.parkedDone = keep
	return parked
}

// restoreRow puts one row of the database back to work, as the row says: queued, in a URS
// (resubmitted) or with its agent. live are the interactions the engine had, by ID.
func (e *Engine) restoreRow(r *Row, live map[int64]int32, parked map[int64]bool) {
	work, stale := e.orphaned[r.ID]
	if !stale {
		work = -1
	}
	if slot, ok := live[r.ID]; ok {
		ix := &e.ixns[slot]
		if !ix.live || ix.id != r.ID {
			return // its parked completion was heard above
		}
		if ix.state == StateWithAgent && r.State == StateWithAgent {
			return // still with its agent
		}
		// Its agent goes on with it, unheard, while the row puts it back to work.
		stale = true
		if ix.state == StateWithAgent && ix.agent >= 0 {
			e.goesUnheard(slot, parked[r.ID])
		}
		e.clearAgent(ix)
		e.freeSlotOf(slot)
	}
	if stale {
		delete(e.orphaned, r.ID)
	}
	q, ok := e.queueBy[r.Queue]
	if !ok {
		e.fail(fmt.Errorf("restore: interaction %d is in unknown queue %q", r.ID, r.Queue))
		return
	}
	slot := e.alloc()
	ix := &e.ixns[slot]
	ix.id, ix.receivedAt, ix.placedAt, ix.cat = r.ID, r.ReceivedAt, r.PlacedInQueueAt, e.catID(r.Category)
	ix.media = e.mediaIndex(r.Media)
	ix.by = -1
	if id, ok := e.byName[r.SubmittedBy]; ok {
		ix.by = id
	}
	ix.strategy = e.queues[q].strategy
	e.rowRestored(slot, r.State)
	e.svcRestored(slot, q, r.State)
	if r.State != StateWithAgent && e.gaveUp(slot, q) {
		return // gave up while no Interaction Server could route it
	}
	ag, onAgent := e.agentIndex(r.AssignedTo)
	onAgent = onAgent && r.State == StateWithAgent
	if w, ok := e.unheard[work]; ok && onAgent && !w.adopted && w.agent == ag {
		// The agent is still working the interaction the row puts back on it: the IS hears
		// of it again and the agent goes on — the same hold, the same end; not stale, and
		// not one more interaction on the agent.
		w.adopted = true
		e.unheard[work] = w
		e.setState(ix, StateWithAgent, q)
		ix.deliveredAt = r.DeliveredAt
		ix.agent = ag
		ix.doneAt, ix.doneFlag = w.doneAt, w.flag
		e.schedule(timer{at: w.doneAt, kind: tComplete, slot: slot, gen: ix.gen, arg: ag, aux: ix.media, flag: w.flag})
		return
	}
	if stale {
		// The row says the interaction is still to be done, but an agent finished it under
		// another Interaction Server (or goes on with it, when the row puts it back to
		// routing): the restore puts it back to work anyway, as the IS cannot know. Counted
		// and shown, never hidden.
		e.stats.StaleRestored++
		e.ev.Ixn, e.ev.Queue = ix.id, r.Queue
		e.emit(EvStaleRestored)
	}
	switch r.State {
	case StateWithAgent:
		e.setState(ix, StateWithAgent, q)
		ix.deliveredAt = r.DeliveredAt
		if onAgent {
			e.restoreOnAgent(slot, ag)
		} else {
			ix.queue = q
			e.requeue(slot, false)
		}
	case StateInURS:
		ix.queue = q
		e.requeue(slot, true)
	default:
		e.setState(ix, StateQueued, q)
		e.submit(slot, false)
	}
}

// restoreOnAgent puts a restored interaction on the agent its row names, as new work: the
// desktop still has it, and the agent stays busy until done — over its capacity if the agent
// took other work meanwhile.
func (e *Engine) restoreOnAgent(slot int32, ag int32) {
	ix := &e.ixns[slot]
	k := int(ag)*len(e.media) + int(ix.media)
	g := e.groupOf(ag)
	if e.am[k].load >= g.capacity[ix.media] {
		e.stats.OverCapacity++
		e.ev.Ixn, e.ev.Agent = ix.id, e.agentName(ag)
		e.emit(EvRestoredOverCapacity)
	}
	e.am[k].load++
	e.svcLoad(ag, 1)
	if e.am[k].load >= g.capacity[ix.media] {
		e.removeFree(g, ag, int(ix.media))
	}
	e.ev.Ixn, e.ev.Agent = ix.id, e.agentName(ag)
	e.emit(EvRestoredToAgent)
	ix.agent = ag
	d := e.exp(g.handleMean)
	ix.doneAt, ix.doneFlag = e.now+d, 0
	e.after(d, tComplete, slot, ag, ix.media)
}

// forgetUnknown lets go of the interactions with agents that the restored database does not know:
// the agent finishes, but no Interaction Server hears of it any more.
func (e *Engine) forgetUnknown(live map[int64]int32, known, parked map[int64]bool) {
	for slot := range e.ixns {
		ix := &e.ixns[slot]
		if _, wasLive := live[ix.id]; wasLive && ix.live && ix.state == StateWithAgent && !known[ix.id] {
			// A restore of a database that still holds it (a switch-back) re-adopts the work
			// while the agent goes on with it, and is stale once it is over.
			e.orphaned[ix.id] = e.goesUnheard(int32(slot), parked[ix.id])
			e.svcTouch(int32(slot), "lost") // out of the active IS's sight: a failure reached it
			e.clearAgent(ix)
			e.freeSlotOf(int32(slot))
		}
	}
}

func (e *Engine) mediaIndex(m string) uint8 {
	if i, ok := e.mediaBy[m]; ok {
		return i
	}
	return 0
}

// dapFor picks the DAP for the next request, failing over from any whose DB Server is down.
func (e *Engine) dapFor() (*app, bool) {
	for {
		id, ok := e.is.dapRing.pick()
		if !ok {
			return nil, false
		}
		d := e.apps[id]
		if e.dapUp(d) {
			return d, true
		}
		// The request through it fails: a DBMS failure, and the IS fails over.
		d.requests++
		d.failures++
		e.is.dapRing.remove(id)
		e.ev.From, e.ev.To = d.name, "none" // none: no DAP is left
		if next, ok := e.peekDAP(); ok {
			e.ev.To = e.apps[next].name
		}
		e.emit(EvDAPFailover)
		if e.is.dapRing.len() == 0 {
			e.holdWork(e.apps[e.is.active].name, "no Database Access Point reaches "+e.is.dbName+"; work is held")
		}
	}
}

func (e *Engine) peekDAP() (int32, bool) {
	r := &e.is.dapRing
	if r.len() == 0 {
		return -1, false
	}
	return r.head, true
}

// heldRow is a write the IS could not send yet, with the identity of the database it is for and
// what it does to the account of damage once sent.
type heldRow struct {
	db     string
	row    Row
	change rowChange
}

// dbWrite sends the row of the interaction in slot through the next DAP, or holds it while none
// is available; an interaction whose work is held is one a failure reached.
func (e *Engine) dbWrite(slot int32, r *Row) {
	c := e.rowChangeFor(slot, r)
	if e.is.active < 0 || e.is.pendingRestore || len(e.is.held) > 0 {
		e.hold(slot, r, c) // behind earlier held writes: an interaction's rows keep their order
		return
	}
	d, ok := e.dapFor()
	if !ok {
		e.hold(slot, r, c)
		return
	}
	e.send(d, r, c)
}

func (e *Engine) hold(slot int32, r *Row, c rowChange) {
	id := ""
	if e.is.db != nil {
		id = e.is.db.Identity()
	}
	e.svcTouch(slot, "held for a DAP")
	e.is.held = append(e.is.held, heldRow{db: id, row: *r, change: c})
}

func (e *Engine) send(d *app, r *Row, c rowChange) {
	d.requests++
	var err error
	if m, ok := d.handle.(*MemDatabase); ok && r == &e.row {
		err = m.writeKeyed(r, &e.rowKeys) // the names found by the engine's indexes, not compared
	} else {
		err = d.handle.Write(r)
	}
	if err != nil {
		e.storage(fmt.Errorf("write interaction %d to %s through %s: %w", r.ID, e.is.dbName, d.name, err))
		return
	}
	e.rowSent(c)
}

// flushHeld sends the held writes, oldest first, and reports whether none is left. Writes held
// for another database were made by an IS that is gone, for a database the active one does not
// use: they are lost with it.
func (e *Engine) flushHeld() bool {
	for len(e.is.held) > 0 {
		h := &e.is.held[0]
		if e.is.db == nil || h.db != e.is.db.Identity() {
			e.rowDropped(h.change)
			e.is.held = e.is.held[1:]
			continue
		}
		d, ok := e.dapFor()
		if !ok {
			return false
		}
		e.send(d, &h.row, h.change)
		e.is.held = e.is.held[1:]
	}
	e.is.held = nil
	return true
}

// dapsChanged re-admits DAPs whose DB Server came back, then releases held work.
func (e *Engine) dapsChanged() {
	if e.is.active < 0 {
		return
	}
	before := e.is.dapRing.len()
	for _, d := range e.is.daps {
		if e.dapUp(e.apps[d]) {
			e.is.dapRing.add(d)
		}
	}
	if before == 0 && e.is.dapRing.len() > 0 {
		if next, ok := e.peekDAP(); ok {
			e.releaseWork(e.apps[next].name + " reaches " + e.is.dbName + " again; held work resumes")
		}
		if e.flushHeld() {
			e.restore()
			e.unpark()
		}
	}
}

// holdWork logs that work stops for reason (`held`); releaseWork logs that it goes on
// (`held_released`), once, after a hold.
func (e *Engine) holdWork(app, reason string) {
	e.ev.App, e.ev.Reason = app, reason
	e.emit(EvHeld)
	e.is.holding = true
}

func (e *Engine) releaseWork(reason string) {
	if !e.is.holding {
		return
	}
	e.is.holding = false
	e.ev.App, e.ev.Reason = e.nameOf(e.is.active), reason
	e.emit(EvHeldReleased)
}

// deactivateIS: the active IS stopped with no backup to take over. URS lose their requests (the
// database still says state 2; they are resubmitted when an IS restores it); agents keep what they
// handle.
func (e *Engine) deactivateIS() {
	e.dropWorkingSet("stopped")
	e.is.active = -1
	e.is.daps = e.is.daps[:0]
	e.is.dapRing = ring{}
}

// dropWorkingSet forgets everything but the interactions agents are handling.
func (e *Engine) dropWorkingSet(reason string) {
	// Nobody waits any more: an agent freed while the working set goes is not handed on.
	for _, st := range e.strats {
		st.waiting.reset()
		st.resubWaiting.reset()
	}
	for _, g := range e.groups {
		for m := range g.waiting {
			for i := range g.waiting[m] {
				g.waiting[m][i].reset()
			}
			for _, i := range g.waitURS[m] {
				g.listed[m][i] = false
			}
			g.waitURS[m] = g.waitURS[m][:0] // (nWaiting follows the abandons below)
		}
	}
	// The arbiter of the IS that is gone forgets the reservations that outlived their
	// interactions (those of interactions agents hold stay with them).
	e.dropLingers()
	for slot := range e.ixns {
		ix := &e.ixns[slot]
		if !ix.live || ix.state == StateWithAgent {
			continue
		}
		e.svcTouch(int32(slot), "dropped by the interaction server")
		e.abandon(int32(slot), "interaction server "+reason)
		e.freeSlotOf(int32(slot))
	}
}

// switchover hands the active role to the other IS of the pair, which restores from the database
// its configuration leads it to.
func (e *Engine) switchover(to int32) {
	from := e.is.active
	prev := e.is.db
	e.ev.From, e.ev.To = e.nameOf(from), e.apps[to].name
	e.emit(EvSwitchover)
	e.dropWorkingSet("switchover")
	e.activateIS(to, prev)
}
