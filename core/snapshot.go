package core

import (
	"maps"
	"slices"
)

// Snapshot is an immutable picture of the engine for the console: everything a pane shows, copied
// out so the UI never reaches into engine state and never queries a database per frame.
type Snapshot struct {
	T           int64 // virtual nanoseconds
	Scenario    string
	ActiveIS    string // "" when no Interaction Server is active
	Database    string // the database the active IS uses
	Held        bool   // the IS has no DAP to its database: work is held
	Stats       Stats
	Live        LiveCounts
	ISes        []ISView
	URS         []URSView
	Strategies  []StrategyView
	Queues      []QueueView
	Groups      []GroupView
	Clusters    []ClusterView
	ESPServers  []ESPServerView
	Targets     []TargetView
	DAPs        []DAPView
	DBServers   []AppView
	Apps        []AppView // every application, configuration order
	EventCount  uint64
	HeldWrites  int
	Errors      int
	LastError   string
	Media       []string
	Databases   []string
	ParkedTotal int64
	// Damage is the account of what failures did so far: the run report's figures, under the
	// same labels (Damage.Items).
	Damage Damage
	// Completed counts the interactions closed as completed in the database the active IS uses,
	// the run report's interactions.completed (Stats.Completed also counts completions a
	// switchover has since put out of sight, and those still waiting for a DAP).
	Completed int64
	// Recorded are the interactions as the databases have them: the run report's submitted,
	// completed, queued, in URS and with agent. Live is what the IS holds in memory; the two
	// differ while writes wait for a DAP.
	Recorded Recorded
	// Service are the service figures by queue and AllQueues; Occupancy by agent group.
	Service   map[string]ServiceFigures
	Occupancy map[string]float64
	// Settings are the options set on the applications now (the scenario's, then what was set
	// since), by application in configuration order, Options tab then Annex, sections and
	// options sorted: what a `set` is compared with. Shared between snapshots: never write it.
	Settings []Setting
}

// Setting is one option set on an application.
type Setting struct {
	App     string
	Section string // as `set` writes it: "annex:NAME" for an Annex section (AnnexSection)
	Option  string
	Value   string
}

// Setting finds the value of app's section/option (section as `set` writes it) and whether
// it is set.
func (s *Snapshot) Setting(app, section, option string) (string, bool) {
	for _, v := range s.Settings {
		if v.App == app && v.Section == section && v.Option == option {
			return v.Value, true
		}
	}
	return "", false
}

// LiveCounts are the in-memory interaction counts by state.
type LiveCounts struct {
	Queued    int64
	InURS     int64
	WithAgent int64
}

// AppView is an application's name, type and whether it runs.
type AppView struct {
	Name    string
	Type    AppType
	Running bool
}

// ISView is one Interaction Server of the pair.
type ISView struct {
	AppView
	Role   string // "primary" or "backup"
	Active bool
}

// URSView is one Universal Routing Server.
type URSView struct {
	AppView
	Eligible     bool    // takes new interactions (for the strategies activated on it)
	Why          string  // why not, when not
	WhyCode      WhyCode // the same as a stable code: WhyStopped, WhyNoConnection, …
	Reserves     bool    // agent_reservation in its options and the IS Annex: it asks the arbiter
	Resubmitted  int64   // resubmissions it received
	Pending      int     // interactions pending in it (state 2)
	MaxSubmitted int64   // -1: no limit
	Submitted    int64
	Strategies   []string // activated on it
}

// StrategyView is one strategy with its row of the strategies × URS matrix.
type StrategyView struct {
	Name    string
	Waiting int // interactions waiting for an eligible URS
	Cells   []Cell
	Total   int64
}

// Cell is a strategy on one URS (same order as Snapshot.URS).
type Cell struct {
	Activated bool
	Eligible  bool // activated and the URS is eligible: in the rotation
	Submitted int64
}

// QueueView is one interaction queue.
type QueueView struct {
	Name            string
	BusinessProcess string
	Strategy        string
	Queued          int64
	InURS           int64
	WithAgent       int64
	Held            int64 // waiting at a media server or for a DAP (of the interactions it was offered)
	// Waiting counts the customers still waiting for an answer: queued or in a URS (whatever
	// their rows' writes wait for), held at a media server or by a stopped IS and not yet given
	// up. Held counts records, this counts people: an interaction an agent finished whose write
	// waits for a DAP is held, not waiting; a customer who gave up while held waits no more.
	Waiting int64
}

// GroupView is an agent group.
type GroupView struct {
	Name     string
	Agents   int
	Busy     int // agents with at least one interaction or reservation
	Load     []int64
	Capacity []int64 // total capacity by media (Snapshot.Media order)
	Waiting  int     // interactions whose URS waits for an agent
}

// ClusterView is an Application Cluster.
type ClusterView struct {
	Name    string
	Type    AppType
	Members []AppView
}

// ESPServerView is an ESP (application) server.
type ESPServerView struct {
	AppView
	Services  []string
	Requests  int64
	Faults    int64
	Misrouted int64
	Direct    bool     // a direct connection of the IS
	Clusters  []string // clusters it is a member of
	Media     bool     // also a media server (dual role)
	Parked    int      // arrivals it holds
}

// TargetView is a `via` of the strategies with the requests each server received.
type TargetView struct {
	Via     string
	Kind    string // application, type or cluster
	Servers []TargetCount
}

// TargetCount is requests addressed to a target that one server received.
type TargetCount struct {
	Server   string
	Running  bool
	Requests int64
}

// DAPView is a Database Access Point.
type DAPView struct {
	AppView
	DBServer        string // "" for a DAP that connects through ODBC (no DB Server)
	DBServerRunning bool
	Database        string // as configured now
	InUse           bool   // the active IS sends requests through it
	Up              bool   // in the IS's rotation
	Repointed       bool   // its configured database is not the one the active IS uses
	Requests        int64
	Failures        int64
}

// Snapshot copies out the engine's state.
func (e *Engine) Snapshot() *Snapshot {
	s := &Snapshot{T: e.now, Scenario: e.cfg.Name, Stats: e.stats, EventCount: e.log.count,
		HeldWrites: len(e.is.held), Errors: len(e.errs), Media: append([]string(nil), e.media...),
		Databases: append([]string(nil), e.cfg.Databases...), ParkedTotal: e.stats.Parked,
		Service: e.Service(), Occupancy: e.Occupancy()}
	if len(e.errs) > 0 {
		s.LastError = e.errs[len(e.errs)-1].Error()
	}
	if e.is.active >= 0 {
		s.ActiveIS = e.apps[e.is.active].name
		s.Database = e.is.dbName
		s.Held = e.is.dapRing.len() == 0 || e.is.pendingRestore
	}
	e.snapQueues(s)
	e.snapApps(s)
	s.Settings = e.snapSettings()
	e.snapRouting(s)
	e.snapGroups(s)
	for _, t := range e.targets {
		tv := TargetView{Via: t.via, Kind: targetKindNames[t.kind]}
		for _, c := range t.candidates {
			tv.Servers = append(tv.Servers, TargetCount{Server: e.apps[c].name, Running: e.apps[c].running, Requests: t.counts[c]})
		}
		s.Targets = append(s.Targets, tv)
	}
	return s
}

// snapQueues copies the queues: what each holds, and the customers waiting for it wherever they
// are (queued, in a URS, held by a media server, held for a DAP).
func (e *Engine) snapQueues(s *Snapshot) {
	for _, q := range e.queues {
		s.Queues = append(s.Queues, QueueView{Name: q.name, BusinessProcess: q.bp, Strategy: e.strats[q.strategy].name,
			Queued: q.counts[StateQueued], InURS: q.counts[StateInURS], WithAgent: q.counts[StateWithAgent]})
		s.Live.Queued += q.counts[StateQueued]
		s.Live.InURS += q.counts[StateInURS]
		s.Live.WithAgent += q.counts[StateWithAgent]
	}
	s.Damage, s.Completed, s.Recorded = e.Damage(), e.completedInUse(), e.recorded()
	for c, d := range e.damageByClass() {
		s.Queues[c/2].Held += d.atMedia + d.heldDAP
	}
	for i := range s.Queues {
		s.Queues[i].Waiting = s.Queues[i].Queued + s.Queues[i].InURS
	}
	stillWaiting := func(patienceAt int64) bool { return patienceAt <= 0 || patienceAt > e.now }
	for _, a := range e.apps {
		for _, p := range a.parked {
			if stillWaiting(p.patienceAt) {
				s.Queues[e.traffic[p.traffic].queue].Waiting++
			}
		}
	}
	for _, c := range e.svc.carry {
		if c.flags&svcOpen != 0 && stillWaiting(c.patienceAt) {
			s.Queues[c.origin].Waiting++
		}
	}
}

// snapSettings lists the options set on the applications (Snapshot.Settings), made again only
// after a set.
func (e *Engine) snapSettings() []Setting {
	if e.settingsOK {
		return e.settings
	}
	var out []Setting
	add := func(a *app, tab Options, annex bool) {
		for _, sec := range slices.Sorted(maps.Keys(tab)) {
			for _, opt := range slices.Sorted(maps.Keys(tab[sec])) {
				name := sec
				if annex {
					name = AnnexSection(sec)
				}
				out = append(out, Setting{App: a.name, Section: name, Option: opt, Value: tab[sec][opt]})
			}
		}
	}
	for _, a := range e.apps {
		add(a, a.opts, false)
		add(a, a.annex, true)
	}
	e.settings, e.settingsOK = out, true
	return out
}

// snapApps copies the applications, by kind: Interaction Servers, DB Servers, DAPs, ESP servers
// (with their clusters).
func (e *Engine) snapApps(s *Snapshot) {
	clusterOf := map[int32][]string{}
	for _, c := range e.clust {
		cv := ClusterView{Name: c.name, Type: c.typ}
		for _, m := range c.members {
			cv.Members = append(cv.Members, e.appView(m))
			clusterOf[m] = append(clusterOf[m], c.name)
		}
		s.Clusters = append(s.Clusters, cv)
	}
	direct := map[string]bool{}
	for _, c := range e.isConnections() {
		direct[c] = true
	}
	inUse := map[int32]bool{}
	for _, d := range e.is.daps {
		inUse[d] = true
	}
	for _, a := range e.apps {
		av := e.appView(a.id)
		s.Apps = append(s.Apps, av)
		switch {
		case a.typ == TypeInteractionServer:
			role := "primary"
			if a.id == e.is.backup {
				role = "backup"
			}
			s.ISes = append(s.ISes, ISView{AppView: av, Role: role, Active: a.id == e.is.active})
		case a.typ == TypeDBServer:
			s.DBServers = append(s.DBServers, av)
		case a.typ == TypeDatabaseAccessPoint:
			s.DAPs = append(s.DAPs, DAPView{AppView: av, DBServer: e.nameOf(a.dbServer),
				DBServerRunning: a.dbServer < 0 || e.apps[a.dbServer].running, Database: a.database, InUse: inUse[a.id],
				Up: e.is.dapRing.contains(a.id), Repointed: e.is.dbName != "" && a.database != e.is.dbName,
				Requests: a.requests, Failures: a.failures})
		case a.typ.IsESP():
			sv := ESPServerView{AppView: av, Services: a.cfg.Services, Requests: a.espRequests, Faults: a.espFaults,
				Misrouted: a.misrouted, Direct: direct[a.name], Clusters: clusterOf[a.id], Media: a.typ.IsMedia(),
				Parked: len(a.parked)}
			s.ESPServers = append(s.ESPServers, sv)
		}
	}
}

// snapRouting copies the URS and the strategies' rotations.
func (e *Engine) snapRouting(s *Snapshot) {
	for _, u := range e.urs {
		code, why := e.ineligibleReason(u)
		uv := URSView{AppView: e.appView(u.app.id), Eligible: u.eligible, Why: why, WhyCode: code, Reserves: u.reserves,
			Pending: u.pending, MaxSubmitted: u.maxSub, Submitted: u.submitted, Resubmitted: u.resubmitted}
		for _, st := range u.activated {
			uv.Strategies = append(uv.Strategies, e.strats[st].name)
		}
		s.URS = append(s.URS, uv)
	}
	for _, st := range e.strats {
		sv := StrategyView{Name: st.name, Waiting: st.waiting.len() + st.resubWaiting.len(), Cells: make([]Cell, len(e.urs))}
		for _, u := range e.urs {
			n := st.routed[u.idx]
			sv.Cells[u.idx] = Cell{Activated: st.activated[u.idx], Eligible: st.activated[u.idx] && u.eligible, Submitted: n}
			sv.Total += n
		}
		s.Strategies = append(s.Strategies, sv)
	}
}

// snapGroups copies the agent groups: load and capacity by media, busy agents, waiting work.
func (e *Engine) snapGroups(s *Snapshot) {
	nm := len(e.media)
	for _, g := range e.groups {
		gv := GroupView{Name: g.name, Agents: int(g.n), Load: make([]int64, nm), Capacity: make([]int64, nm)}
		for a := g.first; a < g.first+g.n; a++ {
			busy := false
			for m := 0; m < nm; m++ {
				l := e.am[int(a)*nm+m].load
				gv.Load[m] += int64(l)
				if l > 0 {
					busy = true
				}
			}
			if busy {
				gv.Busy++
			}
		}
		for m := 0; m < nm; m++ {
			gv.Capacity[m] = int64(g.capacity[m]) * int64(g.n)
			gv.Waiting += g.nWaiting[m]
		}
		s.Groups = append(s.Groups, gv)
	}
}

func (e *Engine) appView(id int32) AppView {
	a := e.apps[id]
	return AppView{Name: a.name, Type: a.typ, Running: a.running}
}
