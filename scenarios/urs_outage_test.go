package scenarios

import (
	"math"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

// resub2 is attack 16's scenario: three URS share strategy S; URS_1 stops at 5m, URS_2 at 6m,
// URS_1 comes back at 7m, URS_3 stops at 8m, URS_1 stops at 9m — from 9m to 10m no URS runs —
// and URS_2 comes back at 10m.
const resub2 = `version: 1
name: resub2
seed: 4
duration: 15m
applications:
  IxnServer:
    type: InteractionServer
    connections: [DAP_1, ChatSrv_1]
    annex: {agent_reservation: {URS_1: true, URS_2: true, URS_3: true}}
  URS_1: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  URS_2: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  URS_3: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  ChatSrv_1: {type: ChatServer}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
databases: {ixn: {}}
strategies:
  S: {activated_on: [URS_1, URS_2, URS_3], steps: [{route: {group: G}}]}
business_processes:
  P: {queues: {q1: {strategy: S}}}
agent_groups:
  G: {agents: 8, capacity: {chat: 1}, handle_time: 60s}
traffic:
  - {media: chat, from: ChatSrv_1, queue: q1, rate: 9/m, patience: 3m}
timeline:
  - {at: 5m, stop: URS_1}
  - {at: 6m, stop: URS_2}
  - {at: 7m, start: URS_1}
  - {at: 8m, stop: URS_3}
  - {at: 9m, stop: URS_1}
  - {at: 10m, start: URS_2}
`

// attack 16, B14 and B15. A stopped URS acts no more (it was handed the agent its own stop freed,
// and revoked, five times at the same instant); and "touched by a failure" counts every
// interaction a URS stop pulled back — resubmitted or not, answered or abandoned — and every
// arrival that waited because no URS with its strategy ran (it counted only the 7 resubmitted:
// ixn 79, pulled back at 9m and abandoned before any URS returned, was not touched). Each is
// logged once as touched {ixn, queue, reason}, so the log recounts the report's figure.
func TestURSOutageTouchesWhatItHolds(t *testing.T) {
	for _, seed := range []uint64{4, 5, 6, 7} {
		sc, err := Parse("resub2.yaml", []byte(resub2))
		if err != nil {
			t.Fatal(err)
		}
		sc.Config.Seed = seed
		r, log := runLogged(t, sc)
		running := map[string]bool{"URS_1": true, "URS_2": true, "URS_3": true}
		inURS := map[int64]string{} // interactions a URS holds, by the log
		mustTouch := map[int64]string{}
		touched := map[int64]string{}
		abandonedAfterPull := 0
		for _, ev := range log {
			switch ev.Kind.String() {
			case "app_stopped":
				running[ev.App] = false
				for ixn, u := range inURS {
					if u == ev.App {
						mustTouch[ixn] = "pulled back from " + u
						delete(inURS, ixn)
					}
				}
			case "app_started":
				running[ev.App] = true
			case "reserved", "reserve_denied":
				if !running[ev.URS] {
					t.Errorf("seed %d, t=%d: %s %s for interaction %d while stopped", seed, ev.T, ev.URS, ev.Kind, ev.Ixn)
				}
			case "to_urs":
				if !running[ev.URS] {
					t.Errorf("seed %d, t=%d: interaction %d sent to stopped %s", seed, ev.T, ev.Ixn, ev.URS)
				}
				inURS[ev.Ixn] = ev.URS
			case "accepted", "completed":
				delete(inURS, ev.Ixn)
			case "submitted":
				if !running["URS_1"] && !running["URS_2"] && !running["URS_3"] {
					mustTouch[ev.Ixn] = "arrived with every URS stopped"
				}
			case "abandoned":
				delete(inURS, ev.Ixn)
				if _, pulled := mustTouch[ev.Ixn]; pulled {
					abandonedAfterPull++
				}
			case "touched":
				if _, twice := touched[ev.Ixn]; twice {
					t.Errorf("seed %d: interaction %d touched twice", seed, ev.Ixn)
				}
				touched[ev.Ixn] = ev.Reason
			}
		}
		for ixn, why := range mustTouch {
			if _, ok := touched[ixn]; !ok {
				t.Errorf("seed %d: interaction %d %s, not touched", seed, ixn, why)
			}
		}
		if got := r.Interactions.Touched; got != int64(len(touched)) {
			t.Errorf("seed %d: touched %d; the log has %d touched events", seed, got, len(touched))
		}
		if seed == 4 && (abandonedAfterPull == 0 || touched[79] != "pulled back from a stopped URS") {
			t.Errorf("seed 4: %d abandoned after a failure reached them; ixn 79: %q", abandonedAfterPull, touched[79])
		}
	}
}

// attack 16, B10: the event log alone recounts the service figures, held arrivals included —
// submitted says when a held customer arrived (received), abandoned when a held one gave up
// (abandoned_at) — and touched is one touched event per interaction. (A switchover that puts a
// database's completed rows out of sight touches them in bulk, rows no interaction holds: those
// are interactions.lost_finished, not logged one by one; none of these scenarios does that.)
func TestLogRecountsServiceFigures(t *testing.T) {
	isDown := strings.Replace(resub2, "name: resub2", "name: is-down", 1)
	isDown = isDown[:strings.Index(isDown, "timeline:")] + `timeline:
  - {at: 5m, stop: DBServer_1}
  - {at: 8m, stop: IxnServer}
  - {at: 10m, start: DBServer_1}
  - {at: 12m, start: IxnServer}
  - {at: 13m, stop: URS_1}
  - {at: 14m, restart: IxnServer}
  - {at: 15m, stop: ChatSrv_1}
  - {at: 16m, start: ChatSrv_1}
`
	for _, c := range []struct{ name, src string }{{"resub2", resub2}, {"is-down", isDown}, {"dap-failover", ""}, {"service-level", ""}} {
		var sc *Scenario
		var err error
		if c.src != "" {
			sc, err = Parse(c.name+".yaml", []byte(c.src))
		} else {
			sc, err = Open(c.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		r, log := runLogged(t, sc)
		all := r.Service[core.AllQueues]
		arrived, queueOf := map[int64]int64{}, map[int64]string{}
		var offered, answered, within, abandoned, touched int64
		var waitSum int64
		for _, ev := range log {
			switch ev.Kind {
			case core.EvSubmitted:
				offered++
				arrived[ev.Ixn], queueOf[ev.Ixn] = ev.T, ev.Queue
				if ev.Received != 0 {
					arrived[ev.Ixn] = ev.Received
				}
			case core.EvAccepted:
				if at, open := arrived[ev.Ixn]; open {
					delete(arrived, ev.Ixn) // the first accept ends the wait
					answered++
					waitSum += ev.T - at
					if ev.T-at <= int64(r.Service[queueOf[ev.Ixn]].Threshold*1e9) { // its own queue's

						within++
					}
				}
			case core.EvAbandoned:
				abandoned++
				delete(arrived, ev.Ixn)
				if ev.AbandonedAt != 0 && ev.AbandonedAt >= ev.T {
					t.Errorf("%s: abandoned_at %d not before the event's time %d", c.name, ev.AbandonedAt, ev.T)
				}
			case core.EvTouched:
				touched++
			}
		}
		offered += r.Interactions.WaitingAtMedia // still held at the end: no line yet
		if offered != all.Offered || answered != all.Answered || within != all.AnsweredWithin || abandoned != all.Abandoned || touched != all.Touched {
			t.Errorf("%s: the log recounts offered %d answered %d within %d abandoned %d touched %d; the report %d %d %d %d %d",
				c.name, offered, answered, within, abandoned, touched, all.Offered, all.Answered, all.AnsweredWithin, all.Abandoned, all.Touched)
		}
		if answered > 0 {
			if asa := float64(waitSum) / float64(answered) / 1e9; math.Abs(asa-all.ASA) > 1e-9*max(1, asa) {
				t.Errorf("%s: the log's ASA %.9f, the report's %.9f", c.name, asa, all.ASA)
			}
		}
	}
}
