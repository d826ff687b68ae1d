//go:build cgo

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/scenarios"
)

// The console started without a terminal says so, suggests ixlb run, and leaves no session
// directory behind.
func TestConsoleWithoutATerminal(t *testing.T) {
	state := t.TempDir()
	cmd := exec.Command(ixlbBin, "seed-example")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v: %s", err, errb.String())
	}
	msg := errb.String()
	for _, want := range []string{"the console needs a terminal", "ixlb run seed-example"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "TTY") {
		t.Fatalf("the message is Bubble Tea's: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(state, "ixlb")); err == nil {
		t.Fatal("a session directory (or its parent) was left behind") // (attack 20 O11)
	}
	// An existing session is left as it was (only the directory made for this start goes).
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runBin(t, "run", "seed-example", "--data", data); code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	if _, errOut, code := runBin(t, "seed-example", "--data", data); code != 2 || !strings.Contains(errOut, "needs a terminal") {
		t.Fatalf("console on a session without a terminal: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "ixlb.db")); err != nil {
		t.Fatalf("the session went: %v", err)
	}
}

// A bundled scenario opened by name and by its file is one scenario with one session; an edited
// copy is another.
func TestBundledScenarioByNameOrFileIsOneSession(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	src, err := scenarios.Source("dap-failover")
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, t.TempDir(), "dap-failover.yaml", string(src))
	byName, err := scenarios.Resolve("dap-failover")
	if err != nil {
		t.Fatal(err)
	}
	byFile, err := scenarios.Resolve(file)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := defaultDataDir(byName)
	b, _ := defaultDataDir(byFile)
	if a != b {
		t.Fatalf("two sessions for one scenario: %s and %s", a, b)
	}
	edited := writeFile(t, t.TempDir(), "dap-failover.yaml", string(src)+"\n# my notes\n")
	byEdit, err := scenarios.Resolve(edited)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := defaultDataDir(byEdit); c == a {
		t.Fatal("an edited copy shares the bundled scenario's session")
	}
	// A session where nothing happened yet is not offered for resuming.
	ss, err := openSession(a, byName.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	ss.Close()
	if got := savedSession(&curDir{}, byFile.Config, file); got != "" {
		t.Fatalf("an empty session is offered as %q", got)
	}
	// o on the running bundled scenario's own file: the session running now, not another.
	if got := savedSession(&curDir{dir: a}, byFile.Config, file); !strings.HasPrefix(got, "the one running now") {
		t.Fatalf("the running scenario's file is described as %q", got)
	}
}

// --seed -1 is refused in words, not with strconv's.
func TestSeedFlagInWords(t *testing.T) {
	for _, v := range []string{"-1", "1e3", "x", "18446744073709551616"} {
		_, errOut, code := runBin(t, "run", "seed-example", "--seed", v)
		if code != 2 || !strings.Contains(errOut, "a seed is a whole number from 0 to 18446744073709551615") || strings.Contains(errOut, "strconv") {
			t.Fatalf("--seed %s: exit %d: %s", v, code, errOut)
		}
	}
	if _, errOut, code := runBin(t, "run", "seed-example", "--seed", "18446744073709551615", "--json"); code > 1 {
		t.Fatalf("the largest seed: exit %d: %s", code, errOut)
	}
}

// With --data, opening the running scenario again from the console (:load NAME, or its file)
// is the running session, in --data's directory — not the scenario's default directory, where
// another session of it may be (attack 20 B10). The file picker's question says it runs now.
func TestLoadOfTheRunningScenarioWithData(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	sc, err := scenarios.Resolve("urs-failover")
	if err != nil {
		t.Fatal(err)
	}
	// Another session of the same scenario in its default directory, at 5 s.
	def, _ := defaultDataDir(sc)
	other, p0, _ := openConsoleRunner(t, def, sc)
	other.Step(5 * time.Second)
	closeConsole(t, other, p0)

	data := filepath.Join(t.TempDir(), "data")
	ss, err := openSession(data, sc.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cur := &curDir{dir: ss.Dir(), ss: ss, def: def}
	r, _ := openScenariosConsole(t, ss, sc, cur)
	r.Step(12 * time.Second)
	for _, source := range []string{"urs-failover", sc.File, "../../scenarios/urs-failover.yaml"} {
		if got := savedSession(cur, sc.Config, source); got != "the one running now, in "+data {
			t.Fatalf("%s: described as %q", source, got)
		}
		if _, err := r.Replace(sc.Config, source, false); err != nil {
			t.Fatal(err)
		}
		if err := r.Step(0); err != nil {
			t.Fatal(err)
		}
		f, _ := r.TryNext()
		if f.Snap.T != int64(12*time.Second) || cur.get() != data {
			t.Fatalf(":load %s opened the session at %v in %s", source, time.Duration(f.Snap.T), cur.get())
		}
	}
}

// A console opened with --data keeps its scenario's session there: after another scenario
// (:load, o), opening the --data scenario again — by bundled name or by file — resumes the
// --data session, not a second one in $XDG_STATE_HOME (attack 21 F1). Another scenario's
// session lives in its own default directory, and Replace says where.
func TestLoadReturnsToTheDataSession(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	a, b := bundled(t, "seed-example"), bundled(t, "urs-failover")
	data := filepath.Join(t.TempDir(), "data")
	ss, err := openSession(data, a.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	cur := newCurDir(ss, a, true)
	r, _ := openScenariosConsole(t, ss, a, cur)
	if err := r.Step(12 * time.Second); err != nil {
		t.Fatal(err)
	}
	defB, _ := defaultDataDir(b)
	for _, source := range []string{"seed-example", a.File, "../../scenarios/seed-example.yaml"} {
		dir, err := r.Replace(b.Config, b.File, false)
		if err != nil {
			t.Fatal(err)
		}
		if dir != defB || cur.get() != defB {
			t.Fatalf("urs-failover opened in %q (said %q), want %s", cur.get(), dir, defB)
		}
		if got := savedSession(cur, a.Config, source); !strings.Contains(got, "at virtual 12s") || !strings.HasSuffix(got, "in "+data) {
			t.Fatalf("%s: its saved session described as %q, want the --data one", source, got)
		}
		if dir, err = r.Replace(a.Config, source, false); err != nil {
			t.Fatal(err)
		}
		if err := r.Step(0); err != nil {
			t.Fatal(err)
		}
		f, _ := r.TryNext()
		if f.Snap.T != int64(12*time.Second) || cur.get() != data || dir != data {
			t.Fatalf(":load %s opened the session at %v in %s (said %q), want 12s in %s", source, time.Duration(f.Snap.T), cur.get(), dir, data)
		}
	}
	defA, _ := defaultDataDir(a)
	if _, err := os.Stat(defA); err == nil {
		t.Fatalf("a second seed-example session was made in %s", defA)
	}
}

// bundled resolves a bundled scenario by name.
func bundled(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// --read-only --data DIR does not open DIR: a DIR of another scenario is refused, as it is
// without --read-only, and otherwise the console says the session there is left as it is, and
// that --fresh and --rebuild do nothing (attack 21 F7).
func TestReadOnlyWithData(t *testing.T) {
	a, b := bundled(t, "seed-example"), bundled(t, "urs-failover")
	dir := filepath.Join(t.TempDir(), "d")
	r, p, _ := openConsoleRunner(t, dir, b) // a session of urs-failover, at 2 s
	if err := r.Step(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	closeConsole(t, r, p)
	if _, err := readOnlyNote(dir, a, false, false); err == nil || !strings.Contains(err.Error(), `belongs to scenario "urs-failover", not "seed-example"`) {
		t.Fatalf("a directory of another scenario: %v", err)
	}
	_, stderr, code := runBin(t, "--data", dir, "--read-only")
	if code != 2 || !strings.Contains(stderr, `belongs to scenario "urs-failover"`) {
		t.Fatalf("ixlb --data DIR --read-only on another scenario's DIR: exit %d, %q", code, stderr)
	}
	cases := []struct {
		data           string
		fresh, rebuild bool
		want           string
	}{
		{dir, false, false, "read-only: the session in " + dir + " is left as it is; urs-failover runs from its start in a scratch directory"},
		{"", true, true, "read-only: --fresh does nothing, --rebuild does nothing; urs-failover runs from its start in a scratch directory"},
		{filepath.Join(dir, "none", "sub"), false, false, "read-only: the session in " + filepath.Join(dir, "none", "sub") + " is left as it is; urs-failover runs"},
		{"", false, false, ""},
	}
	for _, c := range cases {
		got, err := readOnlyNote(c.data, b, c.fresh, c.rebuild)
		if err != nil || !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
			t.Errorf("readOnlyNote(%q, fresh %v, rebuild %v) = %q, %v; want %q", c.data, c.fresh, c.rebuild, got, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "none")); err == nil {
		t.Fatal("a read-only look made a directory")
	}
}
