package core

// ring is the round-robin rotation of one strategy (or one ESP target) over a changing set of
// eligible members, each identified by an int32 that also gives its configuration order.
//
// The rule (README, docs/scenarios.md and TestRingFollowsTheRule say it in the same words): the
// engine picks, among the eligible URS that have the strategy loaded, the one whose last pick for
// this strategy is oldest (a URS never picked counts as oldest, ties in activation order). An ESP
// target rotates its running servers by the same rule, ties in configuration order. With a stable
// set this is plain round-robin. When members leave and come back it stays fair in the sense the
// seed's "round-robin" promises: no member is picked twice while another member was eligible at
// both of those picks and not picked in between — a URS that leaves right after it was picked
// (max-submitted-interactions reached, max-submission-rate, a stop) and returns before the next
// pick is not picked again while another is eligible, and one that missed turns goes first.
//
// The members form a doubly linked list in the order they will be picked (oldest last pick
// first). A pick takes the head and moves it to the tail: O(1). A member that leaves is unlinked:
// O(1). A member that comes back is inserted by its last pick, scanning from the tail: O(1) when it
// left recently (the churn of limits and rates), O(members) at worst after a long absence.
type ring struct {
	// By member id; sized to the largest id seen.
	prev, next []int32
	key        []uint64 // order of the next pick: activation (or configuration) order before any pick, then pick order
	in         []bool
	head, tail int32
	n          int
	picks      uint64
	arrivals   uint64 // activations so far: a never-picked member's key
}

const (
	ringNone = int32(-1)
	// pickedBase puts every member that was picked behind every member that never was (whose key
	// is its id).
	pickedBase = uint64(1) << 32
)

func (r *ring) grow(id int32) {
	if int(id) < len(r.in) {
		return
	}
	if len(r.in) == 0 {
		r.head, r.tail = ringNone, ringNone
	}
	for int(id) >= len(r.in) {
		r.prev = append(r.prev, ringNone)
		r.next = append(r.next, ringNone)
		r.key = append(r.key, uint64(len(r.key)))
		r.in = append(r.in, false)
	}
}

// pick returns the next member and moves it to the back of the rotation.
func (r *ring) pick() (int32, bool) {
	if r.n == 0 {
		return -1, false
	}
	m := r.head
	r.picks++
	r.key[m] = pickedBase + r.picks
	if r.n > 1 {
		// The head goes behind the tail (unlink and linkAfter, without their general cases).
		nh, t := r.next[m], r.tail
		r.prev[nh] = ringNone
		r.head = nh
		r.next[t] = m
		r.prev[m], r.next[m] = t, ringNone
		r.tail = m
	}
	return m, true
}

func (r *ring) len() int { return r.n }

// activate records that id was activated now (a strategy loaded on a URS): never picked, it ranks
// behind the members activated before it. Members never activated rank in configuration order.
func (r *ring) activate(id int32) {
	r.grow(id)
	if r.in[id] || r.key[id] >= pickedBase {
		return // a member, or one that was picked: its last pick ranks it
	}
	r.key[id] = r.arrivals
	r.arrivals++
}

func (r *ring) contains(id int32) bool { return int(id) < len(r.in) && r.in[id] }

// add makes id eligible; it reports whether the ring changed.
func (r *ring) add(id int32) bool {
	r.grow(id)
	if r.in[id] {
		return false
	}
	// Behind every member picked after it, ahead of every member picked before it.
	at := r.tail
	for at != ringNone && r.key[at] > r.key[id] {
		at = r.prev[at]
	}
	r.linkAfter(id, at)
	return true
}

// remove takes id out of the rotation, keeping its place (its last pick) for when it comes back;
// it reports whether the ring changed.
func (r *ring) remove(id int32) bool {
	if !r.contains(id) {
		return false
	}
	r.unlink(id)
	return true
}

// set makes membership of id equal to in.
func (r *ring) set(id int32, in bool) bool {
	if in {
		return r.add(id)
	}
	return r.remove(id)
}

// members lists the rotation in the order of the next picks.
func (r *ring) members() []int32 {
	out := make([]int32, 0, r.n)
	for m := r.head; m != ringNone; m = r.next[m] {
		out = append(out, m)
	}
	return out
}

// linkAfter inserts id after at (at the front when at is ringNone).
func (r *ring) linkAfter(id, at int32) {
	r.in[id] = true
	r.n++
	r.prev[id] = at
	if at == ringNone {
		r.next[id] = r.head
		if r.head != ringNone {
			r.prev[r.head] = id
		}
		r.head = id
	} else {
		r.next[id] = r.next[at]
		if r.next[at] != ringNone {
			r.prev[r.next[at]] = id
		}
		r.next[at] = id
	}
	if r.next[id] == ringNone {
		r.tail = id
	}
}

func (r *ring) unlink(id int32) {
	p, nx := r.prev[id], r.next[id]
	if p == ringNone {
		r.head = nx
	} else {
		r.next[p] = nx
	}
	if nx == ringNone {
		r.tail = p
	} else {
		r.prev[nx] = p
	}
	r.prev[id], r.next[id] = ringNone, ringNone
	r.in[id] = false
	r.n--
}
