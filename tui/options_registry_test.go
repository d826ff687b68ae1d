package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// Every option of core's registry is the console's to set, from the registry alone: `:set`
// completes its section and its name on an application of its type, refuses a value ixlb cannot
// read and takes its default. (scenarios' TestEveryOptionReachesItsReaders checks the docs, the
// schema and lint; cmd/internal/codebase that the engine reads each one.)
func TestEveryOptionIsCompleted(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	apps := map[core.AppType]string{core.TypeInteractionServer: "IxnServer", core.TypeRoutingServer: "URS_1"}
	bad := map[core.OptionKind]string{core.KindBool: "maybe", core.KindInt: "lots", core.KindDuration: "soon", core.KindRate: "fast"}
	// offered is what completion offers after line: its candidates, or the one word it completes.
	offered := func(line string) []string {
		done, cands := h.m.complete(line)
		if cands == nil && done != line {
			return []string{strings.TrimSpace(strings.TrimPrefix(done, line))}
		}
		return cands
	}
	for _, o := range core.AllOptions() {
		t.Run(o.String(), func(t *testing.T) {
			sp := o.Spec()
			app := apps[sp.App]
			if app == "" {
				t.Fatalf("no application of type %s in the seed example: add one to the test", sp.App)
			}
			section, name := o.Key(map[bool]string{true: "IxnServer", false: "URS_2"}[sp.Section == core.SectionIS])
			if sp.Annex {
				section = core.AnnexSection(section)
			}
			if sections := offered("set " + app + " "); !slices.Contains(sections, section) {
				t.Errorf("set %s: completion offers sections %q, not %s", app, sections, section)
			}
			if names := offered("set " + app + " " + section + " "); !slices.Contains(names, name) {
				t.Errorf("set %s %s: completion offers options %q, not %s", app, section, names, name)
			}
			if why := h.m.world().checkOption(app, section, name, bad[sp.Kind]); why == "" {
				t.Errorf("set %s %s %s %s is accepted", app, section, name, bad[sp.Kind])
			}
			if sp.Default != "" {
				if why := h.m.world().checkOption(app, section, name, sp.Default); why != "" {
					t.Errorf("set %s %s %s %s (the default) is refused: %s", app, section, name, sp.Default, why)
				}
				if values := offered("set " + app + " " + section + " " + name + " "); !slices.Contains(values, sp.Default) {
					t.Errorf("set %s %s %s: completion offers %q, not the default %s", app, section, name, values, sp.Default)
				}
			}
		})
	}
}
