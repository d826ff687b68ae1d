package core

import "fmt"

// Report is the run report of SCENARIOS.md ("Run report"). Field names are the user contract.
type Report struct {
	Scenario       string                        `json:"scenario"`
	Seed           uint64                        `json:"seed"`
	VirtualSeconds float64                       `json:"virtual_seconds"`
	Interactions   InteractionCounts             `json:"interactions"`
	Routing        map[string]map[string]int64   `json:"routing"`
	ESP            map[string]map[string]int64   `json:"esp"`
	ESPFaults      ESPFaults                     `json:"esp_faults"`
	DAP            map[string]DAPCounts          `json:"dap"`
	Databases      map[string]DatabaseCounts     `json:"databases"`
	Agents         AgentCounts                   `json:"agents"`
	Service        map[string]ServiceFigures     `json:"service"`   // by queue, and _all
	Occupancy      map[string]float64            `json:"occupancy"` // by agent group
	URSShare       map[string]map[string]float64 `json:"urs_share"` // strategy -> URS -> share of its submissions
	Expectations   []ExpectationResult           `json:"expectations"`
	Warnings       []string                      `json:"warnings,omitempty"`
	Errors         []string                      `json:"errors,omitempty"`
	EventsSHA256   string                        `json:"events_sha256,omitempty"` // "" with WithoutEventLog
	Events         uint64                        `json:"events"`
}

// InteractionCounts: submitted counts rows committed in any database; the state counts and lost
// come from the database the active Interaction Server uses.
type InteractionCounts struct {
	Submitted      int64 `json:"submitted"`
	Completed      int64 `json:"completed"`
	Abandoned      int64 `json:"abandoned"` // closed with abandoned_at: the customer gave up
	Queued         int64 `json:"queued"`
	InURS          int64 `json:"in_urs"`
	WithAgent      int64 `json:"with_agent"`
	Lost           int64 `json:"lost"`
	LostOpen       int64 `json:"lost_open"` // of those, still open (not completed) in another database
	Resubmitted    int64 `json:"resubmitted"`
	Revoked        int64 `json:"revoked"`
	WaitingAtMedia int64 `json:"waiting_at_media"`
	Held           int64 `json:"held"` // interactions whose state changes wait for a DAP to reach the database
	// StaleRestored are rows a restore (switch-back, restart) put back to work although their
	// interaction had been finished (or was being finished) by an agent under another IS.
	StaleRestored int64  `json:"stale_restored"`
	Database      string `json:"database"`
}

// ESPFaults counts faulted ESP requests by cause.
type ESPFaults struct {
	Misrouted   int64 `json:"misrouted"`
	Unavailable int64 `json:"unavailable"`
	Timeout     int64 `json:"timeout"`
}

// DAPCounts are a Database Access Point's requests and failures.
type DAPCounts struct {
	Requests int64  `json:"requests"`
	Failures int64  `json:"failures"`
	Database string `json:"database"`
}

// DatabaseCounts are read from one logical database.
type DatabaseCounts struct {
	Interactions int64 `json:"interactions"`
	Queued       int64 `json:"queued"`
	InURS        int64 `json:"in_urs"`
	WithAgent    int64 `json:"with_agent"`
	Completed    int64 `json:"completed"`
	Abandoned    int64 `json:"abandoned"`
}

// AgentCounts are the arbiter's figures, and the times agents were pushed past their capacity.
type AgentCounts struct {
	Reservations int64 `json:"reservations"`
	Denied       int64 `json:"denied"`
	Prolonged    int64 `json:"prolonged"` // reservations renewed by the URS holding them (reject-subsequent-request: false)
	DoubleBooked int64 `json:"double_booked"`
	// OverCapacity counts every delivery or restore that pushed an agent past its capacity:
	// double bookings, and interactions a restore put back on a full agent.
	OverCapacity int64 `json:"over_capacity"`
}

// ExpectationResult is one `expect` line evaluated against the report.
type ExpectationResult struct {
	Expect string  `json:"expect"`
	OK     bool    `json:"ok"`
	Actual float64 `json:"actual"`
	Error  string  `json:"error,omitempty"`
}

// Report builds the run report now. Database figures are read from the databases.
func (e *Engine) Report() (*Report, error) {
	r := &Report{
		Scenario: e.cfg.Name, Seed: e.cfg.Seed, VirtualSeconds: float64(e.now) / 1e9,
		Routing: map[string]map[string]int64{}, ESP: map[string]map[string]int64{},
		DAP: map[string]DAPCounts{}, Databases: map[string]DatabaseCounts{},
		Expectations: []ExpectationResult{},
		EventsSHA256: e.EventsSHA256(), Events: e.log.count,
	}
	for _, db := range e.cfg.Databases {
		d, err := e.dbs.Database(db)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", db, err)
		}
		if err := d.Flush(); err != nil {
			return nil, fmt.Errorf("flush database %s: %w", db, err)
		}
		c, err := d.Counts()
		if err != nil {
			return nil, fmt.Errorf("read database %s: %w", db, err)
		}
		r.Databases[db] = DatabaseCounts{Interactions: c.Rows, Queued: c.Queued, InURS: c.InURS, WithAgent: c.WithAgent, Completed: c.Completed, Abandoned: c.Abandoned}
		r.Interactions.Submitted += c.Rows
		// A customer who gave up is abandoned whichever database closed the row: never lost.
		r.Interactions.Abandoned += c.Abandoned
	}
	if e.is.db != nil {
		c := r.Databases[e.is.dbName]
		r.Interactions.Database = e.is.dbName
		r.Interactions.Completed, r.Interactions.Queued = c.Completed, c.Queued
		r.Interactions.InURS, r.Interactions.WithAgent = c.InURS, c.WithAgent
	}
	ic := &r.Interactions
	ic.Lost = ic.Submitted - ic.Completed - ic.Abandoned - ic.Queued - ic.InURS - ic.WithAgent
	for name, c := range r.Databases {
		if name != ic.Database {
			ic.LostOpen += c.Queued + c.InURS + c.WithAgent
		}
	}
	ic.Resubmitted, ic.Revoked, ic.WaitingAtMedia = e.stats.Resubmitted, e.stats.Revoked, e.stats.Parked
	ic.Held = int64(e.heldInteractions())
	for _, st := range e.strats {
		m := map[string]int64{}
		for _, u := range e.urs {
			if st.activated[u.idx] || st.routed[u.idx] > 0 {
				m[u.app.name] = st.routed[u.idx]
			}
		}
		r.Routing[st.name] = m
	}
	for _, t := range e.targets {
		m := map[string]int64{}
		for _, c := range t.candidates {
			m[e.apps[c].name] = 0
		}
		if t.kind == viaName {
			m[e.apps[t.named].name] = 0 // reachable or not: the server the strategy names
		}
		for srv, n := range t.counts {
			m[e.apps[srv].name] = n
		}
		r.ESP[t.via] = m
	}
	r.ESPFaults = ESPFaults{Misrouted: e.stats.Misrouted, Unavailable: e.stats.Unavailable, Timeout: e.stats.Timeout}
	for _, a := range e.apps {
		if a.typ == TypeDatabaseAccessPoint {
			r.DAP[a.name] = DAPCounts{Requests: a.requests, Failures: a.failures, Database: a.database}
		}
	}
	r.Service, r.Occupancy, r.URSShare = e.Service(), e.Occupancy(), e.URSShare()
	r.Agents = AgentCounts{Reservations: e.stats.Reservations, Denied: e.stats.Denied, Prolonged: e.stats.Prolonged,
		DoubleBooked: e.stats.DoubleBooked, OverCapacity: e.stats.OverCapacity}
	ic.StaleRestored = e.stats.StaleRestored
	for _, err := range e.errs {
		r.Errors = append(r.Errors, err.Error())
	}
	return r, nil
}

// heldInteractions counts the interactions whose work the Interaction Server holds because it
// cannot reach its database: state changes waiting for a DAP, and agents' completions waiting for
// the IS to read its database.
func (e *Engine) heldInteractions() int {
	seen := map[int64]bool{}
	for i := range e.is.held {
		seen[e.is.held[i].row.ID] = true
	}
	for _, w := range e.is.parkedDone {
		if ix := &e.ixns[w.slot]; ix.live && ix.gen == w.gen {
			seen[ix.id] = true
		}
	}
	return len(seen)
}
