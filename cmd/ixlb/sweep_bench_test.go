//go:build cgo

package main

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkSweep runs one sweep (4 variants × 4 seeds of the bundled service-level scenario, one
// virtual hour each) with 1 and with 2 workers: the ratio of the two is the sweep's speed-up.
func BenchmarkSweep(b *testing.B) {
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			f := sweepFlags{sets: []string{"agent_groups.Chat.agents=40,42,45,48"}, seeds: 4, jobs: jobs, noBar: true}
			for i := 0; i < b.N; i++ {
				if err := runSweep(io.Discard, io.Discard, "service-level", f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
