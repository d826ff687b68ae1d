package core

// The account of damage: what failures did to the interactions, counted once, here, and read by
// every view — the console's status line and Interactions pane, the run report (`interactions`)
// and its service section (`service.Q.lost`, `held`, `touched`), the run plot, and compare and
// sweep through the report's paths.
//
// `lost` is what the databases say (docs/scenarios.md, "Run report"): submitted interactions that are neither
// completed, abandoned nor open in the database the active Interaction Server uses — of them
// `lost_open` are still open in another database. The console cannot read the databases every
// frame, so the engine keeps the same count as it sends the rows: for each database and each
// service class (queue, before or after its warm-up), how many rows are open, completed and
// abandoned there. Report checks the count against the databases themselves.

// Damage is the one account of what failures did to the interactions so far.
type Damage struct {
	// Lost counts submitted interactions neither completed, abandoned nor open in the database
	// the active Interaction Server uses: out of its sight (a switchover onto another database).
	Lost int64 `json:"lost"`
	// LostOpen are those of Lost still open (not completed) in another database: never finished.
	LostOpen int64 `json:"lost_open"`
	// LostFinished are those of Lost an agent finished, closed as completed in a database the
	// active IS no longer uses: the customer was served, the record is out of its sight.
	LostFinished int64 `json:"lost_finished"`
	// LostUnwritten are those of Lost whose first row no database ever got (held for a database
	// that went out of use). Lost = LostOpen + LostFinished + LostUnwritten.
	LostUnwritten int64 `json:"lost_unwritten"`
	// Held is work waiting for the deployment to recover: WaitingAtMedia + HeldForDAP.
	Held int64 `json:"held"`
	// WaitingAtMedia are arrivals a media server holds because it or the IS cannot take them.
	WaitingAtMedia int64 `json:"waiting_at_media"`
	// HeldForDAP are interactions whose state changes wait for a DAP to reach the database.
	HeldForDAP int64 `json:"held_for_dap"`
	// Abandoned counts rows closed with abandoned_at, in any database: the customer gave up.
	Abandoned int64 `json:"abandoned"`
	// Resubmitted counts resubmissions to a URS (a URS stopped or an IS restored them): one
	// interaction resubmitted twice counts twice. The contract's path keeps its name; views label
	// it "resubmissions".
	Resubmitted int64 `json:"resubmitted"`
	// ResubmittedInteractions counts the interactions resubmitted at least once.
	ResubmittedInteractions int64 `json:"resubmitted_interactions"`
	// Touched counts the interactions a failure reached: resubmitted, dropped or restored by a
	// switchover or restart, held at a media server or for a DAP, or lost.
	Touched int64 `json:"touched"`
	// StaleRestored counts rows restored by a restart or switch-back whose interaction an agent
	// finished (or was finishing) under another IS (stale_restored events).
	StaleRestored int64 `json:"stale_restored"`
	// OverCapacity counts deliveries and restores that pushed an agent past its capacity: the
	// double bookings and the restored_over_capacity events.
	OverCapacity int64 `json:"over_capacity"`
}

// DamageItem is one figure of the account with the label every view shows it under.
type DamageItem struct {
	Label string
	Value int64
}

// Items lists the account's figures, under the labels the console and the report both use, in
// the order they read: what is gone, what waits, what customers did, what failures reached.
func (d Damage) Items() []DamageItem {
	return []DamageItem{
		{"lost", d.Lost}, {"still open in another database", d.LostOpen},
		{"finished out of the active IS's sight", d.LostFinished}, {"never written to a database", d.LostUnwritten},
		{"held", d.Held}, {"abandoned", d.Abandoned}, {"resubmissions", d.Resubmitted},
		{"touched by a failure", d.Touched}, {"stale restored", d.StaleRestored},
		{"over capacity", d.OverCapacity},
	}
}

// Row status in a database, as the engine sent it: open in one of its states (queued, in a URS,
// with an agent), done or abandoned.
const (
	rowNone uint8 = iota
	rowQueued
	rowInURS
	rowWithAgent
	rowDone
	rowAbandoned
)

func rowOpen(status uint8) bool { return status >= rowQueued && status <= rowWithAgent }

func rowStatus(r *Row) uint8 {
	switch {
	case r.AbandonedAt != 0:
		return rowAbandoned
	case r.CompletedAt != 0:
		return rowDone
	}
	return openStatus(r.State)
}

// openStatus is the status of an open row in an interaction state.
func openStatus(state uint8) uint8 {
	switch state {
	case StateInURS:
		return rowInURS
	case StateWithAgent:
		return rowWithAgent
	}
	return rowQueued
}

// rowTally counts the rows of one service class in one database.
type rowTally struct {
	open, done, abandoned int64
	// inState splits open by the rows' state: queued, in a URS, with an agent — what the
	// database says, which lags the IS while its writes wait for a DAP.
	inState [3]int64
	// doneTouched are done rows whose interaction a failure had reached before it completed;
	// doneLost are the others, once counted as touched because their database went out of sight.
	doneTouched, doneLost int64
}

func (t *rowTally) add(status uint8, n int64) {
	switch {
	case rowOpen(status):
		t.open += n
		t.inState[status-rowQueued] += n
	case status == rowDone:
		t.done += n
	case status == rowAbandoned:
		t.abandoned += n
	}
}

// rowChange is what one write does to the tally: the interaction's row in database db (-1: no
// database in use) goes from status prev to next. It is worked out when the IS writes and
// applied when the row reaches the database, so a write held for a database that went out of
// use (and is dropped) changes nothing, as it changes nothing in the database.
type rowChange struct {
	db         int16
	prev, next uint8
	touched    bool
	class      int32
}

type dmgState struct {
	dbIdx  map[string]int16
	active int16        // index of the database the active IS uses (Engine.is.db), -1 with none
	rows   [][]rowTally // [database][class]
	// unwritten counts, by class, interactions whose first row was held for a database that
	// went out of use before it got there: no database has them. Open or completed, they are
	// lost; abandoned, abandoned.
	unwritten []rowTally
}

func (e *Engine) dmgBuild() {
	e.dmg.dbIdx, e.dmg.active = map[string]int16{}, -1
	for i, name := range e.cfg.Databases {
		e.dmg.dbIdx[name] = int16(i)
		e.dmg.rows = append(e.dmg.rows, make([]rowTally, 2*len(e.queues)))
	}
	e.dmg.unwritten = make([]rowTally, 2*len(e.queues))
}

// rowDropped: a held write was dropped, its database out of use. An interaction's later rows
// are dropped with its first, so only a first row matters: without it, no database has the
// interaction.
func (e *Engine) rowDropped(c rowChange) {
	if c.prev == rowNone {
		e.dmg.unwritten[c.class].add(c.next, 1)
	}
}

// unwrittenTotals sums the interactions no database has: lost (open or completed) and abandoned.
func (e *Engine) unwrittenTotals() (lost, abandoned int64) {
	for _, t := range e.dmg.unwritten {
		lost += t.open + t.done
		abandoned += t.abandoned
	}
	return lost, abandoned
}

// activeDB is the index of the database the active IS uses, -1 with none.
func (e *Engine) activeDB() int16 { return e.dmg.active }

// setISDatabase records the database the active IS uses (nil: none).
func (e *Engine) setISDatabase(db Database) {
	e.is.db, e.is.dbName, e.dmg.active = db, "", -1
	if db != nil {
		e.is.dbName = db.Name()
		if i, ok := e.dmg.dbIdx[e.is.dbName]; ok {
			e.dmg.active = i
		}
	}
}

// rowChangeFor works out what writing r for the interaction in slot does to the tally.
func (e *Engine) rowChangeFor(slot int32, r *Row) rowChange {
	ix := &e.ixns[slot]
	target := e.activeDB()
	prev := rowNone
	if ix.home == target {
		prev = ix.wst
	}
	next := rowStatus(r)
	ix.home, ix.wst = target, next
	return rowChange{db: target, prev: prev, next: next, touched: ix.svc&svcTouched != 0, class: ix.class()}
}

// rowSent applies a write that reached its database.
func (e *Engine) rowSent(c rowChange) {

	if c.db < 0 || int(c.db) >= len(e.dmg.rows) || c.prev == c.next {
		return
	}
	t := &e.dmg.rows[c.db][c.class]
	t.add(c.prev, -1)
	t.add(c.next, 1)
	if c.next == rowDone && c.touched {
		t.doneTouched++
	}
}

// rowRestored: the active IS restored the interaction in slot from its database, where its row
// is open in state.
func (e *Engine) rowRestored(slot int32, state uint8) {
	ix := &e.ixns[slot]
	ix.home, ix.wst = e.activeDB(), openStatus(state)
}

// Recorded are the interactions as the databases have them (Report reads the same from the
// databases themselves): rows in any database, and of the database the active IS uses those
// completed, queued, in a URS and with an agent. While writes wait for a DAP they lag what the
// IS holds in memory.
type Recorded struct {
	Submitted, Completed, Queued, InURS, WithAgent int64
}

// recorded is the databases' view now, from the engine's tally of the rows it sent.
func (e *Engine) recorded() Recorded {
	var r Recorded
	cur := e.activeDB()
	for db := range e.dmg.rows {
		for c := range e.dmg.rows[db] {
			t := &e.dmg.rows[db][c]
			r.Submitted += t.open + t.done + t.abandoned
			if int16(db) == cur {
				r.Completed += t.done
				r.Queued += t.inState[0]
				r.InURS += t.inState[1]
				r.WithAgent += t.inState[2]
			}
		}
	}
	return r
}

// dmgSight follows a change of the database in use (from prev): the completed rows of every
// other database are out of sight now — lost — and count as touched by the failure, once. (Open
// ones belong to interactions the switchover dropped, which it touched as it dropped them.)
func (e *Engine) dmgSight(prev int16) {
	cur := e.activeDB()
	if cur == prev {
		return
	}
	for db := range e.dmg.rows {
		if int16(db) == cur {
			continue
		}
		for c := range e.dmg.rows[db] {
			t := &e.dmg.rows[db][c]
			if n := t.done - t.doneTouched - t.doneLost; n > 0 {
				t.doneLost += n
				e.svc.q[c].touched += n
			}
		}
	}
}

// classDamage is the account of one service class.
type classDamage struct {
	lost, lostOpen, lostDone, lostUnwritten int64
	completed, abandoned                    int64
	atMedia, heldDAP                        int64
}

// damageByClass works out the account per service class now.
func (e *Engine) damageByClass() []classDamage {
	out := make([]classDamage, len(e.svc.q))
	cur := e.activeDB()
	for db := range e.dmg.rows {
		for c := range e.dmg.rows[db] {
			t := &e.dmg.rows[db][c]
			d := &out[c]
			d.abandoned += t.abandoned
			if int16(db) == cur {
				d.completed += t.done
			} else {
				d.lost += t.open + t.done
				d.lostOpen += t.open
				d.lostDone += t.done
			}
		}
	}
	for c := range out {
		out[c].atMedia = e.svc.atMedia[c]
		u := &e.dmg.unwritten[c]
		out[c].lost += u.open + u.done
		out[c].lostUnwritten += u.open + u.done
		out[c].abandoned += u.abandoned
	}
	// Held for a DAP: each interaction once, whether its writes wait or its completion does.
	if len(e.is.held) > 0 || len(e.is.parkedDone) > 0 {
		seen := map[int64]bool{}
		for i := range e.is.held {
			h := &e.is.held[i]
			if !seen[h.row.ID] {
				seen[h.row.ID] = true
				out[h.change.class].heldDAP++
			}
		}
		for _, w := range e.is.parkedDone {
			if ix := &e.ixns[w.slot]; ix.live && ix.gen == w.gen && !seen[ix.id] {
				seen[ix.id] = true
				out[ix.class()].heldDAP++
			}
		}
	}
	return out
}

// completedInUse counts the rows closed as completed in the database the active IS uses.
func (e *Engine) completedInUse() int64 {
	var n int64
	if cur := e.activeDB(); cur >= 0 {
		for _, t := range e.dmg.rows[cur] {
			n += t.done
		}
	}
	return n
}

// Damage returns the account of damage now.
func (e *Engine) Damage() Damage {
	var d Damage
	for c, cd := range e.damageByClass() {
		d.Lost += cd.lost
		d.LostOpen += cd.lostOpen
		d.LostFinished += cd.lostDone
		d.LostUnwritten += cd.lostUnwritten
		d.Abandoned += cd.abandoned
		d.WaitingAtMedia += cd.atMedia
		d.HeldForDAP += cd.heldDAP
		d.Touched += e.svc.q[c].touched + cd.atMedia
	}
	d.Held = d.WaitingAtMedia + d.HeldForDAP
	d.Resubmitted = e.stats.Resubmitted
	d.ResubmittedInteractions = e.stats.ResubmittedInteractions
	d.StaleRestored = e.stats.StaleRestored
	d.OverCapacity = e.stats.OverCapacity
	return d
}
