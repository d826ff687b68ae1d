package scenarios

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// lintBase is a deployment that lints clean: two URS set up as the seed document asks, an IS with
// a backup and the identity guard, two DAPs to one database, a fax cluster. Each case below breaks
// it in one way; positions in the table are LINE:COL in the broken file.
const lintBase = `version: 1
duration: 10m
applications:
  IxnServer:
    type: InteractionServer
    backup: IxnServer_B
    connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_1, EmailSrv_1]
    options: {settings: {verify-database-identity: true}}
    annex: {agent_reservation: {URS_1: true, URS_2: true}}
  IxnServer_B: {type: InteractionServer}
  URS_1: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  URS_2: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  ClassSrv_1: {type: ClassificationServer}
  FaxSrv_1: {type: ThirdPartyServer, services: [fax]}
  FaxSrv_2: {type: ThirdPartyServer, services: [fax]}
  IMSrv_1: {type: ThirdPartyServer, services: [im]}
  EmailSrv_1: {type: EmailServer}
  DBServer_1: {type: DBServer}
  DBServer_2: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
  DAP_2: {type: DatabaseAccessPoint, db_server: DBServer_2, database: ixn}
clusters:
  FaxCluster: {members: [FaxSrv_1, FaxSrv_2]}
databases: {ixn: {}, other: {}}
strategies:
  A:
    activated_on: [URS_1, URS_2]
    steps:
      - classify: {via: ClassificationServer, categories: {billing: 1, sales: 1}}
      - esp: {via: FaxCluster, service: fax, method: send}
      - route: {by_category: {billing: Billing, default: Sales}}
business_processes:
  Inbound: {queues: {fax_in: {strategy: A}}}
agent_groups:
  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}
  Billing: {agents: 5, capacity: {fax: 1}, handle_time: 1m}
traffic:
  - {media: fax, from: EmailSrv_1, queue: fax_in, rate: 1/s}
timeline:
  - {at: 1m, stop: URS_1}
`

// edit is one replacement in lintBase; the test fails if old is not there, so a case cannot
// silently lint the unbroken file.
type edit struct{ old, new string }

func lintEdited(t *testing.T, edits ...edit) (*Scenario, string) {
	t.Helper()
	text := lintBase
	for _, e := range edits {
		if !strings.Contains(text, e.old) {
			t.Fatalf("edit %q does not apply", e.old)
		}
		text = strings.Replace(text, e.old, e.new, 1)
	}
	s, err := Parse("lint.yaml", []byte(text))
	if err != nil {
		t.Fatalf("the edited file does not load:\n%v\n%s", err, text)
	}
	return s, text
}

// found renders diagnostics as "CODE@LINE:COL", the form the table uses.
func found(ds Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Code + "@" + d.Pos().String()
	}
	return out
}

// caret shows the line a position points at, for a failure message.
func caret(text string, p Pos) string {
	lines := strings.Split(text, "\n")
	if p.Line < 1 || p.Line > len(lines) {
		return "(no such line)"
	}
	return lines[p.Line-1] + "\n" + strings.Repeat(" ", max(0, p.Col-1)) + "^"
}

const (
	urs2Line  = "  URS_2: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}"
	annexLine = "    annex: {agent_reservation: {URS_1: true, URS_2: true}}"
	guardLine = "    options: {settings: {verify-database-identity: true}}\n"
	lastLine  = "  - {at: 1m, stop: URS_1}\n"
	dap2Line  = "  DAP_2: {type: DatabaseAccessPoint, db_server: DBServer_2, database: ixn}"
)

func TestLintRules(t *testing.T) {
	cases := []struct {
		name  string
		edits []edit
		want  []string // CODE@LINE:COL, in position order; none: the file lints clean
	}{
		{"clean", nil, nil},

		// A participating URS without agent_reservation in its own options.
		{"urs without agent_reservation", []edit{{urs2Line, "  URS_2: {type: RoutingServer, connections: [IxnServer]}"}},
			[]string{"urs-no-agent-reservation@12:3"}},
		{"urs with agent_reservation false", []edit{{urs2Line, strings.Replace(urs2Line, "reservation: true", "reservation: false", 1)}},
			[]string{"urs-no-agent-reservation@12:97"}},
		{"urs options without the default section", []edit{{urs2Line, strings.Replace(urs2Line, "default:", "routing:", 1)}},
			[]string{"urs-no-agent-reservation@12:58"}},
		{"agent_reservation turned on by the timeline", []edit{
			{urs2Line, "  URS_2: {type: RoutingServer, connections: [IxnServer]}"},
			{lastLine, lastLine + "  - {at: 2m, set: {app: URS_2, section: default, option: agent_reservation, value: true}}\n"}},
			nil},
		{"urs activated only in the timeline", []edit{
			{urs2Line, "  URS_2: {type: RoutingServer, connections: [IxnServer]}"},
			{"activated_on: [URS_1, URS_2]", "activated_on: [URS_1]"},
			{lastLine, lastLine + "  - {at: 2m, activate: A, on: [URS_2]}\n"}},
			[]string{"urs-no-agent-reservation@12:3"}},

		// … or without its entry in the IS Annex.
		{"urs missing from the annex", []edit{{annexLine, "    annex: {agent_reservation: {URS_1: true}}"}},
			[]string{"urs-not-in-annex@9:13"}},
		{"urs false in the annex", []edit{{annexLine, "    annex: {agent_reservation: {URS_1: true, URS_2: false}}"}},
			[]string{"urs-not-in-annex@9:53"}},
		{"no annex at all", []edit{{annexLine + "\n", ""}},
			[]string{"urs-not-in-annex@4:3", "urs-not-in-annex@4:3"}},
		{"annex entry turned on by the timeline", []edit{
			{annexLine, "    annex: {agent_reservation: {URS_1: true}}"},
			{lastLine, lastLine + "  - {at: 2m, set: {app: IxnServer, section: \"annex:agent_reservation\", option: URS_2, value: true}}\n"}},
			nil},
		{"backup with an annex of its own", []edit{{"  IxnServer_B: {type: InteractionServer}", "  IxnServer_B: {type: InteractionServer, annex: {agent_reservation: {URS_1: true}}}"}},
			[]string{"urs-not-in-annex@10:50"}},
		{"annex names no URS", []edit{{annexLine, "    annex: {agent_reservation: {URS_1: true, URS_2: true, URS_3: true}}"}},
			[]string{"annex-unknown-urs@9:59"}},

		// A strategy activated on a URS with no connection to the IS (or its backup).
		{"urs not connected", []edit{{urs2Line, strings.Replace(urs2Line, "connections: [IxnServer]", "connections: [ClassSrv_1]", 1)}},
			[]string{"urs-not-connected@12:32"}},
		{"urs without connections", []edit{{urs2Line, strings.Replace(urs2Line, "connections: [IxnServer], ", "", 1)}},
			[]string{"urs-not-connected@12:3"}},
		{"urs connected to the backup only", []edit{{urs2Line, strings.Replace(urs2Line, "[IxnServer]", "[IxnServer_B]", 1)}},
			nil},

		// URS limits.
		{"max-submitted-interactions 0", []edit{{urs2Line, strings.Replace(urs2Line, "}}}", "}}, annex: {IxnServer: {max-submitted-interactions: 0}}}", 1)}},
			[]string{"max-submitted-zero@12:153"}},
		{"default-max-submitted-per-router 0", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, default-max-submitted-per-router: 0}}\n"}},
			[]string{"max-submitted-zero@8:92", "nothing-routed@37:1"}},
		{"max-submitted-interactions in a section named after no IS", []edit{{urs2Line, strings.Replace(urs2Line, "}}}", "}}, annex: {IxnSrv: {max-submitted-interactions: 10}}}", 1)}},
			[]string{"max-submitted-section@12:113"}},
		{"option value the IS cannot read", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, delivering-timeout: soon}}\n"}},
			[]string{"bad-option-value@8:78"}},
		{"agent_reservation not a boolean", []edit{{urs2Line, strings.Replace(urs2Line, "reservation: true", "reservation: maybe", 1)}},
			[]string{"bad-option-value@12:97"}},
		{"max-submission-rate above Genesys' ceiling", []edit{{urs2Line, strings.Replace(urs2Line, "}}}", "}}, annex: {IxnServer: {max-submission-rate: 5000/second}}}", 1)}},
			[]string{"rate-above-ceiling@12:146"}},
		{"max-submission-rate the URS cannot read", []edit{{urs2Line, strings.Replace(urs2Line, "}}}", "}}, annex: {IxnServer: {max-submission-rate: fast}}}", 1)}},
			[]string{"bad-option-value@12:146"}},
		{"ChatServer addressed by type", []edit{
			{"  EmailSrv_1: {type: EmailServer}", "  EmailSrv_1: {type: EmailServer}\n  ChatSrv_1: {type: ChatServer}"},
			{"connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_1, EmailSrv_1]", "connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_1, EmailSrv_1, ChatSrv_1]"},
			{"      - esp: {via: FaxCluster, service: fax, method: send}", "      - esp: {via: FaxCluster, service: fax, method: send}\n      - esp: {via: ChatServer, service: chat, method: transcript}"}},
			[]string{"esp-chat-not-balanced@32:20"}},
		{"DAPs through a DB Server and through ODBC", []edit{{dap2Line, "  DAP_2: {type: DatabaseAccessPoint, database: ixn}"}},
			[]string{"dap-mixed-access@21:3"}},
		{"max-submission-rate it can", []edit{{urs2Line, strings.Replace(urs2Line, "}}}", "}}, annex: {IxnServer: {max-submission-rate: 10/second}}}", 1)}},
			nil},
		{"timeline set with a value the URS cannot read", []edit{{lastLine, lastLine + "  - {at: 2m, set: {app: URS_2, section: \"annex:IxnServer\", option: max-submitted-interactions, value: lots}}\n"}},
			[]string{"bad-option-value@41:103"}},

		// ESP: ThirdPartyServers addressed by type, services, empty targets.
		{"thirdparty by type over fax and im servers", []edit{
			{"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, IMSrv_1, EmailSrv_1]"},
			{"via: FaxCluster", "via: ThirdPartyServer"}},
			[]string{"esp-thirdparty-by-type@30:20"}},
		{"thirdparty by type, all servers provide the service", []edit{
			{"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, FaxSrv_2, EmailSrv_1]"},
			{"via: FaxCluster", "via: ThirdPartyServer"}},
			nil},
		{"thirdparty by type, no server provides the service", []edit{
			{"FaxSrv_1, EmailSrv_1]", "IMSrv_1, EmailSrv_1]"},
			{"via: FaxCluster", "via: ThirdPartyServer"}},
			[]string{"esp-service-missing@30:20"}},
		{"via a server without the service", []edit{{"via: FaxCluster", "via: IMSrv_1"}, {"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, IMSrv_1, EmailSrv_1]"}},
			[]string{"esp-service-missing@30:20"}},
		// A server addressed by name: the IS must be connected to it, directly or through a
		// cluster on its Connections tab.
		{"via a server the IS is not connected to", []edit{{"via: FaxCluster", "via: FaxSrv_2"}},
			[]string{"esp-not-connected@30:20"}},
		{"via a server in a cluster the IS is connected to", []edit{{"via: FaxCluster", "via: FaxSrv_2"}, {"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, EmailSrv_1, FaxCluster]"}},
			nil},
		// Only an Interaction Server that becomes active counts: a backup that never takes over
		// reaches nothing for anyone (attack 18, B7).
		{"via a server only the backup is connected to, no switchover", []edit{{"via: FaxCluster", "via: FaxSrv_2"},
			{"  IxnServer_B: {type: InteractionServer}", "  IxnServer_B: {type: InteractionServer, connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_2]}"}},
			[]string{"esp-not-connected@30:20"}},
		{"via a server only the backup is connected to, and it takes over", []edit{{"via: FaxCluster", "via: FaxSrv_2"},
			{"  IxnServer_B: {type: InteractionServer}", "  IxnServer_B: {type: InteractionServer, connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_2]}"},
			{lastLine, lastLine + "  - {at: 3m, switchover: IxnServer}\n"}},
			[]string{"esp-not-always-connected@30:20"}},
		{"via a server only the backup is connected to, the primary stops for good", []edit{{"via: FaxCluster", "via: FaxSrv_2"},
			{"  IxnServer_B: {type: InteractionServer}", "  IxnServer_B: {type: InteractionServer, connections: [DAP_1, DAP_2, ClassSrv_1, FaxSrv_2]}"},
			{lastLine, lastLine + "  - {at: 0s, stop: IxnServer}\n"}},
			nil},
		{"via a server that joins a connected cluster later", []edit{{"via: FaxCluster", "via: FaxSrv_2"},
			{"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, EmailSrv_1, FaxCluster]"}, {"[FaxSrv_1, FaxSrv_2]", "[FaxSrv_1]"},
			{lastLine, lastLine + "  - {at: 2m, join: {cluster: FaxCluster, app: FaxSrv_2}}\n"}},
			[]string{"esp-not-always-connected@30:20"}},
		{"via a cluster with a member without the service", []edit{{"[FaxSrv_1, FaxSrv_2]", "[FaxSrv_1, IMSrv_1]"}},
			[]string{"esp-service-missing@30:20"}},
		{"steps after a stop never run", []edit{{"      - esp: {via: FaxCluster,", "      - stop: {}\n      - esp: {via: IMSrv_1,"}},
			nil},
		{"classify via a type the IS has no connection to", []edit{{"ClassSrv_1, FaxSrv_1", "FaxSrv_1"}},
			[]string{"esp-no-server@29:25"}},
		{"via an empty cluster", []edit{{"[FaxSrv_1, FaxSrv_2]", "[]"}},
			[]string{"esp-no-server@30:20"}},
		{"via a cluster its members join in the timeline", []edit{
			{"[FaxSrv_1, FaxSrv_2]", "[]"},
			{lastLine, lastLine + "  - {at: 2m, join: {cluster: FaxCluster, app: FaxSrv_1}}\n"}},
			nil},

		// Databases.
		{"DAPs pointing at different databases", []edit{{dap2Line, strings.Replace(dap2Line, "database: ixn", "database: other", 1)}},
			[]string{"dap-database-mismatch@21:71"}},
		{"backup whose DAP points elsewhere", []edit{
			{"  IxnServer_B: {type: InteractionServer}", "  IxnServer_B: {type: InteractionServer, connections: [DAP_1, DAP_3, ClassSrv_1]}"},
			{dap2Line, dap2Line + "\n  DAP_3: {type: DatabaseAccessPoint, db_server: DBServer_2, database: other}"}},
			[]string{"backup-database-mismatch@10:63"}},
		{"DAP re-pointed, switchover guarded", []edit{{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, switchover: IxnServer}\n"}},
			[]string{"dap-repoint@41:42"}},
		{"DAP re-pointed, then an unguarded switchover", []edit{
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, switchover: IxnServer}\n"}},
			[]string{"dap-repoint@40:42", "switchover-after-repoint@41:26"}},
		{"DAP re-pointed, then the active IS stops", []edit{
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 3m, stop: IxnServer}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n"}},
			[]string{"switchover-after-repoint@40:20", "dap-repoint@41:42"}},
		{"DAP re-pointed, then the IS restarts", []edit{
			{"    backup: IxnServer_B\n", ""},
			{"  IxnServer_B: {type: InteractionServer}\n", ""},
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, stop: IxnServer}\n  - {at: 4m, start: IxnServer}\n"}},
			[]string{"dap-repoint@38:42", "switchover-after-repoint@40:21"}},
		{"DAP re-pointed, then the IS restarts with the guard", []edit{
			{"    backup: IxnServer_B\n", ""},
			{"  IxnServer_B: {type: InteractionServer}\n", ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, stop: IxnServer}\n  - {at: 4m, start: IxnServer}\n"}},
			[]string{"dap-repoint@39:42"}},
		{"every DAP re-pointed, switchover guarded: the backup keeps a database no DAP reaches", []edit{
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_1, database: other}}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, switchover: IxnServer}\n"}},
			[]string{"dap-repoint@41:42", "dap-repoint@42:42", "activation-no-dap@43:26"}},
		{"every DAP re-pointed, switchover and switch-back: the primary keeps its database", []edit{
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_1, database: other}}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, switchover: IxnServer}\n  - {at: 4m, switchover: IxnServer}\n"}},
			[]string{"dap-repoint@40:42", "dap-repoint@41:42", "switchover-after-repoint@42:26", "activation-no-dap@43:26"}},
		{"every DAP re-pointed, then the IS restarts: it reads its DAPs anew", []edit{
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_1, database: other}}\n  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, restart: IxnServer}\n"}},
			[]string{"dap-repoint@40:42", "dap-repoint@41:42", "switchover-after-repoint@42:23"}},
		{"DAP re-pointed to the database it points at", []edit{{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: ixn}}\n"}},
			nil},
		{"DAP re-pointed back before the switchover", []edit{
			{guardLine, ""},
			{lastLine, lastLine + "  - {at: 2m, set: {app: DAP_2, database: other}}\n  - {at: 3m, set: {app: DAP_2, database: ixn}}\n  - {at: 4m, switchover: IxnServer}\n"}},
			[]string{"dap-repoint@40:42", "dap-repoint@41:42"}},

		// Queues and strategies.
		{"queue whose strategy is activated nowhere", []edit{
			{"  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A}, fax_b: {strategy: B}}}"},
			{"business_processes:", "  B: {steps: [{route: {group: Sales}}]}\nbusiness_processes:"}},
			[]string{"queue-strategy-not-activated@34:63"}},
		{"queue whose strategy is activated in the timeline", []edit{
			{"  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A}, fax_b: {strategy: B}}}"},
			{"business_processes:", "  B: {steps: [{route: {group: Sales}}]}\nbusiness_processes:"},
			{lastLine, lastLine + "  - {at: 2m, activate: B, on: [URS_2]}\n"}},
			nil},
		{"nothing can be routed", []edit{{"activated_on: [URS_1, URS_2]", "activated_on: []"}},
			[]string{"queue-strategy-not-activated@33:41", "nothing-routed@37:1"}},
		{"no URS reserves: they still route, and may double-book", []edit{{annexLine + "\n", "    annex: {agent_reservation: {URS_1: false, URS_2: false}}\n"}},
			[]string{"urs-not-in-annex@9:40", "urs-not-in-annex@9:54"}},
		{"a URS without agent_reservation alone on its agents", []edit{
			{urs2Line, "  URS_2: {type: RoutingServer, connections: [IxnServer]}"},
			{"activated_on: [URS_1, URS_2]", "activated_on: [URS_1]"},
			{"business_processes:", "  B: {activated_on: [URS_2], steps: [{route: {group: Solo}}]}\nbusiness_processes:"},
			{"  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A}, solo_in: {strategy: B}}}"},
			{"  Billing: {agents: 5, capacity: {fax: 1}, handle_time: 1m}", "  Billing: {agents: 5, capacity: {fax: 1}, handle_time: 1m}\n  Solo: {agents: 5, capacity: {fax: 1}, handle_time: 1m}"}},
			nil},
		{"route to a group without capacity for the media", []edit{{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {email: 1}"}},
			[]string{"group-no-capacity@31:40"}},
		{"route to a group without agents", []edit{{"  Sales: {agents: 5,", "  Sales: {agents: 0,"}},
			[]string{"group-no-capacity@31:58"}},
		{"media carried by a queue step", []edit{
			{"  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: Q}, fax_2: {strategy: A}}}"},
			{"business_processes:", "  Q: {activated_on: [URS_1], steps: [{queue: fax_2}]}\nbusiness_processes:"},
			{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {email: 1}"}},
			[]string{"group-no-capacity@31:40"}},

		// handling-timeout against the groups' handle times (exp(-3) ≈ 5% of 1-minute work).
		{"handling-timeout short against handle times", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, handling-timeout: 3}}\n"}},
			[]string{"handling-timeout-revokes@8:76", "handling-timeout-revokes@8:76"}},
		{"handling-timeout set short in the timeline", []edit{{lastLine, lastLine + "  - {at: 2m, set: {app: IxnServer, section: settings, option: handling-timeout, value: 4m}}\n"}},
			[]string{"handling-timeout-revokes@41:88", "handling-timeout-revokes@41:88"}},
		{"handling-timeout well above handle times", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, handling-timeout: 10}}\n"}},
			nil},

		// answer_time against delivering-timeout (30 s by default; the engine revokes when the
		// answer comes later than it).
		{"answer_time beyond delivering-timeout", []edit{{"  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}", "  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m, answer_time: 31s}"}},
			[]string{"answer-time-revokes@35:72"}},
		{"delivering-timeout set below answer_time in the timeline", []edit{{lastLine, lastLine + "  - {at: 2m, set: {app: IxnServer, section: settings, option: delivering-timeout, value: 1}}\n"}},
			[]string{"answer-time-revokes@41:90", "answer-time-revokes@41:90"}},
		{"answer_time at delivering-timeout", []edit{{"  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}", "  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m, answer_time: 30s}"}},
			nil},

		// A media server submitting another server's media.
		{"chat from an E-mail Server", []edit{{"{media: fax, from: EmailSrv_1", "{media: chat, from: EmailSrv_1"},
			{"  Sales: {agents: 5, capacity: {fax: 1}", "  Sales: {agents: 5, capacity: {chat: 1}"},
			{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {chat: 1}"}},
			[]string{"traffic-media-server@38:13"}},

		{"chat from a Social Messaging Server", []edit{{"{media: fax, from: EmailSrv_1", "{media: chat, from: SocSrv_1"},
			{"  EmailSrv_1: {type: EmailServer}", "  EmailSrv_1: {type: EmailServer}\n  SocSrv_1: {type: SocialMessagingServer}"},
			{"  Sales: {agents: 5, capacity: {fax: 1}", "  Sales: {agents: 5, capacity: {chat: 1}"},
			{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {chat: 1}"}},
			nil},
		// Media names are exact (capacity counts them apart), yet CHAT is the Chat Server's media.
		{"CHAT from an E-mail Server", []edit{{"{media: fax, from: EmailSrv_1", "{media: CHAT, from: EmailSrv_1"},
			{"  Sales: {agents: 5, capacity: {fax: 1}", "  Sales: {agents: 5, capacity: {chat: 1}"},
			{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {chat: 1}"}},
			[]string{"group-no-capacity@31:40", "group-no-capacity@31:58", "traffic-media-server@38:13", "media-name-case@38:13"}},
		// A by_category branch no classify step can take routes nothing.
		{"by_category branch for a category nothing sets", []edit{{"{billing: Billing, default: Sales}", "{billing: Billing, vip: Nobody, default: Sales}"},
			{"agent_groups:", "agent_groups:\n  Nobody: {agents: 0, capacity: {fax: 1}, handle_time: 1m}"}},
			nil},
		// handling-timeout: a group no route step uses has nothing revoked.
		{"handling-timeout against a group nothing is routed to", []edit{
			{"agent_groups:", "agent_groups:\n  Unused: {agents: 5, capacity: {fax: 1}, handle_time: 10h}"}},
			nil},

		// Workload and timeline outside the run.
		{"timeline entry after the end", []edit{{lastLine, lastLine + "  - {at: 11m, start: URS_1}\n"}},
			[]string{"timeline-after-end@41:10"}},
		{"traffic starting at the end", []edit{{"rate: 1/s}", "rate: 1/s, start: 10m}"}},
			[]string{"traffic-after-end@38:69"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, text := lintEdited(t, c.edits...)
			ds := Lint(s)
			got := found(ds)
			if !slices.Equal(got, c.want) {
				var b strings.Builder
				for _, d := range ds {
					b.WriteString(d.Lint() + "\n" + caret(text, d.Pos()) + "\n")
				}
				t.Errorf("got  %q\nwant %q\n%s", got, c.want, b.String())
			}
			for _, d := range ds {
				if d.File != "lint.yaml" || d.Message == "" || strings.ContainsAny(d.Message, "\n") {
					t.Errorf("malformed diagnostic %#v", d)
				}
			}
		})
	}

	// Every rule is exercised by a case above.
	covered := map[string]bool{}
	for _, c := range cases {
		for _, w := range c.want {
			covered[strings.SplitN(w, "@", 2)[0]] = true
		}
	}
	for _, r := range Rules() {
		if !covered[r.Code] {
			t.Errorf("rule %s has no test case", r.Code)
		}
	}
}

// Messages say what happens, in numbers a person reads (attack 18, B8): the valid range of a
// duration option with an example inside it, bounds without exponents, shares as percentages, a
// limit of 0 the timeline sets for a while, and where interactions without agents go.
func TestLintMessagesSayWhatHappens(t *testing.T) {
	for _, c := range []struct {
		name  string
		edits []edit
		code  string
		want  []string // fragments of the message
		not   []string
	}{
		{"handling-timeout below a minute", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, handling-timeout: 30s}}\n"}},
			CodeBadOptionValue, []string{`"30s" is out of range for handling-timeout`, "1–525600 minutes", "from 1m to 8760h such as 3h"}, []string{"such as 30s"}},
		{"reservation-time 0", []edit{{guardLine, "    options: {settings: {verify-database-identity: true}, agent-reservation: {reservation-time: \"0\"}}\n"}},
			CodeBadOptionValue, []string{"1–3600000 milliseconds", "from 1ms to 1h such as 10s"}, []string{"e+"}},
		{"handling-timeout far below handle times", []edit{{guardLine, "    options: {settings: {verify-database-identity: true, handling-timeout: 1}}\n"},
			{"handle_time: 1m}\n  Billing", "handle_time: 10h}\n  Billing"}},
			CodeHandlingTimeout, []string{"about 100% of its interactions"}, []string{"e+"}},
		{"max-submitted-interactions 0 for a while", []edit{{lastLine, lastLine +
			"  - {at: 2m, set: {app: URS_2, section: \"annex:IxnServer\", option: max-submitted-interactions, value: \"0\"}}\n" +
			"  - {at: 3m, set: {app: URS_2, section: \"annex:IxnServer\", option: max-submitted-interactions, value: \"5\"}}\n"}},
			CodeMaxSubmittedZero, []string{"is 0 from 2m until 3m", "gets no new interaction"}, []string{"always", "never"}},
		{"no capacity", []edit{{"  Billing: {agents: 5, capacity: {fax: 1}", "  Billing: {agents: 5, capacity: {email: 1}"}},
			CodeGroupNoCapacity, []string{"until routing-timeout (12h) returns them to their queue and they are submitted again"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := lintEdited(t, c.edits...)
			var msgs []string
			for _, d := range Lint(s) {
				if d.Code == c.code {
					msgs = append(msgs, d.Message)
				}
			}
			if len(msgs) == 0 {
				t.Fatalf("no %s finding", c.code)
			}
			all := strings.Join(msgs, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no message has %q:\n%s", w, all)
				}
			}
			for _, w := range c.not {
				if strings.Contains(all, w) {
					t.Errorf("a message has %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestLintMessagesNameTheFix(t *testing.T) {
	s, _ := lintEdited(t,
		edit{"FaxSrv_1, EmailSrv_1]", "FaxSrv_1, IMSrv_1, EmailSrv_1]"},
		edit{"via: FaxCluster", "via: ThirdPartyServer"})
	ds := Lint(s)
	if len(ds) != 1 {
		t.Fatalf("got %v", ds)
	}
	want := "lint.yaml:30:20: warning esp-thirdparty-by-type: strategy A step 2 (esp fax): via ThirdPartyServer by type, " +
		"but IxnServer's directly connected ThirdPartyServers provide different services: requests reach IMSrv_1 (im) and fault; " +
		"put FaxSrv_1 in an Application Cluster and address it"
	if got := ds[0].Lint(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// The bundled scenarios are the product's demos: none may have a lint error, and the ones that
// show a pitfall on purpose carry its warning.
func TestBundledScenariosLint(t *testing.T) {
	wantWarnings := map[string][]string{
		"dap-repoint-switchover": {"dap-repoint@57:42", "switchover-after-repoint@58:26"},
		"dap-repoint-guarded":    {"dap-repoint@52:42"},
		"esp-direct-vs-cluster":  {"esp-thirdparty-by-type@43:20"},
		"double-booking":         {"urs-not-in-annex@18:7", "urs-no-agent-reservation@21:3"},
	}
	for _, info := range Bundled() {
		t.Run(info.Name, func(t *testing.T) {
			s, err := Open(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			ds := Lint(s)
			if ds.HasErrors() {
				t.Errorf("lint errors:\n%v", ds)
			}
			if got := found(ds); !slices.Equal(got, wantWarnings[info.Name]) {
				t.Errorf("got %q, want %q", got, wantWarnings[info.Name])
			}
		})
	}
}

func TestLintFormatExample(t *testing.T) {
	s, err := Load("testdata/format-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The contract's example re-points DAP_2, then switches over with the identity guard on.
	if got, want := found(Lint(s)), []string{"dap-repoint@81:42"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A Scenario built without a file (no index) still lints, pointing at 1:1.
func TestLintWithoutIndex(t *testing.T) {
	s, _ := lintEdited(t, edit{urs2Line, "  URS_2: {type: RoutingServer, connections: [IxnServer]}"})
	bare := &Scenario{File: "x", Config: s.Config}
	if got := found(Lint(bare)); !slices.Equal(got, []string{"urs-no-agent-reservation@1:1"}) {
		t.Errorf("got %q", got)
	}
}

// docs/lint.md documents every code the package can print, lint rules with their exact text.
func TestLintDocsInSync(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, r := range Rules() {
		row := "| `" + r.Code + "` | " + string(r.Severity) + " | " + r.Why + " | " + r.Fix + " |"
		if !strings.Contains(doc, row+"\n") {
			t.Errorf("docs/lint.md lacks the row, or it differs from the rule:\n%s", row)
		}
	}
	for _, c := range LoadErrorCodes() {
		if !strings.Contains(doc, "| `"+c+"` |") {
			t.Errorf("docs/lint.md does not document the load error %s", c)
		}
	}
}

// Every Code constant of the package is a lint rule or a listed load error, so a new parser code
// cannot miss docs/lint.md.
func TestEveryCodeIsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	known := LoadErrorCodes()
	for _, r := range Rules() {
		known = append(known, r.Code)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range af.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					code, _ := strconv.Unquote(lit.Value)
					if !slices.Contains(known, code) {
						t.Errorf("%s: %s = %q is neither a lint rule nor in LoadErrorCodes", f, name.Name, code)
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range known {
		if seen[c] {
			t.Errorf("code %s defined twice", c)
		}
		seen[c] = true
	}
}

// Lint runs on every file that loads, whatever its shape: it must not panic, and every finding
// must point into the file.
func FuzzLint(f *testing.F) {
	f.Add([]byte(lintBase))
	for _, info := range Bundled() {
		data, err := Source(info.Name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, d := range Lint(s) {
			if d.Line < 1 || d.Line > lines || d.Col < 1 || ruleSeverity(d.Code) != d.Severity {
				t.Errorf("bad finding %#v", d)
			}
		}
	})
}
