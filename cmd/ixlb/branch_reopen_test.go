//go:build cgo

package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/tui/live"
)

// A branched session reopens, and keeps reopening, without --rebuild, wherever it was branched.
// The attack's drill (attack 20 B7) on dap-repoint-switchover: DAP_1 re-pointed to ixn_archive at
// 0:40, switchovers at 1:00 and 1:20, the timeline's re-point of DAP_2 and switchover at 1:00
// and 2:00; at 2:40 the operator rewinds to 2:20 and stops URS_1 there. The journal then named
// ixn, which no DAP reached any more, by the identity of the replay's in-memory copy: the
// session never reopened. The table branches at every 20 s of that world and of one with an IS
// restart and stop, reopens, runs on, and reopens again.
func TestBranchedSessionReopens(t *testing.T) {
	sc, err := scenarios.Open("dap-repoint-switchover")
	if err != nil {
		t.Fatal(err)
	}
	type op struct {
		at time.Duration
		a  core.Action
	}
	drill := []op{
		{40 * time.Second, core.Action{Kind: core.ActRepoint, App: "DAP_1", Database: "ixn_archive"}},
		{60 * time.Second, core.Action{Kind: core.ActSwitchover, App: "IxnServer"}},
		{80 * time.Second, core.Action{Kind: core.ActSwitchover, App: "IxnServer"}},
	}
	restarts := append(append([]op(nil), drill...),
		op{130 * time.Second, core.Action{Kind: core.ActRestart, App: "IxnServer_B"}},
		op{140 * time.Second, core.Action{Kind: core.ActStop, App: "IxnServer_B"}},
		op{150 * time.Second, core.Action{Kind: core.ActStart, App: "IxnServer_B"}})
	// An action that holds at any instant of these worlds.
	set := core.Action{Kind: core.ActSetOption, App: "URS_1", Section: "default", Option: "agent_reservation", Value: "false"}
	cases := []struct {
		name string
		ops  []op
		at   time.Duration
		act  core.Action
	}{{"the attack's drill", drill, 140 * time.Second, core.Action{Kind: core.ActStop, App: "URS_1"}}}
	for _, ops := range [][]op{drill, restarts} {
		for at := 20 * time.Second; at < 160*time.Second; at += 20 * time.Second {
			cases = append(cases, struct {
				name string
				ops  []op
				at   time.Duration
				act  core.Action
			}{fmt.Sprintf("%d operator actions, branched at %v", len(ops), at), ops, at, set})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "session")
			r, p, _ := openConsoleRunner(t, dir, sc)
			now := time.Duration(0)
			for _, o := range c.ops {
				if err := r.Step(o.at - now); err != nil {
					t.Fatal(err)
				}
				now = o.at
				if err := r.Apply(o.a); err != nil {
					t.Fatalf("%s at %v: %v", o.a.Kind, o.at, err)
				}
			}
			if err := r.Step(160*time.Second - now); err != nil {
				t.Fatal(err)
			}
			if err := r.Rewind(int64(c.at)); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Branch(c.act); err != nil {
				t.Fatal(err)
			}
			j, _ := r.Journal()
			closeConsole(t, r, p)
			for round := 0; round < 2; round++ {
				ss, err := openSession(dir, sc.Config, false, false)
				if err != nil {
					t.Fatalf("reopening the branched session (round %d): %v", round, err)
				}
				r, err := live.NewRunner(sc.Config, live.RunnerOptions{Persister: &persister{ss: ss, log: ss.EventSink()}, Resume: ss.Resume(),
					EngineOptions: []core.Option{core.WithDatabases(ss.Databases())}})
				if err != nil {
					ss.Close()
					t.Fatalf("resuming the branched session (round %d): %v", round, ss.ResumeError(err))
				}
				if round == 0 {
					if got, _ := r.Journal(); got.State.T != j.State.T || got.State.Events != j.State.Events {
						t.Fatalf("reopened at %v with %d events, the branch was at %v with %d", time.Duration(got.State.T), got.State.Events, time.Duration(j.State.T), j.State.Events)
					}
				}
				if err := r.Step(15 * time.Second); err != nil {
					t.Fatal(err)
				}
				closeConsole(t, r, &persister{ss: ss})
			}
		})
	}
}

// closeConsole closes a console's runner and its session, as quitting does.
func closeConsole(t *testing.T, r *live.Runner, p *persister) {
	t.Helper()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.ss.Close(); err != nil {
		t.Fatal(err)
	}
}
