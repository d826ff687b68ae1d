package core

import (
	"encoding/json"
	"testing"
	"time"
)

// A restart from the databases and the saved state loses nothing: interactions that were in a
// URS are resubmitted, queued ones routed, those with agents complete.
func TestResumeFromDatabasesLosesNothing(t *testing.T) {
	for _, crashAt := range []time.Duration{30 * time.Second, 2*time.Minute + 500*time.Millisecond, 4 * time.Minute} {
		t.Run(crashAt.String(), func(t *testing.T) {
			cfg := seedConfig()
			cfg.Apps[3].StepTime = time.Second
			cfg.Timeline = []TimedAction{
				at(time.Minute, Action{Kind: ActStop, App: "URS_2"}),
				at(90*time.Second, Action{Kind: ActActivate, Strategy: "B", URS: []string{"URS_1"}}),
				at(3*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
				at(5*time.Minute, Action{Kind: ActStart, App: "URS_2"}),
				at(20*time.Second, Action{Kind: ActJoin, Cluster: "FaxCluster", App: "FaxSrv_2"}),
				at(40*time.Second, Action{Kind: ActLeave, Cluster: "FaxCluster", App: "FaxSrv_2"}),
			}
			cfg.Duration = 6 * time.Minute
			dbs := NewMemDatabases()
			first, err := New(cfg, WithDatabases(dbs))
			if err != nil {
				t.Fatal(err)
			}
			first.RunUntil(int64(crashAt))
			st, err := first.ResumeState()
			if err != nil {
				t.Fatal(err)
			}
			// The state goes through JSON in the store.
			b, _ := json.Marshal(st)
			var back ResumeState
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			second, err := Resume(cfg, back, WithDatabases(dbs), WithSink(rec))
			if err != nil {
				t.Fatal(err)
			}
			if second.Now() != int64(crashAt) {
				t.Fatalf("resumed at %d", second.Now())
			}
			second.RunUntil(int64(cfg.Duration))
			r, err := second.Report()
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range second.Errors() {
				t.Error(err)
			}
			if r.Interactions.Lost != 0 {
				t.Fatalf("lost %d: %+v", r.Interactions.Lost, r.Interactions)
			}
			before, _ := first.Report()
			for s, m := range before.Routing {
				for u, n := range m {
					if r.Routing[s][u] < n {
						t.Fatalf("routing.%s.%s went from %d to %d across the restart", s, u, n, r.Routing[s][u])
					}
				}
			}
			for via, m := range before.ESP {
				for srv, n := range m {
					if r.ESP[via][srv] < n {
						t.Fatalf("esp.%s.%s went from %d to %d across the restart", via, srv, n, r.ESP[via][srv])
					}
				}
			}
			for _, d := range []string{"DAP_1", "DAP_2"} {
				if r.DAP[d].Requests < before.DAP[d].Requests {
					t.Fatalf("dap.%s requests went down across the restart", d)
				}
			}
			if r.Interactions.Completed <= first.Stats().Completed {
				t.Fatal("nothing completed after the restart")
			}
			// Timeline entries before the crash are not applied twice; later ones are.
			stops := rec.count(EvAppStopped, nil)
			starts := rec.count(EvAppStarted, func(e *Event) bool { return e.App == "URS_2" })
			wantStops := 0
			if crashAt < time.Minute {
				wantStops = 1
			}
			if stops != wantStops || starts != 1 {
				t.Fatalf("after resume: %d stops, %d URS_2 starts", stops, starts)
			}
			// The event log continues: sequence numbers go on from the saved count.
			if len(rec.events) == 0 || rec.events[0].Seq != st.Events+1 {
				t.Fatalf("first resumed event seq %d, saved %d", rec.events[0].Seq, st.Events)
			}
			// URS_2 is still stopped after the replay: nothing reaches it before it restarts.
			for _, ev := range rec.events {
				if ev.Kind == EvToURS && ev.URS == "URS_2" && ev.T < int64(5*time.Minute) && crashAt > time.Minute {
					t.Fatalf("stopped URS_2 got an interaction after resume: %+v", ev)
				}
			}
		})
	}
}
