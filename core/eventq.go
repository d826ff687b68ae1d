package core

import "math/bits"

// timer is one scheduled event of the loop. It is small and pointer-free so the queue is a flat
// slice the garbage collector never scans.
type timer struct {
	at   int64  // virtual nanoseconds
	seq  uint64 // scheduling order: ties on `at` run first-scheduled first, deterministically
	slot int32  // interaction slot, or -1
	gen  uint32 // the slot's generation when scheduled; a mismatch means the timer is stale
	arg  int32  // kind-specific: agent, server, traffic or timeline index
	kind timerKind
	aux  uint8 // kind-specific small value (media index)
	flag uint8 // kind-specific: tComplete's unit was reserved (it fits in the struct's padding)
}

type timerKind uint8

const (
	tArrival timerKind = iota
	tTimeline
	tURSStep
	tESPResponse
	tReserve
	tAnswer
	tComplete
	tRoutingTimeout
	tRateWake // a URS's max-submission-rate hold ends
	tCollect  // the agent-reservation arbiter's request-collection-time for one agent ends
	tHandling // handling-timeout: no agent activity for this long
	tPatience // a customer's patience runs out (slot; arg: the low 32 bits of the interaction id)
	tLook     // a URS looks at an agent group again (arg: group, aux: media, gen: the URS's index)
	tLinger   // a reservation that outlived its interaction ends (arg: agent, aux: media)
	numTimerKinds
)

// timerQueue is a 4-ary min-heap ordered by (at, seq): shallower than a binary heap, so fewer cache
// misses per pop on the engine's hot path. seq is unique, so the order is total and the heap's
// shape never shows in the order timers run.
//
// push and pop move a hole rather than swapping: each level costs one 32-byte copy instead of
// three, and pop sifts the hole down to the bottom first, comparing only the children, then brings
// the last timer up from there (it came from the bottom, so it nearly always belongs there): about
// half the comparisons of sifting it down from the top.
type timerQueue struct {
	h []timer
}

// before is the heap order.
func before(a, b *timer) bool {
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

func (q *timerQueue) push(t timer) {
	q.h = append(q.h, t)
	q.up(len(q.h)-1, t)
}

// up places t at hole i or above it.
func (q *timerQueue) up(i int, t timer) {
	h := q.h
	for i > 0 {
		p := (i - 1) / 4
		if !before(&t, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = t
}

func (q *timerQueue) peek() *timer { return &q.h[0] }

func (q *timerQueue) len() int { return len(q.h) }

func (q *timerQueue) pop() timer {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	if n == 0 {
		return top
	}
	// The hole goes down along the smallest children to the bottom.
	i := 0
	for {
		c := 4*i + 1
		if c+3 < n {
			m := c
			if before(&h[c+1], &h[m]) {
				m = c + 1
			}
			if before(&h[c+2], &h[m]) {
				m = c + 2
			}
			if before(&h[c+3], &h[m]) {
				m = c + 3
			}
			h[i] = h[m]
			i = m
			continue
		}
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < n; k++ {
			if before(&h[k], &h[m]) {
				m = k
			}
		}
		h[i] = h[m]
		i = m
		break // a partial family is the last level
	}
	q.up(i, last)
	return top
}

// down sifts the timer at i down to its place (heapify).
func (q *timerQueue) down(i int) {
	h := q.h
	n := len(h)
	t := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if before(&h[k], &h[m]) {
				m = k
			}
		}
		if !before(&h[m], &t) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = t
}

// calendar is the agenda's queue of the timers set a random delay ahead, mostly the agents'
// handle times: tens of thousands of them, each pushed once and popped once, at times spread over
// a few mean handle times. In one heap of them a pop sifted through its levels, the lower ones a
// cache miss each. The calendar sorts them into buckets of time (width 1<<shift ns) instead, a
// ring of calBuckets of them ahead of the clock, and keeps only the current bucket in a heap
// (near), filled from the next bucket that holds timers when it runs out: a push appends to its
// bucket, a pop sifts a heap of a few dozen timers that stays in the L1 cache. Timers beyond the
// ring wait in a heap of their own (far) until the ring reaches them.
//
// The order is exactly a heap's, by (at, seq): near holds every timer before horizon, the ring's
// buckets every timer from horizon up to the ring's end (each bucket one span of time, in order),
// far the rest; so near's top is the earliest, whenever near holds any.
type calendar struct {
	near    timerQueue
	far     timerQueue
	ring    [calBuckets][]timer
	full    [calBuckets / 64]uint64 // the ring's buckets that hold timers, a bit each
	inRing  int
	cur     int64 // the bucket near covers: horizon is (cur+1) << shift; the ring holds cur+1 … cur+calBuckets
	horizon int64
	shift   uint
	sized   bool // setWidth (or the first push, with the default width) has run
	fromFar bool // head returned far's top
}

const calBuckets = 2048

// defaultCalMean is the delay the buckets are sized for until setWidth: a second.
const defaultCalMean = 1e9

// setWidth sizes the buckets for timers about mean ahead: the narrowest (a power of two of
// nanoseconds) with which the ring spans four means, so that few timers wait in far and the
// current bucket holds a few dozen of a busy engine's. Only on an empty calendar; the width
// changes nothing but speed.
func (c *calendar) setWidth(mean int64) {
	shift := uint(0)
	for shift < 40 && int64(calBuckets)<<shift < 4*mean {
		shift++
	}
	c.shift, c.sized = shift, true
	c.cur, c.horizon = -1, 0
}

func (c *calendar) len() int { return c.near.len() + c.inRing + c.far.len() }

func (c *calendar) push(t timer) {
	if !c.sized {
		c.setWidth(defaultCalMean)
	}
	if t.at < c.horizon {
		c.near.push(t)
		return
	}
	b := t.at >> c.shift
	if b-c.cur > calBuckets {
		c.far.push(t)
		return
	}
	i := b & (calBuckets - 1)
	if cap(c.ring[i]) == 0 {
		// A bucket's first slice is sized for the ring's share, not grown to it a timer at a
		// time (the slices then go round between the buckets and near).
		c.ring[i] = make([]timer, 0, max(8, 2*c.inRing/calBuckets))
	}
	c.toRing(i, t)
}

// toRing files t in the ring's bucket i.
func (c *calendar) toRing(i int64, t timer) {
	c.ring[i] = append(c.ring[i], t)
	c.full[i/64] |= 1 << (i % 64)
	c.inRing++
}

// head is the calendar's earliest timer, or nil when it has none or none before at (the earliest
// timer elsewhere: the agenda's lanes). It moves on to the next bucket that holds timers only
// when that bucket starts no later than at, so the buckets never run ahead of the clock (the next
// timer run is at or after the bucket's start: what is pushed from then on is in it or later).
// pop takes what head returned.
func (c *calendar) head(at int64) *timer {
	for {
		if c.near.len() > 0 {
			c.fromFar = false
			return &c.near.h[0]
		}
		if c.inRing == 0 {
			if c.far.len() == 0 {
				return nil
			}
			// The ring is empty: it starts again at the next timer run (nothing will be
			// pushed before it), taking in what far holds within its reach.
			c.cur = min(at, c.far.h[0].at)>>c.shift - 1
			c.horizon = (c.cur + 1) << c.shift
			c.pullFar()
			if c.inRing == 0 {
				c.fromFar = true // beyond the ring: served from far itself
				return &c.far.h[0]
			}
			continue
		}
		b := c.nextFull()
		if b<<c.shift > at {
			return nil // every timer of the calendar is after at
		}
		i := b & (calBuckets - 1)
		// The bucket's timers become near (made a heap in place); near's empty slice goes to
		// the ring, for the bucket's next span.
		c.near.h, c.ring[i] = c.ring[i], c.near.h[:0]
		c.full[i/64] &^= 1 << (i % 64)
		c.inRing -= c.near.len()
		for k := (c.near.len() - 2) / 4; k >= 0; k-- {
			c.near.down(k)
		}
		c.cur, c.horizon = b, (b+1)<<c.shift
		c.pullFar()
	}
}

// nextFull is the next bucket after cur that holds timers (the ring holds some).
func (c *calendar) nextFull() int64 {
	for d := int64(1); d <= calBuckets; {
		b := c.cur + d
		i := b & (calBuckets - 1)
		if w := c.full[i/64] >> (i % 64); w != 0 {
			return b + int64(bits.TrailingZeros64(w))
		}
		d += 64 - i%64
	}
	panic("calendar: no full bucket in the ring")
}

// pullFar moves the far timers the ring now reaches into their buckets.
func (c *calendar) pullFar() {
	for c.far.len() > 0 && c.far.h[0].at>>c.shift-c.cur <= calBuckets {
		t := c.far.pop()
		if t.at < c.horizon {
			c.near.push(t)
			continue
		}
		c.toRing((t.at>>c.shift)&(calBuckets-1), t)
	}
}

// top is the timer head returned.
func (c *calendar) top() *timer {
	if c.fromFar {
		return &c.far.h[0]
	}
	return &c.near.h[0]
}

// pop takes the timer head returned.
func (c *calendar) pop() timer {
	if c.fromFar {
		return c.far.pop()
	}
	return c.near.pop()
}

// agenda is the engine's event queue: the timer heap, and beside it a few lanes, FIFOs of timers
// set a fixed delay ahead (a URS step, a reservation request on its way, an ESP service time, an
// agent's answer time, request-collection-time). The clock never goes back, so timers pushed
// with the same delay come due in the order they were pushed: a FIFO keeps them sorted by (at,
// seq) at O(1), where the heap would sift each of them through its levels. Most of the engine's
// timers are of that kind; the heap is left with the random delays (arrivals, handle times).
// pop takes the earliest of the heap's top and the lanes' heads, so the order is exactly the
// heap's alone: by (at, seq).
type agenda struct {
	heap calendar
	// arrivals are the traffic streams' next arrivals (one a stream), in a heap of their own:
	// always among the earliest timers, in the big heap each would be sifted through every
	// level twice.
	arrivals timerQueue
	lanes    []lane
	// heads are the lanes' first timers' (at, seq), side by side for find (one cache line,
	// where the lanes' own would be several); an empty lane's is (noHeadAt, noHeadSeq).
	heads [maxLanes]laneHead
	// byKind is, by timer kind, the lane (+1) its last timer went to: 0, none.
	byKind [numTimerKinds]int8
	n      int
	// best is where the earliest timer is (a lane index, or bestHeap), or bestUnknown: peek
	// finds it, pop takes it, push forgets it.
	best int
}

type laneHead struct {
	at  int64
	seq uint64
}

// noHeadAt, noHeadSeq are an empty lane's head (and an empty heap's, in find): after every
// timer.
const (
	noHeadAt  = 1<<63 - 1
	noHeadSeq = 1<<64 - 1
)

// lane is a FIFO of timers set delay ahead of the clock.
type lane struct {
	delay int64
	items []timer
	head  int
}

const (
	bestUnknown  = -3
	bestArrivals = -2
	bestHeap     = -1
	// maxLanes bounds the lanes a pop compares: a scenario has a handful of fixed delays.
	maxLanes = 8
)

// fixedDelay reports whether timers of the kind are set a configured, fixed delay ahead: only
// they open a lane (a random delay would open one it never uses again).
func (k timerKind) fixedDelay() bool {
	switch k {
	case tURSStep, tESPResponse, tReserve, tAnswer, tCollect, tHandling:
		return true
	}
	return false
}

func (a *agenda) len() int { return a.n }

// push schedules t, set delay ahead of the clock (delay < 0: not a delay, the heap).
func (a *agenda) push(t timer, delay int64) {
	a.n++
	a.best = bestUnknown
	if t.kind == tArrival {
		a.arrivals.push(t)
		return
	}
	if delay < 0 {
		a.heap.push(t)
		return
	}
	// Mostly the lane the kind went to last.
	if i := int(a.byKind[t.kind]) - 1; i >= 0 {
		if l := &a.lanes[i]; l.delay == delay && l.fits(&t) {
			a.append(i, &t)
			return
		}
	}
	if i := a.laneOf(delay); i >= 0 {
		if l := &a.lanes[i]; l.fits(&t) {
			a.append(i, &t)
			a.byKind[t.kind] = int8(i + 1)
			return
		}
	} else if t.kind.fixedDelay() && len(a.lanes) < maxLanes {
		a.lanes = append(a.lanes, lane{delay: delay})
		a.append(len(a.lanes)-1, &t)
		a.byKind[t.kind] = int8(len(a.lanes))
		return
	}
	a.heap.push(t)
}

// append puts t at the end of lane i.
func (a *agenda) append(i int, t *timer) {
	l := &a.lanes[i]
	if l.head == len(l.items) {
		a.heads[i] = laneHead{t.at, t.seq}
	}
	l.items = append(l.items, *t)
}

// fits reports whether t may go at the lane's end: not before its last timer. The clock never
// goes back, so a timer set the lane's delay ahead always does; checked, as the order rests on it.
func (l *lane) fits(t *timer) bool {
	return len(l.items) == l.head || !before(t, &l.items[len(l.items)-1])
}

func (a *agenda) laneOf(delay int64) int {
	for i := range a.lanes {
		if a.lanes[i].delay == delay {
			return i
		}
	}
	return -1
}

// find locates the earliest timer (the agenda is not empty).
func (a *agenda) find() {
	best, at, seq := bestUnknown, int64(noHeadAt), uint64(noHeadSeq)
	if a.arrivals.len() > 0 {
		best, at, seq = bestArrivals, a.arrivals.h[0].at, a.arrivals.h[0].seq
	}
	for i := range a.lanes {
		// An empty lane's head is never before another.
		if h := &a.heads[i]; h.at < at || h.at == at && h.seq < seq {
			best, at, seq = i, h.at, h.seq
		}
	}
	var t *timer
	if c := &a.heap; c.near.len() > 0 {
		t, c.fromFar = &c.near.h[0], false // head's first case, without the call
	} else {
		t = c.head(at)
	}
	if t != nil && (t.at < at || t.at == at && t.seq < seq) {
		best = bestHeap
	}
	a.best = best
}

// peek is the earliest timer, left in place (the agenda is not empty).
func (a *agenda) peek() *timer {
	if a.best == bestUnknown {
		a.find()
	}
	switch a.best {
	case bestHeap:
		return a.heap.top()
	case bestArrivals:
		return &a.arrivals.h[0]
	}
	l := &a.lanes[a.best]
	return &l.items[l.head]
}

// pop takes the earliest timer (the agenda is not empty).
func (a *agenda) pop() timer {
	if a.best == bestUnknown {
		a.find()
	}
	b := a.best
	a.best = bestUnknown
	a.n--
	switch b {
	case bestHeap:
		return a.heap.pop()
	case bestArrivals:
		return a.arrivals.pop()
	}
	l := &a.lanes[b]
	t := l.items[l.head]
	l.head++
	if l.head == len(l.items) {
		l.items, l.head = l.items[:0], 0
		a.heads[b] = laneHead{noHeadAt, noHeadSeq}
		return t
	} else if l.head >= 1024 && l.head*2 >= len(l.items) {
		n := copy(l.items, l.items[l.head:])
		l.items, l.head = l.items[:n], 0
	}
	a.heads[b] = laneHead{l.items[l.head].at, l.items[l.head].seq}
	return t
}
