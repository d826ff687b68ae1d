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
// settles over the relaxation time of an M/M/c queue with its c agents and measured occupancy ρ,
// h / (c·(1−√ρ)²) — a rule of thumb for any design. With τ the longer of the two, the start-up
// deficit decays like e^(−t/τ), so figures over T measured after a warm-up w lean better than the
// steady state by roughly (τ/T)·e^(−w/τ); above 1% the report says so, and what would do: a
// warm-up of 3τ and 10τ measured (about 0.5%).
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
	for _, g := range e.groups {
		rho, h := occ[g.name], at[g.name].PerInteraction
		if g.n == 0 || h <= 0 || rho <= 0 {
			continue
		}
		if rho >= 0.98 {
			out = append(out, fmt.Sprintf("group %s is %.0f%% busy: its queue grows without a steady state, and the figures depend on the run's length (add agents or lower the load)", g.name, 100*rho))
			continue
		}
		tau := max(h, h/(float64(g.n)*math.Pow(1-math.Sqrt(rho), 2)))
		lean := tau / measured.Seconds() * math.Exp(-warm.Seconds()/tau)
		if lean <= 0.01 {
			continue
		}
		d := func(s float64) time.Duration { return time.Duration(s * 1e9) }
		how := fmt.Sprintf("roughly %.0f%%", 100*lean)
		if lean >= 0.5 {
			how = "far"
		}
		out = append(out, fmt.Sprintf("not a steady state: group %s (%d agents, %.0f%% busy, %s an interaction) settles over about %s, so a warm-up of %s and %s measured lean %s better than its steady state (a run starts empty); use a warm-up of %s and measure %s or more",
			g.name, g.n, 100*rho, roundDur(d(h)), roundDur(d(tau)), roundDur(warm), roundDur(measured), how, roundUp(d(3*tau)), roundUp(d(10*tau))))
	}
	return out
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
