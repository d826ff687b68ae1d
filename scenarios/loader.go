package scenarios

import (
	"slices"
	"strings"

	"github.com/ixlb/ixlb/core"
)

// loader builds a core.Config from a scenario's AST. Sections are decoded first; references
// between them (an application's database, a step's `via`, a traffic stream's queue…) are checked
// afterwards by link, once every name is known, through checks registered while decoding.
type loader struct {
	*decoder
	cfg        core.Config
	expect     []Expectation
	sectionPos map[string]Pos // where each top-level section's key is
	checks     []func()

	// Where each name is defined, by kind; filled while decoding.
	appPos     map[string]Pos
	clusterPos map[string]Pos
	dbPos      map[string]Pos
	stratPos   map[string]Pos
	queuePos   map[string]Pos
	groupPos   map[string]Pos

	// Symbol tables, filled by link.
	appBy     map[string]*core.AppConfig
	clusterBy map[string]*core.ClusterConfig
}

func newLoader(d *decoder) *loader {
	return &loader{decoder: d, sectionPos: map[string]Pos{}, appPos: map[string]Pos{}, clusterPos: map[string]Pos{},
		dbPos: map[string]Pos{}, stratPos: map[string]Pos{}, queuePos: map[string]Pos{}, groupPos: map[string]Pos{}}
}

// later registers a check that needs every section read.
func (l *loader) later(f func()) { l.checks = append(l.checks, f) }

// link builds the symbol tables and runs the reference checks, then the topology checks.
func (l *loader) link() {
	l.appBy = map[string]*core.AppConfig{}
	for i := range l.cfg.Apps {
		l.appBy[l.cfg.Apps[i].Name] = &l.cfg.Apps[i]
	}
	l.clusterBy = map[string]*core.ClusterConfig{}
	for i := range l.cfg.Clusters {
		l.clusterBy[l.cfg.Clusters[i].Name] = &l.cfg.Clusters[i]
	}
	for _, c := range l.checks {
		c()
	}
	l.topology()
}

// appNames lists the applications of the given types (all when none), in file order.
func (l *loader) appNames(types ...core.AppType) []string {
	var out []string
	for _, a := range l.cfg.Apps {
		if len(types) == 0 || slices.Contains(types, a.Type) {
			out = append(out, a.Name)
		}
	}
	return out
}

func (l *loader) clusterNames() []string {
	out := make([]string, len(l.cfg.Clusters))
	for i, c := range l.cfg.Clusters {
		out[i] = c.Name
	}
	return out
}

// hint suggests a name of the right kind, or failing that any name of the kind at all.
func hint(name string, preferred, all []string) string {
	if h := didYouMean(name, preferred); h != "" {
		return h
	}
	return didYouMean(name, all)
}

// withArticle puts "a" or "an" before a type name: "an InteractionServer", "a RoutingServer".
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// typeList renders "a RoutingServer" or "a EmailServer, ChatServer…": the types a reference wants.
func typeList(types []core.AppType) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// refApp checks that n names an application of one of the types (any type when none).
func (l *loader) refApp(n named, what string, types ...core.AppType) (*core.AppConfig, bool) {
	a, ok := l.appBy[n.Name]
	if !ok {
		if _, isCluster := l.clusterBy[n.Name]; isCluster {
			l.errorf(n.Pos, CodeWrongRefType, "%s: %s is an Application Cluster, not an application", what, n.Name)
			return nil, false
		}
		l.errorf(n.Pos, CodeUnknownRef, "%s: unknown application %q%s", what, n.Name,
			hint(n.Name, l.appNames(types...), l.appNames()))
		return nil, false
	}
	if len(types) > 0 && !slices.Contains(types, a.Type) {
		if a.Type == "" {
			return a, false // its type is wrong or missing, reported at the application
		}
		l.errorf(n.Pos, CodeWrongRefType, "%s: %s is %s, not %s", what, n.Name, withArticle(string(a.Type)), withArticle(typeList(types)))
		return a, false
	}
	return a, true
}

// refName checks n against one namespace (strategies, queues, agent groups, databases).
func (l *loader) refName(n named, what, kind string, defined map[string]Pos) bool {
	if _, ok := defined[n.Name]; ok {
		return true
	}
	known := make([]string, 0, len(defined))
	for k := range defined {
		known = append(known, k)
	}
	slices.Sort(known)
	l.errorf(n.Pos, CodeUnknownRef, "%s: unknown %s %q%s", what, kind, n.Name, didYouMean(n.Name, known))
	return false
}

// espServerTypes are the application types the IS reaches through ESP, for `via` by type.
func espServerTypes() []core.AppType { return appTypesWhere(core.AppType.IsESP) }

// mediaServerTypes are the types that submit interactions (traffic `from`).
func mediaServerTypes() []core.AppType { return appTypesWhere(core.AppType.IsMedia) }

func appTypesWhere(keep func(core.AppType) bool) []core.AppType {
	var out []core.AppType
	for _, t := range core.AppTypes {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// topology checks what makes a deployment one the engine can run: one Interaction Server (with an
// optional backup) that reaches a database.
func (l *loader) topology() {
	backupOf := map[string]string{} // backup -> primary
	for _, a := range l.cfg.Apps {
		if a.Type == core.TypeInteractionServer && a.Backup != "" {
			backupOf[a.Backup] = a.Name
		}
	}
	var primaries []*core.AppConfig
	for i := range l.cfg.Apps {
		a := &l.cfg.Apps[i]
		if a.Type == core.TypeInteractionServer {
			if _, isBackup := backupOf[a.Name]; !isBackup {
				primaries = append(primaries, a)
			}
		}
	}
	if len(primaries) == 0 {
		if l.hasType(core.TypeInteractionServer) {
			return // every IS is someone's backup: reported as a backup chain or loop
		}
		pos, ok := l.sectionPos["applications"]
		if !ok {
			return // missing `applications` is reported already
		}
		l.errorf(pos, CodeTopology, "no InteractionServer application: a scenario simulates one Interaction Server")
		return
	}
	for _, p := range primaries[1:] {
		l.errorf(l.appPos[p.Name], CodeTopology,
			"%s is a second primary InteractionServer (the first is %s): ixlb simulates one Interaction Server, with an optional backup",
			p.Name, primaries[0].Name)
	}
	// The IS works with its database through DAPs: without one it cannot accept anything.
	for _, is := range l.cfg.Apps {
		if is.Type != core.TypeInteractionServer {
			continue
		}
		_, isBackup := backupOf[is.Name]
		if isBackup && len(is.Connections) == 0 {
			continue // a backup without connections of its own uses its primary's
		}
		if !isBackup && is.Name != primaries[0].Name {
			continue // reported as a second primary
		}
		conns := is.Connections
		hasDAP := slices.ContainsFunc(conns, func(c string) bool {
			a, ok := l.appBy[c]
			return ok && a.Type == core.TypeDatabaseAccessPoint
		})
		if !hasDAP {
			pos := l.appPos[is.Name]
			if p, ok := l.index.Pos(join(join("applications", is.Name), "connections")); ok {
				pos = p
			}
			l.errorf(pos, CodeTopology, "%s has no DatabaseAccessPoint among its connections: the Interaction Server needs a database", is.Name)
		}
	}
	media := map[string]bool{}
	for _, t := range l.cfg.Traffic {
		media[t.Media] = true
	}
	for _, g := range l.cfg.AgentGroups {
		for _, c := range g.Capacity {
			media[c.Media] = true
		}
	}
	if len(media) > 255 {
		l.errorf(Pos{1, 1}, CodeTopology, "%d media types: ixlb handles at most 255", len(media))
	}
}

func (l *loader) hasType(t core.AppType) bool {
	return slices.ContainsFunc(l.cfg.Apps, func(a core.AppConfig) bool { return a.Type == t })
}
