package study

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A rows file of one huge line (attack 17 F9: a line of 1,000,000,009 bytes) is refused at its
// line with what is wrong, having read at most MaxRowLine of it: the whole file was read into
// memory and then scanned (2.2 GB of memory whatever IXLB_MEMORY_LIMIT said, for "bufio.Scanner:
// token too long"). The file here is sparse: 900 MiB of zeros after a row, no disk spent.
func TestReadRowsOneHugeLine(t *testing.T) {
	dir := t.TempDir()
	row := `{"grid":"g","variant":0,"seed":1,"runs":1,"set":{},"figures":{}}` + "\n"
	for _, c := range []struct {
		name string
		size int64
		line int
	}{
		{"a line just over the limit", int64(len(row)) + MaxRowLine + 1, 2},
		{"a line of 900 MiB", int64(len(row)) + 900<<20, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".jsonl")
			if err := os.WriteFile(path, []byte(row), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, c.size); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ReadRows([]string{path}, nil)
			runtime.ReadMemStats(&after)
			want := path + ":2: a line longer than 4 MiB: not a sweep row"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v, want %q", err, want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*MaxRowLine {
				t.Errorf("reading it allocated %d MiB: more than a few lines' worth", alloc>>20)
			}
		})
	}
	// A file of rows whose lines are each under the limit is read.
	path := filepath.Join(dir, "ok.jsonl")
	if err := os.WriteFile(path, []byte(strings.Repeat(row, 3)), 0o644); err != nil {
		t.Fatal(err)
	}
	if rows, err := ReadRows([]string{path}, nil); err != nil || len(rows) != 3 || rows[2].At != path+":3" {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}
