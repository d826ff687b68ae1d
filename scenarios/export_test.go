package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// A small scenario; timeline and extra are spliced in to try each way a timeline can be written.
func drillSource(timeline string) string {
	return `# a drill's scenario: this comment stays
version: 1
name: small
seed: 3
duration: 2m   # two minutes

applications:
  IxnServer: {type: InteractionServer, connections: [DAP_1, EmailSrv_1]}
  EmailSrv_1: {type: EmailServer}
  "URS 1": {type: RoutingServer, connections: [IxnServer]}
  URS_2: {type: RoutingServer, connections: [IxnServer]}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}

databases:
  ixn: {}

strategies:
  A:
    activated_on: ["URS 1", URS_2]
    steps:
      - route: {group: Sales}

business_processes:
  Inbound:
    queues:
      q: {strategy: A}

agent_groups:
  Sales: {agents: 5, capacity: {email: 1}, handle_time: 30s}

traffic:
  - {media: email, from: EmailSrv_1, queue: q, rate: 1/s}
` + timeline + `
# the expectations
expect:
  - interactions.lost == 0   # nothing lost
`
}

var drillActions = []core.TimedAction{
	{At: 30*time.Second + 250*time.Millisecond, Operator: true, Action: core.Action{Kind: core.ActStop, App: "URS 1"}},
	{At: 30*time.Second + 250*time.Millisecond, Operator: true, Action: core.Action{Kind: core.ActActivate, Strategy: "A", URS: []string{"URS 1"}}},
	{At: 40 * time.Second, Operator: true, Action: core.Action{Kind: core.ActSetOption, App: "URS_2", Section: "annex:IxnServer", Option: "max-submitted-interactions", Value: "5"}},
	{At: 41 * time.Second, Operator: true, Action: core.Action{Kind: core.ActSetOption, App: "URS_2", Section: "default", Option: "agent_reservation", Value: "true"}},
	{At: 50 * time.Second, Operator: true, Action: core.Action{Kind: core.ActRepoint, App: "DAP_1", Database: "ixn"}},
	{At: 60 * time.Second, Operator: true, Action: core.Action{Kind: core.ActRestart, App: "IxnServer"}},
	{At: 70 * time.Second, Operator: true, Action: core.Action{Kind: core.ActDeactivate, Strategy: "A", URS: []string{"URS 1", "URS_2"}}},
}

// Whatever way the timeline is written (absent, empty, null, a flow list, a block list at either
// indentation, CRLF lines), the export reads back as the scenario with the operator's actions
// after its own entries, and keeps the file's comments.
func TestExportDrillWritesEveryTimelineForm(t *testing.T) {
	cases := map[string]string{
		"absent":       "",
		"empty flow":   "\ntimeline: []\n",
		"null":         "\ntimeline:\n",
		"flow":         "\ntimeline: [{at: 10s, stop: URS_2}, {at: 20s, start: URS_2}]\n",
		"block":        "\ntimeline:\n  - {at: 10s, stop: URS_2}   # a comment\n  - at: 20s\n    start: URS_2\n",
		"block at 0":   "\ntimeline:\n- {at: 10s, stop: URS_2}\n- {at: 20s, start: URS_2}\n",
		"block+indent": "\ntimeline:\n    - {at: 10s, stop: URS_2}\n    # more to come\n",
	}
	for name, tl := range cases {
		for _, crlf := range []bool{false, true} {
			src := drillSource(tl)
			if crlf {
				src = strings.ReplaceAll(src, "\n", "\r\n")
			}
			orig, err := Parse("small.yaml", []byte(src))
			if err != nil {
				t.Fatalf("%s: the test's scenario: %v", name, err)
			}
			out, err := ExportDrill("small.yaml", []byte(src), Drill{Duration: 90 * time.Second, Seed: 3, Actions: drillActions,
				Header: []string{"exported from a console session"}})
			if err != nil {
				t.Fatalf("%s (crlf %v): %v", name, crlf, err)
			}
			got, err := Parse("small.yaml", out)
			if err != nil {
				t.Fatalf("%s: the export does not load: %v\n%s", name, err, out)
			}
			if n := len(got.Config.Timeline); n != len(orig.Config.Timeline)+len(drillActions) {
				t.Fatalf("%s: %d timeline entries", name, n)
			}
			for i, a := range drillActions {
				if g := got.Config.Timeline[len(orig.Config.Timeline)+i]; !g.Operator || g.At != a.At || g.Kind != a.Kind {
					t.Fatalf("%s: entry %d is %+v", name, i, g)
				}
			}
			for _, keep := range []string{"# a drill's scenario: this comment stays", "# the expectations", "interactions.lost == 0   # nothing lost", "# exported from a console session", "duration: 1m30s   # two minutes"} {
				if !strings.Contains(string(out), keep) {
					t.Fatalf("%s: the export lost %q:\n%s", name, keep, out)
				}
			}
			if crlf && strings.Contains(strings.ReplaceAll(string(out), "\r\n", ""), "\n") {
				t.Fatalf("%s: mixed line ends in a CRLF file", name)
			}
		}
	}
}

// The seed, the expectations, a bundled file and a session past the scenario's end.
func TestExportDrillSeedExpectAndTraffic(t *testing.T) {
	src, err := Source("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ExportDrill("bundled:seed-example.yaml", src, Drill{Duration: 7 * time.Minute, Seed: 99, StopTraffic: true,
		Actions: []core.TimedAction{{At: time.Minute, Operator: true, Action: core.Action{Kind: core.ActLeave, Cluster: "FaxCluster", App: "FaxSrv_2"}}},
		Expect:  []string{"interactions.submitted == 120", "routing.A.URS_1 == 40"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("x.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Config.Seed != 99 || got.Config.Duration != 7*time.Minute {
		t.Fatalf("seed %d duration %v", got.Config.Seed, got.Config.Duration)
	}
	for _, tr := range got.Config.Traffic {
		if tr.Stop != 5*time.Minute {
			t.Fatalf("traffic %s stops at %v, want the scenario's own end 5m", tr.Queue, tr.Stop)
		}
	}
	if len(got.Expect) != 2 || got.Expect[1].Text != "routing.A.URS_1 == 40" {
		t.Fatalf("expect %+v", got.Expect)
	}
	if !strings.Contains(string(out), "\n  - routing.A.URS_1 == 40\n") {
		t.Fatalf("expectations are not written plain, as the bundled scenarios write them:\n%s", out)
	}
	if !strings.Contains(string(out), "#   routing.A.URS_2 == 0") {
		t.Fatalf("the scenario's own expectations are not kept as comments:\n%s", out)
	}
}

// What cannot be written is refused with the reason.
func TestExportDrillRefuses(t *testing.T) {
	flow := `{version: 1, duration: 1m, applications: {IxnServer: {type: InteractionServer, connections: [DAP_1]}, DAP_1: {type: DatabaseAccessPoint, database: ixn}}, databases: {ixn: {}}}`
	if _, err := ExportDrill("f.yaml", []byte(flow), Drill{Duration: time.Minute, Seed: 1}); err == nil || !strings.Contains(err.Error(), "flow mapping") {
		t.Fatalf("flow-style file: %v", err)
	}
	if _, err := ExportDrill("s.yaml", []byte(drillSource("")), Drill{Duration: 0, Seed: 3}); err == nil || !strings.Contains(err.Error(), "nothing happened yet") {
		t.Fatalf("a session at 0: %v", err)
	}
	broken := drillSource("\ntimeline: [{at: 1s, stop: URS_9}]\n")
	if _, err := ExportDrill("s.yaml", []byte(broken), Drill{Duration: time.Minute, Seed: 3, Actions: drillActions}); err == nil || !strings.Contains(err.Error(), "does not load") {
		t.Fatalf("a file that does not load: %v", err)
	}
	bad := strings.Replace(drillSource(""), "duration: 2m   # two minutes", "duration: !!str 2m", 1)
	if _, err := ExportDrill("s.yaml", []byte(bad), Drill{Duration: time.Minute, Seed: 3}); err == nil || !strings.Contains(err.Error(), "duration") {
		t.Fatalf("a tagged duration: %v", err)
	}
}

// by: operator is the only value of by.
func TestTimelineBy(t *testing.T) {
	s, err := Parse("s.yaml", []byte(drillSource("\ntimeline:\n  - {at: 10s, stop: URS_2, by: operator}\n  - {at: 20s, start: URS_2}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Config.Timeline[0].Operator || s.Config.Timeline[1].Operator {
		t.Fatalf("timeline %+v", s.Config.Timeline)
	}
	_, err = Parse("s.yaml", []byte(drillSource("\ntimeline:\n  - {at: 10s, stop: URS_2, by: bob}\n")))
	if err == nil || !strings.Contains(err.Error(), `s.yaml:36:32: timeline entry 1: by: "bob": the only value is operator`) {
		t.Fatalf("by: bob: %v", err)
	}
}
