package core

import (
	"math"
	"slices"
)

// Agent reservation and delivery (docs/scenarios.md, "Semantics": Agent reservation). Reservation is arbitration, not
// a gate: every eligible URS routes, and the agent_reservation option decides how it takes agents.
//
// Every URS sees agents through its statistics, which lag the truth by its sim.stat_delay:
//   - an agent that becomes ready (capacity freed) is seen after the delay, by every URS alike: a
//     URS with interactions waiting for the group looks at it again then (tLook);
//   - an agent another router filled less than the delay ago still looks ready: to a URS that does
//     not reserve, whoever filled it; to a reserving URS, when a URS that does not reserve filled it
//     (ixlb's choice: a reserving URS sees the reservations of the others at once);
//   - a URS knows its own routing: it never asks an agent for more than the capacity it sees free,
//     counting the requests it has sent until their answer and the interactions it routed there
//     while the agent holds them (claims) — so it never conflicts with itself.
//
// A URS *reserves* when agent_reservation is true in its own options and in the IS Annex for its
// name. Before routing to an agent it asks the IS, whose arbiter (TReserveAgent, the IS's
// [agent-reservation] options) knows only reservations: it collects the requests for an agent
// during request-collection-time and grants as many as the agent has unreserved capacity for, at
// random (every request has the same priority), denying the others; a request for an agent already
// reserved is denied at once — except that with reject-subsequent-request false the URS that holds
// the reservation renews it. A reservation holds the agent until its interaction leaves the agent;
// one whose interaction left before the accept (rejected, not answered) lingers until
// reservation-time after its grant. A denied URS looks for an agent nobody is asking for, or waits
// — it never polls.
//
// A URS that does not reserve routes directly (RequestRouteCall): the IS delivers whatever the
// agent holds. The arbiter does not know of those interactions, so a reserving URS may be granted
// an agent a URS that does not reserve filled, and a URS that does not reserve may route to an
// agent just reserved: either way the agent is double-booked (`double_booked`), and a double
// booking always involves a URS that does not reserve.

// change is an agent becoming full (filled) or ready (readied) at `at`.
type change struct {
	agent  int32
	by     int32 // filled: the URS (app id) whose routing filled it
	resv   bool  // filled: through a reservation
	at     int64
	before int64 // filled: when the agent had last become ready
}

// changeFIFO keeps the changes of the last maxStatDelay, oldest first.
type changeFIFO struct {
	items []change
	head  int
}

func (f *changeFIFO) len() int { return len(f.items) - f.head }

func (f *changeFIFO) at(i int) *change { return &f.items[f.head+i] }

// expire drops the changes older than cutoff.
func (f *changeFIFO) expire(cutoff int64) {
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

// linger is a reservation that outlived its interaction: URS urs holds it until `until`.
type linger struct {
	urs   int32
	until int64
}

const (
	// readySinceStart is readyAt for an agent ready from the start: every view shows it.
	readySinceStart = math.MinInt64 / 4
	noLook          = int64(-1)

	claimNone  = 0
	claimAsked = 1
	claimHeld  = 2
	heldUnit   = 1 << 16 // claims: an interaction routed to the agent (low bits: requests on their way)
)

// tryReserve is a URS's route step: the interaction waits for an agent of the group, behind those of
// its URS that already wait, and the URS looks at the group.
func (e *Engine) tryReserve(slot int32, g *group) {
	ix := &e.ixns[slot]
	u := e.apps[ix.urs].urs
	e.wait(slot, g, u)
	e.look(u, g, int(ix.media))
}

// wait queues the interaction for an agent of g at its URS.
func (e *Engine) wait(slot int32, g *group, u *ursState) {
	ix := &e.ixns[slot]
	m := int(ix.media)
	if g.waiting[m] == nil {
		g.waiting[m] = make([]fifo, len(e.urs))
		g.listed[m] = make([]bool, len(e.urs))
		g.lookAt[m] = make([]int64, len(e.urs))
		for i := range g.lookAt[m] {
			g.lookAt[m][i] = noLook
		}
	}
	q := &g.waiting[m][u.idx]
	if !g.listed[m][u.idx] {
		g.listed[m][u.idx] = true
		g.waitURS[m] = append(g.waitURS[m], u.idx)
	}
	ix.waitAgent = true
	g.nWaiting[m]++
	q.push(waitEntry{slot: slot, gen: ix.gen})
}

// unwait takes the interaction out of the count of those waiting for an agent (its entry goes
// stale).
func (e *Engine) unwait(ix *ixn) {
	if !ix.waitAgent {
		return
	}
	ix.waitAgent = false
	e.groups[e.waitGroup(ix)].nWaiting[ix.media]--
}

// waitGroup is the agent group the interaction's route step routes to.
func (e *Engine) waitGroup(ix *ixn) int32 {
	s := &e.strats[ix.strategy].steps[ix.step]
	g := s.group
	for _, r := range s.byCat {
		if r.cat == e.catName(ix.cat) {
			return r.group
		}
	}
	return g
}

// look serves the URS's interactions waiting for an agent of g for media m, oldest first, with the
// agents its view shows ready; when some wait on, it arms a look for when an agent it cannot see
// yet appears in its statistics.
func (e *Engine) look(u *ursState, g *group, m int) {
	if g.waiting[m] == nil {
		return
	}
	q := &g.waiting[m][u.idx]
	for {
		w, ok := q.peek()
		if !ok {
			return
		}
		ix := &e.ixns[w.slot]
		if !ix.live || ix.gen != w.gen || !ix.waitAgent {
			q.pop()
			continue
		}
		ag, ok := e.viewPick(u, g, m, w.slot)
		if !ok {
			break
		}
		q.pop()
		e.unwait(ix)
		e.request(w.slot, u, ag)
	}
	if at, ok := e.nextVisible(u, g, m); ok {
		e.armLook(u, g, m, at)
	}
}

// armLook makes u look at g for media m at `at` (or earlier, if already armed so).
func (e *Engine) armLook(u *ursState, g *group, m int, at int64) {
	la := &g.lookAt[m][u.idx]
	if *la != noLook && *la <= at {
		return
	}
	*la = at
	e.schedule(timer{at: at, kind: tLook, arg: g.id, aux: uint8(m), gen: uint32(u.idx), slot: -1})
}

// lookTimer is an armed look firing.
func (e *Engine) lookTimer(t *timer) {
	g := e.groups[t.arg]
	m := int(t.aux)
	if g.lookAt[m] == nil || g.lookAt[m][t.gen] != t.at {
		return // superseded by an earlier look, which re-armed as needed
	}
	g.lookAt[m][t.gen] = noLook
	e.look(e.urs[t.gen], g, m)
}

// nextVisible is when the first agent of g that is ready for media m but not yet in u's statistics
// appears there.
func (e *Engine) nextVisible(u *ursState, g *group, m int) (int64, bool) {
	e.age(g, m)
	rd := &g.readied[m]
	seen := e.now - u.statDelay
	nm := len(e.media)
	for i := 0; i < rd.len(); i++ {
		c := rd.at(i)
		k := int(c.agent)*nm + m
		if c.at > seen && e.am[k].readyAt == c.at && e.am[k].load < g.capacity[m] {
			return c.at + u.statDelay, true
		}
	}
	return 0, false
}

// tellWaiting arms a look for every URS with interactions waiting for g's agents of media m, after
// its stat delay (or now, when what changed is not in the statistics: a reservation ended).
func (e *Engine) tellWaiting(g *group, m int, now bool) {
	keep := g.waitURS[m][:0]
	for _, i := range g.waitURS[m] {
		if g.waiting[m][i].len() == 0 {
			g.listed[m][i] = false
			continue
		}
		keep = append(keep, i)
		u := e.urs[i]
		at := e.now
		if !now {
			at += u.statDelay
		}
		e.armLook(u, g, m, at)
	}
	g.waitURS[m] = keep
}

// viewPick chooses, at random, an agent that u's view shows ready for media m for the interaction in slot:
// one ready long enough for u's statistics to show it, or one another router filled too lately
// for them to show it taken.
func (e *Engine) viewPick(u *ursState, g *group, m int, slot int32) (int32, bool) {
	e.age(g, m)
	seen := e.now - u.statDelay // u's statistics show the agents as they were then
	capacity := g.capacity[m]
	skip := func(k int) bool {
		return e.avoid(slot, k) || (e.am[k].asked > 0 || e.am[k].lingering > 0) && e.askedBy(k, u.app.id) >= capacity-e.am[k].load-e.lingerSeen(k, u)
	}
	settled := g.settled[m]
	// Agents that became ready lately: u sees them sooner than the slowest URS when its own
	// statistics lag less.
	rd := &g.readied[m]
	nr := 0
	if u.statDelay < e.maxStatDelay {
		nr = rd.len()
	}
	var rec *changeFIFO
	nf := 0
	if g.filled != nil {
		rec = &g.filled[m]
		rec.expire(e.now - e.maxStatDelay)
		nf = rec.len()
	}
	if nr+nf == 0 {
		return e.pickFree(settled, m, skip)
	}
	n := len(settled) + nr + nf
	switch i := e.rng.IntN(n); {
	case i >= len(settled)+nr:
		if ag, ok := e.seesFilled(u, g, m, slot, rec.at(i-len(settled)-nr), seen); ok {
			return ag, true
		}
	case i >= len(settled):
		if ag, ok := e.seesReadied(g, m, rd.at(i-len(settled)), seen, skip); ok {
			return ag, true
		}
	}
	if ag, ok := e.pickFree(settled, m, skip); ok {
		return ag, true
	}
	// Nothing among the agents every URS sees ready: u may see one that became ready lately, or
	// (its view lagging) one taken lately.
	for i := 0; i < nr; i++ {
		if ag, ok := e.seesReadied(g, m, rd.at(i), seen, skip); ok {
			return ag, true
		}
	}
	for i := 0; i < nf; i++ {
		if ag, ok := e.seesFilled(u, g, m, slot, rec.at(i), seen); ok {
			return ag, true
		}
	}
	return -1, false
}

// seesReadied reports whether an agent that became ready at c.at, later than the slowest URS can
// see, is in the statistics of a URS that sees the agents as they were at seen.
func (e *Engine) seesReadied(g *group, m int, c *change, seen int64, skip func(k int) bool) (int32, bool) {
	k := int(c.agent)*len(e.media) + m
	if c.at <= seen && e.am[k].readyAt == c.at && e.am[k].load < g.capacity[m] && !skip(k) {
		return c.agent, true
	}
	return -1, false
}

// age moves the agents that have been ready for the longest stat delay into the list every URS
// sees (settled).
func (e *Engine) age(g *group, m int) {
	rd := &g.readied[m]
	cutoff := e.now - e.maxStatDelay
	nm := len(e.media)
	for rd.len() > 0 && rd.at(0).at <= cutoff {
		c := rd.at(0)
		if k := int(c.agent)*nm + m; e.am[k].freePos >= 0 && e.am[k].readyAt == c.at {
			e.addSettled(g, c.agent, m)
		}
		rd.head++
	}
	rd.expire(cutoff) // compacts
}

// seesFilled reports whether u's view still shows agent c.agent, filled lately, ready.
func (e *Engine) seesFilled(u *ursState, g *group, m int, slot int32, c *change, seen int64) (int32, bool) {
	k := int(c.agent)*len(e.media) + m
	switch {
	case c.at < seen, c.before > seen: // u's statistics already show it full, or never showed it ready
	case c.by == u.app.id: // its own routing
	case u.reserves && c.resv: // a reserving URS sees reservations at once
	case e.am[k].load < g.capacity[m]: // ready again: judged in the free list
	default:
		// u believes one unit free (the one this fill took), less what it has asked for or routed;
		// a reserving URS sees the reservations at once: none may fill that unit.
		asked, held := e.claimsOf(k, u.app.id)
		if asked == 0 && held < g.capacity[m] && !e.reservedFor(k, u, g.capacity[m]) && !e.avoid(slot, k) {
			return c.agent, true
		}
	}
	return -1, false
}

// lingerSeen is how many units of agent-media k a reserving URS u sees held by reservations that
// outlived their interaction: a reserving URS sees reservations at once, its own among them, so
// it does not ask for an agent they fill — except its own when reject-subsequent-request is false,
// which its request renews. A URS that does not reserve sees none: the arbiter does not concern it.
func (e *Engine) lingerSeen(k int, u *ursState) int32 {
	n := e.am[k].lingering
	if n == 0 || !u.reserves {
		return 0
	}
	if !e.is.rejectSubsequent {
		for _, l := range e.lingers[int32(k)] {
			if l.urs == u.app.id {
				n--
			}
		}
	}
	return n
}

// reservedFor reports whether reserving URS u sees every unit of agent-media k, of capacity
// capacity, held by reservations (those of interactions the agent holds, and lingering ones it
// cannot renew) or by a lingering reservation on top of the unit it believes free.
func (e *Engine) reservedFor(k int, u *ursState, capacity int32) bool {
	if !u.reserves || e.am[k].resv == 0 {
		return false
	}
	return e.lingerSeen(k, u) > 0 || e.am[k].resv-e.am[k].lingering >= capacity
}

// avoid reports whether an interaction once denied should not ask for agent-media k: one another
// request is being arbitrated for, or the agent it was denied, unchanged since.
func (e *Engine) avoid(slot int32, k int) bool {
	ix := &e.ixns[slot]
	if !ix.denied {
		return false
	}
	if e.am[k].collecting != 0 {
		return true
	}
	d := &e.denials[slot]
	return int(d.agent)*len(e.media)+int(ix.media) == k && e.am[k].availAt <= d.at
}

// request is a URS's RequestRouteCall (or reservation request) for agent ag, reaching the IS a
// step later; the URS counts what it has asked for until the answer comes.
func (e *Engine) request(slot int32, u *ursState, ag int32) {
	ix := &e.ixns[slot]
	e.unclaim(ix)
	k := int(ag)*len(e.media) + int(ix.media)
	ix.claimKey, ix.claim = e.askKey(k, u.app.id), claimAsked
	e.claims.add(ix.claimKey, 1)
	e.am[k].asked++
	// What the URS sends is decided now: a reservation request when it reserves, a
	// RequestRouteCall otherwise (an option set while it is on its way does not change it).
	var resv uint8
	if u.reserves {
		resv = 1
	}
	e.after(u.stepTime, tReserve, slot, ag, resv)
}

// claimsOf is what URS urs has asked for agent-media k and not been answered, and how many of the
// interactions it routed there the agent holds.
func (e *Engine) claimsOf(k int, urs int32) (asked, held int32) {
	v := e.claims.get(e.askKey(k, urs))
	return v & (heldUnit - 1), v / heldUnit
}

// askedBy is what URS urs has asked for agent-media k and not been answered.
func (e *Engine) askedBy(k int, urs int32) int32 {
	if e.am[k].asked == 0 {
		return 0 // nobody asks for it: no lookup
	}
	asked, _ := e.claimsOf(k, urs)
	return asked
}

// claimRouted turns the interaction's answered request into an interaction the URS routed there.
func (e *Engine) claimRouted(ix *ixn) {
	if ix.claim == claimAsked {
		e.claims.add(ix.claimKey, heldUnit-1)
		e.am[e.claimAgent(ix)].asked--
		ix.claim = claimHeld
	}
}

// claimAgent is the agent-media of the interaction's claim.
func (e *Engine) claimAgent(ix *ixn) int { return int(ix.claimKey / int64(len(e.urs))) }

// unclaim ends whatever the interaction's URS counts for it (answered with a denial, gone from
// the agent, or gone elsewhere).
func (e *Engine) unclaim(ix *ixn) {
	var d int32
	switch ix.claim {
	case claimAsked:
		d = 1
		e.am[e.claimAgent(ix)].asked--
	case claimHeld:
		d = heldUnit
	default:
		return
	}
	ix.claim = claimNone
	e.claims.add(ix.claimKey, -d)
}

// askKey is the key in claims of agent-media k and the URS of app id urs.
func (e *Engine) askKey(k int, urs int32) int64 {
	return int64(k)*int64(len(e.urs)) + int64(e.apps[urs].urs.idx)
}

// claimTable is claims: by askKey, flat while the agent-media times the URS are few enough
// (a lookup is then one load, not a hash and a probe), in a map otherwise.
type claimTable struct {
	flat []int32
	m    map[int64]int32 // when flat is nil; a key is deleted when its count falls to 0
}

// maxFlatClaims bounds the flat table: 4M counts, 16 MiB.
const maxFlatClaims = 1 << 22

func newClaimTable(keys int) claimTable {
	if keys <= maxFlatClaims {
		return claimTable{flat: make([]int32, keys)}
	}
	return claimTable{m: map[int64]int32{}}
}

func (c *claimTable) get(key int64) int32 {
	if c.flat != nil {
		return c.flat[key]
	}
	return c.m[key]
}

func (c *claimTable) add(key int64, d int32) {
	if c.flat != nil {
		c.flat[key] = max(c.flat[key]+d, 0) // as the map, which forgets a count at 0
		return
	}
	if v := c.m[key] + d; v <= 0 {
		delete(c.m, key)
	} else {
		c.m[key] = v
	}
}

// reserveDecide is the URS's request for an agent reaching the IS: a RequestRouteCall from a URS
// that did not reserve when it sent it, a reservation request from one that did.
func (e *Engine) reserveDecide(slot int32, ag int32, reservation bool) {
	ix := &e.ixns[slot]
	u := e.apps[ix.urs].urs
	m := int(ix.media)
	k := int(ag)*len(e.media) + m
	g := e.groups[e.am[k].group]
	if !reservation {
		// RequestRouteCall without a reservation: the IS delivers, whatever the agent holds.
		e.route(slot, ag)
		return
	}
	// A subsequent request of the URS holding a reservation of the agent that outlived its
	// interaction renews it when reject-subsequent-request is false: no new unit is asked for,
	// so nothing is arbitrated.
	if i := e.lingerOf(k, u.app.id); i >= 0 && !e.is.rejectSubsequent {
		e.prolong(slot, ag, i)
		return
	}
	if e.am[k].resv >= g.capacity[m] {
		e.deny(slot, ag) // already reserved: the request fails
		return
	}
	if a := &e.am[k]; a.collecting != 0 {
		// The window is open: the first request is kept in place, the others in a list.
		if a.more == 0 {
			a.more = e.openWindow()
		}
		e.windows[a.more-1] = append(e.windows[a.more-1], waitEntry{slot: slot, gen: ix.gen})
		a.collecting++
		return
	}
	if e.is.collectTime <= 0 {
		e.grant(slot, ag)
		return
	}
	a := &e.am[k]
	a.collecting, a.firstSlot, a.firstGen = 1, slot, ix.gen
	e.schedule(timer{at: e.now + e.is.collectTime, kind: tCollect, arg: ag, aux: uint8(m), slot: -1})
}

// openWindow gives an empty list for the requests after the first of a request-collection
// window, as agentMedia.more.
func (e *Engine) openWindow() int32 {
	if n := len(e.freeWindows); n > 0 {
		i := e.freeWindows[n-1]
		e.freeWindows = e.freeWindows[:n-1]
		return i + 1
	}
	e.windows = append(e.windows, nil)
	return int32(len(e.windows))
}

// collectDone ends the arbiter's request-collection-time for agent ag and media m: as many
// requesters as the agent has unreserved capacity for are granted, at random (every request has
// the same priority); the others are denied.
func (e *Engine) collectDone(ag int32, m int) {
	k := int(ag)*len(e.media) + m
	a := &e.am[k]
	if a.collecting == 0 {
		return
	}
	// The requests in the order they came: the first, then the others (more).
	reqs := append(e.collected[:0], waitEntry{slot: a.firstSlot, gen: a.firstGen})
	if a.more != 0 {
		reqs = append(reqs, e.windows[a.more-1]...)
	}
	// Closed when this returns (until then avoid sees it open), the lists kept for the next
	// windows (nothing below opens one synchronously: requests reach the IS through the URS's
	// step timer).
	defer func() {
		if a.more != 0 {
			e.windows[a.more-1] = e.windows[a.more-1][:0]
			e.freeWindows = append(e.freeWindows, a.more-1)
		}
		a.collecting, a.more = 0, 0
		e.collected = reqs[:0]
	}()
	live := reqs[:0]
	for _, w := range reqs {
		if ix := &e.ixns[w.slot]; ix.live && ix.gen == w.gen && ix.state == StateInURS {
			live = append(live, w)
		}
	}
	// A request whose URS now holds a lingering reservation of the agent (its interaction was
	// rejected during the window) renews it, as it would have on arrival.
	if !e.is.rejectSubsequent && e.am[k].lingering > 0 {
		keep := live[:0]
		for _, w := range live {
			if i := e.lingerOf(k, e.ixns[w.slot].urs); i >= 0 {
				e.prolong(w.slot, ag, i)
				continue
			}
			keep = append(keep, w)
		}
		live = keep
	}
	g := e.groups[a.group]
	for len(live) > 0 && e.am[k].resv < g.capacity[m] {
		i := 0
		if len(live) > 1 {
			i = e.rng.IntN(len(live))
		}
		w := live[i]
		live = append(live[:i], live[i+1:]...)
		e.grant(w.slot, ag)
	}
	for _, w := range live {
		e.deny(w.slot, ag)
	}
}

// grant answers a reservation request: the agent is reserved for the interaction, and the URS
// routes to it.
func (e *Engine) grant(slot int32, ag int32) {
	ix := &e.ixns[slot]
	e.am[int(ag)*len(e.media)+int(ix.media)].resv++
	ix.resvd, ix.grantAt, ix.denied = true, e.now, false
	e.stats.Reservations++
	e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agentName(ag), e.apps[ix.urs].name
	e.emit(EvReserved)
	e.route(slot, ag)
}

// prolong renews the lingering reservation i of agent ag for the interaction of the URS that holds
// it (reject-subsequent-request false): the reservation starts again, and the URS routes.
func (e *Engine) prolong(slot int32, ag int32, i int) {
	ix := &e.ixns[slot]
	k := int32(int(ag)*len(e.media) + int(ix.media))
	ls := e.lingers[k]
	e.am[k].lingering--
	if ls = append(ls[:i], ls[i+1:]...); len(ls) == 0 {
		delete(e.lingers, k)
	} else {
		e.lingers[k] = ls
	}
	// The route below takes the agent at the same instant.
	e.svcLoad(ag, -1)
	ix.resvd, ix.grantAt, ix.denied = true, e.now, false // the unit stays reserved: now for it
	e.stats.Prolonged++
	e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agentName(ag), e.apps[ix.urs].name
	e.emit(EvProlonged)
	e.route(slot, ag)
}

// lingerOf finds a lingering reservation of agent-media k held by URS urs (-1: none).
func (e *Engine) lingerOf(k int, urs int32) int {
	for i, l := range e.lingers[int32(k)] {
		if l.urs == urs {
			return i
		}
	}
	return -1
}

// deny answers a reservation request with an error. The URS now knows agents are contended: the
// interaction waits again, and asks next for an agent no other request is being arbitrated for,
// and not this agent until it changes — it does not go back into the race.
func (e *Engine) deny(slot int32, ag int32) {
	ix := &e.ixns[slot]
	e.stats.Denied++
	e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agentName(ag), e.apps[ix.urs].name
	e.emit(EvReserveDenied)
	e.unclaim(ix)
	ix.denied = true
	if len(e.denials) < len(e.ixns) {
		e.denials = slices.Grow(e.denials, len(e.ixns)-len(e.denials))[:len(e.ixns)]
	}
	e.denials[slot] = denial{agent: ag, at: e.now}
	g := e.groupOf(ag)
	u := e.apps[ix.urs].urs
	e.wait(slot, g, u)
	e.look(u, g, int(ix.media))
}

// pickFree draws, at random, an agent of free (ready for media m) that skip does not rule out.
func (e *Engine) pickFree(free []int32, m int, skip func(k int) bool) (int32, bool) {
	if len(free) == 0 {
		return -1, false
	}
	nm := len(e.media)
	// Mostly one of a few draws will do (O(1)); when most ready agents are ruled out, count and
	// draw among the rest.
	for try := 0; try < 16; try++ {
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

// route is the IS delivering the interaction to the agent its URS names (after a grant, or a
// RequestRouteCall without reservation): EventInvite to the desktop, the delivering timer started.
// An agent already at capacity is double-booked: the IS delivers anyway and says so.
// delivered_at and assigned_to reach the database with the accept, the next state change.
func (e *Engine) route(slot int32, ag int32) {
	ix := &e.ixns[slot]
	u := e.apps[ix.urs].urs
	m := int(ix.media)
	g := e.groupOf(ag)
	k := int(ag)*len(e.media) + m
	e.claimRouted(ix)
	ix.agent = ag
	if e.am[k].load >= g.capacity[m] {
		e.stats.DoubleBooked++
		e.stats.OverCapacity++
		e.ev.Ixn, e.ev.Agent, e.ev.URS = ix.id, e.agentName(ag), u.app.name
		e.emit(EvDoubleBooked)
	}
	e.take(g, ag, m, u, ix.resvd)
	ix.deliveredAt = e.now
	e.ev.Ixn, e.ev.Agent = ix.id, e.agentName(ag)
	e.emit(EvDelivered)
	if g.answer > e.is.deliveringTimeout {
		e.after(e.is.deliveringTimeout, tAnswer, slot, ag, 1)
	} else {
		e.after(g.answer, tAnswer, slot, ag, 0)
	}
}

// take counts one more interaction on the agent for media m, routed by URS u (through a
// reservation or not); a lagging view still shows a filled agent ready for a while.
func (e *Engine) take(g *group, ag int32, m int, u *ursState, resv bool) {
	k := int(ag)*len(e.media) + m
	e.am[k].load++
	e.svcLoad(ag, 1)
	if e.am[k].load == g.capacity[m] {
		e.removeFree(g, ag, m)
		if g.filled != nil {
			g.filled[m].expire(e.now - e.maxStatDelay)
			g.filled[m].items = append(g.filled[m].items, change{agent: ag, by: u.app.id, resv: resv, at: e.now, before: e.am[k].readyAt})
		}
	}
}

// answer is the agent's answer to the invite, or the delivering timer expiring first.
func (e *Engine) answer(slot int32, ag int32, timedOut bool) {
	ix := &e.ixns[slot]
	g := e.groupOf(ag)
	switch {
	case timedOut:
		e.revoke(slot, OptDeliveringTimeout.Name()) // revoked reasons name the option that revoked
	case g.accept >= 1 || e.rng.Float64() < g.accept:
		// EventRouteUsed: routing is done, the URS lets go; the agent handles it (state 3).
		e.leaveURS(slot)
		e.setState(ix, StateWithAgent, ix.queue)
		e.svcAnswered(slot)
		e.write(slot)
		e.ev.Ixn, e.ev.Agent = ix.id, e.agentName(ag)
		e.emit(EvAccepted)
		d := int64(ix.work*g.handleMean) + 1
		if ix.work == 0 { // restored from a database: its work is not known
			d = e.exp(g.handleMean)
		}
		var flag uint8
		if ix.resvd {
			flag = 1 // the agent's unit is reserved until the work ends
		}
		ix.doneAt, ix.doneFlag = e.now+d, flag
		e.schedule(timer{at: e.now + d, kind: tComplete, slot: slot, gen: ix.gen, arg: ag, aux: ix.media, flag: flag})
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
// interaction and returns it to its queue; the agent's capacity (and its reservation) is freed
// when the agent's own work on it ends (its completion timer), so it is released exactly once.
// The customer's work is the same wherever it goes, so work that outlasts handling-timeout is
// revoked again from every agent it reaches (lint: handling-timeout-revokes).
func (e *Engine) handlingTimeout(slot int32) {
	ix := &e.ixns[slot]
	if ix.state != StateWithAgent || ix.agent < 0 {
		return
	}
	e.stats.Revoked++
	e.ev.Ixn, e.ev.Agent, e.ev.Reason = ix.id, e.agentName(ix.agent), OptHandlingTimeout.Name()
	e.emit(EvRevoked)
	e.goesUnheard(slot, false) // the agent goes on with the work: finished_unheard when it ends
	e.clearAgent(ix)
	ix.gen++ // the completion still frees the agent (tComplete always does) but no longer completes it
	ix.deliveredAt = 0
	e.placeInQueue(slot, ix.queue)
}

// revoke takes the interaction back from the agent that rejected it or did not answer, and
// returns it to the queue the URS took it from, where it is routed again. Its reservation, if it
// had one, lingers until reservation-time after its grant: the arbiter holds the agent for the
// URS that reserved it.
func (e *Engine) revoke(slot int32, reason string) {
	ix := &e.ixns[slot]
	ag := ix.agent
	e.stats.Revoked++
	e.ev.Ixn, e.ev.Agent, e.ev.Reason = ix.id, e.agentName(ag), reason
	e.emit(EvRevoked)
	if ix.resvd && ix.grantAt+e.is.reservationTime > e.now {
		k := int32(int(ag)*len(e.media) + int(ix.media))
		until := ix.grantAt + e.is.reservationTime
		e.lingers[k] = append(e.lingers[k], linger{urs: ix.urs, until: until})
		e.am[k].lingering++
		e.svcLoad(ag, 1) // still held: busy until the linger ends
		e.schedule(timer{at: until, kind: tLinger, arg: ag, aux: ix.media, slot: -1})
		ix.resvd = false // the linger holds the unit now
	}
	e.leaveAgent(ix, ag)
	e.leaveURS(slot)
	ix.deliveredAt = 0
	e.placeInQueue(slot, ix.queue)
}

// lingerEnd ends the lingering reservations of agent ag for media m whose time is up; URS waiting
// for the group may ask for the agent again at once.
func (e *Engine) lingerEnd(ag int32, m int) {
	k := int32(int(ag)*len(e.media) + m)
	ls := e.lingers[k]
	keep := ls[:0]
	for _, l := range ls {
		if l.until > e.now {
			keep = append(keep, l)
			continue
		}
		e.am[k].resv--
		e.am[k].lingering--
		e.svcLoad(ag, -1)
	}
	if len(keep) == len(ls) {
		return
	}
	if len(keep) == 0 {
		delete(e.lingers, k)
	} else {
		e.lingers[k] = keep
	}
	e.am[k].availAt = e.now
	e.tellWaiting(e.groupOf(ag), m, true)
}

// dropLingers forgets the lingering reservations: the arbiter of an IS that is gone.
func (e *Engine) dropLingers() {
	// Map order does not matter: every change is at the same instant.
	for k, ls := range e.lingers {
		e.am[k].resv -= int32(len(ls))
		e.am[k].lingering = 0
		ag := k / int32(len(e.media))
		e.svcLoad(ag, -int32(len(ls)))
	}
	clear(e.lingers)
}

// leaveAgent ends the interaction's hold on agent ag at once (a revoke before the accept, an
// abandon): the agent's unit, and its reservation unless it lingers, are freed.
func (e *Engine) leaveAgent(ix *ixn, ag int32) {
	if ix.resvd {
		e.am[int(ag)*len(e.media)+int(ix.media)].resv--
	}
	m := ix.media
	e.clearAgent(ix)
	e.releaseAgent(ag, m)
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

// clearAgent: the interaction's record no longer names its agent; its URS no longer counts it
// there. (The agent's unit is released by whoever calls it, or by the completion timer.)
func (e *Engine) clearAgent(ix *ixn) {
	e.unclaim(ix)
	ix.agent = -1
	ix.resvd = false
}

// releaseAgent frees one unit of the agent's capacity for media m. When that makes the agent ready
// it goes back in the free list, and every URS waiting for an agent of its group looks again once
// its statistics show it (after its stat delay).
func (e *Engine) releaseAgent(ag int32, media uint8) {
	m := int(media)
	g := e.groupOf(ag)
	k := int(ag)*len(e.media) + m
	if e.am[k].load <= 0 {
		return
	}
	e.am[k].load--
	e.svcLoad(ag, -1)
	if e.am[k].load == g.capacity[m]-1 {
		// Ready: in the free list at once, in every URS's statistics only after its stat delay.
		e.addFree(g, ag, m)
		e.am[k].readyAt, e.am[k].availAt = e.now, e.now
		e.age(g, m)
		g.readied[m].items = append(g.readied[m].items, change{agent: ag, at: e.now})
	}
	if e.am[k].load < g.capacity[m] && g.nWaiting[m] > 0 {
		e.tellWaiting(g, m, false)
	}
}

func (e *Engine) addFree(g *group, ag int32, m int) {
	k := int(ag)*len(e.media) + m
	if e.am[k].freePos >= 0 {
		return
	}
	e.am[k].freePos = int32(len(g.free[m]))
	g.free[m] = append(g.free[m], ag)
}

// removeFree takes the agent out of the free list and the settled list for media m.
func (e *Engine) removeFree(g *group, ag int32, m int) {
	k := int(ag)*len(e.media) + m
	g.free[m] = e.unlist(g.free[m], func(a *agentMedia) *int32 { return &a.freePos }, ag, m)
	if e.am[k].settledPos >= 0 {
		g.settled[m] = e.unlist(g.settled[m], func(a *agentMedia) *int32 { return &a.settledPos }, ag, m)
	}
}

// unlist removes ag from list, whose positions (by agent-media) are in pos.
func (e *Engine) unlist(list []int32, pos func(*agentMedia) *int32, ag int32, m int) []int32 {
	nm := len(e.media)
	k := int(ag)*nm + m
	i := *pos(&e.am[k])
	if i < 0 {
		return list
	}
	last := list[len(list)-1]
	list[i] = last
	*pos(&e.am[int(last)*nm+m]) = i
	*pos(&e.am[k]) = -1
	return list[:len(list)-1]
}

func (e *Engine) addSettled(g *group, ag int32, m int) {
	k := int(ag)*len(e.media) + m
	if e.am[k].settledPos >= 0 {
		return
	}
	e.am[k].settledPos = int32(len(g.settled[m]))
	g.settled[m] = append(g.settled[m], ag)
}

// unheardWork is an agent's work on an interaction no Interaction Server follows any more.
type unheardWork struct {
	ixn     int64
	agent   int32
	doneAt  int64 // when it ends: its completion timer
	flag    uint8 // that timer's flag
	adopted bool  // a restore gave it back to the interaction (re-adopted): the timer is superseded
}

// unheardKey identifies a completion timer by the slot and generation it was set for.
func unheardKey(slot int32, gen uint32) int64 { return int64(slot)<<32 | int64(gen) }

// goesUnheard: the agent of the interaction in slot goes on with it while no Interaction Server
// follows it any more (the caller is about to drop the record). Its hold on the agent ends when
// the work does, logged then as finished_unheard; when the work is already over (its completion
// waits for an IS to hear it), it is logged now. It returns the work's key in unheard, or -1.
func (e *Engine) goesUnheard(slot int32, over bool) int64 {
	ix := &e.ixns[slot]
	if over {
		e.ev.Ixn, e.ev.Agent = ix.id, e.agentName(ix.agent)
		e.emit(EvFinishedUnheard)
		return -1
	}
	key := unheardKey(slot, ix.gen)
	e.unheard[key] = unheardWork{ixn: ix.id, agent: ix.agent, doneAt: ix.doneAt, flag: ix.doneFlag}
	return key
}
