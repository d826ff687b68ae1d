package core

import (
	"fmt"
	"testing"
	"time"
)

// A resumed engine's journal names the databases it resumed on, not the in-memory copies its
// replay ran on: every identity it saves is the real database's. A database the session used
// earlier but holds no connection to at the resume point (re-pointed away from, then left by a
// switchover or a stop) kept the replay's "mem-…" identity, so the next resume refused the real
// file as "not the database this session wrote" — every time, --rebuild included (attack 20 B7).
// Each resume point of worlds with re-points, switchovers, restarts and stops is resumed twice
// in a row, as reopening a session does.
func TestResumeSavesTheRealDatabasesIdentities(t *testing.T) {
	worlds := map[string]Config{
		"re-point, switchover, switch back":  switchBackConfig(false),
		"the same, verify-database-identity": switchBackConfig(true),
		"re-point, switchover, restart, stop the IS": func() Config {
			c := switchBackConfig(false)
			c.Timeline = append(c.Timeline,
				at(3*time.Minute+10*time.Second, Action{Kind: ActRestart, App: "IxnServer"}),
				at(3*time.Minute+20*time.Second, Action{Kind: ActStop, App: "IxnServer"}),
				at(3*time.Minute+30*time.Second, Action{Kind: ActStart, App: "IxnServer"}))
			return c
		}(),
		// The attack's drill on the bundled dap-repoint-switchover: both DAPs re-pointed to the
		// other database, three switchovers; from 2m nothing holds a connection to the first
		// database, which the session wrote.
		"re-point both DAPs, switchover thrice": func() Config {
			c := switchBackConfig(false)
			c.Timeline = []TimedAction{
				at(40*time.Second, Action{Kind: ActRepoint, App: "DAP_1", Database: "other"}),
				at(time.Minute, Action{Kind: ActRepoint, App: "DAP_2", Database: "other"}),
				at(time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
				at(80*time.Second, Action{Kind: ActSwitchover, App: "IxnServer"}),
				at(2*time.Minute, Action{Kind: ActSwitchover, App: "IxnServer"}),
				at(150*time.Second, Action{Kind: ActStop, App: "IxnServer_B"}),
				at(170*time.Second, Action{Kind: ActStart, App: "IxnServer_B"}),
			}
			return c
		}(),
	}
	for name, cfg := range worlds {
		for t1 := 20 * time.Second; t1 < cfg.Duration; t1 += 20 * time.Second {
			t.Run(fmt.Sprintf("%s/%v", name, t1), func(t *testing.T) {
				dbs := NewMemDatabases()
				first, err := New(cfg, WithDatabases(dbs))
				if err != nil {
					t.Fatal(err)
				}
				first.RunUntil(int64(t1))
				st, err := first.ResumeState()
				if err != nil {
					t.Fatal(err)
				}
				wantIdentities(t, "the first run", st, dbs)
				second, err := Resume(cfg, st, WithDatabases(dbs))
				if err != nil {
					t.Fatal(err)
				}
				st2, err := second.ResumeState()
				if err != nil {
					t.Fatal(err)
				}
				wantIdentities(t, "resumed", st2, dbs)
				second.RunUntil(int64(t1 + 15*time.Second))
				st3, err := second.ResumeState()
				if err != nil {
					t.Fatal(err)
				}
				wantIdentities(t, "resumed, then run on", st3, dbs)
				if _, err := Resume(cfg, st3, WithDatabases(dbs)); err != nil {
					t.Fatalf("resuming the resumed session again: %v", err)
				}
			})
		}
	}
}

// wantIdentities checks that every identity st names is the real database's.
func wantIdentities(t *testing.T, what string, st ResumeState, dbs *MemDatabases) {
	t.Helper()
	for name, id := range st.Identities {
		db, err := dbs.Database(name)
		if err != nil {
			t.Fatal(err)
		}
		if id != db.Identity() {
			t.Fatalf("%s: the journal names database %s by identity %s, the database's is %s", what, name, id, db.Identity())
		}
	}
}
