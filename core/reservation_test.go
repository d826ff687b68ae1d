package core

import (
	"fmt"
	"testing"
	"time"
)

// booking is a double booking as the event log shows it: the URS whose routing pushed the agent
// past capacity, and the interactions the agent already held, with the URS that routed each and
// whether its routing was granted a reservation.
type booking struct {
	ev      Event
	holders []holding
}

type holding struct {
	ixn     int64
	urs     string
	viaResv bool
}

// doubleBookings reads every double booking from the log alone.
func doubleBookings(events []Event) []booking {
	ursOf := map[int64]string{}
	resv := map[int64]bool{}
	media := map[int64]string{}
	on := map[string][]int64{} // agent|media -> interactions delivered there, in order
	drop := func(ixn int64) {
		for k, list := range on {
			for i, x := range list {
				if x == ixn {
					on[k] = append(list[:i:i], list[i+1:]...)
					return
				}
			}
		}
	}
	var out []booking
	for _, ev := range events {
		switch ev.Kind {
		case EvSubmitted:
			media[ev.Ixn] = ev.Media
		case EvToURS:
			ursOf[ev.Ixn] = ev.URS
		case EvReserved, EvProlonged:
			resv[ev.Ixn] = true
		case EvDoubleBooked:
			b := booking{ev: ev}
			for _, x := range on[ev.Agent+"|"+media[ev.Ixn]] {
				b.holders = append(b.holders, holding{ixn: x, urs: ursOf[x], viaResv: resv[x]})
			}
			out = append(out, b)
		case EvDelivered:
			k := ev.Agent + "|" + media[ev.Ixn]
			on[k] = append(on[k], ev.Ixn)
		case EvRevoked, EvCompleted:
			delete(resv, ev.Ixn)
			drop(ev.Ixn)
		}
	}
	return out
}

// singleURS is the audit's deployment: one URS, one group of agents, e-mail at rate per second.
func singleURS(agents int, rate float64, handle time.Duration) Config {
	cfg := churnConfig(nil)
	cfg.Apps = append(cfg.Apps[:2], cfg.Apps[3:]...) // URS_1 only
	cfg.Apps[0].Annex = Options{"agent_reservation": {"URS_1": "true"}}
	cfg.Strategies[0].ActivatedOn = []string{"URS_1"}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = agents
	cfg.AgentGroups[0].HandleTime = handle
	cfg.Traffic[0].Rate = rate
	cfg.Duration = 10 * time.Minute
	return cfg
}

// A URS counts its own request from the moment it sends it until the arbiter answers (the
// collection window included), so one reserving URS never asks an agent twice and is never denied
// against itself. (Before, 0–7 denials a seed on this deployment, every one against URS_1 itself.)
func TestSingleReservingURSIsNeverDenied(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		cfg := singleURS(10, 1.5, 5*time.Second)
		cfg.Seed = seed
		_, r, rec := run(t, cfg)
		if r.Agents.Reservations < 700 {
			t.Fatalf("seed %d: only %d reservations", seed, r.Agents.Reservations)
		}
		if r.Agents.Denied != 0 {
			t.Fatalf("seed %d: a lone reserving URS was denied %d times", seed, r.Agents.Denied)
		}
		if n := rec.count(EvReserveDenied, nil); n != 0 {
			t.Fatalf("seed %d: %d reserve_denied events", seed, n)
		}
	}
}

// TReserveAgent's reject-subsequent-request, both values. An agent rejects half its invites: the
// interaction goes back to its queue while the reservation URS_1 was granted lingers
// (reservation-time, 10 s). URS_1 sees its own reservation, so it is never denied:
//   - true (the default): a subsequent request of the same client would fail, so URS_1 leaves
//     the agent alone until the reservation ends — the next grant of the agent comes at least
//     reservation-time after the lingering one's;
//   - false: URS_1 asks again at once and renews (prolongs) its reservation.
func TestRejectSubsequentRequest(t *testing.T) {
	for _, tc := range []struct {
		reject string
	}{{"true"}, {"false"}} {
		t.Run("reject-subsequent-request="+tc.reject, func(t *testing.T) {
			cfg := singleURS(1, 0.05, 5*time.Second)
			cfg.AgentGroups[0].Accept = 0.5
			cfg.AgentGroups[0].AnswerTime = time.Second
			cfg.Apps[0].Options = Options{"agent-reservation": {"reject-subsequent-request": tc.reject}}
			_, r, rec := run(t, cfg)
			rejected := rec.count(EvRevoked, func(ev *Event) bool { return ev.Reason == "rejected" })
			if rejected < 5 {
				t.Fatalf("only %d rejections: nothing to show", rejected)
			}
			if n := rec.count(EvProlonged, nil); int64(n) != r.Agents.Prolonged {
				t.Fatalf("%d reservation_prolonged events, report says %d", n, r.Agents.Prolonged)
			}
			if r.Agents.Denied != 0 {
				t.Fatalf("the lone URS was denied %d times: it sees its own reservation", r.Agents.Denied)
			}
			// The grant of the agent's reservation that lingers, and how the next one came.
			const reservationTime = int64(10 * time.Second)
			var grant, lingerFrom int64 = -1, -1
			waited, renewed := 0, 0
			for _, ev := range rec.events {
				switch ev.Kind {
				case EvReserved:
					if lingerFrom >= 0 {
						if ev.T < lingerFrom+reservationTime {
							t.Fatalf("t=%d: Agents/1 granted again while the reservation of %d lingers", ev.T, lingerFrom)
						}
						waited++
					}
					grant, lingerFrom = ev.T, -1
				case EvProlonged:
					if lingerFrom < 0 || ev.T >= lingerFrom+reservationTime {
						t.Fatalf("t=%d: prolonged with no lingering reservation", ev.T)
					}
					renewed++
					grant, lingerFrom = ev.T, -1
				case EvRevoked:
					if ev.Reason == "rejected" {
						lingerFrom = grant
					}
				}
			}
			switch tc.reject {
			case "true":
				if r.Agents.Prolonged != 0 || waited == 0 {
					t.Fatalf("prolonged %d, %d grants after a lingering reservation ended: URS_1 must wait it out", r.Agents.Prolonged, waited)
				}
			case "false":
				if r.Agents.Prolonged == 0 || renewed != int(r.Agents.Prolonged) {
					t.Fatalf("prolonged %d (%d in the log): the same URS must renew its reservation", r.Agents.Prolonged, renewed)
				}
			}
			checkCapacity(t, cfg, rec.events)
		})
	}
}

// Another URS's request for an agent whose reservation lingers is denied, whatever
// reject-subsequent-request says: the option concerns the client holding the reservation.
func TestLingeringReservationDeniesOthers(t *testing.T) {
	cfg := churnConfig(nil)
	cfg.Apps[0].Options = Options{"agent-reservation": {"reject-subsequent-request": "false"}}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = 1
	cfg.AgentGroups[0].HandleTime = 5 * time.Second
	cfg.AgentGroups[0].Accept = 0.5
	cfg.AgentGroups[0].AnswerTime = time.Second
	cfg.Traffic[0].Rate = 0.05
	cfg.Duration = 20 * time.Minute
	_, r, rec := run(t, cfg)
	if r.Agents.Prolonged == 0 || r.Agents.Denied == 0 {
		t.Fatalf("prolonged %d, denied %d: want both (the holder renews, the other URS is refused)", r.Agents.Prolonged, r.Agents.Denied)
	}
	// A denial while a reservation lingers goes to the URS that does not hold it.
	holder := map[string]string{} // agent -> URS whose reservation lingers
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvReserved, EvProlonged:
			holder[ev.Agent] = ev.URS
		case EvReserveDenied:
			if h := holder[ev.Agent]; h == ev.URS {
				t.Fatalf("t=%d: %s denied its own lingering reservation of %s with reject-subsequent-request false", ev.T, ev.URS, ev.Agent)
			}
		}
	}
	checkCapacity(t, cfg, rec.events)
}

// TestForgottenURSDoubleBooksAtSaturation is the audit's deployment: three URS share 8 agents and
// URS_3 lacks agent_reservation. When agents are short the hazard is largest: a freed agent is
// seen by every waiting URS after its stat delay; the reserving ones ask the IS (which grants one),
// URS_3 routes to it directly, and the agent gets two. Every double booking is counted, logged,
// and involves URS_3.
func TestForgottenURSDoubleBooksAtSaturation(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		min  int64
	}{{1, 20}, {0.3, 0}} {
		t.Run(fmt.Sprintf("rate=%g", tc.rate), func(t *testing.T) {
			cfg := forgottenURS(tc.rate)
			_, r, rec := run(t, cfg)
			bs := doubleBookings(rec.events)
			if int64(len(bs)) != r.Agents.DoubleBooked || r.Interactions.OverCapacity != r.Agents.DoubleBooked {
				t.Fatalf("%d double_booked events, report double_booked %d, over_capacity %d", len(bs), r.Agents.DoubleBooked, r.Interactions.OverCapacity)
			}
			if r.Agents.DoubleBooked < tc.min {
				t.Fatalf("rate %g: %d double bookings, want at least %d", tc.rate, r.Agents.DoubleBooked, tc.min)
			}
			for _, b := range bs {
				involved := b.ev.URS == "URS_3"
				for _, h := range b.holders {
					involved = involved || h.urs == "URS_3"
				}
				if !involved {
					t.Fatalf("t=%d: double booking of %s by %s without URS_3 (holders %+v)", b.ev.T, b.ev.Agent, b.ev.URS, b.holders)
				}
			}
			checkCapacity(t, cfg, rec.events)
			t.Logf("rate %g: %d double bookings of %d submitted, %d denials", tc.rate, r.Agents.DoubleBooked, r.Interactions.Submitted, r.Agents.Denied)
		})
	}
	// Saturation shows the hazard more than light load does.
	_, sat, _ := run(t, forgottenURS(1))
	_, light, _ := run(t, forgottenURS(0.3))
	if sat.Agents.DoubleBooked <= light.Agents.DoubleBooked {
		t.Fatalf("saturated %d double bookings, light load %d: the hazard must be largest when agents are short", sat.Agents.DoubleBooked, light.Agents.DoubleBooked)
	}
}

func forgottenURS(rate float64) Config {
	cfg := churnConfig(nil)
	r3 := cfg.Apps[2]
	r3.Name, r3.Options = "URS_3", nil
	cfg.Apps = append(cfg.Apps[:3], append([]AppConfig{r3}, cfg.Apps[3:]...)...)
	cfg.Strategies[0].ActivatedOn = []string{"URS_1", "URS_2", "URS_3"}
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0].Agents = 8
	cfg.AgentGroups[0].HandleTime = 10 * time.Second
	cfg.Traffic[0].Rate = rate
	cfg.Duration = 10 * time.Minute
	return cfg
}

// A URS that does not reserve never double-books against its own routing, even beside several
// others that do not reserve either: its own interactions never fill the agent it routes to.
// (Before, a URS remembered only the last router of each agent.)
func TestNonReservingURSNeverConflictsWithItself(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		cfg := churnConfig(nil)
		cfg.Seed = seed
		cfg.Apps = cfg.Apps[:1]
		var names []string
		for i := 1; i <= 4; i++ {
			name := fmt.Sprintf("URS_%d", i)
			names = append(names, name)
			cfg.Apps = append(cfg.Apps, AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IxnServer"},
				StepTime: time.Duration(10*i) * time.Millisecond})
		}
		cfg.Apps = append(cfg.Apps, churnConfig(nil).Apps[3:]...)
		cfg.Apps[0].Annex = nil
		cfg.Strategies[0].ActivatedOn = names
		cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
		cfg.AgentGroups[0].Agents = 6
		cfg.AgentGroups[0].Capacity = []MediaCapacity{{"email", 2}}
		cfg.AgentGroups[0].HandleTime = 3 * time.Second
		cfg.AgentGroups[0].AnswerTime = 50 * time.Millisecond
		cfg.Traffic[0].Rate = 4
		cfg.Duration = 5 * time.Minute
		_, r, rec := run(t, cfg)
		if r.Agents.DoubleBooked == 0 {
			t.Fatalf("seed %d: no double booking among four URS that do not reserve", seed)
		}
		for _, b := range doubleBookings(rec.events) {
			own := 0
			for _, h := range b.holders {
				if h.urs == b.ev.URS {
					own++
				}
			}
			if own >= 2 {
				t.Fatalf("seed %d t=%d: %s double-booked %s, which its own interactions filled (%+v)", seed, b.ev.T, b.ev.URS, b.ev.Agent, b.holders)
			}
		}
		checkCapacity(t, cfg, rec.events)
	}
}

// lingering is the outside test's deployment (attack 18, t1.yaml): one reserving URS, three agents
// of capacity 2 that reject half their invites, so reservations linger (reservation-time, 10 s)
// while customers wait.
func lingering(reject string) Config {
	cfg := singleURS(3, 1, 20*time.Second)
	cfg.Seed = 3
	cfg.AgentGroups[0].Capacity = []MediaCapacity{{"email", 2}}
	cfg.AgentGroups[0].AnswerTime = 3 * time.Second
	cfg.AgentGroups[0].Accept = 0.5
	if reject != "" {
		cfg.Apps[0].Options = Options{"agent-reservation": {"reject-subsequent-request": reject}}
	}
	return cfg
}

// A reserving URS sees reservations at once — its own lingering ones too — so it never asks for an
// agent it can see is reserved: a single reserving URS is never denied, whatever
// reject-subsequent-request says. (Before: 54416 denials in 10 minutes with the default, the URS
// asking for Desk/1 and Desk/2 in turn every step_time while their reservations lingered; 4 with
// false, where two requests of URS_1 met its own lingering reservation in one collection window.)
// With false the URS renews its lingering reservations; with true it leaves the agent alone until
// the reservation ends.
func TestLingeringReservationIsNoPollingLoop(t *testing.T) {
	for _, reject := range []string{"true", "false"} {
		t.Run("reject-subsequent-request="+reject, func(t *testing.T) {
			cfg := lingering(reject)
			_, r, rec := run(t, cfg)
			rejected := rec.count(EvRevoked, func(ev *Event) bool { return ev.Reason == "rejected" })
			if rejected < 50 || r.Agents.Reservations < 100 {
				t.Fatalf("%d rejections, %d reservations: nothing to show", rejected, r.Agents.Reservations)
			}
			if r.Agents.Denied != 0 {
				t.Fatalf("a lone reserving URS was denied %d times", r.Agents.Denied)
			}
			switch reject {
			case "true":
				if r.Agents.Prolonged != 0 {
					t.Fatalf("prolonged %d with reject-subsequent-request true", r.Agents.Prolonged)
				}
			case "false":
				if r.Agents.Prolonged == 0 {
					t.Fatal("URS_1 never renewed its lingering reservations")
				}
			}
			checkCapacity(t, cfg, rec.events)
		})
	}
}

// contention is the bundled reservation-contention deployment (four reserving URS, 30 agents of
// capacity 2, step_time 100 ms) with agents that reject 40% of their invites (attack 18, rc2.yaml):
// reservations linger while customers wait.
func contention() Config {
	cfg := churnConfig(nil)
	cfg.Seed = 17
	cfg.Duration = 3 * time.Minute
	cfg.Apps = cfg.Apps[:1]
	annex := map[string]string{}
	var names []string
	for i := 1; i <= 4; i++ {
		name := fmt.Sprintf("URS_%d", i)
		names = append(names, name)
		annex[name] = "true"
		cfg.Apps = append(cfg.Apps, AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IxnServer"},
			Options: Options{"default": {"agent_reservation": "true"}}, StepTime: 100 * time.Millisecond})
	}
	cfg.Apps = append(cfg.Apps, churnConfig(nil).Apps[3:]...)
	cfg.Apps[0].Annex = Options{"agent_reservation": annex}
	cfg.Strategies[0].ActivatedOn = names
	cfg.Strategies[0].Steps = []Step{{Kind: StepRoute, Group: "Agents"}}
	cfg.AgentGroups[0] = AgentGroupConfig{Name: "Agents", Agents: 30, Capacity: []MediaCapacity{{"email", 2}},
		HandleTime: 27 * time.Second, AnswerTime: time.Second, Accept: 0.6}
	cfg.Traffic[0].Rate = 2
	return cfg
}

// Denials stay meaningful with lingering reservations: every denial is a collision — the agent was
// granted to another request in the same collection window, or while the denied request was on
// its way (within the URS's step_time) — never a request for an agent the URS could see reserved.
// (Before: 30610 denials for 360 interactions, one interaction denied 534 times, most for agents
// whose reservations were granted seconds earlier.)
func TestDenialsAreCollisions(t *testing.T) {
	cfg := contention()
	_, r, rec := run(t, cfg)
	if r.Agents.Denied == 0 || r.Agents.Reservations < 300 {
		t.Fatalf("denied %d, reservations %d: no contention to show", r.Agents.Denied, r.Agents.Reservations)
	}
	step := int64(100 * time.Millisecond)
	lastGrant := map[string]int64{}
	per := map[int64]int{}
	for _, ev := range rec.events {
		switch ev.Kind {
		case EvReserved, EvProlonged:
			lastGrant[ev.Agent] = ev.T
		case EvReserveDenied:
			per[ev.Ixn]++
			g, ok := lastGrant[ev.Agent]
			if !ok || ev.T-g > step {
				t.Fatalf("t=%d: %s denied %s for interaction %d, last granted at %d: it could see the reservation", ev.T, ev.URS, ev.Agent, ev.Ixn, g)
			}
		}
	}
	// Each grant of a freed agent is asked for by at most the four URS: fewer than three denials
	// a grant, and none of the interactions is denied without end.
	if d := float64(r.Agents.Denied) / float64(r.Agents.Reservations+r.Agents.Prolonged); d >= 3 {
		t.Fatalf("%.2f denials a grant, with four URS", d)
	}
	most := 0
	for _, n := range per {
		most = max(most, n)
	}
	if most > 30 {
		t.Fatalf("an interaction denied %d times", most)
	}
	t.Logf("%d denials for %d interactions (%d grants); at most %d for one interaction", r.Agents.Denied, r.Interactions.Submitted, r.Agents.Reservations+r.Agents.Prolonged, most)
	checkCapacity(t, cfg, rec.events)
}
