package core

import (
	"testing"
)

func TestEventLinesRoundTrip(t *testing.T) {
	rec := &lineRecorder{}
	cfg := seedConfig()
	cfg.Timeline = repointConfig(true).Timeline
	e, err := New(cfg, WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(cfg.Duration))
	kinds := map[EventKind]bool{}
	for _, line := range rec.lines {
		ev, err := ParseEventLine([]byte(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		kinds[ev.Kind] = true
		if got := string(ev.AppendJSON(nil)); got != line {
			t.Fatalf("round trip:\n got %s\nwant %s", got, line)
		}
	}
	if len(kinds) < 10 {
		t.Fatalf("only %d kinds exercised", len(kinds))
	}
}

func TestAppendSeconds(t *testing.T) {
	for ns, want := range map[int64]string{0: "0", 1: "0.000000001", 12_500_000_000: "12.5", 600e9: "600", 1_010_000: "0.00101"} {
		if got := string(appendSeconds(nil, ns)); got != want {
			t.Errorf("%d: %s, want %s", ns, got, want)
		}
		back, ok := parseSeconds([]byte(want))
		if !ok || back != ns {
			t.Errorf("parse %s: %d %v", want, back, ok)
		}
	}
}

func TestJSONStringEscaping(t *testing.T) {
	got := string(appendJSONString(nil, "a\"b\\c\n\x01é\xff"))
	want := `"a\"b\\c\n\u0001é\ufffd"`
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

type lineRecorder struct{ lines []string }

func (r *lineRecorder) Event(_ *Event, line []byte) { r.lines = append(r.lines, string(line)) }
