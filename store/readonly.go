package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// maxRecoveryCopy bounds what openReadOnly copies to look at a file with a rollback journal.
// ixlb's own files only ever have one while SQLite switches a new, empty file to WAL mode, so a
// journal of any size means someone else's file.
const maxRecoveryCopy = 64 << 20

// openReadOnly opens an existing SQLite file to read it, changing nothing, with the ixlb driver
// (sqlar_uncompress for the events view). close must be called when done.
//
//   - Without a WAL or rollback journal beside it the file alone is the database; immutable=1
//     reads it without creating the -wal and -shm files a read-only open of a WAL-mode file makes.
//   - With a WAL, a read-only connection reads through it.
//   - With a rollback journal (-journal: a transaction interrupted in rollback mode, as when ixlb
//     is stopped while SQLite switches a new file to WAL mode), a read-only connection cannot roll
//     it back and refuses every read ("attempt to write a readonly database"), which made such a
//     session unreopenable for good. The file and its journal are copied into a scratch directory
//     beside them and the copy is opened for writing, which rolls it back: what is read is what
//     SQLite will find when ixlb opens the file itself, and the file is left as it is.
func openReadOnly(path string, busyMillis int64) (db *sql.DB, closeFn func(), err error) {
	journal := path + "-journal"
	if st, err := os.Lstat(journal); err == nil && st.Size() > 0 && !exists(path+"-wal") {
		return openRecovered(path, journal)
	}
	// _mutex=no, as the writer (openWriter): database/sql never uses one connection from two
	// goroutines at once, and SQLite's own mutex was taken for every column of every row read (a
	// fifth of the CPU of reading a million rows back on a resume).
	params := fmt.Sprintf("mode=ro&_busy_timeout=%d&_mutex=no", busyMillis)
	if !exists(path+"-wal") && !exists(journal) {
		params += "&immutable=1"
	}
	db, err = sql.Open(driverName, dsn(path, params))
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// openRecovered opens a copy of path with its rollback journal, rolled back (see openReadOnly).
func openRecovered(path, journal string) (*sql.DB, func(), error) {
	scratch, err := os.MkdirTemp(filepath.Dir(path), ".ixlb-inspect-")
	if err != nil {
		return nil, nil, fmt.Errorf("look at %s, which has an interrupted transaction (%s): %w", path, filepath.Base(journal), err)
	}
	cleanup := func() { os.RemoveAll(scratch) }
	cp := filepath.Join(scratch, filepath.Base(path))
	for _, f := range [][2]string{{path, cp}, {journal, cp + "-journal"}} {
		if err := copyRegular(f[0], f[1], maxRecoveryCopy); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("look at %s, which has an interrupted transaction (%s): %w", path, filepath.Base(journal), err)
		}
	}
	db, err := sql.Open(driverName, dsn(cp, "mode=rw"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return db, func() { db.Close(); cleanup() }, nil
}

// errTooLarge says a file is too large to copy for a look.
var errTooLarge = errors.New("too large to copy for a look")

// copyRegular copies the regular file from (not a link) to a new file to, of at most limit bytes.
func copyRegular(from, to string, limit int64) error {
	in, err := os.OpenFile(from, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	switch {
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s: %w: not a regular file", from, ErrNotIxlb)
	case st.Size() > limit:
		return fmt.Errorf("%s: %d bytes: %w", from, st.Size(), errTooLarge)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.LimitReader(in, limit))
	return errors.Join(err, out.Close())
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
