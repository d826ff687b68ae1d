package tui

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/ixlb/ixlb/core"
)

// safeText makes text from outside the console — names from a scenario file, error messages,
// file names — safe to draw: control characters (ESC, BEL, CR, the C1 range, DEL) and the
// bidirectional overrides become visible escapes (\x1b, \u202e), so a name can neither retitle
// the terminal, move the cursor, blink, nor reorder what follows it. Text without them is
// returned as is, without allocating.
func safeText(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isSafe reports whether s has nothing safeText would change; ASCII is checked byte by byte.
func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || unsafeRune(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true // bidirectional embeddings, overrides and isolates
	}
	return false
}

// safeSnapshot returns s with every string made safe to draw, or s itself when nothing needs it
// (the common case: one walk, no copy). names records each changed string's original, so an
// action on a name picked from the screen reaches the engine with the real name.
func safeSnapshot(s *core.Snapshot, names map[string]string) *core.Snapshot {
	if s == nil {
		return nil
	}
	v := reflect.ValueOf(s).Elem()
	if !needsSafe(v) {
		return s
	}
	out := reflect.New(v.Type()).Elem()
	copySafe(out, v, names)
	return out.Addr().Interface().(*core.Snapshot)
}

func needsSafe(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return !isSafe(v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if needsSafe(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Int64 || v.Type().Elem().Kind() == reflect.Int {
			return false
		}
		for i := 0; i < v.Len(); i++ {
			if needsSafe(v.Index(i)) {
				return true
			}
		}
	case reflect.Pointer:
		return !v.IsNil() && needsSafe(v.Elem())
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if needsSafe(it.Key()) || needsSafe(it.Value()) {
				return true
			}
		}
	}
	return false
}

// copySafe copies src into dst (settable, same type), making strings safe.
func copySafe(dst, src reflect.Value, names map[string]string) {
	switch src.Kind() {
	case reflect.String:
		t := safeText(src.String())
		if t != src.String() {
			names[t] = src.String()
		}
		dst.SetString(t)
	case reflect.Struct:
		dst.Set(src)
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() && needsSafe(src.Field(i)) {
				copySafe(dst.Field(i), src.Field(i), names)
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := 0; i < src.Len(); i++ {
			copySafe(dst.Index(i), src.Index(i), names)
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copySafe(p.Elem(), src.Elem(), names)
		dst.Set(p)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			v := reflect.New(src.Type().Elem()).Elem()
			copySafe(k, it.Key(), names)
			copySafe(v, it.Value(), names)
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

// realNames turns names shown escaped back into the scenario's own, for the engine.
func realNames(a core.Action, names map[string]string) core.Action {
	if len(names) == 0 {
		return a
	}
	fix := func(s string) string {
		if r, ok := names[s]; ok {
			return r
		}
		return s
	}
	a.App, a.Strategy, a.Cluster, a.Database = fix(a.App), fix(a.Strategy), fix(a.Cluster), fix(a.Database)
	a.Section, a.Option = fix(a.Section), fix(a.Option)
	if len(a.URS) > 0 {
		urs := make([]string, len(a.URS))
		for i, u := range a.URS {
			urs[i] = fix(u)
		}
		a.URS = urs
	}
	return a
}
