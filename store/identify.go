package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// StateFileName is the state database's file in a data directory.
const StateFileName = stateFileName

// FileInfo is what an ixlb file says of itself in its meta table.
type FileInfo struct {
	Kind     string // "state" or "interactions"
	Name     string // an interaction database's logical name
	Identity string // made when the file was created
	// Empty says the file holds nothing at all: empty, or a database without tables (a file
	// stopped as SQLite made it, before ixlb wrote its schema). Kind, Name and Identity are "".
	Empty bool
}

// Identify reads, changing nothing, what the ixlb file at path is. A file that is not an ixlb
// file (not SQLite, damaged, someone else's, a symbolic link or not a regular file) is an error
// wrapping ErrNotIxlb. `--fresh` removes only files it has identified as the session's.
func Identify(path string) (FileInfo, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return FileInfo{}, err
	}
	if !st.Mode().IsRegular() {
		return FileInfo{}, fmt.Errorf("%s: %w: not a regular file", path, ErrNotIxlb)
	}
	if st.Size() == 0 && !exists(path+"-wal") && !exists(path+"-journal") {
		return FileInfo{Empty: true}, nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return FileInfo{}, err
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(fh, head)
	fh.Close()
	if (err != nil || !bytes.Equal(head, []byte(sqliteHeader))) && !exists(path+"-journal") {
		return FileInfo{}, fmt.Errorf("%s: %w: not a SQLite file", path, ErrNotIxlb)
	}
	db, done, err := openReadOnly(path, 1000)
	if err != nil {
		return FileInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	defer done()
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&tables); err == nil && tables == 0 {
		return FileInfo{Empty: true}, nil
	}
	m, err := readMeta(db)
	if err != nil {
		return FileInfo{}, fmt.Errorf("%s: %w: %v", path, ErrNotIxlb, classify(err))
	}
	if m["kind"] == "" || m["identity"] == "" {
		return FileInfo{}, fmt.Errorf("%s: %w: no kind or identity in its meta table", path, ErrNotIxlb)
	}
	return FileInfo{Kind: m["kind"], Name: m["name"], Identity: m["identity"]}, nil
}
