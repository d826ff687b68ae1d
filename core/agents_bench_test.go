package core

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkShortAgents compares a load that needs more agents than the group has with the same load
// and enough agents: routers wait for agents rather than polling, so the short-agent run costs
// about the same per interaction and denials stay below one per interaction.
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
