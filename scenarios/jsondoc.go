package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// A small writer of JSON documents that people read too (the JSON Schema): members keep the
// order they are written in, and a value goes on one line when it fits, else one member a line.

// jsonObj is a JSON object whose members keep their order.
type jsonObj []jsonMember

type jsonMember struct {
	key string
	val any // string, bool, int, float64, nil, jsonObj, []any, []string
}

// obj builds a jsonObj from alternating keys and values: obj("type", "object", "minItems", 1).
func obj(kv ...any) jsonObj {
	if len(kv)%2 != 0 {
		panic(fmt.Sprintf("obj: odd number of arguments: %v", kv)) // a programming error
	}
	o := make(jsonObj, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		o = append(o, jsonMember{kv[i].(string), kv[i+1]})
	}
	return o
}

// ref is {"$ref": "#/$defs/NAME"}.
func ref(def string) jsonObj { return obj("$ref", "#/$defs/"+def) }

// jsonWidth is the longest line a value is kept on.
const jsonWidth = 100

// writeJSON writes v indented by two spaces a level, ending with a newline.
func writeJSON(v any) []byte {
	var b bytes.Buffer
	writeValue(&b, v, 0, 0, true)
	b.WriteByte('\n')
	return b.Bytes()
}

// writeValue writes v, at nesting depth, where its line already holds col characters; expand
// forces one member a line (the document itself).
func writeValue(b *bytes.Buffer, v any, depth, col int, expand bool) {
	flat := compact(v)
	if !expand && col+len(flat)+1 <= jsonWidth { // +1: the comma after it
		b.WriteString(flat)
		return
	}
	indent := strings.Repeat("  ", depth+1)
	var items []any
	var keys []string
	open, close := "[", "]"
	switch v := v.(type) {
	case jsonObj:
		open, close = "{", "}"
		for _, m := range v {
			keys = append(keys, quote(m.key)+": ")
			items = append(items, m.val)
		}
	case []any:
		items = v
	case []string:
		for _, s := range v {
			items = append(items, s)
		}
	default:
		b.WriteString(flat) // a long string: it cannot be broken
		return
	}
	b.WriteString(open + "\n")
	for i, x := range items {
		b.WriteString(indent)
		key := ""
		if keys != nil {
			key = keys[i]
		}
		b.WriteString(key)
		writeValue(b, x, depth+1, len(indent)+len(key), false)
		if i < len(items)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent[2:] + close)
}

// compact is v on one line, with a space after each colon and comma.
func compact(v any) string {
	switch v := v.(type) {
	case jsonObj:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = quote(m.key) + ": " + compact(m.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = compact(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = quote(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return quote(v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("JSON of %#v: %v", v, err)) // a programming error: only scalars reach here
	}
	return string(out)
}

// quote writes a JSON string as people read it: < > & and non-ASCII text are left as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(b.String(), "\n")
}
