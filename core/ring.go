package core

// ring is a round-robin selector over a changing set of members, each identified by an int32 that
// also gives its order (configuration order). A pick is O(1); membership changes, which happen on
// operator actions and faults rather than per interaction, are O(members).
//
// The cursor survives membership changes so rotation stays fair: removing a member that was already
// passed does not make the next pick skip anyone, and a member that rejoins takes its old place.
type ring struct {
	members []int32 // sorted ascending
	next    int     // index into members of the next pick
}

// pick returns the next member and advances the rotation.
func (r *ring) pick() (int32, bool) {
	n := len(r.members)
	if n == 0 {
		return -1, false
	}
	if r.next >= n {
		r.next = 0
	}
	m := r.members[r.next]
	r.next++
	return m, true
}

func (r *ring) len() int { return len(r.members) }

func (r *ring) contains(id int32) bool {
	_, ok := r.search(id)
	return ok
}

func (r *ring) search(id int32) (int, bool) {
	lo, hi := 0, len(r.members)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if r.members[mid] < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(r.members) && r.members[lo] == id
}

// add inserts id; it reports whether the ring changed.
func (r *ring) add(id int32) bool {
	i, ok := r.search(id)
	if ok {
		return false
	}
	r.members = append(r.members, 0)
	copy(r.members[i+1:], r.members[i:])
	r.members[i] = id
	if i < r.next {
		r.next++
	}
	return true
}

// remove deletes id; it reports whether the ring changed.
func (r *ring) remove(id int32) bool {
	i, ok := r.search(id)
	if !ok {
		return false
	}
	r.members = append(r.members[:i], r.members[i+1:]...)
	if i < r.next {
		r.next--
	}
	return true
}

// set makes membership of id equal to in.
func (r *ring) set(id int32, in bool) bool {
	if in {
		return r.add(id)
	}
	return r.remove(id)
}
