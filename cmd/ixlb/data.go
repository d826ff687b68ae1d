//go:build cgo

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/store"
)

// session is a data directory bound to one scenario: its SQLite interaction databases, the run
// state, and, when one was saved, where to resume.
type session struct {
	st     *store.Store
	dir    string
	temp   bool              // ixlb run without --data: removed at the end
	resume *core.ResumeState // nil: start the scenario afresh
	lock   *dirLock          // the directory's owner lock, held until close (lock.go)
}

// scenarioDigest identifies a scenario's content (and seed) so a data directory of another
// scenario is recognised: the canonical JSON of the parsed configuration, not the file's bytes, so
// a comment edit does not orphan a session.
func scenarioDigest(cfg core.Config) string {
	b, _ := json.Marshal(cfg) // maps marshal with sorted keys: deterministic
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// openSession opens dir for the scenario. With fresh, the ixlb files in dir are removed first.
// A directory of another scenario, or files that are not ixlb's, are an error that changes
// nothing; so is an interaction database the saved session wrote that is missing, unless rebuild
// (regenerate it by replay).
func openSession(dir string, cfg core.Config, fresh, rebuild bool) (_ *session, err error) {
	s := &session{dir: dir}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ixlb-run-")
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		s.dir, s.temp = tmp, true
	}
	// One owner per directory, from before anything is read or removed (--fresh too) to close.
	if s.lock, err = lockDir(s.dir); err != nil {
		s.cleanup()
		return nil, err
	}
	defer func() {
		if err != nil {
			s.lock.unlock()
		}
	}()
	sqliteTempIn(s.dir)
	if fresh && !s.temp {
		if err := removeSessionFiles(dir, cfg); err != nil {
			return nil, err
		}
	} else if err := checkSessionFiles(s.dir, cfg); err != nil {
		return nil, err
	}
	st, err := store.Open(s.dir, store.Options{})
	if err != nil {
		s.cleanup()
		return nil, err
	}
	s.st = st
	if err := st.CheckScenario(cfg.Name, scenarioDigest(cfg)); err != nil {
		st.Close()
		s.cleanup()
		var mm *store.ScenarioMismatchError
		if errors.As(err, &mm) {
			return nil, fmt.Errorf("%w\n(use --fresh to start this scenario over there, or another --data directory)", err)
		}
		return nil, err
	}
	if err := checkDatabases(st, s.dir, cfg); err != nil {
		st.Close()
		s.cleanup()
		return nil, err
	}
	rs, ok, err := st.LoadRun()
	if err != nil {
		st.Close()
		return nil, err
	}
	if ok && len(rs.Resume) == 0 && (rs.Events > 0 || rs.VirtualTime > 0) {
		st.Close()
		return nil, fmt.Errorf("%s: the saved run state is damaged (a run at %s virtual, but no journal to replay); nothing was changed\n(use --fresh to start over)",
			filepath.Join(s.dir, "ixlb.db"), time.Duration(rs.VirtualTime))
	}
	if ok && len(rs.Resume) > 0 {
		var r core.ResumeState
		if err := json.Unmarshal(rs.Resume, &r); err != nil {
			st.Close()
			return nil, fmt.Errorf("%s: saved run state is damaged: %w (use --fresh to start over)", dir, err)
		}
		for name := range r.Identities {
			if p := filepath.Join(s.dir, name+".db"); !rebuild && !nonEmpty(p) {
				st.Close()
				return nil, fmt.Errorf("%s is missing or empty: the saved session wrote it; nothing was changed\n(use --rebuild to regenerate it by replaying the session, or --fresh to start over)", p)
			}
		}
		// The run state's own figures must agree with its journal, and the stored log with the
		// journal's hash — both checked before anything is changed.
		if rs.Events != r.Events || rs.VirtualTime != r.T || rs.Seed != r.Seed {
			st.Close()
			return nil, fmt.Errorf("%s: the saved run state is inconsistent (events %d, time %s, seed %d; its journal: %d, %s, %d); nothing was changed\n(use --fresh to start over)",
				filepath.Join(s.dir, "ixlb.db"), rs.Events, time.Duration(rs.VirtualTime), rs.Seed, r.Events, time.Duration(r.T), r.Seed)
		}
		if err := checkStoredLog(st, s.dir, r); err != nil {
			st.Close()
			return nil, err
		}
		// Events committed after the state was saved belong to a future that did not happen.
		if err := st.Rewind(store.RunState{Events: r.Events, VirtualTime: r.T}); err != nil {
			st.Close()
			return nil, err
		}
		s.resume = &r
	} else if s.hasDatabases(cfg) {
		// Interaction databases but no committed state: a run stopped before its first state
		// commit. Its rows belong to no journal; resuming the empty journal rolls them back, so
		// the run starts from a clean world rather than restoring strangers. (Events are committed
		// with the state: a stored log without one means the state was removed, not never made.)
		if lines, err := st.Events(1, 1); err != nil || len(lines) > 0 {
			st.Close()
			return nil, fmt.Errorf("%s: the saved run state is missing but its event log is there: the session cannot be continued; nothing was changed\n(use --fresh to start over)",
				filepath.Join(s.dir, "ixlb.db"))
		}
		if err := st.Rewind(store.RunState{}); err != nil {
			st.Close()
			return nil, err
		}
		s.resume = &core.ResumeState{Seed: cfg.Seed}
	}
	return s, nil
}

// hasDatabases reports whether any of the scenario's interaction databases is in the directory.
func (s *session) hasDatabases(cfg core.Config) bool {
	for _, name := range cfg.Databases {
		if exists(filepath.Join(s.dir, name+".db")) {
			return true
		}
	}
	return false
}

// checkDatabases reads every interaction database already in dir, so a damaged file is reported
// up front, by name, before anything resumes or writes.
func checkDatabases(st *store.Store, dir string, cfg core.Config) error {
	for _, name := range cfg.Databases {
		path := filepath.Join(dir, name+".db")
		if !nonEmpty(path) {
			// Created on first use. An empty file (a crash as it was created, or a truncation)
			// is left as it is here: the saved session, if it wrote that database, refuses it.
			continue
		}
		db, err := st.Database(name)
		if err == nil {
			_, err = db.Counts()
		}
		if err != nil {
			return fmt.Errorf("%s is damaged or not an ixlb database: %w (move it away, or use --fresh to start over)", path, err)
		}
	}
	return nil
}

// save records the engine's state; commit makes it and every row before it durable.
func (s *session) save(e *core.Engine) error {
	rs, err := e.ResumeState()
	if err != nil {
		return err
	}
	return s.saveState(rs)
}

func (s *session) saveState(rs core.ResumeState) error {
	if err := s.stage(rs); err != nil {
		return err
	}
	return s.st.Commit()
}

// checkpoint is save without waiting: the rows and state go to SQLite on its own goroutine, in
// order, while the engine goes on; a failure comes back from the next call.
func (s *session) checkpoint(e *core.Engine) error {
	rs, err := e.ResumeState()
	if err != nil {
		return err
	}
	return s.commitAsync(rs)
}

// commitAsync stages rs and commits it in the background (the console's ten commits a second
// must not stall the UI); closing the store waits for it.
func (s *session) commitAsync(rs core.ResumeState) error {
	if err := s.stage(rs); err != nil {
		return err
	}
	return s.st.CommitBackground()
}

// stage hands the run state to the store for its next commit.
func (s *session) stage(rs core.ResumeState) error {
	b, err := json.Marshal(rs)
	if err != nil {
		return fmt.Errorf("save run state: %w", err)
	}
	return s.st.SaveRun(store.RunState{VirtualTime: rs.T, Seed: rs.Seed, Events: rs.Events, Resume: b})
}

// history reads the last n events of the saved log, for the console.
func (s *session) history(n int) ([]core.Event, error) {
	lines, err := s.st.LastEvents(n)
	if err != nil {
		return nil, err
	}
	out := make([]core.Event, 0, len(lines))
	for _, l := range lines {
		ev, err := core.ParseEventLine([]byte(l.Line))
		if err != nil {
			return nil, fmt.Errorf("stored event %d: %w", l.Seq, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

func (s *session) close() error {
	err := s.st.Close()
	s.cleanup()
	s.lock.unlock()
	return err
}

func (s *session) cleanup() {
	if s.temp {
		os.RemoveAll(s.dir)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// nonEmpty reports whether path is a file with something in it (an empty file is what a
// truncation leaves: for a session, as good as missing).
func nonEmpty(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}

// checkSessionFiles refuses, before anything is opened or created, what would make ixlb write
// outside the directory or continue a session without its journal.
func checkSessionFiles(dir string, cfg core.Config) error {
	names := append([]string{"ixlb"}, cfg.Databases...)
	for _, n := range names {
		p := filepath.Join(dir, n+".db")
		if st, err := os.Lstat(p); err == nil && st.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link: ixlb writes only inside the data directory; nothing was changed", p)
		}
	}
	if nonEmpty(filepath.Join(dir, "ixlb.db")) {
		return nil
	}
	for _, n := range cfg.Databases {
		if p := filepath.Join(dir, n+".db"); nonEmpty(p) {
			return fmt.Errorf("%s is missing or empty, but the session's database %s is there: the session's journal is lost and it cannot be continued; nothing was changed\n(use --fresh to start over, or another --data directory)",
				filepath.Join(dir, "ixlb.db"), p)
		}
	}
	return nil
}

// eachStoredEvent calls fn with the stored event lines 1..upTo, in order.
func eachStoredEvent(st *store.Store, upTo uint64, fn func(line string)) error {
	for from := uint64(1); from <= upTo; {
		lines, err := st.Events(from, 10000)
		if err != nil {
			return fmt.Errorf("read the saved event log: %w", err)
		}
		if len(lines) == 0 {
			return nil
		}
		for _, l := range lines {
			if l.Seq > upTo {
				return nil
			}
			fn(l.Line)
		}
		from = lines[len(lines)-1].Seq + 1
	}
	return nil
}

// checkStoredLog reads the stored event log back and checks it against the journal: the console
// shows it as history and `ixlb events` prints it, so an edited or truncated log is refused.
func checkStoredLog(st *store.Store, dir string, r core.ResumeState) error {
	want, err := r.EventsSHA256()
	if err != nil {
		return err
	}
	h := sha256.New()
	var n uint64
	if err := eachStoredEvent(st, r.Events, func(line string) {
		h.Write([]byte(line))
		h.Write([]byte{'\n'})
		n++
	}); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != r.Events || got != want {
		return fmt.Errorf("%s: the stored event log differs from the session's (%d of %d events, sha256 %.12s, the session's %.12s); nothing was changed\n(use --fresh to start over)",
			filepath.Join(dir, "ixlb.db"), n, r.Events, got, want)
	}
	return nil
}
