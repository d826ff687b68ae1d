package core

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// build turns the configuration into run-time state. The scenarios package has already checked
// references with positions; these checks keep an engine built from code honest too.
func (e *Engine) build() error {
	for _, part := range []func() error{e.buildApps, e.buildISPair, e.buildDAPs, e.buildMedia, e.buildClusters} {
		if err := part(); err != nil {
			return err
		}
	}
	e.buildGroups()
	e.reserveSlots()
	e.buildURS()
	e.claims = newClaimTable(e.nAgents * len(e.media) * len(e.urs)) // by agent-media and URS
	if err := e.buildRouting(); err != nil {
		return err
	}
	if err := e.buildTraffic(); err != nil {
		return err
	}
	e.refreshISOptions()
	for _, u := range e.urs {
		e.refreshURS(u)
	}
	// Activations of the file: the Strategy Activation Wizard's selection.
	for i := range e.cfg.Strategies {
		for _, name := range e.cfg.Strategies[i].ActivatedOn {
			u, err := e.ursNamed(name)
			if err != nil {
				return fmt.Errorf("strategy %s: %w", e.cfg.Strategies[i].Name, err)
			}
			e.setActivated(e.strats[i], u, true, false)
		}
	}
	e.svcBuild()
	return nil
}

// buildApps makes the applications, in configuration order, with their own copies of their
// options.
func (e *Engine) buildApps() error {
	e.byName = map[string]int32{}
	for i := range e.cfg.Apps {
		c := &e.cfg.Apps[i]
		if !c.Type.Valid() {
			return fmt.Errorf("application %s: unknown type %q", c.Name, c.Type)
		}
		if _, dup := e.byName[c.Name]; dup {
			return fmt.Errorf("application %s defined twice", c.Name)
		}
		a := &app{id: int32(len(e.apps)), name: c.Name, typ: c.Type, cfg: c, running: true,
			opts: c.Options.Clone(), annex: c.Annex.Clone(), dbServer: -1, database: c.Database,
			svcTime: durOr(c.ServiceTime, DefaultServiceTime)}
		if c.Type == TypeThirdPartyServer && len(c.Services) > 0 {
			a.services = map[string]bool{}
			for _, s := range c.Services {
				a.services[s] = true
			}
		}
		e.byName[c.Name] = a.id
		e.apps = append(e.apps, a)
	}
	return nil
}

// buildISPair finds the Interaction Server pair: the IS named as another's backup is the backup.
func (e *Engine) buildISPair() error {
	e.is = isState{primary: -1, backup: -1, active: -1}
	backups := map[string]bool{}
	for _, a := range e.apps {
		if a.typ == TypeInteractionServer && a.cfg.Backup != "" {
			backups[a.cfg.Backup] = true
		}
	}
	for _, a := range e.apps {
		if a.typ != TypeInteractionServer || backups[a.name] {
			continue
		}
		if e.is.primary >= 0 {
			return fmt.Errorf("ixlb simulates one Interaction Server (with its backup): %s and %s are both primaries",
				e.apps[e.is.primary].name, a.name)
		}
		e.is.primary = a.id
		if a.cfg.Backup != "" {
			b, ok := e.byName[a.cfg.Backup]
			if !ok || e.apps[b].typ != TypeInteractionServer {
				return fmt.Errorf("%s: backup %s is not an InteractionServer", a.name, a.cfg.Backup)
			}
			e.is.backup = b
		}
	}
	if e.is.primary < 0 {
		return fmt.Errorf("no InteractionServer application")
	}
	return nil
}

// buildDAPs links each DAP to its DB Server and checks its database.
func (e *Engine) buildDAPs() error {
	for _, a := range e.apps {
		if a.typ != TypeDatabaseAccessPoint {
			continue
		}
		// Without db_server the DAP reaches its database through ODBC (Framework 8.5 dropped
		// DB Server): its health is its own.
		if a.cfg.DBServer != "" {
			s, ok := e.byName[a.cfg.DBServer]
			if !ok || e.apps[s].typ != TypeDBServer {
				return fmt.Errorf("%s: db_server %q is not a DBServer", a.name, a.cfg.DBServer)
			}
			a.dbServer = s
		}
		if !slices.Contains(e.cfg.Databases, a.database) {
			return fmt.Errorf("%s: unknown database %q", a.name, a.database)
		}
	}
	return nil
}

// buildMedia numbers every media named by traffic or agent capacity.
func (e *Engine) buildMedia() error {
	e.mediaBy = map[string]uint8{}
	addMedia := func(m string) {
		if _, ok := e.mediaBy[m]; !ok {
			e.mediaBy[m] = uint8(len(e.media))
			e.media = append(e.media, m)
		}
	}
	for _, t := range e.cfg.Traffic {
		addMedia(t.Media)
	}
	for _, g := range e.cfg.AgentGroups {
		for _, c := range g.Capacity {
			addMedia(c.Media)
		}
	}
	if len(e.media) > 255 {
		return fmt.Errorf("too many media types (%d, at most 255)", len(e.media))
	}
	return nil
}

// buildURS makes the URS, in configuration order.
func (e *Engine) buildURS() {
	for _, a := range e.apps {
		if a.typ != TypeRoutingServer {
			continue
		}
		u := &ursState{app: a, idx: int32(len(e.urs)), stepTime: durOr(a.cfg.StepTime, DefaultStepTime),
			statDelay: durOr(a.cfg.StatDelay, DefaultStatDelay), lastSubmit: -1}
		a.urs = u
		e.urs = append(e.urs, u)
	}
}

// buildRouting makes the queues, then the strategies (a queue step names a queue).
func (e *Engine) buildRouting() error {
	e.queueBy = map[string]int32{}
	for _, q := range e.cfg.Queues {
		if _, dup := e.queueBy[q.Name]; dup {
			return fmt.Errorf("queue %s defined twice", q.Name)
		}
		e.queueBy[q.Name] = int32(len(e.queues))
		e.queues = append(e.queues, queueState{name: q.Name, bp: q.BusinessProcess, strategy: -1})
	}
	e.stratBy = map[string]int32{}
	for i := range e.cfg.Strategies {
		e.stratBy[e.cfg.Strategies[i].Name] = int32(i)
	}
	for i, q := range e.cfg.Queues {
		s, ok := e.stratBy[q.Strategy]
		if !ok {
			return fmt.Errorf("queue %s: unknown strategy %q", q.Name, q.Strategy)
		}
		e.queues[i].strategy = s
	}
	e.targBy = map[string]int32{}
	for i := range e.cfg.Strategies {
		sc := &e.cfg.Strategies[i]
		st := &strategy{id: int32(i), name: sc.Name, activated: make([]bool, len(e.urs)), routed: make([]int64, len(e.urs))}
		for j := range sc.Steps {
			s, err := e.buildStep(&sc.Steps[j])
			if err != nil {
				return fmt.Errorf("strategy %s step %d (%s): %w", sc.Name, j+1, sc.Steps[j].Kind, err)
			}
			st.steps = append(st.steps, s)
		}
		e.strats = append(e.strats, st)
	}
	return nil
}

// buildTraffic makes the traffic entries, each with its own random streams.
func (e *Engine) buildTraffic() error {
	for i := range e.cfg.Traffic {
		t := &e.cfg.Traffic[i]
		from, ok := e.byName[t.From]
		if !ok {
			return fmt.Errorf("traffic %d: unknown application %q", i+1, t.From)
		}
		q, ok := e.queueBy[t.Queue]
		if !ok {
			return fmt.Errorf("traffic %d: unknown queue %q", i+1, t.Queue)
		}
		if t.Rate <= 0 {
			return fmt.Errorf("traffic %d: rate must be positive", i+1)
		}
		stop := int64(t.Stop)
		if stop == 0 {
			stop = int64(e.cfg.Duration) // docs/scenarios.md: stop defaults to the duration
		}
		// Each traffic entry draws its arrivals, and its customers' work, from streams of its
		// own (common random numbers, stream.go).
		e.traffic = append(e.traffic, trafficState{cfg: t, from: from, queue: q, media: e.mediaBy[t.Media],
			mean: float64(time.Second) / t.Rate, stop: stop,
			rng:  stream(e.cfg.Seed, streamArrivals, uint64(i)),
			work: stream(e.cfg.Seed, streamWork, uint64(i))})
	}
	return nil
}

func (e *Engine) ursNamed(name string) (*ursState, error) {
	id, ok := e.byName[name]
	if !ok {
		return nil, fmt.Errorf("unknown application %q%s", name, DidYouMean(name, e.appNames()))
	}
	if e.apps[id].urs == nil {
		return nil, fmt.Errorf("%s is a %s, not a RoutingServer", name, e.apps[id].typ)
	}
	return e.apps[id].urs, nil
}

func (e *Engine) buildGroups() {
	e.groupBy = map[string]int32{}
	nm := len(e.media)
	size := 0
	for i := range e.cfg.AgentGroups {
		gc := &e.cfg.AgentGroups[i]
		if gc.Agents > 0 {
			size += gc.Agents * (len(gc.Name) + 1 + len(strconv.Itoa(gc.Agents)))
		}
	}
	names, num := make([]byte, 0, size), []byte(nil)
	for i := range e.cfg.AgentGroups {
		gc := &e.cfg.AgentGroups[i]
		g := &group{id: int32(i), name: gc.Name, first: int32(e.nAgents), n: int32(gc.Agents),
			capacity: make([]int32, nm), handleMean: float64(gc.HandleTime),
			answer: durOr(gc.AnswerTime, DefaultAnswerTime), accept: gc.Accept,
			free: make([][]int32, nm), settled: make([][]int32, nm), readied: make([]changeFIFO, nm), waiting: make([][]fifo, nm),
			waitURS: make([][]int32, nm), listed: make([][]bool, nm), lookAt: make([][]int64, nm), nWaiting: make([]int, nm)}
		if g.handleMean <= 0 {
			g.handleMean = float64(time.Minute)
		}
		for _, c := range gc.Capacity {
			g.capacity[e.mediaBy[c.Media]] = int32(c.Max)
		}
		e.groupBy[gc.Name] = g.id
		// Agent names are the group's and a number, zero-padded to the same width
		// ("Sales/00042"): all in one string (agentNames).
		width := len(strconv.Itoa(gc.Agents))
		g.nameAt, g.nameLen = len(names), len(gc.Name)+1+width
		for k := 0; k < gc.Agents; k++ {
			num = strconv.AppendInt(num[:0], int64(k+1), 10)
			names = append(names, gc.Name...)
			names = append(names, '/')
			for pad := width - len(num); pad > 0; pad-- {
				names = append(names, '0')
			}
			names = append(names, num...)
		}
		e.nAgents += gc.Agents
		e.groups = append(e.groups, g)
	}
	e.agentNames = string(names)
	// Most timers of the heap are handle times: its buckets are sized for the shortest mean
	// among the groups with agents (the busiest).
	mean := int64(0)
	for _, g := range e.groups {
		if h := int64(g.handleMean); g.n > 0 && (mean == 0 || h < mean) {
			mean = h
		}
	}
	if mean > 0 {
		e.q.heap.setWidth(mean)
	}
	e.am = make([]agentMedia, e.nAgents*nm)
	for _, g := range e.groups {
		for a := int(g.first); a < int(g.first+g.n); a++ {
			for m := 0; m < nm; m++ {
				e.am[a*nm+m].group = g.id
			}
		}
	}
	for k := range e.am {
		e.am[k].readyAt = readySinceStart // every URS sees the agents ready from the start
	}
	e.lingers = map[int32][]linger{}
	e.orphaned = map[int64]int64{}
	e.resubmittedIDs = map[int64]bool{}
	e.unheard = map[int64]unheardWork{}
	for _, g := range e.groups {
		for m := 0; m < nm; m++ {
			if g.capacity[m] <= 0 {
				continue
			}
			g.free[m] = make([]int32, 0, g.n)
			for a := g.first; a < g.first+g.n; a++ {
				g.free[m] = append(g.free[m], a)
			}
			g.settled[m] = append([]int32(nil), g.free[m]...) // ready from the start
		}
	}
	// freePos is global, indexed by agent, so one slice serves all groups.
	for k := range e.am {
		e.am[k].freePos, e.am[k].settledPos = -1, -1
	}
	for _, g := range e.groups {
		for m := 0; m < nm; m++ {
			for k, a := range g.free[m] {
				e.am[int(a)*nm+m].freePos = int32(k)
			}
			for k, a := range g.settled[m] {
				e.am[int(a)*nm+m].settledPos = int32(k)
			}
		}
	}
}

// reserveSlots gives the interaction slots room for what the agents can hold (at most 65,536):
// grown by doubling, the slots of a busy engine were copied, and their fresh pages faulted in,
// several times over. Room never used is never touched: fresh from the system it is address
// space, not memory.
func (e *Engine) reserveSlots() {
	n := 0
	for _, g := range e.groups {
		for _, c := range g.capacity {
			if c > 0 {
				n += int(g.n) * int(c)
			}
		}
		if n >= 1<<16 {
			break
		}
	}
	e.ixns = make([]ixn, 0, min(max(n, 1024), 1<<16))
}

func (e *Engine) buildStep(sc *Step) (step, error) {
	s := step{kind: sc.Kind, target: -1, group: -1, queue: -1, via: sc.Via, service: sc.Service, method: sc.Method}
	switch sc.Kind {
	case StepClassify, StepAutoresponse, StepESP:
		t, err := e.target(sc.Via)
		if err != nil {
			return s, err
		}
		s.target = t
		if sc.Kind == StepClassify {
			if s.service == "" {
				s.service = "classification"
			}
			if s.method == "" {
				s.method = "classify"
			}
			s.cats = sc.Categories
			for _, c := range sc.Categories {
				s.catIDs = append(s.catIDs, e.catID(c.Name))
				if c.Weight < 0 {
					return s, fmt.Errorf("category %s: negative weight", c.Name)
				}
				s.catTotal += c.Weight
			}
		}
		if sc.Kind == StepAutoresponse {
			if s.service == "" {
				s.service = "email"
			}
			if s.method == "" {
				s.method = "autoresponse"
			}
		}
	case StepRoute:
		if sc.Group != "" {
			g, ok := e.groupBy[sc.Group]
			if !ok {
				return s, fmt.Errorf("unknown agent group %q", sc.Group)
			}
			s.group = g
		}
		for _, r := range sc.ByCategory {
			g, ok := e.groupBy[r.Group]
			if !ok {
				return s, fmt.Errorf("unknown agent group %q", r.Group)
			}
			s.byCat = append(s.byCat, struct {
				cat   string
				group int32
			}{r.Category, g})
		}
		if sc.Default != "" {
			g, ok := e.groupBy[sc.Default]
			if !ok {
				return s, fmt.Errorf("unknown agent group %q", sc.Default)
			}
			s.group = g
		}
		if s.group < 0 {
			// An unmatched category (or a failed classification) must have somewhere to go.
			return s, fmt.Errorf("route needs a group, or by_category with a default group")
		}
	case StepQueue:
		q, ok := e.queueBy[sc.Queue]
		if !ok {
			return s, fmt.Errorf("unknown queue %q", sc.Queue)
		}
		s.queue = q
	}
	return s, nil
}

// refreshISOptions reads the options of the active Interaction Server (the primary's when the
// backup has none of its own) into the values the hot path uses, through the option registry.
func (e *Engine) refreshISOptions() {
	o := e.isOptions()
	dur := func(opt Opt) int64 { return int64(opt.Duration(opt.Get(o))) }
	boolean := func(opt Opt) bool { return opt.Bool(opt.Get(o)) }
	e.is.deliveringTimeout = dur(OptDeliveringTimeout)
	e.is.routingTimeout = dur(OptRoutingTimeout)
	e.is.handlingTimeout = dur(OptHandlingTimeout)
	e.is.collectTime = dur(OptRequestCollectionTime)
	e.is.reservationTime = dur(OptReservationTime)
	e.is.rejectSubsequent = boolean(OptRejectSubsequentRequest)
	e.is.verifyIdentity = boolean(OptVerifyDatabaseIdentity)
	v, ok := OptDefaultMaxSubmissionRate.Get(o)
	e.is.defaultRate, e.is.defaultRateSet = rateOption(OptDefaultMaxSubmissionRate, v, ok)
	e.is.defaultMaxSub = OptDefaultMaxSubmittedPerRouter.Int(OptDefaultMaxSubmittedPerRouter.Get(o))
}

// rateOption reads a max-submission-rate value: its least gap between submissions, and whether a
// valid value was set (a set 0 disables submissions; absent means no limit).
func rateOption(opt Opt, v string, ok bool) (time.Duration, bool) {
	if !ok || opt.Validate(v) != nil {
		return 0, false
	}
	gap, _ := ParseSubmissionRate(v)
	return gap, true
}

// isApp is the Interaction Server whose configuration is in force: the active one, or the primary.
func (e *Engine) isApp() *app {
	if e.is.active >= 0 {
		return e.apps[e.is.active]
	}
	return e.apps[e.is.primary]
}

// isOptions are the options of the IS in force; a backup with none of its own uses its primary's.
func (e *Engine) isOptions() Options {
	if a := e.isApp(); len(a.opts) > 0 {
		return a.opts
	}
	return e.apps[e.is.primary].opts
}

func (e *Engine) isAnnex() Options {
	if a := e.isApp(); len(a.annex) > 0 {
		return a.annex
	}
	return e.apps[e.is.primary].annex
}

// isConnections are the Connections tab of the IS in force, with the same fallback.
func (e *Engine) isConnections() []string {
	if a := e.isApp(); len(a.cfg.Connections) > 0 {
		return a.cfg.Connections
	}
	return e.apps[e.is.primary].cfg.Connections
}

// ursLimit reads a per-URS limit from the URS's Annex, in the section named after the Interaction
// Server (the active one's name first, then the primary's).
func (e *Engine) ursLimit(a *app, opt Opt) (string, bool) {
	for _, is := range []string{e.isApp().name, e.apps[e.is.primary].name} {
		if v, ok := opt.GetFor(a.annex, is); ok {
			return v, true
		}
	}
	return "", false
}

// refreshURS reads a URS's options and the IS Annex entry for it, through the option registry,
// then updates its eligibility.
func (e *Engine) refreshURS(u *ursState) {
	a := u.app
	own := OptAgentReservation.Bool(OptAgentReservation.Get(a.opts))
	annexed := OptAnnexAgentReservation.Bool(OptAnnexAgentReservation.GetFor(e.isAnnex(), a.name))
	u.reserves = own && annexed
	u.maxSub = e.is.defaultMaxSub
	if v, ok := e.ursLimit(a, OptMaxSubmittedInteractions); ok {
		if n := OptMaxSubmittedInteractions.Int(v, true); n >= 0 {
			u.maxSub = n
		}
	}
	u.minGap, u.rateSet = e.is.defaultRate, e.is.defaultRateSet
	rv, rok := e.ursLimit(a, OptMaxSubmissionRate)
	if gap, ok := rateOption(OptMaxSubmissionRate, rv, rok); ok {
		u.minGap, u.rateSet = gap, true
	}
	// A rate changed on the fly applies from the last submission: the hold is recomputed.
	if u.lastSubmit >= 0 && u.minGap > 0 {
		e.pace(u, u.lastSubmit+int64(u.minGap))
	} else {
		u.paceUntil = 0
	}
	u.connected = false
	for _, c := range a.cfg.Connections {
		if id, ok := e.byName[c]; ok && (id == e.is.primary || id == e.is.backup) {
			u.connected = true
		}
	}
	e.refreshStatViews()
	e.updateEligibility(u)
}

// refreshStatViews sizes the memory of the lagging views: agents that became ready are remembered
// for as long as the longest stat delay; agents that became full too, but only while some URS
// routes without reserving (only then does a view show a taken agent as ready).
func (e *Engine) refreshStatViews() {
	var d int64
	lags := false
	for _, u := range e.urs {
		d = max(d, u.statDelay)
		lags = lags || !u.reserves
	}
	e.maxStatDelay = d
	for _, g := range e.groups {
		if lags && g.filled == nil {
			g.filled = make([]changeFIFO, len(e.media))
		}
	}
}
