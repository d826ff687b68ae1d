package core

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Service figures: what a contact-centre planner reads off a run — offered, answered, abandoned,
// average speed of answer (ASA), wait percentiles, service level, occupancy — and what a failure
// cost (the extra wait of the interactions a URS stop, a resubmission or a switchover touched).
//
// An interaction's wait runs from its arrival at the media server (received_at) to the agent's
// accept (the `accepted` event): the customer's view, including any time the media server held it
// and every URS step and delivery attempt on the way. It is counted in the queue it was submitted
// to (its traffic entry's queue), wherever its strategy sends it afterwards.

// Flags of ixn.svc.
const (
	svcOpen     uint8 = 1 // offered, not yet answered, abandoned or finished
	svcTouched  uint8 = 2 // a URS stop, a resubmission, a switchover or a restart touched it
	svcMeasured uint8 = 4 // arrived after its queue's warm-up: it counts in the service figures
)

// svcClass is where an interaction's service state is counted: two classes per queue, the
// interactions that arrived before the queue's warm-up (even) and after it (odd). Only the
// latter make the queue's service figures; both count in the account of damage.
func svcClass(origin int32, flags uint8) int32 {
	if flags&svcMeasured != 0 {
		return 2*origin + 1
	}
	return 2 * origin
}

func (ix *ixn) class() int32 { return svcClass(ix.origin, ix.svc) }

// AllQueues names the overall figures in the report's `service` section.
const AllQueues = "_all"

type svcQueue struct {
	threshold int64 // service-level threshold, ns
	offered   int64
	answered  int64
	abandoned int64
	within    int64 // answered within the threshold
	finished  int64 // completed by their strategy without an agent: not a customer to answer
	waitSum   int64 // ns, of the answered
	touched   int64 // interactions a failure touched (lost ones included)
	tAnswered int64 // answered after a failure touched them
	tWaitSum  int64 // ns, their waits
	hist      *waitHist
}

type svcCarry struct {
	origin     int32
	patienceAt int64
	received   int64
	flags      uint8
}

type svcState struct {
	q      []svcQueue // by svcClass
	warmup []int64    // by queue: interactions received before it are not measured
	busy   []int64    // by group: agents holding at least one interaction or reservation now
	// accepted counts, by group, the interactions its agents accepted: the work brought to the
	// group, which the empty start of a run does not lean as it leans busy time.
	accepted []int64
	area     []int64 // by group: busy agent-nanoseconds from occFrom up to last
	last     []int64
	// occFrom is where occupancy starts: the scenario's warm-up.
	occFrom int64
	// patience draws come from their own stream, so a scenario without patience keeps its event
	// log byte for byte (and a patience nobody reaches changes nothing either).
	patience *rand.Rand
	// allHist is the wait histogram of every queue together, kept as answers come so that
	// Service (called for every console frame) need not add the queues' histograms up.
	allHist *waitHist
	// atMedia counts, by svcClass, the arrivals media servers hold (offered, not yet taken).
	atMedia []int64
	// ivWidth and iv keep the figures of each interval by the customers' arrival
	// (WithIntervals): by queue, by interval.
	ivWidth int64
	iv      [][]IntervalFigures
	// carry keeps the service state of interactions whose slot an Interaction Server dropped
	// (switchover, restart) until its restore finds them again.
	carry map[int64]svcCarry
}

// svcBuild sets up the figures once the queues and groups exist.
func (e *Engine) svcBuild() {
	def := int64(e.cfg.ServiceLevel)
	if def <= 0 {
		def = int64(DefaultServiceLevel)
	}
	e.svc.q = make([]svcQueue, 2*len(e.queues))
	e.svc.warmup = make([]int64, len(e.queues))
	for i := range e.queues {
		e.svc.warmup[i] = int64(e.cfg.QueueWarmup(i))
		for c := 2 * i; c < 2*i+2; c++ {
			q := &e.svc.q[c]
			q.threshold = def
			if i < len(e.cfg.Queues) && e.cfg.Queues[i].ServiceLevel > 0 {
				q.threshold = int64(e.cfg.Queues[i].ServiceLevel)
			}
		}
		e.svc.q[2*i+1].hist = &waitHist{} // waits are read of the measured only
	}
	e.svc.atMedia = make([]int64, len(e.svc.q))
	e.svc.occFrom = int64(e.cfg.Warmup)
	e.svc.allHist = &waitHist{}
	n := len(e.groups)
	e.svc.busy, e.svc.area, e.svc.last = make([]int64, n), make([]int64, n), make([]int64, n)
	e.svc.accepted = make([]int64, n)
	e.svc.patience = stream(e.cfg.Seed, streamPatience, 0)
	e.svc.carry = map[int64]svcCarry{}
	e.dmgBuild()
}

// parkedClass is the service class of an arrival a media server holds.
func (e *Engine) parkedClass(ti int32, received int64) int32 {
	q := e.traffic[ti].queue
	if received >= e.svc.warmup[q] {
		return svcClass(q, svcMeasured)
	}
	return svcClass(q, 0)
}

// svcOffered counts a new interaction in its traffic's queue and starts its customer's patience;
// patienceAt ≥ 0: a media server held it (a failure reached it) and drew the customer's
// patience as they arrived (0: none); -1: it arrives now.
func (e *Engine) svcOffered(slot int32, ti int32, patienceAt int64) {
	held := patienceAt >= 0
	t := &e.traffic[ti]
	ix := &e.ixns[slot]
	ix.origin = t.queue
	ix.svc = svcOpen
	if ix.receivedAt >= e.svc.warmup[t.queue] {
		ix.svc |= svcMeasured
	}
	e.svc.q[ix.class()].offered++
	if held {
		e.svcTouch(slot, "held at a media server")
	} else if iv := e.interval(t.queue, ix.receivedAt); iv != nil {
		iv.Offered++ // one a media server held was counted when it arrived
	}
	switch {
	case held && patienceAt > 0:
		ix.patienceAt = patienceAt
		e.armPatience(slot)
	case !held && t.cfg.Patience > 0:
		ix.patienceAt = ix.receivedAt + e.drawPatience(t.cfg.Patience)
		e.armPatience(slot)
	}
}

func (e *Engine) drawPatience(mean time.Duration) int64 {
	d := e.svc.patience.ExpFloat64() * float64(mean)
	if d > math.MaxInt64/4 {
		return math.MaxInt64 / 4
	}
	return int64(d) + 1
}

func (e *Engine) armPatience(slot int32) {
	ix := &e.ixns[slot]
	// Gave up while a media server or no IS held it: leaves at once (patienceAt keeps when).
	e.schedule(timer{at: max(ix.patienceAt, e.now), kind: tPatience, slot: slot, arg: int32(ix.id)})
}

// patienceExpired abandons the interaction if its customer is still waiting. The timer names the
// slot and the interaction (not the slot's generation, which a URS stop changes while the customer
// keeps waiting).
func (e *Engine) patienceExpired(t *timer) {
	ix := &e.ixns[t.slot]
	if !ix.live || int32(ix.id) != t.arg || ix.svc&svcOpen == 0 || ix.patienceAt > t.at || ix.state == StateWithAgent {
		return
	}
	e.customerAbandoned(t.slot)
}

// customerAbandoned ends an interaction whose customer gave up: wherever it waits (queue, URS,
// an invite ringing at an agent) its processing stops, the reservation it held is freed, and its
// row is closed with abandoned_at. It is counted as abandoned, never as lost.
func (e *Engine) customerAbandoned(slot int32) {
	ix := &e.ixns[slot]
	e.abandon(slot, "abandoned")
	e.clearAgent(ix)
	ix.svc &^= svcOpen
	e.svc.q[ix.class()].abandoned++
	left := e.now
	if ix.patienceAt > 0 && ix.patienceAt < e.now {
		// Found out late (held at a media server, or while no IS ran): the row, the log and the
		// plots say when the customer actually gave up.
		left = ix.patienceAt
	}
	if iv := e.interval(ix.origin, ix.receivedAt); iv != nil {
		iv.Abandoned++
	}
	if iv := e.interval(ix.origin, left); iv != nil {
		iv.Left++
	}
	e.stats.Abandoned++
	e.fillRow(slot)
	e.row.AbandonedAt = left
	e.dbWrite(slot, &e.row)
	e.row.AbandonedAt = 0
	e.ev.Ixn = ix.id
	if ix.queue >= 0 {
		e.ev.Queue = e.queues[ix.queue].name
	}
	if left < e.now {
		e.ev.AbandonedAt = left
	}
	e.emit(EvAbandoned)
	e.freeSlotOf(slot)
}

// svcAnswered is the agent's accept: the customer's wait ends.
func (e *Engine) svcAnswered(slot int32) {
	ix := &e.ixns[slot]
	if ix.agent >= 0 {
		e.svc.accepted[e.am[int(ix.agent)*len(e.media)].group]++
	}
	if ix.svc&svcOpen == 0 {
		return
	}
	ix.svc &^= svcOpen
	q := &e.svc.q[ix.class()]
	w := e.now - ix.receivedAt
	q.answered++
	q.waitSum += w
	if w <= q.threshold {
		q.within++
	}
	if iv := e.interval(ix.origin, ix.receivedAt); iv != nil {
		iv.Answered++
		if w <= q.threshold {
			iv.AnsweredWithin++
		}
	}
	if q.hist != nil {
		q.hist.add(w)
		e.svc.allHist.add(w)
	}
	if ix.svc&svcTouched != 0 {
		q.tAnswered++
		q.tWaitSum += w
	}
}

// svcTouch marks an interaction a failure reached — pulled back from a stopped URS, waiting
// while every URS of its strategy is stopped, dropped or restored by an IS, held at a media
// server or for a DAP, lost — and logs it once (touched {ixn, queue, reason}). Answered or not:
// one answered before is counted as touched but its wait, which the failure did not lengthen,
// stays with the others'.
func (e *Engine) svcTouch(slot int32, reason string) {
	ix := &e.ixns[slot]
	if ix.svc&svcTouched != 0 {
		return
	}
	ix.svc |= svcTouched
	e.svc.q[ix.class()].touched++
	// Touched may be found while another event is being filled in: keep it.
	saved := e.ev
	e.ev = Event{Ixn: ix.id, Queue: e.queues[ix.origin].name, Reason: reason}
	e.emit(EvTouched)
	e.ev = saved
}

// svcFreed keeps the service state of an interaction whose slot is dropped while its customer
// still waits (the IS restores it later into another slot).
func (e *Engine) svcFreed(ix *ixn) {
	if ix.svc&svcOpen != 0 {
		e.svc.carry[ix.id] = svcCarry{origin: ix.origin, patienceAt: ix.patienceAt, received: ix.receivedAt, flags: ix.svc}
	}
	ix.svc, ix.patienceAt, ix.origin = 0, 0, 0
}

// svcRestored picks up the service state of an interaction an Interaction Server restored from its
// database into slot (queue q, database state). One the engine never held (a row only the
// database knew) starts over in q, with a fresh patience: an exponential patience has no memory.
func (e *Engine) svcRestored(slot int32, q int32, state uint8) {
	ix := &e.ixns[slot]
	c, ok := e.svc.carry[ix.id]
	if ok {
		delete(e.svc.carry, ix.id)
		ix.origin, ix.patienceAt, ix.svc = c.origin, c.patienceAt, c.flags
	} else {
		ix.origin, ix.svc = q, 0
		if ix.receivedAt >= e.svc.warmup[q] {
			ix.svc = svcMeasured
		}
		if state == StateWithAgent {
			return
		}
		ix.svc |= svcOpen
		for i := range e.traffic {
			if t := &e.traffic[i]; t.queue == q && t.media == ix.media && t.cfg.Patience > 0 {
				ix.patienceAt = e.now + e.drawPatience(t.cfg.Patience)
				break
			}
		}
	}
	e.svcTouch(slot, "restored by an interaction server")
	if ix.patienceAt > 0 && ix.svc&svcOpen != 0 {
		e.armPatience(slot)
	}
}

// svcLoad follows a change (after it happened) of what an agent holds — its load, or its
// lingering reservations — for the group's occupancy: busy while it holds anything.
func (e *Engine) svcLoad(ag int32, delta int32) {
	a := &e.am[int(ag)*len(e.media)] // the agent's first media keeps held
	g := a.group
	a.held += delta
	tot := a.held
	switch {
	case delta > 0 && tot == delta:
	case delta < 0 && tot == 0:
	default:
		return
	}
	e.svc.area[g] += e.svc.busy[g] * e.svcSpan(e.svc.last[g])
	e.svc.last[g] = e.now
	if delta > 0 {
		e.svc.busy[g]++
	} else {
		e.svc.busy[g]--
	}
}

// ServiceFigures are one queue's (or all queues') service figures. Times are seconds.
type ServiceFigures struct {
	// Offered counts the customers who arrived (after the warm-up): those the IS took, and those
	// a media server still holds. Lost ones stay offered.
	Offered   int64 `json:"offered"`
	Answered  int64 `json:"answered"`
	Abandoned int64 `json:"abandoned"`
	// AnsweredWithin counts the answered whose wait was at most the threshold.
	AnsweredWithin int64 `json:"answered_within"`
	// ASA is the average speed of answer: the mean wait of the answered.
	ASA float64 `json:"asa"`
	// ServiceLevel is the share of offered interactions answered within the threshold
	// (docs/scenarios.md, "Service figures"): answered_within / (offered − those a strategy finished without an agent).
	// Abandoned customers, those still waiting or held at the end and those lost before an
	// agent answered count against it; 1 when there is nobody to answer yet.
	ServiceLevel float64 `json:"service_level"`
	Threshold    float64 `json:"threshold"`
	// AbandonRate is abandoned / (answered + abandoned).
	AbandonRate float64 `json:"abandon_rate"`
	// Wait percentiles (nearest rank) of the answered, exact to the microsecond below 2 ms and
	// within 0.05% above.
	WaitP50 float64 `json:"wait_p50"`
	WaitP90 float64 `json:"wait_p90"`
	WaitP99 float64 `json:"wait_p99"`
	// The account of damage for these interactions (Damage): Lost (of them LostOpen still open in
	// another database) — an interaction answered and then lost stays answered, and is counted
	// here; Held waits at a media server or for a DAP now; Completed are closed as completed in
	// the database the active IS uses. Offered = completed + abandoned + lost + open + held.
	Lost      int64 `json:"lost"`
	LostOpen  int64 `json:"lost_open"`
	Held      int64 `json:"held"`
	Completed int64 `json:"completed"`
	// Failure impact: Touched counts the interactions a failure reached — a URS stop (a
	// resubmission), an IS switchover or restart, a media server or a DAP outage holding them, a
	// switchover losing them. TouchedASA is the ASA of those answered after a failure reached
	// them, OthersASA that of the other answered, ExtraWait what the failure added: TouchedASA −
	// OthersASA per queue; under _all, each touched interaction against the others of its own
	// queue (not a mix of the queues' baselines). Undefined (0, listed in Undefined) when either side
	// has none answered.
	Touched    int64   `json:"touched"`
	TouchedASA float64 `json:"touched_asa"`
	OthersASA  float64 `json:"others_asa"`
	ExtraWait  float64 `json:"extra_wait"`
	// Warmup is the warm-up in seconds; Excluded counts the interactions that arrived before it,
	// which none of the figures above include.
	Warmup   float64 `json:"warmup"`
	Excluded int64   `json:"excluded"`
	// Undefined names the figures above that have nothing to average over: asa and the wait
	// percentiles with nobody answered, abandon_rate with nobody answered or abandoned,
	// touched_asa, others_asa and extra_wait with no answered on their side. Their JSON value
	// reads 0 (the report's number); Figures has them as NaN, so no study averages a 0 nobody
	// measured and no target on them is met.
	Undefined []string `json:"undefined,omitempty"`
}

// Figures that may be undefined (ServiceFigures.Undefined), one bit each.
const (
	undefASA uint8 = 1 << iota // asa, wait_p50, wait_p90, wait_p99
	undefAbandonRate
	undefTouchedASA
	undefOthersASA
	undefExtraWait
	undefAll = undefExtraWait<<1 - 1
)

// undefinedNames are the names of each combination of undefined figures, made once: Service runs
// for every console frame and should not allocate a list per queue.
var undefinedNames = func() (out [undefAll + 1][]string) {
	for m := range out {
		var names []string
		if m&int(undefASA) != 0 {
			names = append(names, "asa", "wait_p50", "wait_p90", "wait_p99")
		}
		if m&int(undefAbandonRate) != 0 {
			names = append(names, "abandon_rate")
		}
		if m&int(undefTouchedASA) != 0 {
			names = append(names, "touched_asa")
		}
		if m&int(undefOthersASA) != 0 {
			names = append(names, "others_asa")
		}
		if m&int(undefExtraWait) != 0 {
			names = append(names, "extra_wait")
		}
		out[m] = names
	}
	return out
}()

// undefinedFigures: Figures reads these as NaN.
func (f ServiceFigures) undefinedFigures() []string { return f.Undefined }

func (q *svcQueue) figures(d classDamage) ServiceFigures {
	f := ServiceFigures{Offered: q.offered + d.atMedia, Answered: q.answered, Abandoned: q.abandoned,
		AnsweredWithin: q.within, Threshold: float64(q.threshold) / 1e9, ServiceLevel: 1,
		Touched: q.touched + d.atMedia, Lost: d.lost, LostOpen: d.lostOpen, Held: d.atMedia + d.heldDAP,
		Completed: d.completed}
	if n := f.Offered - q.finished; n > 0 {
		f.ServiceLevel = float64(q.within) / float64(n)
	}
	var undef uint8
	if n := q.answered + q.abandoned; n > 0 {
		f.AbandonRate = float64(q.abandoned) / float64(n)
	} else {
		undef |= undefAbandonRate
	}
	if q.answered > 0 {
		f.ASA = float64(q.waitSum) / float64(q.answered) / 1e9
		f.WaitP50, f.WaitP90, f.WaitP99 = q.hist.percentiles()
	} else {
		undef |= undefASA
	}
	if q.tAnswered > 0 {
		f.TouchedASA = float64(q.tWaitSum) / float64(q.tAnswered) / 1e9
	} else {
		undef |= undefTouchedASA | undefExtraWait
	}
	if o := q.answered - q.tAnswered; o > 0 {
		f.OthersASA = float64(q.waitSum-q.tWaitSum) / float64(o) / 1e9
		if q.tAnswered > 0 {
			f.ExtraWait = f.TouchedASA - f.OthersASA
		}
	} else {
		undef |= undefOthersASA | undefExtraWait
	}
	f.Undefined = undefinedNames[undef]
	return f
}

// Service returns the service figures now, by queue and under AllQueues for all of them (whose
// service level counts each interaction against its own queue's threshold).
func (e *Engine) Service() map[string]ServiceFigures {
	out := make(map[string]ServiceFigures, len(e.queues)+1)
	all := svcQueue{threshold: int64(e.cfg.ServiceLevel), hist: e.svc.allHist}
	if all.threshold <= 0 {
		all.threshold = int64(DefaultServiceLevel)
	}
	dmg := e.damageByClass()
	var allD classDamage
	var excluded, extraN int64
	var extraSum float64
	for i := range e.queues {
		q, d := &e.svc.q[2*i+1], dmg[2*i+1]
		f := q.figures(d)
		f.Warmup, f.Excluded = float64(e.svc.warmup[i])/1e9, e.svc.q[2*i].offered+dmg[2*i].atMedia
		out[e.queues[i].name] = f
		excluded += f.Excluded
		if q.tAnswered > 0 && q.answered > q.tAnswered {
			extraSum += f.ExtraWait * float64(q.tAnswered)
			extraN += q.tAnswered
		}
		all.offered += q.offered
		all.answered += q.answered
		all.abandoned += q.abandoned
		all.within += q.within
		all.finished += q.finished
		all.waitSum += q.waitSum
		all.touched += q.touched
		all.tAnswered += q.tAnswered
		all.tWaitSum += q.tWaitSum
		allD.lost += d.lost
		allD.lostOpen += d.lostOpen
		allD.completed += d.completed
		allD.atMedia += d.atMedia
		allD.heldDAP += d.heldDAP
	}
	f := all.figures(allD)
	f.Warmup, f.Excluded = e.cfg.Warmup.Seconds(), excluded
	// Each touched interaction against the untouched of its own queue: a queue with short waits
	// and no failure must not make the others' failure look worse than it was.
	f.ExtraWait = 0
	if extraN > 0 {
		f.ExtraWait = extraSum / float64(extraN)
	} else if !slices.Contains(f.Undefined, "extra_wait") {
		// Touched answered in one queue, others in another: nothing to set them against.
		f.Undefined = append(slices.Clone(f.Undefined), "extra_wait")
	}
	out[AllQueues] = f
	return out
}

// svcSpan is how much of the time from `from` to now lies after the warm-up (occFrom).
func (e *Engine) svcSpan(from int64) int64 {
	return max(0, e.now-max(from, e.svc.occFrom))
}

// Occupancy is each agent group's busy share over the run so far (from the scenario's warm-up):
// the time its agents held at least one interaction or reservation, over agents × elapsed time.
func (e *Engine) Occupancy() map[string]float64 {
	out := make(map[string]float64, len(e.groups))
	for i, g := range e.groups {
		area := e.svc.area[i] + e.svc.busy[i]*e.svcSpan(e.svc.last[i])
		if span := e.svcSpan(0); span > 0 && g.n > 0 {
			out[g.name] = float64(area) / (float64(g.n) * float64(span))
		} else {
			out[g.name] = 0
		}
	}
	return out
}

// AgentsBusy is how many agents of each group hold at least one interaction or reservation now.
func (e *Engine) AgentsBusy() map[string]int64 {
	out := make(map[string]int64, len(e.groups))
	for i, g := range e.groups {
		out[g.name] = e.svc.busy[i]
	}
	return out
}

// URSShare is each URS's share of each strategy's submissions (first and re-), the balance the
// round-robin achieved; strategies with no submission yet are left out.
func (e *Engine) URSShare() map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, st := range e.strats {
		var tot int64
		for _, n := range st.routed {
			tot += n
		}
		if tot == 0 {
			continue
		}
		m := map[string]float64{}
		for _, u := range e.urs {
			if st.activated[u.idx] || st.routed[u.idx] > 0 {
				m[u.app.name] = float64(st.routed[u.idx]) / float64(tot)
			}
		}
		out[st.name] = m
	}
	return out
}

// svcFinished: a strategy completed the interaction without an agent (a stop step, an ESP-only
// flow): no customer is left waiting for an answer.
func (e *Engine) svcFinished(ix *ixn) {
	if ix.svc&svcOpen != 0 {
		ix.svc &^= svcOpen
		e.svc.q[ix.class()].finished++
		if iv := e.interval(ix.origin, ix.receivedAt); iv != nil {
			iv.Finished++
		}
	}
}

// gaveUp abandons, before it goes any further, an interaction whose customer's patience ran out
// while nothing could route it (held at a media server, or while no Interaction Server ran): it
// is placed in queue q for the record and abandoned there, never submitted to a URS.
func (e *Engine) gaveUp(slot int32, q int32) bool {
	ix := &e.ixns[slot]
	if ix.svc&svcOpen == 0 || ix.patienceAt <= 0 || ix.patienceAt > e.now {
		return false
	}
	e.setState(ix, StateQueued, q)
	e.customerAbandoned(slot)
	return true
}

// WithIntervals keeps the service figures of each interval of width d (from 0) by the customers'
// arrival, as an ACD's interval report has them: offered in the interval, and what became of
// those customers (Engine.Intervals). For the run plot; every interaction counts, warm-up or not.
func WithIntervals(d time.Duration) Option {
	return func(e *Engine) { e.svc.ivWidth = int64(d) }
}

// IntervalFigures are the customers who arrived in one interval and what became of them so far.
type IntervalFigures struct {
	Offered        int64 // arrived in the interval (held at a media server or not)
	Answered       int64
	AnsweredWithin int64
	Abandoned      int64
	Finished       int64 // completed by their strategy without an agent: nobody to answer
	// Pending are still waiting and have not waited the threshold yet: undecided.
	Pending int64
	// Left counts the customers who gave up in the interval, whenever they arrived: by the time
	// they left (a row's abandoned_at), not when a held interaction's row was finally closed.
	Left int64
}

// ServiceLevel is the share of the interval's customers answered within the threshold: those who
// gave up, or who waited past it (held, lost or still waiting) count against it; those still
// within it are not decided yet. NaN when there is nobody to count.
func (f IntervalFigures) ServiceLevel() float64 {
	n := f.Offered - f.Finished - f.Pending
	if n <= 0 {
		return math.NaN()
	}
	return float64(f.AnsweredWithin) / float64(n)
}

// interval is where a customer of queue q who arrived at t counts (nil without WithIntervals).
func (e *Engine) interval(q int32, t int64) *IntervalFigures {
	if e.svc.ivWidth <= 0 || t < 0 {
		return nil
	}
	if e.svc.iv == nil {
		e.svc.iv = make([][]IntervalFigures, len(e.queues))
	}
	i := int(t / e.svc.ivWidth)
	for len(e.svc.iv[q]) <= i {
		e.svc.iv[q] = append(e.svc.iv[q], IntervalFigures{})
	}
	return &e.svc.iv[q][i]
}

// Intervals returns, by queue and under AllQueues, the figures of each interval up to now (with
// WithIntervals; nil without).
func (e *Engine) Intervals() map[string][]IntervalFigures {
	if e.svc.ivWidth <= 0 {
		return nil
	}
	n := int(e.now/e.svc.ivWidth) + 1
	out := make(map[string][]IntervalFigures, len(e.queues)+1)
	all := make([]IntervalFigures, n)
	for qi, q := range e.queues {
		f := make([]IntervalFigures, n)
		if e.svc.iv != nil {
			copy(f, e.svc.iv[qi])
		}
		for i := range f {
			all[i].Offered += f[i].Offered
			all[i].Answered += f[i].Answered
			all[i].AnsweredWithin += f[i].AnsweredWithin
			all[i].Abandoned += f[i].Abandoned
			all[i].Left += f[i].Left
		}
		out[q.name] = f
	}
	// Customers still within their threshold are undecided: the last intervals' are not failures.
	pending := func(q int32, flags uint8, received int64) {
		if flags&svcOpen != 0 && e.now-received <= e.svc.q[2*q+1].threshold && received >= 0 {
			if i := int(received / e.svc.ivWidth); i < n {
				out[e.queues[q].name][i].Pending++
				all[i].Pending++
			}
		}
	}
	for i := range e.ixns {
		if ix := &e.ixns[i]; ix.live {
			pending(ix.origin, ix.svc, ix.receivedAt)
		}
	}
	for _, c := range e.svc.carry {
		pending(c.origin, c.flags, c.received)
	}
	for _, a := range e.apps {
		for _, p := range a.parked {
			pending(e.traffic[p.traffic].queue, svcOpen, p.received)
		}
	}
	out[AllQueues] = all
	return out
}
