//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// createOutput creates (or truncates) a file a command writes, such as --events. It must be a
// regular file: writing to a FIFO blocks until someone reads it, holding the session's lock and
// deaf to signals, and a device is no place for a log. It must not be a file of the session (ss,
// when there is one): `--events DIR/ixlb.db` truncated the journal. Both are refused before the
// file is opened for writing, so nothing is changed.
func createOutput(path string, ss session) (*os.File, error) {
	if ss != nil && ss.Owns(path) {
		return nil, fmt.Errorf("%s is a file of the session in %s: writing it would destroy the session; nothing was written", path, ss.Dir())
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, modeName(st.Mode()))
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
		err = fmt.Errorf("%s is not a regular file (%s)", path, modeName(st.Mode()))
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

// readInput reads a file a command takes as input (sweep merge's rows): a regular file of at most
// limit bytes. A FIFO would block for ever and /dev/zero never end.
func readInput(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, modeName(st.Mode()))
	case st.Size() > limit:
		return nil, fmt.Errorf("%s is %d MiB, more than the %d MiB this command reads into memory (%s)", path, st.Size()>>20, limit>>20, memoryLimitEnv)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s grew past %d MiB while being read", path, limit>>20)
	}
	return b, err
}

// modeName says what kind of file a mode is, for messages.
func modeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
