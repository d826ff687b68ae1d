package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/ixlb/ixlb/core"
)

// What a console drill needs of its session: a copy of the scenario file it ran (an export
// edits it: `ixlb export DIR`), and cutting the saved session at an earlier instant (a branch
// from a rewound view).

// ScenarioCopyFile is the session's copy of its scenario file, as the session last opened it.
const ScenarioCopyFile = "scenario.yaml"

// maxScenarioCopy bounds what ScenarioText reads: a scenario file is at most 8 MiB.
const maxScenarioCopy = 8 << 20

// ScenarioText reads the session's copy of its scenario file.
func (s *Session) ScenarioText() ([]byte, error) {
	fh, err := os.OpenFile(filepath.Join(s.dir, ScenarioCopyFile), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", fh.Name())
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxScenarioCopy+1))
	if err == nil && len(b) > maxScenarioCopy {
		err = fmt.Errorf("%s: larger than a scenario file", fh.Name())
	}
	return b, err
}

// SetScenarioText keeps text as the session's copy of its scenario file. The file is replaced,
// never written into (it may be a link someone made). It is written beside the journal only:
// before the session's first save it waits for it (a directory holding a scenario.yaml and no
// journal is not a session: see isOwnFile).
func (s *Session) SetScenarioText(text []byte) error {
	if !nonEmpty(s.StatePath()) {
		s.scenarioText = append([]byte{}, text...)
		return nil
	}
	tmp, err := os.CreateTemp(s.dir, ".ixlb-scenario-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(text)
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(s.dir, ScenarioCopyFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// Branch makes the saved session the branch cut: an earlier instant of it (its journal replayed
// there) with the operator's actions applied at that instant. What the run wrote so far is
// committed first; then, in one transaction, the event lines after the instant and the operator
// actions after it go, the lines the branch's actions logged and their records go in, and the
// journal after them is saved (a kill at any instant leaves the session as before the branch or
// as the branch with its actions: both reopen). The interaction databases are left to the
// engine's resume of that journal (core.Resume with WithRebuild rewrites the rows that moved on
// after the instant, and replays the actions); a crash before that finds them ahead of the
// journal, and resuming rolls them back to it.
func (s *Session) Branch(cut core.BranchCut) error {
	if err := s.st.Commit(); err != nil {
		return fmt.Errorf("branch: %w", err)
	}
	if err := s.st.Branch(cut); err != nil {
		return fmt.Errorf("branch: %w", err)
	}
	return s.flushScenarioText()
}
