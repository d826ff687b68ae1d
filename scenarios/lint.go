package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ixlb/ixlb/core"
)

// Lint codes: the pitfalls of a file that loads. Like the load-error codes they are printed by
// `ixlb lint` and matched by scripts and editors: add, never rename. docs/lint.md documents each.
const (
	CodeURSNoAgentReservation = "urs-no-agent-reservation"     // participating URS, agent_reservation not true
	CodeURSNotInAnnex         = "urs-not-in-annex"             // participating URS missing from the IS Annex
	CodeURSNotConnected       = "urs-not-connected"            // strategy activated on a URS not connected to the IS
	CodeAnnexUnknownURS       = "annex-unknown-urs"            // IS Annex agent_reservation names no RoutingServer
	CodeMaxSubmittedZero      = "max-submitted-zero"           // a URS limited to 0 interactions
	CodeMaxSubmittedSection   = "max-submitted-section"        // a URS limit in a section named after no IS
	CodeBadOptionValue        = "bad-option-value"             // an option the IS reads, with a value it ignores
	CodeRateAboveCeiling      = "rate-above-ceiling"           // max-submission-rate above 1000 a second
	CodeChatNotBalanced       = "esp-chat-not-balanced"        // ChatServer addressed by type or through a cluster
	CodeDAPMixedAccess        = "dap-mixed-access"             // DAPs through DB Servers and through ODBC mixed
	CodeESPThirdPartyByType   = "esp-thirdparty-by-type"       // via ThirdPartyServer by type over servers of different services
	CodeESPServiceMissing     = "esp-service-missing"          // via a server or cluster lacking the step's service
	CodeESPNoServer           = "esp-no-server"                // via a type with no connected server, or an empty cluster
	CodeDAPDatabaseMismatch   = "dap-database-mismatch"        // DAPs of one IS pointing at different databases
	CodeBackupDatabase        = "backup-database-mismatch"     // a backup IS whose DAPs reach another database
	CodeDAPRepoint            = "dap-repoint"                  // a DAP re-pointed on the fly
	CodeSwitchoverRepoint     = "switchover-after-repoint"     // an IS becomes active after a re-point, unguarded
	CodeQueueNotActivated     = "queue-strategy-not-activated" // a queue whose strategy runs on no URS, ever
	CodeNothingRouted         = "nothing-routed"               // no traffic can ever reach a URS
	CodeGroupNoCapacity       = "group-no-capacity"            // a route to a group that cannot take the media
	CodeTimelineAfterEnd      = "timeline-after-end"           // a timeline entry after the run's duration
	CodeTrafficAfterEnd       = "traffic-after-end"            // traffic that starts after the run's duration
	CodeESPNotConnected       = "esp-not-connected"            // via a server no Interaction Server is ever connected to
	CodeESPSometimesConnected = "esp-not-always-connected"     // via a server some IS in force, or part of the run, does not reach
	CodeActivationNoDAP       = "activation-no-dap"            // an IS becomes active on a database none of its DAPs points at
	CodeHandlingTimeout       = "handling-timeout-revokes"     // handling-timeout short against a group's handle time
	CodeAnswerTimeout         = "answer-time-revokes"          // a group's answer_time beyond delivering-timeout
	CodeTrafficMedia          = "traffic-media-server"         // a media server submitting another server's media
	CodeMediaCase             = "media-name-case"              // two media names that differ only in case
)

// Rule is one lint check, documented in docs/lint.md from these fields.
type Rule struct {
	Code     string
	Severity Severity
	Why      string // one line: what the Interaction Server does with it
	Fix      string // one line: what to change
}

// The severity follows what the run can show: a pitfall the simulation faithfully reproduces is a
// warning (watching it happen is the point of ixlb); an error is a file whose run would show
// nothing at all.
var lintRules = []Rule{
	{CodeURSNoAgentReservation, SeverityWarning,
		"A URS without `agent_reservation` true in its own options routes on its own, lagging view of agents: sharing agents with other URS, it may double-book them (`agents.double_booked`).",
		"Set `options: {default: {agent_reservation: true}}` on every URS that shares agents with another."},
	{CodeURSNotInAnnex, SeverityWarning,
		"The Interaction Server arbitrates reservations only for URS it lists as `URS_NAME: true` in the `agent_reservation` section of its Annex: sharing agents, the others may double-book them.",
		"Add `annex: {agent_reservation: {URS_NAME: true}}` to the Interaction Server (and to a backup with an Annex of its own)."},
	{CodeURSNotConnected, SeverityWarning,
		"A strategy is activated on a URS with no connection to the Interaction Server or its backup: the IS never sees that URS.",
		"Add the Interaction Server to the URS's `connections`."},
	{CodeAnnexUnknownURS, SeverityWarning,
		"The Annex `agent_reservation` section names an application that is not a RoutingServer, usually a typo: the URS meant stays out of the rotation.",
		"Name the URS application exactly as it is defined."},
	{CodeMaxSubmittedZero, SeverityWarning,
		"`max-submitted-interactions` (or the IS's `default-max-submitted-per-router`) of 0: the URS is always at its limit and never gets an interaction.",
		"Raise the limit, or remove the option for no limit."},
	{CodeMaxSubmittedSection, SeverityWarning,
		"A URS reads `max-submitted-interactions` from the Annex section named after the Interaction Server; a section named otherwise is ignored.",
		"Rename the section to the Interaction Server's application name."},
	{CodeBadOptionValue, SeverityWarning,
		"An option the Interaction Server or URS reads has a value it cannot parse, so the default applies (false for `agent_reservation`).",
		"Write a boolean (true/false), a whole number, or a duration/number of the option's unit."},
	{CodeRateAboveCeiling, SeverityError,
		fmt.Sprintf("`max-submission-rate` (or `default-max-submission-rate`) above %d a second, Genesys' ceiling: the Interaction Server does not accept it.", core.MaxSubmissionRate),
		fmt.Sprintf("Use at most %d/second, or 0 to disable submissions to the URS.", core.MaxSubmissionRate)},
	{CodeChatNotBalanced, SeverityWarning,
		"Chat Server has the dual (media and ESP) role, but the document does not list it among the application servers the Interaction Server balances (Classification, E-mail, SMS, Social Messaging).",
		"Address a Chat Server by application name, or check the design against the Genesys documentation."},
	{CodeDAPMixedAccess, SeverityWarning,
		"Some DAPs of the Interaction Server go through DB Servers (8.1 design), others connect through ODBC (Framework 8.5 dropped DB Server): both load, but a real deployment uses one.",
		"Give every DAP a `db_server`, or none."},
	{CodeESPThirdPartyByType, SeverityWarning,
		"Addressed by type, the IS cannot tell ThirdPartyServers apart: requests reach servers without the service and fault (`esp_faults.misrouted`).",
		"Put the servers of each service in an Application Cluster and address the cluster by name."},
	{CodeESPServiceMissing, SeverityWarning,
		"The step's `via` names a ThirdPartyServer, or a cluster of them, whose `services` lack the step's service: those requests fault.",
		"Address a server or cluster that provides the service, or add the service to its `services`."},
	{CodeESPNoServer, SeverityWarning,
		"The step's `via` is an ESP server type the Interaction Server has no direct connection of, or a cluster with no members: every request faults `unavailable`.",
		"Connect the Interaction Server to a server of that type, address a server or cluster by name, or give the cluster members."},
	{CodeDAPDatabaseMismatch, SeverityWarning,
		"The Interaction Server works with one database: DAPs pointing at another one are not used, and a switchover may pick their database.",
		"Point every DAP of the Interaction Server at the same database."},
	{CodeBackupDatabase, SeverityWarning,
		"The backup's own DAPs point at another database than its primary's: after a switchover it works there, and what is open in the primary's database is lost.",
		"Point the backup's DAPs at its primary's database, or give it no connections so it uses its primary's."},
	{CodeDAPRepoint, SeverityWarning,
		"A DAP re-pointed on the fly is overlooked by the active Interaction Server but read by the next one to become active; Genesys recommends against it.",
		"Do not change a DAP's database while the Interaction Server runs."},
	{CodeSwitchoverRepoint, SeverityWarning,
		"An Interaction Server becomes active (switchover, restart) after a DAP was re-pointed: it uses the new database and the interactions open in the old one are lost.",
		"Set `options: {settings: {verify-database-identity: true}}` on the Interaction Server, or do not re-point DAPs."},
	{CodeQueueNotActivated, SeverityWarning,
		"The queue's strategy is activated on no URS, at load or in the timeline: its interactions wait in the queue for the whole run.",
		"Add URS to the strategy's `activated_on`, or an `activate` entry to the timeline."},
	{CodeNothingRouted, SeverityError,
		"No traffic can ever be submitted to a URS (strategies unactivated, URS unconnected or with a submission limit of 0): the run routes nothing.",
		"Activate the queues' strategies on a URS connected to the Interaction Server, with a max-submitted-interactions above 0."},
	{CodeGroupNoCapacity, SeverityWarning,
		"A route step sends interactions of a media to an agent group with no agents, or no capacity for that media: they are submitted to a URS and wait there (state 2) for an agent that never comes, until `routing-timeout` returns them to their queue and they are submitted again.",
		"Add the media to the group's `capacity` (and agents), or route that traffic to another group."},
	{CodeTimelineAfterEnd, SeverityWarning,
		"The timeline entry is after the scenario's `duration`: it never happens.",
		"Move it before the end, or lengthen `duration`."},
	{CodeTrafficAfterEnd, SeverityWarning,
		"The traffic stream starts at or after the scenario's `duration`: it submits nothing.",
		"Start it earlier, or lengthen `duration`."},
	{CodeESPNotConnected, SeverityError,
		"The step's `via` names an ESP server that no Interaction Server in force ever reaches — the primary, or a backup (with connections of its own) while the timeline makes it active —, directly or through an Application Cluster on its Connections tab: every request fails `unavailable` and the server never serves the step.",
		"Add the server to the Interaction Server's `connections`, or put it in an Application Cluster and connect or address the cluster."},
	{CodeESPSometimesConnected, SeverityWarning,
		"The step's `via` names an ESP server that the Interaction Server in force reaches only part of the time (only the primary's or only the backup's connections hold it and both are active in turn, or it joins or leaves a connected cluster in the timeline): meanwhile requests fail `unavailable`.",
		"Connect the primary and the backup (when it has connections of its own) to the server."},
	{CodeActivationNoDAP, SeverityWarning,
		"An Interaction Server becomes active (switchover, restart, start) on a database — by the engine's own rule, `core.ChooseDatabase` — that none of its DAPs points at any more: it can neither read nor write, and holds all work (`held`) until a DAP leads there again.",
		"Do not re-point every DAP; switch back only while a DAP still leads to the primary's database, or restart the Interaction Server so it reads its DAPs anew."},
	{CodeHandlingTimeout, SeverityWarning,
		"`handling-timeout` is short against an agent group's mean `handle_time`: work that outlasts it is revoked and delivered again, and since a customer's work is the same on every agent it is revoked again from each (each cycle ties up one more agent until the first finishes).",
		"Raise `handling-timeout` well above the longest handle times (by default it is 180 minutes), or shorten the group's `handle_time`."},
	{CodeAnswerTimeout, SeverityWarning,
		"An agent group's `answer_time` (a fixed time, not a mean) is longer than the Interaction Server's `delivering-timeout`: every invite to it times out before the agent answers, is revoked and delivered again, so the group never handles anything while it looks busy.",
		"Shorten the group's `answer_time`, or raise `delivering-timeout` above it (by default it is 30 seconds)."},
	{CodeTrafficMedia, SeverityWarning,
		"A traffic stream's media is the one another kind of media server submits (chat from an E-mail Server, e-mail from a Chat Server…; compared without case, so `CHAT` is chat): a real deployment does not produce it; the run does, as written. A Social Messaging Server submits many media and is not checked.",
		"Submit the media from its server (`email` from an EmailServer, `chat` from a ChatServer, `sms` from an SMSServer)."},
	{CodeMediaCase, SeverityWarning,
		"Two media names in the file differ only in case (`chat` and `CHAT`): ixlb, like the Configuration Layer's media types, tells them apart, so agents' capacity for one does not take the other — usually a typo.",
		"Write every media name the same way (lower case, as Genesys' media types are)."},
}

// Rules lists the lint checks in the order docs/lint.md documents them.
func Rules() []Rule { return slices.Clone(lintRules) }

// LoadErrorCodes lists the codes of the load errors (the parser's), which `ixlb lint` prints too.
func LoadErrorCodes() []string {
	return []string{CodeSyntax, CodeVersion, CodeUnknownField, CodeDuplicateKey, CodeMissingField, CodeType,
		CodeBadValue, CodeBadDuration, CodeBadRate, CodeUnknownRef, CodeWrongRefType, CodeNestedCluster,
		CodeMixedCluster, CodeTopology, CodeBadExpect}
}

func ruleSeverity(code string) Severity {
	for _, r := range lintRules {
		if r.Code == code {
			return r.Severity
		}
	}
	panic("lint: no rule " + code) // a programming error: every code has a rule
}

// Lint checks a loaded scenario for the pitfalls of the seed document and the ones that make a
// design not work as its author meant. Findings point at the node to change, sorted by position.
func Lint(s *Scenario) Diagnostics {
	l := newLinter(s)
	l.urs()
	l.annexNames()
	l.optionValues()
	l.databases()
	l.dapAccess()
	l.timeline()
	l.esp() // after the timeline walk: the Interaction Servers in force
	l.queues()
	l.capacity()
	l.traffic()
	l.mediaCase()
	l.handlingTimeout()
	l.answerTimeout()
	l.diags.Sort()
	return slices.Compact(l.diags)
}

// linter holds what the checks share: the configuration, positions and the deployment's shape.
type linter struct {
	file     string
	cfg      *core.Config
	ix       *Index
	diags    Diagnostics
	apps     map[string]*core.AppConfig
	clusters map[string]*core.ClusterConfig
	primary  *core.AppConfig     // the Interaction Server
	backup   *core.AppConfig     // its backup, nil when none
	tl       []int               // timeline indexes in the order the engine runs them
	active   map[string][]string // URS -> the strategies activated on it, at load or in the timeline
	inForce  []isPeriod          // which Interaction Server is active when, by the timeline walk
}

// isPeriod is an Interaction Server active from `from` until the next period (or the end).
type isPeriod struct {
	is   string
	from time.Duration
}

func newLinter(s *Scenario) *linter {
	l := &linter{file: s.File, cfg: &s.Config, ix: s.Index(), apps: map[string]*core.AppConfig{},
		clusters: map[string]*core.ClusterConfig{}, active: map[string][]string{}}
	if l.ix == nil {
		l.ix = newIndex() // a Scenario built by hand: findings point at 1:1
	}
	for i := range l.cfg.Apps {
		l.apps[l.cfg.Apps[i].Name] = &l.cfg.Apps[i]
	}
	for i := range l.cfg.Clusters {
		l.clusters[l.cfg.Clusters[i].Name] = &l.cfg.Clusters[i]
	}
	// The same rules as the engine's: which IS is primary, and the order the timeline runs in.
	if p, b := core.ISPair(l.cfg.Apps); p >= 0 {
		l.primary = &l.cfg.Apps[p]
		if b >= 0 {
			l.backup = &l.cfg.Apps[b]
		}
	}
	l.tl = core.TimelineOrder(l.cfg.Timeline)
	activate := func(urs []string, strategy string) {
		for _, u := range urs {
			if !slices.Contains(l.active[u], strategy) {
				l.active[u] = append(l.active[u], strategy)
			}
		}
	}
	for _, st := range l.cfg.Strategies {
		activate(st.ActivatedOn, st.Name)
	}
	for _, i := range l.tl {
		if a := l.cfg.Timeline[i].Action; a.Kind == core.ActActivate {
			activate(a.URS, a.Strategy)
		}
	}
	return l
}

func (l *linter) report(code string, p Pos, format string, args ...any) {
	if !p.IsValid() {
		p = Pos{1, 1}
	}
	l.diags = append(l.diags, Diagnostic{File: l.file, Line: p.Line, Col: p.Col, Severity: ruleSeverity(code),
		Code: code, Message: oneLine.Replace(fmt.Sprintf(format, args...))})
}

// at is where the first of paths that the file has is: the most specific first, so a finding about
// something missing points at the nearest node that is there.
func (l *linter) at(paths ...string) Pos {
	for _, p := range paths {
		if pos, ok := l.ix.Pos(p); ok {
			return pos
		}
	}
	return Pos{1, 1}
}

// valueAt is where the value of path is (`false` in `agent_reservation: false`), else at(fallback…).
func (l *linter) valueAt(path string, fallback ...string) Pos {
	if pos, ok := l.ix.ValuePos(path); ok && pos.IsValid() {
		return pos
	}
	return l.at(fallback...)
}

// appPath is the path of an application's node: appPath("URS_1", "options", "default").
func appPath(name string, keys ...string) string {
	p := join("applications", name)
	for _, k := range keys {
		p = join(p, k)
	}
	return p
}

// interactionServers are the Interaction Servers whose configuration can be in force: the primary,
// and the backup when it has the given tab of its own (without one it uses its primary's).
func (l *linter) interactionServers(own func(*core.AppConfig) bool) []*core.AppConfig {
	if l.primary == nil {
		return nil
	}
	out := []*core.AppConfig{l.primary}
	if l.backup != nil && own(l.backup) {
		out = append(out, l.backup)
	}
	return out
}

func ownAnnex(a *core.AppConfig) bool       { return len(a.Annex) > 0 }
func ownConnections(a *core.AppConfig) bool { return len(a.Connections) > 0 }

// isName is "IxnServer", or "IxnServer (or its backup IxnServer_B)" for messages.
func (l *linter) isName() string {
	if l.backup != nil {
		return fmt.Sprintf("%s (or its backup %s)", l.primary.Name, l.backup.Name)
	}
	return l.primary.Name
}

// setLater reports whether the timeline ever sets option o of app to a true value (urs standing
// for the option's placeholder): a design that turns an option on mid-run on purpose is not a
// pitfall at load.
func (l *linter) setLater(app string, o core.Opt, urs string) bool {
	_, name := o.Key(urs)
	for _, ta := range l.cfg.Timeline {
		if ta.Kind == core.ActSetOption && ta.App == app && o.Names(ta.Section, ta.Option) && ta.Option == name {
			if b, ok := core.ParseBool(ta.Value); ok && b {
				return true
			}
		}
	}
	return false
}

// connected reports whether a URS has a connection to the Interaction Server or its backup, as
// the engine counts it.
func (l *linter) connected(u *core.AppConfig) bool {
	if l.primary == nil {
		return false
	}
	return slices.ContainsFunc(u.Connections, func(c string) bool {
		return c == l.primary.Name || (l.backup != nil && c == l.backup.Name)
	})
}

// urs checks the seed's three requirements on each participating URS: a connection to the IS,
// agent_reservation in its options, and in the IS Annex.
func (l *linter) urs() {
	if l.primary == nil {
		return
	}
	for i := range l.cfg.Apps {
		u := &l.cfg.Apps[i]
		if u.Type != core.TypeRoutingServer || len(l.active[u.Name]) == 0 {
			continue
		}
		strats := strings.Join(l.active[u.Name], ", ")
		if !l.connected(u) {
			l.report(CodeURSNotConnected, l.at(appPath(u.Name, "connections"), appPath(u.Name)),
				"%s has strategies activated on it (%s) but no connection to %s: the Interaction Server never submits to it; add %s to its connections",
				u.Name, strats, l.isName(), l.primary.Name)
		}
		// Without agent reservation a URS still routes (reservation is arbitration, not a gate),
		// but it may double-book agents it shares with other routers; alone on its agents it is
		// safe.
		others := l.sharingAgents(u.Name)
		if len(others) == 0 {
			continue
		}
		risk := fmt.Sprintf("it may double-book agents with %s", strings.Join(others, ", "))
		// A value that is not a boolean is bad-option-value's finding, not this one's.
		v, set := core.OptAgentReservation.Get(u.Options)
		on, valid := core.ParseBool(v)
		if !(set && (on || !valid)) && !l.setLater(u.Name, core.OptAgentReservation, "") {
			what := "has no " + core.OptAgentReservation.Name()
			if set {
				what = "has " + core.OptAgentReservation.Name() + " " + v
			}
			l.report(CodeURSNoAgentReservation, l.optionAt(u.Name, core.OptAgentReservation, ""),
				"%s runs strategies (%s) but %s in its default options: %s; set agent_reservation: true",
				u.Name, strats, what, risk)
		}
		for _, is := range l.interactionServers(ownAnnex) {
			v, set := core.OptAnnexAgentReservation.GetFor(is.Annex, u.Name)
			on, valid := core.ParseBool(v)
			if (set && (on || !valid)) || l.setLater(is.Name, core.OptAnnexAgentReservation, u.Name) {
				continue
			}
			section, _ := core.OptAnnexAgentReservation.Key(u.Name)
			what := "no " + section + " option for it"
			if set {
				what = section + " " + u.Name + ": " + v
			}
			l.report(CodeURSNotInAnnex, l.optionAt(is.Name, core.OptAnnexAgentReservation, u.Name),
				"%s runs strategies (%s) but %s's Annex has %s: %s does not arbitrate for it and %s; add %s: true to its agent_reservation section",
				u.Name, strats, is.Name, what, is.Name, risk, u.Name)
		}
	}
}

// sharingAgents lists, in file order, the other URS whose strategies route to an agent group that
// a strategy of urs routes to (at load or activated in the timeline).
func (l *linter) sharingAgents(urs string) []string {
	groupsOf := func(u string) map[string]bool {
		gs := map[string]bool{}
		for _, name := range l.active[u] {
			for i := range l.cfg.Strategies {
				if l.cfg.Strategies[i].Name != name {
					continue
				}
				for _, st := range l.cfg.Strategies[i].Steps {
					if st.Kind != core.StepRoute {
						continue
					}
					gs[st.Group], gs[st.Default] = true, true
					for _, r := range st.ByCategory {
						gs[r.Group] = true
					}
				}
			}
		}
		delete(gs, "")
		return gs
	}
	mine := groupsOf(urs)
	var out []string
	for i := range l.cfg.Apps {
		o := &l.cfg.Apps[i]
		if o.Type != core.TypeRoutingServer || o.Name == urs || len(l.active[o.Name]) == 0 {
			continue
		}
		for g := range groupsOf(o.Name) {
			if mine[g] {
				out = append(out, o.Name)
				break
			}
		}
	}
	return out
}

// annexNames checks the names in the IS Annex agent_reservation section: each should be a URS.
func (l *linter) annexNames() {
	urs := l.namesOf(core.TypeRoutingServer)
	section, _ := core.OptAnnexAgentReservation.Key("")
	for _, is := range l.interactionServers(ownAnnex) {
		for _, name := range sortedKeys(is.Annex[section]) {
			if a, ok := l.apps[name]; ok && a.Type == core.TypeRoutingServer {
				continue
			}
			what := "no application of this name"
			if a, ok := l.apps[name]; ok {
				what = withArticle(string(a.Type))
			}
			l.report(CodeAnnexUnknownURS, l.at(appPath(is.Name, "annex", section, name)),
				"%s's Annex agent_reservation names %s (%s), not a RoutingServer: the option has no effect%s",
				is.Name, name, what, didYouMean(name, urs))
		}
	}
}

// namesOf lists the applications of a type, in file order.
func (l *linter) namesOf(t core.AppType) []string {
	var out []string
	for _, a := range l.cfg.Apps {
		if a.Type == t {
			out = append(out, a.Name)
		}
	}
	return out
}

// optionRule is the registry's option (core.LookupOption) that the engine reads under section and
// option of an application of type t, on its options tab or its Annex; false for one it does not
// read.
func (l *linter) optionRule(t core.AppType, annex bool, section, option string) (core.Opt, bool) {
	isURS := func(name string) bool {
		a, ok := l.apps[name]
		return ok && a.Type == core.TypeRoutingServer
	}
	return core.LookupOption(t, annex, section, option, l.isIS, isURS)
}

// optionAt is where the value of option o of app is (urs standing for its placeholder), or the
// nearest node above it that the file has.
func (l *linter) optionAt(app string, o core.Opt, urs string) Pos {
	tab := "options"
	if o.Spec().Annex {
		tab = "annex"
	}
	section, name := o.Key(urs)
	return l.valueAt(appPath(app, tab, section, name), appPath(app, tab, section), appPath(app, tab), appPath(app))
}

// optionProblem says what is wrong with a value and what the engine does instead ("" when valid).
func optionProblem(o core.Opt, v string) string {
	spec := o.Spec()
	if err := o.Validate(v); err != nil {
		fallback := "the default " + spec.Default + " applies"
		switch {
		case spec.Kind == core.KindBool:
			fallback = "read as " + spec.Default
		case spec.Default == "":
			fallback = "ignored, so there is no limit"
		case spec.Kind == core.KindRate:
			fallback = "ignored, so there is no limit"
		}
		return err.Error() + ": " + fallback
	}
	return ""
}

func (l *linter) isIS(name string) bool {
	a, ok := l.apps[name]
	return ok && a.Type == core.TypeInteractionServer
}

// optionValues checks the values of the options the engine reads, in the file and in timeline
// `set` entries, and the URS limits of 0.
func (l *linter) optionValues() {
	for _, a := range l.cfg.Apps {
		for _, tab := range []struct {
			key   string
			annex bool
			opts  core.Options
		}{{"options", false, a.Options}, {"annex", true, a.Annex}} {
			for _, sec := range sortedKeys(tab.opts) {
				for _, opt := range sortedKeys(tab.opts[sec]) {
					path := appPath(a.Name, tab.key, sec, opt)
					l.optionValue(a.Type, tab.annex, sec, opt, tab.opts[sec][opt], l.valueAt(path, path), a.Name, l.setUntil(a.Name, tab.annex, sec, opt, -1))
				}
				if a.Type == core.TypeRoutingServer && tab.annex && !l.isIS(sec) {
					if _, ok := core.OptMaxSubmittedInteractions.GetFor(tab.opts, sec); ok {
						l.report(CodeMaxSubmittedSection, l.at(appPath(a.Name, "annex", sec)),
							"%s's Annex section %s is named after no Interaction Server: its max-submitted-interactions is ignored%s",
							a.Name, sec, didYouMean(sec, l.namesOf(core.TypeInteractionServer)))
					}
				}
			}
		}
	}
	for i, ta := range l.cfg.Timeline {
		if ta.Kind != core.ActSetOption {
			continue
		}
		a, ok := l.apps[ta.App]
		if !ok {
			continue
		}
		sec, annex := core.CutAnnex(ta.Section)
		path := join(join(item("timeline", i), "set"), "value")
		l.optionValue(a.Type, annex, sec, ta.Option, ta.Value, l.valueAt(path, path), a.Name, l.setUntil(a.Name, annex, sec, ta.Option, i))
	}
}

// setUntil says for how long an option value holds: from the file (i < 0) or timeline entry i
// until the next timeline entry that sets the same option, or the end ("" when it holds for the
// whole run).
func (l *linter) setUntil(app string, annex bool, section, option string, i int) string {
	from := time.Duration(0)
	if i >= 0 {
		from = l.cfg.Timeline[i].At
	}
	seen := i < 0
	for _, j := range l.tl {
		if j == i {
			seen = true
			continue
		}
		ta := l.cfg.Timeline[j]
		sec, an := core.CutAnnex(ta.Section)
		if !seen || ta.Kind != core.ActSetOption || ta.App != app || an != annex || sec != section || ta.Option != option {
			continue
		}
		if i < 0 {
			return "until " + fmtDuration(ta.At)
		}
		return fmt.Sprintf("from %s until %s", fmtDuration(from), fmtDuration(ta.At))
	}
	if i < 0 {
		return ""
	}
	return "from " + fmtDuration(from)
}

func (l *linter) optionValue(t core.AppType, annex bool, section, option, value string, at Pos, app, when string) {
	opt, ok := l.optionRule(t, annex, section, option)
	if !ok {
		return
	}
	if problem := optionProblem(opt, value); problem != "" {
		code := CodeBadOptionValue
		if opt.Spec().Kind == core.KindRate && core.RateAboveCeiling(value) {
			code = CodeRateAboveCeiling
		}
		l.report(code, at, "%s %s/%s: %s", app, section, option, problem)
		return
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && n == 0 {
		switch opt {
		case core.OptMaxSubmittedInteractions:
			if when == "" {
				l.report(CodeMaxSubmittedZero, at, "%s max-submitted-interactions is 0: %s is always at its limit and never gets an interaction", app, app)
			} else {
				l.report(CodeMaxSubmittedZero, at, "%s max-submitted-interactions is 0 %s: %s is at its limit meanwhile and gets no new interaction", app, when, app)
			}
		case core.OptDefaultMaxSubmittedPerRouter:
			if when == "" {
				l.report(CodeMaxSubmittedZero, at, "%s default-max-submitted-per-router is 0: a URS without a limit of its own never gets an interaction", app)
			} else {
				l.report(CodeMaxSubmittedZero, at, "%s default-max-submitted-per-router is 0 %s: a URS without a limit of its own gets no new interaction meanwhile", app, when)
			}
		}
	}
}

// reachable are the steps an interaction can get to: none after a `stop` (completed) or a `queue`
// (it leaves for another queue's strategy), so nothing is reported about steps that never run.
func reachable(steps []core.Step) []core.Step {
	for i, s := range steps {
		if s.Kind == core.StepStop || s.Kind == core.StepQueue {
			return steps[:i+1]
		}
	}
	return steps
}

// serviceOf is the ESP service a step asks for (classify and autoresponse have defaults).
func serviceOf(s core.Step) string {
	switch {
	case s.Service != "":
		return s.Service
	case s.Kind == core.StepClassify:
		return "classification"
	case s.Kind == core.StepAutoresponse:
		return "email"
	}
	return ""
}

// provides reports whether an ESP server answers a service: only a ThirdPartyServer that lists its
// services refuses the others (the engine's misrouted fault).
func provides(a *core.AppConfig, service string) bool {
	return a.Type != core.TypeThirdPartyServer || len(a.Services) == 0 || slices.Contains(a.Services, service)
}

// esp checks each step's `via` against the servers it can reach.
func (l *linter) esp() {
	joined := map[string][]string{} // cluster -> apps the timeline adds
	for _, ta := range l.cfg.Timeline {
		if ta.Kind == core.ActJoin {
			joined[ta.Cluster] = append(joined[ta.Cluster], ta.App)
		}
	}
	for _, st := range l.cfg.Strategies {
		for i, s := range reachable(st.Steps) {
			if s.Via == "" {
				continue
			}
			path := join(join(item(join(join("strategies", st.Name), "steps"), i), s.Kind.String()), "via")
			at := l.valueAt(path, path)
			what := fmt.Sprintf("strategy %s step %d (%s %s)", st.Name, i+1, s.Kind, serviceOf(s))
			service := serviceOf(s)
			switch {
			case l.apps[s.Via] != nil:
				if a := l.apps[s.Via]; !provides(a, service) {
					l.report(CodeESPServiceMissing, at, "%s: via %s, whose services (%s) lack %s: every request faults",
						what, a.Name, strings.Join(a.Services, ", "), service)
				}
				l.viaName(s.Via, what, at)
			case l.clusters[s.Via] != nil:
				l.viaCluster(l.clusters[s.Via], joined[s.Via], service, what, at)
				if c := l.clusters[s.Via]; len(c.Members) > 0 && l.apps[c.Members[0]] != nil && l.apps[c.Members[0]].Type == core.TypeChatServer {
					l.report(CodeChatNotBalanced, at, "%s: via %s, an Application Cluster of Chat Servers: the Interaction Server balances Classification, E-mail, SMS and Social Messaging servers, not Chat Servers", what, c.Name)
				}
			case core.AppType(s.Via) == core.TypeChatServer:
				l.report(CodeChatNotBalanced, at, "%s: via ChatServer by type: the Interaction Server balances Classification, E-mail, SMS and Social Messaging servers, not Chat Servers; address a Chat Server by name", what)
				for _, is := range l.interactionServers(ownConnections) {
					l.viaType(is, core.TypeChatServer, service, what, at)
				}
			case core.AppType(s.Via).Valid():
				for _, is := range l.interactionServers(ownConnections) {
					l.viaType(is, core.AppType(s.Via), service, what, at)
				}
			}
		}
	}
}

// viaName checks that the Interaction Server in force reaches a server addressed by name: a direct
// connection, or a member of an Application Cluster on its Connections tab (following the
// timeline's joins and leaves). Only the Interaction Servers that are ever active count: a backup
// that never takes over reaches nothing for anyone.
func (l *linter) viaName(server, what string, at Pos) {
	var ever bool
	var gaps, names []string
	for n, p := range l.inForce {
		if p.is == "" {
			continue
		}
		to := l.cfg.Duration
		if n+1 < len(l.inForce) {
			to = l.inForce[n+1].from
		}
		if to <= p.from && n+1 < len(l.inForce) {
			continue // replaced at the same instant
		}
		if !slices.Contains(names, p.is) {
			names = append(names, p.is)
		}
		reached, all, why := l.reachesDuring(p.is, server, p.from, to)
		ever = ever || reached
		active := fmt.Sprintf("active %s–%s", fmtDuration(p.from), fmtDuration(to))
		switch {
		case !reached:
			gaps = append(gaps, fmt.Sprintf("%s (%s) has no connection to it", p.is, active))
		case !all:
			gaps = append(gaps, fmt.Sprintf("%s (%s) reaches it only part of the time: %s", p.is, active, why))
		}
	}
	switch {
	case len(names) == 0:
	case !ever:
		l.report(CodeESPNotConnected, at,
			"%s: via %s, but no Interaction Server in force reaches it (%s): every request fails unavailable; add %s to %s's connections, directly or through an Application Cluster on its Connections tab",
			what, server, strings.Join(gaps, "; "), server, l.primary.Name)
	case len(gaps) > 0:
		l.report(CodeESPSometimesConnected, at,
			"%s: via %s, which the Interaction Server in force does not always reach: %s; meanwhile its requests fail unavailable",
			what, server, strings.Join(gaps, "; "))
	}
}

// reachesDuring says whether the Interaction Server named is reaches server by name at some time
// in [from, to), at all times, and (when only partly) why: the joins and leaves of the clusters on
// its Connections tab change it. A backup without connections of its own uses its primary's.
func (l *linter) reachesDuring(name, server string, from, to time.Duration) (ever, always bool, why string) {
	is := l.apps[name]
	if !ownConnections(is) {
		is = l.primary
	}
	if slices.Contains(is.Connections, server) {
		return true, true, ""
	}
	member := map[string]bool{} // connected cluster -> server in it, as the timeline stands
	for _, c := range is.Connections {
		if cl := l.clusters[c]; cl != nil {
			member[c] = slices.Contains(cl.Members, server)
		}
	}
	in := func() bool {
		for _, m := range member {
			if m {
				return true
			}
		}
		return false
	}
	now := false
	started := false
	always = true
	check := func() {
		r := in()
		ever = ever || r
		always = always && r
		now = r
	}
	for _, i := range l.tl {
		ta := l.cfg.Timeline[i]
		if ta.App != server || (ta.Kind != core.ActJoin && ta.Kind != core.ActLeave) {
			continue
		}
		if _, ok := member[ta.Cluster]; !ok {
			continue
		}
		if ta.At > from && !started {
			started = true
			check()
		}
		if ta.At >= to {
			break
		}
		member[ta.Cluster] = ta.Kind == core.ActJoin
		if started && in() != now {
			if in() {
				why = fmt.Sprintf("it joins %s at %s", ta.Cluster, fmtDuration(ta.At))
			} else if why == "" {
				why = fmt.Sprintf("it leaves %s at %s", ta.Cluster, fmtDuration(ta.At))
			}
			check()
		}
	}
	if !started {
		check()
	}
	return ever, always, why
}

func (l *linter) viaCluster(c *core.ClusterConfig, joined []string, service, what string, at Pos) {
	members := slices.Clone(c.Members)
	for _, m := range joined {
		if !slices.Contains(members, m) {
			members = append(members, m)
		}
	}
	if len(members) == 0 {
		l.report(CodeESPNoServer, at, "%s: via %s, an Application Cluster with no members (and none joins): every request faults unavailable", what, c.Name)
		return
	}
	var lacking []string
	for _, m := range members {
		if a, ok := l.apps[m]; ok && !provides(a, service) {
			lacking = append(lacking, fmt.Sprintf("%s (%s)", m, strings.Join(a.Services, ", ")))
		}
	}
	if len(lacking) > 0 {
		l.report(CodeESPServiceMissing, at, "%s: via %s, whose members %s do not provide %s: requests they receive fault",
			what, c.Name, strings.Join(lacking, ", "), service)
	}
}

// viaType checks a `via` by application type against the IS's direct connections of that type.
func (l *linter) viaType(is *core.AppConfig, t core.AppType, service, what string, at Pos) {
	var servers []*core.AppConfig
	for _, c := range is.Connections {
		if a, ok := l.apps[c]; ok && a.Type == t {
			servers = append(servers, a)
		}
	}
	if len(servers) == 0 {
		l.report(CodeESPNoServer, at, "%s: via %s, but %s has no direct connection to a %s: every request faults unavailable",
			what, t, is.Name, t)
		return
	}
	var lacking, having []string
	for _, a := range servers {
		if provides(a, service) {
			having = append(having, a.Name)
		} else {
			lacking = append(lacking, fmt.Sprintf("%s (%s)", a.Name, strings.Join(a.Services, ", ")))
		}
	}
	switch {
	case len(lacking) == 0:
	case len(having) == 0:
		l.report(CodeESPServiceMissing, at, "%s: via %s, but none of %s's %ss provides %s: %s; every request faults",
			what, t, is.Name, t, service, strings.Join(lacking, ", "))
	default:
		l.report(CodeESPThirdPartyByType, at,
			"%s: via %s by type, but %s's directly connected %ss provide different services: requests reach %s and fault; put %s in an Application Cluster and address it",
			what, t, is.Name, t, strings.Join(lacking, ", "), strings.Join(having, ", "))
	}
}

// dapsOf lists the DAPs among an application's connections, with their index there.
func (l *linter) dapsOf(is *core.AppConfig) (daps []*core.AppConfig, idx []int) {
	for i, c := range is.Connections {
		if a, ok := l.apps[c]; ok && a.Type == core.TypeDatabaseAccessPoint {
			daps, idx = append(daps, a), append(idx, i)
		}
	}
	return daps, idx
}

// databases checks that the Interaction Server, and its backup, reach one database.
func (l *linter) databases() {
	if l.primary == nil {
		return
	}
	daps, _ := l.dapsOf(l.primary)
	if len(daps) == 0 {
		return // a load error
	}
	inUse := daps[0].Database // the engine uses the first DAP's database
	for _, d := range daps[1:] {
		if d.Database != inUse {
			l.report(CodeDAPDatabaseMismatch, l.valueAt(appPath(d.Name, "database"), appPath(d.Name)),
				"%s points at database %s, but %s works with %s (through %s): the Interaction Server works with one database, and does not use %s",
				d.Name, d.Database, l.primary.Name, inUse, daps[0].Name, d.Name)
		}
	}
	if l.backup == nil || !ownConnections(l.backup) {
		return
	}
	bdaps, idx := l.dapsOf(l.backup)
	for i, d := range bdaps {
		if d.Database != inUse {
			path := item(appPath(l.backup.Name, "connections"), idx[i])
			l.report(CodeBackupDatabase, l.at(path, appPath(l.backup.Name, "connections")),
				"%s, a connection of the backup %s, points at database %s, but its primary %s works with %s: after a switchover the interactions open in %s are lost",
				d.Name, l.backup.Name, d.Database, l.primary.Name, inUse, inUse)
		}
	}
}

// timeline walks the timeline as the engine runs it, for re-pointed DAPs and the Interaction
// Server that reads them when it becomes active.
func (l *linter) timeline() {
	w := l.newTimelineWalk()
	for _, i := range l.tl {
		ta := l.cfg.Timeline[i]
		if ta.At > l.cfg.Duration {
			entry := item("timeline", i)
			l.report(CodeTimelineAfterEnd, l.valueAt(join(entry, "at"), entry),
				"timeline entry %d at %s is after the end of the run (duration %s): it never happens", i+1, fmtDuration(ta.At), fmtDuration(l.cfg.Duration))
			continue
		}
		w.step(i)
	}
}

// timelineWalk is the deployment as the timeline changes it: the engine's rules, step by step.
type timelineWalk struct {
	l         *linter
	dapDB     map[string]string         // DAP -> the database it points at now
	repointed map[string]int            // DAP -> timeline index of its latest re-point
	seq       map[string]int            // DAP -> order of its latest re-point (the engine's repointSeq)
	n         int                       // re-points so far
	opts      map[string]core.Options   // IS -> its options as the timeline changes them
	running   map[string]bool           // IS -> running
	mem       map[string]*core.ISMemory // what each IS remembers of its database (the engine's own)
	inUse     string                    // the database the active IS works with
	active    string                    // the active IS ("" when none runs)
}

func (l *linter) newTimelineWalk() *timelineWalk {
	w := &timelineWalk{l: l, dapDB: map[string]string{}, repointed: map[string]int{}, seq: map[string]int{},
		opts: map[string]core.Options{}, running: map[string]bool{}, mem: map[string]*core.ISMemory{}}
	for _, a := range l.cfg.Apps {
		if a.Type == core.TypeDatabaseAccessPoint {
			w.dapDB[a.Name] = a.Database
		}
	}
	if l.primary != nil {
		w.active = l.primary.Name
		for _, is := range []*core.AppConfig{l.primary, l.backup} {
			if is != nil {
				w.opts[is.Name] = is.Options.Clone()
				w.running[is.Name] = true
			}
		}
		if daps, _ := l.dapsOf(l.primary); len(daps) > 0 {
			w.inUse = daps[0].Database
		}
	}
	// A warm standby that becomes active again without a stop or restart continues with the
	// database it remembers (core.ISMemory).
	for name := range w.running {
		w.mem[name] = &core.ISMemory{}
	}
	if w.active != "" {
		w.mem[w.active].Remember(w.inUse)
		l.inForce = append(l.inForce, isPeriod{is: w.active})
	}
	return w
}

// partner is the other Interaction Server of the pair ("" without a backup).
func (w *timelineWalk) partner(name string) string {
	if w.l.backup == nil {
		return ""
	}
	if name == w.l.primary.Name {
		return w.l.backup.Name
	}
	return w.l.primary.Name
}

// guarded reports whether verify-database-identity is on for the IS named (a backup without
// options of its own reads its primary's).
func (w *timelineWalk) guarded(name string) bool {
	o := w.opts[name]
	if len(o) == 0 && w.l.primary != nil {
		o = w.opts[w.l.primary.Name]
	}
	return core.OptVerifyDatabaseIdentity.Bool(core.OptVerifyDatabaseIdentity.Get(o))
}

// step applies timeline entry i.
func (w *timelineWalk) step(i int) {
	l := w.l
	ta := l.cfg.Timeline[i]
	switch ta.Kind {
	case core.ActRepoint:
		w.repoint(i)
	case core.ActSetOption:
		if o, ok := w.opts[ta.App]; ok {
			if _, annex := core.CutAnnex(ta.Section); !annex {
				o.Set(ta.Section, ta.Option, ta.Value)
			}
		}
	case core.ActSwitchover:
		if to := w.partner(w.active); to != "" && w.running[to] {
			w.becomeActive(to, i)
		}
	case core.ActStop:
		if _, isIS := w.running[ta.App]; !isIS || !w.running[ta.App] {
			return
		}
		w.running[ta.App] = false
		w.mem[ta.App].Forget() // it reads its DAPs anew when it starts
		if ta.App != w.active {
			return
		}
		if to := w.partner(w.active); to != "" && w.running[to] {
			w.becomeActive(to, i)
		} else {
			w.active = ""
			l.inForce = append(l.inForce, isPeriod{from: ta.At}) // none: nothing is routed
		}
	case core.ActRestart:
		if !w.running[ta.App] {
			return // the engine refuses it: start it instead
		}
		// A restarted IS, active or standby, reads its DAPs anew when it next becomes active.
		w.mem[ta.App].Forget()
		if ta.App == w.active {
			w.becomeActive(ta.App, i)
		}
	case core.ActStart:
		if _, isIS := w.running[ta.App]; !isIS || w.running[ta.App] {
			return
		}
		w.running[ta.App] = true
		if w.active == "" {
			w.becomeActive(ta.App, i)
		}
	}
}

// repoint applies timeline entry i, a DAP re-pointed on the fly, and reports it.
func (w *timelineWalk) repoint(i int) {
	l := w.l
	ta := l.cfg.Timeline[i]
	if ta.Database == w.dapDB[ta.App] {
		return // a no-op, which the engine refuses: nothing changes
	}
	next := fmt.Sprintf("the next one to become active works with %s", ta.Database)
	if w.guarded(w.active) {
		next = fmt.Sprintf("with verify-database-identity the next one to become active refuses it (and holds all work if no DAP leads to %s any more)", w.inUse)
	}
	entry := item("timeline", i)
	l.report(CodeDAPRepoint, l.valueAt(join(join(entry, "set"), "database"), entry),
		"%s re-pointed on the fly from %s to %s: the active Interaction Server overlooks it, %s; Genesys recommends against changing a DAP on the fly",
		ta.App, w.dapDB[ta.App], ta.Database, next)
	w.dapDB[ta.App] = ta.Database
	w.n++
	w.seq[ta.App], w.repointed[ta.App] = w.n, i
}

// becomeActive is the engine's activateIS, through the same rule (core.ChooseDatabase), at
// timeline entry i.
func (w *timelineWalk) becomeActive(name string, i int) {
	l := w.l
	w.active = name
	l.inForce = append(l.inForce, isPeriod{is: name, from: l.cfg.Timeline[i].At})
	conf := l.apps[name]
	guard := w.guarded(name)
	if !ownConnections(conf) {
		conf = l.primary
	}
	daps, _ := l.dapsOf(conf)
	var choices []core.DAPChoice
	for _, d := range daps {
		choices = append(choices, core.DAPChoice{Name: d.Name, Database: w.dapDB[d.Name], RepointSeq: uint64(w.seq[d.Name])})
	}
	kept := w.mem[name].Using()
	db := w.mem[name].Choose(guard, w.inUse, choices)
	if db == "" {
		return
	}
	w.noDAPTo(name, i, db, choices)
	if db != w.inUse && kept == "" && !(guard && w.inUse != "") {
		w.repointHazard(name, i, db, choices)
	}
	w.inUse = db
	w.mem[name].Remember(db)
}

// noDAPTo reports an Interaction Server that became active at entry i on a database db (the one
// it keeps, or the guard's) that none of its DAPs leads to: the engine holds all work.
func (w *timelineWalk) noDAPTo(name string, i int, db string, choices []core.DAPChoice) {
	var elsewhere []string
	for _, c := range choices {
		if c.Database == db {
			return
		}
		elsewhere = append(elsewhere, c.Name+" → "+c.Database)
	}
	if len(elsewhere) == 0 {
		return
	}
	l := w.l
	ta := l.cfg.Timeline[i]
	path := join(item("timeline", i), ta.Kind.String())
	l.report(CodeActivationNoDAP, l.valueAt(path, item("timeline", i)),
		"%s becomes active at %s (%s) on database %s, but none of its DAPs points there any more (%s): it holds all work until a DAP leads to %s again",
		name, fmtDuration(ta.At), ta.Kind, db, strings.Join(elsewhere, ", "), db)
}

// repointHazard reports an Interaction Server that became active at entry i on the database of
// the most recently re-pointed DAP (the rule's pick, unguarded): what is open in the database in
// use is lost.
func (w *timelineWalk) repointHazard(name string, i int, db string, choices []core.DAPChoice) {
	l := w.l
	pick := choices[0]
	for _, c := range choices {
		if c.RepointSeq > pick.RepointSeq {
			pick = c
		}
	}
	r, ok := w.repointed[pick.Name]
	if !ok {
		return
	}
	ta := l.cfg.Timeline[i]
	path := join(item("timeline", i), ta.Kind.String())
	l.report(CodeSwitchoverRepoint, l.valueAt(path, item("timeline", i)),
		"%s becomes active at %s after %s was re-pointed to %s (at %s): it works with %s and the interactions open in %s are lost; set verify-database-identity: true in %s's settings",
		name, fmtDuration(ta.At), pick.Name, db, fmtDuration(l.cfg.Timeline[r].At), db, w.inUse, l.primary.Name)
}

// activatedEver reports whether a strategy runs on any URS at some point: activated_on or an
// `activate` entry of the timeline.
func (l *linter) activatedEver(strategy string) bool {
	for _, strategies := range l.active {
		if slices.Contains(strategies, strategy) {
			return true
		}
	}
	return false
}

// canServe reports whether a URS can become eligible at some point of the run: connected and with
// a limit above 0 (agent_reservation decides how it takes agents, not whether it gets work).
func (l *linter) canServe(u *core.AppConfig) bool {
	if u.Type != core.TypeRoutingServer || !l.connected(u) {
		return false
	}
	is := l.primary
	if l.backup != nil && ownAnnex(l.backup) && !ownAnnex(l.primary) {
		is = l.backup
	}
	// A limit of 0, its own or the IS's default-max-submitted-per-router when it has none, keeps
	// it out of every rotation unless the timeline changes one of them.
	limit, own := core.OptMaxSubmittedInteractions.GetFor(u.Annex, l.primary.Name)
	if !own {
		limit, _ = core.OptDefaultMaxSubmittedPerRouter.Get(is.Options)
	}
	if strings.TrimSpace(limit) == "0" {
		return slices.ContainsFunc(l.cfg.Timeline, func(ta core.TimedAction) bool {
			return ta.Kind == core.ActSetOption && (ta.App == u.Name && ta.Option == core.OptMaxSubmittedInteractions.Name() ||
				ta.Option == core.OptDefaultMaxSubmittedPerRouter.Name())
		})
	}
	return true
}

// queues checks that each queue's strategy runs somewhere, and that some traffic can be routed.
func (l *linter) queues() {
	strategyOf := map[string]string{}
	for _, bp := range l.businessProcesses() {
		for _, q := range bp.queues {
			strategyOf[q.Name] = q.Strategy
			if !l.activatedEver(q.Strategy) {
				path := join(join(join(join("business_processes", bp.name), "queues"), q.Name), "strategy")
				l.report(CodeQueueNotActivated, l.valueAt(path, path),
					"queue %s: strategy %s is activated on no URS, at load or in the timeline: its interactions wait in the queue for the whole run",
					q.Name, q.Strategy)
			}
		}
	}
	if len(l.cfg.Traffic) == 0 || l.primary == nil {
		return
	}
	var queues []string
	for _, t := range l.cfg.Traffic {
		st := strategyOf[t.Queue]
		for u, strategies := range l.active {
			if slices.Contains(strategies, st) && l.apps[u] != nil && l.canServe(l.apps[u]) {
				return // some traffic can be routed
			}
		}
		if !slices.Contains(queues, t.Queue) {
			queues = append(queues, t.Queue)
		}
	}
	l.report(CodeNothingRouted, l.at("traffic"),
		"no traffic can ever be submitted to a URS: the strategies of queues %s are activated on no URS that is connected to %s with a submission limit above 0; every interaction would wait in its queue for the whole run",
		strings.Join(queues, ", "), l.isName())
}

type bpQueues struct {
	name   string
	queues []core.QueueConfig
}

// businessProcesses groups the queues by business process, in file order.
func (l *linter) businessProcesses() []bpQueues {
	var out []bpQueues
	for _, q := range l.cfg.Queues {
		if len(out) == 0 || out[len(out)-1].name != q.BusinessProcess {
			out = append(out, bpQueues{name: q.BusinessProcess})
		}
		out[len(out)-1].queues = append(out[len(out)-1].queues, q)
	}
	return out
}

// capacity follows each media from the traffic into its queue, through `queue` steps, to the
// agent groups the strategies route it to, and checks that the groups can take it.
func (l *linter) capacity() {
	media := l.mediaByQueue()
	groups := map[string]*core.AgentGroupConfig{}
	for i := range l.cfg.AgentGroups {
		groups[l.cfg.AgentGroups[i].Name] = &l.cfg.AgentGroups[i]
	}
	produced := l.categories() // a by_category branch for another category is never taken
	routingTimeout := core.OptRoutingTimeout.Duration("", false)
	if l.primary != nil {
		routingTimeout = core.OptRoutingTimeout.Duration(core.OptRoutingTimeout.Get(l.primary.Options))
	}
	for _, st := range l.cfg.Strategies {
		var in []string // media reaching the strategy, with the first queue that brings each
		via := map[string]string{}
		for _, q := range l.cfg.Queues {
			if q.Strategy != st.Name {
				continue
			}
			for _, m := range media[q.Name] {
				if !slices.Contains(in, m) {
					in = append(in, m)
					via[m] = q.Name
				}
			}
		}
		for i, s := range reachable(st.Steps) {
			if s.Kind != core.StepRoute {
				continue
			}
			base := join(item(join(join("strategies", st.Name), "steps"), i), "route")
			for _, t := range routeTargets(s, produced) {
				g, ok := groups[t.group]
				if !ok {
					continue
				}
				var missing, queues []string
				for _, m := range in {
					if g.Agents == 0 || capacityFor(g, m) == 0 {
						missing = append(missing, m)
						if !slices.Contains(queues, via[m]) {
							queues = append(queues, via[m])
						}
					}
				}
				if len(missing) == 0 {
					continue
				}
				why := "no capacity for " + strings.Join(missing, ", ")
				if g.Agents == 0 {
					why = "no agents"
				}
				path := join(base, t.key)
				l.report(CodeGroupNoCapacity, l.valueAt(path, path),
					"strategy %s step %d routes %s interactions (queue %s) to agent group %s, which has %s: they wait in their URS (state 2) for an agent that never comes, until routing-timeout (%s) returns them to their queue and they are submitted again",
					st.Name, i+1, strings.Join(missing, ", "), strings.Join(queues, ", "), g.Name, why, fmtDuration(routingTimeout))
			}
		}
	}
}

// mediaByQueue follows each media from the traffic into its queue and through `queue` steps into
// the queues they place interactions in: the media that reach each queue, in the order found.
func (l *linter) mediaByQueue() map[string][]string {
	media := map[string][]string{}
	add := func(q, m string) bool {
		if slices.Contains(media[q], m) {
			return false
		}
		media[q] = append(media[q], m)
		return true
	}
	for _, t := range l.cfg.Traffic {
		add(t.Queue, t.Media)
	}
	for changed := true; changed; {
		changed = false
		for _, q := range l.cfg.Queues {
			for _, st := range l.cfg.Strategies {
				if st.Name != q.Strategy {
					continue
				}
				for _, s := range st.Steps {
					if s.Kind != core.StepQueue {
						continue
					}
					for _, m := range media[q.Name] {
						changed = add(s.Queue, m) || changed
					}
				}
			}
		}
	}
	return media
}

// routeTarget is an agent group a route step sends to, and the step's key that names it.
type routeTarget struct{ key, group string }

// routeTargets are the groups a route step can send to: its group, the by_category branches of
// categories some classify step sets, and the default.
func routeTargets(s core.Step, produced map[string]bool) []routeTarget {
	var targets []routeTarget
	if s.Group != "" {
		targets = append(targets, routeTarget{"group", s.Group})
	}
	for _, r := range s.ByCategory {
		if produced[r.Category] {
			targets = append(targets, routeTarget{join("by_category", r.Category), r.Group})
		}
	}
	if s.Default != "" {
		targets = append(targets, routeTarget{join("by_category", "default"), s.Default})
	}
	return targets
}

func capacityFor(g *core.AgentGroupConfig, media string) int {
	for _, c := range g.Capacity {
		if c.Media == media {
			return c.Max
		}
	}
	return 0
}

// mediaOf is the media a kind of media server submits, where it is one media: a Social Messaging
// Server submits many (facebook, twitter…), and a fax may reach an E-mail Server as an attachment.
var mediaOf = map[core.AppType]string{core.TypeEmailServer: "email", core.TypeChatServer: "chat", core.TypeSMSServer: "sms"}

// traffic checks streams that start too late to submit anything, and streams of a media another
// kind of media server submits.
func (l *linter) traffic() {
	for i, t := range l.cfg.Traffic {
		if t.Start >= l.cfg.Duration {
			path := join(item("traffic", i), "start")
			l.report(CodeTrafficAfterEnd, l.valueAt(path, item("traffic", i)),
				"traffic %d starts at %s, at or after the end of the run (duration %s): it submits nothing", i+1, fmtDuration(t.Start), fmtDuration(l.cfg.Duration))
		}
		from := l.apps[t.From]
		if from == nil {
			continue
		}
		if from.Type == core.TypeSocialMessagingServer {
			continue // it submits many media, chat-like ones among them
		}
		for typ, m := range mediaOf {
			// Media names are exact (capacity counts chat and CHAT apart), but CHAT is still the
			// Chat Server's media by name.
			if strings.EqualFold(m, t.Media) && typ != from.Type {
				path := join(item("traffic", i), "media")
				l.report(CodeTrafficMedia, l.valueAt(path, item("traffic", i)),
					"traffic %d: media %s from %s, %s: %s interactions are submitted by %s; submit them from one, or give this stream %s's own media",
					i+1, t.Media, t.From, withArticle(string(from.Type)), t.Media, withArticle(string(typ)), t.From)
			}
		}
	}
}

// mediaCase warns where a media name differs from one met earlier in the file only in case
// (capacities in file order, then traffic): ixlb counts them as different media.
func (l *linter) mediaCase() {
	first := map[string]string{} // lower case -> the spelling met first
	check := func(m string, at Pos, where string) {
		k := strings.ToLower(m)
		f, ok := first[k]
		switch {
		case !ok:
			first[k] = m
		case f != m:
			l.report(CodeMediaCase, at, "%s: media %s differs from %s only in case: they are different media to ixlb (capacity for %s does not take %s); write one spelling", where, m, f, f, m)
		}
	}
	for _, g := range l.cfg.AgentGroups {
		for _, c := range g.Capacity {
			path := join(join(join("agent_groups", g.Name), "capacity"), c.Media)
			check(c.Media, l.at(path), fmt.Sprintf("agent group %s's capacity", g.Name))
		}
	}
	for i, t := range l.cfg.Traffic {
		path := join(item("traffic", i), "media")
		check(t.Media, l.valueAt(path, item("traffic", i)), fmt.Sprintf("traffic %d", i+1))
	}
}

// handlingTimeout warns where handling-timeout (the file's value or the default, and each value
// the timeline sets) is short against an agent group's mean handle time: with exponential handle
// times a share exp(-timeout/mean) of the group's interactions outlast it, and each of those is
// revoked again from every agent it reaches.
func (l *linter) handlingTimeout() {
	places := l.isDurations(core.OptHandlingTimeout)
	used := l.routedGroups()
	for _, p := range places {
		for _, g := range l.cfg.AgentGroups {
			if !used[g.Name] {
				continue // no route step sends it anything: nothing is revoked there
			}
			h := g.HandleTime
			if h <= 0 {
				h = time.Minute // the engine's default
			}
			share := math.Exp(-float64(p.d) / float64(h))
			if g.Agents == 0 || share < 0.001 {
				continue
			}
			l.report(CodeHandlingTimeout, l.placeAt(p, g.Name, "handle_time"),
				"handling-timeout %s (%s) against agent group %s's mean handle time %s: about %s%% of its interactions outlast it; each is revoked and delivered again, and revoked again from every agent it reaches (its work does not change), tying up one more agent each time",
				fmtDuration(p.d), p.how, g.Name, fmtDuration(h), percent(share))
		}
	}
}

// isPlace is where an Interaction Server duration option takes a value: the default (at invalid:
// reported at what it is checked against), an Interaction Server's options, or a timeline entry.
type isPlace struct {
	d   time.Duration
	at  Pos
	how string
}

// isDurations are the values the Interaction Servers' option opt takes in the run.
func (l *linter) isDurations(opt core.Opt) []isPlace {
	if l.primary == nil {
		return nil
	}
	var places []isPlace
	for _, is := range l.interactionServers(func(a *core.AppConfig) bool { return len(a.Options) > 0 }) {
		v, set := opt.Get(is.Options)
		p := isPlace{d: opt.Duration(v, set), how: "the default"}
		if set {
			p.at, p.how = l.optionAt(is.Name, opt, ""), is.Name+"'s"
		}
		places = append(places, p)
	}
	for i, ta := range l.cfg.Timeline {
		if ta.Kind == core.ActSetOption && opt.Names(ta.Section, ta.Option) && l.isIS(ta.App) {
			path := join(join(item("timeline", i), "set"), "value")
			places = append(places, isPlace{d: opt.Duration(ta.Value, true), at: l.valueAt(path, path), how: "set at " + fmtDuration(ta.At)})
		}
	}
	return places
}

// placeAt is where a diagnostic about p against agent group's field is reported: where the
// option is set, or at the group's field when p is the default.
func (l *linter) placeAt(p isPlace, group, field string) Pos {
	if p.at.IsValid() {
		return p.at
	}
	path := join(join("agent_groups", group), field)
	return l.valueAt(path, path)
}

// answerTimeout: an agent group that answers later than delivering-timeout (the engine's rule:
// answer_time > delivering-timeout) never answers at all.
func (l *linter) answerTimeout() {
	used := l.routedGroups()
	for _, p := range l.isDurations(core.OptDeliveringTimeout) {
		for _, g := range l.cfg.AgentGroups {
			answer := g.AnswerTime
			if answer <= 0 {
				answer = core.DefaultAnswerTime
			}
			if !used[g.Name] || g.Agents == 0 || answer <= p.d {
				continue
			}
			l.report(CodeAnswerTimeout, l.placeAt(p, g.Name, "answer_time"),
				"delivering-timeout %s (%s) against agent group %s's answer_time %s: every invite to the group times out before its agent answers and is revoked and delivered again; the group never handles an interaction",
				fmtDuration(p.d), p.how, g.Name, fmtDuration(answer))
		}
	}
}

// categories are the categories a classify step an interaction can reach sets.
func (l *linter) categories() map[string]bool {
	produced := map[string]bool{}
	for _, st := range l.cfg.Strategies {
		for _, s := range reachable(st.Steps) {
			if s.Kind == core.StepClassify {
				for _, c := range s.Categories {
					produced[c.Name] = true
				}
			}
		}
	}
	return produced
}

// percent writes a share as a person would: 0.1, 2.5, 37, 100 (never 1e+02).
func percent(share float64) string {
	p := 100 * share
	if p >= 10 {
		return strconv.FormatFloat(math.Round(p), 'f', -1, 64)
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

// routedGroups are the agent groups some route step an interaction can reach sends to (by
// by_category only for a category some classify step can set).
func (l *linter) routedGroups() map[string]bool {
	produced := l.categories()
	used := map[string]bool{}
	for _, st := range l.cfg.Strategies {
		for _, s := range reachable(st.Steps) {
			if s.Kind != core.StepRoute {
				continue
			}
			used[s.Group], used[s.Default] = true, true
			for _, r := range s.ByCategory {
				if produced[r.Category] {
					used[r.Group] = true
				}
			}
		}
	}
	return used
}

// fmtDuration writes a duration as a scenario would: 2m, 1h30m, 1m30s (not 2m0s).
func fmtDuration(d time.Duration) string { return core.FormatDuration(d) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// dapAccess notes an Interaction Server whose DAPs mix DB Servers (the 8.1 design) and ODBC
// (Framework 8.5 dropped DB Server).
func (l *linter) dapAccess() {
	for _, is := range l.interactionServers(ownConnections) {
		daps, _ := l.dapsOf(is)
		var via, odbc []string
		for _, d := range daps {
			if d.DBServer == "" {
				odbc = append(odbc, d.Name)
			} else {
				via = append(via, d.Name)
			}
		}
		if len(via) > 0 && len(odbc) > 0 {
			l.report(CodeDAPMixedAccess, l.at(appPath(odbc[0]), appPath(is.Name)),
				"%s's DAPs mix DB Servers (%s) and ODBC (%s): both load, but a real deployment uses one (DB Server support was dropped in Framework 8.5)",
				is.Name, strings.Join(via, ", "), strings.Join(odbc, ", "))
		}
	}
}
