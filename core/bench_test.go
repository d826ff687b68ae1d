package core

import (
	"fmt"
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
// delivery, handling, completion, database rows, event log hash) and reports simulated
// interactions per second of wall time.
func BenchmarkEngine(b *testing.B) {
	const rate = 20000.0 // arrivals per virtual second
	cfg := benchConfig(4, rate)
	cfg.Duration = 10 * time.Second
	b.ReportAllocs()
	var done int64
	for i := 0; i < b.N; i++ {
		e, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		e.RunUntil(int64(cfg.Duration))
		done += e.Stats().Completed
	}
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "interactions/s")
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
