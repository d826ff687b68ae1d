package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Random deployments and fault timelines, with DAPs re-pointed between two databases, switchovers
// and restarts (the hazards that lose interactions): at every check, the engine's account of
// damage is what the databases say, the console's snapshot shows the same account, and the
// service figures' lost, held and completed add up to it.
func TestPropertyDamageMatchesDatabases(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := genConfig(t, false) // with its two databases, ixn and other
		// genConfig guards the database identity; without the guard a switchover or a restart
		// after a re-point loses what the database in use held.
		for i := range cfg.Apps {
			if cfg.Apps[i].Name == "IS" {
				cfg.Apps[i].Options["settings"]["verify-database-identity"] = rapid.SampledFrom([]string{"true", "false", "false"}).Draw(t, "guard")
			}
		}
		var daps []string
		for _, a := range cfg.Apps {
			if a.Type == TypeDatabaseAccessPoint {
				daps = append(daps, a.Name)
			}
		}
		for k := rapid.IntRange(0, 6).Draw(t, "hazards"); k > 0; k-- {
			when := time.Duration(rapid.IntRange(0, 170).Draw(t, "at")) * time.Second
			var a Action
			switch rapid.IntRange(0, 2).Draw(t, "hazard") {
			case 0:
				a = Action{Kind: ActRepoint, App: rapid.SampledFrom(daps).Draw(t, "dap"), Database: rapid.SampledFrom(cfg.Databases).Draw(t, "db")}
			case 1:
				a = Action{Kind: ActRestart, App: "IS"}
			default:
				a = Action{Kind: ActSwitchover, App: "IS"}
			}
			cfg.Timeline = append(cfg.Timeline, TimedAction{At: when, Action: a})
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 6; i++ {
			e.RunUntil(int64(cfg.Duration) * int64(i) / 6)
			r, err := e.Report()
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range r.Errors {
				if strings.Contains(msg, "the databases disagree") {
					t.Fatalf("at %s: %s", time.Duration(e.Now()), msg)
				}
			}
			d := r.Interactions.Damage
			if s := e.Snapshot(); s.Damage != d {
				t.Fatalf("snapshot %+v, report %+v", s.Damage, d)
			}
			all := r.Service[AllQueues]
			var lost, held, completed int64
			for q, f := range r.Service {
				if q != AllQueues {
					lost, held, completed = lost+f.Lost, held+f.Held, completed+f.Completed
				}
			}
			if all.Lost != d.Lost || lost != d.Lost || all.LostOpen != d.LostOpen || all.Held != d.Held || held != d.Held {
				t.Fatalf("service lost %d (queues %d), lost_open %d, held %d (queues %d); damage %+v", all.Lost, lost, all.LostOpen, all.Held, held, d)
			}
			if d.Lost != d.LostOpen+d.LostFinished+d.LostUnwritten {
				t.Fatalf("lost %d ≠ open %d + finished %d + unwritten %d", d.Lost, d.LostOpen, d.LostFinished, d.LostUnwritten)
			}
			if all.Completed != r.Interactions.Completed || completed != all.Completed {
				t.Fatalf("service completed %d (queues %d), database %d", all.Completed, completed, r.Interactions.Completed)
			}
			if d.Held != d.WaitingAtMedia+d.HeldForDAP || d.WaitingAtMedia != e.Stats().Parked {
				t.Fatalf("held %+v, parked %d", d, e.Stats().Parked)
			}
			// Every customer is accounted for once: offered = completed, abandoned, lost, still
			// open with the IS (queued, in a URS, with an agent) or held at a media server. (A
			// strategy's stop step completes without an agent; rows held for a DAP are counted
			// where their last row reached.)
			if e.is.active >= 0 && len(e.is.held) == 0 {
				ic := r.Interactions
				open := ic.Queued + ic.InURS + ic.WithAgent
				if sum := ic.Completed + ic.Abandoned + ic.Lost + open + d.WaitingAtMedia; all.Offered != sum {
					t.Fatalf("offered %d, completed %d + abandoned %d + lost %d + open %d + at media %d = %d",
						all.Offered, ic.Completed, ic.Abandoned, ic.Lost, open, d.WaitingAtMedia, sum)
				}
			}
		}
	})
}

// dap-repoint-switchover as a test: the primary's database goes out of sight, so everything it
// held is lost and touched; the service figures carry it beside the service level.
func TestSwitchoverLossInServiceFigures(t *testing.T) {
	_, r, _ := run(t, repointConfig(false))
	d := r.Interactions.Damage
	if d.Lost == 0 || d.LostOpen == 0 {
		t.Fatalf("nothing lost: %+v", d)
	}
	all := r.Service[AllQueues]
	if all.Lost != d.Lost || all.Touched < d.Lost || d.Touched < d.Lost {
		t.Fatalf("service lost %d touched %d; damage %+v", all.Lost, all.Touched, d)
	}
	// Offered counts them: the service level is over every customer, lost ones included.
	if all.Offered < all.Lost+all.Completed {
		t.Fatalf("offered %d < lost %d + completed %d", all.Offered, all.Lost, all.Completed)
	}
	var items []string
	for _, it := range d.Items() {
		items = append(items, fmt.Sprintf("%s %d", it.Label, it.Value))
	}
	if got := strings.Join(items, ", "); !strings.Contains(got, fmt.Sprintf("lost %d, still open in another database %d, finished out of the active IS's sight %d", d.Lost, d.LostOpen, d.LostFinished)) {
		t.Fatalf("items: %s", got)
	}
	// Lost is made of what was never finished, what was finished out of sight and what no
	// database got; here the switchover hides completed rows too.
	if d.Lost != d.LostOpen+d.LostFinished+d.LostUnwritten || d.LostFinished == 0 {
		t.Errorf("lost %d = open %d + finished %d + unwritten %d?", d.Lost, d.LostOpen, d.LostFinished, d.LostUnwritten)
	}
}
