package store

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// The event log's chain of hashes. Every chunk row keeps, beside its lines:
//
//   - log_sha256: the SHA-256 state (as encoding.BinaryMarshaler writes it, the form of the
//     journal's log_hash) of the whole log through the chunk's last line, each line followed by a
//     newline: the hash the report's events_sha256 is the digest of;
//   - data_sha256: the SHA-256 of the row itself (its seqs, its size and its stored data) and of
//     the states before and after it (rowDigest).
//
// A resume checks the stored log against the journal's hash (Session.checkStoredLog). Reading
// every line back meant inflating the whole log; with the chain it is enough that each chunk's
// row is the one written after the state the log before it was verified to (data_sha256, over
// the compressed bytes: a sixth of the text, and no inflating), that the seqs run on without a gap, and that the state stored through the
// journal's last line is the journal's. Only a chunk that straddles the journal's last line (a
// commit after the last saved state) is inflated, and hashed on from the state before it; so is
// a chunk of an older ixlb, which has no hashes (NULL), and anything whose row does not match.
//
// The states are computed as the log is written: the sealer hashes each chunk's lines on from the
// last one's as it compresses them, and the committer checks that the state it started from is
// the committed log's (else it hashes the lines itself, from the right state: a replay, a
// rewind). So the chain says what the writer was given, as reading the lines back did.

// logMark is the committed log's last line and the hash state through it; state nil: unknown
// (the log was written by an older ixlb).
type logMark struct {
	seq   uint64
	state []byte
}

// known says the mark's state can be hashed on from.
func (m logMark) known() bool { return m.state != nil }

// emptyState is the state of the empty log.
var emptyState = func() []byte {
	b, _ := sha256.New().(encoding.BinaryMarshaler).MarshalBinary()
	return b
}()

// hashOn returns the state after text (lines joined by '\n') hashed on from state, each line
// with its newline; nil when state is nil or not a SHA-256 state.
func hashOn(state, text []byte) []byte {
	if state == nil {
		return nil
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil
	}
	h.Write(text)
	h.Write([]byte{'\n'})
	b, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	return b
}

// rowDigest is a chunk row's data_sha256: the hash states before and after it (base, end; nil
// when not known), its seqs, its size and its data. The states are in it so that a row vouches
// for its place in this log, not only for itself: a row of another session's log (the same seqs,
// even the same lines up to it) does not match the state the log before it was verified to, and
// a row whose end state is not the one it was written with does not match either.
func rowDigest(base, end []byte, first, last uint64, size int64, data []byte) []byte {
	h := sha256.New()
	var head [24]byte
	for _, st := range [][]byte{base, end} {
		binary.BigEndian.PutUint64(head[0:], uint64(len(st)))
		h.Write(head[:8])
		h.Write(st)
	}
	binary.BigEndian.PutUint64(head[0:], first)
	binary.BigEndian.PutUint64(head[8:], last)
	binary.BigEndian.PutUint64(head[16:], uint64(size))
	h.Write(head[:])
	h.Write(data)
	return h.Sum(nil)
}

// tailMark reads the committed log's mark: the last chunk's last seq and state.
func tailMark(c *sqlite3.SQLiteConn) (logMark, error) {
	rows, err := c.Query(`SELECT last_seq, log_sha256 FROM event_chunks ORDER BY first_seq DESC LIMIT 1`, nil)
	if err != nil {
		return logMark{}, fmt.Errorf("read the last events: %w", err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 2)
	switch err := rows.Next(dest); {
	case err == io.EOF:
		return logMark{seq: 0, state: emptyState}, nil
	case err != nil:
		return logMark{}, fmt.Errorf("read the last events: %w", err)
	}
	last, _ := dest[0].(int64)
	return logMark{seq: uint64(last), state: asBytes(dest[1])}, nil
}

// stateBefore reads the hash state of the log before the chunk that starts at first: the state
// stored with the chunk before it, the empty log's when it is the first.
func stateBefore(c *sqlite3.SQLiteConn, first uint64) ([]byte, error) {
	rows, err := c.Query(`SELECT last_seq, log_sha256 FROM event_chunks WHERE first_seq < ? ORDER BY first_seq DESC LIMIT 1`,
		[]driver.Value{int64(first)})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dest := make([]driver.Value, 2)
	switch err := rows.Next(dest); {
	case err == io.EOF:
		if first == 1 {
			return emptyState, nil
		}
		return nil, nil
	case err != nil:
		return nil, err
	}
	if last, _ := dest[0].(int64); uint64(last)+1 != first {
		return nil, nil
	}
	return asBytes(dest[1]), nil
}

// sealer hashes and compresses the event log's full chunks on a goroutine of its own, in order,
// while the engine goes on: compression is most of what the log costs, and done at commit time it
// held the state's commit (and so the interaction databases' next batch) behind it. A chunk is
// handed over once, when it is full or its batch is taken, and not touched by anyone else until
// it is sealed.
//
// The sealer keeps the log's hash state through the last line it sealed, and gives each chunk the
// state before it (base) and after it (end). After a gap (a replay of history, a rewind) it does
// not know the state until the committed log's mark catches up with it (resync); the committer
// hashes such chunks itself.
type sealer struct {
	jobs  chan sealJob
	exit  chan struct{}
	h     hash.Hash
	seq   uint64
	known bool
	cd    codec
	tail  func() logMark // the committed log's mark
}

type sealJob struct {
	c     *chunk
	reset *logMark // restart the hash from this mark (after a rewind)
}

func newSealer(mark logMark, tail func() logMark) *sealer {
	s := &sealer{h: sha256.New(), tail: tail}
	s.restart(mark)
	if !serial {
		s.jobs = make(chan sealJob, 64)
		s.exit = make(chan struct{})
		go s.loop()
	}
	return s
}

func (s *sealer) loop() {
	defer close(s.exit)
	for j := range s.jobs {
		s.do(j)
	}
}

// submit hands a job over: to the goroutine, or, in the crash-point walk's serial order, done at
// once on the caller's.
func (s *sealer) submit(j sealJob) {
	if j.c != nil {
		j.c.sealed = make(chan struct{})
	}
	if s.jobs == nil {
		s.do(j)
		return
	}
	s.jobs <- j
}

func (s *sealer) stop() {
	if s.jobs != nil {
		close(s.jobs)
		<-s.exit
		s.jobs = nil
	}
}

func (s *sealer) restart(m logMark) {
	s.seq, s.known = m.seq, false
	if m.known() && s.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(m.state) == nil {
		s.known = true
	}
}

func (s *sealer) do(j sealJob) {
	if j.reset != nil {
		s.restart(*j.reset)
		return
	}
	c := j.c
	defer close(c.sealed)
	if !s.known || s.seq+1 != c.first {
		if m := s.tail(); m.seq+1 == c.first {
			s.restart(m)
		} else {
			s.known = false
		}
	}
	if s.known {
		c.base, _ = s.h.(encoding.BinaryMarshaler).MarshalBinary()
		s.h.Write(c.text)
		s.h.Write([]byte{'\n'})
		c.end, _ = s.h.(encoding.BinaryMarshaler).MarshalBinary()
	}
	s.seq = c.last
	c.size = int64(len(c.text))
	if len(c.text) >= mergeBytes {
		if data := s.cd.encode(c.text, true); len(data) < len(c.text) {
			c.data = append(getData(), data...)
			putText(c.text)
			c.text = nil
			return
		}
	}
	c.data = c.text // small (the log's last chunk, maybe appended to): stored as is
}

// textPool keeps chunk text buffers: a busy run fills one every few thousand events.
var textPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkBytes+4096); return &b }}

func getText() []byte { return (*textPool.Get().(*[]byte))[:0] }

// dataPool keeps the buffers of sealed chunks' compressed data (about 20 KiB a chunk).
var dataPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

func getData() []byte { return (*dataPool.Get().(*[]byte))[:0] }

func putData(b []byte) {
	if cap(b) >= 16<<10 && cap(b) <= 64<<10 {
		b = b[:0]
		dataPool.Put(&b)
	}
}

func putText(b []byte) {
	if cap(b) >= chunkBytes && cap(b) <= 2*chunkBytes {
		b = b[:0]
		textPool.Put(&b)
	}
}

// verifyLog checks the committed log's lines 1…events against the journal's hash state want: it
// returns how many lines it found in sequence (at most events) and the digest of the log through
// them, or an error when a chunk cannot be read. See the chain above for what it reads.
func (st *stateFile) verifyLog(events uint64) (n uint64, digest string, err error) {
	st.settle()
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT first_seq, last_seq, size, data, log_sha256, data_sha256 FROM event_chunks
		WHERE first_seq <= ? ORDER BY first_seq`, int64(min(events, math.MaxInt64)))
	if err != nil {
		return 0, "", fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	state := emptyState
	h := sha256.New()
	// chained: state is the one the next chunk's stored state was hashed on from, so a chunk whose
	// row is the one written vouches for the log through it. A chunk whose lines were read and
	// hash to another state than its stored one breaks the chain: from there on every chunk is read.
	chained := true
	for rows.Next() {
		var first, last, size int64
		// The data and its digest are read in place (RawBytes: valid until the next row), not
		// copied: they are hashed or inflated right here. The state is kept past the row.
		var data, dataSum sql.RawBytes
		var logState []byte
		if err := rows.Scan(&first, &last, &size, &data, &logState, &dataSum); err != nil {
			return 0, "", fmt.Errorf("read events from %s: %w", st.path, err)
		}
		if uint64(first) != n+1 || last < first {
			break // a gap: the lines found so far are all there is
		}
		if chained && uint64(last) <= events && logState != nil && dataSum != nil &&
			bytes.Equal(dataSum, rowDigest(state, logState, uint64(first), uint64(last), size, data)) {
			state, n = logState, uint64(last)
			continue
		}
		lines, err := decodeChunk(data, size)
		if err != nil {
			return 0, "", fmt.Errorf("read events from %s: chunk %d: %w", st.path, first, err)
		}
		if uint64(last) > events {
			lines = lines[:cutLines(lines, int(events-uint64(first)+1))]
			last = int64(events)
		}
		if k := bytes.Count(lines, []byte{'\n'}) + 1; k != int(last-first+1) {
			return 0, "", fmt.Errorf("read events from %s: chunk %d: %w: %d lines, its seqs say %d", st.path, first, errDamagedChunk, k, last-first+1)
		}
		state, n = hashOn(state, lines), uint64(last)
		if state == nil {
			return 0, "", fmt.Errorf("read events from %s: chunk %d: the stored hash state cannot be read", st.path, first)
		}
		chained = logState != nil && bytes.Equal(logState, state)
	}
	if err := rows.Err(); err != nil {
		return 0, "", fmt.Errorf("read events from %s: %w", st.path, err)
	}
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return 0, "", fmt.Errorf("read events from %s: the stored hash state cannot be read: %v", st.path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
