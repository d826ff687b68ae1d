package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// --speed takes a finite factor in range; anything else is refused at once with the valid range
// (issue 9 §4: Inf and 1e308 hung at virtual time 0, NaN was accepted, abc gave a raw strconv
// error). The console's flag too, before it takes the terminal.
func TestSpeedFlagRefusesWhatCannotPace(t *testing.T) {
	for _, v := range []string{"Inf", "+Inf", "-Inf", "1e308", "NaN", "abc", "-1", "100001", "1e400", ""} {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"run", "seed-example", "--speed=" + v}, "from 0 (as fast as possible) to 100000"},
			{[]string{"seed-example", "--speed=" + v}, "greater than 0 and at most 100000"},
		} {
			r := ixlbCLI(t, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "strconv") {
				t.Errorf("%v: exit %d, stderr %q; want exit 2 and the range %q", c.args, r.code, r.stderr, c.want)
			}
		}
	}
	if r := ixlbCLI(t, "seed-example", "--speed=0"); r.code != 2 || !strings.Contains(r.stderr, "greater than 0") {
		t.Errorf("console --speed 0: exit %d, %q", r.code, r.stderr)
	}
	r := ixlbCLI(t, "run", "seed-example", "--speed", "abc")
	if !strings.Contains(r.stderr, `"abc" is not a number`) {
		t.Errorf("--speed abc: %q", r.stderr)
	}
}

// A write error on the output is exit 2, not a lost report and exit 0 (issue 9 §4).
func TestOutputWriteErrorExits2(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{
		{"run", "seed-example", "--no-progress"},
		{"run", "seed-example", "--no-progress", "--json"},
		{"lint", "dap-repoint-guarded"},
		{"scenarios"},
		{"scenarios", "show", "seed-example"},
		{"schema"},
	} {
		var errb strings.Builder
		code := executeIO(args, full, &errb)
		if code != 2 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v > /dev/full: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// Text from a scenario file never reaches the terminal raw: a file name holding an escape
// sequence, a name with one (refused at load with its position), in every command's output.
func TestNothingRawReachesTheTerminal(t *testing.T) {
	dir := t.TempDir()
	evilName := writeScenario(t, dir, "name.yaml", "duration: 1m\n", "duration: 1m\nname: \"x\\e]0;PWNED\\a\\e[5m\"\n")
	evilKey := writeScenario(t, dir, "key.yaml", "Sales: {agents", "\"Sal\\u202Ees\": {agents: 1, capacity: {email: 1}, handle_time: 1s}\n  Sales: {agents")
	evilFile := writeScenario(t, dir, "bad\x1b[5m.yaml", "duration: 1m\n", "duration: 1m\nduraton: 2m\n")
	for _, args := range [][]string{
		{"run", evilName}, {"lint", evilName}, {"lint", "--format", "json", evilName},
		{"run", evilKey}, {"lint", evilKey},
		{"run", evilFile}, {"lint", evilFile}, {"lint", "--format", "json", evilFile},
	} {
		r := ixlbCLI(t, args...)
		out := r.stdout + r.stderr
		if r.code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%v: raw control or bidi character in the output:\n%q", args, out)
		}
	}
	r := ixlbCLI(t, "run", evilName)
	if !strings.Contains(r.stderr, evilName+":3:7: ") || !strings.Contains(r.stderr, `holds a control character (U+001B)`) {
		t.Errorf("the name's error: %q", r.stderr)
	}
	r = ixlbCLI(t, "lint", evilKey)
	if !strings.Contains(r.stdout, `bidirectional formatting character (U+202E)`) {
		t.Errorf("the key's error: %q", r.stdout)
	}
}

// --json prints expectations as written: `>` is not \u003e (issue 13).
func TestJSONIsNotHTMLEscaped(t *testing.T) {
	r := ixlbCLI(t, "run", "urs-failover", "--json", "--no-progress")
	if r.code != 0 || !strings.Contains(r.stdout, `"interactions.resubmitted > 0"`) || strings.Contains(r.stdout, `\u003e`) {
		t.Errorf("exit %d; want the expectation with a plain >:\n%s", r.code, r.stdout)
	}
	r = ixlbCLI(t, "lint", "--format", "json", "dap-repoint-guarded")
	if strings.Contains(r.stdout, `\u003`) || strings.Contains(r.stdout, `\u0026`) {
		t.Errorf("lint JSON is HTML-escaped:\n%s", r.stdout)
	}
}

// A design whose traffic outgrows memory stops with a clear error and exit 2, not a crash
// (issue 9 §4); the limit here is small so the test is quick.
func TestMemoryGuard(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/seed-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "duration: 5m", "duration: 10h", 1)
	text = strings.Replace(text, "queue: email_in, rate: 1/s", "queue: email_in, rate: 10000/s", 1)
	file := writeFile(t, t.TempDir(), "flood.yaml", text)
	t.Setenv(memoryLimitEnv, "64MiB")
	r := ixlbCLI(t, "run", file, "--no-progress")
	if r.code != 2 || !strings.Contains(r.stderr, "over the limit of 64 MiB") || !strings.Contains(r.stderr, "lower the traffic rates") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	t.Setenv(memoryLimitEnv, "lots")
	if r := ixlbCLI(t, "run", file); r.code != 2 || !strings.Contains(r.stderr, "want a size such as 4GiB") {
		t.Errorf("bad limit: exit %d, %q", r.code, r.stderr)
	}
}

// A traffic rate far above any real site is a load and lint error with its position, not a run
// that dies out of memory (issue 9 §4).
func TestHugeRateRefused(t *testing.T) {
	file := writeScenario(t, t.TempDir(), "fast.yaml", "rate: 1/s", "rate: 1000000/s")
	for _, args := range [][]string{{"run", file}, {"lint", file}} {
		r := ixlbCLI(t, args...)
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, file+":23:61: ") || !strings.Contains(r.stdout+r.stderr, "at most 10000 a second") {
			t.Errorf("%v: exit %d, %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// A scenario whose agents alone outgrow the memory limit is refused at load, saying so, instead
// of dying while the engine is made (the guard looks only between steps).
func TestMemoryEstimatedAtLoad(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/seed-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var groups strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&groups, "  Huge_%d: {agents: 100000, capacity: {email: 1}, handle_time: 1m}\n", i)
	}
	text := strings.Replace(string(src), "agent_groups:\n", "agent_groups:\n"+groups.String(), 1)
	file := writeFile(t, t.TempDir(), "huge.yaml", text)
	t.Setenv(memoryLimitEnv, "256MiB")
	start := time.Now()
	for _, args := range [][]string{{"run", file, "--no-progress"}, {file, "--read-only"}} {
		r := ixlbCLI(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "needs about 322 MiB of memory before any traffic") || !strings.Contains(r.stderr, "over the limit of 256 MiB") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("refused after %v", d)
	}
}
