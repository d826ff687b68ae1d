package core

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkShortAgents compares a load that needs more agents than the group has with the same load
// and enough agents: routers wait for agents rather than polling — each URS with interactions
// waiting asks once for each agent that frees (the arbiter grants one of them) — so denials stay
// within a few per interaction and the cost per interaction within a small factor.
func BenchmarkShortAgents(b *testing.B) {
	for _, tc := range []struct {
		name   string
		agents int
	}{{"enough-agents", 5000}, {"busy", 40}, {"short-agents", 10}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := benchConfig(4, 200)
			cfg.AgentGroups[0].Agents = tc.agents
			cfg.Duration = 20 * time.Second
			var submitted, denied, events int64
			for i := 0; i < b.N; i++ {
				e, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				e.RunUntil(int64(cfg.Duration))
				submitted += e.stats.Submitted
				denied += e.stats.Denied
				events += int64(e.EventCount())
			}
			b.ReportMetric(float64(denied)/float64(submitted), "denials/ixn")
			b.ReportMetric(float64(events)/float64(submitted), "events/ixn")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(submitted), "ns/ixn")
		})
	}
}

func ExampleChooseDatabase() {
	daps := []DAPChoice{{Name: "DAP_1", Database: "ixn"}, {Name: "DAP_2", Database: "other", RepointSeq: 7}}
	fmt.Println(ChooseDatabase("", false, "ixn", daps)) // a backup reads the re-pointed DAP
	fmt.Println(ChooseDatabase("", true, "ixn", daps))  // the identity guard keeps the database in use
	fmt.Println(ChooseDatabase("ixn", false, "", daps)) // an IS that never restarted keeps its own
	// Output:
	// other
	// ixn
	// ixn
}

// BenchmarkResumeReplay reopens a session of an hour of traffic (the seed example, about 14,000
// interactions, with operator actions along the way): the replay from t=0, its checks against the
// saved log hash and the databases, and adopting them. The goal is well under 2 s.
func BenchmarkResumeReplay(b *testing.B) {
	cfg := seedConfig()
	cfg.Duration = time.Hour
	cfg.Traffic[0].Stop = 0
	dbs := NewMemDatabases()
	e, err := New(cfg, WithDatabases(dbs))
	if err != nil {
		b.Fatal(err)
	}
	for i, a := range []Action{{Kind: ActStop, App: "URS_2"}, {Kind: ActStart, App: "URS_2"}, {Kind: ActSwitchover, App: "IxnServer"}} {
		e.RunUntil(int64(time.Duration(i+1) * 15 * time.Minute))
		if err := e.Apply(a); err != nil {
			b.Fatal(err)
		}
	}
	e.RunUntil(int64(cfg.Duration))
	st, err := e.ResumeState()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Resume(cfg, st, WithDatabases(dbs)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.stats.Submitted), "interactions")
}
