package store

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// ReadEvents calls fn for each event line in the log of data directory dir with seq >= from, in
// order, until fn returns an error (returned as is). It only reads: a run or a console may be
// using the directory (it sees what they have committed), and a file of an older ixlb is read in
// its own layout without being migrated. line is valid only during the call.
func ReadEvents(dir string, from uint64, fn func(seq uint64, line []byte) error) error {
	if d, err := os.Stat(dir); err != nil || !d.IsDir() {
		return fmt.Errorf("%s: not an ixlb data directory", dir)
	}
	path := filepath.Join(dir, stateFileName)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: not an ixlb data directory (no %s)", dir, stateFileName)
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s: %w: a directory", path, ErrNotIxlb)
	}
	o := &Options{}
	if err := inspect(path, stateSchema, o); err != nil {
		return fmt.Errorf("read events from %s: %w", path, err)
	}
	db, done, err := openReadOnly(path, o.busyMillis())
	if err != nil {
		return fmt.Errorf("read events from %s: %w", path, err)
	}
	defer done()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin() // one snapshot: the layout read first is the one the lines are in
	if err != nil {
		return fmt.Errorf("read events from %s: %w", path, err)
	}
	defer tx.Rollback()
	m, err := readMeta(tx)
	if err != nil {
		return fmt.Errorf("read events from %s: %w", path, classify(err))
	}
	version, _ := strconv.Atoi(m["schema_version"])
	from = min(from, math.MaxInt64)
	var q string
	switch version {
	case 1: // a row per event
		q = `SELECT seq, length(CAST(line AS BLOB)), CAST(line AS BLOB) FROM events WHERE seq >= ?1 ORDER BY seq`
	case 2: // text chunks
		q = `SELECT first_seq, length(CAST(lines AS BLOB)), CAST(lines AS BLOB) FROM event_chunks WHERE last_seq >= ?1 ORDER BY first_seq`
	default:
		q = `SELECT first_seq, size, data FROM event_chunks WHERE last_seq >= ?1 ORDER BY first_seq`
	}
	rows, err := tx.Query(q, int64(from))
	if err != nil {
		return fmt.Errorf("read events from %s: %w", path, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var first, size int64
		var data []byte
		if err := rows.Scan(&first, &size, &data); err != nil {
			return fmt.Errorf("read events from %s: %w", path, err)
		}
		lines, err := decodeChunk(data, size)
		if err != nil {
			return fmt.Errorf("read events from %s: chunk %d: %w", path, first, err)
		}
		var stop error
		err = splitLines(lines, uint64(first), func(seq uint64, line []byte) (bool, error) {
			if seq < from {
				return true, nil
			}
			if err := fn(seq, line); err != nil {
				stop = err
				return false, nil
			}
			return true, nil
		})
		if stop != nil {
			return stop
		}
		if err != nil {
			return fmt.Errorf("read events from %s: %w", path, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read events from %s: %w", path, classify(err))
	}
	return nil
}
