//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
	"github.com/ixlb/ixlb/store"
)

// The files a command writes — `run --events` and `--plot`, `staff --plot`, `sweep -o`, `sweep
// merge --plot` — are decided on in one place: checkOutputs, before the command does anything
// (opens a session, runs a study), and createOutput, which opens them when the command writes.
// Nothing is written to an output before the command is sure to run: a rerun refused because its
// session changed leaves the user's previous --events file as it was.

// sessionFiles is what an output must not be: a session's files, before it is opened
// (store.Layout) or after (session).
type sessionFiles interface {
	Dir() string
	Owns(path string) bool // path is (or would be) one of the session's files
}

// output is a file a command writes, and the flag that named it, for messages.
type output struct{ flag, path string }

// checkOutputs refuses, before the command does anything, an output it must not write:
//   - a file of the session (ss, nil without one), or a name the session will use: writing it
//     would destroy the session (`--events DIR/ixlb.db` truncated the journal);
//   - one of the command's inputs (the scenario file, by any name or link): `--events
//     design.yaml` wrote the log over the design the same command is to be run with again;
//   - the same file as another output: `--plot x.svg --events x.svg` wrote both into one file;
//   - anything but a regular file (a FIFO blocks for ever with no reader, or takes the output
//     and throws it away; a device or a directory is no place for it), or a file or directory the
//     command cannot write.
func checkOutputs(ss sessionFiles, inputs []string, outs ...output) error {
	for i, o := range outs {
		if o.path == "" {
			continue
		}
		if err := checkOutput(o.path, ss); err != nil {
			return fmt.Errorf("%s: %w", o.flag, err)
		}
		for _, in := range inputs {
			if in != "" && store.SameFile(o.path, in) {
				return fmt.Errorf("%s %s is the scenario file this command runs: writing it would replace the design; nothing was written", o.flag, o.path)
			}
		}
		for _, p := range outs[:i] {
			if p.path != "" && store.SameFile(o.path, p.path) {
				return fmt.Errorf("%s and %s name the same file (%s): give each its own; nothing was written", p.flag, o.flag, o.path)
			}
		}
	}
	return nil
}

// checkOutput is checkOutputs for one path.
func checkOutput(path string, ss sessionFiles) error {
	if err := notTheSessions(path, ss); err != nil {
		return err
	}
	st, err := os.Stat(path) // what a write would reach, through a link
	switch {
	case err == nil && !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s): nothing was written", path, scenarios.ModeName(st.Mode()))
	case err == nil:
		if err := syscall.Access(path, 2); err != nil { // W_OK
			return fmt.Errorf("%s cannot be written: %w; nothing was written", path, err)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	// A directory that is not there yet may be the one the session makes (--data run/data
	// --events run/events.jsonl): opening the file says if it is not.
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err == nil && st.IsDir() && syscall.Access(dir, 2|1) != nil { // W_OK|X_OK
		return fmt.Errorf("%s cannot be made: the directory %s is not writable; nothing was written", path, dir)
	}
	return nil
}

// notTheSessions refuses an output path that is one of the session's files, or would be one
// (store.Layout.Owns: its journal, databases, their -wal and -shm, its lock, its scenario copy, by
// any name or link): writing there destroys the session. ss may be nil (no session).
func notTheSessions(path string, ss sessionFiles) error {
	if ss != nil && ss.Owns(path) {
		return fmt.Errorf("%s is a file of the session in %s: writing it would destroy the session; nothing was written", path, ss.Dir())
	}
	return nil
}

// outputFile is an output open for writing (createOutput). Commit ends it; Abort gives it up.
type outputFile struct {
	*os.File
	path string // what the user named
	tmp  bool   // File is a temporary file beside the target, renamed over it by Commit
}

// createOutput opens an output for writing, checked again as checkOutputs does (what is at path
// may have changed since), and never blocking: it is opened O_NONBLOCK, so a FIFO made since the
// check fails at once instead of waiting for a reader.
//
// With replace the output is written to a temporary file in the target's directory, renamed over
// it by Commit: a plot, a sweep's rows are whole or not there (a shard killed half-way leaves no
// half file for merge to mistake for a finished one), and a failure leaves the old file. Without
// it the file itself is truncated and written as the command goes (the event log, which can be
// gigabytes).
func createOutput(path string, ss sessionFiles, replace bool) (*outputFile, error) {
	if err := checkOutput(path, ss); err != nil {
		return nil, err
	}
	if replace {
		target := path
		if real, err := filepath.EvalSymlinks(path); err == nil {
			target = real // a link's target is what the user writes, as a plain open would
		}
		f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
		if err != nil {
			return nil, err
		}
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, err
		}
		return &outputFile{File: f, path: target, tmp: true}, nil
	}
	// No O_TRUNC until the file is known to be regular.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|syscall.O_NONBLOCK, 0o644)
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is not a regular file (a FIFO): nothing was written", path)
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s): nothing was written", path, scenarios.ModeName(st.Mode()))
	}
	if err == nil {
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &outputFile{File: f, path: path}, nil
}

// Commit closes the output; a replacing one is renamed over its target, after one more look that
// the target is not the session's or a FIFO.
func (o *outputFile) Commit(ss sessionFiles) error {
	err := o.File.Close()
	if !o.tmp {
		return err
	}
	if err == nil {
		if st, serr := os.Stat(o.path); serr == nil && !st.Mode().IsRegular() {
			err = fmt.Errorf("%s is not a regular file (%s)", o.path, scenarios.ModeName(st.Mode()))
		}
	}
	if err == nil {
		err = notTheSessions(o.path, ss)
	}
	if err == nil {
		err = os.Rename(o.File.Name(), o.path)
	}
	if err != nil {
		os.Remove(o.File.Name())
	}
	return err
}

// Abort gives the output up: a replacing one's temporary file is removed (the target is as it
// was); a truncated file stays as written so far. Safe after Commit.
func (o *outputFile) Abort() {
	o.File.Close()
	if o.tmp {
		os.Remove(o.File.Name())
	}
}

// writeOutput writes an output made whole in memory (a plot) through createOutput, replacing.
func writeOutput(path string, ss sessionFiles, data []byte) error {
	o, err := createOutput(path, ss, true)
	if err != nil {
		return err
	}
	if _, err := o.Write(data); err != nil {
		o.Abort()
		return err
	}
	return o.Commit(ss)
}

// writePlot draws a plot in its file's format (draw) and writes it (writeOutput); the notes say
// what it could not draw.
func writePlot(path string, draw func(format string) ([]byte, []string, error)) ([]string, error) {
	format, err := study.PlotFormat(path)
	if err != nil {
		return nil, err
	}
	img, notes, err := draw(format)
	if err != nil {
		return nil, err
	}
	return notes, writeOutput(path, nil, img)
}

// scenarioPath is the scenario's file, an input outputs must not overwrite ("" for a bundled
// scenario, which has none).
func scenarioPath(sc *scenarios.Scenario) string {
	if strings.HasPrefix(sc.File, scenarios.BundledPrefix) {
		return ""
	}
	return sc.File
}
