//go:build !cgo

package main

import (
	"fmt"
	"os"
)

// ixlb keeps its state in SQLite through go-sqlite3, which is C compiled with cgo. Built with
// cgo off (CGO_ENABLED=0, or no C compiler on the PATH, where Go turns cgo off by itself) the
// build still succeeds, with this main only, and says what to do instead of failing deep in
// go-sqlite3 with "c.Prepare undefined".
func main() {
	fmt.Fprintln(os.Stderr, "ixlb: this ixlb was built without cgo, which it needs for SQLite (go-sqlite3):\n"+
		"install gcc (or another C compiler) and rebuild with CGO_ENABLED=1, e.g. CGO_ENABLED=1 go build ./cmd/ixlb")
	os.Exit(2)
}
