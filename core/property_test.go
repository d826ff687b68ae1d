package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// invariantSink checks, from the event log alone, what must hold in any topology and any fault
// timeline: nothing is submitted twice, nothing goes to a URS that is stopped or does not have the
// strategy loaded, and no agent is ever over capacity unannounced — switchovers, restores and
// re-pointed DAPs included: the log shows every hold (holdLog), and its count is the engine's.
type invariantSink struct {
	t         *rapid.T
	running   map[string]bool
	activated map[string]bool // strategy|urs
	submitted map[int64]bool
	completed map[int64]bool
	holds     *holdLog
	capOf     map[string]map[string]int
	group     map[string]string // agent -> group
	viaResv   map[int64]bool    // interactions whose routing was granted a reservation (until they leave the agent)
	ursOf     map[int64]string
	lastGrant map[string]int64 // agent|media -> when a request for it was last granted (or renewed)
	eng       *Engine
	epoch     int           // Interaction Server activations (switchovers, starts) so far
	routedIn  map[int64]int // the epoch an interaction was last delivered in
	recent    []string      // the last lines of the log, shown with a failure
}

// fatalf fails with the end of the log so far.
func (s *invariantSink) fatalf(format string, args ...any) {
	s.t.Fatalf(format+"\n%s", append(args, strings.Join(s.recent, "\n"))...)
}

func (s *invariantSink) capacity(agent, media string) int { return s.capOf[s.group[agent]][media] }

func (s *invariantSink) Event(e *Event, line []byte) {
	if s.recent = append(s.recent, string(line)); len(s.recent) > 40 {
		s.recent = s.recent[1:]
	}
	media := s.holds.media[e.Ixn]
	switch e.Kind {
	case EvAppStopped:
		s.running[e.App] = false
	case EvAppStarted:
		s.running[e.App] = true
		if s.eng.apps[s.eng.byName[e.App]].typ == TypeInteractionServer {
			s.epoch++
		}
	case EvSwitchover:
		s.epoch++
	case EvActivated:
		s.activated[e.Strategy+"|"+e.URS] = true
	case EvDeactivated:
		s.activated[e.Strategy+"|"+e.URS] = false
	case EvSubmitted:
		if s.submitted[e.Ixn] {
			s.fatalf("interaction %d submitted twice", e.Ixn)
		}
		s.submitted[e.Ixn] = true
	case EvToURS:
		if !s.running[e.URS] {
			s.fatalf("t=%d: interaction %d sent to stopped %s", e.T, e.Ixn, e.URS)
		}
		if !s.activated[e.Strategy+"|"+e.URS] {
			s.fatalf("t=%d: interaction %d sent to %s, which does not have %s loaded", e.T, e.Ixn, e.URS, e.Strategy)
		}
		if s.completed[e.Ixn] {
			s.fatalf("completed interaction %d routed again", e.Ixn)
		}
		s.ursOf[e.Ixn] = e.URS
	case EvDoubleBooked:
		s.ursActs(e)
		// Only when the agent is really taken, as the log shows it.
		if l := s.holds.load(e.Agent, media); l < s.capacity(e.Agent, media) {
			s.fatalf("t=%d: double booking of %s announced at load %d", e.T, e.Agent, l)
		}
		// A URS never conflicts with its own routing: its own interactions alone do not fill the
		// agent (those it routed before the Interaction Server in force became active may be
		// work the agent goes on with unheard, which the URS no longer counts). And a double
		// booking always involves a URS that does not reserve: the one routing now, or one whose
		// interaction the agent holds (two reserving URS never get the same agent). Work the
		// agent goes on with unheard counts as not reserved.
		byOther := !s.viaResv[e.Ixn] // routed without a reservation (granted just before, if any)
		own, heard := 0, 0
		for ixn, a := range s.holds.cur {
			if a != e.Agent || s.holds.media[ixn] != media {
				continue
			}
			heard++
			if s.ursOf[ixn] == e.URS && s.routedIn[ixn] == s.epoch {
				own++
			}
			if !s.viaResv[ixn] {
				byOther = true
			}
		}
		if heard < s.holds.load(e.Agent, media) {
			byOther = true
		}
		if capacity := s.capacity(e.Agent, media); own >= capacity {
			s.fatalf("t=%d: %s double-booked %s, which its own interactions fill (%d of %d)", e.T, e.URS, e.Agent, own, capacity)
		}
		if !byOther {
			s.fatalf("t=%d: reserving %s double-booked %s, which holds only reserved interactions", e.T, e.URS, e.Agent)
		}
	case EvReserved, EvProlonged:
		s.viaResv[e.Ixn] = true
		s.lastGrant[e.Agent+"|"+media] = e.T
		s.ursActs(e)
	case EvReserveDenied:
		s.ursActs(e)
		// A denial is a collision: another request for the agent was granted in the same
		// collection window, or while this one was on its way (the URS's step_time). A reserving
		// URS sees reservations at once, so it never asks for an agent it can see reserved.
		g, ok := s.lastGrant[e.Agent+"|"+media]
		if step := s.eng.apps[s.eng.byName[e.URS]].urs.stepTime; !ok || e.T-g > step {
			s.fatalf("t=%d: %s denied %s for interaction %d, last granted at %d (ok %v): it could see the reservation", e.T, e.URS, e.Agent, e.Ixn, g, ok)
		}
	case EvRestoredToAgent:
		delete(s.viaResv, e.Ixn) // a restore onto an agent reserves nothing
	case EvRevoked, EvCompleted:
		delete(s.viaResv, e.Ixn)
		if e.Kind == EvCompleted {
			if s.completed[e.Ixn] {
				s.fatalf("interaction %d completed twice", e.Ixn)
			}
			s.completed[e.Ixn] = true
		}
	}
	if err := s.holds.event(e); err != nil {
		s.fatalf("%v", err)
	}
	switch e.Kind {
	case EvDelivered, EvRestoredToAgent:
		s.routedIn[e.Ixn] = s.epoch
		// The log's count of the agent's holds is the engine's: no hold starts or ends unlogged.
		if ag, ok := s.eng.agentBy[e.Agent]; ok {
			l := s.eng.am[int(ag)*len(s.eng.media)+int(s.eng.mediaBy[media])].load
			if int(l) != s.holds.load(e.Agent, media) {
				s.fatalf("t=%d: %s holds %d %s by the engine, %d by the log", e.T, e.Agent, l, media, s.holds.load(e.Agent, media))
			}
		}
		// Reservations alone never exceed the agent's capacity (those of the arbiter in force:
		// the interactions delivered before it became active may be lost to it).
		capacity := s.capacity(e.Agent, media)
		reserved := 0
		for ixn, a := range s.holds.cur {
			if a == e.Agent && s.holds.media[ixn] == media && s.viaResv[ixn] && s.routedIn[ixn] == s.epoch {
				reserved++
			}
		}
		if reserved > capacity {
			s.fatalf("t=%d: agent %s holds %d reserved interactions, capacity %d", e.T, e.Agent, reserved, capacity)
		}
		if ag, ok := s.eng.agentBy[e.Agent]; ok {
			if r := s.eng.am[int(ag)*len(s.eng.media)+int(s.eng.mediaBy[media])].resv; int(r) > capacity {
				s.fatalf("t=%d: the arbiter holds %d reservations of %s, capacity %d", e.T, r, e.Agent, capacity)
			}
		}
	}
}

// ursActs: a URS reserves, is denied or routes only while it runs (attack 16, B14: a stopped URS
// was handed the agent its stop freed, and revoked, again and again at the same instant).
func (s *invariantSink) ursActs(e *Event) {
	if e.URS != "" && !s.running[e.URS] {
		s.fatalf("t=%d: %s %s for interaction %d while stopped", e.T, e.URS, e.Kind, e.Ixn)
	}
}

// genConfig draws a random deployment: 1–6 URS, random activations and options, ESP through names,
// types and clusters, 1–3 DAPs, agent groups, traffic and a timeline of faults and operator actions.
// With hazard, the timeline also re-points DAPs (the identity guard drawn), restarts Interaction
// Servers and handling-timeout may revoke: interactions are lost by design, agents go on with work
// no IS follows, switch-backs restore stale rows.
func genConfig(t *rapid.T, hazard bool) Config {
	nURS := rapid.IntRange(1, 6).Draw(t, "urs")
	nDAP := rapid.IntRange(1, 3).Draw(t, "daps")
	nStrat := rapid.IntRange(1, 4).Draw(t, "strategies")
	cfg := Config{Name: "prop", Seed: rapid.Uint64().Draw(t, "seed"), Duration: 3 * time.Minute, Databases: []string{"ixn", "other"}}
	isConn := []string{}
	annex := map[string]string{}
	var urs []string
	for i := 0; i < nDAP; i++ {
		db, dap := fmt.Sprintf("DBServer_%d", i+1), fmt.Sprintf("DAP_%d", i+1)
		cfg.Apps = append(cfg.Apps, AppConfig{Name: db, Type: TypeDBServer},
			AppConfig{Name: dap, Type: TypeDatabaseAccessPoint, DBServer: db, Database: "ixn"})
		isConn = append(isConn, dap)
	}
	for i := 0; i < nURS; i++ {
		name := fmt.Sprintf("URS_%d", i+1)
		urs = append(urs, name)
		ar := rapid.SampledFrom([]string{"true", "true", "true", "false"}).Draw(t, "ar")
		u := AppConfig{Name: name, Type: TypeRoutingServer, Connections: []string{"IS"},
			Options:   Options{"default": {"agent_reservation": ar}},
			StepTime:  time.Duration(rapid.IntRange(1, 500).Draw(t, "step")) * time.Millisecond,
			StatDelay: time.Duration(rapid.IntRange(1, 1000).Draw(t, "statdelay")) * time.Millisecond}
		u.Annex = Options{"IS": {}}
		if rapid.Bool().Draw(t, "limit") {
			u.Annex["IS"]["max-submitted-interactions"] = fmt.Sprint(rapid.IntRange(1, 20).Draw(t, "max"))
		}
		if rapid.Bool().Draw(t, "ratelimit") {
			u.Annex["IS"]["max-submission-rate"] = fmt.Sprintf("%d/second", rapid.IntRange(0, 20).Draw(t, "rate"))
		}
		annex[name] = rapid.SampledFrom([]string{"true", "true", "false"}).Draw(t, "annex")
		cfg.Apps = append(cfg.Apps, u)
	}
	cfg.Apps = append(cfg.Apps,
		AppConfig{Name: "Class_1", Type: TypeClassificationServer}, AppConfig{Name: "Class_2", Type: TypeClassificationServer},
		AppConfig{Name: "Mail_1", Type: TypeEmailServer}, AppConfig{Name: "Chat_1", Type: TypeChatServer},
		AppConfig{Name: "Fax_1", Type: TypeThirdPartyServer, Services: []string{"fax"}},
		AppConfig{Name: "Fax_2", Type: TypeThirdPartyServer, Services: []string{"fax"}},
		AppConfig{Name: "IM_1", Type: TypeThirdPartyServer, Services: []string{"im"}})
	isConn = append(isConn, "Class_1", "Class_2", "Mail_1", "Fax_1", "IM_1")
	backup := ""
	if rapid.Bool().Draw(t, "backup") {
		backup = "IS_B"
		cfg.Apps = append(cfg.Apps, AppConfig{Name: "IS_B", Type: TypeInteractionServer})
	}
	cfg.Apps = append(cfg.Apps, AppConfig{Name: "IS", Type: TypeInteractionServer, Backup: backup, Connections: isConn,
		Options: Options{"settings": {"delivering-timeout": fmt.Sprint(rapid.IntRange(1, 30).Draw(t, "dt")),
			"verify-database-identity": fmt.Sprint(!hazard || rapid.Bool().Draw(t, "guard"))},
			"agent-reservation": {"reject-subsequent-request": rapid.SampledFrom([]string{"true", "false"}).Draw(t, "rsr"),
				"reservation-time":        fmt.Sprint(rapid.IntRange(1, 15000).Draw(t, "rt")),
				"request-collection-time": fmt.Sprint(rapid.IntRange(0, 300).Draw(t, "rct"))}},
		Annex: Options{"agent_reservation": annex}})
	cfg.Clusters = []ClusterConfig{{Name: "FaxCluster", Members: []string{"Fax_1"}}}
	cfg.AgentGroups = []AgentGroupConfig{
		{Name: "G1", Agents: rapid.IntRange(1, 10).Draw(t, "g1"), Capacity: []MediaCapacity{{"email", 1}, {"chat", 2}},
			HandleTime: time.Duration(rapid.IntRange(1, 60).Draw(t, "h1")) * time.Second,
			AnswerTime: time.Duration(rapid.IntRange(0, 5).Draw(t, "a1")) * time.Second, Accept: rapid.Float64Range(0.2, 1).Draw(t, "acc")},
		{Name: "G2", Agents: rapid.IntRange(1, 10).Draw(t, "g2"), Capacity: []MediaCapacity{{"email", 2}},
			HandleTime: 10 * time.Second, AnswerTime: time.Second, Accept: 1},
	}
	vias := []string{"ClassificationServer", "Class_1", "ThirdPartyServer", "FaxCluster", "Mail_1", "EmailServer"}
	for i := 0; i < nStrat; i++ {
		st := StrategyConfig{Name: fmt.Sprintf("S%d", i+1)}
		for _, u := range urs {
			if rapid.Bool().Draw(t, "act") {
				st.ActivatedOn = append(st.ActivatedOn, u)
			}
		}
		for k := rapid.IntRange(0, 2).Draw(t, "nsteps"); k > 0; k-- {
			v := rapid.SampledFrom(vias).Draw(t, "via")
			switch rapid.IntRange(0, 2).Draw(t, "stepkind") {
			case 0:
				st.Steps = append(st.Steps, Step{Kind: StepClassify, Via: v, Categories: []Category{{"x", 1}, {"y", 2}}})
			case 1:
				st.Steps = append(st.Steps, Step{Kind: StepESP, Via: v, Service: "fax", Method: "send"})
			default:
				st.Steps = append(st.Steps, Step{Kind: StepAutoresponse, Via: v})
			}
		}
		switch rapid.IntRange(0, 3).Draw(t, "last") {
		case 0:
			st.Steps = append(st.Steps, Step{Kind: StepStop})
		case 1:
			st.Steps = append(st.Steps, Step{Kind: StepRoute, ByCategory: []CategoryRoute{{"x", "G2"}}, Default: "G1"})
		default:
			st.Steps = append(st.Steps, Step{Kind: StepRoute, Group: "G1"})
		}
		cfg.Strategies = append(cfg.Strategies, st)
		cfg.Queues = append(cfg.Queues, QueueConfig{Name: fmt.Sprintf("q%d", i+1), BusinessProcess: "BP", Strategy: st.Name})
	}
	for i := range cfg.Queues {
		cfg.Traffic = append(cfg.Traffic, TrafficConfig{Media: rapid.SampledFrom([]string{"email", "chat"}).Draw(t, "media"),
			From: rapid.SampledFrom([]string{"Mail_1", "Chat_1"}).Draw(t, "from"), Queue: cfg.Queues[i].Name,
			Rate: rapid.Float64Range(0.1, 5).Draw(t, "rate")})
	}
	apps := []string{"Class_1", "Class_2", "Mail_1", "Chat_1", "Fax_1", "Fax_2", "IM_1", "IS"}
	apps = append(apps, urs...)
	for i := 1; i <= nDAP; i++ {
		apps = append(apps, fmt.Sprintf("DBServer_%d", i))
	}
	if hazard && rapid.Bool().Draw(t, "ht") {
		cfg.Apps[len(cfg.Apps)-1].Options["settings"]["handling-timeout"] = fmt.Sprintf("%ds", rapid.IntRange(5, 60).Draw(t, "htv"))
	}
	kinds := 6
	if hazard {
		kinds = 9
	}
	for k := rapid.IntRange(0, 12).Draw(t, "actions"); k > 0; k-- {
		when := time.Duration(rapid.IntRange(0, 170).Draw(t, "at")) * time.Second
		var a Action
		switch rapid.IntRange(0, kinds).Draw(t, "action") {
		case 7:
			a = Action{Kind: ActRepoint, App: fmt.Sprintf("DAP_%d", rapid.IntRange(1, nDAP).Draw(t, "dap")),
				Database: rapid.SampledFrom([]string{"ixn", "other"}).Draw(t, "db")}
		case 8:
			a = Action{Kind: ActRestart, App: rapid.SampledFrom([]string{"IS", backup}).Draw(t, "is")}
			if a.App == "" {
				a.App = "IS"
			}
		case 9:
			a = Action{Kind: ActSwitchover, App: "IS"}
		case 0:
			a = Action{Kind: ActStop, App: rapid.SampledFrom(apps).Draw(t, "app")}
		case 1:
			a = Action{Kind: ActStart, App: rapid.SampledFrom(apps).Draw(t, "app")}
		case 2, 3:
			kind := ActActivate
			if rapid.Bool().Draw(t, "deact") {
				kind = ActDeactivate
			}
			a = Action{Kind: kind, Strategy: rapid.SampledFrom(cfg.Strategies).Draw(t, "s").Name, URS: []string{rapid.SampledFrom(urs).Draw(t, "u")}}
		case 4:
			a = Action{Kind: ActSetOption, App: rapid.SampledFrom(urs).Draw(t, "u"), Section: "default", Option: "agent_reservation",
				Value: rapid.SampledFrom([]string{"true", "false"}).Draw(t, "v")}
		case 5:
			a = Action{Kind: ActSwitchover, App: "IS"}
		default:
			kind := ActJoin
			if rapid.Bool().Draw(t, "leave") {
				kind = ActLeave
			}
			a = Action{Kind: kind, Cluster: "FaxCluster", App: rapid.SampledFrom([]string{"Fax_1", "Fax_2"}).Draw(t, "m")}
		}
		cfg.Timeline = append(cfg.Timeline, TimedAction{At: when, Action: a})
	}
	return cfg
}

func TestPropertyNothingLostNoOverbooking(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkRun(t, genConfig(t, false), true) })
}

// TestPropertyHoldsThroughSwitchovers: with re-pointed DAPs, restarts and switch-backs the log alone
// still shows every hold of every agent — the work lost to a switchover and finished unheard,
// re-adopted by a switch-back, restored stale — and its count is the engine's (attack 18, B4).
func TestPropertyHoldsThroughSwitchovers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkRun(t, genConfig(t, true), false) })
}

// checkRun runs cfg with the invariant sink; whole checks the databases against the log too
// (nothing lost, one row per submission), which a timeline that loses interactions by design
// cannot pass.
func checkRun(t *rapid.T, cfg Config, whole bool) {
	{
		sink := &invariantSink{t: t, running: map[string]bool{}, activated: map[string]bool{}, submitted: map[int64]bool{},
			completed: map[int64]bool{}, capOf: map[string]map[string]int{}, group: map[string]string{},
			viaResv: map[int64]bool{}, ursOf: map[int64]string{}, lastGrant: map[string]int64{}, routedIn: map[int64]int{}}
		sink.holds = newHoldLog(sink.capacity)
		for _, a := range cfg.Apps {
			sink.running[a.Name] = true
		}
		for _, s := range cfg.Strategies {
			for _, u := range s.ActivatedOn {
				sink.activated[s.Name+"|"+u] = true
			}
		}
		e, err := New(cfg, WithSink(sink))
		if err != nil {
			t.Fatal(err)
		}
		sink.eng = e
		for _, g := range cfg.AgentGroups {
			sink.capOf[g.Name] = map[string]int{}
			for _, c := range g.Capacity {
				sink.capOf[g.Name][c.Media] = c.Max
			}
		}
		for a := range int32(e.nAgents) {
			sink.group[e.agentName(a)] = e.groupOf(a).name
		}
		e.RunUntil(int64(cfg.Duration))
		r, err := e.Report()
		if err != nil {
			t.Fatal(err)
		}
		if !whole {
			return
		}
		if r.Interactions.Lost != 0 {
			t.Fatalf("lost %d: %+v", r.Interactions.Lost, r.Interactions)
		}
		// Every accepted interaction has exactly one row; every submission event was committed
		// or is still waiting for a DAP.
		if int64(len(sink.submitted)) != r.Interactions.Submitted+int64(heldInserts(e)) {
			t.Fatalf("%d submitted events, %d rows, %d held", len(sink.submitted), r.Interactions.Submitted, heldInserts(e))
		}
		if int64(len(sink.completed)) < r.Interactions.Completed {
			t.Fatalf("database has %d completed, log %d", r.Interactions.Completed, len(sink.completed))
		}
		// The engine's in-memory picture agrees with the database when no write is held and the
		// active IS has read its database (with no DAP up it cannot until one returns).
		if len(e.is.held) == 0 && e.is.active >= 0 && !e.is.pendingRestore {
			s := e.Snapshot()
			if s.Live.Queued+s.Live.InURS+s.Live.WithAgent != r.Interactions.Queued+r.Interactions.InURS+r.Interactions.WithAgent {
				t.Fatalf("memory %+v vs database %+v", s.Live, r.Interactions)
			}
		}
	}
}

// heldInserts counts interactions whose first row is still waiting for a DAP.
func heldInserts(e *Engine) int {
	db, _ := e.dbs.Database("ixn")
	seen := map[int64]bool{}
	n := 0
	for _, h := range e.is.held {
		if _, ok := db.(*MemDatabase).Row(h.row.ID); !ok && !seen[h.row.ID] {
			seen[h.row.ID] = true
			n++
		}
	}
	return n
}
