package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ixlb/ixlb/core"
)

// Regenerating the stored event log (--rebuild). The journal — seed, operator actions, steps —
// is what the log comes from: a replay gives it again line for line, and the journal's hashes
// say whether it did. A log whose chunks were damaged, deleted or cut is replaced by the
// replay's in one transaction: a crash during it leaves the damaged log, which --rebuild
// regenerates again, or the regenerated one.

// ErrLogNotReplayed wraps why a replay did not give the journal's log: nothing was written.
var ErrLogNotReplayed = errors.New("the replay does not give the session's event log")

// rewriteLog replaces the whole committed event log, in one transaction, with the lines replay
// gives the sink it is handed — provided they are events lines, in order, whose hash state is
// want (the journal's log_hash); otherwise nothing is changed. replay runs inside the
// transaction: its lines go to SQLite a chunk at a time, and are never all in memory.
func (st *stateFile) rewriteLog(events uint64, want []byte, replay func(core.EventSink) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.quiet("regenerate the event log of"); err != nil {
		return err
	}
	var mark logMark
	err := st.tx(func(c wconn) error {
		if err := c.exec(`DELETE FROM event_chunks`); err != nil {
			return err
		}
		w := &logWriter{cw: chunkWriter{c: c, cd: &st.codec, mark: logMark{seq: 0, state: emptyState}}}
		if err := replay(w); err != nil {
			return fmt.Errorf("%w: %w", ErrLogNotReplayed, err)
		}
		if err := w.close(); err != nil {
			return err
		}
		mark = w.cw.mark
		if mark.seq != events || !bytes.Equal(mark.state, want) {
			return fmt.Errorf("%w: %d lines replayed, not hashing to the journal's %d", ErrLogNotReplayed, mark.seq, events)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("regenerate the event log of %s: %w", st.path, err)
	}
	st.mark = mark
	st.publish()
	m := mark
	st.seal.submit(sealJob{reset: &m}) // the lines to come follow the regenerated log
	return nil
}

// logWriter is a core.EventSink that writes the lines it is given as the log's chunks, each
// inserted once full (chunkWriter: compressed, in the chain of hashes), inside the caller's
// transaction. A failure is kept for close: a sink cannot return one.
type logWriter struct {
	cw  chunkWriter
	cur *chunk
	err error
}

func (w *logWriter) Event(e *core.Event, line []byte) {
	if w.err != nil {
		return
	}
	if bytes.IndexByte(line, '\n') >= 0 {
		w.err = fmt.Errorf("event %d: line contains a newline: not stored", e.Seq)
		return
	}
	if c := w.cur; c != nil && e.Seq == c.last+1 && len(c.text)+1+len(line) <= chunkBytes {
		c.text = append(append(c.text, '\n'), line...)
		c.last, c.lastT = e.Seq, e.T
		return
	}
	if w.err = w.flush(false); w.err != nil {
		return
	}
	if e.Seq != w.cw.mark.seq+1 {
		w.err = fmt.Errorf("event %d after event %d: the replay's lines are not in order", e.Seq, w.cw.mark.seq)
		return
	}
	w.cur = &chunk{first: e.Seq, last: e.Seq, firstT: e.T, lastT: e.T, text: append(make([]byte, 0, chunkBytes), line...)}
}

// flush inserts the chunk being filled, if any; last says it is the log's last (stored as is
// while small).
func (w *logWriter) flush(last bool) error {
	c := w.cur
	if c == nil {
		return nil
	}
	w.cur = nil
	c.size, c.data = int64(len(c.text)), c.text
	if last && len(c.text) >= mergeBytes {
		if data := w.cw.cd.encode(c.text, true); len(data) < len(c.text) {
			c.data = append([]byte(nil), data...)
		}
	}
	return w.cw.insert(c, last)
}

// close inserts the last chunk and says why the log could not be written, if it could not.
func (w *logWriter) close() error {
	if w.err != nil {
		return w.err
	}
	return w.flush(true)
}
