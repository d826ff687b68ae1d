package core

import (
	"testing"
	"time"
)

// TestRoutingTimeoutListFollowsInFlight: under a steady flow of interactions that leave their
// URS at once, the routing-timeout list stays bounded by the interactions in flight instead of
// keeping an entry per submission until routing-timeout; interactions that do stay in a URS still
// time out exactly routing-timeout after their submission.
func TestRoutingTimeoutListFollowsInFlight(t *testing.T) {
	cfg := benchConfig(2, 1000)
	cfg.Duration = 60 * time.Second
	cfg.Apps[2].Options = Options{"settings": {"routing-timeout": "20s"}} // the IS
	cfg.AgentGroups = append(cfg.AgentGroups, AgentGroupConfig{Name: "Slow", Agents: 1,
		Capacity: []MediaCapacity{{"email", 1}}, HandleTime: time.Hour, AnswerTime: time.Second, Accept: 1})
	cfg.Strategies = append(cfg.Strategies, StrategyConfig{Name: "Stuck", ActivatedOn: []string{"URS_1"},
		Steps: []Step{{Kind: StepRoute, Group: "Slow"}}})
	cfg.Queues = append(cfg.Queues, QueueConfig{Name: "slow", BusinessProcess: "BP", Strategy: "Stuck"})
	cfg.Traffic = append(cfg.Traffic, TrafficConfig{Media: "email", From: "Mail", Queue: "slow", Rate: 1})
	if cfg.Apps[2].Type != TypeInteractionServer {
		t.Fatalf("apps[2] is %s", cfg.Apps[2].Type)
	}

	rec := &recorder{}
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	peak := 0
	for s := time.Second; s <= cfg.Duration; s += time.Second {
		e.RunUntil(int64(s))
		peak = max(peak, len(e.rtq)-e.rtHead)
	}
	if bound := 2*len(e.ixns) + 1024; peak > bound {
		t.Errorf("routing-timeout list peaked at %d entries, more than %d (2 x %d slots + 1024)", peak, bound, len(e.ixns))
	}
	if sub := e.Stats().Submitted; peak*10 > int(sub) {
		t.Errorf("routing-timeout list peaked at %d entries for %d submissions: not bounded by what is in flight", peak, sub)
	}
	since := map[int64]int64{}
	timeouts := 0
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvToURS:
			since[ev.Ixn] = ev.T
		case EvRoutingTimeout:
			timeouts++
			if d := ev.T - since[ev.Ixn]; d != int64(20*time.Second) {
				t.Fatalf("interaction %d timed out after %v, want 20s", ev.Ixn, time.Duration(d))
			}
		}
	}
	if timeouts < 20 {
		t.Fatalf("%d routing timeouts, want the slow queue's interactions to time out again and again", timeouts)
	}
}
