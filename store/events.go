package store

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// The event log is kept in chunks: one row holds a run of consecutive event lines, joined by
// newlines (a line is JSON, so it never contains one). A row per event cost more than the rest of
// the persistence together (1.2 million INSERTs for a 200,000-interaction run); a chunk row is a
// few hundred lines for the price of one.
//
// The view events(seq, t, kind, line) shows the lines one a row again, for sqlite3 users:
//
//	sqlite3 DIR/ixlb.db "SELECT seq, t, kind, line FROM events WHERE kind = 'completed' LIMIT 5"
//
// It parses the chunks with json_each, so it scans (and parses) every chunk: to look at a range,
// pick the chunks first, e.g.
//
//	SELECT * FROM events WHERE seq BETWEEN 5000 AND 5100
//	-- is slower than
//	SELECT c.first_seq + j.key, j.value FROM event_chunks AS c,
//	  json_each('[' || replace(c.lines, char(10), ',') || ']') AS j
//	  WHERE c.last_seq >= 5000 AND c.first_seq <= 5100 AND c.first_seq + j.key BETWEEN 5000 AND 5100
const (
	eventChunksDDL = `CREATE TABLE event_chunks (
			first_seq INTEGER PRIMARY KEY, -- seq of the first line
			last_seq  INTEGER NOT NULL,    -- seq of the last line: the lines' seqs are consecutive
			first_t   REAL NOT NULL,       -- virtual seconds of the first line
			last_t    REAL NOT NULL,       -- and of the last
			lines     TEXT NOT NULL        -- the event log lines (JSON), joined by newlines
		)`
	eventsViewDDL = `CREATE VIEW events(seq, t, kind, line) AS
		SELECT c.first_seq + j.key, json_extract(j.value, '$.t'), json_extract(j.value, '$.kind'), j.value
		FROM event_chunks AS c, json_each('[' || replace(c.lines, char(10), ',') || ']') AS j`
)

// chunkBytes is the size a chunk stops growing at. 64 KiB is 16 pages: big enough that the row
// overhead vanishes, small enough that reading the last few events touches little.
const chunkBytes = 64 << 10

// mergeBytes: a commit's first chunk is appended to the last committed one while both together
// stay below this. The console commits ten times a second with a few lines each; merging keeps
// its log from becoming a chunk per commit, and the bound keeps the row rewrite it costs small.
const mergeBytes = 16 << 10

// migrateEventsToChunks moves a version 1 state file's per-event rows into chunks: runs of
// consecutive seqs, cut where the running length passes chunkBytes.
var migrateEventsToChunks = []string{
	eventChunksDDL,
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
	eventsViewDDL,
}

// chunk is a run of consecutive event lines in a batch's arena.
type chunk struct {
	first, last   uint64 // seq
	firstT, lastT int64  // virtual nanoseconds
	off, end      int    // arena[off:end]: the lines joined by '\n'
}

func (c *chunk) lines() uint64 { return c.last - c.first + 1 }

// stateBatch is one commit of the state file: event lines, operator actions and the run state.
type stateBatch struct {
	arena   []byte
	chunks  []chunk
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
	b.arena, b.chunks, b.lines, b.actions, b.run = b.arena[:0], b.chunks[:0], 0, b.actions[:0], nil
	clear(b.tickets)
	b.tickets = b.tickets[:0]
}

// add appends one event line. A line continues the last chunk when its seq follows on and the
// chunk has room; a seq at or before a pending one replays history: the pending lines from there
// on are dropped first (the committer does the same to committed ones).
func (b *stateBatch) add(seq uint64, t int64, line []byte) {
	if n := len(b.chunks); n > 0 && seq <= b.chunks[n-1].last {
		b.dropFrom(seq)
	}
	if n := len(b.chunks); n > 0 {
		c := &b.chunks[n-1]
		if seq == c.last+1 && c.end-c.off+1+len(line) <= chunkBytes {
			b.arena = append(b.arena, '\n')
			b.arena = append(b.arena, line...)
			c.last, c.lastT, c.end = seq, t, len(b.arena)
			b.lines++
			return
		}
	}
	off := len(b.arena)
	b.arena = append(b.arena, line...)
	b.chunks = append(b.chunks, chunk{first: seq, last: seq, firstT: t, lastT: t, off: off, end: len(b.arena)})
	b.lines++
}

// dropFrom drops the lines with seq >= from.
func (b *stateBatch) dropFrom(from uint64) {
	for n := len(b.chunks); n > 0; n = len(b.chunks) {
		c := &b.chunks[n-1]
		if c.last < from {
			return
		}
		if c.first >= from {
			b.lines -= int(c.lines())
			b.arena = b.arena[:c.off]
			b.chunks = b.chunks[:n-1]
			continue
		}
		keep := b.arena[c.off:c.end]
		end := cutLines(keep, int(from-c.first))
		t, _, err := lineTimeKind(keep[lastLineStart(keep[:end]):end])
		if err != nil {
			t = c.firstT // not ours to judge here: the time only guides lookups
		}
		b.lines -= int(c.last - from + 1)
		c.last, c.lastT, c.end = from-1, t, c.off+end
		b.arena = b.arena[:c.end]
		return
	}
}

// merge appends a later batch (its lines, actions and run state) to b, the retry of a failed one.
func (b *stateBatch) merge(o *stateBatch) {
	for _, c := range o.chunks {
		if n := len(b.chunks); n > 0 && c.first <= b.chunks[n-1].last {
			b.dropFrom(c.first)
		}
		off := len(b.arena)
		b.arena = append(b.arena, o.arena[c.off:c.end]...)
		c.off, c.end = off, len(b.arena)
		b.chunks = append(b.chunks, c)
		b.lines += int(c.lines())
	}
	b.actions = append(b.actions, o.actions...)
	if o.run != nil {
		b.run = o.run
	}
}

// text is chunk i's lines. No copy: the driver copies them into SQLite before the arena changes.
func (b *stateBatch) text(i int) string {
	c := &b.chunks[i]
	if c.end == c.off {
		return ""
	}
	return unsafe.String(&b.arena[c.off], c.end-c.off)
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

// writeChunks inserts the batch's chunks. The first one may replay history (seqs at or before the
// last committed line: what comes after is dropped first) or continue the last committed chunk
// (it is appended to while small). The caller holds the transaction.
func writeChunks(c *sqlite3.SQLiteConn, b *stateBatch) error {
	if len(b.chunks) == 0 {
		return nil
	}
	appended, err := continueTail(c, &b.chunks[0], b.text(0))
	if err != nil {
		return err
	}
	from := 0
	if appended {
		from = 1
	}
	for i := from; i < len(b.chunks); i++ {
		ch := &b.chunks[i]
		_, err := c.Exec(`INSERT INTO event_chunks(first_seq, last_seq, first_t, last_t, lines) VALUES (?, ?, ?, ?, ?)`,
			[]driver.Value{int64(ch.first), int64(ch.last), float64(ch.firstT) / 1e9, float64(ch.lastT) / 1e9, b.text(i)})
		if err != nil {
			return fmt.Errorf("insert events %d-%d: %w", ch.first, ch.last, err)
		}
	}
	return nil
}

// continueTail makes room for ch after the committed chunks: lines at or after ch.first are
// dropped (a replay), and ch is appended to the last chunk when it follows on and both are small.
// It reports whether ch was appended.
func continueTail(c *sqlite3.SQLiteConn, ch *chunk, text string) (bool, error) {
	first, last, size, ok, err := tailChunk(c)
	if err != nil {
		return false, err
	}
	if ok && last >= ch.first {
		if err := dropChunksFrom(c, ch.first); err != nil {
			return false, err
		}
		if first, last, size, ok, err = tailChunk(c); err != nil {
			return false, err
		}
	}
	if !ok || last+1 != ch.first || size+1+len(text) > mergeBytes {
		return false, nil
	}
	_, err = c.Exec(`UPDATE event_chunks SET lines = lines || char(10) || ?, last_seq = ?, last_t = ? WHERE first_seq = ?`,
		[]driver.Value{text, int64(ch.last), float64(ch.lastT) / 1e9, int64(first)})
	if err != nil {
		return false, fmt.Errorf("append events %d-%d: %w", ch.first, ch.last, err)
	}
	return true, nil
}

// tailChunk reads the last committed chunk's seqs and size.
func tailChunk(c *sqlite3.SQLiteConn) (first, last uint64, size int, ok bool, err error) {
	rows, err := c.Query(`SELECT first_seq, last_seq, length(CAST(lines AS BLOB)) FROM event_chunks ORDER BY first_seq DESC LIMIT 1`, nil)
	if err != nil {
		return 0, 0, 0, false, fmt.Errorf("read the last events: %w", err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 3)
	switch err := rows.Next(dest); {
	case err == io.EOF:
		return 0, 0, 0, false, nil
	case err != nil:
		return 0, 0, 0, false, fmt.Errorf("read the last events: %w", err)
	}
	f, _ := dest[0].(int64)
	l, _ := dest[1].(int64)
	n, _ := dest[2].(int64)
	return uint64(f), uint64(l), int(n), true, nil
}

// dropChunksFrom drops the committed event lines with seq >= from; the chunk that straddles from
// is cut.
func dropChunksFrom(c *sqlite3.SQLiteConn, from uint64) error {
	if _, err := c.Exec(`DELETE FROM event_chunks WHERE first_seq >= ?`, []driver.Value{int64(from)}); err != nil {
		return fmt.Errorf("drop events from %d: %w", from, err)
	}
	rows, err := c.Query(`SELECT first_seq, last_seq, first_t, lines FROM event_chunks
		WHERE first_seq < ? ORDER BY first_seq DESC LIMIT 1`, []driver.Value{int64(from)})
	if err != nil {
		return fmt.Errorf("drop events from %d: %w", from, err)
	}
	dest := make([]driver.Value, 4)
	err = rows.Next(dest)
	rows.Close()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return fmt.Errorf("drop events from %d: %w", from, err)
	}
	first, _ := dest[0].(int64)
	if last, _ := dest[1].(int64); uint64(last) < from {
		return nil
	}
	lines := []byte(asString(dest[3]))
	lines = lines[:cutLines(lines, int(from-uint64(first)))]
	lastT, ok := dest[2].(float64) // the first line's: only if the last one's cannot be read
	if t, _, err := lineTimeKind(lines[lastLineStart(lines):]); err == nil || !ok {
		lastT = float64(t) / 1e9
	}
	_, err = c.Exec(`UPDATE event_chunks SET lines = ?, last_seq = ?, last_t = ? WHERE first_seq = ?`,
		[]driver.Value{string(lines), int64(from - 1), lastT, first})
	if err != nil {
		return fmt.Errorf("drop events from %d: %w", from, err)
	}
	return nil
}

// lineTimeKind reads t (exact nanoseconds) and kind from an event line. core writes them first,
// `{"t":12.5,"seq":3,"kind":"submitted",…`, which the fast path reads; anything else valid goes
// through encoding/json.
func lineTimeKind(line []byte) (int64, string, error) {
	const tKey, kindKey = `{"t":`, `"kind":"`
	if bytes.HasPrefix(line, []byte(tKey)) {
		rest := line[len(tKey):]
		if i := bytes.IndexByte(rest, ','); i > 0 {
			if t, ok := parseSeconds(rest[:i]); ok {
				if k := bytes.Index(rest, []byte(kindKey)); k > 0 {
					kind := rest[k+len(kindKey):]
					if j := bytes.IndexByte(kind, '"'); j >= 0 && bytes.IndexByte(kind[:j], '\\') < 0 {
						return t, string(kind[:j]), nil
					}
				}
			}
		}
	}
	var v struct {
		T    json.Number `json:"t"`
		Kind string      `json:"kind"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return 0, "", fmt.Errorf("event line: %w", err)
	}
	t, ok := parseSeconds([]byte(v.T))
	if !ok {
		return 0, "", fmt.Errorf("event line: t %q is not decimal seconds", v.T)
	}
	return t, v.Kind, nil
}

// parseSeconds reads decimal seconds ("12", "12.5", "-0.000000001") as exact nanoseconds.
func parseSeconds(s []byte) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	whole, frac, dot := bytes.Cut(s, []byte{'.'})
	if len(whole) == 0 || len(frac) > 9 || dot && len(frac) == 0 {
		return 0, false
	}
	var ns int64
	for _, d := range whole {
		if d < '0' || d > '9' || ns > math.MaxInt64/1_000_000_000 {
			return 0, false
		}
		ns = ns*10 + int64(d-'0')
	}
	var f int64
	for i := 0; i < 9; i++ {
		f *= 10
		if i < len(frac) {
			d := frac[i]
			if d < '0' || d > '9' {
				return 0, false
			}
			f += int64(d - '0')
		}
	}
	if ns > (math.MaxInt64-f)/1e9 {
		return 0, false
	}
	ns = ns*1e9 + f
	if neg {
		ns = -ns
	}
	return ns, true
}

// events reads up to limit (all when negative) committed lines with seq >= from.
func (st *stateFile) events(from uint64, limit int) ([]EventLine, error) {
	st.settle()
	if limit == 0 {
		return nil, nil
	}
	// The chunk holding from, if any, and every chunk after it.
	rows, err := st.r.Query(`SELECT first_seq, lines FROM event_chunks
		WHERE first_seq >= coalesce((SELECT max(first_seq) FROM event_chunks WHERE first_seq <= ?1), 0)
		ORDER BY first_seq`, int64(min(from, math.MaxInt64)))
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	var out []EventLine
	for rows.Next() {
		var first int64
		var lines []byte
		if err := rows.Scan(&first, &lines); err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		err := splitLines(lines, uint64(first), func(seq uint64, line []byte) (bool, error) {
			if seq < from {
				return true, nil
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
		if limit >= 0 && len(out) >= limit {
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
	rows, err := st.r.Query(`SELECT first_seq, last_seq, lines FROM event_chunks ORDER BY first_seq DESC`)
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", st.path, err)
	}
	defer rows.Close()
	var chunks [][]EventLine // newest first
	got := 0
	for got < n && rows.Next() {
		var first, last int64
		var lines []byte
		if err := rows.Scan(&first, &last, &lines); err != nil {
			return nil, fmt.Errorf("read events from %s: %w", st.path, err)
		}
		skip := uint64(0) // the chunk's lines beyond the n wanted
		if have := uint64(last-first) + 1; have > uint64(n-got) {
			skip = have - uint64(n-got)
		}
		var part []EventLine
		err := splitLines(lines, uint64(first), func(seq uint64, line []byte) (bool, error) {
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
	t, kind, err := lineTimeKind(line)
	if err != nil {
		return EventLine{}, fmt.Errorf("event %d: %w", seq, err)
	}
	return EventLine{Seq: seq, T: t, Kind: kind, Line: string(line)}, nil
}
