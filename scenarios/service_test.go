package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

func TestServiceFieldsLoad(t *testing.T) {
	src := mutate(t, "  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A, service_level: {threshold: 30s}}}}")
	src = strings.Replace(src, "rate: 1/s}", "rate: 1/s, patience: 45s}", 1)
	src = strings.Replace(src, "timeline:", "service_level: {threshold: 15s}\ntimeline:", 1)
	src = strings.Replace(src, "  - interactions.lost == 0", "  - interactions.lost == 0\n  - service.fax_in.service_level >= 0\n  - service._all.asa <= 1000\n  - occupancy.Sales <= 1\n  - urs_share.A.URS_1 <= 1", 1)
	s, err := Parse("svc.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c := s.Config
	if c.ServiceLevel != 15*time.Second || c.Queues[0].ServiceLevel != 30*time.Second || c.Traffic[0].Patience != 45*time.Second {
		t.Fatalf("service level %s, queue %s, patience %s; want 15s 30s 45s", c.ServiceLevel, c.Queues[0].ServiceLevel, c.Traffic[0].Patience)
	}
	e, err := core.New(c)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(c.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range Evaluate(s.Expect, r) {
		if !res.OK || res.Error != "" {
			t.Errorf("%s: %+v", res.Expect, res)
		}
	}
	if r.Service["fax_in"].Threshold != 30 || r.Service[core.AllQueues].Threshold != 15 {
		t.Errorf("thresholds %v %v", r.Service["fax_in"].Threshold, r.Service[core.AllQueues].Threshold)
	}
}

// `service_level: {warmup}` at the top and per queue, with or without a threshold: the queue's
// own wins, and --warmup (Config.SetWarmup) wins over both.
func TestWarmupLoads(t *testing.T) {
	src := mutate(t, "  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A, service_level: {warmup: 30s}}}}")
	src = strings.Replace(src, "timeline:", "service_level: {threshold: 15s, warmup: 20s}\ntimeline:", 1)
	s, err := Parse("warm.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c := s.Config
	if c.Warmup != 20*time.Second || c.ServiceLevel != 15*time.Second || c.Queues[0].Warmup != 30*time.Second || c.Queues[0].ServiceLevel != 0 {
		t.Fatalf("warmup %s threshold %s, queue warmup %s threshold %s; want 20s 15s 30s 0s", c.Warmup, c.ServiceLevel, c.Queues[0].Warmup, c.Queues[0].ServiceLevel)
	}
	if got := c.QueueWarmup(0); got != 30*time.Second {
		t.Fatalf("queue warm-up in force %s, want its own 30s", got)
	}
	c.SetWarmup(10 * time.Second)
	if got := c.QueueWarmup(0); got != 10*time.Second || c.Warmup != 10*time.Second {
		t.Fatalf("after SetWarmup(10s): queue %s, scenario %s", got, c.Warmup)
	}
}

func TestServiceFieldsRejectBadInput(t *testing.T) {
	cases := []struct {
		name, old, new, fragment string
	}{
		{"negative patience", "rate: 1/s}", "rate: 1/s, patience: -5s}", "must not be negative"},
		{"zero patience", "rate: 1/s}", "rate: 1/s, patience: 0s}", "patience must be positive"},
		{"patience not a duration", "rate: 1/s}", "rate: 1/s, patience: soon}", `bad duration "soon"`},
		{"zero threshold", "timeline:", "service_level: {threshold: 0s}\ntimeline:", "threshold must be positive"},
		{"threshold missing", "timeline:", "service_level: {}\ntimeline:", "want threshold, warmup or both"},
		{"negative warmup", "timeline:", "service_level: {warmup: -1m}\ntimeline:", "must not be negative"},
		{"warmup not a duration", "timeline:", "service_level: {warmup: 1 hour}\ntimeline:", `bad duration "1 hour"`},
		{"warmup as long as the run", "timeline:", "service_level: {warmup: 1m}\ntimeline:", "warmup 1m0s is not shorter than the run (duration 1m0s)"},
		{"queue warmup past the run", "{fax_in: {strategy: A}}", "{fax_in: {strategy: A, service_level: {warmup: 1h}}}", "queue fax_in service_level: warmup 1h0m0s is not shorter"},
		{"typo in warmup", "timeline:", "service_level: {warm_up: 5m}\ntimeline:", `did you mean "warmup"`},
		{"typo in service_level", "timeline:", "service_level: {treshold: 5s}\ntimeline:", `did you mean "threshold"`},
		{"queue threshold typo", "{fax_in: {strategy: A}}", "{fax_in: {strategy: A, service_levl: {threshold: 5s}}}", `did you mean "service_level"`},
		{"unknown queue in expect", "  - interactions.lost == 0", "  - service.fax_inn.asa <= 3", `did you mean "fax_in"`},
		{"unknown figure in expect", "  - interactions.lost == 0", "  - service.fax_in.asaa <= 3", `did you mean "asa"`},
		{"unknown group in occupancy", "  - interactions.lost == 0", "  - occupancy.Sale <= 1", `did you mean "Sales"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(mutate(t, tc.old, tc.new)))
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.fragment) || !strings.Contains(err.Error(), "bad.yaml:") {
				t.Fatalf("error %q, want it to name bad.yaml:LINE:COL and contain %q", err, tc.fragment)
			}
		})
	}
}

// Every bundled scenario, with impatient customers on every traffic entry: the service figures add
// up against the database, and abandoning never loses an interaction the scenario did not lose.
func TestBundledWithPatience(t *testing.T) {
	for _, info := range Bundled() {
		t.Run(info.Name, func(t *testing.T) {
			sc, err := Open(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			run := func(cfg core.Config) *core.Report {
				e, err := core.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				e.RunUntil(int64(cfg.Duration))
				r, err := e.Report()
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			before := run(sc.Config)
			cfg := sc.Config
			cfg.Traffic = append([]core.TrafficConfig(nil), cfg.Traffic...)
			for i := range cfg.Traffic {
				cfg.Traffic[i].Patience = 20 * time.Second
			}
			r := run(cfg)
			all := r.Service[core.AllQueues]
			ic := r.Interactions
			if before.Interactions.Lost == 0 {
				if ic.Lost != 0 {
					t.Errorf("lost %d with patience, 0 without", ic.Lost)
				}
				if all.Abandoned != ic.Abandoned {
					t.Errorf("service._all.abandoned %d, database %d", all.Abandoned, ic.Abandoned)
				}
			}
			// Offered counts the customers: those the IS took (the rows in the databases) and
			// those a media server still holds.
			if all.Offered != ic.Submitted+ic.WaitingAtMedia && before.Interactions.Lost == 0 {
				t.Errorf("offered %d, submitted %d + waiting at media %d", all.Offered, ic.Submitted, ic.WaitingAtMedia)
			}
			if waiting := ic.Queued + ic.InURS; all.Answered+all.Abandoned+waiting > all.Offered {
				t.Errorf("answered %d + abandoned %d + waiting %d > offered %d", all.Answered, all.Abandoned, waiting, all.Offered)
			}
			if all.ServiceLevel < 0 || all.ServiceLevel > 1 || all.AbandonRate < 0 || all.AbandonRate > 1 {
				t.Errorf("shares out of range: %+v", all)
			}
			for g, o := range r.Occupancy {
				if o < 0 || o > 1 {
					t.Errorf("occupancy %s = %v", g, o)
				}
			}
		})
	}
}
