package scenarios

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

func loadExample(t *testing.T) (*Scenario, string) {
	t.Helper()
	data, err := os.ReadFile("testdata/format-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("format-example.yaml", data)
	if err != nil {
		t.Fatalf("the example of docs/scenarios.md does not load:\n%v", err)
	}
	return s, string(data)
}

// The example of the format's documentation is the contract: it must load into exactly this
// configuration — names in file order, option values as text, rates per second, defaults filled.
func TestFormatExampleBuildsTheDocumentedConfig(t *testing.T) {
	s, _ := loadExample(t)
	opts := func(kv ...string) core.Options {
		o := core.Options{}
		for i := 0; i < len(kv); i += 3 {
			o.Set(kv[i], kv[i+1], kv[i+2])
		}
		return o
	}
	urs := opts("default", "agent_reservation", "true")
	want := core.Config{
		Name:        "seed-example",
		Description: "URS_1 has A and C loaded, URS_2 has B and C (the seed document's example).",
		Seed:        7,
		Duration:    10 * time.Minute,
		Apps: []core.AppConfig{
			{Name: "IxnServer", Type: core.TypeInteractionServer, Backup: "IxnServer_B",
				Connections: []string{"DAP_1", "DAP_2", "ClassSrv_1", "ClassSrv_2", "EmailSrv_1", "FaxSrv_1", "IMSrv_1"},
				Options: opts("settings", "delivering-timeout", "30s", "settings", "routing-timeout", "720m",
					"settings", "verify-database-identity", "true"),
				Annex: opts("agent_reservation", "URS_1", "true", "agent_reservation", "URS_2", "true")},
			{Name: "IxnServer_B", Type: core.TypeInteractionServer, Options: core.Options{}, Annex: core.Options{}},
			{Name: "URS_1", Type: core.TypeRoutingServer, Connections: []string{"IxnServer"}, Options: urs,
				Annex: opts("IxnServer", "max-submitted-interactions", "1000"), StepTime: 20 * time.Millisecond},
			{Name: "URS_2", Type: core.TypeRoutingServer, Connections: []string{"IxnServer"}, Options: urs, Annex: core.Options{}},
			{Name: "ClassSrv_1", Type: core.TypeClassificationServer, Options: core.Options{}, Annex: core.Options{}, ServiceTime: 50 * time.Millisecond},
			{Name: "ClassSrv_2", Type: core.TypeClassificationServer, Options: core.Options{}, Annex: core.Options{}},
			{Name: "EmailSrv_1", Type: core.TypeEmailServer, Options: core.Options{}, Annex: core.Options{}},
			{Name: "FaxSrv_1", Type: core.TypeThirdPartyServer, Options: core.Options{}, Annex: core.Options{}, Services: []string{"fax"}},
			{Name: "FaxSrv_2", Type: core.TypeThirdPartyServer, Options: core.Options{}, Annex: core.Options{}, Services: []string{"fax"}},
			{Name: "IMSrv_1", Type: core.TypeThirdPartyServer, Options: core.Options{}, Annex: core.Options{}, Services: []string{"im"}},
			{Name: "DBServer_1", Type: core.TypeDBServer, Options: core.Options{}, Annex: core.Options{}},
			{Name: "DBServer_2", Type: core.TypeDBServer, Options: core.Options{}, Annex: core.Options{}},
			{Name: "DAP_1", Type: core.TypeDatabaseAccessPoint, Options: core.Options{}, Annex: core.Options{}, DBServer: "DBServer_1", Database: "ixn"},
			{Name: "DAP_2", Type: core.TypeDatabaseAccessPoint, Options: core.Options{}, Annex: core.Options{}, DBServer: "DBServer_2", Database: "ixn"},
		},
		Clusters:  []core.ClusterConfig{{Name: "FaxCluster", Members: []string{"FaxSrv_1"}}},
		Databases: []string{"ixn", "other"},
		Strategies: []core.StrategyConfig{
			{Name: "A", ActivatedOn: []string{"URS_1"}, Steps: []core.Step{
				{Kind: core.StepClassify, Via: "ClassificationServer", Categories: []core.Category{{Name: "billing", Weight: 3}, {Name: "sales", Weight: 1}}},
				{Kind: core.StepRoute, ByCategory: []core.CategoryRoute{{Category: "billing", Group: "Billing"}}, Default: "Sales"},
			}},
			{Name: "B", ActivatedOn: []string{"URS_2"}, Steps: []core.Step{
				{Kind: core.StepAutoresponse, Via: "EmailSrv_1"},
				{Kind: core.StepRoute, Group: "Sales"},
			}},
			{Name: "C", ActivatedOn: []string{"URS_1", "URS_2"}, Steps: []core.Step{
				{Kind: core.StepESP, Via: "FaxCluster", Service: "fax", Method: "send"},
				{Kind: core.StepRoute, Group: "Sales"},
			}},
		},
		Queues: []core.QueueConfig{
			{Name: "email_in", BusinessProcess: "Inbound", Strategy: "A"},
			{Name: "sms_in", BusinessProcess: "Inbound", Strategy: "B"},
			{Name: "fax_in", BusinessProcess: "Inbound", Strategy: "C"},
		},
		AgentGroups: []core.AgentGroupConfig{
			{Name: "Sales", Agents: 200, Capacity: []core.MediaCapacity{{Media: "email", Max: 1}, {Media: "chat", Max: 3}, {Media: "fax", Max: 1}},
				HandleTime: 2 * time.Minute, AnswerTime: 2 * time.Second, Accept: 1},
			{Name: "Billing", Agents: 300, Capacity: []core.MediaCapacity{{Media: "email", Max: 1}},
				HandleTime: 3 * time.Minute, AnswerTime: core.DefaultAnswerTime, Accept: 0.95},
		},
		Traffic: []core.TrafficConfig{
			{Media: "email", From: "EmailSrv_1", Queue: "email_in", Rate: 2, Stop: 8 * time.Minute},
			{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 1},
		},
		Timeline: []core.TimedAction{
			{At: 2 * time.Minute, Action: core.Action{Kind: core.ActStop, App: "URS_1"}},
			{At: 3 * time.Minute, Action: core.Action{Kind: core.ActStart, App: "URS_1"}},
			{At: time.Minute, Action: core.Action{Kind: core.ActActivate, Strategy: "B", URS: []string{"URS_1"}}},
			{At: time.Minute, Action: core.Action{Kind: core.ActDeactivate, Strategy: "C", URS: []string{"URS_2"}}},
			{At: 4 * time.Minute, Action: core.Action{Kind: core.ActRepoint, App: "DAP_2", Database: "other"}},
			{At: 4 * time.Minute, Action: core.Action{Kind: core.ActSetOption, App: "URS_2", Section: "default", Option: "agent_reservation", Value: "false"}},
			{At: 5 * time.Minute, Action: core.Action{Kind: core.ActSwitchover, App: "IxnServer"}},
			{At: 6 * time.Minute, Action: core.Action{Kind: core.ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}},
			{At: 7 * time.Minute, Action: core.Action{Kind: core.ActLeave, Cluster: "FaxCluster", App: "FaxSrv_1"}},
		},
	}
	got := s.Config
	if !reflect.DeepEqual(got.Apps, want.Apps) {
		for i := range max(len(got.Apps), len(want.Apps)) {
			if i >= len(got.Apps) || i >= len(want.Apps) || !reflect.DeepEqual(got.Apps[i], want.Apps[i]) {
				t.Errorf("application %d:\n got %+v\nwant %+v", i, at(got.Apps, i), at(want.Apps, i))
			}
		}
	}
	got.Apps, want.Apps = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config:\n got %+v\nwant %+v", got, want)
	}
	var texts []string
	for _, e := range s.Expect {
		texts = append(texts, e.Text)
	}
	wantTexts := []string{"interactions.lost == 0", "routing.A.URS_2 == 0", "routing.C.URS_2 > 0",
		"spread(esp.ClassificationServer) <= 1", "agents.double_booked == 0"}
	if !reflect.DeepEqual(texts, wantTexts) {
		t.Errorf("expectations %q, want %q", texts, wantTexts)
	}
	if _, err := core.New(s.Config); err != nil {
		t.Errorf("core.New: %v", err)
	}
}

func at[T any](s []T, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// Option and Annex values are text in the Configuration Layer, whatever YAML makes of them.
func TestOptionValuesAreText(t *testing.T) {
	text := mutate(t, "    annex: {agent_reservation: {URS_1: true}}",
		"    annex: {agent_reservation: {URS_1: true}}\n    options: {s: {b: yes, i: 1000, f: 0.5, d: 30s, n: ~, q: \"007\", t: !!str 12, h: 0x1F}}")
	s, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b": "yes", "i": "1000", "f": "0.5", "d": "30s", "n": "", "q": "007", "t": "12", "h": "0x1F"}
	if got := s.Config.Apps[0].Options["s"]; !reflect.DeepEqual(got, want) {
		t.Errorf("options %v, want %v", got, want)
	}
}

// Anchors, aliases and merge keys are YAML; they work as YAML says, with the file's own keys
// winning over merged ones.
func TestAliasesAndMergeKeys(t *testing.T) {
	text := mutate(t, "  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}",
		"  Sales: &desk {agents: 5, capacity: {fax: 1}, handle_time: 1m}\n  Night: *desk\n  Weekend: {<<: *desk, agents: 2, accept: 0.5}")
	s, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []core.AgentGroupConfig{
		{Name: "Sales", Agents: 5, Capacity: []core.MediaCapacity{{Media: "fax", Max: 1}}, HandleTime: time.Minute, AnswerTime: 2 * time.Second, Accept: 1},
		{Name: "Night", Agents: 5, Capacity: []core.MediaCapacity{{Media: "fax", Max: 1}}, HandleTime: time.Minute, AnswerTime: 2 * time.Second, Accept: 1},
		{Name: "Weekend", Agents: 2, Capacity: []core.MediaCapacity{{Media: "fax", Max: 1}}, HandleTime: time.Minute, AnswerTime: 2 * time.Second, Accept: 0.5},
	}
	if !reflect.DeepEqual(s.Config.AgentGroups, want) {
		t.Errorf("agent groups\n got %+v\nwant %+v", s.Config.AgentGroups, want)
	}
	// An alias that expands into a huge tree (strategies × steps × categories) is refused, not
	// expanded: without the budget these 2 kB would make 64,000 categories.
	const n = 40
	var cats, steps, strats []string
	for i := range n {
		cats = append(cats, fmt.Sprintf("c%d: 1", i))
		steps = append(steps, "*s")
		strats = append(strats, fmt.Sprintf("S%d: {steps: *ss}", i))
	}
	bomb := mutate(t, "strategies:\n", fmt.Sprintf("x: &s {classify: {via: ClassSrv_1, categories: {%s}}}\ny: &ss [%s]\nstrategies:\n  %s\n",
		strings.Join(cats, ", "), strings.Join(steps, ", "), strings.Join(strats, "\n  ")))
	_, err = Parse("bomb.yaml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "expands to too many nodes") {
		t.Errorf("the alias bomb: %v", err)
	}
}

func TestRates(t *testing.T) {
	cases := []struct {
		rate string
		want float64
	}{{"2/s", 2}, {"30/m", 0.5}, {"0.5/s", 0.5}, {".5/s", 0.5}, {"90/m", 1.5},
		// The spellings people write, Genesys' own among them (issue 13).
		{"10/min", 10.0 / 60}, {"10/second", 10}, {"600/minute", 10}, {"3/sec", 3}, {"7200/h", 2}, {"3600/hour", 1},
		{"5/seconds", 5}, {"120/minutes", 2}, {"10000/s", 10000}}
	for _, c := range cases {
		s, err := Parse("t.yaml", []byte(mutate(t, "rate: 1/s", "rate: "+c.rate)))
		if err != nil {
			t.Errorf("%s: %v", c.rate, err)
			continue
		}
		if got := s.Config.Traffic[0].Rate; got != c.want {
			t.Errorf("%s: %v per second, want %v", c.rate, got, c.want)
		}
	}
	for _, bad := range []string{"2/d", "2/S", "10001/s", "2", "-1/s", "0/m", "1e3/s", "inf/s", "2 /s", "/s", "two/s", "[2/s]"} {
		if _, err := Parse("t.yaml", []byte(mutate(t, "rate: 1/s", "rate: "+bad))); err == nil {
			t.Errorf("rate %q loaded", bad)
		}
	}
}

// The index maps paths to positions for the lint pass.
func TestIndexPositions(t *testing.T) {
	s, text := loadExample(t)
	cases := []struct {
		path      string
		key, val  string // markers: where Pos and ValuePos must point
		nth, vnth int
	}{
		{"applications", "applications:", "IxnServer:", 1, 1},
		{"applications.URS_1.options", "options: {default", "{default", 1, 1},
		{"applications.URS_1.sim.step_time", "step_time", "20ms", 1, 1},
		{"applications.IxnServer.connections.3", "ClassSrv_2, EmailSrv_1", "ClassSrv_2, EmailSrv_1", 1, 1},
		{"applications.IxnServer.options.settings.verify-database-identity", "verify-database-identity", "true}", 1, 1},
		{"strategies.C.steps.0.esp.via", "via: FaxCluster", "FaxCluster, service", 1, 1},
		{"strategies.A.activated_on.0", "URS_1]                 #", "URS_1]                 #", 1, 1},
		{"business_processes.Inbound.queues.fax_in.strategy", "strategy: C", "C}", 1, 1},
		{"timeline.4.set.database", "database: other", "other}", 1, 1},
		{"traffic.1.rate", "rate: 1/s", "1/s", 1, 1},
		{"expect.3", "spread(", "spread(", 1, 1},
		{"agent_groups.Billing.accept", "accept", "0.95", 1, 1},
	}
	ix := s.Index()
	for _, c := range cases {
		p, ok := s.Pos(c.path)
		if !ok {
			t.Errorf("%s: not indexed", c.path)
			continue
		}
		if want := posOfText(t, text, c.key, c.nth); p != want {
			t.Errorf("Pos(%s) = %s, want %s (%q)", c.path, p, want, c.key)
		}
		v, _ := ix.ValuePos(c.path)
		if want := posOfText(t, text, c.val, c.vnth); v != want {
			t.Errorf("ValuePos(%s) = %s, want %s (%q)", c.path, v, want, c.val)
		}
	}
	if _, ok := s.Pos("applications.URS_9"); ok {
		t.Error("an absent path is indexed")
	}
	paths := ix.Paths()
	if len(paths) < 100 || paths[0] != "version" {
		t.Errorf("Paths: %d paths starting %q; want every node, in file order", len(paths), paths[:1])
	}
}
