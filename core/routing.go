package core

import "slices"

// URS balancing by strategy (seed: "Balancing Universal Routing Servers"). Each strategy keeps the
// ring of URS that are eligible for it; eligibility changes on events (stop, start, activation,
// option change, the max-submitted-interactions count), so a pick is O(1).

// updateEligibility recomputes whether u can take new interactions at all (everything but the
// strategy activation) and updates the rings of the strategies activated on it. agent_reservation
// is not part of it: it decides how a URS takes agents (agents.go), not whether it gets work.
func (e *Engine) updateEligibility(u *ursState) {
	el := e.whyNot(u) == ""
	if el == u.eligible {
		return
	}
	u.eligible = el
	for _, s := range u.activated {
		st := e.strats[s]
		st.ring.set(u.app.id, el)
	}
	if el {
		for _, s := range u.activated {
			e.drain(e.strats[s])
		}
	}
}

// WhyCode is a stable reason a URS takes no new interactions, for the console and tests.
type WhyCode string

// Reasons a URS is not eligible (URSView.WhyCode).
const (
	WhyStopped      WhyCode = "stopped"
	WhyNoConnection WhyCode = "no-connection"
	WhyMaxSubmitted WhyCode = "max-submitted"
	WhyRate         WhyCode = "max-submission-rate"
	WhyRateZero     WhyCode = "max-submission-rate-zero"
)

// whyNot is the eligibility rule of the seed's "Balancing Universal Routing Servers": connected to
// the IS, running, and under max-submitted-interactions and max-submission-rate ("" when eligible).
func (e *Engine) whyNot(u *ursState) WhyCode {
	switch {
	case !u.app.running:
		return WhyStopped
	case !u.connected:
		return WhyNoConnection
	case u.maxSub >= 0 && int64(u.pending) >= u.maxSub:
		return WhyMaxSubmitted
	case u.rateSet && u.minGap == 0:
		return WhyRateZero
	case e.now < u.paceUntil:
		return WhyRate
	}
	return ""
}

// ineligibleReason says why a URS takes no new interactions ("" when it does): a stable code and
// the sentence the console shows.
func (e *Engine) ineligibleReason(u *ursState) (code WhyCode, why string) {
	code = e.whyNot(u)
	return code, whySentence[code]
}

var whySentence = map[WhyCode]string{
	WhyStopped:      "stopped",
	WhyNoConnection: "no connection to the Interaction Server",
	WhyMaxSubmitted: "at max-submitted-interactions",
	WhyRateZero:     "max-submission-rate is 0: submissions disabled",
	WhyRate:         "held by max-submission-rate",
}

// setActivated loads or unloads a strategy on a URS (the Strategy Activation Wizard).
func (e *Engine) setActivated(st *strategy, u *ursState, on bool, report bool) bool {
	if st.activated[u.idx] == on {
		return false
	}
	st.activated[u.idx] = on
	if on {
		st.ring.activate(u.app.id)
		u.activated = append(u.activated, st.id)
	} else {
		for i, s := range u.activated {
			if s == st.id {
				u.activated = append(u.activated[:i], u.activated[i+1:]...)
				break
			}
		}
	}
	if report {
		e.ev.Strategy, e.ev.URS = st.name, u.app.name
		if on {
			e.emit(EvActivated)
		} else {
			e.emit(EvDeactivated)
		}
	}
	st.ring.set(u.app.id, on && u.eligible) // the caller drains the strategy's waiting interactions
	return true
}

// drain submits the interactions waiting for a URS with this strategy while one is eligible.
func (e *Engine) drain(st *strategy) {
	if !e.isUp() {
		return
	}
	for st.ring.len() > 0 {
		// Interactions taken back from a URS that stopped were submitted before any still
		// waiting: they go first, not behind everything that arrived meanwhile.
		w, ok := st.resubWaiting.pop()
		if !ok {
			w, ok = st.waiting.pop()
		}
		if !ok {
			return
		}
		ix := &e.ixns[w.slot]
		if !ix.live || ix.gen != w.gen {
			continue
		}
		u, _ := st.ring.pick()
		e.toURS(w.slot, e.apps[u].urs, w.resub)
	}
}

// placeInQueue puts an interaction in a queue (state 0); the queue's strategy object submits it.
func (e *Engine) placeInQueue(slot int32, q int32) {
	ix := &e.ixns[slot]
	e.setState(ix, StateQueued, q)
	ix.placedAt = e.now
	ix.strategy = e.queues[q].strategy
	e.submit(slot, false)
	if ix.state == StateQueued {
		// Still waiting for a URS; when one takes it at once, its state-2 row is the only write.
		e.write(slot)
	}
}

// submit hands an interaction to its strategy: round-robin among the eligible URS with the
// strategy loaded, or wait in the queue until one appears.
func (e *Engine) submit(slot int32, resub bool) {
	ix := &e.ixns[slot]
	st := e.strats[ix.strategy]
	// A URS this very event freed (a revoke that sends the interaction back) is eligible again
	// before the pick, or the rotation would skip it.
	if len(e.dirty) > 0 {
		e.settle()
	}
	var u int32
	ok := false
	if e.isUp() {
		u, ok = st.ring.pick() // no pick, and no turn taken, while no IS can submit
	}
	if !ok {
		if resub {
			st.resubWaiting.push(waitEntry{slot: slot, gen: ix.gen, resub: resub})
		} else {
			st.waiting.push(waitEntry{slot: slot, gen: ix.gen, resub: resub})
		}
		if e.strategyDown(st) {
			e.svcTouch(slot, "no URS of its strategy running") // it waits for a failed URS to come back
		}
		return
	}
	e.toURS(slot, e.apps[u].urs, resub)
}

// strategyDown says whether every URS that has the strategy loaded is stopped: what waits for it
// waits for a failure to end (not for a busy or paced URS).
func (e *Engine) strategyDown(st *strategy) bool {
	loaded := false
	for _, u := range e.urs {
		if st.activated[u.idx] {
			loaded = true
			if u.app.running {
				return false
			}
		}
	}
	return loaded
}

// toURS sends EventRouteRequest: the interaction is now pending in u (state 2).
func (e *Engine) toURS(slot int32, u *ursState, resub bool) {
	ix := &e.ixns[slot]
	st := e.strats[ix.strategy]
	e.setState(ix, StateInURS, ix.queue)
	ix.urs = u.app.id
	u.pending++
	ix.step, ix.attempts, ix.resub = 0, 0, false
	ix.toURSAt = e.now
	st.routed[u.idx]++
	u.submitted++
	if resub {
		e.stats.Resubmitted++
		if !e.resubmittedIDs[ix.id] {
			e.resubmittedIDs[ix.id] = true
			e.stats.ResubmittedInteractions++
		}
		u.resubmitted++
		e.svcTouch(slot, "resubmitted")
	}
	e.write(slot)
	e.ev.Ixn, e.ev.Strategy, e.ev.URS, e.ev.Resubmission = ix.id, st.name, u.app.name, resub
	e.emit(EvToURS)
	if u.maxSub >= 0 && int64(u.pending) >= u.maxSub {
		e.updateEligibility(u)
	}
	u.lastSubmit = e.now
	if u.minGap > 0 {
		// max-submission-rate: no new submission to this URS until the gap has passed.
		e.pace(u, e.now+int64(u.minGap))
	}
	e.after(u.stepTime, tURSStep, slot, 0, 0)
	e.watchRouting(slot)
}

type rtEntry struct {
	slot int32
	gen  uint32
	at   int64 // when it was submitted to the URS
}

// watchRouting starts the routing-timeout for a submission. Submissions come in time order, so
// one FIFO and one timer on its oldest entry serve them all.
//
// Most submissions leave their URS long before routing-timeout (720 minutes by default), and
// their entries would stay until then: 16 bytes for every submission of the last 12 virtual
// hours, whatever is in flight. So when the FIFO holds more than twice as many entries as there
// are interaction slots (every interaction in a URS has one, and a slot holds at most one
// interaction), the entries of interactions no longer held by the URS they were submitted to
// are dropped, in order. That bounds the FIFO by the interactions in flight, at an amortized
// constant cost per submission. Dropping an entry changes nothing that routingTimeouts would
// have done: it skips those entries.
func (e *Engine) watchRouting(slot int32) {
	ix := &e.ixns[slot]
	if len(e.rtq)-e.rtHead >= 2*len(e.ixns)+1024 {
		e.compactRouting()
	}
	e.rtq = append(e.rtq, rtEntry{slot: slot, gen: ix.gen, at: e.now})
	if !e.rtArmed {
		e.rtArmed = true
		e.schedule(timer{at: e.now + e.is.routingTimeout, kind: tRoutingTimeout, slot: -1})
	}
}

// routingTimeouts takes back every interaction a URS has held longer than routing-timeout and
// returns it to its queue, where it is routed again.
//
// One timer stands for the whole FIFO (rtArmed): while the due entries are taken back, their
// resubmissions (watchRouting) must not arm one of their own, and the timer is armed once, at the
// end, for the oldest entry left. (Arming in both places left an extra timer behind at every
// timeout that resubmitted something; each extra one re-armed itself when it fired, so the
// timers multiplied with the backlog in the URS and a long run crawled.)
func (e *Engine) routingTimeouts() {
	e.rtArmed = true // the timer being handled: re-armed below
	for e.rtHead < len(e.rtq) {
		w := e.rtq[e.rtHead]
		if w.at+e.is.routingTimeout > e.now {
			break
		}
		e.rtHead++
		if !e.watched(w) {
			continue
		}
		ix := &e.ixns[w.slot]
		e.ev.Ixn, e.ev.URS = ix.id, e.nameOf(ix.urs)
		e.emit(EvRoutingTimeout)
		e.abandon(w.slot, OptRoutingTimeout.Name())
		e.requeue(w.slot, false)
	}
	if e.rtHead > 1024 && e.rtHead*2 > len(e.rtq) {
		n := copy(e.rtq, e.rtq[e.rtHead:])
		e.rtq, e.rtHead = e.rtq[:n], 0
	}
	e.rtArmed = false
	if e.rtHead < len(e.rtq) {
		e.rtArmed = true
		e.schedule(timer{at: e.rtq[e.rtHead].at + e.is.routingTimeout, kind: tRoutingTimeout, slot: -1})
	}
}

// compactRouting drops the routing-timeout entries of interactions that left their URS, keeping
// the others in order. The armed timer stays: if it was for a dropped entry, it finds nothing due
// and re-arms for the oldest entry left.
func (e *Engine) compactRouting() {
	kept := e.rtq[:0]
	for _, w := range e.rtq[e.rtHead:] {
		if e.watched(w) {
			kept = append(kept, w)
		}
	}
	clear(e.rtq[len(kept):])
	e.rtq, e.rtHead = kept, 0
}

// watched says a routing-timeout entry still stands for an interaction held by a URS since then.
func (e *Engine) watched(w rtEntry) bool {
	ix := &e.ixns[w.slot]
	return ix.live && ix.gen == w.gen && ix.state == StateInURS && ix.toURSAt == w.at
}

// leaveURS ends a URS's hold on the interaction (routed, placed in a queue, completed or taken back).
func (e *Engine) leaveURS(slot int32) {
	ix := &e.ixns[slot]
	if ix.urs < 0 {
		return
	}
	u := e.apps[ix.urs].urs
	u.pending--
	ix.urs = -1
	if !u.eligible && !u.dirty {
		// Re-evaluated once the current event is done, so the log shows what freed the URS
		// before what it takes next.
		u.dirty = true
		e.dirty = append(e.dirty, u)
	}
}

// settle re-evaluates the URS whose pending count dropped during the last event.
func (e *Engine) settle() {
	for len(e.dirty) > 0 {
		u := e.dirty[0]
		e.dirty = e.dirty[1:]
		u.dirty = false
		e.updateEligibility(u)
	}
	e.dirty = e.dirty[:0]
}

// ursStep runs the interaction's current strategy step in its URS.
func (e *Engine) ursStep(slot int32) {
	ix := &e.ixns[slot]
	st := e.strats[ix.strategy]
	if int(ix.step) >= len(st.steps) {
		e.finish(slot)
		return
	}
	s := &st.steps[ix.step]
	switch s.kind {
	case StepClassify, StepAutoresponse, StepESP:
		e.espRequest(slot, s)
	case StepRoute:
		g := s.group
		for _, r := range s.byCat {
			if r.cat == e.catName(ix.cat) {
				g = r.group
				break
			}
		}
		e.tryReserve(slot, e.groups[g])
	case StepQueue:
		urs := e.nameOf(ix.urs)
		e.leaveURS(slot)
		e.ev.Ixn, e.ev.Queue, e.ev.URS = ix.id, e.queues[s.queue].name, urs
		e.emit(EvPlacedInQueue)
		e.placeInQueue(slot, s.queue)
	case StepStop:
		e.finish(slot)
	}
}

// nextStep moves the interaction on to its strategy's next step after the URS's step time.
func (e *Engine) nextStep(slot int32) {
	ix := &e.ixns[slot]
	ix.step++
	ix.attempts = 0
	e.after(e.apps[ix.urs].urs.stepTime, tURSStep, slot, 0, 0)
}

// finish completes an interaction its strategy is done with, without an agent.
func (e *Engine) finish(slot int32) {
	e.leaveURS(slot)
	e.complete(slot)
}

// resubmitPending takes every interaction pending in a stopped URS and resubmits it to an eligible
// URS with the same strategy (seed: "If any instance of URS shuts down…").
func (e *Engine) resubmitPending(u *ursState) {
	// The URS's interactions are found in the slots: a URS stops seldom, and a list of them
	// kept for it cost a cache miss on another interaction's slot at every routing.
	var pending []int32
	for slot := range e.ixns {
		if ix := &e.ixns[slot]; ix.live && ix.urs == u.app.id {
			pending = append(pending, int32(slot))
		}
	}
	sortSlotsByID(e, pending)
	for _, slot := range pending {
		e.abandon(slot, "urs stopped")
		e.requeue(slot, true)
	}
}

// requeue puts an interaction back in its queue (state 0) and submits it again; the row is written
// once, by whichever of the two it ends in.
func (e *Engine) requeue(slot int32, resub bool) {
	ix := &e.ixns[slot]
	if resub {
		// A failure pulled it back: touched, whether it reaches another URS, waits for one or
		// its customer gives up first.
		e.svcTouch(slot, "pulled back from a stopped URS")
	}
	e.setState(ix, StateQueued, ix.queue)
	e.submit(slot, resub)
	if ix.state == StateQueued {
		e.write(slot)
	}
}

// abandon drops the current processing of an interaction: its timers go stale, the agent it had
// reserved is freed (and told), and its URS lets go of it.
func (e *Engine) abandon(slot int32, reason string) {
	ix := &e.ixns[slot]
	ix.gen++
	e.unwait(ix)
	e.unclaim(ix)
	ix.denied = false
	if ix.agent >= 0 && ix.state == StateInURS {
		ag := ix.agent
		e.ev.Ixn, e.ev.Agent, e.ev.Reason = ix.id, e.agentName(ag), reason
		e.emit(EvRevoked)
		e.stats.Revoked++
		e.leaveAgent(ix, ag)
	}
	e.leaveURS(slot)
}

func sortSlotsByID(e *Engine, slots []int32) {
	slices.SortFunc(slots, func(a, b int32) int { return cmpInt64(e.ixns[a].id, e.ixns[b].id) })
}

// pace holds u out of the rotations until `until` (max-submission-rate) and makes sure a timer
// ends the hold: one timer at a time per URS, re-armed when it fires before the hold ends (the
// hold moved on meanwhile).
func (e *Engine) pace(u *ursState, until int64) {
	u.paceUntil = until
	e.updateEligibility(u)
	e.armPace(u)
}

func (e *Engine) armPace(u *ursState) {
	if !u.paceArmed && e.now < u.paceUntil {
		u.paceArmed = true
		e.schedule(timer{at: u.paceUntil, kind: tRateWake, arg: u.idx, slot: -1})
	}
}
