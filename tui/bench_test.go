package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// bigFrame is a hand-built frame of a large deployment: 200 URS, 500 strategies (a 100,000-cell
// matrix), 100,000 interactions in flight, 60 ESP servers, 8 DAPs, a full event ring.
func bigFrame(step int64) *live.Frame {
	const nURS, nStrat, nQueues = 200, 500, 500
	s := &core.Snapshot{T: 3_600_000_000_000 + step*100_000_000, Scenario: "big", ActiveIS: "IS_1", Database: "ixn",
		Media: []string{"email", "chat", "sms"}, Databases: []string{"ixn", "other"}}
	s.Live = core.LiveCounts{Queued: 20000, InURS: 30000, WithAgent: 50000}
	s.Stats = core.Stats{Submitted: 900000, Completed: 800000, Resubmitted: 1234}
	for i := 0; i < 2; i++ {
		av := core.AppView{Name: fmt.Sprintf("IS_%d", i+1), Type: core.TypeInteractionServer, Running: true}
		s.ISes = append(s.ISes, core.ISView{AppView: av, Role: []string{"primary", "backup"}[i], Active: i == 0})
		s.Apps = append(s.Apps, av)
	}
	for u := 0; u < nURS; u++ {
		av := core.AppView{Name: fmt.Sprintf("URS_%03d", u), Type: core.TypeRoutingServer, Running: u%17 != 0}
		v := core.URSView{AppView: av, Eligible: av.Running, Pending: 150, MaxSubmitted: 1000, Submitted: int64(u)*1000 + step*int64(u%7)}
		if !av.Running {
			v.Why = "stopped"
		}
		s.URS = append(s.URS, v)
		s.Apps = append(s.Apps, av)
	}
	for i := 0; i < nStrat; i++ {
		st := core.StrategyView{Name: fmt.Sprintf("Strategy_%03d", i), Cells: make([]core.Cell, nURS)}
		for u := range st.Cells {
			on := (i+u)%3 == 0
			st.Cells[u] = core.Cell{Activated: on, Eligible: on && s.URS[u].Eligible, Submitted: int64(i * u)}
			st.Total += int64(i * u)
		}
		s.Strategies = append(s.Strategies, st)
	}
	for q := 0; q < nQueues; q++ {
		s.Queues = append(s.Queues, core.QueueView{Name: fmt.Sprintf("queue_%03d", q), BusinessProcess: "Inbound",
			Strategy: s.Strategies[q%nStrat].Name, Queued: 40, InURS: 60, WithAgent: 100})
	}
	for g := 0; g < 50; g++ {
		s.Groups = append(s.Groups, core.GroupView{Name: fmt.Sprintf("Group_%02d", g), Agents: 2000, Busy: 1500,
			Load: []int64{1000, 400, 100}, Capacity: []int64{2000, 6000, 2000}})
	}
	for e := 0; e < 60; e++ {
		typ := core.TypeThirdPartyServer
		if e%3 == 0 {
			typ = core.TypeClassificationServer
		}
		av := core.AppView{Name: fmt.Sprintf("ESP_%02d", e), Type: typ, Running: true}
		s.ESPServers = append(s.ESPServers, core.ESPServerView{AppView: av, Requests: 12345, Faults: int64(e % 4),
			Misrouted: int64(e % 2), Direct: e%2 == 0, Services: []string{"fax"}})
		s.Apps = append(s.Apps, av)
	}
	for c := 0; c < 10; c++ {
		cv := core.ClusterView{Name: fmt.Sprintf("Cluster_%d", c), Type: core.TypeThirdPartyServer}
		for _, e := range s.ESPServers[c*6 : c*6+3] {
			cv.Members = append(cv.Members, e.AppView)
		}
		s.Clusters = append(s.Clusters, cv)
	}
	for d := 0; d < 8; d++ {
		av := core.AppView{Name: fmt.Sprintf("DAP_%d", d), Type: core.TypeDatabaseAccessPoint, Running: true}
		s.DAPs = append(s.DAPs, core.DAPView{AppView: av, DBServer: fmt.Sprintf("DBServer_%d", d), DBServerRunning: true,
			Database: "ixn", InUse: true, Up: true, Requests: 99999})
		s.DBServers = append(s.DBServers, core.AppView{Name: fmt.Sprintf("DBServer_%d", d), Type: core.TypeDBServer, Running: true})
	}
	f := &live.Frame{Snap: s, Speed: 100, Duration: 0}
	line := `{"t":3600.5,"seq":%d,"kind":"to_urs","ixn":%d,"strategy":"Strategy_042","urs":"URS_017","resubmission":%v}`
	for i := 0; i < live.DefaultRingSize; i++ {
		seq := uint64(step)*live.DefaultRingSize + uint64(i)
		f.Events = append(f.Events, live.LogEntry{T: s.T, Seq: seq, Kind: core.EvToURS, Hot: i%50 == 0,
			Line: fmt.Sprintf(line, seq, seq, i%50 == 0)})
	}
	return f
}

func benchModel(_ testing.TB, w, h int) *Model {
	m := NewModel(nil, nil)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for i := int64(0); i < 3; i++ {
		m.Update(frameMsg{bigFrame(i)})
	}
	return m
}

// BenchmarkView is one frame of the console over a large snapshot. Budget: 5 ms.
func BenchmarkView(b *testing.B) {
	for _, sz := range [][2]int{{160, 48}, {80, 24}, {250, 80}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := benchModel(b, sz[0], sz[1])
			m.panes[paneLog].(*logPane).filter = "resubmission\":true"
			m.panes[paneLog].(*logPane).refilter()
			if v := m.View(); !strings.Contains(v, "Strategy_000") && sz[0] >= 120 {
				b.Fatalf("big view:\n%s", v)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = m.View()
			}
		})
	}
}

// BenchmarkFrame is the per-frame work in Update (ten times a second): panes take the snapshot
// and 5,000 new events.
func BenchmarkFrame(b *testing.B) {
	m := benchModel(b, 160, 48)
	frames := []*live.Frame{bigFrame(10), bigFrame(11)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(frameMsg{frames[i%2]})
	}
}
