package live

import (
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// A rewound view is the replay, not the live engine: while it is shown, Apply is refused and the
// live clock and journal do not move; Live shows the live world again, as it was.
func TestRewoundViewLeavesTheLiveSessionAlone(t *testing.T) {
	r, err := NewRunner(seedConfig(), RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Step(30 * time.Second)
	before, _ := r.Journal()
	if err := r.Rewind(int64(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	f, _ := r.TryNext()
	if !f.Rewound || f.Snap.T != int64(10*time.Second) || f.LiveT != int64(30*time.Second) || !f.Reset {
		t.Fatalf("frame: rewound %v at %v, live %v, reset %v", f.Rewound, time.Duration(f.Snap.T), time.Duration(f.LiveT), f.Reset)
	}
	if f.Discard.T != int64(10*time.Second) || f.Discard.Events == 0 {
		t.Fatalf("discard %+v", f.Discard)
	}
	for _, e := range f.Events {
		if e.T > int64(10*time.Second) {
			t.Fatalf("the rewound log holds an event at %v", time.Duration(e.T))
		}
	}
	if err := r.Apply(core.Action{Kind: core.ActStop, App: "URS_1"}); err != ErrRewound {
		t.Fatalf("Apply while rewound: %v", err)
	}
	if err := r.Step(time.Second); err == nil {
		t.Fatal("Step moved a rewound runner")
	}
	if err := r.Rewind(int64(time.Minute)); err == nil {
		t.Fatal("rewound past the live clock")
	}
	if err := r.Live(); err != nil {
		t.Fatal(err)
	}
	f, _ = r.TryNext()
	after, _ := r.Journal()
	a, _ := before.State.EventsSHA256()
	b, _ := after.State.EventsSHA256()
	if f.Rewound || f.Snap.T != int64(30*time.Second) || a != b || len(f.Events) == 0 {
		t.Fatalf("live again: rewound %v at %v, same log %v", f.Rewound, time.Duration(f.Snap.T), a == b)
	}
}

// BenchmarkRewind is the wait for [ or :goto: the seed example's first half hour replayed from a
// session an hour long (1 virtual hour of it, 3 interactions a second).
func BenchmarkRewind(b *testing.B) {
	cfg := seedConfig()
	cfg.Duration = time.Hour
	r, err := NewRunner(cfg, RunnerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	r.Step(time.Hour)
	for b.Loop() {
		if err := r.Rewind(int64(30 * time.Minute)); err != nil {
			b.Fatal(err)
		}
		if err := r.Live(); err != nil {
			b.Fatal(err)
		}
	}
}
