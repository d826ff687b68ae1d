package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// activationBase is the outside test's deployment for activations (attack 18, l5/): a primary with
// a warm standby, two DAPs on ixn, databases other and third to re-point them to.
const activationBase = `version: 1
name: activation
seed: 1
duration: 10m
applications:
  IxnServer: {type: InteractionServer, backup: IxnServer_B, connections: [DAP_1, DAP_2, ChatSrv_1]%s}
  IxnServer_B: {type: InteractionServer%s}
  URS_1: {type: RoutingServer, connections: [IxnServer, IxnServer_B]}
  ChatSrv_1: {type: ChatServer}
  DAP_1: {type: DatabaseAccessPoint, database: ixn}
  DAP_2: {type: DatabaseAccessPoint, database: ixn}
  DAP_3: {type: DatabaseAccessPoint, database: ixn}
databases: {ixn: {}, other: {}, third: {}}
strategies:
  Chat: {activated_on: [URS_1], steps: [{route: {group: Desk}}]}
business_processes:
  Inbound: {queues: {chat_in: {strategy: Chat}}}
agent_groups:
  Desk: {agents: 20, capacity: {chat: 1}, handle_time: 30s, answer_time: 1s}
traffic:
  - {media: chat, from: ChatSrv_1, queue: chat_in, rate: 1/s}
timeline:
%s`

// Lint's activation-no-dap and the engine decide which database an Interaction Server becomes
// active on by one rule (core.ChooseDatabase with core.ISMemory): for every variant, lint warns at
// exactly the timeline entries where the engine holds all work because no DAP leads to the
// database it chose (a held event). The outside test's 27 variants (attack 18, B5: a restart of
// the standby made them disagree) and a few more.
func TestActivationLintAgreesWithEngine(t *testing.T) {
	const (
		guard    = `, options: {settings: {verify-database-identity: true}}`
		ownDAP   = `, connections: [DAP_3, ChatSrv_1]`
		allOther = "  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 1m, set: {app: DAP_2, database: other}}\n"
	)
	tests := []struct {
		name            string
		primary, backup string // extra fields of each IS
		timeline        string // after allOther unless it starts with "!"
	}{
		{"a unguarded all repointed", "", "", "  - {at: 2m, switchover: IxnServer}"},
		{"b guarded all repointed", guard, "", "  - {at: 2m, switchover: IxnServer}"},
		{"c switch-back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"d restart", "", "", "  - {at: 2m, restart: IxnServer}"},
		{"e stop start no backup running", "", "", "!  - {at: 30s, stop: IxnServer_B}\n" + allOther + "  - {at: 2m, stop: IxnServer}\n  - {at: 3m, start: IxnServer}"},
		{"f re-point back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, set: {app: DAP_1, database: ixn}}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"g same instant, switchover first", "", "", "!  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"h same instant, set first", "", "", "!  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"i stop active with backup", "", "", "  - {at: 2m, stop: IxnServer}\n  - {at: 3m, start: IxnServer}\n  - {at: 4m, stop: IxnServer_B}"},
		{"j guard partial", guard, "", "!  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, set: {app: DAP_2, database: other}}\n  - {at: 4m, switchover: IxnServer_B}\n  - {at: 5m, switchover: IxnServer}"},
		{"k three databases", "", "", "!  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 1m, set: {app: DAP_2, database: third}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, switchover: IxnServer_B}"},
		{"l restart active backup, switch back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer_B}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"m start backup when none active", "", "", "!  - {at: 30s, stop: IxnServer_B}\n  - {at: 40s, stop: IxnServer}\n" + allOther + "  - {at: 2m, start: IxnServer_B}"},
		{"n guard restart", guard, "", "  - {at: 2m, restart: IxnServer}"},
		{"o guard stop start", guard, "", "!  - {at: 30s, stop: IxnServer_B}\n" + allOther + "  - {at: 2m, stop: IxnServer}\n  - {at: 3m, start: IxnServer}"},
		{"p restart standby primary, switch back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"p2 stop and start standby primary, switch back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, stop: IxnServer}\n  - {at: 190s, start: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"p3 restart standby primary, stop active", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 4m, stop: IxnServer_B}"},
		{"q backup with own DAPs", "", ownDAP, "  - {at: 2m, switchover: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"r backup with own DAPs, DAP_3 re-pointed twice", "", ownDAP, "!  - {at: 1m, set: {app: DAP_3, database: other}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, set: {app: DAP_3, database: third}}\n  - {at: 4m, switchover: IxnServer_B}\n  - {at: 5m, switchover: IxnServer}"},
		{"s guard set by the timeline", "", "", "!  - {at: 30s, set: {app: IxnServer, section: settings, option: verify-database-identity, value: true}}\n" + allOther + "  - {at: 2m, switchover: IxnServer}"},
		{"t guard on the backup only", "", `, options: {settings: {verify-database-identity: true}}`, "  - {at: 2m, switchover: IxnServer}"},
		{"u guard turned off by the timeline", guard, "", "!  - {at: 30s, set: {app: IxnServer, section: settings, option: verify-database-identity, value: false}}\n" + allOther + "  - {at: 2m, switchover: IxnServer}"},
		{"v guard written yes", `, options: {settings: {verify-database-identity: "yes"}}`, "", "  - {at: 2m, switchover: IxnServer}"},
		{"w DAPs re-pointed one at a time", "", "", "!  - {at: 1m, set: {app: DAP_1, database: other}}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, set: {app: DAP_2, database: other}}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"x stop active backup, start it again", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, stop: IxnServer_B}\n  - {at: 4m, start: IxnServer_B}"},
		{"y guard, restart standby, switchover", guard, "", "  - {at: 90s, restart: IxnServer_B}\n  - {at: 2m, switchover: IxnServer}"},
		// More: a restarted standby keeps nothing, whichever side it is on.
		{"z1 restart standby backup, guard, switchover and back", guard, "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"z2 restart standby primary twice", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 200s, restart: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"z3 restart standby, re-point back, switch back", "", "", "  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 210s, set: {app: DAP_1, database: ixn}}\n  - {at: 4m, switchover: IxnServer_B}"},
		{"z4 no re-point, restarts and switchovers", "", "", "!  - {at: 1m, restart: IxnServer_B}\n  - {at: 2m, switchover: IxnServer}\n  - {at: 3m, restart: IxnServer}\n  - {at: 4m, switchover: IxnServer_B}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := allOther + tc.timeline
			if rest, ok := strings.CutPrefix(tc.timeline, "!"); ok {
				tl = rest
			}
			s, err := Parse("activation.yaml", []byte(fmt.Sprintf(activationBase, tc.primary, tc.backup, tl)))
			if err != nil {
				t.Fatal(err)
			}
			var warned []time.Duration
			for _, d := range Lint(s) {
				if d.Code == CodeActivationNoDAP {
					pos := Pos{Line: d.Line, Col: d.Col}
					warned = append(warned, timelineAt(t, s, pos))
				}
			}
			_, log := runLogged(t, s)
			var held []time.Duration
			for _, ev := range log {
				if ev.Kind == core.EvHeld && strings.Contains(ev.Reason, "no Database Access Point leads to database") {
					held = append(held, time.Duration(ev.T))
				}
			}
			t.Logf("warned %v, held %v", warned, held)
			if !slices.Equal(warned, held) {
				t.Errorf("lint warns activation-no-dap at %v, the engine holds all work at %v", warned, held)
			}
		})
	}
}

// timelineAt is the time of the timeline entry a finding points into.
func timelineAt(t *testing.T, s *Scenario, pos Pos) time.Duration {
	t.Helper()
	for i, ta := range s.Config.Timeline {
		if p, ok := s.Pos(item("timeline", i)); ok && p.Line == pos.Line {
			return ta.At
		}
	}
	t.Fatalf("finding at %d:%d is not on a timeline entry", pos.Line, pos.Col)
	return 0
}
