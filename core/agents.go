package core

// Agent reservation and delivery (SCENARIOS.md "Agent reservation"). Reservation is arbitration, not
// a gate: every eligible URS routes, and the agent_reservation option decides how it takes agents.
//
//   - A URS *reserves* when agent_reservation is true in its own options and in the IS Annex for
//     its name. Before routing to an agent it asks the IS, whose arbiter collects the requests for
//     that agent during request-collection-time, grants as many as the agent has capacity for (at
//     random among equals) and denies the others; a request for an agent already taken is denied
//     at once (reject-subsequent-request). A denied URS tries a ready agent nobody else is asking
//     for, or waits for one (WaitForTarget) — it never polls. A URS never asks an agent for more
//     than the capacity it sees free.
//   - A URS that does not reserve routes on its own view of agent states, which lags the truth by
//     its sim.stat_delay (the Stat Server's delay): an agent another router took less than that
//     long ago still looks ready, and the IS delivers anyway — the agent is double-booked. A URS
//     knows its own routing, so it never conflicts with itself: a single-URS site needs no option.
//
// Waiting does not spin: when an agent frees capacity and an interaction of its group waits for
// it, the one that has waited longest gets it without a new race — reserved for it at once (logged
// `reserved`) when its URS reserves, or announced as ready to a URS that does not.

// recentFull is an agent that became fully busy at `at` because URS `by` routed to it: a URS whose
// view lags still sees it as ready for a while.
type recentFull struct {
	agent int32
	by    int32
	at    int64
}

type recentFIFO struct {
	items []recentFull
	head  int
}

func (f *recentFIFO) len() int { return len(f.items) - f.head }

func (f *recentFIFO) at(i int) *recentFull { return &f.items[f.head+i] }

// expire drops the entries older than cutoff.
func (f *recentFIFO) expire(cutoff int64) {
	for f.head < len(f.items) && f.items[f.head].at < cutoff {
		f.head++
	}
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
	} else if f.head > 1024 && f.head*2 > len(f.items) {
		n := copy(f.items, f.items[f.head:])
		f.items, f.head = f.items[:n], 0
	}
}

// Reservation requests carry how they reach the IS in the timer's aux: 0 is a request for an
// agent the URS saw as ready; handoff+media is the URS routing to an agent the IS reserved for the
// interaction when the agent freed (the interaction had been waiting for it).
const handoff = 1

// tryReserve is a URS's route step: pick an agent of the group that the URS sees as ready and ask
// for it, or wait until an agent of the group frees capacity for this media.
func (e *Engine) tryReserve(slot int32, g *group) {
	ix := &e.ixns[slot]
	u := e.apps[ix.urs].urs
	cand, ok := e.viewPick(u, g, int(ix.media))
	if !ok {
		ix.waitAgent = true
		g.waiting[ix.media].push(waitEntry{slot: slot, gen: ix.gen})
		return
	}
	e.request(slot, u, cand)
}

// viewPick chooses, at random, an agent that u believes ready for media m: one with spare capacity
// now or, for a URS that does not reserve, one another router filled less than stat_delay ago.
func (e *Engine) viewPick(u *ursState, g *group, m int) (int32, bool) {
	free := g.free[m]
	if u.reserves {
		// A URS knows its own requests: it never asks an agent for more than the capacity it
		// sees free.
		return e.pickFree(g, m, func(k int) bool { return e.asking[e.askKey(k, u.app.id)] >= g.capacity[m]-e.load[k] })
	}
	if u.statDelay <= 0 || g.recent == nil {
		if len(free) == 0 {
			return -1, false
		}
		return free[e.rng.IntN(len(free))], true
	}
	rec := &g.recent[m]
	rec.expire(e.now - e.maxStatDelay)
	n := len(free) + rec.len()
	if n == 0 {
		return -1, false
	}
	i := e.rng.IntN(n)
	if i < len(free) {
		return free[i], true
	}
	r := rec.at(i - len(free))
	k := int(r.agent)*len(e.media) + m
	if r.by != u.app.id && r.at >= e.now-u.statDelay && e.load[k] >= g.capacity[m] {
		return r.agent, true // looks ready to u; it is not
	}
	// Stale in u's view, its own routing, or free again (then it is in the free list too).
	if len(free) == 0 {
		return -1, false
	}
	return free[e.rng.IntN(len(free))], true
}

// reserveDecide is a URS's request for an agent reaching the IS.
func (e *Engine) reserveDecide(slot int32, ag int32, aux uint8) {
	ix := &e.ixns[slot]
	e.asked(ix)
	u := e.apps[ix.urs].urs
	m := int(ix.media)
	g := e.groups[e.agents[ag].group]
	k := int(ag)*len(e.media) + m
	switch {
	case aux >= handoff:
		// Reserved for it when the agent freed the capacity (releaseAgent): route to it.
		e.deliver(slot, ag)
	case !u.reserves:
		if e.load[k] >= g.capacity[m] && e.lastBy[k] == u.app.id {
			// Its own routing took the agent: a URS knows that, so it looks further.
			e.tryReserve(slot, g)
			return
		}
		// RequestRouteCall without a reservation: the IS delivers anyway.
		if e.load[k] >= g.capacity[m] {
			e.stats.DoubleBooked++
			e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, u.app.name
			e.emit(EvDoubleBooked)
		}
		e.take(g, ag, m, u)
		e.grant(slot, ag, false)
	default:
		if len(e.collecting[k]) > 0 {
			e.collecting[k] = append(e.collecting[k], waitEntry{slot: slot, gen: ix.gen})
			return
		}
		if e.load[k] >= g.capacity[m] {
			if e.is.rejectSubsequent {
				e.deny(slot, ag)
				return
			}
			// Not rejected: the request waits for capacity of the group, as WaitForTarget does.
			ix.waitAgent = true
			g.waiting[m].push(waitEntry{slot: slot, gen: ix.gen})
			return
		}
		if e.is.collectTime <= 0 {
			e.take(g, ag, m, u)
			e.grant(slot, ag, true)
			return
		}
		e.collecting[k] = append(e.collecting[k][:0], waitEntry{slot: slot, gen: ix.gen})
		e.schedule(timer{at: e.now + e.is.collectTime, kind: tCollect, arg: ag, aux: uint8(m), slot: -1})
	}
}

// collectDone ends the arbiter's request-collection-time for agent ag and media m: one requester
// is granted, at random among equals; the others are denied.
func (e *Engine) collectDone(ag int32, m int) {
	k := int(ag)*len(e.media) + m
	reqs := e.collecting[k]
	// Closed from here on; the backing array is reused by the next window (nothing below opens
	// one synchronously: retries go through the URS's step timer).
	defer func() { e.collecting[k] = reqs[:0] }()
	live := reqs[:0]
	for _, w := range reqs {
		if ix := &e.ixns[w.slot]; ix.live && ix.gen == w.gen && ix.state == StateInURS {
			live = append(live, w)
		}
	}
	if len(live) == 0 {
		return
	}
	// Grant as many requesters as the agent has capacity for, at random among equals; deny the
	// others.
	g := e.groups[e.agents[ag].group]
	for len(live) > 0 && e.load[k] < g.capacity[m] {
		i := 0
		if len(live) > 1 {
			i = e.rng.IntN(len(live))
		}
		w := live[i]
		live = append(live[:i], live[i+1:]...)
		e.take(g, ag, m, e.apps[e.ixns[w.slot].urs].urs)
		e.grant(w.slot, ag, true)
	}
	for _, w := range live {
		e.deny(w.slot, ag)
	}
}

// deny answers a reservation request with an error. The URS now knows agents are contended: it
// tries a ready agent that no other request is being arbitrated for or, with none, waits to be
// told of the next agent that becomes ready — it does not go back into the race.
func (e *Engine) deny(slot int32, ag int32) {
	ix := &e.ixns[slot]
	e.stats.Denied++
	e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, e.apps[ix.urs].name
	e.emit(EvReserveDenied)
	g := e.groups[e.agents[ag].group]
	m := int(ix.media)
	if cand, ok := e.uncontended(g, m); ok {
		e.request(slot, e.apps[ix.urs].urs, cand)
		return
	}
	ix.waitAgent = true
	g.waiting[m].push(waitEntry{slot: slot, gen: ix.gen})
}

// uncontended picks, at random, a ready agent of g for media m with no reservation request being
// arbitrated for it.
func (e *Engine) uncontended(g *group, m int) (int32, bool) {
	return e.pickFree(g, m, func(k int) bool { return len(e.collecting[k]) > 0 })
}

// request is a URS's RequestRouteCall (or reservation request) for agent ag, reaching the IS a
// step later; the URS counts what it has asked for until the answer comes.
func (e *Engine) request(slot int32, u *ursState, ag int32) {
	ix := &e.ixns[slot]
	ix.askKey, ix.askOn = e.askKey(int(ag)*len(e.media)+int(ix.media), u.app.id), true
	e.asking[ix.askKey]++
	e.after(u.stepTime, tReserve, slot, ag, 0)
}

// asked ends the interaction's outstanding request (answered, or the interaction went elsewhere).
func (e *Engine) asked(ix *ixn) {
	if !ix.askOn {
		return
	}
	ix.askOn = false
	if e.asking[ix.askKey] <= 1 {
		delete(e.asking, ix.askKey)
	} else {
		e.asking[ix.askKey]--
	}
}

func (e *Engine) askKey(k int, urs int32) int64 { return int64(k)*int64(len(e.apps)) + int64(urs) }

// pickFree draws, at random, an agent of g ready for media m that skip does not rule out.
func (e *Engine) pickFree(g *group, m int, skip func(k int) bool) (int32, bool) {
	free := g.free[m]
	if len(free) == 0 {
		return -1, false
	}
	nm := len(e.media)
	// Mostly one of a few draws will do (O(1)); when most ready agents are ruled out, count and
	// draw among the rest.
	for try := 0; try < 8; try++ {
		if ag := free[e.rng.IntN(len(free))]; !skip(int(ag)*nm + m) {
			return ag, true
		}
	}
	n := 0
	for _, ag := range free {
		if !skip(int(ag)*nm + m) {
			n++
		}
	}
	if n == 0 {
		return -1, false
	}
	i := e.rng.IntN(n)
	for _, ag := range free {
		if !skip(int(ag)*nm + m) {
			if i == 0 {
				return ag, true
			}
			i--
		}
	}
	return -1, false
}

// take counts one more interaction on the agent for media m, routed by URS u.
func (e *Engine) take(g *group, ag int32, m int, u *ursState) {
	k := int(ag)*len(e.media) + m
	e.load[k]++
	e.svcLoad(ag, 1)
	if e.load[k] == g.capacity[m] {
		e.removeFree(g, ag, m)
		if g.recent != nil {
			g.recent[m].expire(e.now - e.maxStatDelay)
			g.recent[m].items = append(g.recent[m].items, recentFull{agent: ag, by: u.app.id, at: e.now})
		}
	}
}

// grant routes the interaction to the agent: reserved (when its URS reserves), then EventInvite to
// the desktop with the delivering timer started. delivered_at and assigned_to reach the database
// with the accept, the next state change.
func (e *Engine) grant(slot int32, ag int32, reserved bool) {
	ix := &e.ixns[slot]
	e.setAgent(ix, ag)
	e.lastBy[int(ag)*len(e.media)+int(ix.media)] = ix.urs
	if reserved {
		e.stats.Reservations++
		e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, e.apps[ix.urs].name
		e.emit(EvReserved)
	}
	e.deliver(slot, ag)
}

// deliver is EventInvite to the desktop of the agent the interaction holds; the delivering timer
// starts. delivered_at and assigned_to reach the database with the accept, the next state change.
func (e *Engine) deliver(slot int32, ag int32) {
	ix := &e.ixns[slot]
	g := e.groups[e.agents[ag].group]
	ix.deliveredAt = e.now
	e.ev.Ixn, e.ev.Agent = ix.id, e.agents[ag].name
	e.emit(EvDelivered)
	if g.answer > e.is.deliveringTimeout {
		e.after(e.is.deliveringTimeout, tAnswer, slot, ag, 1)
	} else {
		e.after(g.answer, tAnswer, slot, ag, 0)
	}
}

// answer is the agent's answer to the invite, or the delivering timer expiring first.
func (e *Engine) answer(slot int32, ag int32, timedOut bool) {
	ix := &e.ixns[slot]
	g := e.groups[e.agents[ag].group]
	switch {
	case timedOut:
		e.revoke(slot, "delivering-timeout")
	case g.accept >= 1 || e.rng.Float64() < g.accept:
		// EventRouteUsed: routing is done, the URS lets go; the agent handles it (state 3).
		e.leaveURS(slot)
		e.setState(ix, StateWithAgent, ix.queue)
		e.svcAnswered(slot)
		e.write(slot)
		e.ev.Ixn, e.ev.Agent = ix.id, e.agents[ag].name
		e.emit(EvAccepted)
		d := int64(ix.work*g.handleMean) + 1
		if ix.work == 0 { // restored from a database: its work is not known
			d = e.exp(g.handleMean)
		}
		e.after(d, tComplete, slot, ag, ix.media)
		if e.is.handlingTimeout > 0 && d > e.is.handlingTimeout {
			// Only work that outlasts handling-timeout needs its timer: the heap stays the size
			// of what is in flight.
			e.after(e.is.handlingTimeout, tHandling, slot, ag, ix.media)
		}
	default:
		e.revoke(slot, "rejected")
	}
}

// handlingTimeout: the agent showed no activity for handling-timeout. The IS revokes the
// interaction and returns it to its queue; the agent's capacity is freed when the agent's own
// work on it ends (its completion timer), so the capacity is released exactly once.
func (e *Engine) handlingTimeout(slot int32) {
	ix := &e.ixns[slot]
	if ix.state != StateWithAgent || ix.agent < 0 {
		return
	}
	e.stats.Revoked++
	e.ev.Ixn, e.ev.Agent, e.ev.Reason = ix.id, e.agents[ix.agent].name, "handling-timeout"
	e.emit(EvRevoked)
	e.clearAgent(ix)
	ix.gen++ // the completion still frees the agent (tComplete always does) but no longer completes it
	ix.deliveredAt = 0
	e.placeInQueue(slot, ix.queue)
}

// revoke takes the interaction back from the agent and returns it to the queue the URS took it
// from, where it is routed again.
func (e *Engine) revoke(slot int32, reason string) {
	ix := &e.ixns[slot]
	ag := ix.agent
	e.stats.Revoked++
	e.ev.Ixn, e.ev.Agent, e.ev.Reason = ix.id, e.agents[ag].name, reason
	e.emit(EvRevoked)
	e.clearAgent(ix)
	e.releaseAgent(ag, ix.media)
	e.leaveURS(slot)
	ix.deliveredAt = 0
	e.placeInQueue(slot, ix.queue)
}

// agentDone is the agent's completion reaching the IS.
func (e *Engine) agentDone(slot int32) {
	ix := &e.ixns[slot]
	if ix.state != StateWithAgent {
		return
	}
	if !e.isUp() || e.is.pendingRestore {
		// No Interaction Server to tell: the desktop reports it once one is active again.
		e.is.parkedDone = append(e.is.parkedDone, waitEntry{slot: slot, gen: ix.gen})
		return
	}
	e.clearAgent(ix)
	e.complete(slot)
}

func (e *Engine) setAgent(ix *ixn, ag int32) {
	ix.agent = ag
	e.holders[int(ag)*len(e.media)+int(ix.media)]++
}

func (e *Engine) clearAgent(ix *ixn) {
	if ix.agent < 0 {
		return
	}
	e.holders[int(ix.agent)*len(e.media)+int(ix.media)]--
	ix.agent = -1
}

// releaseAgent frees one unit of the agent's capacity for media m. When that makes the agent ready
// and an interaction of its group waits for this media, the unit goes straight to the one that
// has waited longest (its URS is told the agent is ready); otherwise the agent is free again.
func (e *Engine) releaseAgent(ag int32, media uint8) {
	m := int(media)
	g := e.groups[e.agents[ag].group]
	k := int(ag)*len(e.media) + m
	if e.load[k] <= 0 {
		return
	}
	if e.load[k] <= g.capacity[m] {
		for {
			w, ok := g.waiting[m].pop()
			if !ok {
				break
			}
			ix := &e.ixns[w.slot]
			if !ix.live || ix.gen != w.gen || !ix.waitAgent {
				continue
			}
			ix.waitAgent = false
			u := e.apps[ix.urs].urs
			if u.reserves {
				// The IS reserves the agent for the URS that has waited longest: the capacity
				// never becomes free, so no other router races for it. The URS routes to it a
				// step later.
				e.setAgent(ix, ag)
				e.lastBy[k] = ix.urs
				e.stats.Reservations++
				e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, u.app.name
				e.emit(EvReserved)
				e.after(u.stepTime, tReserve, w.slot, ag, handoff+media)
				return
			}
			// A URS that does not reserve is only told the agent is ready: it routes to it a
			// step later, unless another router takes it first (then it double-books).
			e.freeUnit(g, ag, m)
			e.request(w.slot, u, ag)
			return
		}
	}
	e.freeUnit(g, ag, m)
}

// freeUnit returns one unit of the agent's capacity for media m.
func (e *Engine) freeUnit(g *group, ag int32, m int) {
	k := int(ag)*len(e.media) + m
	e.load[k]--
	e.svcLoad(ag, -1)
	if e.load[k] == g.capacity[m]-1 {
		e.addFree(g, ag, m)
	}
}

func (e *Engine) addFree(g *group, ag int32, m int) {
	k := int(ag)*len(e.media) + m
	if e.freePos[k] >= 0 {
		return
	}
	e.freePos[k] = int32(len(g.free[m]))
	g.free[m] = append(g.free[m], ag)
}

func (e *Engine) removeFree(g *group, ag int32, m int) {
	nm := len(e.media)
	k := int(ag)*nm + m
	i := e.freePos[k]
	if i < 0 {
		return
	}
	last := g.free[m][len(g.free[m])-1]
	g.free[m][i] = last
	e.freePos[int(last)*nm+m] = i
	g.free[m] = g.free[m][:len(g.free[m])-1]
	e.freePos[k] = -1
}
