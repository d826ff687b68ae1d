package core

// Event lines are parsed here only: the store reads a line's time and kind to index its chunks,
// the console reads a line's fields to show and filter them, ParseEventLine (events.go) reads a
// whole line back into an Event. The lines are this package's own (Event.AppendJSON), so fast
// paths can rely on their shape, with encoding/json behind them for anything else.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EventLineTimeKind reads t (exact nanoseconds) and kind from an event line. core writes them first,
// `{"t":12.5,"seq":3,"kind":"submitted",…`, which the fast path reads; anything else valid goes
// through encoding/json.
func EventLineTimeKind(line []byte) (int64, string, error) {
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

// EventLineFields reads the fields of a JSON event line after "kind", in order. String values lose
// their quotes unless they hold spaces. The format is the engine's own (core.Event.AppendJSON),
// so a small scanner is enough and costs no allocation per field beyond the strings.
func EventLineFields(line string) [][2]string {
	i := strings.Index(line, `"kind":"`)
	if i < 0 {
		return nil
	}
	j := strings.IndexByte(line[i+8:], '"')
	if j < 0 {
		return nil
	}
	rest := strings.TrimSuffix(line[i+8+j+1:], "}")
	var out [][2]string
	for len(rest) > 0 {
		if rest[0] == ',' {
			rest = rest[1:]
		}
		if len(rest) == 0 || rest[0] != '"' {
			break
		}
		k := strings.IndexByte(rest[1:], '"')
		if k < 0 {
			break
		}
		name := rest[1 : 1+k]
		rest = rest[k+2:]
		if len(rest) == 0 || rest[0] != ':' {
			break
		}
		rest = rest[1:]
		var val string
		if len(rest) > 0 && rest[0] == '"' {
			end := 1
			for end < len(rest) && rest[end] != '"' {
				if rest[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end, len(rest)-1)
			raw := rest[:end+1]
			rest = rest[end+1:]
			if s, err := strconv.Unquote(raw); err == nil && !strings.ContainsAny(s, " \t") {
				val = s
			} else {
				val = raw
			}
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		out = append(out, [2]string{name, val})
	}
	return out
}
