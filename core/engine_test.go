package core

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// recorder keeps the event log for assertions.
type recorder struct{ events []Event }

func (r *recorder) Event(e *Event, _ []byte) { r.events = append(r.events, *e) }

func (r *recorder) count(kind EventKind, pred func(*Event) bool) int {
	n := 0
	for i := range r.events {
		if r.events[i].Kind == kind && (pred == nil || pred(&r.events[i])) {
			n++
		}
	}
	return n
}

func run(t *testing.T, cfg Config) (*Engine, *Report, *recorder) {
	t.Helper()
	rec := &recorder{}
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range e.Errors() {
		t.Errorf("engine error: %v", err)
	}
	return e, r, rec
}

func at(d time.Duration, a Action) TimedAction { return TimedAction{At: d, Action: a} }

// The seed's example: A goes to URS 1 only, B to URS 2 only, C is balanced between both.
func TestSeedExampleBalancesByStrategy(t *testing.T) {
	_, r, _ := run(t, seedConfig())
	tests := []struct {
		strategy, urs string
		wantZero      bool
	}{
		{"A", "URS_1", false}, {"A", "URS_2", true},
		{"B", "URS_1", true}, {"B", "URS_2", false},
		{"C", "URS_1", false}, {"C", "URS_2", false},
	}
	for _, tc := range tests {
		got := r.Routing[tc.strategy][tc.urs]
		if (got == 0) != tc.wantZero {
			t.Errorf("routing.%s.%s = %d, want zero: %v", tc.strategy, tc.urs, got, tc.wantZero)
		}
	}
	if d := r.Routing["C"]["URS_1"] - r.Routing["C"]["URS_2"]; d < -1 || d > 1 {
		t.Errorf("strategy C not round-robin: %v", r.Routing["C"])
	}
	if r.Interactions.Lost != 0 || r.Agents.DoubleBooked != 0 {
		t.Errorf("lost %d, double booked %d", r.Interactions.Lost, r.Agents.DoubleBooked)
	}
	if s := r.ESP["ClassificationServer"]; math.Abs(float64(s["ClassSrv_1"]-s["ClassSrv_2"])) > 1 {
		t.Errorf("classification servers not balanced: %v", s)
	}
}

func TestURSStopResubmitsPendingToURSWithStrategy(t *testing.T) {
	cfg := seedConfig()
	// Slow steps keep many interactions pending in the URS when it stops.
	cfg.Apps[2].StepTime = 2 * time.Second
	cfg.Timeline = []TimedAction{
		at(2*time.Minute, Action{Kind: ActStop, App: "URS_1"}),
		at(3*time.Minute, Action{Kind: ActStart, App: "URS_1"}),
	}
	e, r, rec := run(t, cfg)
	stopAt, startAt := int64(2*time.Minute), int64(3*time.Minute)
	resub := rec.count(EvToURS, func(ev *Event) bool { return ev.Resubmission })
	if resub == 0 || r.Interactions.Resubmitted != int64(resub) {
		t.Fatalf("resubmissions: events %d, report %d", resub, r.Interactions.Resubmitted)
	}
	for _, ev := range rec.events {
		if ev.Kind != EvToURS {
			continue
		}
		if ev.URS == "URS_1" && ev.T >= stopAt && ev.T < startAt {
			t.Fatalf("submitted to stopped URS_1 at %d: %+v", ev.T, ev)
		}
		if ev.Resubmission && ev.T < startAt && (ev.URS != "URS_2" || ev.Strategy != "C") {
			// Only C is also loaded on URS_2; A's interactions wait for URS_1 to return.
			t.Fatalf("resubmitted %s to %s", ev.Strategy, ev.URS)
		}
	}
	// A waits while URS_1 is down and goes back to URS_1 when it rejoins.
	afterRestart := rec.count(EvToURS, func(ev *Event) bool { return ev.URS == "URS_1" && ev.T >= startAt })
	if afterRestart == 0 {
		t.Fatal("URS_1 did not rejoin the rotation")
	}
	if r.Interactions.Lost != 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
	_ = e
}

func TestNoEligibleURSWaitsQueuedThenSubmits(t *testing.T) {
	cfg := seedConfig()
	cfg.Strategies[1].ActivatedOn = nil // B loaded nowhere
	cfg.Timeline = []TimedAction{at(time.Minute, Action{Kind: ActActivate, Strategy: "B", URS: []string{"URS_1"}})}
	cfg.Duration = 2 * time.Minute
	_, r, rec := run(t, cfg)
	early := rec.count(EvToURS, func(ev *Event) bool { return ev.Strategy == "B" && ev.T < int64(time.Minute) })
	if early != 0 {
		t.Fatalf("%d B interactions submitted before activation", early)
	}
	first := -1
	for i, ev := range rec.events {
		if ev.Kind == EvToURS && ev.Strategy == "B" {
			first = i
			break
		}
	}
	if first < 0 || rec.events[first].T != int64(time.Minute) {
		t.Fatalf("waiting B interactions not submitted at activation")
	}
	if r.Routing["B"]["URS_1"] == 0 || r.Interactions.Lost != 0 {
		t.Fatalf("routing %v lost %d", r.Routing["B"], r.Interactions.Lost)
	}
}

// Agent reservation is arbitration, not a gate: a URS without it still gets interactions; only the
// connection, running and the submission limits decide eligibility.
func TestEligibilityIgnoresAgentReservation(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*Config)
		eligible bool
	}{
		{"URS option false", func(c *Config) { c.Apps[3].Options = Options{"default": {"agent_reservation": "false"}} }, true},
		{"URS option absent", func(c *Config) { c.Apps[3].Options = nil }, true},
		{"no IS Annex entry", func(c *Config) { delete(c.Apps[0].Annex["agent_reservation"], "URS_2") }, true},
		{"no connection to the IS", func(c *Config) { c.Apps[3].Connections = nil }, false},
		{"max-submitted-interactions 0", func(c *Config) {
			c.Apps[3].Annex = Options{"IxnServer": {"max-submitted-interactions": "0"}}
		}, false},
		{"max-submission-rate 0 disables submissions", func(c *Config) {
			c.Apps[3].Annex = Options{"IxnServer": {"max-submission-rate": "0"}}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := seedConfig()
			tc.mutate(&cfg)
			cfg.Duration = time.Minute
			_, r, _ := run(t, cfg)
			n := r.Routing["C"]["URS_2"] + r.Routing["B"]["URS_2"]
			if tc.eligible != (n > 0) {
				t.Fatalf("URS_2 got %d submissions, want eligible=%v", n, tc.eligible)
			}
			if r.Routing["C"]["URS_1"] == 0 {
				t.Fatal("C not routed through URS_1")
			}
		})
	}
}

func TestOptionChangeOnTheFly(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActSetOption, App: "URS_2", Section: "default", Option: "agent_reservation", Value: "false"}),
		at(2*time.Minute, Action{Kind: ActSetOption, App: "URS_2", Section: "annex:IxnServer", Option: "max-submitted-interactions", Value: "0"}),
		at(3*time.Minute, Action{Kind: ActSetOption, App: "URS_2", Section: "annex:IxnServer", Option: "max-submitted-interactions", Value: "100"}),
	}
	cfg.Duration = 4 * time.Minute
	_, _, rec := run(t, cfg)
	between := func(kind EventKind, from, to time.Duration) int {
		return rec.count(kind, func(ev *Event) bool {
			return ev.URS == "URS_2" && ev.T > int64(from) && ev.T < int64(to)
		})
	}
	if n := between(EvToURS, time.Minute, 2*time.Minute); n == 0 {
		t.Fatal("URS_2 got nothing once it stopped reserving: agent_reservation must not gate submissions")
	}
	if n := between(EvReserved, time.Minute+time.Second, 2*time.Minute); n != 0 {
		t.Fatalf("URS_2 reserved %d agents after agent_reservation became false", n)
	}
	if off, on := between(EvToURS, 2*time.Minute, 3*time.Minute), between(EvToURS, 3*time.Minute, 4*time.Minute); off != 0 || on == 0 {
		t.Fatalf("URS_2 submissions at max-submitted-interactions 0: %d, after raising it: %d", off, on)
	}
	if rec.count(EvConfigChanged, nil) != 3 {
		t.Fatalf("want 3 config_changed events")
	}
}

func TestMaxSubmittedInteractionsCapsPending(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[2].Annex = Options{"IxnServer": {"max-submitted-interactions": "5"}}
	cfg.Apps[2].StepTime = 3 * time.Second // long steps: many would be pending
	cfg.Duration = 3 * time.Minute
	e, _, rec := run(t, cfg)
	pending := 0
	held := map[int64]bool{}
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvToURS:
			if ev.URS == "URS_1" {
				held[ev.Ixn] = true
				pending++
				if pending > 5 {
					t.Fatalf("URS_1 holds %d interactions at %d", pending, ev.T)
				}
			}
		case EvAccepted, EvCompleted, EvPlacedInQueue, EvRevoked:
			if held[ev.Ixn] {
				delete(held, ev.Ixn)
				pending--
			}
		}
	}
	snap := e.Snapshot()
	if snap.URS[0].Pending > 5 || snap.URS[0].MaxSubmitted != 5 {
		t.Fatalf("snapshot: %+v", snap.URS[0])
	}
}

func espConfig(via string) Config {
	cfg := seedConfig()
	cfg.Strategies[2].Steps[0] = Step{Kind: StepESP, Via: via, Service: "fax", Method: "send"}
	cfg.Duration = 3 * time.Minute
	return cfg
}

func TestESPByTypeMisroutesThirdPartyServers(t *testing.T) {
	_, r, rec := run(t, espConfig("ThirdPartyServer"))
	if r.ESP["ThirdPartyServer"]["IMSrv_1"] == 0 {
		t.Fatalf("by type, the IM server should receive fax requests: %v", r.ESP)
	}
	if r.ESPFaults.Misrouted == 0 || int64(rec.count(EvESPFault, func(e *Event) bool { return e.Code == "misrouted" })) != r.ESPFaults.Misrouted {
		t.Fatalf("misrouted faults: %d", r.ESPFaults.Misrouted)
	}
	// Faults take the retry path: misrouted requests are retried, nothing is dropped.
	if r.Interactions.Lost != 0 || r.Routing["C"]["URS_1"] == 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
}

func TestESPByClusterIsolatesServices(t *testing.T) {
	cfg := espConfig("FaxCluster")
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}),
		at(2*time.Minute, Action{Kind: ActLeave, Cluster: "FaxCluster", App: "FaxSrv_1"}),
	}
	_, r, rec := run(t, cfg)
	if r.ESPFaults.Misrouted != 0 || r.ESP["FaxCluster"]["IMSrv_1"] != 0 {
		t.Fatalf("cluster misrouted: %+v %v", r.ESPFaults, r.ESP)
	}
	for _, ev := range rec.events {
		if ev.Kind != EvESPRequest {
			continue
		}
		if ev.Server == "FaxSrv_2" && ev.T < int64(time.Minute) {
			t.Fatal("FaxSrv_2 served before joining")
		}
		if ev.Server == "FaxSrv_1" && ev.T > int64(2*time.Minute) {
			t.Fatal("FaxSrv_1 served after leaving")
		}
	}
	if r.ESP["FaxCluster"]["FaxSrv_2"] == 0 {
		t.Fatal("FaxSrv_2 never served after joining")
	}
}

func TestESPUnavailableAndTimeoutTakeDefinedPath(t *testing.T) {
	cfg := espConfig("FaxCluster")
	cfg.Apps[7].ServiceTime = 5 * time.Second // requests in flight when it stops
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "FaxSrv_1"}),
		at(2*time.Minute, Action{Kind: ActStart, App: "FaxSrv_1"}),
	}
	_, r, _ := run(t, cfg)
	if r.ESPFaults.Unavailable == 0 || r.ESPFaults.Timeout == 0 {
		t.Fatalf("faults %+v", r.ESPFaults)
	}
	if r.Interactions.Lost != 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
}

func TestDAPFailoverAndHeldWork(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "DBServer_1"}),
		at(2*time.Minute, Action{Kind: ActStop, App: "DBServer_2"}),
		at(3*time.Minute, Action{Kind: ActStart, App: "DBServer_2"}),
		at(4*time.Minute, Action{Kind: ActStart, App: "DBServer_1"}),
	}
	cfg.Duration = 5 * time.Minute
	_, r, rec := run(t, cfg)
	if r.DAP["DAP_1"].Failures == 0 || r.DAP["DAP_2"].Failures == 0 {
		t.Fatalf("dap %+v", r.DAP)
	}
	if rec.count(EvDAPFailover, nil) < 2 || rec.count(EvHeld, nil) == 0 {
		t.Fatal("missing dap_failover/held events")
	}
	// The last DAP's failover names no empty DAP: to=none; and the log says when work resumes,
	// once, when DBServer_2 is back — not again when DBServer_1 follows.
	if n := rec.count(EvDAPFailover, func(e *Event) bool { return e.To == "" }); n != 0 {
		t.Fatalf("%d dap_failover events name no DAP to fail over to", n)
	}
	if rec.count(EvDAPFailover, func(e *Event) bool { return e.From == "DAP_2" && e.To == "none" }) == 0 {
		t.Fatal("no dap_failover from=DAP_2 to=none when the last DAP failed")
	}
	released := rec.count(EvHeldReleased, nil)
	resumed := rec.count(EvHeldReleased, func(e *Event) bool {
		return e.T >= int64(3*time.Minute) && e.T < int64(3*time.Minute+time.Second) && e.App == "IxnServer" &&
			strings.Contains(e.Reason, "DAP_2 reaches ixn again")
	})
	if released != 1 || resumed != 1 {
		t.Fatalf("%d held_released events (%d when DBServer_2 started), want one then", released, resumed)
	}
	// While both DB Servers are down the IS accepts nothing; media servers hold arrivals.
	during := rec.count(EvSubmitted, func(e *Event) bool {
		return e.T > int64(2*time.Minute)+int64(time.Second) && e.T < int64(3*time.Minute)
	})
	if during != 0 {
		t.Fatalf("%d interactions accepted with no DAP", during)
	}
	if r.Interactions.Lost != 0 || r.Interactions.WaitingAtMedia != 0 {
		t.Fatalf("lost %d waiting %d", r.Interactions.Lost, r.Interactions.WaitingAtMedia)
	}
}

func repointConfig(guard bool) Config {
	cfg := seedConfig()
	if guard {
		cfg.Apps[0].Options["settings"]["verify-database-identity"] = "true"
	}
	cfg.Timeline = []TimedAction{
		at(2*time.Minute, Action{Kind: ActRepoint, App: "DAP_2", Database: "other"}),
		at(3*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
	}
	cfg.Duration = 5 * time.Minute
	return cfg
}

// A warm standby that was active before and never restarted "continues to work with the original
// database"; only an IS that becomes active afresh reads the re-pointed DAP.
func TestISThatNeverRestartedKeepsItsDatabase(t *testing.T) {
	cfg := repointConfig(false)
	cfg.Timeline = append(cfg.Timeline, at(4*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}))
	_, r, rec := run(t, cfg)
	var to []string
	for _, ev := range rec.events {
		if ev.Kind == EvSwitchover {
			to = append(to, ev.To)
		}
	}
	if strings.Join(to, ",") != "IxnServer_B,IxnServer" {
		t.Fatalf("switchovers to %v", to)
	}
	if r.Interactions.Database != "ixn" {
		t.Fatalf("the primary, back without a restart, works with %s, not its original ixn", r.Interactions.Database)
	}
	// Restarted, it reads the DAPs anew and takes the re-pointed database.
	cfg.Timeline = append(cfg.Timeline[:2],
		at(3*time.Minute+time.Second, Action{Kind: ActStop, App: "IxnServer"}),
		at(3*time.Minute+2*time.Second, Action{Kind: ActStart, App: "IxnServer"}),
		at(4*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}))
	_, r, _ = run(t, cfg)
	if r.Interactions.Database != "other" {
		t.Fatalf("a restarted primary works with %s, want the re-pointed other", r.Interactions.Database)
	}
}

// A guarded backup whose every DAP was re-pointed refuses them all: work stops, and the log, the
// report and the snapshot say so.
func TestGuardedBackupWithEveryDAPRepointedIsVisiblyHeld(t *testing.T) {
	cfg := repointConfig(true)
	cfg.Timeline = append([]TimedAction{at(2*time.Minute, Action{Kind: ActRepoint, App: "DAP_1", Database: "other"})}, cfg.Timeline...)
	e, r, rec := run(t, cfg)
	held := rec.count(EvHeld, func(ev *Event) bool {
		return ev.App == "IxnServer_B" && strings.Contains(ev.Reason, "no Database Access Point leads to database ixn")
	})
	if held != 1 {
		t.Fatalf("%d held events for the stalled backup", held)
	}
	if s := e.Snapshot(); r.Interactions.Held == 0 || !s.Held {
		t.Fatalf("held work not counted: report %d", r.Interactions.Held)
	}
	if r.Interactions.Database != "ixn" {
		t.Fatalf("guarded backup works with %s", r.Interactions.Database)
	}
}

func TestRepointIsReportedAndIgnoredUntilSwitchover(t *testing.T) {
	_, r, rec := run(t, repointConfig(false))
	changed := rec.count(EvConfigChanged, func(e *Event) bool {
		return e.App == "DAP_2" && strings.Contains(e.Detail, "keeps working with ixn")
	})
	if changed != 1 {
		t.Fatal("re-point not reported as a configuration change the IS overlooks")
	}
	// Faithful hazard: the backup reads the new configuration and uses the other database.
	if r.Interactions.Database != "other" || r.Interactions.Lost == 0 {
		t.Fatalf("database %s lost %d", r.Interactions.Database, r.Interactions.Lost)
	}
	if r.Databases["other"].Interactions == 0 {
		t.Fatal("nothing written to the other database after switchover")
	}
}

func TestIdentityGuardKeepsSwitchoverSafe(t *testing.T) {
	_, r, rec := run(t, repointConfig(true))
	if r.Interactions.Database != "ixn" || r.Interactions.Lost != 0 {
		t.Fatalf("database %s lost %d", r.Interactions.Database, r.Interactions.Lost)
	}
	if rec.count(EvConfigChanged, func(e *Event) bool { return strings.HasPrefix(e.Detail, "refused") }) != 1 {
		t.Fatal("DAP_2 not refused")
	}
	if r.Databases["other"].Interactions != 0 {
		t.Fatal("guarded IS wrote to the other database")
	}
	if rec.count(EvToURS, func(e *Event) bool { return e.Resubmission && e.T == int64(3*time.Minute) }) == 0 {
		t.Fatal("backup did not resubmit interactions that were in URS")
	}
}

func TestISStopWithoutBackupHoldsAndRestores(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[0].Backup = ""
	cfg.Apps = append(cfg.Apps[:1], cfg.Apps[2:]...)
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "IxnServer"}),
		at(90*time.Second, Action{Kind: ActStart, App: "IxnServer"}),
	}
	cfg.Duration = 3 * time.Minute
	_, r, rec := run(t, cfg)
	if n := rec.count(EvSubmitted, func(e *Event) bool { return e.T > int64(time.Minute) && e.T < int64(90*time.Second) }); n != 0 {
		t.Fatalf("%d accepted while the IS was down", n)
	}
	if r.Interactions.Lost != 0 || r.Interactions.WaitingAtMedia != 0 || r.Interactions.Resubmitted == 0 {
		t.Fatalf("%+v", r.Interactions)
	}
}

func TestDeliveringTimeoutAndRejectReturnToQueue(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		reason string
	}{
		{"delivering-timeout", func(c *Config) {
			c.Apps[0].Options["settings"]["delivering-timeout"] = "1"
			c.AgentGroups[0].AnswerTime = 5 * time.Second
		}, "delivering-timeout"},
		{"rejected", func(c *Config) { c.AgentGroups[0].Accept = 0.5 }, "rejected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := seedConfig()
			tc.mutate(&cfg)
			cfg.Duration = 2 * time.Minute
			_, r, rec := run(t, cfg)
			revoked := map[int64]bool{}
			for _, ev := range rec.events {
				if ev.Kind == EvRevoked && ev.Reason == tc.reason {
					revoked[ev.Ixn] = true
				}
			}
			if len(revoked) == 0 {
				t.Fatal("no revocations")
			}
			// A revoked interaction is routed again.
			again := 0
			for _, ev := range rec.events {
				if ev.Kind == EvToURS && revoked[ev.Ixn] {
					again++
				}
			}
			if again <= len(revoked) {
				t.Fatalf("revoked interactions not routed again (%d submissions for %d)", again, len(revoked))
			}
			if r.Interactions.Lost != 0 {
				t.Fatalf("lost %d", r.Interactions.Lost)
			}
		})
	}
}

func TestReservationContentionNeverDoubleBooks(t *testing.T) {
	cfg := seedConfig()
	cfg.AgentGroups[0].Agents = 6
	cfg.AgentGroups[0].HandleTime = 2 * time.Second
	cfg.Traffic = []TrafficConfig{{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 5}}
	cfg.Duration = 2 * time.Minute
	_, r, rec := run(t, cfg)
	if r.Agents.Denied == 0 {
		t.Fatal("no contention")
	}
	if r.Agents.DoubleBooked != 0 {
		t.Fatalf("two reserving URS double-booked %d agents", r.Agents.DoubleBooked)
	}
	checkCapacity(t, cfg, rec.events)
	// Routers wait for agents; they do not spin: fewer denials than interactions.
	if r.Agents.Denied >= r.Interactions.Submitted {
		t.Fatalf("%d denials for %d interactions", r.Agents.Denied, r.Interactions.Submitted)
	}
}

// A URS that does not reserve, beside one that does and sharing its agents, routes on a lagging
// view and double-books; the log says which URS did it.
func TestNonReservingURSDoubleBooks(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[3].Options = nil      // URS_2: no agent_reservation
	cfg.AgentGroups[0].Agents = 20 // about as many as the load needs: agents are often just taken
	cfg.AgentGroups[0].HandleTime = 2 * time.Second
	cfg.Traffic = []TrafficConfig{{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 5}}
	cfg.Duration = 2 * time.Minute
	_, r, rec := run(t, cfg)
	if r.Agents.DoubleBooked == 0 {
		t.Fatal("no double booking with a non-reserving URS among reserving ones")
	}
	if n := rec.count(EvDoubleBooked, nil); int64(n) != r.Agents.DoubleBooked {
		t.Fatalf("%d double_booked events, report says %d", n, r.Agents.DoubleBooked)
	}
	// Every double booking involves URS_2: it routed over capacity, or the agent held its
	// interaction when a reserving URS was granted it (the arbiter knows only reservations).
	for _, b := range doubleBookings(rec.events) {
		involved := b.ev.URS == "URS_2"
		for _, h := range b.holders {
			involved = involved || h.urs == "URS_2" && !h.viaResv
		}
		if !involved {
			t.Fatalf("t=%d: double booking of %s by %s without URS_2 (holders %+v)", b.ev.T, b.ev.Agent, b.ev.URS, b.holders)
		}
	}
	if n := rec.count(EvReserved, func(ev *Event) bool { return ev.URS == "URS_2" }); n != 0 {
		t.Fatalf("non-reserving URS_2 reserved %d agents", n)
	}
	checkCapacity(t, cfg, rec.events)
}

// The most common deployment: one URS, no agent_reservation anywhere. It routes, and never
// conflicts with itself.
func TestSingleURSWithoutOptionRoutes(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[0].Annex = nil
	cfg.Apps[2].Options = nil
	cfg.Apps = append(cfg.Apps[:3], cfg.Apps[4:]...) // no URS_2
	for i := range cfg.Strategies {
		cfg.Strategies[i].ActivatedOn = []string{"URS_1"}
	}
	cfg.AgentGroups[0].Agents = 4
	cfg.AgentGroups[0].HandleTime = 2 * time.Second
	cfg.Duration = 2 * time.Minute
	_, r, rec := run(t, cfg)
	if r.Interactions.Completed == 0 || r.Routing["C"]["URS_1"] == 0 {
		t.Fatalf("single URS without agent_reservation routed nothing: %+v", r.Interactions)
	}
	if r.Agents.DoubleBooked != 0 || r.Agents.Reservations != 0 {
		t.Fatalf("double booked %d, reservations %d", r.Agents.DoubleBooked, r.Agents.Reservations)
	}
	checkCapacity(t, cfg, rec.events)
}

// checkCapacity follows the agents' holds in the event log (holdLog), independently of the
// engine's counters, and fails if any agent ever holds more interactions of a media than its
// capacity, unless the IS announced that delivery (double_booked) or restore
// (restored_over_capacity) — with switchovers and restores too.
func checkCapacity(t *testing.T, cfg Config, events []Event) {
	t.Helper()
	capOf := map[string]map[string]int{}
	for _, g := range cfg.AgentGroups {
		capOf[g.Name] = map[string]int{}
		for _, c := range g.Capacity {
			capOf[g.Name][c.Media] = c.Max
		}
	}
	h := newHoldLog(func(agent, media string) int { return capOf[agent[:strings.LastIndexByte(agent, '/')]][media] })
	for i := range events {
		if err := h.event(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDeterminism(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = repointConfig(true).Timeline
	cfg.Timeline = append(cfg.Timeline, at(time.Minute, Action{Kind: ActStop, App: "URS_2"}))
	a, _ := New(cfg)
	a.RunUntil(int64(cfg.Duration))
	b, _ := New(cfg)
	b.RunUntil(int64(cfg.Duration))
	if a.EventsSHA256() != b.EventsSHA256() || a.EventCount() == 0 {
		t.Fatal("same scenario and seed gave different event logs")
	}
	c, _ := New(cfg, WithSeed(8))
	c.RunUntil(int64(cfg.Duration))
	if a.EventsSHA256() == c.EventsSHA256() {
		t.Fatal("a different seed gave the same event log")
	}
}

func TestApplyRejectsBadActions(t *testing.T) {
	e, err := New(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	bad := []Action{
		{Kind: ActStop, App: "URS_9"},
		{Kind: ActStart, App: "URS_1"},
		{Kind: ActActivate, Strategy: "Z", URS: []string{"URS_1"}},
		{Kind: ActActivate, Strategy: "A", URS: []string{"ClassSrv_1"}},
		{Kind: ActRepoint, App: "URS_1", Database: "other"},
		{Kind: ActRepoint, App: "DAP_1", Database: "nope"},
		{Kind: ActJoin, Cluster: "FaxCluster", App: "IMSrv_1x"},
		{Kind: ActJoin, Cluster: "FaxCluster", App: "ClassSrv_1"},
		{Kind: ActLeave, Cluster: "FaxCluster", App: "FaxSrv_2"},
		{Kind: ActSwitchover, App: "URS_1"},
	}
	before := e.EventCount()
	for _, a := range bad {
		if err := e.Apply(a); err == nil {
			t.Errorf("%s %+v: no error", a.Kind, a)
		}
	}
	if e.EventCount() != before {
		t.Fatal("a rejected action changed the log")
	}
}

func TestRoutingTimeoutReturnsToQueue(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[0].Options["settings"]["routing-timeout"] = "20" // minutes, the documented least
	cfg.AgentGroups[0].Agents = 1                             // URS wait long for a Sales agent
	cfg.AgentGroups[0].HandleTime = time.Hour
	cfg.Duration = time.Hour
	_, r, rec := run(t, cfg)
	timeouts := 0
	for _, ev := range rec.events {
		if ev.Kind == EvRoutingTimeout {
			timeouts++
		}
	}
	if timeouts == 0 {
		t.Fatal("no routing timeouts")
	}
	// Each timed-out interaction was with its URS for the whole timeout, then submitted again.
	since := map[int64]int64{}
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvToURS:
			since[ev.Ixn] = ev.T
		case EvRoutingTimeout:
			if d := ev.T - since[ev.Ixn]; d != int64(20*time.Minute) {
				t.Fatalf("timed out after %v", time.Duration(d))
			}
		}
	}
	if r.Interactions.Lost != 0 {
		t.Fatal("lost")
	}
}

func TestBuildRejectsRouteWithoutFallbackGroup(t *testing.T) {
	cfg := seedConfig()
	cfg.Strategies[0].Steps[1] = Step{Kind: StepRoute, ByCategory: []CategoryRoute{{"billing", "Billing"}}}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "default") {
		t.Fatalf("got %v", err)
	}
}

func TestRepointWithNoActiveIS(t *testing.T) {
	cfg := seedConfig()
	cfg.Apps[0].Backup = ""
	cfg.Apps = append(cfg.Apps[:1], cfg.Apps[2:]...)
	cfg.Timeline = []TimedAction{
		at(time.Second, Action{Kind: ActStop, App: "IxnServer"}),
		at(2*time.Second, Action{Kind: ActRepoint, App: "DAP_1", Database: "other"}),
		at(3*time.Second, Action{Kind: ActStart, App: "IxnServer"}),
	}
	cfg.Duration = time.Minute
	_, r, _ := run(t, cfg)
	// The restarted IS reads the configuration: DAP_1 now leads to other, the newest change.
	if r.Interactions.Database != "other" {
		t.Fatalf("database %s", r.Interactions.Database)
	}
}

// Writes held while no DAP reaches the database go in before a switchover's restore reads it:
// otherwise the backup would restore interactions that had already moved on (a completed one
// routed again).
func TestHeldWritesReachTheDatabaseBeforeRestore(t *testing.T) {
	cfg := seedConfig()
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "DBServer_1"}),
		at(time.Minute, Action{Kind: ActStop, App: "DBServer_2"}),
		at(90*time.Second, Action{Kind: ActSwitchover, App: "IxnServer"}),
		at(2*time.Minute, Action{Kind: ActStart, App: "DBServer_1"}),
	}
	cfg.Duration = 3 * time.Minute
	_, r, rec := run(t, cfg)
	done := map[int64]bool{}
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvCompleted:
			if done[ev.Ixn] {
				t.Fatalf("interaction %d completed twice", ev.Ixn)
			}
			done[ev.Ixn] = true
		case EvToURS:
			if done[ev.Ixn] {
				t.Fatalf("completed interaction %d routed again at %v", ev.Ixn, time.Duration(ev.T))
			}
		}
	}
	if r.Interactions.Lost != 0 || r.Interactions.WaitingAtMedia != 0 {
		t.Fatalf("%+v", r.Interactions)
	}
	if rec.count(EvSubmitted, func(e *Event) bool { return e.T >= int64(2*time.Minute) }) == 0 {
		t.Fatal("nothing accepted after the DB Server returned")
	}
}

func TestMaxSubmissionRateSpacesSubmissions(t *testing.T) {
	tests := []struct {
		value string
		gap   time.Duration
	}{{"1/second", time.Second}, {"30/minute", 2 * time.Second}, {"2", 500 * time.Millisecond}}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			cfg := seedConfig()
			cfg.Apps[2].Annex = Options{"IxnServer": {"max-submission-rate": tc.value}}
			cfg.Duration = 3 * time.Minute
			e, r, rec := run(t, cfg)
			last := int64(-1 << 62)
			n := 0
			for _, ev := range rec.events {
				if ev.Kind == EvToURS && ev.URS == "URS_1" {
					if ev.T-last < int64(tc.gap) {
						t.Fatalf("submissions to URS_1 %v apart, limit %v", time.Duration(ev.T-last), tc.gap)
					}
					last = ev.T
					n++
				}
			}
			// A's interactions (URS_1 only) queue up behind the limit instead of being lost; C
			// goes to URS_2 while URS_1 is held.
			if max := int(cfg.Duration/tc.gap) + 1; n == 0 || n > max {
				t.Fatalf("%d submissions to URS_1, at most %d allowed", n, max)
			}
			if r.Routing["C"]["URS_2"] <= r.Routing["C"]["URS_1"] || r.Interactions.Lost != 0 {
				t.Fatalf("routing %v, lost %d", r.Routing, r.Interactions.Lost)
			}
			if s := e.Snapshot(); s.Strategies[0].Waiting == 0 {
				t.Fatal("A's interactions should be waiting for URS_1")
			}
		})
	}
	if _, ok := ParseSubmissionRate("5000/second"); ok {
		t.Fatal("more than 1000 a second accepted")
	}
}

// Traffic without a stop ends at the scenario's duration (docs/scenarios.md, "Field reference"), so a console that goes
// on past the end only drains what is in flight.
func TestTrafficStopsAtTheDuration(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = time.Minute
	cfg.Traffic[0].Stop = 0 // every stream without a stop of its own
	rec := &recorder{}
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(2 * time.Minute))
	if n := rec.count(EvSubmitted, func(ev *Event) bool { return ev.T >= int64(time.Minute) }); n != 0 {
		t.Fatalf("%d interactions submitted after the duration", n)
	}
	if rec.count(EvCompleted, func(ev *Event) bool { return ev.T >= int64(time.Minute) }) == 0 {
		t.Fatal("nothing drained after the duration")
	}
}

func TestActionErrorsSuggestCloseNames(t *testing.T) {
	e, err := New(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a    Action
		want string
	}{
		{Action{Kind: ActStop, App: "URS 1"}, `(did you mean "URS_1"?)`},
		{Action{Kind: ActActivate, Strategy: "c", URS: []string{"URS_1"}}, `(did you mean "C"?)`},
		{Action{Kind: ActJoin, Cluster: "FaxClustr", App: "FaxSrv_2"}, `(did you mean "FaxCluster"?)`},
		{Action{Kind: ActRepoint, App: "DAP_1", Database: "othr"}, `(did you mean "other"?)`},
		{Action{Kind: ActStop, App: "Nothing_like_it"}, `unknown application "Nothing_like_it"`},
	}
	for _, tc := range tests {
		err := e.Apply(tc.a)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s", tc.a, err, tc.want)
		}
		if strings.Contains(tc.want, "unknown") && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%+v: suggested a far name: %v", tc.a, err)
		}
	}
}

// With no Interaction Server running, media servers hold new interactions (`held`); when one
// starts again the log says the held work resumes (`held_released`), before what it restores.
func TestHeldWorkResumesWhenAnInteractionServerStarts(t *testing.T) {
	cfg := seedConfig()
	cfg.Duration = 4 * time.Minute
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "IxnServer_B"}),
		at(time.Minute+time.Second, Action{Kind: ActStop, App: "IxnServer"}),
		at(2*time.Minute, Action{Kind: ActStart, App: "IxnServer"}),
	}
	_, _, rec := run(t, cfg)
	var kinds []string
	for _, ev := range rec.events {
		if ev.Kind == EvHeld || ev.Kind == EvHeldReleased {
			kinds = append(kinds, fmt.Sprintf("%s %s %s", ev.Kind, time.Duration(ev.T), ev.App))
		}
	}
	if got := strings.Join(kinds, "; "); got != "held 1m1s IxnServer; held_released 2m0s IxnServer" {
		t.Fatalf("held and released: %s", got)
	}
}
