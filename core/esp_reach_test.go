package core

import (
	"testing"
	"time"
)

// An ESP server addressed by name is reached only through a connection of the Interaction Server
// in force: a direct one (the seed's "configuring connections from Interaction Server directly to
// each instance"), or an Application Cluster on its Connections tab with the server among its
// members. Without one, every request fails `unavailable` (3 attempts, then the step's error
// branch) and the server receives nothing. A cluster addressed by its own name needs no
// connection: its members are how the IS "can call on" it.
func TestESPByNameNeedsAConnection(t *testing.T) {
	tests := []struct {
		name    string
		via     string
		edit    func(*Config)
		reached bool // FaxSrv_2 (or the via) receives requests at some point
		before  time.Duration
		after   time.Duration // requests only within [before, after)
	}{
		{name: "not connected", via: "FaxSrv_2"},
		{name: "connected directly", via: "FaxSrv_1", reached: true},
		{name: "through a cluster the IS is connected to", via: "FaxSrv_2", reached: true, edit: func(c *Config) {
			c.Clusters = append(c.Clusters, ClusterConfig{Name: "FaxPool", Members: []string{"FaxSrv_2"}})
			c.Apps[0].Connections = append(c.Apps[0].Connections, "FaxPool")
		}},
		{name: "joins and leaves a cluster the IS is connected to", via: "FaxSrv_2", reached: true,
			before: time.Minute, after: 2 * time.Minute, edit: func(c *Config) {
				c.Apps[0].Connections = append(c.Apps[0].Connections, "FaxCluster")
				c.Timeline = []TimedAction{
					at(time.Minute, Action{Kind: ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}),
					at(2*time.Minute, Action{Kind: ActLeave, Cluster: "FaxCluster", App: "FaxSrv_2"}),
				}
			}},
		{name: "a backup with connections of its own", via: "FaxSrv_2", reached: true, before: 90 * time.Second, edit: func(c *Config) {
			c.Apps[1].Connections = append(append([]string(nil), c.Apps[0].Connections...), "FaxSrv_2")
			c.Timeline = []TimedAction{at(90*time.Second, Action{Kind: ActSwitchover, App: "IxnServer"})}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := espConfig(tc.via)
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			_, r, rec := run(t, cfg)
			requests := r.ESP[tc.via][tc.via]
			if _, listed := r.ESP[tc.via][tc.via]; !listed {
				t.Fatalf("the report does not list %s under esp.%s: %v", tc.via, tc.via, r.ESP)
			}
			if int64(rec.count(EvESPRequest, func(ev *Event) bool { return ev.Server == tc.via })) != requests {
				t.Fatalf("esp.%s.%s = %d disagrees with the log", tc.via, tc.via, requests)
			}
			if !tc.reached {
				if requests != 0 {
					t.Fatalf("%d requests reached %s, which the IS has no connection to", requests, tc.via)
				}
				// Every interaction of strategy C asked ESPAttempts times, then took the error
				// branch and was delivered all the same.
				faults := map[int64]int{}
				delivered := 0
				for _, ev := range rec.events {
					switch {
					case ev.Kind == EvESPFault && ev.Code == "unavailable" && ev.Server == tc.via:
						faults[ev.Ixn]++
					case ev.Kind == EvDelivered && faults[ev.Ixn] > 0:
						if faults[ev.Ixn] != ESPAttempts {
							t.Fatalf("interaction %d delivered after %d unavailable faults, want %d", ev.Ixn, faults[ev.Ixn], ESPAttempts)
						}
						delivered++
					}
				}
				if delivered == 0 || int64(len(faults)*ESPAttempts) < r.ESPFaults.Unavailable {
					t.Fatalf("%d interactions faulted (%d faults in the report), %d delivered after", len(faults), r.ESPFaults.Unavailable, delivered)
				}
				if r.Interactions.Completed == 0 || r.Interactions.Lost != 0 {
					t.Fatalf("completed %d, lost %d: a failed step must not stop routing", r.Interactions.Completed, r.Interactions.Lost)
				}
				return
			}
			if requests == 0 || r.ESPFaults.Unavailable != 0 && tc.before == 0 {
				t.Fatalf("%d requests reached %s, %d unavailable", requests, tc.via, r.ESPFaults.Unavailable)
			}
			for _, ev := range rec.events {
				if ev.Kind == EvESPRequest && ev.Server == tc.via && (ev.T < int64(tc.before) || tc.after > 0 && ev.T > int64(tc.after)) {
					t.Fatalf("t=%v: a request reached %s while the IS in force had no connection to it", time.Duration(ev.T), tc.via)
				}
			}
		})
	}
}

// TestESPAnswerAfterARestartIsStale: a request a classification server had when it stopped is
// never answered, even when the server is running again by the time the answer was due (it
// restarted: the request is lost with its old process) — the interaction gets a timeout fault
// then. A request sent after the restart is answered.
func TestESPAnswerAfterARestartIsStale(t *testing.T) {
	cfg := seedConfig()
	const service = 20 * time.Second
	for i := range cfg.Apps {
		if cfg.Apps[i].Type == TypeClassificationServer {
			cfg.Apps[i].ServiceTime = service
		}
	}
	stop, start := 2*time.Minute, 2*time.Minute+time.Second
	cfg.Timeline = []TimedAction{
		at(stop, Action{Kind: ActStop, App: "ClassSrv_1"}),
		at(start, Action{Kind: ActStart, App: "ClassSrv_1"}),
	}
	_, _, rec := run(t, cfg)
	type key struct {
		ixn int64
		at  int64
	}
	faults := map[key]FaultCode{} // ClassSrv_1's, by interaction and time
	for _, ev := range rec.events {
		if ev.Kind == EvESPFault && ev.Server == "ClassSrv_1" {
			faults[key{ev.Ixn, ev.T}] = FaultCode(ev.Code)
		}
	}
	stale, fresh := 0, 0
	for _, ev := range rec.events {
		if ev.Kind != EvESPRequest || ev.Server != "ClassSrv_1" || ev.T+int64(service) > int64(cfg.Duration) {
			continue
		}
		due := key{ev.Ixn, ev.T + int64(service)}
		code, faulted := faults[due]
		switch {
		case ev.T < int64(stop) && due.at > int64(start):
			stale++
			if !faulted || code != FaultTimeout {
				t.Errorf("interaction %d asked ClassSrv_1 at %s, before its restart: at %s got fault %q, want timeout", ev.Ixn, time.Duration(ev.T), time.Duration(due.at), code)
			}
		case ev.T >= int64(start):
			fresh++
			if faulted {
				t.Errorf("interaction %d asked ClassSrv_1 at %s, after its restart: fault %q at %s", ev.Ixn, time.Duration(ev.T), code, time.Duration(due.at))
			}
		}
	}
	if stale == 0 || fresh == 0 {
		t.Fatalf("%d requests in flight across the restart, %d after it: the scenario does not exercise the case", stale, fresh)
	}
}
