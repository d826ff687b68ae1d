package study

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/scenarios"
)

// Figures with nothing to average over — the ASA and waits when nobody was answered, the ASA of
// the touched when no touched interaction was answered after the failure — are undefined, not 0:
// a study leaves them out of its means, and a target on them is not met.

// attack 16, B1: with 0 agents nobody is answered, and the empty wait percentiles read 0 met
// "wait_p90 <= 200": staff answered "0 agents in Chat" for the bundled service-level.
func TestStaffNeverAnswersNobody(t *testing.T) {
	sc, err := scenarios.Open("service-level")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Staff(sc, StaffOptions{Group: "Chat", Targets: mustTargets(t, "service._all.wait_p90<=200"), Seeds: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.Agents < 1 {
		t.Fatalf("staff answers %d agents (found %v)", res.Agents, res.Found)
	}
	p, _ := res.Point(res.Agents)
	if ans := p.Figures["service._all.answered"]; ans.Mean < 1 {
		t.Errorf("at the answer, %d agents, answered %+v", res.Agents, ans)
	}
	for _, q := range res.Points {
		if q.Agents < 1 {
			t.Errorf("ran %d agents: a staffing never has none", q.Agents)
		}
	}
}

// A count at which some run answers nobody does not meet an ASA target; nor does a figure no run
// defines.
func TestTargetOnUndefinedFigureIsNotMet(t *testing.T) {
	tg := mustTargets(t, "asa<=30")[0]
	if s := Summarize([]float64{math.NaN(), math.NaN()}); tg.Met(s) || s.N != 0 || s.Undefined != 2 || !math.IsNaN(s.Mean) {
		t.Errorf("no run defines it: %+v met %v", s, tg.Met(s))
	}
	if s := Summarize([]float64{math.NaN(), 3, 4}); tg.Met(s) || s.N != 2 || s.Undefined != 1 || s.Mean != 3.5 {
		t.Errorf("one run of three answers nobody: %+v met %v", s, tg.Met(s))
	}
	if s := Summarize([]float64{3, 4}); !tg.Met(s) {
		t.Errorf("defined in every run: %+v not met", s)
	}
	// The JSON of a summary with nothing to average reads null, not a number nobody measured.
	b, err := json.Marshal(Summarize([]float64{math.NaN()}))
	if err != nil || !strings.Contains(string(b), `"mean":null`) {
		t.Errorf("json %s %v", b, err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.Mean) || back.Undefined != 1 {
		t.Errorf("back from json %+v %v", back, err)
	}
}

// attack 16, B2: dap-repoint-switchover answers none of the interactions its switchover touched
// after the failure reached them, so their ASA is undefined in every seed; compare averaged those
// zeros and marked "+3.1 ± 2.2 *" beyond noise against the guarded design.
func TestCompareLeavesUndefinedOut(t *testing.T) {
	a, err := scenarios.Open("dap-repoint-switchover")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenarios.Open("dap-repoint-guarded")
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(a, b, CompareOptions{Seeds: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"service._all.touched_asa", "service._all.extra_wait"} {
		f, ok := cmp.Figures[path]
		if !ok {
			t.Fatalf("%s not compared", path)
		}
		if f.A.N != 0 || f.A.Undefined != 5 || !math.IsNaN(f.A.Mean) {
			t.Errorf("%s in A: %+v, want undefined in every seed", path, f.A)
		}
		if f.Significant || f.Diff.N != 0 {
			t.Errorf("%s: a difference with nothing on A's side: %+v significant %v", path, f.Diff, f.Significant)
		}
	}
	if _, err := json.Marshal(cmp); err != nil {
		t.Errorf("compare --json: %v", err)
	}
}
