package store

import (
	"testing"

	"github.com/ixlb/ixlb/core"
)

// An abandoned interaction closes its row: it is neither restored nor counted open or completed,
// and abandoned_at reads back.
func TestAbandonedRowIsClosed(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, Options{})
	d := connect(t, s, "DAP_1", "ixn")
	rows := []core.Row{
		{ID: 1, Media: "voice", Queue: "Q", State: core.StateQueued, ReceivedAt: 1e9},
		{ID: 2, Media: "voice", Queue: "Q", State: core.StateInURS, ReceivedAt: 2e9, AbandonedAt: 9e9},
		{ID: 3, Media: "voice", Queue: "Q", State: core.StateWithAgent, ReceivedAt: 3e9, CompletedAt: 8e9},
	}
	for i := range rows {
		if err := d.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	c, err := d.Counts()
	if err != nil {
		t.Fatal(err)
	}
	want := core.Counts{Rows: 3, Queued: 1, Completed: 1, Abandoned: 1}
	if c != want {
		t.Fatalf("counts %+v, want %+v", c, want)
	}
	if got := openRows(t, d); len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("open rows %+v, want only interaction 1", got)
	}
	var at int64
	if err := rawDB(t, dir+"/ixn.db").QueryRow(`SELECT abandoned_at FROM interactions WHERE id = 2`).Scan(&at); err != nil || at != 9_000_000_000 {
		t.Fatalf("abandoned_at %v, %v; want 9000000000 (nanoseconds)", at, err)
	}
}
