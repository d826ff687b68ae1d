package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// BenchmarkRunPersisted is `ixlb run testdata/load-200k.yaml --data DIR` end to end in process:
// about 200,000 interactions with every row and event committed to SQLite. It reports
// interactions per second of wall time, with the in-memory engine's figure beside it.
func BenchmarkRunPersisted(b *testing.B) {
	sc, err := scenarios.Load("testdata/load-200k.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sqlite", func(b *testing.B) {
		var n int64
		for i := 0; i < b.N; i++ {
			dir := filepath.Join(b.TempDir(), "data")
			if err := runScenario(io.Discard, io.Discard, "testdata/load-200k.yaml", runFlags{data: dir, noProg: true}); err != nil {
				b.Fatal(err)
			}
			n += 200_000
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "interactions/s")
	})
	b.Run("memory", func(b *testing.B) {
		var n int64
		start := time.Now()
		for i := 0; i < b.N; i++ {
			e, err := core.New(sc.Config)
			if err != nil {
				b.Fatal(err)
			}
			e.RunUntil(int64(sc.Config.Duration))
			if _, err := e.Report(); err != nil {
				b.Fatal(err)
			}
			n += 200_000
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "interactions/s")
	})
}
