//go:build cgo

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode"
)

// outputWriter remembers the first error writing the command's output: `ixlb run FILE >
// /dev/full` must not exit 0 with its report lost.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// writeJSON writes v as indented JSON as a person reads it: `>` in an expectation stays `>`
// (no HTML escaping), and the control and bidirectional formatting characters JSON leaves raw
// (U+0080–U+009F, U+202E…) are escaped, so the output is safe on a terminal and means the same.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonTerminalSafe(buf.Bytes()))
	return err
}

// jsonTerminalSafe escapes, as \uXXXX, the runes of encoded JSON a terminal would act on. They
// can only be inside strings, where \uXXXX means the same rune.
func jsonTerminalSafe(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return unicode.IsControl(r) && r > 0x7f || isBidiRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for _, r := range string(b) {
		if unicode.IsControl(r) && r > 0x7f || isBidiRune(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.Bytes()
}

func isBidiRune(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}
