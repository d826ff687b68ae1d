//go:build ixlb_crashpoints && cgo

package main

import (
	"fmt"
	"os"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/tui/live"
)

// In the crash-point build only (never in ixlb itself): `ixlb-crash branch-drill STEP DIR` plays
// one step of a console's branch drill on the session in DIR, through the console's own runner
// and persister, so that TestBranchCrashPointWalk can stop the process at every durable point of
// a branch. A console needs a terminal; the drill drives the same runner without one.
//
//	live      the operator's world: dap-repoint-switchover to 2:40 with DAP_1 re-pointed at 0:40
//	          and two switchovers (the tester's drill of attack 20), then quit
//	branch    reopen, rewind to 2:20, branch there stopping URS_1, run 15 s on, quit
//	noaction  the same branch without the action (a world a branch must never reopen as: the walk
//	          names it when it does)
func init() {
	if len(os.Args) < 2 || os.Args[1] != "branch-drill" {
		return
	}
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: ixlb-crash branch-drill live|branch|noaction DIR")
		os.Exit(2)
	}
	if err := branchDrill(os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// branchDrillOps are the operator's actions of the drill's live world.
var branchDrillOps = []struct {
	at time.Duration
	a  core.Action
}{
	{40 * time.Second, core.Action{Kind: core.ActRepoint, App: "DAP_1", Database: "ixn_archive"}},
	{60 * time.Second, core.Action{Kind: core.ActSwitchover, App: "IxnServer"}},
	{80 * time.Second, core.Action{Kind: core.ActSwitchover, App: "IxnServer"}},
}

func branchDrill(step, dir string) error {
	sc, err := scenarios.Open("dap-repoint-switchover")
	if err != nil {
		return err
	}
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		return err
	}
	p := &persister{ss: ss, log: ss.EventSink()}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{Persister: p, Resume: ss.Resume(),
		EngineOptions: []core.Option{core.WithDatabases(ss.Databases())}})
	if err != nil {
		ss.Close()
		return fmt.Errorf("open the console's runner: %w", ss.ResumeError(err))
	}
	switch step {
	case "live":
		now := time.Duration(0)
		for _, o := range branchDrillOps {
			if err = r.Step(o.at - now); err != nil {
				break
			}
			now = o.at
			if err = r.Apply(o.a); err != nil {
				break
			}
		}
		if err == nil {
			err = r.Step(160*time.Second - now)
		}
	case "branch", "noaction":
		var acts []core.Action
		if step == "branch" {
			acts = append(acts, core.Action{Kind: core.ActStop, App: "URS_1"})
		}
		if err = r.Rewind(int64(140 * time.Second)); err == nil {
			if _, err = r.Branch(acts...); err == nil {
				err = r.Step(15 * time.Second)
			}
		}
	default:
		err = fmt.Errorf("branch-drill: no step %q", step)
	}
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if cerr := ss.Close(); err == nil {
		err = cerr
	}
	return err
}
