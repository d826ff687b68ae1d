package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAFailedSaveSaysWhenAndHowToResume: a disk that refuses to grow the session's files (a
// file-size limit: "file too large") stops a run with exit 2 and one account of it — when in
// virtual time, which file, and that the same command resumes — not the same error twice; and
// the same command then resumes and finishes with the report of a run that never failed.
func TestAFailedSaveSaysWhenAndHowToResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load-200k three times")
	}
	scenario := filepath.Join("testdata", "load-200k.yaml")
	whole, errs, code := runBin(t, "run", scenario, "--json")
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, errs)
	}
	for _, limitKB := range []string{"600", "2500"} {
		data := filepath.Join(t.TempDir(), "data")
		// ulimit -f is in blocks of 1024 bytes in bash and dash alike; SIGXFSZ is ignored by Go,
		// so a write past the limit fails with EFBIG.
		cmd := exec.Command("sh", "-c", `ulimit -f "$1" && exec "$2" run "$3" --data "$4" --json`, "sh", limitKB, ixlbBin, scenario, data)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("limit %s KB: %v, want exit 2\n%s", limitKB, err, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if len(lines) != 2 ||
			!regexp.MustCompile(`^the databases failed at [0-9.]+m?s virtual: .*`+regexp.QuoteMeta(data)+`.*file too large$`).MatchString(lines[0]) ||
			lines[1] != "the session is kept as it was last saved; run the same command to resume" {
			t.Fatalf("limit %s KB: stderr\n%s\nwant when it failed, the file and the error on one line, then how to resume", limitKB, errb.String())
		}
		got, errs, code := runBin(t, "run", scenario, "--data", data, "--json")
		if code != 0 {
			t.Fatalf("limit %s KB, the same command again: exit %d\n%s", limitKB, code, errs)
		}
		if got != whole {
			t.Fatalf("limit %s KB: the resumed run's report differs from the uninterrupted run's", limitKB)
		}
	}
}
