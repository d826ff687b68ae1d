package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// churnConfig is the rr-churn file: two URS, each limited to one interaction at a time,
// a strategy that completes at once, one arrival a second.
func churnConfig(annex Options) Config {
	urs := func(name string) AppConfig {
		return AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IxnServer"},
			Options: Options{"default": {"agent_reservation": "true"}}, Annex: annex.Clone()}
	}
	return Config{Name: "rr-churn", Seed: 1, Duration: 30 * time.Second, Databases: []string{"ixn"},
		Apps: []AppConfig{
			{Name: "IxnServer", Type: TypeInteractionServer, Connections: []string{"DAP_1", "EmailSrv_1"},
				Annex: Options{"agent_reservation": {"URS_1": "true", "URS_2": "true"}}},
			urs("URS_1"), urs("URS_2"),
			{Name: "EmailSrv_1", Type: TypeEmailServer},
			{Name: "DBServer_1", Type: TypeDBServer},
			{Name: "DAP_1", Type: TypeDatabaseAccessPoint, DBServer: "DBServer_1", Database: "ixn"},
		},
		Strategies:  []StrategyConfig{{Name: "S", ActivatedOn: []string{"URS_1", "URS_2"}, Steps: []Step{{Kind: StepStop}}}},
		Queues:      []QueueConfig{{Name: "q", BusinessProcess: "BP", Strategy: "S"}},
		AgentGroups: []AgentGroupConfig{{Name: "Agents", Agents: 1, Capacity: []MediaCapacity{{"email", 1}}, HandleTime: time.Second, Accept: 1}},
		Traffic:     []TrafficConfig{{Media: "email", From: "EmailSrv_1", Queue: "q", Rate: 1}},
	}
}

// A URS that leaves the rotation right after its pick and returns before the next is not picked
// again while the other is eligible: the rotation stays even.
func TestRoundRobinSurvivesEligibilityChurn(t *testing.T) {
	tests := []struct {
		name  string
		annex Options
		tl    []TimedAction
	}{
		{"max-submitted-interactions 1", Options{"IxnServer": {"max-submitted-interactions": "1"}}, nil},
		{"max-submission-rate", Options{"IxnServer": {"max-submission-rate": "2/second"}}, nil},
		{"stop and start between arrivals", nil, []TimedAction{
			at(5500*time.Millisecond, Action{Kind: ActStop, App: "URS_1"}),
			at(5600*time.Millisecond, Action{Kind: ActStart, App: "URS_1"}),
			at(12500*time.Millisecond, Action{Kind: ActStop, App: "URS_2"}),
			at(12600*time.Millisecond, Action{Kind: ActStart, App: "URS_2"}),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := churnConfig(tc.annex)
			cfg.Timeline = tc.tl
			_, r, _ := run(t, cfg)
			a, b := r.Routing["S"]["URS_1"], r.Routing["S"]["URS_2"]
			if a+b == 0 || a-b > 1 || b-a > 1 {
				t.Fatalf("URS_1 %d, URS_2 %d: the rotation collapsed", a, b)
			}
		})
	}
}

// TestRotationFairnessInTheEngine drives a strategy over random stops, starts, activations and
// limits, and checks every pick (to_urs) against the eligibility the engine had at that moment: no
// URS is picked twice while another URS was eligible at both picks and not picked in between.
func TestRotationFairnessInTheEngine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 5).Draw(t, "urs")
		cfg := churnConfig(nil)
		cfg.Apps = cfg.Apps[:1]
		var names []string
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("URS_%d", i)
			names = append(names, name)
			u := AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IxnServer"},
				StepTime: time.Duration(rapid.IntRange(1, 3000).Draw(t, "step")) * time.Millisecond}
			switch rapid.IntRange(0, 2).Draw(t, "limit") {
			case 1:
				u.Annex = Options{"IxnServer": {"max-submitted-interactions": fmt.Sprint(rapid.IntRange(1, 3).Draw(t, "max"))}}
			case 2:
				u.Annex = Options{"IxnServer": {"max-submission-rate": fmt.Sprintf("%d/second", rapid.IntRange(1, 4).Draw(t, "rate"))}}
			}
			cfg.Apps = append(cfg.Apps, u)
		}
		cfg.Apps = append(cfg.Apps, churnConfig(nil).Apps[3:]...)
		cfg.Strategies[0].ActivatedOn = names
		cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
		cfg.AgentGroups[0].AnswerTime = time.Duration(rapid.IntRange(1, 1500).Draw(t, "answer")) * time.Millisecond
		cfg.AgentGroups[0].Accept = rapid.Float64Range(0.5, 1).Draw(t, "accept")
		cfg.AgentGroups[0].Agents = 3
		cfg.Traffic[0].Rate = rapid.Float64Range(0.5, 6).Draw(t, "rate")
		for k := rapid.IntRange(0, 15).Draw(t, "actions"); k > 0; k-- {
			when := time.Duration(rapid.IntRange(0, 29000).Draw(t, "at")) * time.Millisecond
			u := rapid.SampledFrom(names).Draw(t, "u")
			var a Action
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0:
				a = Action{Kind: ActStop, App: u}
			case 1:
				a = Action{Kind: ActStart, App: u}
			case 2:
				a = Action{Kind: ActDeactivate, Strategy: "S", URS: []string{u}}
			default:
				a = Action{Kind: ActActivate, Strategy: "S", URS: []string{u}}
			}
			cfg.Timeline = append(cfg.Timeline, at(when, a))
		}
		sink := &fairnessSink{t: t}
		e, err := New(cfg, WithSink(sink))
		if err != nil {
			t.Fatal(err)
		}
		sink.e = e
		// Step by step, the eligibility the rings act on is always the rule's verdict now: a
		// hold that ended, a slot that freed, is seen at once.
		for e.q.len() > 0 && e.q.peek().at <= int64(cfg.Duration) {
			e.step()
			if e.q.len() > 0 && e.q.peek().at == e.now {
				continue // the instant is not over: its own timers (a hold's end) are still to run
			}
			held := map[int32]int{} // the interactions each URS holds, from their slots
			for i := range e.ixns {
				if ix := &e.ixns[i]; ix.live && ix.urs >= 0 {
					held[ix.urs]++
				}
			}
			for _, u := range e.urs {
				if u.eligible != (e.whyNot(u) == "") {
					t.Fatalf("t=%d: %s eligible=%v but the rule says %q (running %v pending %d max %d rate %v/%v pace %d armed %v dirty %v)", e.now, u.app.name, u.eligible, e.whyNot(u), u.app.running, u.pending, u.maxSub, u.rateSet, u.minGap, u.paceUntil, u.paceArmed, u.dirty)
				}
				if u.pending != held[u.app.id] {
					t.Fatalf("t=%d: %s counts %d pending, its slots say %d", e.now, u.app.name, u.pending, held[u.app.id])
				}
			}
		}
		sink.check(n)
	})
}

type fairnessSink struct {
	t     *rapid.T
	e     *Engine
	picks []fairPick
}

type fairPick struct {
	urs      int32
	eligible map[int32]bool
}

func (s *fairnessSink) Event(ev *Event, _ []byte) {
	if ev.Kind != EvToURS {
		return
	}
	st := s.e.strats[s.e.stratBy[ev.Strategy]]
	el := map[int32]bool{}
	for _, u := range s.e.urs {
		// Eligible by the rule itself, not by what the rotation holds: a URS the rotation has not
		// taken back yet is a fairness bug too. (The picked URS may already have left for its
		// limit; it was eligible at its pick.)
		if st.activated[u.idx] && s.e.whyNot(u) == "" {
			el[u.app.id] = true
		}
	}
	picked := s.e.byName[ev.URS]
	el[picked] = true
	s.picks = append(s.picks, fairPick{urs: picked, eligible: el})
}

func (s *fairnessSink) check(n int) {
	last := map[int32]int{}
	for i, p := range s.picks {
		if j, ok := last[p.urs]; ok {
			between := map[int32]bool{}
			for _, q := range s.picks[j+1 : i] {
				between[q.urs] = true
			}
			for v := range p.eligible {
				if v != p.urs && s.picks[j].eligible[v] && !between[v] {
					s.t.Fatalf("%s picked at %d and %d while %s was eligible at both and not picked between",
						s.e.apps[p.urs].name, j, i, s.e.apps[v].name)
				}
			}
		}
		last[p.urs] = i
	}
}

// Documented option semantics (README, "Semantics where the documentation is silent": URS
// eligibility), on the fly.
func TestSubmissionLimitsOnTheFly(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = 1
	cfg.AgentGroups[0].HandleTime = time.Hour // everything waits in its URS
	cfg.Traffic[0].Rate = 2
	cfg.Duration = time.Minute
	set := func(at time.Duration, v string) TimedAction {
		return TimedAction{At: at, Action: Action{Kind: ActSetOption, App: "URS_1", Section: "annex:IxnServer", Option: "max-submitted-interactions", Value: v}}
	}
	cfg.Timeline = []TimedAction{set(10*time.Second, "100"), set(20*time.Second, "3")}
	_, _, rec := run(t, cfg)
	// Lowered below what it holds: no submission to URS_1 after the change (its pending count
	// never falls, since nothing leaves it).
	after := rec.count(EvToURS, func(ev *Event) bool { return ev.URS == "URS_1" && ev.T > int64(20*time.Second) })
	if after != 0 {
		t.Fatalf("%d submissions to URS_1 after max-submitted-interactions was lowered below its pending count", after)
	}
	before := rec.count(EvToURS, func(ev *Event) bool {
		return ev.URS == "URS_1" && ev.T > int64(10*time.Second) && ev.T < int64(20*time.Second)
	})
	if before == 0 {
		t.Fatal("no submissions to URS_1 while its limit was 100")
	}
}

// handling-timeout: an agent inactive that long has the interaction revoked; it returns to its
// queue and is routed again.
func TestHandlingTimeoutRevokesAndRequeues(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Apps[0].Options = Options{"settings": {"handling-timeout": "1"}} // minutes
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = 2
	cfg.AgentGroups[0].HandleTime = 10 * time.Minute
	cfg.Traffic[0].Rate = 0.01
	cfg.Duration = 20 * time.Minute
	_, r, rec := run(t, cfg)
	revoked := rec.count(EvRevoked, func(ev *Event) bool { return ev.Reason == "handling-timeout" })
	if revoked == 0 {
		t.Fatal("no handling-timeout revocations with handle times far above the timeout")
	}
	for _, ev := range rec.events {
		if ev.Kind == EvRevoked && ev.Reason == "handling-timeout" {
			// accepted at a, revoked at a + 1 minute
			acc := rec.count(EvAccepted, func(a *Event) bool { return a.Ixn == ev.Ixn && a.T == ev.T-int64(time.Minute) })
			if acc == 0 {
				t.Fatalf("interaction %d revoked at %v, not a minute after an accept", ev.Ixn, time.Duration(ev.T))
			}
		}
	}
	if r.Interactions.Lost != 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
}

// Framework 8.5: a DAP without a DB Server connects through ODBC; its health is its own.
func TestODBCDAPHealthIsItsOwn(t *testing.T) {
	cfg := seedConfig()
	for i := range cfg.Apps {
		if cfg.Apps[i].Type == TypeDatabaseAccessPoint {
			cfg.Apps[i].DBServer = ""
		}
	}
	cfg.Timeline = []TimedAction{
		at(time.Minute, Action{Kind: ActStop, App: "DBServer_1"}), // no effect on ODBC DAPs
		at(2*time.Minute, Action{Kind: ActStop, App: "DAP_1"}),
		at(3*time.Minute, Action{Kind: ActStop, App: "DAP_2"}),
		at(4*time.Minute, Action{Kind: ActStart, App: "DAP_2"}),
	}
	cfg.Duration = 5 * time.Minute
	_, r, rec := run(t, cfg)
	fails := rec.count(EvDAPFailover, nil)
	held := rec.count(EvHeld, func(ev *Event) bool { return strings.Contains(ev.Reason, "no Database Access Point") })
	if fails == 0 || held == 0 {
		t.Fatalf("failovers %d, held %d: stopping ODBC DAPs should fail over, then hold", fails, held)
	}
	if r.DAP["DAP_1"].Failures == 0 {
		t.Fatal("DAP_1 stopped, no failure counted")
	}
	if r.Interactions.Lost != 0 {
		t.Fatalf("lost %d", r.Interactions.Lost)
	}
	first := -1
	for i, ev := range rec.events {
		if ev.Kind == EvDAPFailover {
			first = i
			break
		}
	}
	if rec.events[first].T < int64(2*time.Minute) {
		t.Fatalf("a DB Server stop affected ODBC DAPs at %v", time.Duration(rec.events[first].T))
	}
}

// A max-submission-rate set on the fly holds the URS from its last submission at once.
func TestRateSetOnTheFlyAppliesAtOnce(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Apps = append(cfg.Apps[:2], cfg.Apps[3:]...) // URS_1 alone
	cfg.Strategies[0].ActivatedOn = []string{"URS_1"}
	cfg.Traffic[0].Rate = 20
	cfg.Timeline = []TimedAction{at(10*time.Second, Action{Kind: ActSetOption, App: "URS_1", Section: "annex:IxnServer", Option: "max-submission-rate", Value: "1/second"})}
	_, _, rec := run(t, cfg)
	var last int64 = -1
	for _, ev := range rec.events {
		if ev.Kind != EvToURS {
			continue
		}
		if ev.T >= int64(10*time.Second) && ev.T-last < int64(time.Second) {
			t.Fatalf("submissions %v apart after the rate became 1/second", time.Duration(ev.T-last))
		}
		last = ev.T
	}
	if last < 0 {
		t.Fatal("no submissions after the change")
	}
}

func TestParseSubmissionRateRefusesWhatIsNoRate(t *testing.T) {
	for _, v := range []string{"NaN/second", "nan/minute", "Inf/second", "-1/second", "1e-300/second", "5e-324/second", "1001/second", "60001/minute", "fast"} {
		if _, ok := ParseSubmissionRate(v); ok {
			t.Errorf("%q accepted", v)
		}
	}
	for v, want := range map[string]time.Duration{"0": 0, "2/second": 500 * time.Millisecond, "600/minute": 100 * time.Millisecond, "0.0000001/second": 10000000 * time.Second} {
		if got, ok := ParseSubmissionRate(v); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", v, got, ok, want)
		}
	}
}

// Interactions taken back from a stopped URS were submitted before those still waiting: when a URS
// is eligible again they go first, not behind everything that arrived meanwhile.
func TestResubmissionsGoFirst(t *testing.T) {
	cfg := churnConfig(Options{"IxnServer": {"max-submitted-interactions": "3"}})
	cfg.Apps = append(cfg.Apps[:2], cfg.Apps[3:]...) // URS_1 alone
	cfg.Strategies[0].ActivatedOn = []string{"URS_1"}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].HandleTime = time.Minute
	cfg.Traffic[0].Rate = 2
	cfg.Timeline = []TimedAction{at(10*time.Second, Action{Kind: ActStop, App: "URS_1"}), at(20*time.Second, Action{Kind: ActStart, App: "URS_1"})}
	_, _, rec := run(t, cfg)
	var after []Event
	for _, ev := range rec.events {
		if ev.Kind == EvToURS && ev.T >= int64(20*time.Second) {
			after = append(after, ev)
		}
	}
	if len(after) == 0 || !after[0].Resubmission {
		t.Fatalf("first submissions after the restart: %+v", after[:min(4, len(after))])
	}
	for i := 1; i < len(after) && after[i].Resubmission; i++ {
		if after[i].Ixn < after[i-1].Ixn {
			t.Fatalf("resubmissions out of order: %d after %d", after[i].Ixn, after[i-1].Ixn)
		}
	}
}

// A URS freed by a revoke in the very event that sends the interaction back is eligible again at
// that pick: the rotation does not skip it (found from the outside: it stayed out until the event
// ended, and the next URS was picked twice in a row).
func TestRevokeFreesTheURSBeforeTheNextPick(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Apps[1].Annex = Options{"IxnServer": {"max-submitted-interactions": "1"}} // URS_1
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = 50
	cfg.AgentGroups[0].AnswerTime = 3 * time.Second
	cfg.AgentGroups[0].Accept = 0.3 // rejections send interactions back to the queue
	cfg.Traffic[0].Rate = 0.5
	_, _, rec := run(t, cfg)
	checked := 0
	last := ""
	for i, ev := range rec.events {
		if ev.Kind != EvToURS {
			continue
		}
		// The pick right after a revoke of URS_1's only interaction, in the same instant.
		if i > 0 && rec.events[i-1].Kind == EvRevoked && rec.events[i-1].T == ev.T && last == "URS_2" && prevURS(rec.events[:i], rec.events[i-1].Ixn) == "URS_1" {
			checked++
			if ev.URS != "URS_1" {
				t.Fatalf("t=%v: URS_1, freed by the revoke, was skipped: %s picked after URS_2", time.Duration(ev.T), ev.URS)
			}
		}
		last = ev.URS
	}
	if checked == 0 {
		t.Fatal("no revoke of URS_1's interaction right after a pick of URS_2: the test proves nothing")
	}
}

// prevURS is the URS the interaction was last submitted to before the events given.
func prevURS(events []Event, ixn int64) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == EvToURS && events[i].Ixn == ixn {
			return events[i].URS
		}
	}
	return ""
}

// One activate naming several URS (the Strategy Activation Wizard with several URS selected) is
// one step: the interactions that waited while no URS had the strategy are shared among them by
// the round-robin rule (attack 18, B6: before, all 20 went to the first URS named).
func TestActivateSeveralURSIsOneStep(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Traffic[0].Rate = 2
	cfg.Timeline = []TimedAction{
		at(10*time.Second, Action{Kind: ActDeactivate, Strategy: "S", URS: []string{"URS_1", "URS_2"}}),
		at(20*time.Second, Action{Kind: ActActivate, Strategy: "S", URS: []string{"URS_2", "URS_1"}}),
	}
	_, _, rec := run(t, cfg)
	var picks []string
	for _, ev := range rec.events {
		if ev.Kind == EvToURS && ev.T == int64(20*time.Second) {
			picks = append(picks, ev.URS)
		}
	}
	if len(picks) < 10 {
		t.Fatalf("%d interactions handed out at the activation: nothing to show", len(picks))
	}
	n := map[string]int{}
	for i, u := range picks {
		n[u]++
		if i > 0 && picks[i-1] == u {
			t.Fatalf("backlog of %d handed out %v: %s twice in a row while both had the strategy", len(picks), picks, u)
		}
	}
	if d := n["URS_1"] - n["URS_2"]; d < -1 || d > 1 {
		t.Fatalf("backlog split %v", n)
	}
}
