package core

import (
	"math"
	"math/bits"
	"time"
)

// waitHist counts waits for their percentiles in HdrHistogram's log-linear layout: 1024 buckets
// of 1 ms, then for each doubling of the wait 512 buckets each 1/512 of its range wide. A
// percentile is exact to the millisecond below 1.024 s (the millisecond it falls in) and within
// 0.1% of the wait above (a bucket's middle is read): no half-bin artefacts such as a 0.05 s
// median when the true one is 3 ms. Written here rather than taken from HdrHistogram-go, which is
// not among the project's dependencies; the layout is that library's. A queue whose waits stay
// under a minute needs 4096 buckets; the slice grows with the longest wait.
type waitHist struct {
	counts []int64 // by bucket, grown to the largest wait seen
	blocks []int64 // counts summed per histBlock buckets: a percentile skips empty stretches
	n      int64
}

const (
	histSubBits = 10
	histSub     = 1 << histSubBits // exact buckets, and buckets per doubling ×2
	histHalf    = histSub / 2
	histUnit    = int64(time.Millisecond)
	histBlock   = 512
)

// histIndex is the bucket of a wait in nanoseconds.
func histIndex(w int64) int {
	v := uint64(max(w, 0) / histUnit)
	if v < histSub {
		return int(v)
	}
	k := bits.Len64(v) - histSubBits // ≥ 1: the bucket is 2^k ms wide
	return histSub + (k-1)*histHalf + int(v>>k) - histHalf
}

// histValue is the wait a bucket stands for, in nanoseconds: its millisecond below 1.024 s, its
// middle above.
func histValue(i int) int64 {
	if i < histSub {
		return int64(i) * histUnit
	}
	j := i - histSub
	k := uint(j/histHalf + 1)
	lo := uint64(j%histHalf+histHalf) << k
	return int64(lo+1<<(k-1)) * histUnit
}

func (h *waitHist) add(w int64) {
	i := histIndex(w)
	if i >= len(h.counts) {
		n := max(i+1, 2*len(h.counts))
		h.counts = append(h.counts, make([]int64, n-len(h.counts))...)
		nb := (n + histBlock - 1) / histBlock
		h.blocks = append(h.blocks, make([]int64, nb-len(h.blocks))...)
	}
	h.counts[i]++
	h.blocks[i/histBlock]++
	h.n++
}

// percentiles reads p50, p90 and p99 of the waits (seconds) in one pass.
func (h *waitHist) percentiles() (p50, p90, p99 float64) {
	var out [3]float64
	h.quantiles([]float64{0.5, 0.9, 0.99}, out[:])
	return out[0], out[1], out[2]
}

// quantiles reads into out the waits (seconds) at the shares ps, given in increasing order, by
// nearest rank: the smallest wait that at least ⌈p·n⌉ waits do not exceed (0 with no wait).
func (h *waitHist) quantiles(ps, out []float64) {
	clear(out)
	if h == nil || h.n == 0 {
		return
	}
	var cum int64
	b, k := 0, 0
	for k < len(ps) {
		rank := max(1, int64(math.Ceil(ps[k]*float64(h.n)-1e-9)))
		// Skip whole blocks while the rank lies beyond them, then walk the block.
		for b < len(h.blocks) && cum+h.blocks[b] < rank {
			cum += h.blocks[b]
			b++
		}
		if b == len(h.blocks) {
			break
		}
		c := cum
		for i := b * histBlock; i < min((b+1)*histBlock, len(h.counts)); i++ {
			c += h.counts[i]
			if c >= rank {
				out[k] = float64(histValue(i)) / 1e9
				break
			}
		}
		k++
	}
}
