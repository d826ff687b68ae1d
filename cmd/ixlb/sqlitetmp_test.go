package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/scenarios"
)

// SQLite's temporary files go into the session's directory, not the system's temporary
// directory (issue 9 §3: 1.2 GB of statement journals landed in /tmp per big run). SQLite unlinks
// them at once, so the test looks at the process's open files while one is in use.
func TestSQLiteTempFilesInDataDir(t *testing.T) {
	if !runInChild(t) {
		return
	}
	sc, err := scenarios.Open("seed-example")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ss, err := openSession(dir, sc.Config, false, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "probe.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA temp_store = FILE", "PRAGMA cache_size = 2",
		"CREATE TEMP TABLE big(x)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000) INSERT INTO big SELECT randomblob(200) FROM n"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	var temps []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		// An unlinked file: SQLite's temporary file (etilqs_…, or an O_TMPFILE "#inode").
		if err == nil && strings.HasSuffix(target, " (deleted)") {
			temps = append(temps, target)
		}
	}
	if len(temps) == 0 {
		t.Skip("no SQLite temporary file open to look at")
	}
	for _, p := range temps {
		if !strings.HasPrefix(p, dir+"/") {
			t.Errorf("SQLite temporary file %s is outside the data directory %s", p, dir)
		}
	}
}
