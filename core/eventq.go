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
)

// timerQueue is a 4-ary min-heap ordered by (at, seq): shallower than a binary heap, so fewer cache
// misses per pop on the engine's hot path.
type timerQueue struct {
	h []timer
}

func (q *timerQueue) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *timerQueue) push(t timer) {
	q.h = append(q.h, t)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *timerQueue) peek() *timer { return &q.h[0] }

func (q *timerQueue) len() int { return len(q.h) }

func (q *timerQueue) pop() timer {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if q.less(k, m) {
				m = k
			}
		}
		if !q.less(m, i) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}
