package study

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/scenarios"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, 4})
	// mean 2.5, sd 1.291, t(3) 3.182: half-width 2.054
	if s.Mean != 2.5 || s.CI95 < 2.05 || s.CI95 > 2.06 || s.N != 4 {
		t.Errorf("%+v", s)
	}
	if s := Summarize([]float64{7}); s.CI95 != 0 || s.Mean != 7 {
		t.Errorf("one value: %+v", s)
	}
	if s := Summarize([]float64{0.1, 0.1, 0.1}); s.CI95 != 0 {
		t.Errorf("equal values: %+v", s)
	}
}

func edited(t *testing.T, sc *scenarios.Scenario, from, to string) *scenarios.Scenario {
	t.Helper()
	src, err := scenarios.Source("service-level")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if !strings.Contains(text, from) {
		t.Fatalf("service-level has no %q", from)
	}
	out, err := scenarios.Parse("edited.yaml", []byte(strings.Replace(text, from, to, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compare runs both designs on A's seeds and says so when B's own differs; it warns when the
// traffic differs (other customers); constants are left out of the figures.
func TestCompareSaysWhatRan(t *testing.T) {
	a, err := scenarios.Open("service-level")
	if err != nil {
		t.Fatal(err)
	}
	opt := CompareOptions{Seeds: 3}
	cases := []struct {
		name     string
		b        *scenarios.Scenario
		warnings []string
	}{
		{"same design", a, nil},
		{"own seed", edited(t, a, "seed: 3", "seed: 1001"), []string{"B's own seed 1001 is not used: both designs run 3 seeds (3…5), from A's seed"}},
		{"busier traffic", edited(t, a, "rate: 36/m", "rate: 40/m"), []string{"traffic 1 (traffic.0) differs: rate 36/min in A, 40/min in B", "do not meet the same customers"}},
		{"fewer traffic entries", edited(t, a, "  - {media: chat, from: ChatSrv_1, queue: chat_vip, rate: 4/m, patience: 90s}\n", ""), []string{"A has 2 traffic entries, B 1"}},
		{"longer run", edited(t, a, "duration: 1h", "duration: 2h"), []string{"the runs are 1h0m0s (A) and 2h0m0s (B) long"}},
		// attack 16, B4: figures over different periods were compared without a word.
		{"another warm-up", edited(t, a, "service_level: {threshold: 30s}", "service_level: {threshold: 30s, warmup: 20m}"),
			[]string{"all queues: A leaves out the first 0s (warm-up), B the first 20m0s: their figures cover different periods"}},
		{"another threshold", edited(t, a, "chat_vip: {strategy: Chat, service_level: {threshold: 10s}}", "chat_vip: {strategy: Chat, service_level: {threshold: 20s}}"),
			[]string{"service.chat_vip: A answers in 10 s, B in 20 s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmp, err := Compare(a, c.b, opt)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(cmp.Warnings, "\n")
			for _, w := range cmp.Warnings {
				// A 1 h run of this load is not a steady state: each report says so, whatever B is.
				if len(c.warnings) == 0 && !strings.Contains(w, "not a steady state") {
					t.Errorf("a warning for the same design: %s", w)
				}
			}
			if !strings.Contains(all, "A, seed 3: not a steady state") {
				t.Errorf("the reports' warnings are not passed on:\n%s", all)
			}
			for _, w := range c.warnings {
				if !strings.Contains(all, w) {
					t.Errorf("warnings lack %q:\n%s", w, all)
				}
			}
			if !slices.Equal(cmp.Seeds, []uint64{3, 4, 5}) {
				t.Errorf("seeds %v, want A's 3, 4, 5", cmp.Seeds)
			}
			// A threshold is the same in every run of one design: left out, unless it differs.
			_, listed := cmp.Figures["service.chat_vip.threshold"]
			if listed != (c.name == "another threshold") || cmp.Constant == 0 {
				t.Errorf("threshold listed %v, %d constants left out", listed, cmp.Constant)
			}
			if sl := cmp.Figures["service._all.service_level"]; sl.Title != "all queues: % answered in each queue's threshold" { // chat_vip's is 10 s
				t.Errorf("service level titled %q", sl.Title)
			}
		})
	}
	first := uint64(100)
	cmp, err := Compare(a, a, CompareOptions{Seeds: 1, FirstSeed: &first, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cmp.Seeds, []uint64{100}) || SeedRange(cmp.Seeds) != "seed 100" || cmp.Constant != 0 {
		t.Errorf("--seed 100 --seeds 1 --all: seeds %v (%q), %d left out", cmp.Seeds, SeedRange(cmp.Seeds), cmp.Constant)
	}
}

func TestTrafficDifferencesNamesEachField(t *testing.T) {
	a, err := scenarios.Open("service-level")
	if err != nil {
		t.Fatal(err)
	}
	b := a.Config
	b.Traffic = slices.Clone(b.Traffic)
	b.Traffic[1].Patience = time.Minute
	b.Traffic[1].Start = 10 * time.Minute
	b.Traffic[1].Queue = "chat_in"
	got := strings.Join(TrafficDifferences(a.Config, b), "\n")
	for _, want := range []string{"traffic 2 (traffic.1) differs", "queue chat_vip in A, chat_in in B", "start–stop 0s–end in A, 10m0s–end in B", "patience 1m30s in A, 1m0s in B"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q: %s", want, got)
		}
	}
	if d := TrafficDifferences(a.Config, a.Config); len(d) != 0 {
		t.Errorf("a scenario differs from itself: %v", d)
	}
}

func TestOrderFigures(t *testing.T) {
	in := []string{"occupancy.Chat", "service.chat_in.offered", "service._all.asa", "interactions.lost", "service.chat_in.service_level", "service._all.service_level", "service._all.offered"}
	want := []string{"service._all.service_level", "service._all.asa", "service._all.offered", "service.chat_in.service_level", "service.chat_in.offered", "occupancy.Chat", "interactions.lost"}
	if got := OrderFigures(in); !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
