package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/scenarios"
)

func TestScenariosList(t *testing.T) {
	r := ixlbCLI(t, "scenarios")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	infos := scenarios.Bundled()
	if len(lines) != len(infos) {
		t.Fatalf("%d lines for %d bundled scenarios:\n%s", len(lines), len(infos), r.stdout)
	}
	// One scenario a line, in order; the descriptions start in one column.
	col := -1
	for i, info := range infos {
		rest, ok := strings.CutPrefix(lines[i], info.Name)
		if !ok || !strings.HasSuffix(lines[i], info.Description) || strings.TrimSpace(rest) != info.Description {
			t.Errorf("line %q, want %s and its description", lines[i], info.Name)
			continue
		}
		at := len(lines[i]) - len(info.Description)
		if col >= 0 && at != col {
			t.Errorf("line %q: description at byte %d, others at %d", lines[i], at, col)
		}
		col = at
	}
}

func TestScenariosShow(t *testing.T) {
	for _, info := range scenarios.Bundled() {
		r := ixlbCLI(t, "scenarios", "show", info.Name)
		want, err := os.ReadFile(filepath.Join("..", "..", "scenarios", info.Name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if r.code != 0 || r.stdout != string(want) {
			t.Errorf("%s: exit %d, output differs from the file (%d bytes, want %d)", info.Name, r.code, len(r.stdout), len(want))
		}
	}
	r := ixlbCLI(t, "scenarios", "show", "urs-failovr")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, `did you mean "urs-failover"`) {
		t.Errorf("unknown name: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Issue 13: a name that starts right gets a suggestion too.
	r = ixlbCLI(t, "scenarios", "show", "urs-failure")
	if r.code != 2 || !strings.Contains(r.stderr, `did you mean "urs-failover"`) {
		t.Errorf("urs-failure: exit %d, stderr %q", r.code, r.stderr)
	}
	// Without a name, the bundled scenarios are listed (on stderr: stdout may be a file).
	r = ixlbCLI(t, "scenarios", "show")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "ixlb scenarios show seed-example > my.yaml") {
		t.Errorf("show without a name: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, info := range scenarios.Bundled() {
		if !strings.Contains(r.stderr, info.Name+"  ") {
			t.Errorf("show without a name does not list %s:\n%s", info.Name, r.stderr)
		}
	}
	// The bundled: name lint reports is one show takes.
	if r := ixlbCLI(t, "scenarios", "show", "bundled:seed-example.yaml"); r.code != 0 || !strings.HasPrefix(r.stdout, "#") {
		t.Errorf("show bundled:seed-example.yaml: exit %d, %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"scenarios", "show", "a", "b"}, {"scenarios", "extra"}} {
		if r := ixlbCLI(t, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}

// Shell completion: cobra's completion command, and SCENARIO arguments completing bundled names
// and .yaml files.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := ixlbCLI(t, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, r.code, len(r.stdout), r.stderr)
		}
	}
	if r := ixlbCLI(t, "completion", "bash"); !strings.Contains(r.stdout, "complete -o default -F __start_ixlb ixlb") {
		t.Errorf("the bash script does not register ixlb")
	}

	dir := t.TempDir()
	for _, f := range []string{"design.yaml", "other.yml", "notes.txt", ".hidden.yaml", "sub/x.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "seed"}, []string{"seed-example"}},
		{[]string{"run", "dap-repoint-"}, []string{"dap-repoint-guarded", "dap-repoint-switchover"}},
		{[]string{"run", "seed-example", ""}, nil}, // run takes one scenario
		{[]string{"lint", "seed-example", "urs"}, []string{"urs-failover"}},
		{[]string{"lint", dir + "/"}, []string{dir + "/design.yaml", dir + "/other.yml", dir + "/sub/"}},
		{[]string{"lint", dir + "/."}, []string{dir + "/.hidden.yaml"}},
		{[]string{"scenarios", "show", "esp"}, []string{"esp-direct-vs-cluster"}},
		{[]string{"scenarios", "show", dir + "/"}, nil},               // show takes bundled names only
		{[]string{"reservation"}, []string{"reservation-contention"}}, // the console's SCENARIO
	}
	for _, c := range cases {
		r := ixlbCLI(t, append([]string{"__complete"}, c.args...)...)
		var got []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if l == "" || strings.HasPrefix(l, ":") {
				continue
			}
			got = append(got, strings.SplitN(l, "\t", 2)[0]) // names carry their description
		}
		if r.code != 0 || !slices.Equal(got, c.want) {
			t.Errorf("__complete %q: exit %d, got %q, want %q", c.args, r.code, got, c.want)
		}
	}
}
