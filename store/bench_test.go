package store

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// benchRow is a realistic row: the size of what the engine writes for an e-mail handled by an
// agent (about 130 bytes on disk).
func benchRow(id int64, state uint8) core.Row {
	t := id * 1_000_000
	r := core.Row{
		ID: id, Media: "email", Queue: "Inbound_Email", State: state, SubmittedBy: "EmailServer_1",
		ReceivedAt: t + 1, PlacedInQueueAt: t + 2, URS: "URS_2", Strategy: "Classify_Email", Category: "Billing",
	}
	if state >= core.StateInURS {
		r.SubmittedToRouterAt = t + 3
	}
	if state == core.StateWithAgent {
		r.DeliveredAt, r.AssignedTo = t+4, "Agent_0042"
	}
	return r
}

func benchStore(b *testing.B) (*Store, []core.Database) {
	b.Helper()
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var daps []core.Database
	for _, name := range []string{"DAP_1", "DAP_2"} {
		d, err := s.Connect(name, "ixn")
		if err != nil {
			b.Fatal(err)
		}
		daps = append(daps, d)
	}
	return s, daps
}

// meter reports a rate per wall second and per CPU second of the process (user+system). The
// second is what the code costs; it stays meaningful when other work shares the 2 cores and
// stretches the wall clock.
type meter struct{ cpu time.Duration }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startMeter(b *testing.B) *meter {
	b.ResetTimer()
	return &meter{cpu: cpuTime()}
}

func (m *meter) report(b *testing.B, unit string) {
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), unit+"/s")
	b.ReportMetric(n/(cpuTime()-m.cpu).Seconds(), unit+"/cpu-s")
}

// BenchmarkWrite measures the SQLite write path: b.N rows written through two DAP handles in turn
// and committed in batches, the last one by Flush inside the timing. "insert" writes new rows,
// "update" rewrites rows committed by an earlier batch (each moves between states, so the partial
// index changes too).
func BenchmarkWrite(b *testing.B) {
	b.Run("insert", func(b *testing.B) {
		_, daps := benchStore(b)
		rows := make([]core.Row, 1024)
		m := startMeter(b)
		for i := range b.N {
			r := &rows[i%len(rows)]
			*r = benchRow(int64(i)+1, core.StateQueued)
			if err := daps[i%2].Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := daps[0].Flush(); err != nil {
			b.Fatal(err)
		}
		m.report(b, "rows")
	})
	b.Run("update", func(b *testing.B) {
		_, daps := benchStore(b)
		const n = 100_000
		for i := range int64(n) {
			r := benchRow(i+1, core.StateQueued)
			daps[0].Write(&r)
		}
		daps[0].Flush()
		states := []uint8{core.StateInURS, core.StateWithAgent, core.StateQueued}
		m := startMeter(b)
		for i := range b.N {
			// Walk the ids in order: consecutive batches never touch the same row twice.
			r := benchRow(int64(i%n)+1, states[(i/n)%3])
			if err := daps[i%2].Write(&r); err != nil {
				b.Fatal(err)
			}
		}
		if err := daps[0].Flush(); err != nil {
			b.Fatal(err)
		}
		m.report(b, "rows")
	})
}

// BenchmarkAcceptComplete measures interactions accepted and completed: each op inserts a new
// queued interaction and completes the one accepted lag interactions earlier. With lag 0 both rows
// meet in one batch and coalesce into one SQLite write; with a lag beyond the batch each op costs
// two SQLite writes (an insert and an update of a committed row).
func BenchmarkAcceptComplete(b *testing.B) {
	for _, lag := range []int64{0, 10_000} {
		b.Run(fmt.Sprintf("lag=%d", lag), func(b *testing.B) {
			_, daps := benchStore(b)
			m := startMeter(b)
			for i := range int64(b.N) {
				r := benchRow(i+1, core.StateQueued)
				if err := daps[0].Write(&r); err != nil {
					b.Fatal(err)
				}
				if done := i + 1 - lag; done >= 1 {
					c := benchRow(done, core.StateWithAgent)
					c.CompletedAt = i*1_000_000 + 5
					if err := daps[1].Write(&c); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := daps[0].Flush(); err != nil {
				b.Fatal(err)
			}
			m.report(b, "pairs")
		})
	}
}

// BenchmarkEvent measures the event log sink: lines of a typical size batched into chunks of the
// event log, committed in the background.
func BenchmarkEvent(b *testing.B) {
	s, _ := benchStore(b)
	sink := s.EventSink()
	e := core.Event{Kind: core.EvToURS, Ixn: 1, Strategy: "Classify_Email", URS: "URS_2"}
	var line []byte
	m := startMeter(b)
	for i := range b.N {
		e.Seq, e.T, e.Ixn = uint64(i), int64(i)*1000, int64(i)
		line = e.AppendJSON(line[:0])
		sink.Event(&e, line)
	}
	if err := s.Commit(); err != nil {
		b.Fatal(err)
	}
	m.report(b, "events")
}
