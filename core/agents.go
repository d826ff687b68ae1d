package core

// Agent reservation and delivery. The Interaction Server arbitrates reservations so two URS never
// get the same agent at once: a URS picks a candidate from what it sees as free, and by the time
// its request reaches the IS another URS may have taken that agent — the IS then denies it.

// tryReserve is a URS's route step: pick a free agent of the group and ask the IS to reserve it,
// or wait until an agent of the group frees capacity for this media.
func (e *Engine) tryReserve(slot int32, g *group) {
	ix := &e.ixns[slot]
	m := int(ix.media)
	free := g.free[m]
	if len(free) == 0 {
		ix.waitAgent = true
		g.waiting[m].push(waitEntry{slot: slot, gen: ix.gen})
		return
	}
	cand := free[e.rng.IntN(len(free))]
	e.after(e.apps[ix.urs].urs.stepTime, tReserve, slot, cand, 0)
}

// reserveDecide is the IS arbiter answering a URS's reservation request.
func (e *Engine) reserveDecide(slot int32, ag int32) {
	ix := &e.ixns[slot]
	m := int(ix.media)
	g := e.groups[e.agents[ag].group]
	k := int(ag)*len(e.media) + m
	urs := e.apps[ix.urs].name
	if e.load[k] >= g.capacity[m] {
		e.stats.Denied++
		e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, urs
		e.emit(EvReserveDenied)
		e.tryReserve(slot, g)
		return
	}
	e.load[k]++
	e.svcLoad(ag, 1)
	if e.load[k] == g.capacity[m] {
		e.removeFree(g, ag, m)
	}
	e.setAgent(ix, ag)
	if e.holders[k] > g.capacity[m] {
		e.stats.DoubleBooked++
	}
	e.stats.Reservations++
	e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agents[ag].name, urs
	e.emit(EvReserved)
	// EventInvite to the agent's desktop; the delivering timer starts. delivered_at and
	// assigned_to reach the database with the accept, the next state change.
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
		e.after(e.exp(g.handleMean), tComplete, slot, ag, ix.media)
	default:
		e.revoke(slot, "rejected")
	}
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

// releaseAgent frees one unit of the agent's capacity for media m and lets the first interaction
// waiting for that group and media try it.
func (e *Engine) releaseAgent(ag int32, media uint8) {
	m := int(media)
	g := e.groups[e.agents[ag].group]
	k := int(ag)*len(e.media) + m
	if e.load[k] <= 0 {
		return
	}
	e.load[k]--
	e.svcLoad(ag, -1)
	if e.load[k] == g.capacity[m]-1 {
		e.addFree(g, ag, m)
	}
	for {
		w, ok := g.waiting[m].pop()
		if !ok {
			return
		}
		ix := &e.ixns[w.slot]
		if !ix.live || ix.gen != w.gen || !ix.waitAgent {
			continue
		}
		ix.waitAgent = false
		e.after(e.apps[ix.urs].urs.stepTime, tReserve, w.slot, ag, 0)
		return
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
