package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goccy/go-yaml/token"
)

// Limits on what a scenario file may be. A hostile file must get a clear error, fast and in
// bounded memory: the YAML parser's cost grows with the square of the nesting depth and of the
// keys in one mapping (a 200 KB file nested 100k deep took 14 GB), so the shape is checked on
// the token stream, which is cheap, before the parser sees it. The bounds are far above any real
// deployment (the bundled scenarios nest 7 deep; 10,000 applications is a very large site).
const (
	MaxFileSize       = 8 << 20 // bytes
	MaxDepth          = 64      // nested collections
	MaxMappingEntries = 10_000  // keys in one mapping
	MaxListItems      = 100_000 // items in one list

	// maxKeyWork bounds the sum, over the file's block mappings, of the square of their number
	// of keys: the parser's time grows with it (a mapping of 10,000 keys takes half a second,
	// ten of 5,000 took 2.6 s). One mapping of 10,000 keys, or 100 of 1,000, is within it.
	maxKeyWork = 120_000_000
	// MaxKeys bounds the keys of the whole file: the parser takes some 10 µs a key.
	MaxKeys = 250_000

	// MaxDuration bounds every duration of a scenario (its duration, times in the timeline and
	// the traffic, handle times, patience…): ten years of virtual time. The engine adds
	// durations to the clock; near the int64 limit of about 292 years the sums wrapped (a run of
	// 2562047h with a 2h handle time revoked 27 million times and completed work in half its
	// handle time). With every duration at most ten years, the sums stay far below it.
	MaxDuration = 87600 * time.Hour

	// MaxDatabases bounds the databases a scenario declares. An Interaction Server works with one
	// database; a few dozen is plenty for re-point and switchover designs. Each one a run opens
	// is a SQLite file with its own cache (about 1 MiB): 9,000 of them ran a 118 KB file out of
	// memory while the report read them.
	MaxDatabases = 64

	// MaxAgents and MaxCapacity bound an agent group's agents and an agent's capacity for one
	// media, so that a typo does not allocate a city's worth of agents.
	MaxAgents   = 100_000
	MaxCapacity = 1_000
)

// utf8BOM is the byte-order mark some Windows editors put at the start of a UTF-8 file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadFile reads a scenario file: a regular file of at most MaxFileSize bytes. A FIFO or a device
// (/dev/zero) is refused before it is opened, as opening or reading one can block or never end.
func ReadFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("load scenario %s: not a regular file (%s)", path, ModeName(st.Mode()))
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("load scenario %s: the file is %d bytes; a scenario file is at most %d (8 MiB)", path, st.Size(), MaxFileSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	defer f.Close()
	// The file may have grown since Stat, or be replaced: read one byte past the limit to know.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load scenario %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("load scenario %s: the file is over %d bytes (8 MiB), the most a scenario file may be", path, MaxFileSize)
	}
	return data, nil
}

// ModeName says what kind of file a mode is, for messages ("a FIFO", "a character device").
func ModeName(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// stripBOM drops a leading UTF-8 byte-order mark, which YAML allows and editors write.
func stripBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// checkShape walks the token stream and reports, at the token where it happens, the first
// collection nested deeper than MaxDepth or holding more entries than allowed. Block nesting is
// measured by indentation: each block entry ("- " or "key:") opens a level at its column, closed
// by a later entry at the same or a smaller column, so the estimate is never above the real
// depth and at least half of it (a list may sit at its parent key's column).
func (d *decoder) checkShape(tokens token.Tokens) bool {
	type level struct {
		col     int // block: the entries' column; flow: 0
		entries int
		mapping bool
	}
	var block []level // open block collections
	keyWork := 0      // the sum of the squares of the block mappings' sizes so far
	keys := 0
	var flow []level // open flow collections, innermost last
	tooMany := func(lv level, tk *token.Token) bool {
		limit, what := MaxListItems, "a list"
		if lv.mapping {
			limit, what = MaxMappingEntries, "a mapping"
		}
		if lv.entries > limit {
			d.errorf(tokPos(tk), CodeBadValue, "%s of more than %d entries: a scenario file allows at most %d", what, limit, limit)
			return true
		}
		return false
	}
	tooDeep := func(tk *token.Token) bool {
		if len(block)+len(flow) > MaxDepth {
			d.errorf(tokPos(tk), CodeBadValue, "collections nested more than %d deep: a scenario file allows at most %d", MaxDepth, MaxDepth)
			return true
		}
		return false
	}
	for _, tk := range tokens {
		if tk == nil || tk.Position == nil {
			continue
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow = append(flow, level{entries: 1, mapping: tk.Type == token.MappingStartType})
			if tooDeep(tk) {
				return false
			}
		case token.SequenceEndType, token.MappingEndType:
			if len(flow) > 0 {
				flow = flow[:len(flow)-1]
			}
		case token.CollectEntryType:
			if len(flow) > 0 {
				flow[len(flow)-1].entries++
				if tooMany(flow[len(flow)-1], tk) {
					return false
				}
			}
		case token.SequenceEntryType, token.MappingValueType, token.MappingKeyType:
			if tk.Type != token.SequenceEntryType {
				if keys++; keys > MaxKeys {
					d.errorf(tokPos(tk), CodeBadValue, "more than %d keys in the file: a scenario file holds at most %d", MaxKeys, MaxKeys)
					return false
				}
			}
			if len(flow) > 0 {
				continue
			}
			at := tk
			if tk.Type == token.MappingValueType && tk.Prev != nil && tk.Prev.Position != nil &&
				tk.Prev.Position.Line == tk.Position.Line {
				at = tk.Prev // a key's level is its key's column
			}
			col := at.Position.Column
			mapping := tk.Type != token.SequenceEntryType
			for n := len(block); n > 0; n = len(block) {
				top := block[n-1]
				// A list may sit at its key's column ("key:" then "- a"); a key at that column
				// afterwards ends the list.
				if top.col > col || (top.col == col && !top.mapping && mapping) {
					block = block[:n-1]
					continue
				}
				break
			}
			if n := len(block); n > 0 && block[n-1].col == col && block[n-1].mapping == mapping {
				block[n-1].entries++
				if tooMany(block[n-1], tk) {
					return false
				}
				if mapping {
					keyWork += 2*block[n-1].entries - 1 // (k+1)² - k²
					if keyWork > maxKeyWork {
						d.errorf(tokPos(tk), CodeBadValue, "too many keys in large mappings: a scenario file holds at most one mapping of %d keys, or say 100 of 1000 (the YAML parser's time grows with the square of a mapping's size)", MaxMappingEntries)
						return false
					}
				}
				continue
			}
			block = append(block, level{col: col, entries: 1, mapping: mapping})
			if tooDeep(tk) {
				return false
			}
		}
	}
	return true
}

func tokPos(tk *token.Token) Pos {
	return Pos{max(1, tk.Position.Line), max(1, tk.Position.Column)}
}
