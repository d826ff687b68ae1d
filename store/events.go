package store

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"io"
	"math"
	"strconv"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/ixlb/ixlb/core"
)

// The event log is kept in chunks: one row holds a run of consecutive event lines, joined by
// newlines (a line is JSON, so it never contains one). A row per event cost more than the rest of
// the persistence together (1.2 million INSERTs for a 200,000-interaction run); a chunk row is a
// few thousand lines for the price of one.
//
// A chunk's lines are stored zlib-compressed, in the layout of SQLite's archive format (sqlar):
// size is the length of the lines, and data is the lines themselves when size = length(data),
// their zlib stream otherwise. The log is repetitive (the same keys, kinds and names on every
// line): about 100 bytes an event as text, 15 compressed, which is most of what ixlb.db held.
// Only the last chunk, while it is small and may still be appended to (the console commits a few
// lines at a time), is stored as is; it is compressed when it is sealed.
//
// The view events(seq, t, kind, line) shows the lines one a row again, with plain SQL in the
// sqlite3 shell (whose sqlar_uncompress function inflates a chunk; ixlb registers the same on its
// own connections), or with `ixlb events DIR`:
//
//	sqlite3 DIR/ixlb.db "SELECT seq, t, kind, line FROM events WHERE kind = 'completed' LIMIT 5"
//
// It parses the chunks with json_each, so it scans (and parses) every chunk: to look at a range,
// pick the chunks first, e.g.
//
//	SELECT * FROM events WHERE seq BETWEEN 5000 AND 5100
//	-- is slower than
//	SELECT c.first_seq + j.key, j.value FROM event_chunks AS c,
//	  json_each('[' || replace(CAST(sqlar_uncompress(c.data, c.size) AS TEXT), char(10), ',') || ']') AS j
//	  WHERE c.last_seq >= 5000 AND c.first_seq <= 5100 AND c.first_seq + j.key BETWEEN 5000 AND 5100
const (
	eventChunksDDL = `CREATE TABLE event_chunks (
			first_seq   INTEGER PRIMARY KEY, -- seq of the first line
			last_seq    INTEGER NOT NULL,    -- seq of the last line: the lines' seqs are consecutive
			first_t     INTEGER NOT NULL,    -- virtual nanoseconds of the first line
			last_t      INTEGER NOT NULL,    -- and of the last
			size        INTEGER NOT NULL,    -- bytes of the lines (JSON, joined by newlines)
			data        BLOB NOT NULL,       -- the lines, zlib-compressed unless size = length(data) (sqlar)
			log_sha256  BLOB,                -- SHA-256 state of the log through last_seq (logchain.go); NULL: unknown
			data_sha256 BLOB                 -- SHA-256 of first_seq, last_seq, size and data (logchain.go)
		)`
	// Schema version 4: no hashes. Version 3 migrates through it.
	eventChunksDDLv4 = `CREATE TABLE event_chunks (
			first_seq INTEGER PRIMARY KEY, -- seq of the first line
			last_seq  INTEGER NOT NULL,    -- seq of the last line: the lines' seqs are consecutive
			first_t   INTEGER NOT NULL,    -- virtual nanoseconds of the first line
			last_t    INTEGER NOT NULL,    -- and of the last
			size      INTEGER NOT NULL,    -- bytes of the lines (JSON, joined by newlines)
			data      BLOB NOT NULL        -- the lines, zlib-compressed unless size = length(data) (sqlar)
		)`
	// Schema version 3: times in REAL seconds. Version 2 migrates through it.
	eventChunksDDLv3 = `CREATE TABLE event_chunks (
			first_seq INTEGER PRIMARY KEY, -- seq of the first line
			last_seq  INTEGER NOT NULL,    -- seq of the last line: the lines' seqs are consecutive
			first_t   REAL NOT NULL,       -- virtual seconds of the first line
			last_t    REAL NOT NULL,       -- and of the last
			size      INTEGER NOT NULL,    -- bytes of the lines (JSON, joined by newlines)
			data      BLOB NOT NULL        -- the lines, zlib-compressed unless size = length(data) (sqlar)
		)`
	eventsViewDDL = `CREATE VIEW events(seq, t, kind, line) AS
		SELECT c.first_seq + j.key, json_extract(j.value, '$.t'), json_extract(j.value, '$.kind'), j.value
		FROM event_chunks AS c,
			json_each('[' || replace(CAST(sqlar_uncompress(c.data, c.size) AS TEXT), char(10), ',') || ']') AS j`

	// Schema version 2: the chunks' lines as text. Version 1 migrates through it.
	eventChunksDDLv2 = `CREATE TABLE event_chunks (
			first_seq INTEGER PRIMARY KEY, -- seq of the first line
			last_seq  INTEGER NOT NULL,    -- seq of the last line: the lines' seqs are consecutive
			first_t   REAL NOT NULL,       -- virtual seconds of the first line
			last_t    REAL NOT NULL,       -- and of the last
			lines     TEXT NOT NULL        -- the event log lines (JSON), joined by newlines
		)`
	eventsViewDDLv2 = `CREATE VIEW events(seq, t, kind, line) AS
		SELECT c.first_seq + j.key, json_extract(j.value, '$.t'), json_extract(j.value, '$.kind'), j.value
		FROM event_chunks AS c, json_each('[' || replace(c.lines, char(10), ',') || ']') AS j`
)

// chunkBytes is the size (of the lines, before compression) a chunk stops growing at. 128 KiB
// compresses to about 20 KiB: big enough that the row overhead and the last page's slack vanish,
// small enough that reading the last few events inflates little.
const chunkBytes = 128 << 10

// mergeBytes: a commit's first chunk is appended to the last committed one while both together
// stay below this. The console commits ten times a second with a few lines each; merging keeps
// its log from becoming a chunk per commit, and the bound keeps the row rewrite it costs small.
// A last chunk below it is stored uncompressed, so that appending does not inflate it first.
const mergeBytes = 16 << 10

// migrateChunksToSqlar moves a version 2 state file's text chunks into the sqlar layout, as they
// are (uncompressed: size = length(data)); chunks written from then on are compressed.
var migrateChunksToSqlar = []string{
	`DROP VIEW events`,
	`ALTER TABLE event_chunks RENAME TO event_chunks_v2`,
	eventChunksDDLv3,
	`INSERT INTO event_chunks(first_seq, last_seq, first_t, last_t, size, data)
		SELECT first_seq, last_seq, first_t, last_t, length(CAST(lines AS BLOB)), CAST(lines AS BLOB)
		FROM event_chunks_v2`,
	`DROP TABLE event_chunks_v2`,
	eventsViewDDL,
}

// migrateEventsToChunks moves a version 1 state file's per-event rows into chunks: runs of
// consecutive seqs, cut where the running length passes chunkBytes.
var migrateEventsToChunks = []string{
	eventChunksDDLv2,
	`INSERT INTO event_chunks(first_seq, last_seq, first_t, last_t, lines)
		SELECT first, last, (SELECT t FROM events WHERE seq = first), (SELECT t FROM events WHERE seq = last), lines
		FROM (
			SELECT min(seq) AS first, max(seq) AS last, group_concat(line, char(10) ORDER BY seq) AS lines
			FROM (
				SELECT seq, line, run, (sum(length(CAST(line AS BLOB)) + 1) OVER (PARTITION BY run ORDER BY seq) - 1) / ` +
		strconv.Itoa(chunkBytes) + ` AS part
				FROM (SELECT seq, line, seq - row_number() OVER (ORDER BY seq) AS run FROM events)
			)
			GROUP BY run, part
		)`,
	`DROP TABLE events`,
	eventsViewDDLv2,
}

// chunk is a run of consecutive event lines of a batch. While open it takes lines (text); once
// handed to the sealer (sealed is made) nobody touches it until sealed is closed, and then it
// holds its sqlar data (and the text only when the data is the text itself).
type chunk struct {
	first, last   uint64 // seq
	firstT, lastT int64  // virtual nanoseconds
	text          []byte // the lines joined by '\n'; nil once sealed and compressed
	sealed        chan struct{}
	size          int64  // sealed: the length of the lines
	data          []byte // sealed: the sqlar data
	base, end     []byte // sealed: the log's hash state before and after it, nil when unknown
}

func (c *chunk) lines() uint64 { return c.last - c.first + 1 }

// wait waits for the sealer to finish with the chunk, if it has it.
func (c *chunk) wait() {
	if c.sealed != nil {
		<-c.sealed
	}
}

// open makes a sealed chunk open again, with its lines as text (a replay cuts into it).
func (c *chunk) reopen() error {
	if c.sealed == nil {
		return nil
	}
	<-c.sealed
	if c.text == nil {
		lines, err := decodeChunk(c.data, c.size)
		if err != nil {
			return err
		}
		c.text = append(getText(), lines...)
	}
	c.sealed, c.data, c.base, c.end, c.size = nil, nil, nil, nil, 0
	return nil
}

// release gives the chunk's text buffer back, once the sealer is done with it.
func (c *chunk) release() {
	c.wait()
	if c.text != nil {
		putText(c.text)
	} else if c.data != nil {
		putData(c.data)
	}
	c.text, c.data = nil, nil
}

// stateBatch is one commit of the state file: event lines, operator actions and the run state.
type stateBatch struct {
	chunks  []*chunk
	lines   int
	actions []pendingAction
	run     *RunState
	tickets []fileTicket // interaction batches that must be committed first
}

// fileTicket says: the state may commit once file f has finished the job with ticket t.
type fileTicket struct {
	f *ixnFile
	t uint64
}

func (b *stateBatch) empty() bool { return b.lines == 0 && len(b.actions) == 0 && b.run == nil }

func (b *stateBatch) reset() {
	for _, c := range b.chunks {
		c.release()
	}
	clear(b.chunks)
	b.chunks, b.lines, b.actions, b.run = b.chunks[:0], 0, b.actions[:0], nil
	clear(b.tickets)
	b.tickets = b.tickets[:0]
}

// open is the batch's last chunk when it still takes lines.
func (b *stateBatch) open() *chunk {
	if n := len(b.chunks); n > 0 && b.chunks[n-1].sealed == nil {
		return b.chunks[n-1]
	}
	return nil
}

// add appends one event line. A line continues the open chunk when its seq follows on and the
// chunk has room; a full chunk is handed to seal. A seq at or before a pending one replays
// history: the pending lines from there on are dropped first (the committer does the same to
// committed ones).
func (b *stateBatch) add(seq uint64, t int64, line []byte, seal func(*chunk)) {
	if n := len(b.chunks); n > 0 && seq <= b.chunks[n-1].last {
		b.dropFrom(seq)
	}
	if c := b.open(); c != nil {
		if seq == c.last+1 && len(c.text)+1+len(line) <= chunkBytes {
			c.text = append(c.text, '\n')
			c.text = append(c.text, line...)
			c.last, c.lastT = seq, t
			b.lines++
			return
		}
		seal(c)
	}
	c := &chunk{first: seq, last: seq, firstT: t, lastT: t, text: append(getText(), line...)}
	b.chunks = append(b.chunks, c)
	b.lines++
}

// sealOpen hands the open chunk, if any, to seal: the batch is about to be committed.
func (b *stateBatch) sealOpen(seal func(*chunk)) {
	if c := b.open(); c != nil {
		seal(c)
	}
}

// dropFrom drops the lines with seq >= from.
func (b *stateBatch) dropFrom(from uint64) {
	for n := len(b.chunks); n > 0; n = len(b.chunks) {
		c := b.chunks[n-1]
		if c.last < from {
			return
		}
		if c.first >= from {
			b.lines -= int(c.lines())
			c.release()
			b.chunks[n-1] = nil
			b.chunks = b.chunks[:n-1]
			continue
		}
		if err := c.reopen(); err != nil {
			// Our own compression does not inflate: nothing to keep of it.
			b.lines -= int(c.lines())
			b.chunks[n-1] = nil
			b.chunks = b.chunks[:n-1]
			continue
		}
		end := cutLines(c.text, int(from-c.first))
		t, _, err := core.EventLineTimeKind(c.text[lastLineStart(c.text[:end]):end])
		if err != nil {
			t = c.firstT // not ours to judge here: the time only guides lookups
		}
		b.lines -= int(c.last - from + 1)
		c.last, c.lastT, c.text = from-1, t, c.text[:end]
		return
	}
}

// merge appends a later batch (its lines, actions and run state) to b, the retry of a failed one;
// o's chunks move to b.
func (b *stateBatch) merge(o *stateBatch) {
	for i, c := range o.chunks {
		if n := len(b.chunks); n > 0 && c.first <= b.chunks[n-1].last {
			b.dropFrom(c.first)
		}
		b.chunks = append(b.chunks, c)
		b.lines += int(c.lines())
		o.chunks[i] = nil
	}
	o.chunks, o.lines = o.chunks[:0], 0
	b.actions = append(b.actions, o.actions...)
	if o.run != nil {
		b.run = o.run
	}
}

// cutLines returns the length of the first n lines of lines (without the newline after them).
func cutLines(lines []byte, n int) int {
	pos := 0
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(lines[pos:], '\n')
		if j < 0 {
			return len(lines)
		}
		if i == n-1 {
			return pos + j
		}
		pos += j + 1
	}
	return 0
}

func lastLineStart(lines []byte) int { return bytes.LastIndexByte(lines, '\n') + 1 }

// chunkWriter writes a batch's chunks in one transaction and keeps the log's mark (its last line
// and hash state) as it goes.
type chunkWriter struct {
	c    wconn
	cd   *codec
	mark logMark // the log as written so far in the transaction
}

// writeChunks inserts the batch's chunks after the log whose mark is m, and returns the new mark.
// The first one may replay history (seqs at or before the last committed line: what comes after
// is dropped first) or continue the last committed chunk (it is appended to while small). Every
// chunk is compressed but the last one while it is small. The caller holds the transaction.
func writeChunks(c wconn, b *stateBatch, cd *codec, m logMark) (logMark, error) {
	if len(b.chunks) == 0 {
		return m, nil
	}
	for _, ch := range b.chunks {
		ch.wait()
	}
	w := &chunkWriter{c: c, cd: cd, mark: m}
	appended, err := w.continueTail(b.chunks[0], len(b.chunks) == 1)
	if err != nil {
		return m, err
	}
	from := 0
	if appended {
		from = 1
	}
	for i := from; i < len(b.chunks); i++ {
		if err := w.insert(b.chunks[i], i == len(b.chunks)-1); err != nil {
			return m, err
		}
	}
	return w.mark, nil
}

// text is a sealed chunk's lines.
func (ch *chunk) lineText() ([]byte, error) {
	if ch.text != nil {
		return ch.text, nil
	}
	return decodeChunk(ch.data, ch.size)
}

// endState is the hash state after ch when it follows the log as written so far: the sealer's
// when it started from the same state, else the lines hashed on here; nil when the state before
// is not known (an older ixlb's log) or ch does not follow on.
func (w *chunkWriter) endState(ch *chunk, text []byte) ([]byte, error) {
	m := w.mark
	if !m.known() || m.seq+1 != ch.first {
		return nil, nil
	}
	if ch.base != nil && bytes.Equal(ch.base, m.state) {
		return ch.end, nil
	}
	if text == nil {
		var err error
		if text, err = ch.lineText(); err != nil {
			return nil, err
		}
	}
	return hashOn(m.state, text), nil
}

// insert writes one chunk; last says it is the log's last, stored as is while small.
func (w *chunkWriter) insert(ch *chunk, isLast bool) error {
	data := ch.data
	if !isLast && int64(len(data)) == ch.size && ch.size >= 64 {
		data = append([]byte(nil), w.cd.encode(data, true)...) // a small chunk, not the last after all
	}
	end, err := w.endState(ch, nil)
	if err != nil {
		return fmt.Errorf("insert events %d-%d: %w", ch.first, ch.last, err)
	}
	var base []byte
	if end != nil {
		base = w.mark.state // endState knew it: ch follows the mark
	}
	err = w.c.exec(`INSERT INTO event_chunks(first_seq, last_seq, first_t, last_t, size, data, log_sha256, data_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(ch.first), int64(ch.last), ch.firstT, ch.lastT, ch.size, data, nilIfEmpty(end), rowDigest(base, end, ch.first, ch.last, ch.size, data))
	if err != nil {
		return fmt.Errorf("insert events %d-%d: %w", ch.first, ch.last, err)
	}
	w.mark = logMark{seq: ch.last, state: end}
	return nil
}

// nilIfEmpty stores an unknown state as NULL.
func nilIfEmpty(b []byte) driver.Value {
	if b == nil {
		return nil
	}
	return b
}

// continueTail makes room for ch after the committed chunks: lines at or after ch.first are
// dropped (a replay), and ch is appended to the last chunk when it follows on and both are small;
// otherwise a last chunk stored as is gets compressed (sealed). only says ch is the batch's one
// chunk (the log's last after the commit). It reports whether ch was appended.
func (w *chunkWriter) continueTail(ch *chunk, only bool) (bool, error) {
	c := w.c
	tail, ok, err := tailChunk(c.SQLiteConn)
	if err != nil {
		return false, err
	}
	if ok && tail.last >= ch.first {
		if w.mark, err = dropChunksFrom(c, ch.first, w.cd); err != nil {
			return false, err
		}
		if tail, ok, err = tailChunk(c.SQLiteConn); err != nil {
			return false, err
		}
	}
	if !ok || !tail.raw() {
		return false, nil
	}
	if tail.last+1 == ch.first && ch.size == int64(len(ch.data)) && int(tail.size)+1+int(ch.size) <= mergeBytes {
		lines := make([]byte, 0, int(tail.size)+1+int(ch.size))
		lines = append(append(append(lines, tail.data...), '\n'), ch.data...)
		data := w.cd.encode(lines, !only)
		end, err := w.endState(ch, ch.data)
		if err != nil {
			return false, err
		}
		base, err := stateBefore(c.SQLiteConn, tail.first)
		if err != nil {
			return false, fmt.Errorf("append events %d-%d: %w", ch.first, ch.last, err)
		}
		err = c.exec(`UPDATE event_chunks SET data = ?, size = ?, last_seq = ?, last_t = ?, log_sha256 = ?, data_sha256 = ? WHERE first_seq = ?`,
			data, int64(len(lines)), int64(ch.last), ch.lastT, nilIfEmpty(end), rowDigest(base, end, tail.first, ch.last, int64(len(lines)), data), int64(tail.first))
		if err != nil {
			return false, fmt.Errorf("append events %d-%d: %w", ch.first, ch.last, err)
		}
		w.mark = logMark{seq: ch.last, state: end}
		return true, nil
	}
	// The tail is complete: seal it.
	if data := w.cd.encode(tail.data, true); len(data) < len(tail.data) {
		base, err := stateBefore(c.SQLiteConn, tail.first)
		if err != nil {
			return false, fmt.Errorf("compress events %d-%d: %w", tail.first, tail.last, err)
		}
		err = c.exec(`UPDATE event_chunks SET data = ?, data_sha256 = ? WHERE first_seq = ?`,
			data, rowDigest(base, tail.end, tail.first, tail.last, tail.size, data), int64(tail.first))
		if err != nil {
			return false, fmt.Errorf("compress events %d-%d: %w", tail.first, tail.last, err)
		}
	}
	return false, nil
}

// storedChunk is a committed chunk as read by tailChunk.
type storedChunk struct {
	first, last uint64
	size        int64
	data        []byte // as stored; read only when it is the lines themselves
	end         []byte // log_sha256: the hash state through it (nil: not known)
}

// raw says the chunk is stored uncompressed.
func (s *storedChunk) raw() bool { return int64(len(s.data)) == s.size }

// tailChunk reads the last committed chunk's seqs and size, and its lines when they are stored as
// is (a small last chunk; a compressed one is never appended to).
func tailChunk(c *sqlite3.SQLiteConn) (storedChunk, bool, error) {
	rows, err := c.Query(`SELECT first_seq, last_seq, size, CASE WHEN length(data) = size THEN data ELSE zeroblob(0) END, log_sha256
		FROM event_chunks ORDER BY first_seq DESC LIMIT 1`, nil)
	if err != nil {
		return storedChunk{}, false, fmt.Errorf("read the last events: %w", err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 5)
	switch err := rows.Next(dest); {
	case err == io.EOF:
		return storedChunk{}, false, nil
	case err != nil:
		return storedChunk{}, false, fmt.Errorf("read the last events: %w", err)
	}
	f, _ := dest[0].(int64)
	l, _ := dest[1].(int64)
	n, _ := dest[2].(int64)
	d, _ := dest[3].([]byte)
	if int64(len(d)) != n {
		d = nil // compressed (or an empty raw chunk, which never happens)
	} else {
		d = append([]byte(nil), d...)
	}
	return storedChunk{first: uint64(f), last: uint64(l), size: n, data: d, end: asBytes(dest[4])}, true, nil
}

// dropChunksFrom drops the committed event lines with seq >= from; the chunk that straddles from
// is cut. It returns the log's new mark.
func dropChunksFrom(c wconn, from uint64, cd *codec) (logMark, error) {
	if err := c.exec(`DELETE FROM event_chunks WHERE first_seq >= ?`, int64(from)); err != nil {
		return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
	}
	rows, err := c.Query(`SELECT first_seq, last_seq, first_t, size, data FROM event_chunks
		WHERE first_seq < ? ORDER BY first_seq DESC LIMIT 1`, []driver.Value{int64(from)})
	if err != nil {
		return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
	}
	dest := make([]driver.Value, 5)
	err = rows.Next(dest)
	rows.Close()
	switch {
	case err == io.EOF:
		return logMark{seq: 0, state: emptyState}, nil
	case err != nil:
		return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
	}
	first, _ := dest[0].(int64)
	if last, _ := dest[1].(int64); uint64(last) < from {
		m, err := tailMark(c.SQLiteConn)
		if err != nil {
			return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
		}
		return m, nil
	}
	size, _ := dest[3].(int64)
	lines, err := decodeChunk(asBytes(dest[4]), size)
	if err != nil {
		return logMark{}, fmt.Errorf("drop events from %d: chunk %d: %w", from, first, err)
	}
	lines = lines[:cutLines(lines, int(from-uint64(first)))]
	lastT, ok := dest[2].(int64) // the first line's: only if the last one's cannot be read
	if t, _, err := core.EventLineTimeKind(lines[lastLineStart(lines):]); err == nil || !ok {
		lastT = t
	}
	before, err := stateBefore(c.SQLiteConn, uint64(first))
	if err != nil {
		return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
	}
	end := hashOn(before, lines)
	data := cd.encode(lines, len(lines) >= mergeBytes) // the log's last chunk now
	err = c.exec(`UPDATE event_chunks SET data = ?, size = ?, last_seq = ?, last_t = ?, log_sha256 = ?, data_sha256 = ? WHERE first_seq = ?`,
		data, int64(len(lines)), int64(from-1), lastT, nilIfEmpty(end), rowDigest(before, end, uint64(first), from-1, int64(len(lines)), data), first)
	if err != nil {
		return logMark{}, fmt.Errorf("drop events from %d: %w", from, err)
	}
	return logMark{seq: from - 1, state: end}, nil
}

// asBytes is a BLOB or TEXT value's bytes, copied.
func asBytes(v driver.Value) []byte {
	switch s := v.(type) {
	case []byte:
		return append([]byte(nil), s...)
	case string:
		return []byte(s)
	}
	return nil
}

// events reads up to limit (all when negative) committed lines with seq >= from.
func (st *stateFile) events(from uint64, limit int) ([]EventLine, error) {
	st.settle()
	if limit == 0 {
		return nil, nil
	}
	upTo := st.visibleTo()
	// The chunk holding from, if any, and every chunk after it.
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT first_seq, size, data FROM event_chunks
		WHERE first_seq >= coalesce((SELECT max(first_seq) FROM event_chunks WHERE first_seq <= ?1), 0)
		ORDER BY first_seq`, int64(min(from, math.MaxInt64)))
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	var out []EventLine
	for rows.Next() {
		var first, size int64
		var data []byte
		if err := rows.Scan(&first, &size, &data); err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		lines, err := decodeChunk(data, size)
		if err != nil {
			return nil, fmt.Errorf("read events from %s: chunk %d: %w", st.path, first, err)
		}
		done := false
		err = splitLines(lines, uint64(first), func(seq uint64, line []byte) (bool, error) {
			if seq < from {
				return true, nil
			}
			if seq > upTo {
				done = true
				return false, nil
			}
			e, err := eventLine(seq, line)
			if err != nil {
				return false, err
			}
			out = append(out, e)
			return limit < 0 || len(out) < limit, nil
		})
		if err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		if done || limit >= 0 && len(out) >= limit {
			return out, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	return out, nil
}

// lastEvents reads the last n committed lines, oldest first.
func (st *stateFile) lastEvents(n int) ([]EventLine, error) {
	st.settle()
	if n <= 0 {
		return nil, nil
	}
	upTo := st.visibleTo()
	db, done := st.reader()
	defer done()
	rows, err := db.Query(`SELECT first_seq, last_seq, size, data FROM event_chunks WHERE first_seq <= ? ORDER BY first_seq DESC`,
		int64(min(upTo, math.MaxInt64)))
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	var chunks [][]EventLine // newest first
	got := 0
	for got < n && rows.Next() {
		var first, last, size int64
		var data []byte
		if err := rows.Scan(&first, &last, &size, &data); err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		lines, err := decodeChunk(data, size)
		if err != nil {
			return nil, fmt.Errorf("read events from %s: chunk %d: %w", st.path, first, err)
		}
		if uint64(last) > upTo {
			lines = lines[:cutLines(lines, int(upTo-uint64(first)+1))]
			last = int64(upTo)
		}
		skip := uint64(0) // the chunk's lines beyond the n wanted
		if have := uint64(last-first) + 1; have > uint64(n-got) {
			skip = have - uint64(n-got)
		}
		var part []EventLine
		err = splitLines(lines, uint64(first), func(seq uint64, line []byte) (bool, error) {
			if seq < uint64(first)+skip {
				return true, nil
			}
			e, err := eventLine(seq, line)
			part = append(part, e)
			return err == nil, err
		})
		if err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		chunks = append(chunks, part)
		got += len(part)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	out := make([]EventLine, 0, got)
	for i := len(chunks) - 1; i >= 0; i-- {
		out = append(out, chunks[i]...)
	}
	return out, nil
}

// splitLines calls fn for each line of a chunk with its seq, while fn returns true.
func splitLines(lines []byte, first uint64, fn func(seq uint64, line []byte) (bool, error)) error {
	for seq := first; ; seq++ {
		line, rest, more := bytes.Cut(lines, []byte{'\n'})
		if ok, err := fn(seq, line); err != nil || !ok {
			return err
		}
		if !more {
			return nil
		}
		lines = rest
	}
}

func eventLine(seq uint64, line []byte) (EventLine, error) {
	t, kind, err := core.EventLineTimeKind(line)
	if err != nil {
		return EventLine{}, fmt.Errorf("event %d: %w", seq, err)
	}
	return EventLine{Seq: seq, T: t, Kind: kind, Line: string(line)}, nil
}
