package core

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Engine simulates one Interaction Server (with its optional warm-standby backup) and everything
// around it: URS instances, ESP servers, DB Servers and DAPs, agents and media servers. It is a
// discrete-event loop on a virtual clock that owns all state; it is not safe for concurrent use —
// drive it from one goroutine (the console's runner does) and read it through Snapshot.
type Engine struct {
	cfg *Config
	// settings is what Snapshot.Settings shows, made again after each set (settingsOK false):
	// snapshots share it, so it is never written once made.
	settings   []Setting
	settingsOK bool
	now        int64
	seq        uint64
	q          agenda
	rng        *rand.Rand
	dbs        Databases
	sinks      []EventSink

	apps    []*app
	byName  map[string]int32
	urs     []*ursState // in configuration order; ursState.idx indexes it
	strats  []*strategy
	stratBy map[string]int32
	queues  []queueState
	queueBy map[string]int32
	groups  []*group
	groupBy map[string]int32
	nAgents int // agents are numbered from 0 (by group, in configuration order); am holds what is kept of them
	media   []string
	mediaBy map[string]uint8
	targets []*espTarget
	targBy  map[string]int32
	clust   []*cluster
	clustBy map[string]int32
	traffic []trafficState

	// agentNames holds every agent's name, one after the other, a group's all of the same
	// length (agentName): one string, which the garbage collector neither scans nor follows
	// 60,000 times, where a string each in agents (and a map of them) had it scan megabytes at
	// every cycle. agentBy finds an agent by name, made when first asked (a restore of rows).
	agentNames string
	agentBy    map[string]int32

	// Agent capacity bookkeeping and the arbiter's, by agent*len(media)+m: one cache line each
	// (agentMedia).
	am []agentMedia
	// lingers are reservations whose interaction left the agent before the accept (rejected, not
	// answered): they hold the agent until reservation-time from their grant. By agent-media;
	// looked up, never iterated in an order that shows.
	lingers map[int32][]linger
	// orphaned are the interactions agents went on with while the active IS did not know them
	// (restored from a database that does not hold them), by id: the key in unheard of the work
	// their agent goes on with, or -1 once it is over. A later restore of a row of one re-adopts
	// that work, or is stale. Looked up, never iterated.
	orphaned map[int64]int64
	// resubmittedIDs are the interactions resubmitted at least once, by id. Looked up, never
	// iterated.
	resubmittedIDs map[int64]bool
	// unheard is the work agents go on with while no Interaction Server follows it, by the
	// completion timer that ends it (unheardKey): when it fires the log says finished_unheard.
	// Looked up, never iterated.
	unheard map[int64]unheardWork

	// The agent-reservation arbiter: requests collected per agent and media (agentMedia)
	// during request-collection-time. windows are the lists of the requests after a window's
	// first (most windows have one: it is kept in the agentMedia, no list); freeWindows those
	// not in use; collected is collectDone's scratch list.
	windows     [][]waitEntry
	freeWindows []int32
	collected   []waitEntry
	// claims counts, per URS and agent-media (askKey), the URS's requests on their way (low 16
	// bits) and the interactions it routed there that the agent still holds (high bits): a URS
	// knows its own routing, so it never asks an agent for more than it sees free and never
	// conflicts with itself. Looked up, never iterated.
	claims claimTable
	// maxStatDelay is the longest sim.stat_delay of any URS: how long agents that became ready
	// (and, while some URS does not reserve, agents that became full) are remembered for the
	// lagging views.
	maxStatDelay int64

	dirty []*ursState
	// routing-timeout: submissions in time order; one timer watches the oldest.
	rtq     []rtEntry
	rtHead  int
	rtArmed bool
	ixns    []ixn
	// denials are, by slot, the agent an interaction was last denied and when (while its
	// denied is set): it does not ask for that agent again until the agent changes. Beside the
	// slots, not in them: few interactions are denied, and every slot is read at every step.
	denials  []denial
	freeSlot []int32
	nextID   int64

	is isState

	stats Stats
	svc   svcState
	dmg   dmgState
	// applied is every action carried out (operator's and timeline's), the session's journal.
	applied    []AppliedAction
	inTimeline bool   // Apply is carrying out a timeline entry, not an operator's action
	steps      uint64 // timers processed: the position a journal entry is replayed to
	// identities of the interaction databases the engine connected to, by name.
	identities map[string]string
	rebuild    bool        // Resume: rewrite mismatched databases from the replay
	notes      []string    // what Resume repaired
	storageErr error       // the databases failed: the engine has stopped (see StorageErr)
	interrupt  func() bool // WithInterrupt: asked every interruptEvery timers
	polls      uint32      // timers since interrupt was last asked
	stopAsked  bool        // interrupt said stop: the engine stops at the end of the instant
	halted     bool        // and it has (see Interrupted)
	log        *eventLog
	records    *eventLog // the events' binary records, hashed for a resume's replay (ReplayHash)
	replaying  bool      // Resume's replay: only the records are hashed, no line is encoded
	noLog      bool      // WithoutEventLog
	// cats are the category names an interaction may carry, by id (0: none, ""), and catBy their
	// ids by name: an ixn holds an id, so it has no pointer and the garbage collector never
	// scans the slots. Looked up, never iterated.
	cats    []string
	catBy   map[string]int32
	ev      Event
	row     Row
	rowKeys rowKeys // row's names as indexes of the engine's tables (MemDatabase.writeKeyed)
	errs    []error
}

// agentMedia is what the engine and its arbiter keep of one agent for one media. The fields were
// slices of their own, one per field: a routing, a reservation, an answer and a release each read
// several of them for one agent at random among thousands, each a cache miss of its own. Kept
// together they are one line (64 bytes, and large slices start on a page).
type agentMedia struct {
	load       int32 // interactions the agent holds (invited, ringing, handled): its state as URS see it
	resv       int32 // units the IS arbiter holds reserved: reserved interactions until they leave the agent, and lingering reservations
	freePos    int32 // index of the agent in its group's free list for media m, or -1
	settledPos int32 // index of the agent in its group's settled list for media m, or -1
	lingering  int32 // len(lingers[k]), read on every pick without a lookup
	asked      int32 // the requests on their way, of every URS (claims' low bits summed)
	// collecting counts the requests of the arbiter's open request-collection window (0: none
	// open): the first (firstSlot, firstGen) is kept here, the others in windows[more-1].
	collecting int32
	more       int32
	firstSlot  int32
	firstGen   uint32
	readyAt    int64 // when the agent last became ready for media m (its load fell below capacity)
	availAt    int64 // readyAt, or when a reservation of it ended: a URS denied the agent asks again only after
	group      int32 // the agent's group: the arbiter reads it with the above
	// held counts what the agent holds, of every media, in its first media's line only: its
	// load, and its lingering reservations (a lingering reservation holds the agent, so it is
	// busy for occupancy too). Beside group, which svcLoad reads too.
	held int32
}

// Stats are the engine's running counters, the in-memory side of the run report.
type Stats struct {
	Submitted   int64
	Completed   int64
	Resubmitted int64 // resubmissions (an interaction resubmitted twice counts twice)
	// ResubmittedInteractions counts the interactions resubmitted at least once.
	ResubmittedInteractions int64
	Reservations            int64
	Denied                  int64
	Prolonged               int64 // reservations renewed by the same URS (reject-subsequent-request: false)
	DoubleBooked            int64
	// OverCapacity counts the times an agent was pushed past its capacity: double bookings, and
	// interactions a restore put back on an agent that was full.
	OverCapacity int64
	// StaleRestored counts the rows a restore (a switch-back, a restart) put back on an agent or
	// in routing although their interaction had been finished under another Interaction Server.
	StaleRestored int64
	Misrouted     int64
	Unavailable   int64
	Timeout       int64
	Revoked       int64
	Parked        int64 // arrivals a media server holds because it or the IS cannot take them
	Abandoned     int64 // customers who gave up before an agent answered
}

// app is one Application object at run time.
type app struct {
	id      int32
	name    string
	typ     AppType
	cfg     *AppConfig
	running bool
	// startSeq is the engine's seq when it last started (or restarted): an ESP answer whose
	// timer was scheduled before (a seq at or below it) is to a request sent before the start,
	// known stale. (Kept here, not as an epoch in each interaction's slot.)
	startSeq uint64
	opts     Options
	annex    Options
	services map[string]bool // ThirdPartyServer; nil serves anything
	svcTime  int64
	targets  []int32 // ESP targets whose candidates include this server
	parked   []parkedArrival

	// Database Access Point
	dbServer   int32
	database   string // as configured now
	repointSeq uint64 // when the configuration last changed, for "the new database"

	// Interaction Server: the database it works with since it last became active; kept while it
	// runs (a warm standby that becomes active again continues with it), forgotten when it stops
	// or restarts.
	isMem    ISMemory
	handle   Database // the DAP's connection, opened when an IS becomes active
	requests int64
	failures int64

	// ESP server counters
	espRequests int64
	espFaults   int64
	misrouted   int64

	urs *ursState
}

type parkedArrival struct {
	traffic  int32
	received int64
	// patienceAt is when its customer gives up (0: never): drawn as it arrives, so the wait
	// line and the plots know who still waits while the media server holds it.
	patienceAt int64
}

type ursState struct {
	app         *app
	idx         int32
	stepTime    int64
	pending     int           // interactions held by this URS (ixn.urs: its app id)
	activated   []int32       // strategies activated on it
	maxSub      int64         // max-submitted-interactions; -1: no limit
	minGap      time.Duration // max-submission-rate as the least time between submissions; 0: no limit
	rateSet     bool          // max-submission-rate set (directly or by the IS default): 0 disables submissions
	paceUntil   int64         // the rate limit holds new submissions until then
	paceArmed   bool          // a timer will end the hold
	lastSubmit  int64         // when it was last submitted an interaction (-1: never)
	reserves    bool          // both: it asks the IS arbiter before routing to an agent
	statDelay   int64         // how far its view of agent states lags (sim.stat_delay)
	connected   bool          // a connection to the Interaction Server (either of the pair)
	eligible    bool          // everything but the strategy activation
	dirty       bool          // pending count dropped: re-evaluate eligibility after the current event
	submitted   int64
	resubmitted int64
}

type strategy struct {
	id        int32
	name      string
	steps     []step
	activated []bool // by URS idx
	ring      ring   // eligible URS, by app id
	waiting   fifo
	// resubWaiting are interactions taken back from a stopped URS, waiting for an eligible one:
	// served before waiting.
	resubWaiting fifo
	routed       []int64 // submissions by URS idx
}

type step struct {
	kind     StepKind
	target   int32 // ESP target
	via      string
	service  string
	method   string
	cats     []Category
	catIDs   []int32 // cats' names as category ids (Engine.catID)
	catTotal float64
	group    int32
	byCat    []struct {
		cat   string
		group int32
	}
	queue int32
}

type queueState struct {
	name     string
	bp       string
	strategy int32
	counts   [4]int64 // by state: 0 queued, 2 in URS, 3 with agent (index 1 unused)
}

type group struct {
	id         int32
	name       string
	first      int32 // first agent id
	nameAt     int   // where its agents' names start in Engine.agentNames, each nameLen long
	nameLen    int
	n          int32
	capacity   []int32 // by media
	handleMean float64 // nanoseconds
	answer     int64
	accept     float64
	free       [][]int32 // by media: agents with spare capacity for it
	settled    [][]int32 // by media: those ready for at least the longest stat delay, in every URS's statistics
	// filled are the agents that became full lately, by media, as a lagging view still shows them
	// ready; nil while every URS reserves. readied are the agents that became ready lately, which
	// a URS sees only after its stat delay.
	filled, readied []changeFIFO
	waiting         [][]fifo  // by media, by URS index: interactions whose URS waits for an agent of the group
	waitURS         [][]int32 // by media: the URS (index) whose waiting list may hold entries
	listed          [][]bool  // by media, by URS index: in waitURS
	lookAt          [][]int64 // by media, by URS index: when a look of the URS at the group is armed (noLook: none)
	nWaiting        []int     // by media: interactions waiting
}

// agentName is agent a's name (a piece of agentNames: the same string, pointer and all, every
// time, which the in-memory database's intern relies on). Its group's names are all nameLen
// long (zero-padded numbers), from nameAt on.
func (e *Engine) agentName(a int32) string {
	g := e.groupOf(a)
	at := g.nameAt + int(a-g.first)*g.nameLen
	return e.agentNames[at : at+g.nameLen]
}

// groupOf is agent a's group (its first media's agentMedia keeps it: the line the caller mostly
// reads or writes anyway).
func (e *Engine) groupOf(a int32) *group { return e.groups[e.am[int(a)*len(e.media)].group] }

// agentIndex is the agent named name, if any.
func (e *Engine) agentIndex(name string) (int32, bool) {
	if e.agentBy == nil {
		e.agentBy = make(map[string]int32, e.nAgents)
		for a := range e.nAgents {
			e.agentBy[e.agentName(int32(a))] = int32(a)
		}
	}
	a, ok := e.agentBy[name]
	return a, ok
}

type trafficState struct {
	cfg   *TrafficConfig
	from  int32
	queue int32
	media uint8
	mean  float64 // nanoseconds between arrivals
	stop  int64
	rng   *rand.Rand // its arrivals' own stream
	work  *rand.Rand // its customers' work (handle time) draws, in arrival order
}

// fifo is a queue of (slot, generation) entries; stale entries are skipped when popped, so removal
// from the middle is never needed.
type fifo struct {
	items []waitEntry
	head  int
}

type waitEntry struct {
	slot  int32
	gen   uint32
	resub bool
}

func (f *fifo) push(w waitEntry) { f.items = append(f.items, w) }

func (f *fifo) pop() (waitEntry, bool) {
	if f.head >= len(f.items) {
		return waitEntry{}, false
	}
	w := f.items[f.head]
	f.head++
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
	} else if f.head > 1024 && f.head*2 > len(f.items) {
		n := copy(f.items, f.items[f.head:])
		f.items, f.head = f.items[:n], 0
	}
	return w, true
}

func (f *fifo) len() int { return len(f.items) - f.head }

// peek is the oldest entry, left in place.
func (f *fifo) peek() (waitEntry, bool) {
	if f.head >= len(f.items) {
		return waitEntry{}, false
	}
	return f.items[f.head], true
}

func (f *fifo) reset() { f.items, f.head = f.items[:0], 0 }

// ixn is one interaction in the Interaction Server's memory, kept in a slot that is reused once the
// interaction completes. gen changes whenever the interaction's current processing is abandoned (a
// URS stopped, a switchover) or the slot is reused, which makes every timer scheduled before stale.
type ixn struct {
	// The first cache line: what the steps of routing read and write (every timer of the
	// interaction checks live and gen). The slot is 128 bytes, two lines (TestIxnIsTwoLines):
	// at 168 a slot spread over three or four, each a cache miss of its own when a timer comes
	// to an interaction the caches have forgotten.
	id        int64
	claimKey  int64 // which: Engine.askKey of the agent-media and the URS
	gen       uint32
	strategy  int32
	urs       int32 // app id, or -1
	agent     int32 // -1
	queue     int32
	cat       int32 // its category (attached data, from classification): Engine.cats
	origin    int32 // queue of its traffic entry, where its service figures count
	step      int16
	live      bool
	state     uint8
	media     uint8
	attempts  uint8
	waitAgent bool
	claim     uint8 // what claims counts for it: claimNone, claimAsked (a request on its way), claimHeld (routed to the agent)
	resvd     bool  // its hold on the agent was granted a reservation (resv counts it)
	denied    bool  // a reservation request of it was denied: it looks for an agent nobody is asking for (Engine.denials: which agent, when)
	resub     bool
	svc       uint8 // svcOpen, svcTouched, svcMeasured
	home      int16 // the database its row was last written to (damage account), -1: none
	wst       uint8 // that row's status as written: rowQueued…rowWithAgent, rowDone, rowAbandoned
	doneFlag  uint8 // doneAt's timer's flag: the unit it frees is reserved
	by        int32
	// The second line: the times its row and its service figures keep.
	work        float64 // the customer's work: handle time = work × the answering group's mean
	receivedAt  int64
	placedAt    int64
	toURSAt     int64
	deliveredAt int64
	grantAt     int64 // when its reservation was granted (a lingering reservation lasts reservation-time from it)
	doneAt      int64 // with an agent: when the agent's work on it ends (its completion timer)
	patienceAt  int64 // when its customer gives up; 0: never
}

type denial struct {
	agent int32
	at    int64
}

// Option configures an Engine.
type Option func(*Engine)

// WithDatabases makes the engine keep interactions in dbs instead of in memory.
func WithDatabases(dbs Databases) Option { return func(e *Engine) { e.dbs = dbs } }

// WithSink sends every event of the log to s as well; several sinks each get every event, in the
// order they were given.
func WithSink(s EventSink) Option {
	return func(e *Engine) {
		if s != nil {
			e.sinks = append(e.sinks, s)
		}
	}
}

// WithoutEventLog is for runs that need the figures, not the log: parameter sweeps and
// comparisons of many runs. The engine then neither encodes the event log's JSON lines nor hashes
// them, unless a sink asks for the lines (WithSink: those are still encoded, and still not
// hashed). The run itself, its events and their count are unchanged; only EventsSHA256 is ""
// (the report's events_sha256 is left out). Without it (the default) every line is encoded and
// hashed. It is for New: Resume checks its replay against the saved log's hash, so a resumed
// engine keeps the log whatever the options.
func WithoutEventLog() Option { return func(e *Engine) { e.noLog = true } }

// WithSeed overrides the scenario's seed.
func WithSeed(seed uint64) Option { return func(e *Engine) { e.cfg.Seed = seed } }

// New builds an engine for cfg at virtual time 0: applications running, strategies activated as
// configured, the Interaction Server active on its database, traffic and timeline scheduled.
func New(cfg Config, opts ...Option) (*Engine, error) {
	e := &Engine{cfg: &cfg}
	e.rowKeys.engine = e
	for _, o := range opts {
		o(e)
	}
	if e.dbs == nil {
		e.dbs = NewMemDatabases()
	}
	e.rng = stream(e.cfg.Seed, streamEngine, 0)
	e.log, e.records = newEventLog(), newEventLog()
	e.identities = map[string]string{}
	if err := e.build(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", cfg.Name, err)
	}
	e.activateIS(e.is.primary, nil)
	for i := range e.traffic {
		t := &e.traffic[i]
		e.scheduleArrival(int32(i), int64(t.cfg.Start))
	}
	e.scheduleTimeline()
	return e, nil
}

// scheduleTimeline schedules the timeline's entries in time order (stable: equal times keep file
// order). An operator's entry runs after every other timer of its instant, even those scheduled
// later: its seq is above any the engine gives out.
func (e *Engine) scheduleTimeline() {
	for n, i := range TimelineOrder(e.cfg.Timeline) {
		t := timer{at: int64(e.cfg.Timeline[i].At), kind: tTimeline, arg: int32(i), slot: -1}
		if !e.cfg.Timeline[i].Operator {
			e.schedule(t)
			continue
		}
		e.seq++ // as schedule does, so the seqs of everything else do not depend on the flag
		t.seq = lastAtInstant | uint64(n)
		e.q.push(t, -1)
	}
}

// lastAtInstant orders a timer after every timer of its instant that the engine schedules (their
// seqs count up from 1 and never reach it).
const lastAtInstant = 1 << 63

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Config returns the configuration the engine was built from (before any action changed it).
func (e *Engine) Config() *Config { return e.cfg }

// Now is the virtual time in nanoseconds.
func (e *Engine) Now() int64 { return e.now }

// Stats returns the running counters.
func (e *Engine) Stats() Stats { return e.stats }

// Errors returns the errors met while running: timeline actions that could not be applied and
// database failures. The run goes on after each, but for a failure of the databases themselves
// (StorageErr).
func (e *Engine) Errors() []error { return e.errs }

// StorageErr is why the databases failed (a file that could not be created, written or read: a
// full or failing disk), nil while they work. That is no event of the simulated world: the
// engine stops at once, where it is, and processes nothing more (RunUntil does nothing,
// NextEventAt says no event is left), so that what it did after the failure is never saved. The
// last saved journal is the truth; a new process resumes from it.
func (e *Engine) StorageErr() error { return e.storageErr }

// storage records a failure of the databases and stops the engine (StorageErr).
func (e *Engine) storage(err error) {
	e.fail(err)
	if e.storageErr == nil {
		e.storageErr = err
	}
}

// EventsSHA256 is the hex SHA-256 of the event log's bytes so far (each line ends with "\n"); ""
// with WithoutEventLog.
func (e *Engine) EventsSHA256() string {
	if e.noLog {
		return ""
	}
	return e.log.sha256()
}

// EventCount is how many events the log has.
func (e *Engine) EventCount() uint64 { return e.log.count }

// NextEventAt is the virtual time of the next scheduled event, or -1 when none is left (or the
// engine has stopped: StorageErr, Interrupted).
func (e *Engine) NextEventAt() int64 {
	if e.q.len() == 0 || e.storageErr != nil || e.halted {
		return -1
	}
	return e.q.peek().at
}

// interruptEvery is how many timers the engine handles between two questions to WithInterrupt's
// function: a few hundred microseconds of work at most, so a signal is answered at once, for a
// cost the hot loop does not notice.
const interruptEvery = 1024

// WithInterrupt gives the engine a question to ask between events, every interruptEvery timers
// (stop must be cheap, and safe to call from the engine's goroutine). When it says stop, the
// engine stops at the end of the instant it is in (see halt), for good: RunUntil returns without reaching its
// time, NextEventAt says no event is left, Resume's replay returns ErrInterrupted. A stretch of
// virtual time can hold millions of events (a backlog in a URS, a ten-year run), so a caller that
// only looked between RunUntil calls answered a signal minutes late. What the engine did is a
// whole number of steps: its ResumeState is exact, and a resume goes on from there.
func WithInterrupt(stop func() bool) Option { return func(e *Engine) { e.interrupt = stop } }

// ErrInterrupted is Resume's error when WithInterrupt's question stopped the replay.
var ErrInterrupted = errors.New("interrupted")

// Interrupted reports whether WithInterrupt's question stopped the engine.
func (e *Engine) Interrupted() bool { return e.halted }

// stopSaid asks WithInterrupt's question when it is due, and reports whether it said stop (once
// it has, for good).
func (e *Engine) stopSaid() bool {
	if e.interrupt == nil || e.stopAsked {
		return e.stopAsked
	}
	if e.polls++; e.polls < interruptEvery {
		return false
	}
	e.polls = 0
	e.stopAsked = e.interrupt()
	return e.stopAsked
}

// halt reports whether the engine is to stop before the next timer: the question said stop, and
// the next timer is at a later instant. A journal is taken at an instant's boundary (every timer
// due at the time of the last one has run): a resume tells the rows the databases hold beyond
// the journal by their times being later than its own.
func (e *Engine) halt() bool {
	// Without WithInterrupt's question it never stops: a test the loop inlines.
	return e.interrupt != nil && e.haltAsked()
}

func (e *Engine) haltAsked() bool {
	if !e.halted && e.stopSaid() {
		e.halted = e.q.len() == 0 || e.q.peek().at > e.now
	}
	return e.halted
}

// RunUntil processes every event up to and including virtual time t, then sets the clock to t;
// after a failure of the databases (StorageErr), or when WithInterrupt's question said stop
// (Interrupted), it stops where it is, between two events.
func (e *Engine) RunUntil(t int64) {
	for e.q.len() > 0 && e.q.peek().at <= t {
		if e.storageErr != nil || e.halt() {
			return
		}
		e.step()
	}
	if e.storageErr != nil || e.halted {
		return
	}
	if t > e.now {
		e.now = t
	}
}

// SliceEnd is where slice i of n from from to end ends: from + (end-from)*i/n, computed without
// overflowing int64 whatever the duration ((end-from)*i did past about 1000 days, and a run
// stopped early with a normal report). With q, r = (end-from) divided by n, the product is
// q*i*n + r*i, so the quotient is q*i + r*i/n exactly; r*i < n*n fits.
func SliceEnd(from, end int64, i, n int) int64 {
	if from >= end {
		return end
	}
	d, k, m := end-from, int64(i), int64(n)
	q, r := d/m, d%m
	return from + q*k + r*k/m
}

// RunUntilEvents is RunUntil that may stop before t: once the log holds n events, at the end of
// an instant (every timer due at the time of the last one processed has run, so a journal taken
// there is at an instant's boundary, as RunUntil's are). It reports whether it reached t. A run
// saves its session every so many events with it, so that what a save holds (and the memory
// kept for it) follows the traffic, not a share of the duration.
func (e *Engine) RunUntilEvents(t int64, n uint64) bool {
	for e.q.len() > 0 && e.q.peek().at <= t {
		if e.storageErr != nil || e.halt() {
			return false
		}
		if e.log.count >= n && e.q.peek().at > e.now {
			return false
		}
		e.step()
	}
	if e.storageErr != nil || e.halted {
		return false
	}
	if t > e.now {
		e.now = t
	}
	return true
}

// step processes the next timer.
func (e *Engine) step() {
	tm := e.q.pop()
	e.now = tm.at
	e.steps++
	e.dispatch(&tm)
	if len(e.dirty) > 0 {
		e.settle()
	}
}

func (e *Engine) schedule(t timer) {
	e.seq++
	t.seq = e.seq
	e.q.push(t, t.at-e.now)
}

func (e *Engine) after(d int64, kind timerKind, slot int32, arg int32, aux uint8) {
	gen := uint32(0)
	if slot >= 0 {
		gen = e.ixns[slot].gen
	}
	e.schedule(timer{at: e.now + d, kind: kind, slot: slot, gen: gen, arg: arg, aux: aux})
}

func (e *Engine) dispatch(t *timer) {
	switch t.kind {
	case tArrival:
		e.arrival(t.arg)
		return
	case tTimeline:
		ta := &e.cfg.Timeline[t.arg]
		e.inTimeline = true
		err := e.Apply(ta.Action)
		e.inTimeline = false
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("timeline at %s: %w", ta.At, err))
		}
		return
	case tRoutingTimeout:
		e.routingTimeouts()
		return
	case tRateWake:
		u := e.urs[t.arg]
		u.paceArmed = false
		e.updateEligibility(u)
		e.armPace(u) // the hold may have moved on since this timer was set
		return
	case tPatience:
		e.patienceExpired(t)
		return
	case tComplete:
		// The agent finishes whatever happened to the interaction's record meanwhile. The IS
		// hears of the completion first, then the freed agent goes to whoever waits for one.
		if e.valid(t) {
			e.agentDone(t.slot)
		} else if w, ok := e.unheard[unheardKey(t.slot, t.gen)]; ok {
			delete(e.unheard, unheardKey(t.slot, t.gen))
			if w.adopted {
				return // a restore gave the work back to its interaction, whose own timer ends it
			}
			e.ev.Ixn, e.ev.Agent = w.ixn, e.agentName(t.arg)
			e.emit(EvFinishedUnheard)
		}
		if t.flag == 1 {
			e.am[int(t.arg)*len(e.media)+int(t.aux)].resv-- // its reservation ends with the work
		}
		e.releaseAgent(t.arg, t.aux)
		return
	case tCollect:
		e.collectDone(t.arg, int(t.aux))
		return
	case tLook:
		e.lookTimer(t)
		return
	case tLinger:
		e.lingerEnd(t.arg, int(t.aux))
		return
	}
	if !e.valid(t) {
		// (An agent reserved for an interaction that went elsewhere meanwhile was freed when it
		// went: abandon revokes what an interaction in a URS holds.)
		return
	}
	switch t.kind {
	case tURSStep:
		e.ursStep(t.slot)
	case tESPResponse:
		e.espResponse(t.slot, t.arg, t.seq)
	case tReserve:
		e.reserveDecide(t.slot, t.arg, t.aux == 1)
	case tHandling:
		e.handlingTimeout(t.slot)
	case tAnswer:
		e.answer(t.slot, t.arg, t.aux == 1)
	}
}

// catID is the id of category name s, given one the first time it is seen (in build order, then
// as restores bring names from the databases: ids never reach the log).
func (e *Engine) catID(s string) int32 {
	if s == "" {
		return 0
	}
	if id, ok := e.catBy[s]; ok {
		return id
	}
	if e.catBy == nil {
		e.catBy = map[string]int32{}
		e.cats = append(e.cats[:0], "")
	}
	id := int32(len(e.cats))
	e.cats = append(e.cats, s)
	e.catBy[s] = id
	return id
}

// catName is the name of category id c.
func (e *Engine) catName(c int32) string {
	if c == 0 {
		return ""
	}
	return e.cats[c]
}

func (e *Engine) valid(t *timer) bool {
	ix := &e.ixns[t.slot]
	return ix.live && ix.gen == t.gen
}

// emit appends the prepared e.ev to the log.
func (e *Engine) emit(k EventKind) {
	e.log.count++
	e.ev.T = e.now
	e.ev.Seq = e.log.count
	e.ev.Kind = k
	if e.noLog && len(e.sinks) == 0 {
		// Nobody reads it: left as it is (a caller sets every field of its kind, and only
		// those are ever read), not cleared, 328 bytes an event.
		return
	}
	if !e.noLog {
		e.records.addRecord(&e.ev)
		if e.replaying {
			e.ev = Event{}
			return
		}
	}
	e.log.line = e.ev.AppendJSON(e.log.line[:0])
	for _, s := range e.sinks {
		s.Event(&e.ev, e.log.line)
	}
	if !e.noLog {
		e.log.line = append(e.log.line, '\n')
		e.log.add(e.log.line)
	}
	e.ev = Event{}
}

// exp draws an exponential duration with the given mean in nanoseconds.
func (e *Engine) exp(mean float64) int64 {
	d := e.rng.ExpFloat64() * mean
	if d > math.MaxInt64/4 {
		return math.MaxInt64 / 4
	}
	return int64(d) + 1
}

func (e *Engine) fail(err error) { e.errs = append(e.errs, err) }

// nameOf returns an application's name, "" for -1.
func (e *Engine) nameOf(id int32) string {
	if id < 0 {
		return ""
	}
	return e.apps[id].name
}

func durOr(d, def time.Duration) int64 {
	if d <= 0 {
		return int64(def)
	}
	return int64(d)
}
