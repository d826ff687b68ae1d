package core

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// benchConfig is a deployment with n URS sharing one strategy, and traffic at rate per second
// routed straight to a large agent group with short handle times.
func benchConfig(n int, rate float64) Config {
	cfg := Config{Name: "bench", Seed: 1, Duration: time.Minute, Databases: []string{"ixn"}}
	annex := map[string]string{}
	var urs []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("URS_%d", i+1)
		urs = append(urs, name)
		annex[name] = "true"
		cfg.Apps = append(cfg.Apps, AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IS"},
			Options: Options{"default": {"agent_reservation": "true"}}, StepTime: time.Millisecond})
	}
	cfg.Apps = append(cfg.Apps,
		AppConfig{Name: "IS", Type: TypeInteractionServer, Connections: []string{"DAP_1", "DAP_2"},
			Annex: Options{"agent_reservation": annex}},
		AppConfig{Name: "Mail", Type: TypeEmailServer},
		AppConfig{Name: "DB_1", Type: TypeDBServer}, AppConfig{Name: "DB_2", Type: TypeDBServer},
		AppConfig{Name: "DAP_1", Type: TypeDatabaseAccessPoint, DBServer: "DB_1", Database: "ixn"},
		AppConfig{Name: "DAP_2", Type: TypeDatabaseAccessPoint, DBServer: "DB_2", Database: "ixn"})
	cfg.Strategies = []StrategyConfig{{Name: "S", ActivatedOn: urs, Steps: []Step{{Kind: StepRoute, Group: "G"}}}}
	cfg.Queues = []QueueConfig{{Name: "q", BusinessProcess: "BP", Strategy: "S"}}
	cfg.AgentGroups = []AgentGroupConfig{{Name: "G", Agents: 5000, Capacity: []MediaCapacity{{"email", 2}},
		HandleTime: 200 * time.Millisecond, AnswerTime: 10 * time.Millisecond, Accept: 1}}
	cfg.Traffic = []TrafficConfig{{Media: "email", From: "Mail", Queue: "q", Rate: rate}}
	return cfg
}

// BenchmarkPickURS measures choosing a URS for a strategy: the cost must not grow with the number
// of URS that have it loaded.
func BenchmarkPickURS(b *testing.B) {
	for _, n := range []int{2, 100, 1000} {
		b.Run(fmt.Sprintf("urs=%d", n), func(b *testing.B) {
			e, err := New(benchConfig(n, 1))
			if err != nil {
				b.Fatal(err)
			}
			st := e.strats[0]
			if st.ring.len() != n {
				b.Fatalf("ring has %d URS", st.ring.len())
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok := st.ring.pick(); !ok {
					b.Fatal("no URS")
				}
			}
		})
	}
}

// BenchmarkEngine runs whole interactions end to end in memory (arrival, URS, reservation,
// delivery, handling, completion, database rows) and reports simulated interactions per second of
// wall time: "log" encodes the event log and hashes it (SHA-256, on a second goroutine), as `ixlb
// run` does; "nolog" is WithoutEventLog, as sweeps run. -cpu 1 gives the one-core figure.
func BenchmarkEngine(b *testing.B) {
	const rate = 20000.0 // arrivals per virtual second
	cfg := benchConfig(4, rate)
	cfg.Duration = 10 * time.Second
	for _, mode := range []struct {
		name string
		opts []Option
	}{{"log", nil}, {"nolog", []Option{WithoutEventLog()}}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			var done int64
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				e, err := New(cfg, mode.opts...)
				if err != nil {
					b.Fatal(err)
				}
				e.RunUntil(int64(cfg.Duration))
				done += e.Stats().Completed
				e.EventsSHA256()
			}
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "interactions/s")
			b.ReportMetric(float64(done)/(cpuTime()-cpu).Seconds(), "interactions/cpu-s")
		})
	}
}

// cpuTime is the process's CPU time (user+system, every thread): with -cpu 1 what the engine
// costs on one core, which stays meaningful when other work shares the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTimerQueue is the engine's event queue at a steady size: each op pops the earliest
// timer and schedules one a random delay later (the engine's pattern: most timers are followed by
// the next step of the same interaction).
func BenchmarkTimerQueue(b *testing.B) {
	for _, size := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			var q timerQueue
			var seq uint64
			x := uint64(1)
			next := func() int64 { // xorshift: cheap and deterministic
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				return int64(x % 1_000_000_000)
			}
			for i := 0; i < size; i++ {
				seq++
				q.push(timer{at: next(), seq: seq})
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t := q.pop()
				seq++
				q.push(timer{at: t.at + next(), seq: seq})
			}
		})
	}
}

// BenchmarkAppendJSON is the cost of one event log line.
func BenchmarkAppendJSON(b *testing.B) {
	ev := Event{T: 12_345_678_901, Seq: 41, Kind: EvToURS, Ixn: 123456, Strategy: "Sales", URS: "URS_1", Resubmission: true}
	var buf []byte
	for i := 0; i < b.N; i++ {
		buf = ev.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}
