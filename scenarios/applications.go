package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/ixlb/ixlb/core"
)

// appFields are the keys of an Application object, whatever its type; fieldTypes says which types
// a type-specific key applies to.
var appFields = []string{"type", "backup", "connections", "options", "annex", "services", "db_server", "database", "sim"}

var fieldTypes = map[string][]core.AppType{
	"backup":    {core.TypeInteractionServer},
	"services":  {core.TypeThirdPartyServer},
	"db_server": {core.TypeDatabaseAccessPoint},
	"database":  {core.TypeDatabaseAccessPoint},
}

// simKnobs are the simulation-only knobs by application type (docs/scenarios.md, "Field
// reference": `sim` knobs).
func simKnobs(t core.AppType) []string {
	switch {
	case t == core.TypeRoutingServer:
		return []string{"step_time", "stat_delay"}
	case t.IsESP():
		return []string{"service_time"}
	}
	return nil
}

func typeNames() []string {
	out := make([]string, len(core.AppTypes))
	for i, t := range core.AppTypes {
		out[i] = string(t)
	}
	return out
}

// typeHint suggests the type meant by a misspelt one ("ClassificationSrv").
func typeHint(name string) string { return suggest(name, typeNames()) }

func (l *loader) applications(raw ast.Node) {
	es, _ := l.mapping(raw, "applications", "applications")
	for _, e := range es {
		l.appPos[e.key] = e.keyPos
		l.cfg.Apps = append(l.cfg.Apps, l.application(e))
	}
}

func (l *loader) application(e entry) core.AppConfig {
	path := join("applications", e.key)
	what := "application " + e.key
	o := l.object(e.value, path, what, appFields...)
	app := core.AppConfig{Name: e.key}
	if o.require("type") {
		if t, ok := o.str("type"); ok {
			if core.AppType(t.Name).Valid() {
				app.Type = core.AppType(t.Name)
			} else {
				l.errorf(t.Pos, CodeBadValue, "%s: unknown application type %q%s; the types are %s", what, t.Name,
					typeHint(t.Name), strings.Join(typeNames(), ", "))
			}
		}
	}
	if app.Type != "" {
		for _, f := range appFields {
			if types, specific := fieldTypes[f]; specific && o.has(f) && !slices.Contains(types, app.Type) {
				l.errorf(o.keyPos(f), CodeUnknownField, "%s: %q applies to %s applications, not to a %s", what, f, typeList(types), app.Type)
			}
		}
	}
	if b, ok := o.str("backup"); ok {
		app.Backup = b.Name
		l.later(func() { l.checkBackup(app.Name, b) })
	}
	if raw, ok := o.get("connections"); ok {
		conns := l.names(raw, o.sub("connections"), what+" connections")
		for _, c := range conns {
			app.Connections = append(app.Connections, c.Name)
		}
		l.later(func() { l.checkConnections(app.Name, conns) })
	}
	if raw, ok := o.get("options"); ok {
		app.Options = l.options(raw, o.sub("options"), what+" options")
	}
	if raw, ok := o.get("annex"); ok {
		app.Annex = l.options(raw, o.sub("annex"), what+" annex")
	}
	if app.Options == nil {
		app.Options = core.Options{}
	}
	if app.Annex == nil {
		app.Annex = core.Options{}
	}
	if raw, ok := o.get("services"); ok {
		for _, s := range l.names(raw, o.sub("services"), what+" services") {
			app.Services = append(app.Services, s.Name)
		}
	}
	if app.Type == core.TypeDatabaseAccessPoint {
		o.require("database") // db_server is optional: without it the DAP connects through ODBC
	}
	if s, ok := o.str("db_server"); ok {
		app.DBServer = s.Name
		l.later(func() { l.refApp(s, what+" db_server", core.TypeDBServer) })
	}
	if db, ok := o.str("database"); ok {
		app.Database = db.Name
		l.later(func() { l.refName(db, what+" database", "database", l.dbPos) })
	}
	if raw, ok := o.get("sim"); ok && app.Type != "" {
		knobs := simKnobs(app.Type)
		so := l.object(raw, o.sub("sim"), fmt.Sprintf("sim of %s (%s)", app.Name, app.Type), knobs...)
		app.StepTime = l.knob(so, "step_time")
		app.StatDelay = l.knob(so, "stat_delay")
		app.ServiceTime = l.knob(so, "service_time")
	}
	return app
}

// knob reads a sim duration knob; zero would silently mean "the default", so it must be positive.
func (l *loader) knob(o *object, key string) time.Duration {
	v, ok := o.duration(key)
	if !ok {
		return 0
	}
	if v <= 0 {
		raw, _ := o.get(key)
		l.errorf(posOf(raw), CodeBadDuration, "%s: %s must be positive", o.what, key)
		return 0
	}
	return v
}

func (l *loader) checkBackup(primary string, b named) {
	what := fmt.Sprintf("application %s backup", primary)
	if b.Name == primary {
		l.errorf(b.Pos, CodeTopology, "%s: an Interaction Server cannot be its own backup", what)
		return
	}
	backup, ok := l.refApp(b, what, core.TypeInteractionServer)
	if !ok {
		return
	}
	if backup.Backup != "" {
		l.errorf(b.Pos, CodeTopology, "%s: %s has a backup of its own; a warm-standby pair is two Interaction Servers", what, b.Name)
		return
	}
	for _, a := range l.cfg.Apps {
		if a.Name == primary {
			break
		}
		if a.Type == core.TypeInteractionServer && a.Backup == b.Name {
			l.errorf(b.Pos, CodeTopology, "%s: %s is already the backup of %s", what, b.Name, a.Name)
			return
		}
	}
}

func (l *loader) checkConnections(owner string, conns []named) {
	what := fmt.Sprintf("application %s connections", owner)
	for _, c := range conns {
		if c.Name == owner {
			l.errorf(c.Pos, CodeTopology, "%s: an application cannot connect to itself", what)
			continue
		}
		// An Interaction Server may connect to an Application Cluster, as in Configuration Manager.
		if _, isCluster := l.clusterBy[c.Name]; isCluster {
			continue
		}
		l.refApp(c, what)
	}
}

func (l *loader) clusters(raw ast.Node) {
	es, _ := l.mapping(raw, "clusters", "clusters")
	for _, e := range es {
		l.clusterPos[e.key] = e.keyPos
		what := "cluster " + e.key
		o := l.object(e.value, join("clusters", e.key), what, "members")
		o.require("members")
		c := core.ClusterConfig{Name: e.key}
		var members []named
		if raw, ok := o.get("members"); ok {
			members = l.names(raw, o.sub("members"), what+" members")
		}
		for _, m := range members {
			c.Members = append(c.Members, m.Name)
		}
		l.cfg.Clusters = append(l.cfg.Clusters, c)
		key := named{Name: e.key, Pos: e.keyPos}
		l.later(func() { l.checkCluster(key, members) })
	}
}

// checkCluster enforces the seed's rules: one level of Application Clusters, members of one ESP
// type, and a name that is not also an application's (a `via` would be ambiguous).
func (l *loader) checkCluster(c named, members []named) {
	what := "cluster " + c.Name
	if _, clash := l.appBy[c.Name]; clash {
		l.errorf(c.Pos, CodeTopology, "%s has the name of an application (at %s); a `via` naming it would be ambiguous", what, l.appPos[c.Name])
	}
	var first *core.AppConfig
	for _, m := range members {
		if _, nested := l.clusterBy[m.Name]; nested {
			l.errorf(m.Pos, CodeNestedCluster, "%s: member %s is an Application Cluster; only one level of Application Clusters is allowed", what, m.Name)
			continue
		}
		a, ok := l.refApp(m, what+" members", espServerTypes()...)
		if !ok {
			continue
		}
		if first == nil {
			first = a
			continue
		}
		if a.Type != first.Type {
			l.errorf(m.Pos, CodeMixedCluster, "%s mixes %s (%s) and %s (%s); the members of an Application Cluster are of one type",
				what, first.Type, first.Name, a.Type, a.Name)
		}
	}
}

func (l *loader) databases(raw ast.Node) {
	es, _ := l.mapping(raw, "databases", "databases")
	if len(es) > MaxDatabases {
		e := es[MaxDatabases]
		l.errorf(e.keyPos, CodeBadValue, "databases: %d declared, at most %d: an Interaction Server works with one database, and each one a run opens is a file with its own cache in memory", len(es), MaxDatabases)
		es = es[:MaxDatabases]
	}
	for _, e := range es {
		l.dbPos[e.key] = e.keyPos
		if why := fileNameProblem(e.key); why != "" {
			l.errorf(e.keyPos, CodeBadValue, "database %q: each database is the file DIR/NAME.db in the data directory, so its name must be a plain portable name (letters, digits, _, - and ., not starting with ., at most %d characters, not ixlb): %s",
				e.key, MaxFileNameLen, why)
		}
		// A database has no settings in format v1: `{}` or nothing.
		l.object(e.value, join("databases", e.key), "database "+e.key)
		l.cfg.Databases = append(l.cfg.Databases, e.key)
	}
}
