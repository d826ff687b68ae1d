package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/store"
)

// `ixlb run` stopped by SIGINT, SIGTERM or SIGHUP commits what is done, says so, removes its
// temporary directory and exits 128 + the signal (issue 9 §5); with --data the same command then
// resumes. (SIGHUP used to kill it without any of that, leaving the temporary directory.)
func TestRunInterrupted(t *testing.T) {
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		code int
		data bool
	}{
		{"SIGINT with --data", syscall.SIGINT, 130, true},
		{"SIGTERM with --data", syscall.SIGTERM, 143, true},
		{"SIGTERM in a temporary directory", syscall.SIGTERM, 143, false},
		{"SIGHUP with --data", syscall.SIGHUP, 129, true},
		{"SIGHUP in a temporary directory", syscall.SIGHUP, 129, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			data := filepath.Join(t.TempDir(), "data")
			args := []string{"run", "seed-example", "--speed", "1", "--no-progress"}
			if c.data {
				args = append(args, "--data", data)
			}
			cmd := exec.Command(ixlbBin, args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "XDG_STATE_HOME="+t.TempDir())
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			dir := data
			if !c.data {
				for range 1000 {
					if m, _ := filepath.Glob(filepath.Join(tmp, "ixlb-run-*")); len(m) == 1 {
						dir = m[0]
						break
					}
					sleepShort()
				}
			}
			waitForRows(t, filepath.Join(dir, "ixn.db"), 1)
			cmd.Process.Signal(c.sig)
			err := cmd.Wait()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != c.code || !strings.Contains(errb.String(), "interrupted at ") {
				t.Fatalf("exit %d, stderr %q; want exit %d and the interruption said", code, errb.String(), c.code)
			}
			if !c.data {
				if left, _ := os.ReadDir(tmp); len(left) != 0 {
					t.Fatalf("left in the temporary directory: %v", left)
				}
				return
			}
			if !strings.Contains(errb.String(), "run the same command to resume") {
				t.Errorf("stderr %q does not say how to resume", errb.String())
			}
			// The same command resumes from where it stopped and finishes, losing nothing. (Its
			// expectations are the resume's business, issue 9 §1: exit 0 or 1.)
			out, errOut, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress", "--json")
			if code > 1 || !strings.Contains(errOut, "resuming") {
				t.Fatalf("resume: exit %d, %s", code, errOut)
			}
			var r core.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.Interactions.Lost != 0 || r.Interactions.Submitted == 0 {
				t.Fatalf("resumed report: %v %+v", err, r.Interactions)
			}
		})
	}
}

// backlogScenario is ten years of email to one agent with an hour's handle time: a backlog
// waits in the URS, taken back every 20 minutes (routing-timeout) and submitted again. The first
// 1% of the run (876 hours, one slice of `ixlb run`) holds tens of millions of events.
const backlogScenario = `version: 1
name: backlog
seed: 13
duration: 87600h
applications:
  IxnServer:
    type: InteractionServer
    connections: [DAP_1, EmailSrv_1]
    options: {settings: {routing-timeout: 20}}
  URS_1: {type: RoutingServer, connections: [IxnServer]}
  EmailSrv_1: {type: EmailServer}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
databases: {ixn: {}}
strategies:
  Support: {activated_on: [URS_1], steps: [{route: {group: Support}}]}
business_processes:
  Inbound: {queues: {email_in: {strategy: Support}}}
agent_groups:
  Support: {agents: 1, capacity: {email: 1}, handle_time: 1h}
traffic:
  - {media: email, from: EmailSrv_1, queue: email_in, rate: 10/h}
`

// The first SIGTERM is answered between two events, not at the end of the slice of virtual
// time being run: in a run whose slice holds tens of millions of events, it stops within the
// slice, commits, exits 143, and the same command resumes from there (and answers a signal
// during its replay too). Before, the signal waited for the slice's end: minutes, and more.
func TestSignalAnsweredInsideASlice(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "backlog.yaml", backlogScenario)
	data := filepath.Join(dir, "data")
	stopAfterStart := func(what string) (string, int) {
		t.Helper()
		cmd := exec.Command(ixlbBin, "run", file, "--data", data, "--no-progress")
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The lock file is made after the signals are watched: from then on SIGTERM is a request.
		lock := filepath.Join(data, store.LockFileName)
		for {
			if b, _ := os.ReadFile(lock); bytes.Contains(b, []byte(fmt.Sprint(cmd.Process.Pid))) {
				break
			}
			sleepShort()
		}
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Minute): // not a speed goal: the test must end
			cmd.Process.Kill()
			<-done
			t.Fatalf("%s: SIGTERM not answered in 5 minutes; stderr %q", what, errb.String())
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return errb.String(), code
	}
	stderr, code := stopAfterStart("first run")
	m := regexp.MustCompile(`interrupted at (\S+) virtual`).FindStringSubmatch(stderr)
	if code != 143 || m == nil {
		t.Fatalf("exit %d, stderr %q; want 143 and where it stopped", code, stderr)
	}
	at, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if slice := 876 * time.Hour; at >= slice {
		t.Fatalf("stopped at %s virtual: at the end of a slice (%s), not between events", at, slice)
	}
	// The same command resumes (its replay, tens of thousands of events, may be stopped by
	// this signal, or the run after it): either way it says so and exits 143.
	stderr, code = stopAfterStart("rerun")
	if code != 143 || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("rerun: exit %d, stderr %q; want 143 and the interruption said", code, stderr)
	}
}
