package core

import "math/rand/v2"

// Random streams. Every random draw of a run comes from a stream of its own, derived from the
// run's seed and the stream's purpose (and, for the streams of a traffic entry, the entry's
// index in the file). Two designs run with one seed therefore meet the same customers — the same
// arrival instants, the same work, the same patience — whatever they do with them (common random
// numbers: `ixlb compare` and `ixlb staff` pair like with like), and a change of what the engine
// draws for agents does not move the customers.
//
// A stream is a PCG generator seeded with two words:
//
//	hi = seed ^ purpose.hi
//	lo = (seed ^ purpose.lo) + purpose.add + index·purpose.step
//
// The constants only need to be far apart; they are well-known odd 64-bit constants (the golden
// ratio, SHA-512's initial hash values, MurmurHash2's and xorshift64*'s multipliers). They are
// frozen: changing one changes every event log of every scenario.

// streamPurpose names what a stream's draws are for.
type streamPurpose uint8

const (
	// streamEngine is the engine's own: which agent a URS picks, the arbiter's grants, whether an
	// agent accepts an invite, classification outcomes, and the handle time of work restored from
	// a database (whose customer's work is not known).
	streamEngine streamPurpose = iota
	// streamArrivals is a traffic entry's arrival instants (its index: the entry's).
	streamArrivals
	// streamWork is a traffic entry's customers' work, drawn in arrival order (its index: the
	// entry's): the same customer brings the same work in any design.
	streamWork
	// streamPatience is how long each customer waits before abandoning.
	streamPatience
)

// streamKey holds a purpose's constants (see the formula above).
type streamKey struct{ hi, lo, add, step uint64 }

func (p streamPurpose) key() streamKey {
	switch p {
	case streamEngine:
		return streamKey{lo: 0x9e3779b97f4a7c15} // the golden ratio
	case streamArrivals:
		return streamKey{hi: 0x6a09e667f3bcc909, step: 0xbb67ae8584caa73b} // SHA-512 H0, H1
	case streamWork:
		return streamKey{hi: 0x3c6ef372fe94f82b, step: 0xa54ff53a5f1d36f1} // SHA-512 H2, H3
	case streamPatience:
		return streamKey{hi: 0x5bd1e9955bd1e995, add: 0x2545f4914f6cdd1d} // MurmurHash2, xorshift64*
	}
	panic("core: unknown stream purpose") // a programming error
}

// stream is the random stream of a purpose in a run of seed; index tells apart the streams of
// one purpose (a traffic entry's index), 0 for a purpose with one stream.
func stream(seed uint64, p streamPurpose, index uint64) *rand.Rand {
	k := p.key()
	return rand.New(rand.NewPCG(seed^k.hi, (seed^k.lo)+k.add+index*k.step))
}
