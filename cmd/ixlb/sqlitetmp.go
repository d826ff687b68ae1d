//go:build cgo

package main

import (
	"os"
	"sync"
)

// sqliteTempOnce points SQLite's temporary files (statement journals, sorts that spill: over a
// gigabyte in a big run) into the first session's data directory instead of the system's
// temporary directory, so nothing of a session lands outside it. SQLite reads SQLITE_TMPDIR when
// it makes a temporary file; the variable is set once, before any database of the process is
// opened, because changing the environment while SQLite threads may read it is not safe. A
// scenario the console opens later keeps its temporary files in the first session's directory.
var sqliteTempOnce sync.Once

func sqliteTempIn(dir string) {
	sqliteTempOnce.Do(func() {
		os.Setenv("SQLITE_TMPDIR", dir)
	})
}
