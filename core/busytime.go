package core

import (
	"fmt"
	"math"
	"time"
)

// AgentTime is what an agent's time per interaction is made of, in seconds. A ringing agent is
// not free, nor one the arbiter holds for a reserving URS: a planner who enters the WFM handle
// time as `handle_time` gets a busier centre than an Erlang calculator given the same AHT, by
// exactly these delays. PerInteraction is the AHT an Erlang calculator needs.
type AgentTime struct {
	// Reservation is the IS arbiter's request-collection-time, which every route of a reserving
	// URS waits out while the agent is held for it (0 when no URS reserves).
	Reservation float64 `json:"reservation"`
	// Ring is the group's answer_time: the invite rings at the agent before it is answered.
	Ring float64 `json:"ring"`
	// Handling is the group's handle_time (the mean).
	Handling float64 `json:"handling"`
	// Rejected is the time spent on the invites the agent rejects, per interaction it accepts:
	// with accept p, (1−p)/p rejected invites each, every one of them the reservation, the ring,
	// and — the reservation lingering after the reject until reservation-time after its grant —
	// the rest of reservation-time, during which the arbiter holds the agent (and occupancy
	// counts it busy). 0 when every invite is accepted.
	Rejected       float64 `json:"rejected"`
	PerInteraction float64 `json:"per_interaction"`
}

// AgentTimes returns each agent group's time per interaction, from the configuration in force.
func (e *Engine) AgentTimes() map[string]AgentTime {
	reserves := false
	for _, u := range e.urs {
		reserves = reserves || u.reserves
	}
	out := make(map[string]AgentTime, len(e.groups))
	for _, g := range e.groups {
		t := AgentTime{Ring: float64(g.answer) / 1e9, Handling: g.handleMean / 1e9}
		if reserves {
			t.Reservation = float64(e.is.collectTime) / 1e9
		}
		if p := g.accept; p > 0 && p < 1 {
			each := t.Reservation + t.Ring
			if reserves {
				each = t.Reservation + max(t.Ring, float64(e.is.reservationTime)/1e9)
			}
			t.Rejected = (1 - p) / p * each
		}
		t.PerInteraction = t.Reservation + t.Ring + t.Handling + t.Rejected
		out[g.name] = t
	}
	return out
}

// steadyStateWarnings says when the service figures are not those of a steady state. A run starts
// empty: its agents fill up over about one time per interaction h, and a busy group's queue
// settles over the relaxation time of an M/M/c queue with its c agents and load ρ,
// h / (c·(1−√ρ)²) — a rule of thumb for any design. With τ the longer of the two, the start-up
// deficit decays like e^(−t/τ); over the time measured, from the warm-up w to the end E, it is on
// average τ·(e^(−w/τ) − e^(−E/τ))/(E − w): for that share of the time, customers who would have
// waited in the steady state find an agent free. How many would have waited is Erlang C's
// probability of waiting C(c, ρc): about C times that share of the customers find an agent free
// who would wait in the steady state — none at a light load, where nobody waits either way, and
// fewer the longer the warm-up. Above 1% the report says so, and what would do: a warm-up of 3τ
// and 10τ measured.
//
// ρ is the group's load: the work its agents accepted over the run (accepted × time per
// interaction / (c·E)), not its measured busy share: a run's empty start leans the busy share low, and more so
// without a warm-up, so a rule on it would warn less the less warm-up there is.
func (e *Engine) steadyStateWarnings(occ map[string]float64, at map[string]AgentTime) []string {
	var out []string
	warm := time.Duration(e.svc.occFrom)
	for i := range e.queues {
		warm = min(warm, time.Duration(e.svc.warmup[i]))
	}
	measured := time.Duration(e.now) - warm
	if measured <= 0 {
		return nil
	}
	for gi, g := range e.groups {
		h := at[g.name].PerInteraction
		if g.n == 0 || h <= 0 {
			continue
		}
		rho := occ[g.name]
		if e.now > 0 && e.svc.accepted[gi] > 0 {
			rho = min(1, float64(e.svc.accepted[gi])*h/(float64(g.n)*float64(e.now)/1e9))
		}
		if rho <= 0 {
			continue
		}
		if rho >= 0.98 {
			out = append(out, fmt.Sprintf("group %s has a load of %.0f%%: its queue grows without a steady state, and the figures depend on the run's length (add agents or lower the load)", g.name, 100*min(rho, 1)))
			continue
		}
		tau := max(h, h/(float64(g.n)*math.Pow(1-math.Sqrt(rho), 2)))
		pWait := probWait(int(g.n), rho*float64(g.n))
		end := float64(e.now) / 1e9
		lean := pWait * tau * (math.Exp(-warm.Seconds()/tau) - math.Exp(-end/tau)) / measured.Seconds()
		if lean <= 0.01 {
			continue
		}
		d := func(s float64) time.Duration { return time.Duration(s * 1e9) }
		out = append(out, fmt.Sprintf("not a steady state: group %s (%d agents at a load of %.0f%%, %s an interaction; %.0f%% of customers wait in its steady state) settles over about %s, so with a warm-up of %s and %s measured about %.0f%% of customers find an agent free who would wait in its steady state: the figures lean better than a steady state's (a run starts empty); use a warm-up of %s and measure %s or more",
			g.name, g.n, 100*rho, roundDur(d(h)), 100*pWait, roundDur(d(tau)), roundDur(warm), roundDur(measured), 100*lean, roundUp(d(3*tau)), roundUp(d(10*tau))))
	}
	return out
}

// probWait is Erlang C: the probability that an arrival waits in M/M/c with offered load a < c,
// through Erlang B's recursion (stable for any c).
func probWait(c int, a float64) float64 {
	if a >= float64(c) {
		return 1
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(c) * b / (float64(c) - a*(1-b))
}

// roundUp rounds a duration up, as roundDur's units go: advice errs on the safe side.
func roundUp(d time.Duration) time.Duration {
	unit := time.Second
	if d >= 10*time.Minute {
		unit = time.Minute
	}
	return (d + unit - 1).Truncate(unit)
}

// roundDur rounds a duration for a person: to the second under 10 minutes, else to the minute.
func roundDur(d time.Duration) time.Duration {
	if d < 10*time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Minute)
}
