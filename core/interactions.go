package core

import "math"

// Interactions: arrival from media servers, slots, states and their rows in the database.

func (e *Engine) scheduleArrival(ti int32, from int64) {
	t := &e.traffic[ti]
	d := t.rng.ExpFloat64() * t.mean
	if d > math.MaxInt64/4 {
		d = math.MaxInt64 / 4
	}
	at := from + int64(d) + 1
	if t.stop > 0 && at >= t.stop {
		return
	}
	e.schedule(timer{at: at, kind: tArrival, arg: ti, slot: -1})
}

// arrival is a new interaction at a media server; a stopped server submits nothing and one that
// cannot reach a working Interaction Server holds it until it can (dual role, seed).
func (e *Engine) arrival(ti int32) {
	t := &e.traffic[ti]
	e.scheduleArrival(ti, e.now)
	from := e.apps[t.from]
	if !from.running || !e.accepting() {
		p := parkedArrival{traffic: ti, received: e.now}
		if t.cfg.Patience > 0 {
			p.patienceAt = e.now + e.drawPatience(t.cfg.Patience)
		}
		from.parked = append(from.parked, p)
		e.stats.Parked++
		e.svc.atMedia[e.parkedClass(ti, e.now)]++
		if iv := e.interval(t.queue, e.now); iv != nil {
			iv.Offered++ // the customer arrived now, whenever the IS takes it
		}
		return
	}
	e.accept(ti, e.now, -1)
}

// accepting reports whether the IS can take new interactions: one is active and it has a DAP.
func (e *Engine) accepting() bool {
	return e.isUp() && !e.is.pendingRestore && e.is.dapRing.len() > 0
}

func (e *Engine) isUp() bool { return e.is.active >= 0 }

// unpark submits what media servers held while they or the IS could not.
func (e *Engine) unpark() {
	for _, a := range e.apps {
		if len(a.parked) == 0 || !a.running {
			continue
		}
		for len(a.parked) > 0 && e.accepting() {
			p := a.parked[0]
			a.parked = a.parked[1:]
			e.stats.Parked--
			e.svc.atMedia[e.parkedClass(p.traffic, p.received)]--
			e.accept(p.traffic, p.received, p.patienceAt)
		}
		if len(a.parked) == 0 {
			a.parked = nil
		}
	}
}

// accept is RequestSubmit from a media server: the IS creates the interaction and places it in
// the traffic's queue. patienceAt ≥ 0: the media server held it until now (a failure reached it)
// and its customer gives up then (0: never); -1: it arrives now.
func (e *Engine) accept(ti int32, received int64, patienceAt int64) {
	t := &e.traffic[ti]
	slot := e.alloc()
	ix := &e.ixns[slot]
	e.nextID++
	ix.id = e.nextID
	ix.media = t.media
	ix.by = t.from
	ix.receivedAt = received
	ix.work = t.work.ExpFloat64() // drawn in arrival order: the same customer, the same work, in any design
	ix.queue = -1
	e.stats.Submitted++
	e.ev.Ixn, e.ev.Media, e.ev.Queue, e.ev.By = ix.id, e.media[t.media], e.queues[t.queue].name, e.apps[t.from].name
	if received < e.now {
		e.ev.Received = received // held at the media server: the customer's wait began then
	}
	e.emit(EvSubmitted)
	e.svcOffered(slot, ti, patienceAt)
	if e.gaveUp(slot, t.queue) {
		return // gave up while the media server held it: never reaches a URS
	}
	e.placeInQueue(slot, t.queue)
}

func (e *Engine) alloc() int32 {
	var slot int32
	if n := len(e.freeSlot); n > 0 {
		slot = e.freeSlot[n-1]
		e.freeSlot = e.freeSlot[:n-1]
	} else {
		e.ixns = append(e.ixns, ixn{})
		slot = int32(len(e.ixns) - 1)
	}
	ix := &e.ixns[slot]
	gen := ix.gen + 1
	*ix = ixn{gen: gen, live: true, urs: -1, agent: -1, queue: -1, strategy: -1, state: 255, home: -1}
	return slot
}

func (e *Engine) freeSlotOf(slot int32) {
	ix := &e.ixns[slot]
	e.setState(ix, 255, -1)
	e.svcFreed(ix)
	ix.live = false
	ix.gen++
	ix.cat = 0
	e.freeSlot = append(e.freeSlot, slot)
}

// setState moves the interaction to a state and queue, keeping the per-queue counts.
func (e *Engine) setState(ix *ixn, state uint8, q int32) {
	if ix.state < 4 && ix.queue >= 0 {
		e.queues[ix.queue].counts[ix.state]--
	}
	ix.state = state
	ix.queue = q
	if state < 4 && q >= 0 {
		e.queues[q].counts[state]++
	}
}

// complete marks the interaction done; its row keeps completed_at.
func (e *Engine) complete(slot int32) {
	ix := &e.ixns[slot]
	e.svcFinished(ix)
	e.stats.Completed++
	e.writeCompleted(slot)
	e.ev.Ixn = ix.id
	e.emit(EvCompleted)
	e.freeSlotOf(slot)
}

// write records the interaction's row through a DAP.
func (e *Engine) write(slot int32) {
	e.fillRow(slot)
	e.dbWrite(slot, &e.row)
}

func (e *Engine) writeCompleted(slot int32) {
	e.fillRow(slot)
	e.row.CompletedAt = e.now
	e.dbWrite(slot, &e.row)
}

func (e *Engine) fillRow(slot int32) {
	ix := &e.ixns[slot]
	r, k := &e.row, &e.rowKeys.of
	r.ID = ix.id
	r.Media, k[0] = e.media[ix.media], int32(ix.media)
	r.Queue, k[1] = "", ix.queue
	if ix.queue >= 0 {
		r.Queue = e.queues[ix.queue].name
	}
	r.State = ix.state
	r.SubmittedBy, k[2] = e.nameOf(ix.by), ix.by
	r.ReceivedAt = ix.receivedAt
	r.PlacedInQueueAt = ix.placedAt
	r.SubmittedToRouterAt = ix.toURSAt
	r.DeliveredAt = ix.deliveredAt
	r.AssignedTo, k[3] = "", ix.agent
	if ix.agent >= 0 {
		r.AssignedTo = e.agentName(ix.agent)
	}
	r.CompletedAt = 0
	r.URS, k[4] = e.nameOf(ix.urs), ix.urs
	r.Strategy, k[5] = "", ix.strategy
	if ix.strategy >= 0 {
		r.Strategy = e.strats[ix.strategy].name
	}
	r.Category, k[6] = e.catName(ix.cat), ix.cat-1 // category 0 is ""
}
