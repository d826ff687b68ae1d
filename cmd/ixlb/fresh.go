//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/store"
)

// removeSessionFiles is --fresh: it deletes the session's files in dir — the state database and
// the scenario's interaction databases, each with its -wal, -shm and -journal — and nothing else.
// Each file is first identified by what it says of itself (an ixlb file of the right kind and
// name, a regular file, inside dir); if any is not, nothing at all is removed and the error names
// it. The caller holds dir's lock, so no other ixlb has these files open.
func removeSessionFiles(dir string, cfg core.Config) error {
	type file struct{ path, kind, name string }
	files := []file{{filepath.Join(dir, store.StateFileName), "state", ""}}
	for _, n := range cfg.Databases {
		p := filepath.Join(dir, n+".db")
		// The loader refuses names that are not plain file names; this is the last line of
		// defence for a configuration built some other way.
		if filepath.Dir(p) != filepath.Clean(dir) || filepath.Base(p) != n+".db" {
			return fmt.Errorf("--fresh: database name %q is not a plain file name: nothing removed", n)
		}
		files = append(files, file{p, "interactions", n})
	}
	var remove []string
	for _, f := range files {
		info, err := store.Identify(f.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("--fresh: %w; nothing removed (move it away, or use another --data directory)", err)
		case info.Kind != f.kind || (f.name != "" && info.Name != f.name):
			return fmt.Errorf("--fresh: %s is an ixlb %s file of %q, not this session's %s; nothing removed (move it away, or use another --data directory)",
				f.path, info.Kind, info.Name, f.kind)
		}
		remove = append(remove, f.path)
	}
	for _, p := range remove {
		for _, suffix := range []string{"-wal", "-shm", "-journal", ""} { // the main file last
			if err := os.Remove(p + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("--fresh: %w", err)
			}
		}
	}
	return nil
}
