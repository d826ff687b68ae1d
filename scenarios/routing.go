package scenarios

import (
	"fmt"
	"slices"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/ixlb/ixlb/core"
)

// stepKinds are the keys of a strategy step, one per step, in core.StepKind order.
var stepKinds = []string{"classify", "autoresponse", "esp", "route", "queue", "stop"}

func (l *loader) strategies(raw ast.Node) {
	es, _ := l.mapping(raw, "strategies", "strategies")
	for _, e := range es {
		l.stratPos[e.key] = e.keyPos
		path := join("strategies", e.key)
		what := "strategy " + e.key
		o := l.object(e.value, path, what, "activated_on", "steps")
		o.require("steps")
		st := core.StrategyConfig{Name: e.key}
		if raw, ok := o.get("activated_on"); ok {
			urs := l.names(raw, o.sub("activated_on"), what+" activated_on")
			for _, u := range urs {
				st.ActivatedOn = append(st.ActivatedOn, u.Name)
			}
			l.later(func() {
				for _, u := range urs {
					l.refApp(u, what+" activated_on", core.TypeRoutingServer)
				}
			})
		}
		if raw, ok := o.get("steps"); ok {
			items, _ := l.list(raw, o.sub("steps"), what+" steps")
			if len(items) == 0 && o.ok {
				l.errorf(posOf(raw), CodeMissingField, "%s: steps is empty; a strategy needs at least one step", what)
			}
			for i, it := range items {
				if s, ok := l.step(it, item(o.sub("steps"), i), fmt.Sprintf("%s step %d", what, i+1)); ok {
					st.Steps = append(st.Steps, s)
				}
			}
		}
		l.cfg.Strategies = append(l.cfg.Strategies, st)
	}
}

// step reads one strategy step: a mapping with exactly one of the step keys.
func (l *loader) step(raw ast.Node, path, what string) (core.Step, bool) {
	o := l.object(raw, path, what, stepKinds...)
	if !o.ok {
		return core.Step{}, false
	}
	var kinds []string
	for _, k := range stepKinds {
		if o.has(k) {
			kinds = append(kinds, k)
		}
	}
	switch {
	case len(kinds) == 0:
		if len(o.fields) == 0 { // unknown keys are reported already
			l.errorf(o.pos, CodeMissingField, "%s: a step is one of %s", what, listNames(stepKinds))
		}
		return core.Step{}, false
	case len(kinds) > 1:
		// Point at the key that comes second in the file.
		slices.SortFunc(kinds, func(a, b string) int { return o.keyPos(a).compare(o.keyPos(b)) })
		l.errorf(o.keyPos(kinds[1]), CodeBadValue, "%s: one step per list item; this one has %s", what, listNames(kinds))
		return core.Step{}, false
	}
	kind := kinds[0]
	val, _ := o.get(kind)
	sub := o.sub(kind)
	s := core.Step{Kind: core.StepKind(slices.Index(stepKinds, kind))}
	stepWhat := fmt.Sprintf("%s (%s)", what, kind)
	switch s.Kind {
	case core.StepClassify:
		so := l.object(val, sub, stepWhat, "via", "categories")
		so.require("via")
		s.Via = l.via(so, stepWhat)
		if raw, ok := so.get("categories"); ok {
			cats, _ := l.mapping(raw, so.sub("categories"), stepWhat+" categories")
			for _, c := range cats {
				w, ok := l.number(c.value, fmt.Sprintf("%s category %s", stepWhat, c.key))
				if ok && w < 0 {
					l.errorf(posOf(c.value), CodeBadValue, "%s category %s: a weight must not be negative", stepWhat, c.key)
				}
				s.Categories = append(s.Categories, core.Category{Name: c.key, Weight: w})
			}
		}
	case core.StepAutoresponse:
		so := l.object(val, sub, stepWhat, "via")
		so.require("via")
		s.Via = l.via(so, stepWhat)
	case core.StepESP:
		so := l.object(val, sub, stepWhat, "via", "service", "method")
		so.require("via", "service", "method")
		s.Via = l.via(so, stepWhat)
		if v, ok := so.str("service"); ok {
			s.Service = v.Name
		}
		if v, ok := so.str("method"); ok {
			s.Method = v.Name
		}
	case core.StepRoute:
		l.route(&s, val, sub, stepWhat)
	case core.StepQueue:
		if q, ok := l.str(val, stepWhat); ok {
			s.Queue = q.Name
			l.later(func() { l.refName(q, stepWhat, "queue", l.queuePos) })
		}
	case core.StepStop:
		l.object(val, sub, stepWhat) // `stop: {}`: nothing to say
	}
	return s, true
}

// via reads a step's ESP target and checks it once everything is known: an application that is an
// ESP server, an Application Cluster, or an ESP server type.
func (l *loader) via(o *object, what string) string {
	v, ok := o.str("via")
	if !ok {
		return ""
	}
	l.later(func() {
		if a, isApp := l.appBy[v.Name]; isApp {
			if !a.Type.IsESP() {
				l.errorf(v.Pos, CodeWrongRefType, "%s: via %s: %s is not an ESP server", what, v.Name, withArticle(string(a.Type)))
			}
			return
		}
		if _, isCluster := l.clusterBy[v.Name]; isCluster {
			return
		}
		if t := core.AppType(v.Name); t.Valid() {
			if !t.IsESP() {
				l.errorf(v.Pos, CodeWrongRefType, "%s: via %s: not an ESP server type (%s)", what, v.Name, typeList(espServerTypes()))
			}
			return
		}
		var known []string
		known = append(known, l.appNames(espServerTypes()...)...)
		known = append(known, l.clusterNames()...)
		for _, t := range espServerTypes() {
			known = append(known, string(t))
		}
		l.errorf(v.Pos, CodeUnknownRef, "%s: via %q is neither an application, an Application Cluster nor an ESP server type%s",
			what, v.Name, didYouMean(v.Name, known))
	})
	return v.Name
}

// route reads `route {group}` or `route {by_category: {CATEGORY: GROUP, default: GROUP}}`.
func (l *loader) route(s *core.Step, raw ast.Node, path, what string) {
	o := l.object(raw, path, what, "group", "by_category")
	if !o.ok {
		return
	}
	switch {
	case o.has("group") && o.has("by_category"):
		l.errorf(o.keyPos("by_category"), CodeBadValue, "%s: give either group or by_category, not both", what)
		return
	case !o.has("group") && !o.has("by_category"):
		l.errorf(o.pos, CodeMissingField, "%s: missing required field \"group\" (or \"by_category\")", what)
		return
	}
	if o.has("group") {
		// A bad group name is its own error; it does not fall through to by_category.
		if g, ok := o.str("group"); ok {
			s.Group = g.Name
			l.later(func() { l.refName(g, what, "agent group", l.groupPos) })
		}
		return
	}
	byRaw, _ := o.get("by_category")
	cats, ok := l.mapping(byRaw, o.sub("by_category"), what+" by_category")
	if !ok {
		return
	}
	hasDefault := false
	for _, c := range cats {
		g, ok := l.str(c.value, fmt.Sprintf("%s by_category %s", what, c.key))
		if !ok {
			continue
		}
		l.later(func() { l.refName(g, what+" by_category", "agent group", l.groupPos) })
		if c.key == "default" {
			hasDefault = true
			s.Default = g.Name
			continue
		}
		s.ByCategory = append(s.ByCategory, core.CategoryRoute{Category: c.key, Group: g.Name})
	}
	if !hasDefault {
		// An interaction of another category (or unclassified) would have no group to go to.
		l.errorf(posOf(byRaw), CodeMissingField, "%s: by_category needs a default group, for categories it does not list", what)
	}
}

func (l *loader) businessProcesses(raw ast.Node) {
	es, _ := l.mapping(raw, "business_processes", "business_processes")
	for _, e := range es {
		path := join("business_processes", e.key)
		what := "business process " + e.key
		o := l.object(e.value, path, what, "queues")
		o.require("queues")
		qraw, ok := o.get("queues")
		if !ok {
			continue
		}
		queues, _ := l.mapping(qraw, o.sub("queues"), what+" queues")
		for _, q := range queues {
			qwhat := "queue " + q.key
			if at, dup := l.queuePos[q.key]; dup {
				l.errorf(q.keyPos, CodeDuplicateKey, "%s is already defined (at %s); queue names are unique across business processes", qwhat, at)
				continue
			}
			l.queuePos[q.key] = q.keyPos
			qo := l.object(q.value, join(o.sub("queues"), q.key), qwhat, "strategy", "service_level")
			qo.require("strategy")
			qc := core.QueueConfig{Name: q.key, BusinessProcess: e.key}
			if raw, ok := qo.get("service_level"); ok {
				qc.ServiceLevel, qc.Warmup = l.serviceLevel(raw, qo.sub("service_level"), qwhat+" service_level")
			}
			if s, ok := qo.str("strategy"); ok {
				qc.Strategy = s.Name
				l.later(func() { l.refName(s, qwhat, "strategy", l.stratPos) })
			}
			l.cfg.Queues = append(l.cfg.Queues, qc)
		}
	}
}

func (l *loader) agentGroups(raw ast.Node) {
	es, _ := l.mapping(raw, "agent_groups", "agent_groups")
	for _, e := range es {
		l.groupPos[e.key] = e.keyPos
		what := "agent group " + e.key
		o := l.object(e.value, join("agent_groups", e.key), what, "agents", "capacity", "handle_time", "answer_time", "accept")
		o.require("agents", "capacity", "handle_time")
		g := core.AgentGroupConfig{Name: e.key, AnswerTime: core.DefaultAnswerTime, Accept: 1}
		if n, ok := o.integer("agents", 0, MaxAgents); ok {
			g.Agents = int(n)
		}
		if raw, ok := o.get("capacity"); ok {
			caps, _ := l.mapping(raw, o.sub("capacity"), what+" capacity")
			for _, c := range caps {
				if n, ok := l.integer(c.value, fmt.Sprintf("%s capacity %s", what, c.key), 0, MaxCapacity); ok {
					g.Capacity = append(g.Capacity, core.MediaCapacity{Media: c.key, Max: int(n)})
				}
			}
		}
		g.HandleTime = l.positive(o, "handle_time", 0)
		g.AnswerTime = l.positive(o, "answer_time", core.DefaultAnswerTime)
		if raw, ok := o.get("accept"); ok {
			if p, ok := l.number(raw, what+": accept"); ok {
				if p < 0 || p > 1 {
					l.errorf(posOf(raw), CodeBadValue, "%s: accept is a probability, between 0 and 1, got %v", what, p)
				} else {
					g.Accept = p
				}
			}
		}
		l.cfg.AgentGroups = append(l.cfg.AgentGroups, g)
	}
}

// positive reads a duration that must be above zero (zero would mean "the default" to the engine,
// which is not what the user wrote); def when absent.
func (l *loader) positive(o *object, key string, def time.Duration) time.Duration {
	v, ok := o.duration(key)
	if !ok {
		return def
	}
	if v <= 0 {
		raw, _ := o.get(key)
		l.errorf(posOf(raw), CodeBadDuration, "%s: %s must be positive", o.what, key)
		return def
	}
	return v
}
