package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// Every option of core's registry reaches the readers this package gives it, from the registry
// alone: docs/scenarios.md's options table, the JSON Schema (at its place, with its text and
// default), and lint, which validates its value where the file sets it and where the timeline
// does. The engine's reads are checked in cmd/internal/codebase (every handle is read in core),
// the console's completion and :set in tui (TestEveryOptionIsCompleted). Adding an option to the
// registry needs nothing here: this test covers it, or says what is missing.
func TestEveryOptionReachesItsReaders(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	for _, o := range core.AllOptions() {
		t.Run(o.String(), func(t *testing.T) {
			sp := o.Spec()
			if sp.Doc == "" || sp.App == "" || sp.Section == "" || sp.Name == "" || sp.Kind == 0 {
				t.Fatalf("registry entry incomplete: %+v", sp)
			}
			if sp.Default != "" {
				if err := o.Validate(sp.Default); err != nil {
					t.Errorf("the default does not validate: %v", err)
				}
			}
			if !strings.Contains(string(doc), "| "+sentence(sp.Doc)+" |") {
				t.Errorf("docs/scenarios.md's options table does not describe it (go generate ./scenarios)")
			}
			checkSchemaOption(t, schema, o)
			checkLintReads(t, o)
		})
	}
}

// checkSchemaOption finds the option in the schema where an editor looks for it: the definition
// of its application type's tab, its section, its name (a placeholder: any section or name).
func checkSchemaOption(t *testing.T, schema map[string]any, o core.Opt) {
	t.Helper()
	sp := o.Spec()
	defs, _ := schema["$defs"].(map[string]any)
	node, _ := defs[optionDefName(sp.App, sp.Annex)].(map[string]any)
	step := func(key string, placeholder bool) {
		if node == nil {
			return
		}
		if placeholder {
			node, _ = node["additionalProperties"].(map[string]any)
			return
		}
		props, _ := node["properties"].(map[string]any)
		node, _ = props[key].(map[string]any)
	}
	step(sp.Section, sp.Section == core.SectionIS)
	step(sp.Name, sp.Name == core.NameURS)
	if node == nil {
		t.Fatalf("the schema has no entry for it under $defs/%s", optionDefName(sp.App, sp.Annex))
	}
	if got := node["description"]; got != optionText(o) {
		t.Errorf("schema description %q, want %q", got, optionText(o))
	}
	want, hasDefault := typedDefault(o)
	if got, ok := node["default"]; ok != hasDefault || (ok && fmt.Sprint(got) != fmt.Sprint(want)) {
		t.Errorf("schema default %v (set %v), want %v (set %v)", got, ok, want, hasDefault)
	}
	// The application type's rules point its tab at the definition.
	if !strings.Contains(string(Schema()), `"#/$defs/`+optionDefName(sp.App, sp.Annex)+`"`) {
		t.Errorf("no application rule refers to $defs/%s", optionDefName(sp.App, sp.Annex))
	}
}

// checkLintReads sets the option to a value ixlb cannot read, in the file and in the timeline,
// and expects lint to say so at each place; the default lints clean.
func checkLintReads(t *testing.T, o core.Opt) {
	t.Helper()
	sp := o.Spec()
	// The application set: the backup IS (which has no options of its own), or a URS of its own.
	app := map[core.AppType]string{core.TypeInteractionServer: "IxnServer_B", core.TypeRoutingServer: "URS_3"}[sp.App]
	if app == "" {
		t.Fatalf("no application of type %s in the test: add one", sp.App)
	}
	section, name := o.Key(map[bool]string{true: "IxnServer", false: "URS_2"}[sp.Section == core.SectionIS])
	bad := map[core.OptionKind]string{core.KindBool: "maybe", core.KindInt: "lots", core.KindDuration: "soon", core.KindRate: "fast"}[sp.Kind]
	if o.Validate(bad) == nil {
		t.Fatalf("%q validates: the test needs a bad value", bad)
	}
	setSection := section
	if sp.Annex {
		setSection = core.AnnexSection(section)
	}
	const backup = "  IxnServer_B: {type: InteractionServer}\n"
	appLine := func(tab string) string {
		if sp.App == core.TypeInteractionServer {
			return "  IxnServer_B: {type: InteractionServer" + tab + "}\n"
		}
		return backup + "  URS_3: {type: RoutingServer, connections: [IxnServer]" + tab + "}\n"
	}
	for _, c := range []struct {
		value string
		want  bool // a bad-option-value finding
	}{{bad, true}, {sp.Default, false}} {
		if c.value == "" {
			continue // no default: nothing to set
		}
		inFile := []edit{{backup, appLine(fmt.Sprintf(", %s: {%q: {%q: %q}}", tabName(sp.Annex), section, name, c.value))}}
		inTimeline := []edit{{backup, appLine("")}, {"  - {at: 1m, stop: URS_1}\n",
			fmt.Sprintf("  - {at: 1m, stop: URS_1}\n  - {at: 2m, set: {app: %s, section: %q, option: %q, value: %q}}\n", app, setSection, name, c.value)}}
		for where, e := range map[string][]edit{"file": inFile, "timeline": inTimeline} {
			s, text := lintEdited(t, e...)
			var bads []string
			for _, d := range Lint(s) {
				if d.Code == CodeBadOptionValue && strings.Contains(d.Message, name) {
					bads = append(bads, d.Lint())
				}
			}
			if got := len(bads) > 0; got != c.want {
				t.Errorf("%s %s %q: bad-option-value %v, want %v\n%s\n%s", where, name, c.value, bads, c.want, strings.Join(bads, "\n"), text)
			}
		}
	}
}
