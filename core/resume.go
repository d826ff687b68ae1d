package core

import (
	"crypto/sha256"
	"encoding"
	"fmt"
	"math/rand/v2"
	"time"
)

// ResumeState is what a restart needs beyond the interaction databases: where virtual time was,
// which operator actions had been applied (they are replayed to rebuild the configuration as it
// was), which IS was active on which database, and the event log's position. A store saves it at
// each commit, after the interaction rows, so it never claims more than the databases hold.
type ResumeState struct {
	T            int64           `json:"t"`
	Seed         uint64          `json:"seed"`
	Applied      []AppliedAction `json:"applied"`
	TimelineDone int             `json:"timeline_done"`
	ActiveIS     string          `json:"active_is"`
	Database     string          `json:"database"`
	NextID       int64           `json:"next_id"`
	Events       uint64          `json:"events"`
	LogHash      []byte          `json:"log_hash"` // the SHA-256 state of the event log so far
	Stats        Stats           `json:"stats"`
	Parked       []ParkedState   `json:"parked,omitempty"`
	// Counters are the report's running figures (routing per strategy and URS, ESP per target and
	// server, DAP requests and failures), keyed "routing/S/U", "esp/V/X", "app/NAME/FIGURE".
	Counters map[string]int64 `json:"counters,omitempty"`
}

// AppliedAction is an operator action applied at virtual time T.
type AppliedAction struct {
	T      int64  `json:"t"`
	Action Action `json:"action"`
}

// ParkedState is an arrival a media server still holds.
type ParkedState struct {
	From     string `json:"from"`
	Traffic  int32  `json:"traffic"`
	Received int64  `json:"received"`
}

// Applied lists the actions applied so far, in order (timeline and console alike).
func (e *Engine) Applied() []AppliedAction { return e.applied }

// ResumeState captures the engine now. Call it when the databases have every write made so far.
func (e *Engine) ResumeState() (ResumeState, error) {
	st := ResumeState{T: e.now, Seed: e.cfg.Seed, Applied: append([]AppliedAction(nil), e.applied...),
		TimelineDone: e.timelineDone, NextID: e.nextID, Events: e.log.count, Stats: e.stats, Database: e.is.dbName}
	if e.is.active >= 0 {
		st.ActiveIS = e.apps[e.is.active].name
	}
	e.log.sha256() // drain the hasher so its state is complete
	h, err := e.log.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return st, fmt.Errorf("event log hash state: %w", err)
	}
	st.LogHash = h
	for _, a := range e.apps {
		for _, p := range a.parked {
			st.Parked = append(st.Parked, ParkedState{From: a.name, Traffic: p.traffic, Received: p.received})
		}
	}
	st.Counters = map[string]int64{}
	e.counters(func(key string, v *int64) {
		if *v != 0 {
			st.Counters[key] = *v
		}
	})
	return st, nil
}

// counters visits every running figure a restart must carry over, by a stable key.
func (e *Engine) counters(fn func(key string, v *int64)) {
	for _, st := range e.strats {
		for _, u := range e.urs {
			fn("routing/"+st.name+"/"+u.app.name, &st.routed[u.idx])
		}
	}
	for _, u := range e.urs {
		fn("app/"+u.app.name+"/submitted", &u.submitted)
		fn("app/"+u.app.name+"/resubmitted", &u.resubmitted)
	}
	for _, t := range e.targets {
		// Every ESP server, not only today's candidates: a server that left a cluster keeps the
		// requests it served through it.
		for _, a := range e.apps {
			if !a.typ.IsESP() {
				continue
			}
			n := t.counts[a.id]
			fn("esp/"+t.via+"/"+a.name, &n)
			if n != 0 {
				t.counts[a.id] = n
			}
		}
	}
	for _, a := range e.apps {
		fn("app/"+a.name+"/requests", &a.requests)
		fn("app/"+a.name+"/failures", &a.failures)
		fn("app/"+a.name+"/esp_requests", &a.espRequests)
		fn("app/"+a.name+"/esp_faults", &a.espFaults)
		fn("app/"+a.name+"/misrouted", &a.misrouted)
	}
}

// Resume rebuilds an engine at the state saved by ResumeState, on the databases given with
// WithDatabases: the configuration is replayed quietly, then the IS that was active restores its
// database — queued interactions are routed, those that were in a URS are resubmitted, those with
// agents complete — as a backup does after a switchover. Traffic and the timeline go on from T.
// Randomness after the restart is drawn from the seed and T, so a resumed run is deterministic too
// (though not identical to a run that never stopped).
func Resume(cfg Config, st ResumeState, opts ...Option) (*Engine, error) {
	cfg.Seed = st.Seed
	e := &Engine{cfg: &cfg}
	for _, o := range opts {
		o(e)
	}
	if e.dbs == nil {
		return nil, fmt.Errorf("resume needs the databases it was saved with")
	}
	e.rng = rand.New(rand.NewPCG(st.Seed^uint64(st.T), uint64(st.T)*0x9e3779b97f4a7c15+1))
	e.log = newEventLog()
	e.collecting = map[int32][]waitEntry{}
	if err := e.log.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.LogHash); err != nil && len(st.LogHash) > 0 {
		return nil, fmt.Errorf("event log hash state: %w", err)
	}
	if len(st.LogHash) == 0 {
		e.log.h = sha256.New()
	}
	if err := e.build(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", cfg.Name, err)
	}
	// Replay the configuration quietly, with no IS active: nothing is in memory to act on.
	e.quiet, e.replaying = true, true
	for _, a := range st.Applied {
		e.now = a.T
		if a.Action.Kind == ActSwitchover {
			e.applied = append(e.applied, a)
			continue
		}
		if err := e.Apply(a.Action); err != nil {
			e.errs = append(e.errs, fmt.Errorf("replay %s at %s: %w", a.Action.Kind, time.Duration(a.T), err))
		}
	}
	e.quiet, e.replaying = false, false
	e.counters(func(key string, v *int64) {
		if n, ok := st.Counters[key]; ok {
			*v = n
		}
	})
	e.now = st.T
	e.nextID = st.NextID
	e.stats = st.Stats
	e.stats.Parked = 0
	e.log.count = st.Events
	e.timelineDone = st.TimelineDone
	for _, p := range st.Parked {
		if id, ok := e.byName[p.From]; ok && int(p.Traffic) < len(e.traffic) {
			e.apps[id].parked = append(e.apps[id].parked, parkedArrival{traffic: p.Traffic, received: p.Received})
			e.stats.Parked++
		}
	}
	active, ok := e.byName[st.ActiveIS]
	if st.ActiveIS == "" || !ok {
		active = e.is.primary
	}
	if st.ActiveIS != "" && e.apps[active].running {
		e.is.forceDB = st.Database
		e.activateIS(active, nil)
		e.is.forceDB = ""
	}
	for i := range e.traffic {
		start := int64(e.traffic[i].cfg.Start)
		if start < e.now {
			start = e.now
		}
		e.scheduleArrival(int32(i), start)
	}
	e.scheduleTimeline(st.TimelineDone)
	return e, nil
}
