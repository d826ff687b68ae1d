package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/ixlb/ixlb/core"

	"github.com/ixlb/ixlb/store"
)

// dbRows reads id -> (state, completed) of an interactions database with plain SQL, as someone
// with the sqlite3 shell would.
func dbRows(t *testing.T, path string) map[int64][2]int64 {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, state, completed_at IS NOT NULL FROM interactions`)
	if err != nil {
		t.Fatalf("query %s: %v", path, err)
	}
	defer rows.Close()
	out := map[int64][2]int64{}
	for rows.Next() {
		var id, state, done int64
		if err := rows.Scan(&id, &state, &done); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			t.Fatalf("interaction %d twice", id)
		}
		out[id] = [2]int64{state, done}
	}
	return out
}

// SIGKILL `ixlb run --speed` at random moments; each rerun of the same command resumes from the
// data directory. Every interaction committed before a kill is still there afterwards, completed
// or held (queued, in a URS, with an agent), never duplicated, and the final report loses nothing.
func TestCrashAndResume(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	rng := rand.New(rand.NewPCG(1, 2))
	args := []string{"run", "urs-failover", "--data", data, "--speed", "100", "--no-progress", "--json"}
	committed := map[int64]bool{}
	kills := 0
	for i := 0; i < 4; i++ {
		cmd := exec.Command(ixlbBin, args...)
		cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment after this run has committed something new, however slow the
		// machine: wall-clock guesses alone would make the test flaky.
		waitForRows(t, filepath.Join(data, "ixn.db"), len(committed)+1)
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		kills++
		for id := range dbRows(t, filepath.Join(data, "ixn.db")) {
			committed[id] = true
		}
	}
	if len(committed) == 0 {
		t.Fatal("nothing was committed before the kills; slow the run down")
	}
	out, errOut, code := runBin(t, args[:len(args)-2]...) // the same command, to the end
	if code != 0 {
		t.Fatalf("resumed run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "resuming urs-failover") {
		t.Fatalf("did not resume: %s", errOut)
	}
	final := dbRows(t, filepath.Join(data, "ixn.db"))
	for id := range committed {
		row, ok := final[id]
		if !ok {
			t.Fatalf("interaction %d committed before a kill is gone", id)
		}
		held := row[0] == int64(core.StateQueued) || row[0] == int64(core.StateInURS) || row[0] == int64(core.StateWithAgent)
		if row[1] == 0 && !held {
			t.Fatalf("interaction %d neither completed nor held: state %d", id, row[0])
		}
	}
	outJSON, _, _ := runBin(t, append(args[:len(args)-1], "--json")...)
	var r core.Report
	if err := json.Unmarshal([]byte(outJSON), &r); err != nil {
		t.Fatalf("%v: %s", err, outJSON)
	}
	if r.Interactions.Lost != 0 || r.Interactions.Submitted != int64(len(final)) {
		t.Fatalf("after %d kills: %+v (%d rows)", kills, r.Interactions, len(final))
	}
	t.Logf("%d kills, %d interactions committed before them, %d at the end", kills, len(committed), len(final))
}

// waitForRows polls the database until it holds at least n interactions.
func waitForRows(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
			if err == nil {
				var count int
				err = db.QueryRow(`SELECT count(*) FROM interactions`).Scan(&count)
				db.Close()
				if err == nil && count >= n {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never reached %d interactions", path, n)
}

func TestDataDirectoryGuards(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, _, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress"); code != 0 {
		t.Fatalf("first run: exit %d", code)
	}
	snapshot := func() map[string]string {
		m := map[string]string{}
		entries, _ := os.ReadDir(data)
		for _, e := range entries {
			if e.Name() == store.LockFileName {
				continue // holds the pid of the last process that owned the directory
			}
			b, _ := os.ReadFile(filepath.Join(data, e.Name()))
			m[e.Name()] = fmt.Sprintf("%x", b)
		}
		return m
	}
	before := snapshot()
	// Another scenario's directory: refused, nothing changed.
	_, errOut, code := runBin(t, "run", "urs-failover", "--data", data, "--no-progress")
	if code != 2 || !strings.Contains(errOut, "--fresh") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	after := snapshot()
	for name, sum := range before {
		if after[name] != sum {
			t.Fatalf("%s changed by a refused run", name)
		}
	}
	// A damaged database file: a clear error naming it, exit 2.
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(bad, 0o700)
	writeFile(t, bad, "ixlb.db", "this is not a database, just text that is long enough to look like a header....")
	_, errOut, code = runBin(t, "run", "seed-example", "--data", bad, "--no-progress")
	if code != 2 || !strings.Contains(errOut, "ixlb.db") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(bad, "ixlb.db")); !strings.HasPrefix(string(b), "this is not") {
		t.Fatal("damaged file was changed")
	}
	// --fresh starts over there.
	out, errOut, code := runBin(t, "run", "urs-failover", "--data", data, "--fresh", "--no-progress")
	if code != 0 || strings.Contains(errOut, "resuming") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	// Files are private to the user.
	entries, _ := os.ReadDir(data)
	for _, e := range entries {
		info, _ := e.Info()
		if strings.HasSuffix(e.Name(), ".db") && info.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", e.Name(), info.Mode().Perm())
		}
	}
}

// A damaged interaction database is named up front, before anything resumes, and left as it is.
func TestDamagedDatabaseReportedBeforeResume(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, _, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress"); code != 0 {
		t.Fatal("first run failed")
	}
	ixn := filepath.Join(data, "ixn.db")
	b, err := os.ReadFile(ixn)
	if err != nil || len(b) < 4*4096 {
		t.Fatalf("ixn.db: %d bytes, %v", len(b), err)
	}
	for i := 2 * 4096; i < 4*4096; i++ { // pages 3 and 4: the table's b-tree
		b[i] = 0xA5
	}
	if err := os.WriteFile(ixn, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runBin(t, "run", "seed-example", "--data", data, "--no-progress")
	if code != 2 || !strings.Contains(errOut, "ixn.db is damaged") || strings.Contains(errOut, "resuming") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	after, _ := os.ReadFile(ixn)
	if string(after) != string(b) {
		t.Fatal("the damaged file was changed")
	}
}
