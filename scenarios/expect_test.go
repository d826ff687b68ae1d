package scenarios

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

func TestParseExpectation(t *testing.T) {
	cases := []struct {
		text   string
		spread bool
		path   []string
		op     string
		value  float64
	}{
		{"interactions.lost == 0", false, []string{"interactions", "lost"}, "==", 0},
		{"  routing.C.URS_2>0  ", false, []string{"routing", "C", "URS_2"}, ">", 0},
		{"spread(esp.ClassificationServer) <= 1", true, []string{"esp", "ClassificationServer"}, "<=", 1},
		{"spread( routing.C ) < 2.5", true, []string{"routing", "C"}, "<", 2.5},
		{"dap.DAP 1.requests >= -3", false, []string{"dap", "DAP 1", "requests"}, ">=", -3}, // names may hold spaces
		{"routing.Sales/Tier-2.URS_1 != 1e3", false, []string{"routing", "Sales/Tier-2", "URS_1"}, "!=", 1000},
		{"virtual_seconds > 59.5", false, []string{"virtual_seconds"}, ">", 59.5},
	}
	for _, c := range cases {
		e, err := ParseExpectation(c.text)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if e.Text != c.text || e.Spread != c.spread || !reflect.DeepEqual(e.Path, c.path) || e.Op != c.op || e.Value != c.value {
			t.Errorf("%q: got spread=%v path=%q op=%q value=%v", c.text, e.Spread, e.Path, e.Op, e.Value)
		}
	}
}

func TestParseExpectationErrors(t *testing.T) {
	cases := []struct {
		text     string
		offset   int
		fragment string
	}{
		{"interactions.lost", 17, "missing a comparison"},
		{"interactions.lost = 0", 18, `unknown operator "="`},
		{"interactions.lost => 0", 18, `unknown operator "=>"`},
		{"interactions.lost === 0", 18, `unknown operator "==="`},
		{"interactions.lost ==", 20, "missing the number"},
		{"interactions.lost == zero", 21, `want a number after ==, got "zero"`},
		{"interactions.lost == NaN", 21, "want a number"},
		{"interactions.lost == 1 0", 21, "want a number"},
		{" == 1", 1, "missing the report path"},
		{"sum(routing.C) > 1", 0, `unknown function "sum"`},
		{"spread() > 1", 7, "spread() needs a report path"},
		{"routing..C > 1", 8, "empty name"},
		{"routing. C > 1", 8, "spaces around a dot"},
	}
	for _, c := range cases {
		_, err := ParseExpectation(c.text)
		ee, ok := err.(*ExpectError)
		if !ok {
			t.Errorf("%q: error %v, want an *ExpectError", c.text, err)
			continue
		}
		if ee.Offset != c.offset || !strings.Contains(ee.Msg, c.fragment) {
			t.Errorf("%q: offset %d %q, want offset %d containing %q", c.text, ee.Offset, ee.Msg, c.offset, c.fragment)
		}
	}
}

func TestEvaluate(t *testing.T) {
	r := &core.Report{
		Scenario:     "t",
		Interactions: core.InteractionCounts{Submitted: 10, Completed: 7, Damage: core.Damage{Lost: 0}, Database: "ixn"},
		Routing:      map[string]map[string]int64{"C": {"URS_1": 5, "URS_2": 3}, "A": {"URS_1": 4}},
		ESP:          map[string]map[string]int64{"FaxCluster": {"FaxSrv_1": 2, "FaxSrv_2": 2}},
		DAP:          map[string]core.DAPCounts{"DAP_1": {Requests: 9, Failures: 1, Database: "ixn"}, "DAP_2": {Requests: 4}},
		Agents:       core.AgentCounts{Denied: 3},
	}
	cases := []struct {
		text   string
		ok     bool
		actual float64
		err    string
	}{
		{"interactions.lost == 0", true, 0, ""},
		{"interactions.submitted > 9", true, 10, ""},
		{"interactions.completed >= 8", false, 7, ""},
		{"interactions.completed < 8", true, 7, ""},
		{"interactions.completed <= 7", true, 7, ""},
		{"interactions.completed != 7", false, 7, ""},
		{"routing.C.URS_2 == 3", true, 3, ""},
		{"routing.A.URS_2 == 0", true, 0, ""},    // absent = 0
		{"routing.Z.URS_9 > 0", false, 0, ""},    // absent all the way down
		{"spread(routing.C) <= 1", false, 2, ""}, // 5 - 3
		{"spread(routing) == 2", true, 2, ""},    // recursively: 5, 3, 4
		{"spread(esp.FaxCluster) == 0", true, 0, ""},
		{"spread(dap) == 9", true, 9, ""},       // numbers only; the database names are skipped
		{"spread(routing.Z) == 0", true, 0, ""}, // nothing under it
		{"agents.denied > 0", true, 3, ""},
		{"interactions.database == 0", false, 0, "interactions.database is not a number"},
		{"routing.C > 0", false, 0, "routing.C is not a number"},
	}
	var exps []Expectation
	for _, c := range cases {
		e, err := ParseExpectation(c.text)
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		exps = append(exps, e)
	}
	results := Evaluate(exps, r)
	if len(results) != len(cases) {
		t.Fatalf("%d results for %d expectations", len(results), len(cases))
	}
	for i, c := range cases {
		got := results[i]
		if got.Expect != c.text || got.OK != c.ok || got.Actual != c.actual || !strings.Contains(got.Error, c.err) || (c.err == "" && got.Error != "") {
			t.Errorf("%q: got %+v, want ok=%v actual=%v error %q", c.text, got, c.ok, c.actual, c.err)
		}
	}
	if res := Evaluate(exps[:1], nil); res[0].OK || res[0].Error == "" {
		t.Errorf("without a report: %+v, want an error", res[0])
	}
}

// Expectation positions point into the line: at the bad segment of a path, past an opening quote.
func TestExpectationPositions(t *testing.T) {
	cases := []struct {
		line string
		pos  string
	}{
		{`- routing.A.URS_3 == 0`, "33:15"},
		{`- "routing.A.URS_3 == 0"`, "33:16"},
		{`- 'routing.A.URS_3 == 0'`, "33:16"},
		{`- spread(routing.B) <= 1`, "33:20"},
	}
	for _, c := range cases {
		_, err := Parse("t.yaml", []byte(mutate(t, "- interactions.lost == 0", c.line)))
		if err == nil {
			t.Errorf("%s: loaded", c.line)
			continue
		}
		if d := diagnostics(t, err)[0]; d.Pos().String() != c.pos {
			t.Errorf("%s: diagnostic at %s, want %s: %s", c.line, d.Pos(), c.pos, d.Message)
		}
	}
}
