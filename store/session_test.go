package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

func sessionConfig() core.Config {
	return core.Config{Name: "s", Seed: 3, Duration: time.Minute, Databases: []string{"ixn", "ixn_archive"}}
}

// A session's files are its own by every name they have: the same file through a symbolic or a
// hard link, or a name it will use, is the session's; a file of one's own beside them is not.
func TestSessionOwns(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ss, err := OpenSession(data, sessionConfig(), SessionOptions{Owner: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	if err := ss.Save(core.ResumeState{}); err != nil { // the journal is made by the first write
		t.Fatal(err)
	}
	os.Symlink(ss.StatePath(), filepath.Join(dir, "link"))
	os.Link(ss.StatePath(), filepath.Join(dir, "hard"))
	defer os.Remove(filepath.Join(dir, "hard"))
	for path, want := range map[string]bool{
		ss.StatePath(): true,
		filepath.Join(data, "ixn_archive.db-wal"):         true, // not there yet
		filepath.Join(data, LockFileName):                 true,
		filepath.Join(dir, "link"):                        true,
		filepath.Join(dir, "hard"):                        true,
		filepath.Join(data, ".", "..", "data", "ixlb.db"): true,
		filepath.Join(data, "events.jsonl"):               false,
		filepath.Join(dir, "events.jsonl"):                false,
	} {
		if got := ss.Owns(path); got != want {
			t.Errorf("Owns(%s) = %v, want %v", path, got, want)
		}
	}
}

// A database with rows that the journal does not name and the session did not make is refused,
// with nothing changed; --rebuild lets it through (core.Resume then empties it). One the session
// made after its last saved state is let through, for core.Resume to roll back.
func TestSessionRefusesAStrangerDatabase(t *testing.T) {
	cfg := sessionConfig()
	made := t.TempDir()
	ss, err := OpenSession(made, cfg, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := ss.Databases().Connect("DAP_2", "ixn_archive") // made by this session: listed
	r := core.Row{ID: 1, Queue: "q"}
	archive.Write(&r)
	if err := ss.Save(core.ResumeState{Seed: cfg.Seed}); err != nil {
		t.Fatal(err)
	}
	ss.Close()
	// Another session's ixn_archive.db, with rows, copied in.
	other := t.TempDir()
	os2, err := OpenSession(other, cfg, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := os2.Databases().Connect("DAP_2", "ixn_archive")
	d.Write(&r)
	os2.Close()
	target := t.TempDir()
	copyFile(t, filepath.Join(made, "ixlb.db"), filepath.Join(target, "ixlb.db"))
	copyFile(t, filepath.Join(other, "ixn_archive.db"), filepath.Join(target, "ixn_archive.db"))

	if ss, err := OpenSession(made, cfg, SessionOptions{}); err != nil {
		t.Fatalf("the session's own database, made after its last save: %v", err)
	} else {
		ss.Close()
	}
	content := func() string {
		var n int
		var id string
		db := rawDB(t, filepath.Join(target, "ixn_archive.db"))
		db.QueryRow(`SELECT count(*) FROM interactions`).Scan(&n)
		db.QueryRow(`SELECT value FROM meta WHERE key = 'identity'`).Scan(&id)
		db.Close()
		return fmt.Sprint(n, id)
	}
	before := content()
	_, err = OpenSession(target, cfg, SessionOptions{})
	var re *RefusedError
	if !errors.As(err, &re) || re.Path != filepath.Join(target, "ixn_archive.db") || re.Remedy&RemedyRebuild == 0 ||
		!strings.Contains(err.Error(), "the session's journal does not account for") {
		t.Fatalf("a stranger's database: %v", err)
	}
	if content() != before {
		t.Fatalf("the refused database changed: %s, was %s", content(), before)
	}
	ss, err = OpenSession(target, cfg, SessionOptions{Rebuild: true})
	if err != nil {
		t.Fatalf("with rebuild: %v", err)
	}
	ss.Close()
}

// A session is made only in a new or empty directory, or one of its own: a directory with other
// things in it is refused, unchanged.
func TestSessionNeedsADirectoryOfItsOwn(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("mine"), 0o600)
	_, err := OpenSession(dir, sessionConfig(), SessionOptions{})
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "holds other files (thesis.tex) and no ixlb session") {
		t.Fatalf("error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the directory changed: %v", entries)
	}
	// Only the session's own names (a run stopped before its journal was made): fine.
	own := t.TempDir()
	os.WriteFile(filepath.Join(own, LockFileName), nil, 0o600)
	ss, err := OpenSession(own, sessionConfig(), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ss.Close()
}
