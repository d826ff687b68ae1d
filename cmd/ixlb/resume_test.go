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

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
)

// killRepeatedly starts `ixlb args…` n times and SIGKILLs each at a random moment between from and
// from+spread milliseconds; a run that ends by itself first fails the test (the run is too fast
// for the kills to land inside it). It returns n.
func killRepeatedly(t *testing.T, args []string, n, from, spread int, rng *rand.Rand) int {
	t.Helper()
	for kills := 0; kills < n; kills++ {
		cmd := exec.Command(ixlbBin, args...)
		cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			t.Fatalf("run ended by itself after %d kills (%v); slow it down\n%s", kills, err, cmd.Stderr)
		case <-time.After(time.Duration(from+rng.IntN(spread)) * time.Millisecond):
			cmd.Process.Kill()
			<-done
		}
	}
	return n
}

// killedSession is a data directory of urs-failover whose paced run was SIGKILLed once it had
// committed at least rows interactions.
func killedSession(t *testing.T, data string, rows int) string {
	t.Helper()
	cmd := exec.Command(ixlbBin, "run", "urs-failover", "--data", data, "--speed", "50", "--no-progress")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForRows(t, filepath.Join(data, "ixn.db"), rows)
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	return data
}

// TestKillAndCompare SIGKILLs a paced `ixlb run --data` at 20 random moments for each of three
// bundled scenarios, reruns the same command each time, and checks that the finished session has
// the event log of the run that was never interrupted, byte for byte (events_sha256), and lost
// nothing.
func TestKillAndCompare(t *testing.T) {
	for i, name := range []string{"urs-failover", "dap-failover", "reservation-contention"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			wholeEvents, gotEvents := filepath.Join(dir, "whole.jsonl"), filepath.Join(dir, "got.jsonl")
			whole := reportOf(t, "run", name, "--json", "--events", wholeEvents)
			data := filepath.Join(dir, "data")
			// About five seconds of wall clock for the whole run, so twenty kills land inside it.
			args := []string{"run", name, "--data", data, "--speed", "50", "--no-progress", "--json", "--events", gotEvents}
			kills := killRepeatedly(t, args, 20, 20, 200, rand.New(rand.NewPCG(uint64(i), 7)))
			got := reportOf(t, args...)
			if got.EventsSHA256 != whole.EventsSHA256 || got.Events != whole.Events {
				t.Fatalf("after %d kills: %d events, sha256 %.12s; uninterrupted %d events, %.12s",
					kills, got.Events, got.EventsSHA256, whole.Events, whole.EventsSHA256)
			}
			if got.Interactions.Lost != 0 || got.Interactions != whole.Interactions {
				t.Fatalf("after %d kills: %+v; uninterrupted %+v", kills, got.Interactions, whole.Interactions)
			}
			a, _ := os.ReadFile(wholeEvents)
			b, _ := os.ReadFile(gotEvents)
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Fatalf("the --events file after the kills differs from the uninterrupted run's (%d vs %d bytes)", len(b), len(a))
			}
		})
	}
}

func reportOf(t *testing.T, args ...string) core.Report {
	t.Helper()
	out, errOut, code := runBin(t, args...)
	if code != 0 {
		t.Fatalf("ixlb %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	var r core.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

// A finished session rerun reports the same, says it had finished, and exits the same; a console
// or run reopened resubmits nothing.
func TestFinishedSessionRerunReportsTheSame(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"run", "urs-failover", "--data", data, "--json"}
	first := reportOf(t, args...)
	for i := 0; i < 2; i++ {
		out, errOut, code := runBin(t, args...)
		if code != 0 || !strings.Contains(errOut, "had finished") {
			t.Fatalf("rerun %d: exit %d, %s", i, code, errOut)
		}
		var r core.Report
		json.Unmarshal([]byte(out), &r)
		if r.EventsSHA256 != first.EventsSHA256 || r.Interactions != first.Interactions {
			t.Fatalf("rerun %d changed the report: %+v vs %+v", i, r.Interactions, first.Interactions)
		}
	}
}

// The interaction databases are checked against the session: a database deleted, emptied or from
// another session is exit 2 naming the file and what differs, with nothing changed; --rebuild
// regenerates it.
func TestResumeRefusesDatabasesThatDiffer(t *testing.T) {
	dir := t.TempDir()
	session := func(name string) string { return killedSession(t, filepath.Join(dir, name), 20) }
	cases := []struct {
		name   string
		damage func(t *testing.T, data string)
		want   string
	}{
		{"deleted", func(t *testing.T, data string) { removeDB(t, data) }, "ixn.db is missing or empty"},
		{"emptied", func(t *testing.T, data string) { sqlExec(t, filepath.Join(data, "ixn.db"), `DELETE FROM interactions`) }, "holds 0 interactions"},
		{"from another session", func(t *testing.T, data string) {
			other := session("other-" + filepath.Base(data))
			removeDB(t, data)
			for _, s := range []string{"", "-wal"} {
				copyFile(t, filepath.Join(other, "ixn.db"+s), filepath.Join(data, "ixn.db"+s))
			}
		}, "not the database this session wrote"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := session(strings.ReplaceAll(c.name, " ", "-"))
			c.damage(t, data)
			before := snapshotDir(t, data)
			_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
			if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "--rebuild") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if after := snapshotDir(t, data); after != before {
				t.Fatalf("a refused resume changed the directory:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			r := reportOf(t, "run", "urs-failover", "--data", data, "--rebuild", "--json")
			whole := reportOf(t, "run", "urs-failover", "--json")
			if r.EventsSHA256 != whole.EventsSHA256 || r.Interactions.Lost != 0 {
				t.Fatalf("rebuilt session: %.12s lost %d; uninterrupted %.12s", r.EventsSHA256, r.Interactions.Lost, whole.EventsSHA256)
			}
		})
	}
}

func removeDB(t *testing.T, data string) {
	t.Helper()
	for _, s := range []string{"", "-wal", "-shm"} {
		exec.Command("rm", "-f", filepath.Join(data, "ixn.db"+s)).Run()
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// snapshotDir is the logical content of the directory's databases: every row of every table.
// (Opening a WAL database may checkpoint it into the main file; that changes bytes, not content.)
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	for _, f := range files {
		db, err := sql.Open("sqlite3", "file:"+f+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		for _, tb := range tables {
			rows, err := db.Query(`SELECT * FROM "` + tb + `"`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				rows.Scan(ptrs...)
				fmt.Fprintf(&b, "%s %s %v\n", filepath.Base(f), tb, vals)
			}
			rows.Close()
		}
		db.Close()
	}
	return b.String()
}

func sqlExec(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

// Interaction rows with no committed state (a run stopped, or out of disk, before its first state
// commit) belong to no journal: the next run rolls them back and starts the world clean, instead
// of restoring them as strangers.
func TestRowsWithoutAStateAreRolledBack(t *testing.T) {
	data := killedSession(t, filepath.Join(t.TempDir(), "data"), 20)
	// As if the run had stopped before its first state commit: the journal holds no run yet.
	sqlExec(t, filepath.Join(data, "ixlb.db"), `DELETE FROM run_state`)
	sqlExec(t, filepath.Join(data, "ixlb.db"), `DELETE FROM event_chunks`)
	out, errOut, code := runBin(t, "run", "urs-failover", "--data", data, "--json")
	if code != 0 || !strings.Contains(errOut, "rolled back") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r core.Report
	json.Unmarshal([]byte(out), &r)
	if whole := reportOf(t, "run", "urs-failover", "--json"); r.EventsSHA256 != whole.EventsSHA256 || r.Interactions != whole.Interactions {
		t.Fatalf("%+v vs uninterrupted %+v", r.Interactions, whole.Interactions)
	}
}

// A URS is back in the rotations the moment the rule says it is eligible: at every point of the
// run, URSView.Eligible agrees with its reason (none).
func TestEligibilityIsAlwaysCurrent(t *testing.T) {
	sc, err := scenarios.Load("testdata/rate-hold-churn.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := core.New(sc.Config)
	if err != nil {
		t.Fatal(err)
	}
	for at := time.Duration(0); at < 90*time.Second; at += 10 * time.Millisecond {
		e.RunUntil(int64(at))
		for _, u := range e.Snapshot().URS {
			if u.Eligible != (u.WhyCode == "") {
				t.Fatalf("%v: %s eligible=%v, reason %q", at, u.Name, u.Eligible, u.WhyCode)
			}
		}
	}
}

// The console checks a saved session's databases as `ixlb run` does: refused with what differs,
// nothing changed, and the hint; --rebuild is there too.
func TestConsoleRefusesDatabasesThatDiffer(t *testing.T) {
	data := killedSession(t, filepath.Join(t.TempDir(), "data"), 20)
	sqlExec(t, filepath.Join(data, "ixn.db"), `DELETE FROM interactions`)
	before := snapshotDir(t, data)
	_, errOut, code := runBin(t, "urs-failover", "--data", data)
	if code != 2 || !strings.Contains(errOut, "ixn.db: holds 0 interactions") || !strings.Contains(errOut, "--rebuild") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if snapshotDir(t, data) != before {
		t.Fatal("the refused console changed the session")
	}
}

// Deleting the lock file under a running session does not let a second process in: the directory
// itself is locked too.
func TestLockSurvivesItsFileBeingDeleted(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(ixlbBin, "run", "urs-failover", "--data", data, "--speed", "5", "--no-progress")
	cmd.Start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitForRows(t, filepath.Join(data, "ixn.db"), 1)
	if err := os.Remove(filepath.Join(data, "ixlb.lock")); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
	if code != 2 || !strings.Contains(errOut, "in use") {
		t.Fatalf("second run with the lock file deleted: exit %d, %s", code, errOut)
	}
}

// Without its journal (ixlb.db deleted or emptied) a session cannot be continued: its databases
// are not wiped to start over, the run is refused with nothing changed. Nor does ixlb follow a
// symbolic link out of the directory, or take a truncated database for a new one.
func TestResumeRefusesALostJournalAndLinks(t *testing.T) {
	session := func(t *testing.T) string { return killedSession(t, filepath.Join(t.TempDir(), "data"), 20) }
	cases := []struct {
		name   string
		damage func(t *testing.T, data string)
		want   string
	}{
		{"journal deleted", func(t *testing.T, data string) {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(filepath.Join(data, "ixlb.db"+s))
			}
		}, "journal is lost"},
		{"journal emptied", func(t *testing.T, data string) {
			for _, s := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(data, "ixlb.db"+s))
			}
			os.WriteFile(filepath.Join(data, "ixlb.db"), nil, 0o600)
		}, "journal is lost"},
		{"database truncated", func(t *testing.T, data string) {
			for _, s := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(data, "ixn.db"+s))
			}
			os.WriteFile(filepath.Join(data, "ixn.db"), nil, 0o600)
		}, "ixn.db is missing or empty"},
		{"database is a link out", func(t *testing.T, data string) {
			outside := filepath.Join(t.TempDir(), "victim.db")
			os.Rename(filepath.Join(data, "ixn.db"), outside)
			os.Symlink(outside, filepath.Join(data, "ixn.db"))
		}, "symbolic link"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := session(t)
			c.damage(t, data)
			size := func() int64 {
				st, err := os.Lstat(filepath.Join(data, "ixn.db"))
				if err != nil {
					return -1
				}
				return st.Size()
			}
			before, beforeSize := snapshotDir(t, data), size()
			_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if after := snapshotDir(t, data); after != before || size() != beforeSize {
				t.Fatalf("the refused run changed the session (ixn.db %d bytes, was %d)", size(), beforeSize)
			}
		})
	}
}

// Completed rows are checked too: editing one in a finished session is refused with what differs.
func TestResumeSeesACompletedRowEdited(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	reportOf(t, "run", "urs-failover", "--data", data, "--json")
	sqlExec(t, filepath.Join(data, "ixn.db"),
		`UPDATE interactions SET queue = CASE queue WHEN 'callback_in' THEN 'email_in' ELSE 'callback_in' END
		 WHERE id = (SELECT min(id) FROM interactions WHERE completed_at IS NOT NULL)`)
	_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
	if code != 2 || !strings.Contains(errOut, "differs from the session's (queue ") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// The stored event log is checked against the journal too: a chunk removed (or edited) is refused.
func TestResumeSeesTheStoredLogTampered(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	reportOf(t, "run", "urs-failover", "--data", data, "--json")
	sqlExec(t, filepath.Join(data, "ixlb.db"), `DELETE FROM event_chunks WHERE first_seq = (SELECT min(first_seq) FROM event_chunks)`)
	_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
	if code != 2 || !strings.Contains(errOut, "the stored event log differs") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// A run state whose journal was damaged is refused, not taken for "no run yet" (which would roll
// the databases back to nothing); a row inserted into a finished session's database is refused
// too, not taken for a row committed after the last state.
func TestResumeRefusesADamagedJournalAndForeignRows(t *testing.T) {
	t.Run("journal damaged", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		reportOf(t, "run", "urs-failover", "--data", data, "--json")
		sqlExec(t, filepath.Join(data, "ixlb.db"), `UPDATE run_state SET value = 'garbage' WHERE key = 'resume'`)
		_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
		if code != 2 || !strings.Contains(errOut, "damaged") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("row inserted", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		reportOf(t, "run", "urs-failover", "--data", data, "--json")
		sqlExec(t, filepath.Join(data, "ixn.db"), `INSERT INTO interactions (id, media_type, queue, state) VALUES (0, 'email', 'email_in', 0)`)
		_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
		if code != 2 || !strings.Contains(errOut, "interaction 0 differs from the session's (in the file, not in the session)") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("a column named", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		reportOf(t, "run", "urs-failover", "--data", data, "--json")
		sqlExec(t, filepath.Join(data, "ixn.db"), `UPDATE interactions SET assigned_to = 'Agents/999' WHERE id = (SELECT min(id) FROM interactions WHERE completed_at IS NOT NULL)`)
		_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
		if code != 2 || !strings.Contains(errOut, "(assigned_to Agents/999 in the file") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}

// The run state's own figures are checked against its journal before anything is changed: a
// refused rerun must not cut the stored event log to an edited count.
func TestResumeRefusesAnInconsistentRunStateUntouched(t *testing.T) {
	for _, edit := range []string{
		`DELETE FROM run_state WHERE key = 'events'`,
		`UPDATE run_state SET value = 600 WHERE key = 'events'`,
		`UPDATE run_state SET value = '3' WHERE key = 'seed'`,
		`DELETE FROM run_state`,
	} {
		t.Run(edit, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			reportOf(t, "run", "urs-failover", "--data", data, "--json")
			before, _, _ := runBin(t, "events", data, "--sha256")
			sqlExec(t, filepath.Join(data, "ixlb.db"), edit)
			_, errOut, code := runBin(t, "run", "urs-failover", "--data", data)
			if code != 2 || !strings.Contains(errOut, "nothing was changed") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if after, _, _ := runBin(t, "events", data, "--sha256"); after != before {
				t.Fatalf("the refused rerun changed the stored event log: %s → %s", before, after)
			}
		})
	}
}
