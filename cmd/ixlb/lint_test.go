package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// cliResult is what one in-process run of the CLI produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// ixlbCLI runs the CLI in-process, as main does, capturing its output.
func ixlbCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := executeIO(args, &out, &errOut)
	return cliResult{code, out.String(), errOut.String()}
}

// cleanScenario lints clean: one URS set up as the seed document asks.
const cleanScenario = `version: 1
duration: 1m
applications:
  IxnServer:
    type: InteractionServer
    connections: [DAP_1]
    annex: {agent_reservation: {URS_1: true}}
  URS_1: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  EmailSrv_1: {type: EmailServer}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
databases: {ixn: {}}
strategies:
  A:
    activated_on: [URS_1]
    steps:
      - route: {group: Sales}
business_processes:
  Inbound: {queues: {email_in: {strategy: A}}}
agent_groups:
  Sales: {agents: 5, capacity: {email: 1}, handle_time: 10s}
traffic:
  - {media: email, from: EmailSrv_1, queue: email_in, rate: 1/s}
`

// writeScenario writes a variant of cleanScenario (old replaced by new) into dir.
func writeScenario(t *testing.T, dir, name, old, new string) string {
	t.Helper()
	if !strings.Contains(cleanScenario, old) {
		t.Fatalf("%q is not in the clean scenario", old)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Replace(cleanScenario, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLintCommand(t *testing.T) {
	dir := t.TempDir()
	clean := writeScenario(t, dir, "clean.yaml", "", "")
	unknownField := writeScenario(t, dir, "unknown-field.yaml", "duration: 1m\n", "duration: 1m\nduraton: 2m\n")
	nested := writeScenario(t, dir, "nested.yaml", "databases:", "clusters:\n  Inner: {members: [EmailSrv_1]}\n  Outer: {members: [Inner]}\ndatabases:")
	warned := writeScenario(t, dir, "warned.yaml", "rate: 1/s}\n", "rate: 1/s}\ntimeline:\n  - {at: 5m, stop: URS_1}\n")
	nothing := writeScenario(t, dir, "nothing.yaml", "activated_on: [URS_1]", "activated_on: []")
	missing := filepath.Join(dir, "missing.yaml")

	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // lines, exactly and in order
		stderrIn string   // a substring of stderr
	}{
		{"clean file", []string{"lint", clean}, 0, nil, ""},
		{"warnings only", []string{"lint", warned}, 0, []string{
			warned + ":25:10: warning timeline-after-end: timeline entry 1 at 5m is after the end of the run (duration 1m): it never happens",
		}, ""},
		{"bundled scenario by name", []string{"lint", "esp-direct-vs-cluster"}, 0, []string{
			"bundled:esp-direct-vs-cluster.yaml:43:20: warning esp-thirdparty-by-type: strategy FaxDirect step 1 (esp fax): via ThirdPartyServer by type, but IxnServer's directly connected ThirdPartyServers provide different services: requests reach IMSrv_1 (im) and fault; put FaxSrv_1, FaxSrv_2 in an Application Cluster and address it",
		}, ""},
		{"load error, with its code", []string{"lint", unknownField}, 1, []string{
			unknownField + `:3:1: error unknown-field: unknown field "duraton" in scenario (did you mean "duration"?)`,
		}, ""},
		{"nested cluster", []string{"lint", nested}, 1, []string{
			nested + ":14:21: error nested-cluster: cluster Outer: member Inner is an Application Cluster; only one level of Application Clusters is allowed",
		}, ""},
		{"lint error", []string{"lint", nothing}, 1, []string{
			nothing + ":19:43: warning queue-strategy-not-activated: queue email_in: strategy A is activated on no URS, at load or in the timeline: its interactions wait in the queue for the whole run",
			nothing + ":22:1: error nothing-routed: no traffic can ever be submitted to a URS: the strategies of queues email_in are activated on no URS that is connected to IxnServer with a submission limit above 0; every interaction would wait in its queue for the whole run",
		}, ""},
		{"several files, in order", []string{"lint", clean, unknownField, "esp-direct-vs-cluster"}, 1, nil, ""},
		{"missing file", []string{"lint", missing}, 2, nil, "missing.yaml: no such file"},
		{"missing file among others", []string{"lint", missing, unknownField}, 2, nil, "missing.yaml: no such file"},
		{"a directory", []string{"lint", dir}, 2, nil, "is a directory"},
		{"no file", []string{"lint"}, 2, nil, "requires at least 1 arg"},
		{"unknown format", []string{"lint", "--format", "xml", clean}, 2, nil, `--format: want text or json, got "xml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ixlbCLI(t, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			if c.stdout != nil {
				if want := strings.Join(c.stdout, "\n") + "\n"; r.stdout != want {
					t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
				}
			}
			if !strings.Contains(r.stderr, c.stderrIn) {
				t.Errorf("stderr %q does not contain %q", r.stderr, c.stderrIn)
			}
		})
	}
}

func TestLintJSON(t *testing.T) {
	dir := t.TempDir()
	clean := writeScenario(t, dir, "clean.yaml", "", "")
	r := ixlbCLI(t, "lint", "--format", "json", clean)
	if r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("clean: exit %d, stdout %q", r.code, r.stdout)
	}
	bad := writeScenario(t, dir, "bad.yaml", "rate: 1/s", "rate: 1/fortnight")
	r = ixlbCLI(t, "lint", "--format=json", bad, "dap-repoint-guarded")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.stdout)
	}
	want := []map[string]any{
		{"file": bad, "line": 23.0, "col": 61.0, "severity": "error", "code": "bad-rate",
			"message": `traffic 1: rate: bad rate "1/fortnight": want N/s, N/sec, N/second, N/m, N/min, N/minute, N/h or N/hour with N > 0, e.g. 2/s or 30/min`},
		{"file": "bundled:dap-repoint-guarded.yaml", "line": 52.0, "col": 42.0, "severity": "warning", "code": "dap-repoint"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %s", len(got), len(want), r.stdout)
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("finding %d: %s = %v, want %v", i, k, got[i][k], v)
			}
		}
		if len(got[i]) != 6 {
			t.Errorf("finding %d has fields %v, want file, line, col, severity, code, message", i, got[i])
		}
	}
}

// `ixlb run` lints the scenario as it loads: warnings on stderr and in the report, errors stop it.
func TestRunLintsAtLoad(t *testing.T) {
	r := ixlbCLI(t, "run", "esp-direct-vs-cluster", "--json", "--no-progress")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	line := "bundled:esp-direct-vs-cluster.yaml:43:20: warning esp-thirdparty-by-type: "
	if !strings.HasPrefix(r.stderr, line) {
		t.Errorf("stderr does not start with the warning:\n%s", r.stderr)
	}
	var rep core.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	if len(rep.Warnings) == 0 || !strings.HasPrefix(rep.Warnings[0], line) {
		t.Errorf("report warnings %q", rep.Warnings)
	}

	dir := t.TempDir()
	nothing := writeScenario(t, dir, "nothing.yaml", "activated_on: [URS_1]", "activated_on: []")
	for _, args := range [][]string{{"run", nothing}, {nothing}} { // run, and the console
		r := ixlbCLI(t, args...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, nothing+":22:1: error nothing-routed: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// --strict and --max-warnings N make warnings fail, for CI pipelines (issue 13).
func TestLintStrict(t *testing.T) {
	dir := t.TempDir()
	clean := writeScenario(t, dir, "clean.yaml", "", "")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lint", "dap-repoint-guarded"}, 0, ""},
		{[]string{"lint", "--strict", "dap-repoint-guarded"}, 1, "1 warning(s), more than the 0 allowed"},
		{[]string{"lint", "--max-warnings", "0", "dap-repoint-guarded"}, 1, "more than the 0 allowed"},
		{[]string{"lint", "--max-warnings", "1", "dap-repoint-guarded"}, 0, ""},
		{[]string{"lint", "--max-warnings", "1", "dap-repoint-guarded", "esp-direct-vs-cluster"}, 1, "2 warning(s), more than the 1 allowed"},
		{[]string{"lint", "--strict", "--format", "json", "dap-repoint-guarded"}, 1, "more than the 0 allowed"},
		{[]string{"lint", "--strict", clean}, 0, ""},
		{[]string{"lint", "--max-warnings", "-2", clean}, 2, "0 or more"},
		{[]string{"lint", "--strict", "--max-warnings", "3", clean}, 2, "give one or the other"},
	}
	for _, c := range cases {
		r := ixlbCLI(t, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
		if c.code == 1 && !strings.Contains(r.stdout, "dap-repoint") {
			t.Errorf("%v: the warnings are not printed:\n%s", c.args, r.stdout)
		}
	}
}
