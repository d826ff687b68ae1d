package scenarios

import (
	"fmt"
	"slices"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/ixlb/ixlb/core"
)

var trafficFields = []string{"media", "from", "queue", "rate", "start", "stop", "patience"}

func (l *loader) traffic(raw ast.Node) {
	items, _ := l.list(raw, "traffic", "traffic")
	for i, it := range items {
		path := item("traffic", i)
		what := fmt.Sprintf("traffic %d", i+1)
		o := l.object(it, path, what, trafficFields...)
		o.require("media", "from", "queue", "rate")
		t := core.TrafficConfig{}
		if m, ok := o.str("media"); ok {
			t.Media = m.Name
		}
		if f, ok := o.str("from"); ok {
			t.From = f.Name
			l.later(func() { l.refApp(f, what+" from", mediaServerTypes()...) })
		}
		if q, ok := o.str("queue"); ok {
			t.Queue = q.Name
			l.later(func() { l.refName(q, what, "queue", l.queuePos) })
		}
		if raw, ok := o.get("rate"); ok {
			t.Rate, _ = l.rate(raw, what+": rate")
		}
		if v, ok := o.duration("start"); ok {
			t.Start = v
		}
		if v, ok := o.duration("stop"); ok {
			if v <= t.Start {
				raw, _ := o.get("stop")
				l.errorf(posOf(raw), CodeBadDuration, "%s: stop (%s) must come after start (%s)", what, v, t.Start)
			}
			t.Stop = v
		}
		if v, ok := o.duration("patience"); ok {
			if v <= 0 {
				raw, _ := o.get("patience")
				l.errorf(posOf(raw), CodeBadDuration, "%s: patience must be positive (leave it out for customers who wait forever)", what)
			}
			t.Patience = v
		}
		l.cfg.Traffic = append(l.cfg.Traffic, t)
	}
}

// rateSpellings is the list a bad rate's message gives.
const rateSpellings = core.RateSpellings + " with N > 0, e.g. 2/s or 30/min"

// MaxTrafficRate bounds one traffic stream, in interactions a second: ten times Genesys' own
// ceiling on submissions a second per URS, far above any real site, and low enough that a typo
// such as 1000000/s is an error rather than a run that exhausts memory.
const MaxTrafficRate = 10 * core.MaxSubmissionRate

// rate reads "N/s", "N/min", "N/hour"… (N > 0) as arrivals per second.
func (l *loader) rate(raw ast.Node, what string) (float64, bool) {
	pos := posOf(raw)
	n, ok := l.resolve(raw)
	if !ok {
		return 0, false
	}
	s, isScalar := scalarText(n)
	if !isScalar || isNull(n) {
		l.errorf(pos, CodeType, "%s: want a rate such as 2/s or 30/min, got %s", what, kindOf(n))
		return 0, false
	}
	v, per, ok := core.ParseRate(s)
	if !ok || per == 0 { // a traffic rate names its unit
		l.errorf(pos, CodeBadRate, "%s: bad rate %q: want %s", what, s, rateSpellings)
		return 0, false
	}
	if v <= 0 {
		l.errorf(pos, CodeBadRate, "%s: bad rate %q: N must be greater than 0", what, s)
		return 0, false
	}
	v /= per.Seconds()
	if v > MaxTrafficRate {
		l.errorf(pos, CodeBadRate, "%s: rate %q is %g interactions a second; at most %d a second per traffic stream (ten times Genesys' ceiling of %d submissions a second per URS)",
			what, s, v, MaxTrafficRate, core.MaxSubmissionRate)
		return 0, false
	}
	return v, true
}

// actionKeys are the timeline's actions; an entry has `at` and exactly one of them (`on` goes with
// activate and deactivate).
var actionKeys = []string{"stop", "start", "activate", "deactivate", "set", "switchover", "join", "leave", "restart"}

// timelineFields are the keys of a timeline entry: when, the action, and who acted (`by`).
var timelineFields = append([]string{"at", "on", "by"}, actionKeys...)

func (l *loader) timeline(raw ast.Node) {
	items, _ := l.list(raw, "timeline", "timeline")
	for i, it := range items {
		path := item("timeline", i)
		what := fmt.Sprintf("timeline entry %d", i+1)
		o := l.object(it, path, what, timelineFields...)
		if !o.ok {
			continue
		}
		o.require("at")
		ta := core.TimedAction{}
		if v, ok := o.duration("at"); ok {
			ta.At = v
		}
		if by, ok := o.str("by"); ok {
			// An operator's action, as `ixlb export` writes a console session: it happens after
			// everything else due at its instant.
			if by.Name != "operator" {
				l.errorf(by.Pos, CodeBadValue, "%s: by: %q: the only value is operator (an operator's action, after everything else due at that instant)", what, by.Name)
			}
			ta.Operator = true
		}
		var acts []string
		for _, k := range actionKeys {
			if o.has(k) {
				acts = append(acts, k)
			}
		}
		slices.SortFunc(acts, func(a, b string) int { return o.keyPos(a).compare(o.keyPos(b)) })
		switch {
		case len(acts) == 0:
			l.errorf(o.pos, CodeMissingField, "%s: missing the action (one of %s)", what, listNames(actionKeys))
			continue
		case len(acts) > 1:
			l.errorf(o.keyPos(acts[1]), CodeBadValue, "%s: one action per entry; this one has %s", what, listNames(acts))
			continue
		}
		act := acts[0]
		if o.has("on") && act != "activate" && act != "deactivate" {
			l.errorf(o.keyPos("on"), CodeUnknownField, "%s: \"on\" goes with activate and deactivate, not %s", what, act)
		}
		if a, ok := l.action(o, act, fmt.Sprintf("%s (%s)", what, act)); ok {
			ta.Action = a
			l.cfg.Timeline = append(l.cfg.Timeline, ta)
		}
	}
}

func (l *loader) action(o *object, act, what string) (core.Action, bool) {
	val, _ := o.get(act)
	switch act {
	case "stop", "start":
		a := core.Action{Kind: core.ActStop}
		if act == "start" {
			a.Kind = core.ActStart
		}
		app, ok := l.str(val, what)
		if !ok {
			return a, false
		}
		a.App = app.Name
		l.later(func() { l.refApp(app, what) })
		return a, true
	case "activate", "deactivate":
		a := core.Action{Kind: core.ActActivate}
		if act == "deactivate" {
			a.Kind = core.ActDeactivate
		}
		o.require("on")
		s, ok := l.str(val, what)
		if !ok {
			return a, false
		}
		a.Strategy = s.Name
		l.later(func() { l.refName(s, what, "strategy", l.stratPos) })
		if raw, ok := o.get("on"); ok {
			urs := l.names(raw, o.sub("on"), what+" on")
			if len(urs) == 0 {
				l.errorf(posOf(raw), CodeMissingField, "%s: on names no RoutingServer", what)
			}
			for _, u := range urs {
				a.URS = append(a.URS, u.Name)
			}
			l.later(func() {
				for _, u := range urs {
					l.refApp(u, what+" on", core.TypeRoutingServer)
				}
			})
		}
		return a, true
	case "set":
		return l.set(val, o.sub("set"), what)
	case "switchover":
		is, ok := l.str(val, what)
		if !ok {
			return core.Action{}, false
		}
		l.later(func() { l.checkSwitchover(is, what) })
		return core.Action{Kind: core.ActSwitchover, App: is.Name}, true
	case "restart":
		is, ok := l.str(val, what)
		if !ok {
			return core.Action{}, false
		}
		l.later(func() { l.refApp(is, what, core.TypeInteractionServer) })
		return core.Action{Kind: core.ActRestart, App: is.Name}, true
	case "join", "leave":
		a := core.Action{Kind: core.ActJoin}
		if act == "leave" {
			a.Kind = core.ActLeave
		}
		mo := l.object(val, o.sub(act), what, "cluster", "app")
		mo.require("cluster", "app")
		c, okC := mo.str("cluster")
		m, okM := mo.str("app")
		if !okC || !okM {
			return a, false
		}
		a.Cluster, a.App = c.Name, m.Name
		l.later(func() { l.checkMembership(a.Kind, c, m, what) })
		return a, true
	}
	return core.Action{}, false
}

// set reads `set: {app, section, option, value}` (an option changed on the fly) or, for a DAP,
// `set: {app, database}` (the DAP re-pointed).
func (l *loader) set(raw ast.Node, path, what string) (core.Action, bool) {
	o := l.object(raw, path, what, "app", "section", "option", "value", "database")
	if !o.ok {
		return core.Action{}, false
	}
	o.require("app")
	app, okApp := o.str("app")
	if o.has("database") {
		for _, k := range []string{"section", "option", "value"} {
			if o.has(k) {
				l.errorf(o.keyPos(k), CodeUnknownField, "%s: %q does not go with database (set {app, database} re-points a DAP)", what, k)
			}
		}
		db, ok := o.str("database")
		if !ok || !okApp {
			return core.Action{}, false
		}
		l.later(func() {
			l.refApp(app, what+" app", core.TypeDatabaseAccessPoint)
			l.refName(db, what, "database", l.dbPos)
		})
		return core.Action{Kind: core.ActRepoint, App: app.Name, Database: db.Name}, true
	}
	if !o.require("section", "option", "value") || !okApp {
		return core.Action{}, false
	}
	sec, ok1 := o.str("section")
	opt, ok2 := o.str("option")
	vraw, _ := o.get("value")
	val, ok3 := l.text(vraw, what+" value")
	if !ok1 || !ok2 || !ok3 {
		return core.Action{}, false
	}
	l.later(func() { l.refApp(app, what+" app") })
	return core.Action{Kind: core.ActSetOption, App: app.Name, Section: sec.Name, Option: opt.Name, Value: val}, true
}

func (l *loader) checkSwitchover(is named, what string) {
	a, ok := l.refApp(is, what, core.TypeInteractionServer)
	if !ok {
		return
	}
	if a.Backup != "" {
		return
	}
	for _, p := range l.cfg.Apps {
		if p.Type == core.TypeInteractionServer && p.Backup == is.Name {
			return
		}
	}
	l.errorf(is.Pos, CodeTopology, "%s: %s has no backup to switch over to (give the primary a `backup:`)", what, is.Name)
}

// checkMembership checks a join or leave against the cluster as the file defines it; what the
// timeline did before is the engine's business at run time.
func (l *loader) checkMembership(kind core.ActionKind, c, m named, what string) {
	cl, ok := l.clusterBy[c.Name]
	if !ok {
		l.errorf(c.Pos, CodeUnknownRef, "%s: unknown Application Cluster %q%s", what, c.Name, didYouMean(c.Name, l.clusterNames()))
	}
	app, okApp := l.refApp(m, what+" app", espServerTypes()...)
	if !ok || !okApp || kind != core.ActJoin {
		return
	}
	for _, name := range cl.Members {
		if other, ok := l.appBy[name]; ok && other.Type != app.Type {
			l.errorf(m.Pos, CodeMixedCluster, "%s: %s is %s; the members of %s are %ss", what, m.Name, withArticle(string(app.Type)), c.Name, other.Type)
			return
		}
	}
}

// serviceLevel reads `service_level: {threshold: DURATION, warmup: DURATION}`: the wait within
// which an answer counts towards the service level, and the warm-up before which arrivals are
// left out of the service figures. Either may be left out (0: the default, or the scenario's);
// an empty section says nothing and is an error.
func (l *loader) serviceLevel(raw ast.Node, path, what string) (threshold, warmup time.Duration) {
	o := l.object(raw, path, what, "threshold", "warmup")
	if !o.ok {
		return 0, 0
	}
	if !o.has("threshold") && !o.has("warmup") {
		l.errorf(o.pos, CodeMissingField, "%s: want threshold, warmup or both (e.g. {threshold: 20s, warmup: 30m})", what)
		return 0, 0
	}
	if v, ok := o.duration("threshold"); ok {
		if v <= 0 {
			raw, _ := o.get("threshold")
			l.errorf(posOf(raw), CodeBadDuration, "%s: threshold must be positive", what)
		} else {
			threshold = v
		}
	}
	if v, ok := o.duration("warmup"); ok {
		warmup = v
		wraw, _ := o.get("warmup")
		// Checked once the duration is known (the sections are read in any order).
		l.later(func() {
			if v > 0 && l.cfg.Duration > 0 && v >= l.cfg.Duration {
				l.errorf(posOf(wraw), CodeBadDuration, "%s: warmup %s is not shorter than the run (duration %s): nothing would be measured", what, v, l.cfg.Duration)
			}
		})
	}
	return threshold, warmup
}
