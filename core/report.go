package core

import (
	"fmt"
	"strings"
)

// Report is the run report of docs/scenarios.md ("Run report"). Field names are the user contract.
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
	Service        map[string]ServiceFigures     `json:"service"`    // by queue, and _all
	Occupancy      map[string]float64            `json:"occupancy"`  // by agent group
	AgentTime      map[string]AgentTime          `json:"agent_time"` // by agent group: an agent's time per interaction
	URSShare       map[string]map[string]float64 `json:"urs_share"`  // strategy -> URS -> share of its submissions
	Expectations   []ExpectationResult           `json:"expectations"`
	Warnings       []string                      `json:"warnings,omitempty"`
	Errors         []string                      `json:"errors,omitempty"`
	EventsSHA256   string                        `json:"events_sha256,omitempty"` // "" with WithoutEventLog
	Events         uint64                        `json:"events"`
}

// InteractionCounts: submitted counts rows committed in any database; the state counts come from
// the database the active Interaction Server uses. The account of damage (lost, lost_open, held,
// waiting_at_media, held_for_dap, abandoned, resubmitted (resubmissions), resubmitted_interactions,
// touched, stale_restored, over_capacity)
// is the engine's Damage, checked against the databases.
type InteractionCounts struct {
	Submitted int64 `json:"submitted"`
	Completed int64 `json:"completed"`
	Queued    int64 `json:"queued"`
	InURS     int64 `json:"in_urs"`
	WithAgent int64 `json:"with_agent"`
	Revoked   int64 `json:"revoked"`
	Damage
	Database string `json:"database"`
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

// AgentCounts are the arbiter's figures (interactions.over_capacity counts every agent pushed past
// its capacity, double bookings included).
type AgentCounts struct {
	Reservations int64 `json:"reservations"`
	Denied       int64 `json:"denied"`
	Prolonged    int64 `json:"prolonged"` // reservations renewed by the URS holding them (reject-subsequent-request: false)
	DoubleBooked int64 `json:"double_booked"`
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
	}
	if e.is.db != nil {
		c := r.Databases[e.is.dbName]
		r.Interactions.Database = e.is.dbName
		r.Interactions.Completed, r.Interactions.Queued = c.Completed, c.Queued
		r.Interactions.InURS, r.Interactions.WithAgent = c.InURS, c.WithAgent
	}
	ic := &r.Interactions
	ic.Damage = e.Damage()
	ic.Revoked = e.stats.Revoked
	unwrittenLost, unwrittenAbandoned := e.unwrittenTotals()
	damageErr := checkDamage(ic, r.Databases, unwrittenLost, unwrittenAbandoned)
	if rec := e.recorded(); damageErr == nil && (rec != Recorded{Submitted: ic.Submitted, Completed: ic.Completed, Queued: ic.Queued, InURS: ic.InURS, WithAgent: ic.WithAgent}) {
		// The console shows the engine's count of the rows (Snapshot.Recorded) under the
		// report's labels: it must be what the databases say.
		damageErr = fmt.Errorf("the databases disagree with the engine's count of the rows: submitted %d, completed %d, queued %d, in URS %d, with agent %d in the databases; %+v counted as the rows were written",
			ic.Submitted, ic.Completed, ic.Queued, ic.InURS, ic.WithAgent, rec)
	}
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
	r.Service, r.Occupancy, r.URSShare, r.AgentTime = e.Service(), e.Occupancy(), e.URSShare(), e.AgentTimes()
	r.Warnings = append(r.Warnings, e.steadyStateWarnings(r.Occupancy, r.AgentTime)...)
	r.Warnings = append(r.Warnings, lossWarnings(r.Service[AllQueues], ic.Damage)...)
	r.Agents = AgentCounts{Reservations: e.stats.Reservations, Denied: e.stats.Denied, Prolonged: e.stats.Prolonged,
		DoubleBooked: e.stats.DoubleBooked}
	for _, err := range e.errs {
		r.Errors = append(r.Errors, err.Error())
	}
	if damageErr != nil {
		r.Errors = append(r.Errors, damageErr.Error())
	}
	return r, nil
}

// checkDamage holds the engine's account of damage to what the databases say (docs/scenarios.md:
// lost is computed from the databases, never assumed): a row a database lost, or one written
// behind the engine's back, shows as an error of the run. The databases cannot know the
// interactions whose first row never reached one (held for a database that went out of use):
// those are given.
func checkDamage(ic *InteractionCounts, dbs map[string]DatabaseCounts, unwrittenLost, unwrittenAbandoned int64) error {
	abandoned, lostOpen, lostFinished := unwrittenAbandoned, int64(0), int64(0)
	for name, c := range dbs {
		// A customer who gave up is abandoned whichever database closed the row: never lost.
		abandoned += c.Abandoned
		if name != ic.Database {
			lostOpen += c.Queued + c.InURS + c.WithAgent
			lostFinished += c.Completed
		}
	}
	lost := ic.Submitted - ic.Completed - (abandoned - unwrittenAbandoned) - ic.Queued - ic.InURS - ic.WithAgent + unwrittenLost
	if lost != ic.Lost || lostOpen != ic.LostOpen || abandoned != ic.Abandoned || lostFinished != ic.LostFinished {
		return fmt.Errorf("the databases disagree with the engine's account of damage: lost %d (%d still open, %d finished, %d never written), abandoned %d in the databases; %d (%d, %d, %d), %d counted as the rows were written",
			lost, lostOpen, lostFinished, unwrittenLost, abandoned, ic.Lost, ic.LostOpen, ic.LostFinished, ic.LostUnwritten, ic.Abandoned)
	}
	return nil
}

// LossWarnShare is the share of the offered interactions lost, or still held at the end, above
// which the report warns: a service level read alone would hide that much damage.
const LossWarnShare = 0.05

// lossWarnings say when a run lost or still holds a large share of its offered work: the service
// level counts only those lost before an answer against it, so "99% answered in time" can stand
// beside half the records gone.
func lossWarnings(all ServiceFigures, d Damage) []string {
	offered := all.Offered + all.Excluded
	if offered <= 0 {
		return nil
	}
	var out []string
	if share := float64(d.Lost) / float64(offered); share >= LossWarnShare {
		var parts []string
		for _, p := range []struct {
			n    int64
			what string
		}{{d.LostOpen, "still open in another database (never finished)"}, {d.LostFinished, "finished out of the active IS's sight"},
			{d.LostUnwritten, "never written to a database"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
			}
		}
		out = append(out, fmt.Sprintf("the run lost %d of the %d interactions offered (%.0f%%): %s; the service level counts only those lost before an answer against it, so read it with the damage line",
			d.Lost, offered, 100*share, strings.Join(parts, ", ")))
	}
	if share := float64(d.Held) / float64(offered); share >= LossWarnShare {
		out = append(out, fmt.Sprintf("%d of the %d interactions offered (%.0f%%) are still held at the end (%d waiting at a media server, %d for a DAP): the run ends before their outcome is known",
			d.Held, offered, 100*share, d.WaitingAtMedia, d.HeldForDAP))
	}
	return out
}
