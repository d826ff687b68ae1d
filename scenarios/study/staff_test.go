package study

import (
	"math"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// erlangC is the probability that an arrival waits in M/M/c with offered load a = λ/μ < c,
// written from the textbook closed form (a running product for stability), not from ixlb's code.
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 0.0
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(c) / (float64(c) - a)
	return top / (sum + top)
}

// erlangCStaff is the Erlang C answer: the fewest agents whose service level (answered within
// t seconds) is at least sl, and that service level.
func erlangCStaff(a, aht, t, sl float64) (int, float64) {
	lambda := a / aht
	for c := int(math.Floor(a)) + 1; ; c++ {
		got := 1 - erlangC(c, a)*math.Exp(-(float64(c)/aht-lambda)*t)
		if got >= sl {
			return c, got
		}
	}
}

// erlangCASA is the Erlang C mean wait at c agents.
func erlangCASA(c int, a, aht float64) float64 {
	return erlangC(c, a) / (float64(c)/aht - a/aht)
}

// mmcScenario is an M/M/c contact centre: 8.5 erlangs (170 chats an hour, 180 s mean handle
// time), 80/20, with the delays set so that an agent's time is the handle time alone: the URS
// step and the agent's answer take 1 ms, the IS grants reservations at once. timeline is added
// as written.
func mmcScenario(t *testing.T, name, duration, timeline string) *scenarios.Scenario {
	t.Helper()
	src := `version: 1
name: ` + name + `
seed: 1
duration: ` + duration + `
service_level: {threshold: 20s}
applications:
  IxnServer:
    type: InteractionServer
    connections: [DAP_1, DAP_2, ChatSrv_1]
    options: {agent-reservation: {request-collection-time: 0}}
    annex: {agent_reservation: {URS_1: true, URS_2: true}}
  URS_1: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}, sim: {step_time: 1ms}}
  URS_2: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}, sim: {step_time: 1ms}}
  ChatSrv_1: {type: ChatServer}
  DBServer_1: {type: DBServer}
  DBServer_2: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
  DAP_2: {type: DatabaseAccessPoint, db_server: DBServer_2, database: ixn}
databases: {ixn: {}}
strategies:
  Chat: {activated_on: [URS_1, URS_2], steps: [{route: {group: Agents}}]}
business_processes:
  Service: {queues: {chat_in: {strategy: Chat}}}
agent_groups:
  Agents: {agents: 20, capacity: {chat: 1}, handle_time: 180s, answer_time: 1ms}
traffic:
  - {media: chat, from: ChatSrv_1, queue: chat_in, rate: 170/h}
` + timeline
	sc, err := scenarios.Parse(name+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if ds := scenarios.Lint(sc); ds.HasErrors() {
		t.Fatalf("lint: %v", ds)
	}
	return sc
}

func mustTargets(t *testing.T, texts ...string) []Target {
	t.Helper()
	var out []Target
	for _, s := range texts {
		tg, err := ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

// At 8.5 erlangs, 180 s handle time, 80% in 20 s, staff returns the agent count Erlang C gives,
// and says the count below misses. Then with an ASA target, and both at once (the larger).
func TestStaffMatchesErlangC(t *testing.T) {
	const a, aht = 8.5, 180.0
	wantSL, slAt := erlangCStaff(a, aht, 20, 0.8)
	wantASA := 0 // ASA 60 s: 10 agents give 63.6 s, 11 give 23.7 s
	for c := int(math.Floor(a)) + 1; wantASA == 0; c++ {
		if erlangCASA(c, a, aht) <= 60 {
			wantASA = c
		}
	}
	sc := mmcScenario(t, "mmc", "24h", "")
	cases := []struct {
		targets []string
		want    int
	}{
		{[]string{"service._all.service_level>=0.8"}, wantSL},
		{[]string{"asa<=60"}, wantASA},
		{[]string{"asa<=60", "service.chat_in.service_level>=0.8"}, max(wantSL, wantASA)},
	}
	for _, c := range cases {
		res, err := Staff(sc, StaffOptions{Group: "Agents", Targets: mustTargets(t, c.targets...), Seeds: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Found || res.Agents != c.want {
			t.Errorf("%v: staff says %d agents (found %v), Erlang C %d", c.targets, res.Agents, res.Found, c.want)
			continue
		}
		below, ok := res.Point(res.Agents - 1)
		if !ok || below.OK {
			t.Errorf("%v: %d agents not run, or meeting the targets too: %+v", c.targets, res.Agents-1, below)
		}
	}
	// The figure at the answer agrees with the formula within its interval (and a little for the
	// empty start of each run).
	res, err := Staff(sc, StaffOptions{Group: "Agents", Targets: mustTargets(t, "service._all.service_level>=0.8"), Seeds: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := res.Point(wantSL)
	if s := p.Figures["service._all.service_level"]; math.Abs(s.Mean-slAt) > s.CI95+0.01 {
		t.Errorf("service level at %d agents: %.4f ± %.4f, Erlang C %.4f", wantSL, s.Mean, s.CI95, slAt)
	}
}

// Staffing for a bad day: the same centre with both DB Servers down for 30 minutes (work held at
// the media server, then released at once) needs more agents for the same target, and a target
// the outage alone breaks is reported unreachable instead of searched to 100,000 agents.
func TestStaffWithAFailureTimeline(t *testing.T) {
	target := mustTargets(t, "service._all.service_level>=0.8")
	plain, err := Staff(mmcScenario(t, "mmc", "8h", ""), StaffOptions{Group: "Agents", Targets: target, Seeds: 10, Around: 2})
	if err != nil {
		t.Fatal(err)
	}
	outage := `timeline:
  - {at: 2h, stop: URS_2}
  - {at: 3h, stop: DBServer_1}
  - {at: 3h, stop: DBServer_2}
  - {at: 3h30m, start: DBServer_1}
  - {at: 3h30m, start: DBServer_2}
`
	bad := mmcScenario(t, "bad-day", "8h", outage)
	day, err := Staff(bad, StaffOptions{Group: "Agents", Targets: target, Seeds: 10, Around: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !plain.Found || !day.Found || day.Agents <= plain.Agents {
		t.Fatalf("the bad day needs %d agents (found %v), a normal day %d (found %v): want more", day.Agents, day.Found, plain.Agents, plain.Found)
	}
	// At the normal day's answer the bad day misses the target: the failure is in every run.
	p, ok := day.Point(plain.Agents)
	q, _ := plain.Point(plain.Agents)
	if !ok || p.OK || !(p.Figures["service._all.service_level"].Mean < q.Figures["service._all.service_level"].Mean) {
		t.Errorf("at %d agents: bad day %+v, normal day %+v", plain.Agents, p.Figures["service._all.service_level"], q.Figures["service._all.service_level"])
	}
	// Customers held 30 minutes keep the mean wait high whatever the agents.
	res, err := Staff(bad, StaffOptions{Group: "Agents", Targets: mustTargets(t, "asa<=20"), Seeds: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Found || !strings.Contains(res.Plateau, "more agents stop helping") || res.Points[len(res.Points)-1].Agents > 1000 {
		t.Errorf("unreachable target: found %v, plateau %q, last count %d", res.Found, res.Plateau, res.Points[len(res.Points)-1].Agents)
	}
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in, path, op, err string
		value             float64
	}{
		{in: "service._all.service_level>=0.8", path: "service._all.service_level", op: ">=", value: 0.8},
		{in: "asa<=30", path: "service._all.asa", op: "<=", value: 30},
		{in: " abandon_rate < 0.05 ", path: "service._all.abandon_rate", op: "<", value: 0.05},
		{in: "occupancy.Chat<=0.9", path: "occupancy.Chat", op: "<=", value: 0.9},
		{in: "service._all.asa==3", err: "a target is a bound"},
		{in: "spread(urs_share.S)<=0.1", err: "spread() is not a figure"},
		{in: "asa", err: "missing a comparison"},
		{in: "asa<=x", err: "want a number"},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.in, err, c.err)
			}
		case err != nil || got.Path != c.path || got.Op != c.op || got.Value != c.value:
			t.Errorf("%q: %+v %v", c.in, got, err)
		}
	}
}

// A target is held to the interval's bound on its side: ">=" to the lower, "<=" to the upper.
func TestTargetMetAtTheBound(t *testing.T) {
	s := Summary{N: 10, Mean: 0.75, CI95: 0.125} // 0.625 … 0.875
	cases := []struct {
		target string
		met    bool
	}{
		{"x.y>=0.7", false}, {"x.y>=0.625", true}, {"x.y>0.625", false},
		{"x.y<=0.875", true}, {"x.y<=0.8", false}, {"x.y<0.875", false},
	}
	for _, c := range cases {
		tg := mustTargets(t, c.target)[0]
		if got := tg.Met(s); got != c.met {
			t.Errorf("%s on %.2f ± %.2f: %v, want %v", c.target, s.Mean, s.CI95, got, c.met)
		}
	}
}

func TestStaffRefusesBadInput(t *testing.T) {
	sc := mmcScenario(t, "mmc", "1h", "")
	target := mustTargets(t, "asa<=30")
	cases := []struct {
		o    StaffOptions
		want string
	}{
		{StaffOptions{Group: "Agent", Targets: target, Seeds: 10}, `no agent group "Agent" (did you mean "Agents"?)`},
		{StaffOptions{Group: "Agents", Seeds: 10}, "no --target"},
		{StaffOptions{Group: "Agents", Targets: target, Seeds: 1}, "at least 2 seeds"},
		{StaffOptions{Group: "Agents", Targets: target, Seeds: 10, Min: 20, Max: 10}, "min ≤ max"},
		{StaffOptions{Group: "Agents", Targets: mustTargets(t, "service.chat_inn.asa<=30"), Seeds: 10}, `did you mean "service.chat_in.asa"`},
		{StaffOptions{Group: "Agents", Targets: mustTargets(t, "routing.Chat.URS_1>=3"), Seeds: 10}, "has no figure"},
	}
	for _, c := range cases {
		_, err := Staff(sc, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}

// The search stays in --min … --max, and a target already met at --min answers --min.
func TestStaffRange(t *testing.T) {
	sc := mmcScenario(t, "mmc", "8h", "")
	res, err := Staff(sc, StaffOptions{Group: "Agents", Targets: mustTargets(t, "asa<=1000"), Seeds: 4, Min: 11, Max: 15})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.Agents != 11 {
		t.Errorf("answer %d (found %v), want the --min 11", res.Agents, res.Found)
	}
	for _, p := range res.Points {
		if p.Agents < 10 || p.Agents > 15 {
			t.Errorf("ran %d agents, outside 11…15 (and the one below)", p.Agents)
		}
	}
	res, err = Staff(sc, StaffOptions{Group: "Agents", Targets: mustTargets(t, "asa<=0.001"), Seeds: 4, Min: 11, Max: 14})
	if err != nil || res.Found {
		t.Fatalf("an ASA of 1 ms within 14 agents: found %v (%d), %v", res.Found, res.Agents, err)
	}
}

// attack 16, O6: a target and a table heading carry their unit ("ASA ≤ 5.0" read as nothing).
func TestTargetsAndTitlesSayTheirUnit(t *testing.T) {
	figs := map[string]float64{"service._all.threshold": 20}
	cases := map[string]string{
		"asa<=5":                          "all queues: ASA ≤ 5.0 s",
		"wait_p90<=200":                   "all queues: wait, 90th percentile ≤ 200.0 s",
		"service._all.service_level>=0.8": "all queues: % answered in 20 s ≥ 80.0%",
		"interactions.lost<=0":            "interactions: lost ≤ 0",
	}
	for in, want := range cases {
		if got := mustTargets(t, in)[0].Describe(figs); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	if got := core.DescribeFigure("service.q.asa", nil).TitleWithUnit(); got != "q: ASA (s)" {
		t.Errorf("compare's row title %q", got)
	}
}
