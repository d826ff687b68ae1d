//go:build cgo

package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/ixlb/ixlb/core"
)

// The engine keeps every interaction in flight in memory. A design where traffic arrives faster
// than it is routed (no agents, no eligible URS) grows without bound; the run checks its heap
// between steps and stops with a clear error before the machine runs out, instead of being
// killed. The limit is half the machine's memory, or IXLB_MEMORY_LIMIT (bytes, or with KiB, MiB
// or GiB).
const memoryLimitEnv = "IXLB_MEMORY_LIMIT"

type memoryGuard struct {
	limit  uint64
	sample []metrics.Sample
}

func newMemoryGuard() (*memoryGuard, error) {
	limit := physicalMemory() / 2
	if s := os.Getenv(memoryLimitEnv); s != "" {
		v, err := parseBytes(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", memoryLimitEnv, err)
		}
		limit = v
	}
	return &memoryGuard{limit: limit, sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}, nil
}

// Check returns an error when the heap is over the limit (study.Guard).
func (g *memoryGuard) Check(eng *core.Engine) error {
	if g == nil || g.limit == 0 {
		return nil
	}
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return nil
	}
	used := g.sample[0].Value.Uint64()
	if used <= g.limit {
		return nil
	}
	return fmt.Errorf("stopped at %s virtual: the simulation holds %d MiB of memory, over the limit of %d MiB (half the machine's memory, or %s): "+
		"interactions arrive faster than they are routed; lower the traffic rates, add agents or URS, or shorten the duration",
		time.Duration(eng.Now()).Round(time.Millisecond), used>>20, g.limit>>20, memoryLimitEnv)
}

// physicalMemory is MemTotal of /proc/meminfo, or 8 GiB where there is none.
func physicalMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 8 << 30
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return 8 << 30
}

func parseBytes(s string) (uint64, error) {
	mult := uint64(1)
	t := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseUint(t, 10, 64)
	if err != nil || v == 0 || v > math.MaxUint64/mult {
		return 0, fmt.Errorf("%q: want a size such as 4GiB, 512MiB or a number of bytes", s)
	}
	return v * mult, nil
}

// runSlices is how many steps `ixlb run` takes the duration in: 100 (progress every 1%), more
// when the traffic is heavy, so that one step brings at most about 100,000 arrivals and a
// signal or the memory guard is heard within a step.
func runSlices(cfg core.Config) int {
	arrivals := 0.0
	for _, t := range cfg.Traffic {
		stop := cfg.Duration
		if t.Stop > 0 && t.Stop < stop {
			stop = t.Stop
		}
		if stop > t.Start {
			arrivals += t.Rate * (stop - t.Start).Seconds()
		}
	}
	n := math.Ceil(arrivals / 100_000)
	switch {
	case n < 100 || math.IsNaN(n):
		return 100
	case n > 100_000:
		return 100_000
	}
	return int(n)
}

// What a scenario costs in memory before any traffic, measured on the 2-core target: an agent
// about 125 bytes (12 MB for 100,000), an interaction database the run opens about 1 MiB (SQLite's
// cache and statements: outside the Go heap the guard watches), a URS's rotation entry for a
// strategy a few dozen bytes. The estimate rounds each up.
const (
	bytesPerAgent    = 160
	bytesPerDatabase = 1 << 20
	bytesPerPair     = 64
	bytesBase        = 16 << 20
)

// estimateMemory is what the scenario needs in memory before its first arrival.
func estimateMemory(cfg core.Config) uint64 {
	var agents uint64
	for _, g := range cfg.AgentGroups {
		agents += uint64(max(g.Agents, 0))
	}
	urs := 0
	for _, a := range cfg.Apps {
		if a.Type == core.TypeRoutingServer {
			urs++
		}
	}
	return bytesBase + agents*bytesPerAgent + uint64(len(cfg.Databases))*bytesPerDatabase +
		uint64(urs)*uint64(len(cfg.Strategies))*bytesPerPair
}

// checkEstimate refuses, at load, a scenario whose agents, databases and rotations alone would
// pass the memory guard's limit: the guard looks between steps, and such a run dies of memory
// while it is made, before the first one.
func (g *memoryGuard) checkEstimate(file string, cfg core.Config) error {
	if g == nil || g.limit == 0 {
		return nil
	}
	if need := estimateMemory(cfg); need > g.limit {
		return fmt.Errorf("%s: the scenario needs about %d MiB of memory before any traffic (its agents, databases and strategy rotations), over the limit of %d MiB (half the machine's memory, or %s): make it smaller",
			file, need>>20, g.limit>>20, memoryLimitEnv)
	}
	return nil
}
