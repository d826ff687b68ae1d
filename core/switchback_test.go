package core

import (
	"testing"
	"time"
)

// switchBackConfig is the audit's deployment: the bundled dap-repoint-switchover (DAP_2 re-pointed
// at 1m, the backup takes over at 2m and works with the other database), then the primary takes
// back over at 3m. The primary never restarted, so it keeps its database and restores it.
func switchBackConfig(guard bool) Config {
	cfg := seedConfig()
	cfg.Strategies = cfg.Strategies[2:] // C only
	cfg.Strategies[0].ActivatedOn = []string{"URS_1"}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Sales"}}
	cfg.Queues = cfg.Queues[2:]
	cfg.AgentGroups = []AgentGroupConfig{{Name: "Sales", Agents: 100, Capacity: []MediaCapacity{{"fax", 1}}, HandleTime: time.Minute, AnswerTime: 2 * time.Second, Accept: 1}}
	cfg.Traffic = []TrafficConfig{{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 1}}
	cfg.Seed, cfg.Duration = 13, 4*time.Minute
	if guard {
		cfg.Apps[0].Options["settings"]["verify-database-identity"] = "true"
	}
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActRepoint, App: "DAP_2", Database: "other"}),
		at(2*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
		at(3*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
	}
	return cfg
}

// Switching back restores the original database, whose rows still say that the interactions
// with agents when the backup took over are with those agents. The backup did not know them; their
// agents went on with them unheard (finished_unheard when done). The switch-back:
//   - for an agent still working one, hears of it again: the agent goes on, the same hold, the
//     same end (a completed at the original handle time) — not stale, not over capacity;
//   - for an agent that finished one under the backup, puts it back on the agent with a new
//     handle time, as the IS cannot know better: stale_restored and restored_to_agent, and
//     restored_over_capacity when the agent took other work meanwhile.
//
// The log alone shows every hold and that no agent goes past capacity unannounced.
func TestSwitchBackCountsStaleRowsAndOverCapacity(t *testing.T) {
	cfg := switchBackConfig(false)
	_, r, rec := run(t, cfg)
	with := map[int64]string{}    // with an agent when the backup took over
	done := map[int64]bool{}      // of them, finished unheard before the switch-back
	holding := map[int64]string{} // with an agent, by the log
	lost := map[int64]string{}    // with an agent at a switchover
	switchovers := 0
	var stale, restored, over, adoptedDone int64
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvAccepted:
			holding[ev.Ixn] = ev.Agent
			if switchovers == 0 {
				with[ev.Ixn] = ev.Agent
			}
		case EvCompleted, EvRevoked:
			delete(holding, ev.Ixn)
			switch {
			case switchovers == 0:
				delete(with, ev.Ixn)
			case switchovers == 2 && ev.Kind == EvCompleted && with[ev.Ixn] != "" && !done[ev.Ixn]:
				adoptedDone++
			}
		case EvFinishedUnheard:
			if lost[ev.Ixn] != ev.Agent {
				t.Fatalf("t=%v: finished_unheard %d on %s, which no switchover lost", time.Duration(ev.T), ev.Ixn, ev.Agent)
			}
			if switchovers == 1 {
				done[ev.Ixn] = true
			}
		case EvSwitchover:
			switchovers++
			for x, a := range holding {
				lost[x] = a
			}
		case EvStaleRestored:
			if switchovers != 2 || !done[ev.Ixn] {
				t.Fatalf("t=%v: interaction %d restored as stale, but its agent had not finished it unheard", time.Duration(ev.T), ev.Ixn)
			}
			stale++
		case EvRestoredToAgent:
			if with[ev.Ixn] != ev.Agent {
				t.Fatalf("t=%v: interaction %d restored to %s, not its agent %s", time.Duration(ev.T), ev.Ixn, ev.Agent, with[ev.Ixn])
			}
			restored++
		case EvRestoredOverCapacity:
			over++
		}
	}
	if len(done) == 0 || stale != int64(len(done)) || restored != stale || r.Interactions.StaleRestored != stale {
		t.Fatalf("%d finished unheard, %d stale_restored, %d restored_to_agent, report %d", len(done), stale, restored, r.Interactions.StaleRestored)
	}
	if still := int64(len(with) - len(done)); still == 0 || adoptedDone == 0 || adoptedDone > still {
		t.Fatalf("%d still worked at the switch-back, %d of them completed after it", still, adoptedDone)
	}
	if over == 0 || r.Interactions.OverCapacity != over+r.Agents.DoubleBooked {
		t.Fatalf("%d restored_over_capacity events, report over_capacity %d (double_booked %d)", over, r.Interactions.OverCapacity, r.Agents.DoubleBooked)
	}
	checkCapacity(t, cfg, rec.events)
	t.Logf("stale %d, over capacity %d, lost %d", stale, over, r.Interactions.Lost)

	// Without the switch-back, or with the identity guard (the backup keeps the database in use,
	// so it knows every row), nothing is stale.
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"no switch-back", func() Config { c := switchBackConfig(false); c.Timeline = c.Timeline[:2]; return c }()},
		{"verify-database-identity", switchBackConfig(true)}} {
		_, r, rec := run(t, c.cfg)
		if r.Interactions.StaleRestored != 0 || r.Interactions.OverCapacity != 0 || rec.count(EvStaleRestored, nil) != 0 {
			t.Fatalf("%s: stale %d, over capacity %d", c.name, r.Interactions.StaleRestored, r.Interactions.OverCapacity)
		}
	}
}

// stillWorking is the outside test's t6.yaml: chats with a 2 h handle time accepted under the
// primary, lost to a switchover after a re-point, and restored by the switch-back at 4m while
// their agents still work them.
func stillWorking() Config {
	cfg := switchBackConfig(false)
	cfg.Seed, cfg.Duration = 4, 10*time.Minute
	cfg.Apps[0].Annex = nil
	cfg.AgentGroups = []AgentGroupConfig{{Name: "Desk", Agents: 6, Capacity: []MediaCapacity{{"fax", 1}}, HandleTime: 2 * time.Hour, AnswerTime: time.Second, Accept: 1}}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Desk"}}
	rate := 3.0 / 60
	cfg.Traffic = []TrafficConfig{
		{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: rate, Stop: time.Minute},
		{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: rate, Start: 2 * time.Minute, Stop: 3 * time.Minute},
		{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: rate, Start: 5 * time.Minute},
	}
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActRepoint, App: "DAP_1", Database: "other"}),
		at(90*time.Second, Action{Kind: ActSwitchover, App: "IxnServer"}),
		at(4*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer_B"}),
	}
	return cfg
}

// A switch-back that restores an interaction onto the agent still working it (attack 18, B3) does
// not count that agent over capacity because of the very interaction it restores, and the agent
// holds the customer's work once: it finishes it when the work ends, then takes other work.
// (Before: 3 stale_restored and 3 restored_over_capacity, each agent then busy twice with one
// customer.)
func TestSwitchBackToAnAgentStillWorking(t *testing.T) {
	cfg := stillWorking()
	e, r, rec := run(t, cfg)
	accepted := map[int64]string{}
	for _, ev := range rec.events {
		if ev.Kind == EvAccepted {
			accepted[ev.Ixn] = ev.Agent
		}
		if ev.Kind == EvSwitchover {
			break
		}
	}
	if len(accepted) < 2 {
		t.Fatalf("%d interactions with agents at the switchover: nothing to show", len(accepted))
	}
	if r.Interactions.StaleRestored != 0 || r.Interactions.OverCapacity != 0 {
		t.Fatalf("stale_restored %d, over_capacity %d: the agents still work what is restored onto them", r.Interactions.StaleRestored, r.Interactions.OverCapacity)
	}
	checkCapacity(t, cfg, rec.events)
	// Each agent holds one interaction: the one restored onto it, with its original work.
	for ixn, agent := range accepted {
		ag := e.agentBy[agent]
		if l := e.am[int(ag)*len(e.media)+int(e.mediaBy["fax"])].load; l != 1 {
			t.Errorf("%s holds %d interactions at the end; it works interaction %d only", agent, l, ixn)
		}
	}
}
