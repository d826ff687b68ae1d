package scenarios

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"pgregory.net/rapid"

	"github.com/ixlb/ixlb/core"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return sch
}

// validateYAML converts a scenario to JSON as an editor's YAML support does and validates it.
func validateYAML(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("YAML to JSON: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return sch.Validate(v)
}

// optionsMarkers enclose the generated options table of docs/scenarios.md.
const (
	optionsBegin = "<!-- The options table is generated from core's registry: go generate ./scenarios -->\n"
	optionsEnd   = "<!-- end of the generated options table -->\n"
)

// The committed schema.json and the options table of docs/scenarios.md are what the registry and
// the parser's constants generate (Schema, OptionsTable): an option added to the registry, or a
// limit or default changed, shows in both once regenerated. -update (go generate ./scenarios)
// rewrites them.
func TestGeneratedFiles(t *testing.T) {
	const docPath = "../docs/scenarios.md"
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), optionsBegin)
	_, after, ok2 := strings.Cut(rest, optionsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no generated options table between %q and %q", docPath, optionsBegin, optionsEnd)
	}
	wantDoc := before + optionsBegin + "\n" + OptionsTable() + "\n" + optionsEnd + after
	if *update {
		if err := os.WriteFile("schema.json", Schema(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docPath, []byte(wantDoc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, Schema()) {
		t.Errorf("scenarios/schema.json is not what the registry and the parser generate: go generate ./scenarios")
	}
	if doc, _ := os.ReadFile(docPath); string(doc) != wantDoc {
		t.Errorf("the options table of docs/scenarios.md is not what the registry generates: go generate ./scenarios")
	}
}

// Every file ixlb ships or documents validates: the schema must never flag a scenario that loads.
func TestSchemaAcceptsScenariosThatLoad(t *testing.T) {
	sch := compileSchema(t)
	docs := map[string][]byte{"lint base": []byte(lintBase)}
	for _, info := range Bundled() {
		data, err := Source(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		docs[info.Name] = data
	}
	example, err := os.ReadFile("testdata/format-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs["format-example"] = example
	docs["forms the parser accepts"] = []byte(strings.Replace(lintBase, "timeline:\n", `timeline:
  - {at: 0, stop: URS_2}
  - {at: 1m30s, start: URS_2}
  - {at: 2m, activate: A, on: [URS_1]}
  - {at: 2m, deactivate: A, on: [URS_1]}
  - {at: 2m, set: {app: URS_1, section: default, option: agent_reservation, value: true}}
  - {at: 2m, set: {app: IxnServer, section: "annex:agent_reservation", option: URS_1, value: yes}}
  - {at: 2m, set: {app: DAP_2, database: other}}
  - {at: 3m, switchover: IxnServer}
  - {at: 4m, join: {cluster: FaxCluster, app: FaxSrv_2}}
  - {at: .5h, leave: {cluster: FaxCluster, app: FaxSrv_1}}
`, 1) + `expect:
  - interactions.lost == 0
  - spread(routing.A) <= 1.5
  - esp_faults.misrouted>=0
`)
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(name+".yaml", data); err != nil {
				t.Fatalf("does not load: %v", err)
			}
			if err := validateYAML(t, sch, data); err != nil {
				t.Errorf("does not validate:\n%v", err)
			}
		})
	}
}

// The property behind the test above, over the random valid scenarios of property_test.go: what
// loads validates, and lints into findings that point into the file.
func TestGeneratedScenariosValidateAndLint(t *testing.T) {
	sch := compileSchema(t)
	rapid.Check(t, func(rt *rapid.T) {
		text, _ := genScenario(rt)
		s, err := Parse("generated.yaml", []byte(text))
		if err != nil {
			rt.Fatalf("does not load: %v\n%s", err, text)
		}
		if err := validateYAML(t, sch, []byte(text)); err != nil {
			rt.Fatalf("does not validate:\n%v\n%s", err, text)
		}
		lines := strings.Count(text, "\n") + 1
		for _, d := range Lint(s) {
			if d.Line < 1 || d.Line > lines || d.Col < 1 {
				rt.Fatalf("finding outside the file: %s\n%s", d.Lint(), text)
			}
		}
	})
}

// Documents the parser rejects for their shape, which the schema catches in the editor.
func TestSchemaRejectsBadShapes(t *testing.T) {
	sch := compileSchema(t)
	cases := []struct{ name, old, new string }{
		{"unknown top-level field", "duration: 10m\n", "duration: 10m\nduraton: 5m\n"},
		{"another version", "version: 1", "version: 2"},
		{"duration in words", "duration: 10m", "duration: 10 minutes"},
		{"duration without unit", "duration: 10m", "duration: 10"},
		{"rate in words", "rate: 1/s", "rate: 1 per second"},
		{"rate per fortnight", "rate: 1/s", "rate: 1/fortnight"},
		{"unknown application type", "{type: EmailServer}", "{type: MailServer}"},
		{"unknown application field", "{type: EmailServer}", "{type: EmailServer, host: mail1}"},
		{"services on a URS", "URS_1: {type: RoutingServer,", "URS_1: {type: RoutingServer, services: [fax],"},
		{"backup on a URS", "URS_1: {type: RoutingServer,", "URS_1: {type: RoutingServer, backup: URS_2,"},
		{"DAP without a database", ", database: ixn}", "}"},
		{"sim knob of another type", "{type: ClassificationServer}", "{type: ClassificationServer, sim: {step_time: 1s}}"},
		{"sim knob on a DB Server", "DBServer_1: {type: DBServer}", "DBServer_1: {type: DBServer, sim: {service_time: 1s}}"},
		{"two kinds in one step", "- esp: {via: FaxCluster, service: fax, method: send}", "- esp: {via: FaxCluster, service: fax, method: send}\n        queue: fax_in"},
		{"esp without method", ", method: send}", "}"},
		{"route with group and by_category", "route: {by_category:", "route: {group: Sales, by_category:"},
		{"by_category without default", ", default: Sales}", "}"},
		{"strategy without steps", "    steps:\n", "    stepz:\n"},
		{"negative agents", "Sales: {agents: 5,", "Sales: {agents: -5,"},
		{"accept above 1", "handle_time: 1m}\n  Billing", "handle_time: 1m, accept: 1.5}\n  Billing"},
		{"timeline entry with two actions", "{at: 1m, stop: URS_1}", "{at: 1m, stop: URS_1, start: URS_2}"},
		{"on with stop", "{at: 1m, stop: URS_1}", "{at: 1m, stop: URS_1, on: [URS_1]}"},
		{"activate without on", "{at: 1m, stop: URS_1}", "{at: 1m, activate: A}"},
		{"set mixing forms", "{at: 1m, stop: URS_1}", "{at: 1m, set: {app: DAP_2, database: other, option: x}}"},
		{"timeline entry without at", "{at: 1m, stop: URS_1}", "{stop: URS_1}"},
		{"expectation without operator", "timeline:", "expect: [interactions.lost = 0]\ntimeline:"},
		{"connections listed twice", "connections: [IxnServer]", "connections: [IxnServer, IxnServer]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(lintBase, c.old) {
				t.Fatalf("%q is not in the base", c.old)
			}
			data := []byte(strings.Replace(lintBase, c.old, c.new, 1))
			if _, err := Parse("bad.yaml", data); err == nil {
				t.Fatalf("the parser loads it: the case does not test a bad shape")
			}
			if err := validateYAML(t, sch, data); err == nil {
				t.Errorf("the schema accepts it")
			}
		})
	}
}

// The schema's fields are the parser's: a field added to one and not the other fails here.
func TestSchemaMatchesTheParser(t *testing.T) {
	var s struct {
		ID         string `json:"$id"`
		Properties map[string]json.RawMessage
		Defs       map[string]struct {
			Properties map[string]json.RawMessage
			Enum       []string
			OneOf      []struct{ Required []string }
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != SchemaID {
		t.Errorf("$id %q, want %q", s.ID, SchemaID)
	}
	keys := func(m map[string]json.RawMessage) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s: schema has %q, parser %q", what, sorted(got), sorted(want))
		}
	}
	check("top-level fields", keys(s.Properties), topFields)
	check("application fields", keys(s.Defs["application"].Properties), appFields)
	check("traffic fields", keys(s.Defs["traffic"].Properties), trafficFields)
	check("timeline fields", keys(s.Defs["action"].Properties), timelineFields)
	var steps []string
	for _, o := range s.Defs["step"].OneOf {
		steps = append(steps, o.Required...)
	}
	check("step kinds", steps, stepKinds)
	var types []string
	for _, t := range core.AppTypes {
		types = append(types, string(t))
	}
	check("application types", s.Defs["appType"].Enum, types)
	var esp []string
	for _, t := range espServerTypes() {
		esp = append(esp, string(t))
	}
	check("ESP types", s.Defs["espType"].Enum, esp)
}

func TestSource(t *testing.T) {
	for _, name := range []string{"seed-example", "seed-example.yaml"} {
		data, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("seed-example.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("Source(%q) differs from the file", name)
		}
	}
	for _, name := range []string{"seed-exampel", "../go.mod", "nope"} {
		if _, err := Source(name); err == nil {
			t.Errorf("Source(%q): no error", name)
		}
	}
	if _, err := Source("seed-exampel"); err == nil || !strings.Contains(err.Error(), `did you mean "seed-example"`) {
		t.Errorf("no suggestion: %v", err)
	}
}
