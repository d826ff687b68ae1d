//go:build cgo

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/ixlb/ixlb/scenarios"
)

// createOutput creates (or truncates) a file a command writes, such as --events. It must be a
// regular file: writing to a FIFO blocks until someone reads it, holding the session's lock and
// deaf to signals, and a device is no place for a log. It must not be a file of the session (ss,
// when there is one): `--events DIR/ixlb.db` truncated the journal. Both are refused before the
// file is opened for writing, so nothing is changed.
func createOutput(path string, ss session) (*os.File, error) {
	if err := notTheSessions(path, ss); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, scenarios.ModeName(st.Mode()))
	}
	// O_NONBLOCK: a FIFO made since the check fails at once (ENXIO) instead of blocking; no
	// O_TRUNC until the file is known to be regular.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|syscall.O_NONBLOCK, 0o644)
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is not a regular file (a FIFO)", path)
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s)", path, scenarios.ModeName(st.Mode()))
	}
	if err == nil {
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// notTheSessions refuses an output path that is one of the session's files, or would be one
// (Session.Owns: its journal, databases, their -wal and -shm, its lock, its scenario copy, by
// any name or link): writing there destroys the session. ss may be nil (no session).
func notTheSessions(path string, ss session) error {
	if ss != nil && ss.Owns(path) {
		return fmt.Errorf("%s is a file of the session in %s: writing it would destroy the session; nothing was written", path, ss.Dir())
	}
	return nil
}
