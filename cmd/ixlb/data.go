package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
)

// session is a data directory bound to one scenario: its SQLite interaction databases, the run
// state, and, when one was saved, where to resume.
type session struct {
	st     *store.Store
	dir    string
	temp   bool              // ixlb run without --data: removed at the end
	resume *core.ResumeState // nil: start the scenario afresh
	run    store.RunState    // as loaded
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
func openSession(dir string, cfg core.Config, fresh, rebuild bool) (*session, error) {
	s := &session{dir: dir}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ixlb-run-")
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		s.dir, s.temp = tmp, true
	} else if fresh {
		if err := removeSessionFiles(dir, cfg); err != nil {
			return nil, err
		}
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
	if ok && len(rs.Resume) > 0 {
		var r core.ResumeState
		if err := json.Unmarshal(rs.Resume, &r); err != nil {
			st.Close()
			return nil, fmt.Errorf("%s: saved run state is damaged: %w (use --fresh to start over)", dir, err)
		}
		for name := range r.Identities {
			if p := filepath.Join(s.dir, name+".db"); !rebuild && !exists(p) {
				st.Close()
				return nil, fmt.Errorf("%s is missing: the saved session wrote it; nothing was changed\n(use --rebuild to regenerate it by replaying the session, or --fresh to start over)", p)
			}
		}
		// Events committed after the state was saved belong to a future that did not happen.
		if err := st.Rewind(rs); err != nil {
			st.Close()
			return nil, err
		}
		s.resume, s.run = &r, rs
	}
	return s, nil
}

// checkDatabases reads every interaction database already in dir, so a damaged file is reported
// up front, by name, before anything resumes or writes.
func checkDatabases(st *store.Store, dir string, cfg core.Config) error {
	for _, name := range cfg.Databases {
		path := filepath.Join(dir, name+".db")
		if _, err := os.Stat(path); err != nil {
			continue // created on first use
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

// removeSessionFiles deletes the files ixlb keeps for cfg in dir, and nothing else.
func removeSessionFiles(dir string, cfg core.Config) error {
	names := append([]string{"ixlb"}, cfg.Databases...)
	for _, n := range names {
		for _, suffix := range []string{".db", ".db-wal", ".db-shm", ".db-journal"} {
			p := filepath.Join(dir, n+suffix)
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("--fresh: %w", err)
			}
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
	return err
}

func (s *session) cleanup() {
	if s.temp {
		os.RemoveAll(s.dir)
	}
}

// defaultDataDir is the console's per-scenario directory under the user's state directory:
// $XDG_STATE_HOME/ixlb/<scenario>, falling back to ~/.local/state/ixlb/<scenario>.
func defaultDataDir(sc *scenarios.Scenario) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state directory: %w (use --data)", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	name := sc.Config.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(sc.File), filepath.Ext(sc.File))
	}
	return filepath.Join(base, "ixlb", safeName(name)), nil
}

// safeName keeps a scenario name usable as one path element.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || b.String() == "." || b.String() == ".." {
		return "scenario"
	}
	return b.String()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
