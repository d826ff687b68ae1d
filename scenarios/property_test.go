package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ixlb/ixlb/core"
)

// genScenario writes a random but valid scenario: a deployment of the format's every kind of
// application, strategies using every step, traffic, and a timeline of operator actions and faults.
// It reports whether the run may legitimately lose interactions (a re-pointed DAP and a
// switchover, or an Interaction Server left stopped).
func genScenario(t *rapid.T) (text string, mayLose bool) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	pick := func(label string, from []string) string { return rapid.SampledFrom(from).Draw(t, label) }
	subset := func(label string, from []string) []string {
		var out []string
		for _, x := range from {
			if rapid.Bool().Draw(t, label+" "+x) {
				out = append(out, x)
			}
		}
		return out
	}

	nURS := rapid.IntRange(1, 3).Draw(t, "urs")
	nDAP := rapid.IntRange(1, 2).Draw(t, "daps")
	nClass := rapid.IntRange(0, 2).Draw(t, "classification servers")
	nFax := rapid.IntRange(0, 2).Draw(t, "fax servers")
	withIM := rapid.Bool().Draw(t, "im server")
	withBackup := rapid.Bool().Draw(t, "backup")
	guard := rapid.Bool().Draw(t, "guard")
	var urs, daps, esp, fax, all []string
	for i := 1; i <= nURS; i++ {
		urs = append(urs, fmt.Sprintf("URS_%d", i))
	}
	for i := 1; i <= nDAP; i++ {
		daps = append(daps, fmt.Sprintf("DAP_%d", i))
	}
	for i := 1; i <= nClass; i++ {
		esp = append(esp, fmt.Sprintf("ClassSrv_%d", i))
	}
	for i := 1; i <= nFax; i++ {
		fax = append(fax, fmt.Sprintf("FaxSrv_%d", i))
	}
	esp = append(esp, fax...)
	if withIM {
		esp = append(esp, "IMSrv_1")
	}
	esp = append(esp, "EmailSrv_1")

	w("version: 1\nseed: %d\nduration: 2m\napplications:\n", rapid.IntRange(0, 1000).Draw(t, "seed"))
	w("  IxnServer:\n    type: InteractionServer\n")
	if withBackup {
		w("    backup: IxnServer_B\n")
	}
	w("    connections: [%s]\n", strings.Join(append(append([]string{}, daps...), esp...), ", "))
	w("    options: {settings: {verify-database-identity: %v, delivering-timeout: %ds}}\n", guard, rapid.IntRange(1, 40).Draw(t, "delivering-timeout"))
	w("    annex: {agent_reservation: {")
	for i, u := range urs {
		if i > 0 {
			w(", ")
		}
		w("%s: %v", u, rapid.IntRange(0, 4).Draw(t, "annex "+u) > 0)
	}
	w("}}\n")
	if withBackup {
		w("  IxnServer_B: {type: InteractionServer}\n")
	}
	for _, u := range urs {
		w("  %s: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: %v}}, annex: {IxnServer: {max-submitted-interactions: %d}}}\n",
			u, rapid.IntRange(0, 4).Draw(t, "option "+u) > 0, rapid.IntRange(1, 50).Draw(t, "max "+u))
	}
	for i := 1; i <= nClass; i++ {
		w("  ClassSrv_%d: {type: ClassificationServer, sim: {service_time: %dms}}\n", i, rapid.IntRange(1, 3000).Draw(t, "service time"))
	}
	for _, f := range fax {
		w("  %s: {type: ThirdPartyServer, services: [fax]}\n", f)
	}
	if withIM {
		w("  IMSrv_1: {type: ThirdPartyServer, services: [im]}\n")
	}
	w("  EmailSrv_1: {type: EmailServer}\n")
	for i, d := range daps {
		w("  DBServer_%d: {type: DBServer}\n  %s: {type: DatabaseAccessPoint, db_server: DBServer_%d, database: ixn}\n", i+1, d, i+1)
	}
	all = append(append(append(all, urs...), esp...), daps...)
	for i := range daps {
		all = append(all, fmt.Sprintf("DBServer_%d", i+1))
	}
	if len(fax) > 0 {
		w("clusters:\n  FaxCluster: {members: [%s]}\n", fax[0])
	}
	w("databases: {ixn: {}, other: {}}\n")

	vias := []string{"ThirdPartyServer", "ClassificationServer", "EmailSrv_1"}
	if len(fax) > 0 {
		vias = append(vias, "FaxCluster")
	}
	nStrat := rapid.IntRange(1, 3).Draw(t, "strategies")
	var strats, queues []string
	for i := 1; i <= nStrat; i++ {
		strats = append(strats, fmt.Sprintf("S%d", i))
		queues = append(queues, fmt.Sprintf("q%d", i))
	}
	w("strategies:\n")
	for i, s := range strats {
		w("  %s:\n    activated_on: [%s]\n    steps:\n", s, strings.Join(subset("activated "+s, urs), ", "))
		nSteps := rapid.IntRange(1, 4).Draw(t, "steps")
		for j := 0; j < nSteps; j++ {
			switch pick("step", []string{"classify", "esp", "autoresponse", "route", "by_category", "queue", "stop"}) {
			case "classify":
				w("      - classify: {via: %s, categories: {billing: 1, sales: 2}}\n", pick("via", vias))
			case "esp":
				w("      - esp: {via: %s, service: %s, method: send}\n", pick("via", vias), pick("service", []string{"fax", "im"}))
			case "autoresponse":
				w("      - autoresponse: {via: EmailSrv_1}\n")
			case "route":
				w("      - route: {group: %s}\n", pick("group", []string{"Sales", "Billing"}))
			case "by_category":
				w("      - route: {by_category: {billing: Billing, default: Sales}}\n")
			case "queue":
				// Only forward, so no strategy loops for ever through its own queue.
				if i+1 < len(queues) {
					w("      - queue: %s\n", queues[i+1])
				} else {
					w("      - stop: {}\n")
				}
			case "stop":
				w("      - stop: {}\n")
			}
		}
	}
	w("business_processes:\n  Inbound:\n    queues:\n")
	for i, q := range queues {
		w("      %s: {strategy: %s}\n", q, strats[i])
	}
	w("agent_groups:\n")
	w("  Sales: {agents: %d, capacity: {email: %d, fax: 1}, handle_time: %ds, accept: %.2f}\n",
		rapid.IntRange(0, 20).Draw(t, "sales agents"), rapid.IntRange(1, 3).Draw(t, "capacity"), rapid.IntRange(1, 90).Draw(t, "handle"),
		float64(rapid.IntRange(50, 100).Draw(t, "accept"))/100)
	w("  Billing: {agents: %d, capacity: {email: 1}, handle_time: %ds, answer_time: %ds}\n",
		rapid.IntRange(0, 20).Draw(t, "billing agents"), rapid.IntRange(1, 90).Draw(t, "handle"), rapid.IntRange(1, 60).Draw(t, "answer"))
	w("traffic:\n")
	for i := rapid.IntRange(1, 3).Draw(t, "streams"); i > 0; i-- {
		w("  - {media: %s, from: EmailSrv_1, queue: %s, rate: %d/m}\n", pick("media", []string{"email", "fax"}), pick("queue", queues), rapid.IntRange(1, 120).Draw(t, "rate"))
	}

	repointed, switched, isStopped := false, false, false
	var timeline []string
	var repoints []int
	for i := rapid.IntRange(0, 8).Draw(t, "actions"); i > 0; i-- {
		at := fmt.Sprintf("%ds", rapid.IntRange(0, 119).Draw(t, "at"))
		switch pick("action", []string{"stop", "start", "activate", "deactivate", "set", "repoint", "switchover", "join", "leave", "stop-is", "start-is"}) {
		case "stop", "start":
			timeline = append(timeline, fmt.Sprintf("{at: %s, %s: %s}", at, pick("stop or start", []string{"stop", "start"}), pick("app", all)))
		case "stop-is":
			timeline = append(timeline, fmt.Sprintf("{at: %s, stop: IxnServer}", at))
			isStopped = true
		case "start-is":
			timeline = append(timeline, fmt.Sprintf("{at: %s, start: IxnServer}", at))
		case "activate", "deactivate":
			timeline = append(timeline, fmt.Sprintf("{at: %s, %s: %s, on: [%s]}", at, pick("verb", []string{"activate", "deactivate"}), pick("strategy", strats), pick("urs", urs)))
		case "set":
			timeline = append(timeline, fmt.Sprintf("{at: %s, set: {app: %s, section: default, option: agent_reservation, value: %v}}", at, pick("urs", urs), rapid.Bool().Draw(t, "value")))
		case "repoint":
			timeline = append(timeline, fmt.Sprintf("{at: %s, set: {app: %s, database: other}}", at, pick("dap", daps)))
			repointed = true
			repoints = append(repoints, len(timeline)-1)
		case "switchover":
			if withBackup {
				timeline = append(timeline, fmt.Sprintf("{at: %s, switchover: IxnServer}", at))
				switched = true
			}
		case "join", "leave":
			if len(fax) > 0 {
				timeline = append(timeline, fmt.Sprintf("{at: %s, %s: {cluster: FaxCluster, app: %s}}", at, pick("verb", []string{"join", "leave"}), pick("fax", fax)))
			}
		}
	}
	if len(timeline) > 0 {
		w("timeline:\n")
		for _, a := range timeline {
			w("  - %s\n", a)
		}
	}
	w("expect:\n  - agents.double_booked >= 0\n  - spread(routing) >= 0\n")
	return b.String(), (repointed && switched) || isStopped || (repointed && withBackup)
}

// Every scenario the generator writes is valid, so it must load; the engine must run it without
// crashing, never double-book an agent while every URS reserves and, short of the documented ways
// to lose interactions, lose none.
func TestGeneratedScenariosLoadAndRun(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text, mayLose := genScenario(t)
		s, err := Parse("generated.yaml", []byte(text))
		if err != nil {
			t.Fatalf("a valid scenario does not load:\n%v\n%s", err, text)
		}
		e, err := core.New(s.Config)
		if err != nil {
			t.Fatalf("core.New: %v\n%s", err, text)
		}
		e.RunUntil(int64(s.Config.Duration))
		r, err := e.Report()
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		for _, res := range Evaluate(s.Expect, r) {
			if !res.OK {
				t.Fatalf("%s: actual %v %s\n%s", res.Expect, res.Actual, res.Error, text)
			}
		}
		if r.Agents.DoubleBooked > 0 && allReserve(s.Config) {
			t.Fatalf("%d double bookings though every URS reserves agents\n%s", r.Agents.DoubleBooked, text)
		}
		if !mayLose && r.Interactions.Lost != 0 {
			t.Fatalf("%d interactions lost without a repoint, switchover or stopped IS\n%s", r.Interactions.Lost, text)
		}
	})
}

// allReserve reports whether every URS has agent_reservation true in its options and in the IS
// Annex, and no timeline entry changes either.
func allReserve(cfg core.Config) bool {
	for _, ta := range cfg.Timeline {
		if ta.Kind == core.ActSetOption && (ta.Option == "agent_reservation" || ta.Section == "annex:agent_reservation") {
			return false
		}
	}
	for _, a := range cfg.Apps {
		if a.Type != core.TypeRoutingServer {
			continue
		}
		v, _ := a.Options.Get("default", "agent_reservation")
		if on, _ := core.ParseBool(v); !on {
			return false
		}
		for _, is := range cfg.Apps {
			if is.Type == core.TypeInteractionServer && len(is.Annex) > 0 {
				v, _ := is.Annex.Get("agent_reservation", a.Name)
				if on, _ := core.ParseBool(v); !on {
					return false
				}
			}
		}
	}
	return true
}
