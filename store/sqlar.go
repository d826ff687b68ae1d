package store

import (
	"bytes"
	"compress/zlib"
	"database/sql"
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
	return c.RegisterFunc("sqlar_uncompress", sqlarUncompress, true)
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

func inflate(data []byte, size int64) ([]byte, error) {
	if size < 0 || size > 1<<30 {
		return nil, fmt.Errorf("event chunk: size %d out of range", size)
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("event chunk: %w", err)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("event chunk: inflate to %d bytes: %w", size, err)
	}
	if n, _ := zr.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("event chunk: longer than its size %d", size)
	}
	return out, nil
}
