package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// emit sends n events through the sink, reusing one line buffer as the engine does.
func emit(sink core.EventSink, from, n uint64) []EventLine { return emitAs(sink, from, n, "URS_2") }

// emitAs is emit with another URS stopping every third event: a sibling log, line for line as
// long as emit's when urs is as long as "URS_2".
func emitAs(sink core.EventSink, from, n uint64, urs string) []EventLine {
	var buf []byte
	var want []EventLine
	for seq := from; seq < from+n; seq++ {
		e := core.Event{T: int64(seq) * 250_000_000, Seq: seq, Kind: core.EvSubmitted, Ixn: int64(seq), Media: "email", Queue: "Q \"1\"", By: "Mail_1"}
		if seq%3 == 0 {
			e = core.Event{T: int64(seq) * 250_000_000, Seq: seq, Kind: core.EvAppStopped, App: urs}
		}
		buf = e.AppendJSON(buf[:0])
		want = append(want, EventLine{Seq: seq, T: e.T, Kind: e.Kind.String(), Line: string(buf)})
		sink.Event(&e, buf)
		for i := range buf { // the caller reuses its buffer
			buf[i] = '#'
		}
	}
	return want
}

func TestEventsRoundTrip(t *testing.T) {
	for _, batch := range []int{1, 5, 4096} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			dir := t.TempDir()
			s := newStore(t, dir, Options{BatchRows: batch})
			want := emit(s.EventSink(), 1, 23)
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			got, err := s.Events(0, 1000)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Events = %v, %v\nwant %v", got, err, want)
			}
			if got, _ := s.Events(10, 4); !reflect.DeepEqual(got, want[9:13]) {
				t.Fatalf("Events(10, 4) = %v, want %v", got, want[9:13])
			}
			if got, _ := s.LastEvents(3); !reflect.DeepEqual(got, want[20:]) {
				t.Fatalf("LastEvents(3) = %v, want %v", got, want[20:])
			}
			// Re-emitting (a resumed run replays from its saved state) replaces, it does not fail.
			emit(s.EventSink(), 20, 4)
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.LastEvents(100); len(got) != 23 {
				t.Fatalf("after replay %d events, want 23", len(got))
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestStateNeverAhead: whenever the state file commits — a full event batch or Commit — the
// interaction rows written before are already in their database.
func TestStateNeverAhead(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{BatchRows: 4})
	d := connect(t, s, "DAP_1", "ixn")
	raw := rawDB(t, filepath.Join(dir, "ixn.db"))
	rows := func() (n int) {
		if err := raw.QueryRow(`SELECT count(*) FROM interactions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sink := s.EventSink()
	// Before a run state is saved, event lines wait for it: a log without its journal is one
	// whose journal was lost, which a session refuses.
	emit(sink, 1, 2)
	emit(sink, 1, 6)
	if got, _ := s.LastEvents(10); len(got) != 0 {
		t.Fatalf("%d events committed with no run state saved", len(got))
	}
	if err := s.SaveRun(RunState{}); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s)
	for i := range int64(3) { // fewer than a batch: still pending
		r := core.Row{ID: i + 1, State: core.StateQueued}
		d.Write(&r)
	}
	if rows() != 0 {
		t.Fatal("rows committed before their batch was full")
	}
	emit(sink, 7, 4) // a full event batch commits the state…
	if got, _ := s.LastEvents(20); len(got) != 10 {
		t.Fatalf("%d events committed, want 10", len(got))
	}
	if rows() != 3 { // …and the rows first
		t.Fatalf("state committed with %d of 3 rows in the database", rows())
	}
	r := core.Row{ID: 9, State: core.StateQueued}
	d.Write(&r)
	if err := s.SaveRun(RunState{VirtualTime: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if rows() != 4 {
		t.Fatalf("Commit left %d of 4 rows", rows())
	}
}

func TestRunState(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.LoadRun(); ok || err != nil {
		t.Fatalf("LoadRun of a new directory: ok %v, %v", ok, err)
	}
	resume := []byte{0, 1, 2, 0xff}
	want := RunState{VirtualTime: 123_456_789_012, Seed: 1<<64 - 1, Events: 99, Resume: resume}
	s.SaveRun(want)
	resume[0] = 42 // SaveRun copied it
	if _, ok, _ := s.LoadRun(); ok {
		t.Fatal("run state visible before Commit")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = newStore(t, dir, Options{})
	got, ok, err := s.LoadRun()
	want.Resume = []byte{0, 1, 2, 0xff}
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadRun = %+v %v %v, want %+v", got, ok, err, want)
	}
}

func TestActions(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{})
	want := []core.Action{
		{Kind: core.ActStop, App: "URS_2"},
		{Kind: core.ActActivate, Strategy: "A", URS: []string{"URS_1", "URS_3"}},
		{Kind: core.ActSetOption, App: "IS", Section: "settings", Option: "delivering-timeout", Value: "30"},
		{Kind: core.ActRepoint, App: "DAP_2", Database: "ixn_b"},
		{Kind: core.ActLeave, Cluster: "FaxCluster", App: "FaxSrv_1"},
	}
	for i, a := range want {
		if err := s.RecordAction(int64(i)*1_500_000_000, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	var got []core.Action
	var times []int64
	err := s.Actions(func(at int64, a core.Action) error {
		got, times = append(got, a), append(times, at)
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, want) || times[3] != 4_500_000_000 {
		t.Fatalf("Actions = %+v at %v, %v\nwant %+v", got, times, err, want)
	}
}

// A directory is bound to its scenario: another scenario, the same one edited, or run with another
// seed is refused, and the message says which of these it is.
func TestCheckScenario(t *testing.T) {
	cfg := core.Config{Name: "seed-example", Seed: 11, Duration: time.Minute}
	edited := cfg
	edited.Duration = 2 * time.Minute
	reseeded := cfg
	reseeded.Seed = 12
	both := edited
	both.Seed = 12
	other := cfg
	other.Name = "other"
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckScenario(ScenarioOf(cfg)); err != nil {
		t.Fatalf("first check: %v", err)
	}
	// The scenario is recorded by the directory's first write, not by the check.
	if err := s.SaveRun(RunState{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = newStore(t, dir, Options{})
	short := func(c core.Config) string { return ScenarioOf(c).Content[:12] + "…" }
	tests := []struct {
		name    string
		cfg     core.Config
		wantErr string
	}{
		{"same scenario", cfg, ""},
		{"another scenario", other, `data directory ` + dir + ` belongs to scenario "seed-example", not "other": use another data directory`},
		{"another seed", reseeded, `data directory ` + dir + ` holds scenario "seed-example" run with seed 11, not seed 12: run it with --seed 11 to continue it, or use another data directory`},
		{"edited", edited, `data directory ` + dir + ` holds scenario "seed-example", whose content has changed since that session began (sha256 ` + short(cfg) + `, now ` + short(edited) + `; the seed 11 is the same): use another data directory`},
		{"edited and reseeded", both, `data directory ` + dir + ` holds scenario "seed-example" run with seed 11, and the scenario's content has changed since that session began (sha256 ` + short(cfg) + `, now ` + short(both) + `); this run asks for seed 12: use another data directory`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CheckScenario(ScenarioOf(tc.cfg))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var me *ScenarioMismatchError
			if !errors.As(err, &me) || err.Error() != tc.wantErr {
				t.Fatalf("error\n %v\nwant\n %s", err, tc.wantErr)
			}
		})
	}
}

func TestStateFileIsNotAnInteractionsFile(t *testing.T) {
	// An interactions file put where the state belongs is refused, and left alone.
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	connect(t, s, "DAP_1", "ixn")
	s.Close()
	other := t.TempDir()
	copyFile(t, filepath.Join(dir, "ixn.db"), filepath.Join(other, "ixlb.db"))
	_, err := Open(other, Options{})
	if !errors.Is(err, ErrNotIxlb) {
		t.Fatalf("Open with an interactions file as state: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(from, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`VACUUM INTO ?`, to); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentConsole: the engine writes and logs on its goroutine while the console reads the
// history and commits on another (run with -race).
func TestConcurrentConsole(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{BatchRows: 64})
	d := connect(t, s, "DAP_1", "ixn")
	done := make(chan struct{})
	go func() {
		defer close(done)
		sink := s.EventSink()
		var buf []byte
		for i := range int64(5000) {
			r := core.Row{ID: i + 1, State: core.StateQueued, Queue: "Q"}
			d.Write(&r)
			e := core.Event{T: i, Seq: uint64(i), Kind: core.EvSubmitted, Ixn: i + 1}
			buf = e.AppendJSON(buf[:0])
			sink.Event(&e, buf)
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if _, err := s.LastEvents(10); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	c, err := d.Counts()
	if err != nil || c.Rows != 5000 {
		t.Fatalf("Counts %+v, %v", c, err)
	}
	if ev, _ := s.LastEvents(1); len(ev) != 1 || ev[0].Seq != 4999 {
		t.Fatalf("last event %+v", ev)
	}
}

func TestRewind(t *testing.T) {
	s := newStore(t, t.TempDir(), Options{BatchRows: 4})
	want := emit(s.EventSink(), 1, 10) // t = seq/4 s; batches of 4 commit on their own
	for i := range int64(4) {
		s.RecordAction(i*1e9, core.Action{Kind: core.ActStop, App: fmt.Sprintf("URS_%d", i)})
	}
	s.Commit()
	emit(s.EventSink(), 11, 2) // pending
	s.RecordAction(9e9, core.Action{Kind: core.ActStart, App: "URS_9"})
	if err := s.Rewind(RunState{Events: 6, VirtualTime: 1e9}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LastEvents(100); !reflect.DeepEqual(got, want[:6]) {
		t.Fatalf("after Rewind: %v, want %v", got, want[:6])
	}
	var apps []string
	s.Actions(func(_ int64, a core.Action) error { apps = append(apps, a.App); return nil })
	if fmt.Sprint(apps) != "[URS_0 URS_1]" {
		t.Fatalf("actions after Rewind: %v", apps)
	}
}

// logHashOf is the journal's log hash (a SHA-256 state) of lines, each with its newline.
func logHashOf(t *testing.T, lines []EventLine) []byte {
	t.Helper()
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l.Line + "\n"))
	}
	b, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A branch is one transaction: the log cut after the instant, the branch's lines after it (its
// chunks in the chain of hashes), the actions after the instant replaced by the branch's own, and
// its journal. Lines that do not hash to the journal are refused, and then nothing changed.
func TestBranchIsOneTransaction(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	live := emit(s.EventSink(), 1, 9000) // several chunks; t = seq/4 s
	s.RecordAction(1e9, core.Action{Kind: core.ActStop, App: "URS_1"})
	s.RecordAction(2000e9, core.Action{Kind: core.ActStop, App: "URS_2"}) // after the instant: discarded
	if err := s.SaveRun(RunState{VirtualTime: 2250e9, Seed: 7, Events: 9000, Resume: []byte(`{"live":true}`)}); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, s)
	const kept = 4321
	instant := live[kept-1].T
	rec := &collect{}
	branched := emitAs(rec, kept+1, 30, "URS_9") // the branch's own lines: another URS stops
	events := rec.events
	want := append(append([]EventLine(nil), live[:kept]...), branched...)
	act := core.Action{Kind: core.ActStop, App: "URS_9"}
	cut := func(hash []byte) core.BranchCut {
		return core.BranchCut{Kept: kept, Events: events, Actions: []core.Action{act},
			State: core.ResumeState{T: instant, Seed: 7, Steps: 1, Events: kept + 30, LogHash: hash}}
	}

	// Refused: the lines are not the journal's. Nothing of the branch is there.
	if err := s.Branch(cut(logHashOf(t, live[:kept+30]))); err == nil || !strings.Contains(err.Error(), "does not agree with its journal") {
		t.Fatalf("a branch whose lines are not its journal's: %v", err)
	}
	if got, _ := s.Events(1, -1); !reflect.DeepEqual(got, live) {
		t.Fatal("a refused branch changed the event log")
	}
	if rs, _, _ := s.LoadRun(); rs.Events != 9000 {
		t.Fatalf("a refused branch saved %+v", rs)
	}

	st := cut(logHashOf(t, want))
	if err := s.Branch(st); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Events(1, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the branch: %d lines, want %d", len(got), len(want))
	}
	if n, digest, err := s.state.verifyLog(kept + 30); err != nil || n != kept+30 {
		t.Fatalf("verifyLog: %d, %v", n, err)
	} else if sha, _ := st.State.EventsSHA256(); digest != sha {
		t.Fatalf("the branched log hashes to %.12s, its journal to %.12s", digest, sha)
	}
	chainOf(t, dir)
	var acts []string
	s.Actions(func(at int64, a core.Action) error {
		acts = append(acts, fmt.Sprintf("%s@%d", a.App, at/1e9))
		return nil
	})
	if fmt.Sprint(acts) != fmt.Sprintf("[URS_1@1 URS_9@%d]", instant/1e9) {
		t.Fatalf("actions after the branch: %v", acts)
	}
	rs, _, err := s.LoadRun()
	if err != nil || rs.Events != kept+30 || rs.VirtualTime != instant || !strings.Contains(string(rs.Resume), `"events":4351`) {
		t.Fatalf("run state after the branch: %+v, %v", rs, err)
	}
	// The log goes on after the branch's lines.
	more := emit(s.EventSink(), kept+31, 5)
	mustCommit(t, s)
	if got, _ := s.Events(1, -1); !reflect.DeepEqual(got, append(want, more...)) {
		t.Fatal("the lines after the branch do not follow it")
	}
	chainOf(t, dir)
}

// collect is a sink that keeps the events it is given.
type collect struct{ events []core.Event }

func (c *collect) Event(e *core.Event, _ []byte) { c.events = append(c.events, *e) }

// The stored log is regenerated in one transaction, a chunk at a time (--rebuild): lines that
// hash to the journal replace it, chained; lines that do not, or a replay that fails, change
// nothing.
func TestRewriteLog(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	want := emit(s.EventSink(), 1, 9000)
	mustCommit(t, s)
	damaged := writable(t, filepath.Join(dir, stateFileName))
	if _, err := damaged.Exec(`DELETE FROM event_chunks WHERE first_seq = (SELECT first_seq FROM event_chunks ORDER BY first_seq LIMIT 1 OFFSET 1)`); err != nil {
		t.Fatal(err)
	}
	damaged.Close()
	stored := func() []EventLine { got, _ := s.Events(1, -1); return got }
	was := stored()
	hash := logHashOf(t, want)
	replay := func(urs string, n uint64, fail error) func(core.EventSink) error {
		return func(sink core.EventSink) error { emitAs(sink, 1, n, urs); return fail }
	}
	for name, r := range map[string]func(core.EventSink) error{
		"another log":         replay("URS_9", 9000, nil),
		"a log cut short":     replay("URS_2", 8999, nil),
		"a replay that fails": replay("URS_2", 9000, errors.New("the saved session does not replay")),
	} {
		if err := s.state.rewriteLog(9000, hash, r); !errors.Is(err, ErrLogNotReplayed) {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(stored(), was) {
			t.Fatalf("%s: the refused regeneration changed the log", name)
		}
	}
	if err := s.state.rewriteLog(9000, hash, replay("URS_2", 9000, nil)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored(), want) {
		t.Fatal("the regenerated log is not the replay's")
	}
	if n, _, err := s.state.verifyLog(9000); err != nil || n != 9000 {
		t.Fatalf("verifyLog after the regeneration: %d, %v", n, err)
	}
	if chainOf(t, dir) < 3 {
		t.Fatal("the regenerated log is not chunked and chained")
	}
	more := emit(s.EventSink(), 9001, 5) // the log goes on after it
	mustCommit(t, s)
	if !reflect.DeepEqual(stored(), append(want, more...)) {
		t.Fatal("the lines after the regenerated log do not follow it")
	}
}
