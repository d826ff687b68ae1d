package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gofrs/flock"
)

// LockFileName is the file in a data directory whose exclusive flock marks the directory as owned
// by one ixlb process for the whole session. Two runs writing one directory corrupt it silently
// (interactions submitted twice, time going backwards in the log), and a --fresh while another
// process runs deletes its open files: the lock comes first, before anything is read, removed or
// written. The file stays behind when the session ends (removing it would race with the next
// owner); the kernel releases the lock when the process ends, however it ends.
const LockFileName = "ixlb.lock"

// dirLock is a held session lock: the lock file's flock (it says who holds it) and a flock of the
// directory itself, which deleting the lock file cannot undo.
type dirLock struct {
	fl  *flock.Flock
	dir *os.File
	// What the lock file held before this process wrote its own name there (made: it was not
	// there), for undo.
	prev []byte
	made bool
	path string
}

// lockDir takes the session lock of dir, which exists. When another process holds it, the error
// names that process from what it wrote into the lock file: "DIR is in use by ixlb run (pid N)".
// owner is what this process writes there ("ixlb run").
//
// The lock file is opened without following a symbolic link, and refused when it has other names
// (a hard link): the pid is written into it, which must never change a file outside the directory.
func lockDir(dir, owner string) (*dirLock, error) {
	path := filepath.Join(dir, LockFileName)
	made := false
	if err := checkOwnFile(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w\n(remove it, or use another --data directory)", err)
	} else if err != nil {
		if err := point(pointCreate, path); err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		made = true
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if !ok {
		return nil, inUseError(dir, path)
	}
	d, err := os.Open(dir)
	if err != nil {
		fl.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		// The lock file was deleted under its owner, who still holds the directory.
		d.Close()
		fl.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by another ixlb (its lock file was removed)", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	l := &dirLock{fl: fl, dir: d, made: made, path: path}
	if !made {
		if l.prev, err = readSmall(path, 4096); err != nil {
			l.unlock()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
	}
	if err := l.writeOwner(path, owner); err != nil {
		l.unlock()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return l, nil
}

// writeOwner writes who holds the lock, for the message another process shows, into the very file
// the lock is on (the lock's own descriptor is read-only): opened again without following a link,
// checked to be that file with no other name, then truncated and written.
func (l *dirLock) writeOwner(path, owner string) error {
	locked, err := l.fl.Stat()
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(st, locked) || links(st) > 1 {
		return fmt.Errorf("%s: %w (it has other names, or was replaced)", path, ErrNotOwnFile)
	}
	if err := fh.Truncate(0); err != nil {
		return err
	}
	_, err = fh.WriteAt([]byte(fmt.Sprintf("pid %d\ncommand %s\n", os.Getpid(), owner)), 0)
	return err
}

// undo puts the lock file back as it was before lockDir (gone, when lockDir made it), then
// releases the lock: a session refused when it opens leaves the directory as it found it.
func (l *dirLock) undo() {
	if l == nil || l.fl == nil {
		return
	}
	if l.made {
		os.Remove(l.path)
	} else if fh, err := os.OpenFile(l.path, os.O_WRONLY|syscall.O_NOFOLLOW, 0); err == nil {
		if st, err := fh.Stat(); err == nil && links(st) == 1 && fh.Truncate(0) == nil {
			fh.WriteAt(l.prev, 0)
		}
		fh.Close()
	}
	l.unlock()
}

// unlock releases the lock; nil-safe, and safe to call twice.
func (l *dirLock) unlock() {
	if l != nil && l.fl != nil {
		l.fl.Close()
		l.fl = nil
	}
	if l != nil && l.dir != nil {
		l.dir.Close() // closing the descriptor releases its flock
		l.dir = nil
	}
}

// isLockText reports whether text is what writeOwner writes ("pid N", "command …" lines), or
// nothing (a process stopped between making the file and writing it).
func isLockText(text string) bool {
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch {
		case line == "":
		case k == "pid":
			if _, err := strconv.Atoi(v); err != nil {
				return false
			}
		case k == "command" && v != "":
		default:
			return false
		}
	}
	return true
}

// inUseError reads who holds the lock. The holder may be between taking the lock and writing
// its pid, or an older ixlb: then the message says what is known.
func inUseError(dir, path string) error {
	b, _ := readSmall(path, 4096)
	var pid int
	cmd := "another ixlb"
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			pid, _ = strconv.Atoi(v)
		case "command":
			if v != "" {
				cmd = v
			}
		}
	}
	switch {
	case pid == os.Getpid():
		return fmt.Errorf("%s is already open in this ixlb", dir)
	case pid > 0:
		return fmt.Errorf("%s is in use by %s (pid %d)", dir, cmd, pid)
	}
	return fmt.Errorf("%s is in use by %s", dir, cmd)
}

// readSmall reads at most n bytes of a regular file, without following a link or blocking on a
// FIFO.
func readSmall(path string, n int64) ([]byte, error) {
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	b := make([]byte, n)
	k, err := fh.Read(b)
	if k > 0 || err == io.EOF {
		err = nil // an empty file reads as nothing
	}
	return b[:k], err
}
