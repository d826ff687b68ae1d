package store

import (
	"bytes"
	"compress/zlib"
	"database/sql"
	"errors"
	"fmt"
	"io"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with sqlar_uncompress, the sqlite3 shell's function that the events
// view uses to inflate the log's chunks: ixlb's read connections see the view as the shell does.
const driverName = "sqlite3_ixlb"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: registerFuncs})
}

func registerFuncs(c *sqlite3.SQLiteConn) error {
	if err := c.RegisterFunc("sqlar_uncompress", sqlarUncompress, true); err != nil {
		return err
	}
	return c.RegisterFunc("ixlb_ns", ixlbNs, true) // migrations from REAL seconds
}

// sqlarUncompress is the shell's sqlar_uncompress(data, size): data when size is its length (or
// not positive), else data inflated (zlib) to size bytes.
func sqlarUncompress(data []byte, size int64) ([]byte, error) {
	if size <= 0 || int64(len(data)) == size {
		return data, nil
	}
	return inflate(data, size)
}

// codec compresses chunks on the state's committer goroutine; its buffers are reused.
type codec struct {
	zw  *zlib.Writer
	buf bytes.Buffer
}

// encode returns the sqlar data of raw: its zlib stream when that is shorter, else raw itself. The
// result is valid until the next call. BestSpeed: the log is compressed at the rate the engine
// writes it, on the committer's core; the higher levels gained a tenth of the size for twice the
// time.
func (c *codec) encode(raw []byte, compress bool) []byte {
	if !compress || len(raw) < 64 {
		return raw
	}
	c.buf.Reset()
	if c.zw == nil {
		c.zw, _ = zlib.NewWriterLevel(&c.buf, zlib.BestSpeed)
	} else {
		c.zw.Reset(&c.buf)
	}
	c.zw.Write(raw) // a bytes.Buffer does not fail
	c.zw.Close()
	if c.buf.Len() >= len(raw) {
		return raw
	}
	return c.buf.Bytes()
}

// decodeChunk returns the lines of a chunk's sqlar data.
func decodeChunk(data []byte, size int64) ([]byte, error) {
	if int64(len(data)) == size {
		return data, nil
	}
	return inflate(data, size)
}

// errDamagedChunk is wrapped by the error for an event chunk whose data is not what its size
// says: the file was scribbled on.
var errDamagedChunk = errors.New("the event log is damaged")

// IsDamagedLog reports whether err says a stored event chunk is damaged (its data does not inflate
// to its size, or holds another number of lines than its seqs say).
func IsDamagedLog(err error) bool { return errors.Is(err, errDamagedChunk) }

func inflate(data []byte, size int64) ([]byte, error) {
	if size < 0 || size > 1<<30 {
		return nil, fmt.Errorf("%w: a chunk's size %d is out of range", errDamagedChunk, size)
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: a chunk does not inflate (%v)", errDamagedChunk, err)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("%w: a chunk does not inflate to its %d bytes (%v)", errDamagedChunk, size, err)
	}
	if n, _ := zr.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("%w: a chunk is longer than its size %d", errDamagedChunk, size)
	}
	return out, nil
}
