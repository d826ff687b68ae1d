package core

import "fmt"

// holdLog follows the agents' holds from the event log alone, as a reader of the log would. A hold
// starts at delivered or restored_to_agent; it ends at completed (the interaction's current
// agent), revoked (that agent; except by handling-timeout, after which the agent goes on with the
// work), or finished_unheard (the agent finished work no Interaction Server followed). An
// interaction delivered again while the log has it on an agent leaves that agent working it
// unheard (a switchover lost it, or a restore put its row back to routing): the first hold ends at
// its finished_unheard. Every delivery or restore that takes an agent past its capacity must be
// announced (double_booked, restored_over_capacity).
type holdLog struct {
	capOf     func(agent, media string) int
	media     map[int64]string
	cur       map[int64]string // the agent the Interaction Server knows the interaction on
	on        map[string]int   // ixn|agent -> holds
	n         map[string]int   // agent|media -> holds
	announced map[int64]bool
}

func newHoldLog(capOf func(agent, media string) int) *holdLog {
	return &holdLog{capOf: capOf, media: map[int64]string{}, cur: map[int64]string{}, on: map[string]int{},
		n: map[string]int{}, announced: map[int64]bool{}}
}

// load is how many interactions of media the agent holds, by the log.
func (h *holdLog) load(agent, media string) int { return h.n[agent+"|"+media] }

// event reads one event; it returns an error when an agent goes over capacity unannounced.
func (h *holdLog) event(ev *Event) error {
	switch ev.Kind {
	case EvSubmitted:
		h.media[ev.Ixn] = ev.Media
	case EvDoubleBooked, EvRestoredOverCapacity:
		h.announced[ev.Ixn] = true
	case EvDelivered, EvRestoredToAgent:
		h.cur[ev.Ixn] = ev.Agent
		h.on[fmt.Sprint(ev.Ixn, "|", ev.Agent)]++
		k := ev.Agent + "|" + h.media[ev.Ixn]
		h.n[k]++
		announced := h.announced[ev.Ixn]
		delete(h.announced, ev.Ixn)
		if c := h.capOf(ev.Agent, h.media[ev.Ixn]); h.n[k] > c && !announced {
			return fmt.Errorf("t=%d: %s %d takes %s to %d %s, capacity %d, unannounced", ev.T, ev.Kind, ev.Ixn, ev.Agent, h.n[k], h.media[ev.Ixn], c)
		}
	case EvRevoked:
		if ev.Reason == "handling-timeout" {
			delete(h.cur, ev.Ixn)
			break
		}
		h.end(ev.Ixn, ev.Agent)
	case EvCompleted:
		if a, ok := h.cur[ev.Ixn]; ok {
			h.end(ev.Ixn, a)
		}
	case EvFinishedUnheard:
		// The work the agent went on with unheard; the agent may hold the interaction again
		// (delivered anew), which goes on.
		key := fmt.Sprint(ev.Ixn, "|", ev.Agent)
		if h.on[key] == 0 {
			return fmt.Errorf("t=%d: finished_unheard %d on %s, which the log does not have it on", ev.T, ev.Ixn, ev.Agent)
		}
		if h.on[key] > 1 || h.cur[ev.Ixn] != ev.Agent {
			h.on[key]--
			h.n[ev.Agent+"|"+h.media[ev.Ixn]]--
			break
		}
		h.end(ev.Ixn, ev.Agent)
	}
	return nil
}

// end ends the hold of the interaction on the agent the Interaction Server knows it on.
func (h *holdLog) end(ixn int64, agent string) {
	key := fmt.Sprint(ixn, "|", agent)
	if h.on[key] == 0 {
		return
	}
	if h.on[key]--; h.on[key] == 0 {
		delete(h.on, key)
	}
	h.n[agent+"|"+h.media[ixn]]--
	if h.cur[ixn] == agent {
		delete(h.cur, ixn)
	}
}
