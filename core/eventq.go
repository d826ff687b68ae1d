package core

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
