//go:build cgo

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gofrs/flock"
)

// lockFileName is the file in a data directory whose exclusive flock marks the directory as
// owned by one ixlb process for the whole session. Two runs writing one directory corrupt it
// silently (interactions submitted twice, time going backwards in the log), and a --fresh while
// another process runs deletes its open files: the lock comes first, before anything is read,
// removed or written. The file stays behind when the session ends (removing it would race with
// the next owner); the kernel releases the lock when the process ends, however it ends.
const lockFileName = "ixlb.lock"

// dirLock is a held session lock: the lock file's flock (it says who holds it) and a flock of the
// directory itself, which deleting the lock file cannot undo.
type dirLock struct {
	fl  *flock.Flock
	dir *os.File
}

// lockDir takes the session lock of dir, creating dir (mode 0700) if absent. When another
// process holds it, the error names that process from what it wrote into the lock file:
// "DIR is in use by ixlb run (pid N)".
func lockDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, lockFileName)
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: remove it, or use another --data directory", path)
	}
	fl := flock.New(path)
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
	// Who holds it, for the message another process shows. Written through a second descriptor:
	// the lock's own is read-only, and the lock is already ours.
	if err := os.WriteFile(path, []byte(fmt.Sprintf("pid %d\ncommand %s\n", os.Getpid(), sessionCommand())), 0o600); err != nil {
		fl.Close()
		d.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return &dirLock{fl: fl, dir: d}, nil
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

// inUseError reads who holds the lock. The holder may be between taking the lock and writing
// its pid, or an older ixlb: then the message says what is known.
func inUseError(dir, path string) error {
	b, _ := os.ReadFile(path)
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

// sessionCommand names this process in the lock file: "ixlb run" or "ixlb console".
func sessionCommand() string {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if a == "run" {
			return "ixlb run"
		}
		break
	}
	return "ixlb console"
}
