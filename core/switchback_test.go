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

// Switching back restores the original database, whose rows still say that interactions agents
// finished under the backup are with those agents: the restore puts them back on the agents (with
// a new handle time), as the IS cannot know better. Every such row is counted (stale_restored) and
// every agent it pushes past capacity too (over_capacity), never hidden.
func TestSwitchBackCountsStaleRowsAndOverCapacity(t *testing.T) {
	cfg := switchBackConfig(false)
	_, r, rec := run(t, cfg)
	// From the log alone: the interactions with an agent when the backup took over. The backup
	// does not know them (they are in the other database); their agents finish them unheard; the
	// switch-back restores every one of them.
	with := map[int64]bool{}
	switchovers := 0
	var stale, over int64
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvAccepted:
			if switchovers == 0 {
				with[ev.Ixn] = true
			}
		case EvCompleted, EvRevoked:
			if switchovers == 0 {
				delete(with, ev.Ixn)
			}
		case EvSwitchover:
			switchovers++
		case EvStaleRestored:
			if switchovers != 2 || !with[ev.Ixn] {
				t.Fatalf("t=%v: interaction %d restored as stale, but it was not with an agent when the backup took over", time.Duration(ev.T), ev.Ixn)
			}
			stale++
		case EvRestoredOverCapacity:
			over++
		}
	}
	if len(with) == 0 || stale != int64(len(with)) || r.Interactions.StaleRestored != stale {
		t.Fatalf("%d with agents at the switchover, %d stale_restored events, report %d", len(with), stale, r.Interactions.StaleRestored)
	}
	if over == 0 || r.Interactions.OverCapacity != over+r.Agents.DoubleBooked {
		t.Fatalf("%d restored_over_capacity events, report over_capacity %d (double_booked %d)", over, r.Interactions.OverCapacity, r.Agents.DoubleBooked)
	}
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
