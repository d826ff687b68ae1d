package study

import (
	"fmt"
	"sort"
)

// VariantSummary is one variant of a merged sweep.
type VariantSummary struct {
	Variant int                `json:"variant"`
	Set     map[string]string  `json:"set"`
	Runs    int                `json:"runs"`
	Failed  int                `json:"failed_runs"` // runs where an expectation failed
	Figures map[string]Summary `json:"figures"`
}

// MergeSummary is `ixlb sweep merge --json`.
type MergeSummary struct {
	Grid     string           `json:"grid"`
	Axes     []Axis           `json:"axes"`
	Runs     int              `json:"runs"`     // rows merged
	Expected int              `json:"expected"` // runs of the whole grid
	Variants []VariantSummary `json:"variants"`
}

// MergeRows checks that rows are one sweep without duplicates and summarises them per variant.
func MergeRows(rows []SourcedRow) (*MergeSummary, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows to merge")
	}
	first := rows[0]
	type key struct {
		variant int
		seed    uint64
	}
	seen := map[key]string{}
	byVariant := map[int][]SourcedRow{}
	for _, r := range rows {
		if r.Grid != first.Grid || r.Runs != first.Runs {
			return nil, fmt.Errorf("%s is a row of another sweep (grid %s, %d runs) than %s (grid %s, %d runs): merge the shards of one sweep only",
				r.At, r.Grid, r.Runs, first.At, first.Grid, first.Runs)
		}
		k := key{r.Variant, r.Seed}
		if at, dup := seen[k]; dup {
			return nil, fmt.Errorf("%s repeats variant %d seed %d of %s: was a shard given twice?", r.At, r.Variant, r.Seed, at)
		}
		seen[k] = r.At
		byVariant[r.Variant] = append(byVariant[r.Variant], r)
	}
	ms := &MergeSummary{Grid: first.Grid, Axes: first.Axes, Runs: len(rows), Expected: first.Runs}
	if len(rows) > first.Runs {
		return nil, fmt.Errorf("%d rows for a sweep of %d runs", len(rows), first.Runs)
	}
	var ids []int
	for v := range byVariant {
		ids = append(ids, v)
	}
	sort.Ints(ids)
	for _, v := range ids {
		rs := byVariant[v]
		sort.Slice(rs, func(i, j int) bool { return rs[i].Seed < rs[j].Seed })
		vsum := VariantSummary{Variant: v, Set: rs[0].Set, Runs: len(rs), Figures: map[string]Summary{}}
		names := map[string]bool{}
		for _, r := range rs {
			for k := range r.Figures {
				names[k] = true
			}
			if len(r.Failed) > 0 {
				vsum.Failed++
			}
		}
		for name := range names {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = r.Figures[name]
			}
			vsum.Figures[name] = Summarize(xs)
		}
		ms.Variants = append(ms.Variants, vsum)
	}
	return ms, nil
}

// Names lists the figures of the merged sweep, in table order.
func (ms *MergeSummary) Names() []string {
	seen := map[string]bool{}
	var names []string
	for _, v := range ms.Variants {
		for k := range v.Figures {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	return OrderFigures(names)
}
