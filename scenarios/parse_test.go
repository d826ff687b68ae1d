package scenarios

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ixlb/ixlb/core"
)

// minimal is a small valid scenario; the table below breaks it one way at a time. Line numbers in
// the table refer to it (after the replacement).
const minimal = `version: 1
duration: 1m
applications:
  IxnServer:
    type: InteractionServer
    connections: [DAP_1, FaxSrv_1, IMSrv_1]
    annex: {agent_reservation: {URS_1: true}}
  URS_1: {type: RoutingServer, connections: [IxnServer], options: {default: {agent_reservation: true}}}
  FaxSrv_1: {type: ThirdPartyServer, services: [fax]}
  IMSrv_1: {type: ThirdPartyServer, services: [im]}
  ClassSrv_1: {type: ClassificationServer}
  EmailSrv_1: {type: EmailServer}
  DBServer_1: {type: DBServer}
  DAP_1: {type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}
clusters:
  FaxCluster: {members: [FaxSrv_1]}
databases: {ixn: {}}
strategies:
  A:
    activated_on: [URS_1]
    steps:
      - esp: {via: FaxCluster, service: fax, method: send}
      - route: {group: Sales}
business_processes:
  Inbound: {queues: {fax_in: {strategy: A}}}
agent_groups:
  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}
traffic:
  - {media: fax, from: EmailSrv_1, queue: fax_in, rate: 1/s}
timeline:
  - {at: 10s, stop: URS_1}
expect:
  - interactions.lost == 0
`

// mutate replaces the first occurrence of old in minimal; the test fails if old is not there, so
// the table cannot silently test the unmodified file.
func mutate(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("mutation %q does not apply to the minimal scenario", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

// posOfText is the 1-based line and column of the n-th (1-based) occurrence of marker in text.
func posOfText(t *testing.T, text, marker string, n int) Pos {
	t.Helper()
	off := -1
	for i := 0; i < n; i++ {
		j := strings.Index(text[off+1:], marker)
		if j < 0 {
			t.Fatalf("marker %q (occurrence %d) not in the text", marker, n)
		}
		off += 1 + j
	}
	line := 1 + strings.Count(text[:off], "\n")
	col := off - strings.LastIndex(text[:off], "\n")
	return Pos{line, col}
}

func diagnostics(t *testing.T, err error) Diagnostics {
	t.Helper()
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is %T, not Diagnostics: %v", err, err)
	}
	return ds
}

func TestMinimalScenarioLoads(t *testing.T) {
	s, err := Parse("minimal.yaml", []byte(minimal))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if s.Config.Name != "minimal" || s.Config.Seed != 1 || s.Config.Duration != time.Minute {
		t.Errorf("name %q seed %d duration %s: want the file's base name, seed 1, 1m", s.Config.Name, s.Config.Seed, s.Config.Duration)
	}
	if _, err := core.New(s.Config); err != nil {
		t.Fatalf("core.New: %v", err)
	}
}

// Each bad input is the minimal scenario broken once. pos is where the first diagnostic must point,
// and at says which text that is (marker, occurrence), so the table documents itself.
func TestParseRejectsBadInput(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		pos      string
		at       string
		nth      int
		code     string
		fragment string
	}{
		{"unknown field", "  URS_1: {type: RoutingServer,", "  URS_1: {type: RoutingServer, conections: [],",
			"8:32", "conections", 1, CodeUnknownField, `unknown field "conections" in application URS_1 (did you mean "connections"?)`},
		{"unknown top-level field", "databases: {ixn: {}}", "databases: {ixn: {}}\nstratgies: {}",
			"18:1", "stratgies", 1, CodeUnknownField, `(did you mean "strategies"?)`},
		{"unknown application with did-you-mean", "activated_on: [URS_1]", "activated_on: [URS_3]",
			"20:20", "URS_3", 1, CodeUnknownRef, `unknown application "URS_3" (did you mean "URS_1"?)`},
		{"reference to an application of the wrong type", "activated_on: [URS_1]", "activated_on: [ClassSrv_1]",
			"20:20", "ClassSrv_1]", 1, CodeWrongRefType, "ClassSrv_1 is a ClassificationServer, not a RoutingServer"},
		{"bad duration", "duration: 1m", "duration: 10x",
			"2:11", "10x", 1, CodeBadDuration, `bad duration "10x"`},
		{"zero duration", "duration: 1m", "duration: 0s",
			"2:11", "0s", 1, CodeBadDuration, "duration must be positive"},
		{"negative duration", "at: 10s", "at: -5s",
			"31:10", "-5s", 1, CodeBadDuration, "must not be negative"},
		{"bad rate unit", "rate: 1/s", "rate: 2/d",
			"29:57", "2/d", 1, CodeBadRate, `bad rate "2/d": want N/s, N/sec, N/second, N/m, N/min, N/minute, N/h or N/hour`},
		{"rate over the maximum", "rate: 1/s", "rate: 1000000/s",
			"29:57", "1000000/s", 1, CodeBadRate, "at most 10000 a second per traffic stream"},
		{"zero rate", "rate: 1/s", "rate: 0/s",
			"29:57", "0/s", 1, CodeBadRate, "N must be greater than 0"},
		{"rate without unit", "rate: 1/s", "rate: 5",
			"29:57", "5}", 1, CodeBadRate, `bad rate "5"`},
		{"nested cluster", "  FaxCluster: {members: [FaxSrv_1]}", "  FaxCluster: {members: [FaxSrv_1]}\n  Outer: {members: [FaxCluster]}",
			"17:21", "FaxCluster]", 1, CodeNestedCluster, "only one level of Application Clusters"},
		{"mixed-type cluster", "{members: [FaxSrv_1]}", "{members: [FaxSrv_1, ClassSrv_1]}",
			"16:36", "ClassSrv_1]", 1, CodeMixedCluster, "mixes ThirdPartyServer (FaxSrv_1) and ClassificationServer (ClassSrv_1)"},
		{"cluster of a non-ESP application", "{members: [FaxSrv_1]}", "{members: [DBServer_1]}",
			"16:26", "DBServer_1]", 1, CodeWrongRefType, "DBServer_1 is a DBServer, not a ClassificationServer"},
		{"cluster named like an application", "  FaxCluster: {members: [FaxSrv_1]}", "  IMSrv_1: {members: [FaxSrv_1]}",
			"16:3", "IMSrv_1: {m", 1, CodeTopology, "has the name of an application"},
		{"bad expect operator", "interactions.lost == 0", "interactions.lost = 0",
			"33:23", "= 0", 1, CodeBadExpect, `unknown operator "="`},
		{"bad expect number", "interactions.lost == 0", "spread(interactions) <= x",
			"33:29", "x\n", 1, CodeBadExpect, `want a number after <=, got "x"`},
		{"expect path typo", "interactions.lost == 0", "interactions.lots == 0",
			"33:18", "lots", 1, CodeBadExpect, `interactions has no "lots" (did you mean "lost"?)`},
		{"expect names an unknown URS", "interactions.lost == 0", "routing.A.URS_3 == 0",
			"33:15", "URS_3 ==", 1, CodeBadExpect, `routing.A has no "URS_3": not a RoutingServer of this scenario (did you mean "URS_1"?)`},
		{"expect names a via no step uses", "interactions.lost == 0", `"esp.ClassificationServer.ClassSrv_1 > 0"`,
			"33:10", "ClassificationServer.", 1, CodeBadExpect, "no strategy step has that `via`"},
		{"expect compares a group", "interactions.lost == 0", "agents > 0",
			"33:5", "agents >", 1, CodeBadExpect, "use spread(agents)"},
		{"expect that is not a string", "interactions.lost == 0", "42",
			"33:5", "42", 1, CodeType, "want a line such as"},
		{"unknown sim knob", "  ClassSrv_1: {type: ClassificationServer}", "  ClassSrv_1: {type: ClassificationServer, sim: {step_time: 1s}}",
			"11:50", "step_time", 1, CodeUnknownField, `unknown field "step_time" in sim of ClassSrv_1 (ClassificationServer) (known: service_time)`},
		{"misspelt sim knob", "  URS_1: {type: RoutingServer,", "  URS_1: {type: RoutingServer, sim: {stpe_time: 5ms},",
			"8:38", "stpe_time", 1, CodeUnknownField, `(did you mean "step_time"?)`},
		{"duplicate key", "  DBServer_1: {type: DBServer}", "  DBServer_1: {type: DBServer}\n  URS_1: {type: RoutingServer}",
			"14:3", "URS_1: {type: RoutingServer}", 1, CodeDuplicateKey, `duplicate key "URS_1" (first at 8:3)`},
		{"version other than 1", "version: 1", "version: 2",
			"1:10", "2", 1, CodeVersion, "unsupported version 2"},
		{"version as text", "version: 1", `version: "1"`,
			"1:10", `"1"`, 1, CodeVersion, "version: want the number 1, got a string"},
		{"version missing", "version: 1\n", "",
			"1:1", "duration", 1, CodeMissingField, `missing required field "version"`},
		{"DAP without database", "{type: DatabaseAccessPoint, db_server: DBServer_1, database: ixn}", "{type: DatabaseAccessPoint, db_server: DBServer_1}",
			"14:10", "{type: DatabaseAccessPoint", 1, CodeMissingField, `application DAP_1: missing required field "database"`},
		{"DAP through a non-DBServer", "db_server: DBServer_1", "db_server: URS_1",
			"14:49", "URS_1, database", 1, CodeWrongRefType, "URS_1 is a RoutingServer, not a DBServer"},
		{"DAP to an unknown database", "database: ixn}", "database: ixm}",
			"14:71", "ixm", 1, CodeUnknownRef, `unknown database "ixm" (did you mean "ixn"?)`},
		{"two primary Interaction Servers", "  DBServer_1: {type: DBServer}", "  DBServer_1: {type: DBServer}\n  Ixn2: {type: InteractionServer, connections: [DAP_1]}",
			"14:3", "Ixn2", 1, CodeTopology, "second primary InteractionServer"},
		{"backup that is not an Interaction Server", "    type: InteractionServer\n", "    type: InteractionServer\n    backup: URS_1\n",
			"6:13", "URS_1", 1, CodeWrongRefType, "URS_1 is a RoutingServer, not an InteractionServer"},
		{"Interaction Server without a DAP", "connections: [DAP_1, FaxSrv_1, IMSrv_1]", "connections: [FaxSrv_1, IMSrv_1]",
			"6:5", "connections", 1, CodeTopology, "no DatabaseAccessPoint among its connections"},
		{"application connected to itself", "connections: [IxnServer]", "connections: [URS_1]",
			"8:46", "URS_1]", 1, CodeTopology, "cannot connect to itself"},
		{"unknown application type", "{type: DBServer}", "{type: DBSever}",
			"13:22", "DBSever", 1, CodeBadValue, `unknown application type "DBSever" (did you mean "DBServer"?)`},
		// Issue 13: a type that starts right gets a suggestion, and every message lists the types.
		{"abbreviated application type", "{type: ClassificationServer}", "{type: ClassificationSrv}",
			"11:22", "ClassificationSrv", 1, CodeBadValue, `unknown application type "ClassificationSrv" (did you mean "ClassificationServer"?); the types are InteractionServer, RoutingServer, ClassificationServer, EmailServer, ChatServer, SMSServer, SocialMessagingServer, ThirdPartyServer, DBServer, DatabaseAccessPoint`},
		{"application type far from any", "{type: ClassificationServer}", "{type: Genesys}",
			"11:22", "Genesys", 1, CodeBadValue, `unknown application type "Genesys"; the types are InteractionServer, RoutingServer,`},
		{"field of another type", "  ClassSrv_1: {type: ClassificationServer}", "  ClassSrv_1: {type: ClassificationServer, services: [x]}",
			"11:44", "services: [x]", 1, CodeUnknownField, `"services" applies to ThirdPartyServer applications`},
		{"boolean where a name is wanted", "{type: DBServer}", "{type: false}",
			"13:22", "false", 1, CodeType, "want a string, got a boolean"},
		{"list where a mapping is wanted", "annex: {agent_reservation: {URS_1: true}}", "annex: [agent_reservation]",
			"7:12", "[agent_reservation]", 1, CodeType, "want a mapping, got a list"},
		{"integer field given a word", "agents: 5", "agents: five",
			"27:19", "five", 1, CodeType, "agents: want an integer between 0 and 100000, got a string"},
		{"accept out of range", "handle_time: 1m}", "handle_time: 1m, accept: 1.5}",
			"27:67", "1.5", 1, CodeBadValue, "accept is a probability"},
		{"unknown via with did-you-mean", "via: FaxCluster", "via: FaxClustr",
			"22:20", "FaxClustr", 1, CodeUnknownRef, `(did you mean "FaxCluster"?)`},
		{"via a non-ESP application", "via: FaxCluster", "via: DBServer_1",
			"22:20", "DBServer_1, service", 1, CodeWrongRefType, "a DBServer is not an ESP server"},
		{"unknown agent group", "route: {group: Sales}", "route: {group: Sale}",
			"23:24", "Sale}", 1, CodeUnknownRef, `unknown agent group "Sale" (did you mean "Sales"?)`},
		{"route by category without default", "route: {group: Sales}", "route: {by_category: {billing: Sales}}",
			"23:30", "{billing", 1, CodeMissingField, "by_category needs a default group"},
		{"route group with a control character, and nothing else", "route: {group: Sales}", "route: {group: \"Sa\\x07les\"}",
			"23:24", `"Sa`, 1, CodeBadValue, "holds a control character"},
		{"two steps in one item", "      - route: {group: Sales}", "      - route: {group: Sales}\n        stop: {}",
			"24:9", "stop", 1, CodeBadValue, "one step per list item; this one has route, stop"},
		{"misspelt step", "- route: {group: Sales}", "- rout: {group: Sales}",
			"23:9", "rout", 1, CodeUnknownField, `unknown field "rout" in strategy A step 2 (did you mean "route"?)`},
		{"strategy without steps", "    steps:\n      - esp: {via: FaxCluster, service: fax, method: send}\n      - route: {group: Sales}", "    steps: []",
			"21:12", "[]", 1, CodeMissingField, "a strategy needs at least one step"},
		{"unknown strategy of a queue", "{strategy: A}", "{strategy: B}",
			"25:41", "B}", 1, CodeUnknownRef, `unknown strategy "B"`},
		{"unknown queue of a traffic stream", "queue: fax_in", "queue: fax_inn",
			"29:43", "fax_inn", 1, CodeUnknownRef, `unknown queue "fax_inn" (did you mean "fax_in"?)`},
		{"traffic from a server that is not a media server", "from: EmailSrv_1", "from: FaxSrv_1",
			"29:24", "FaxSrv_1, queue", 1, CodeWrongRefType, "FaxSrv_1 is a ThirdPartyServer, not an EmailServer"},
		{"traffic stopping before it starts", "rate: 1/s}", "rate: 1/s, start: 30s, stop: 20s}",
			"29:80", "20s", 1, CodeBadDuration, "stop (20s) must come after start (30s)"},
		{"timeline entry with two actions", "{at: 10s, stop: URS_1}", "{at: 10s, stop: URS_1, start: URS_1}",
			"31:28", "start", 1, CodeBadValue, "one action per entry"},
		{"timeline entry without an action", "{at: 10s, stop: URS_1}", "{at: 10s}",
			"31:5", "{at", 1, CodeMissingField, "missing the action"},
		{"on without activate", "{at: 10s, stop: URS_1}", "{at: 10s, stop: URS_1, on: [URS_1]}",
			"31:28", "on: [", 2, CodeUnknownField, `"on" goes with activate and deactivate`},
		{"activate without on", "{at: 10s, stop: URS_1}", "{at: 10s, activate: A}",
			"31:5", "{at", 1, CodeMissingField, `missing required field "on"`},
		{"stop of an unknown application", "stop: URS_1}", "stop: URS_2}",
			"31:21", "URS_2", 1, CodeUnknownRef, `unknown application "URS_2" (did you mean "URS_1"?)`},
		{"set mixing an option and a database", "{at: 10s, stop: URS_1}", "{at: 10s, set: {app: DAP_1, database: ixn, option: x}}",
			"31:48", "option:", 1, CodeUnknownField, `"option" does not go with database`},
		{"repoint of something that is not a DAP", "{at: 10s, stop: URS_1}", "{at: 10s, set: {app: URS_1, database: ixn}}",
			"31:26", "URS_1, database", 1, CodeWrongRefType, "URS_1 is a RoutingServer, not a DatabaseAccessPoint"},
		{"switchover without a backup", "{at: 10s, stop: URS_1}", "{at: 10s, switchover: IxnServer}",
			"31:27", "IxnServer}", 1, CodeTopology, "has no backup to switch over to"},
		{"join making a cluster mixed", "{at: 10s, stop: URS_1}", "{at: 10s, join: {cluster: FaxCluster, app: ClassSrv_1}}",
			"31:48", "ClassSrv_1}", 1, CodeMixedCluster, "the members of FaxCluster are ThirdPartyServers"},
		{"join of an unknown cluster", "{at: 10s, stop: URS_1}", "{at: 10s, join: {cluster: FaxClustr, app: FaxSrv_1}}",
			"31:31", "FaxClustr", 1, CodeUnknownRef, `unknown Application Cluster "FaxClustr" (did you mean "FaxCluster"?)`},
		{"duplicate queue across business processes", "  Inbound: {queues: {fax_in: {strategy: A}}}", "  Inbound: {queues: {fax_in: {strategy: A}}}\n  Other: {queues: {fax_in: {strategy: A}}}",
			"26:20", "fax_in", 2, CodeDuplicateKey, "queue fax_in is already defined (at 25:22)"},
		{"name listed twice", "connections: [IxnServer]", "connections: [IxnServer, IxnServer]",
			"8:57", "IxnServer]", 1, CodeDuplicateKey, `"IxnServer" is listed twice (first at 8:46)`},
		{"negative seed", "version: 1\n", "version: 1\nseed: -1\n",
			"2:7", "-1", 1, CodeBadValue, "seed: must not be negative"},
		{"alias without anchor", "  Sales: {agents: 5, capacity: {fax: 1}, handle_time: 1m}", "  Sales: *nope",
			"27:10", "*nope", 1, CodeUnknownRef, "alias *nope has no anchor &nope before it"},
		{"unsupported tag", "agents: 5", "agents: !custom 5",
			"27:19", "!custom", 1, CodeType, `unsupported YAML tag "!custom"`},
		{"YAML syntax error", "databases: {ixn: {}}", "databases: {ixn: {}",
			"18:1", "strategies", 1, CodeSyntax, "YAML syntax"},
		{"second YAML document", "expect:", "---\nexpect:",
			"32:1", "---", 1, CodeSyntax, "one YAML document"},
		// Issue 9 §3, §4: hostile input gets a clear error at its position.
		{"infinite accept", "handle_time: 1m}", "handle_time: 1m, accept: .inf}",
			"27:67", ".inf", 1, CodeBadValue, "accept: want a finite number, got infinity (.inf)"},
		{"23-digit integer", "agents: 5", "agents: 12345678901234567890123",
			"27:19", "1234", 1, CodeBadValue, "12345678901234567890123 is too large: must be an integer between 0 and 100000"},
		{"integer above int64", "agents: 5", "agents: 18446744073709551615",
			"27:19", "1844", 1, CodeBadValue, "is too large: must be an integer between 0 and 100000"},
		{"duration out of range", "duration: 1m", "duration: 10000000h",
			"2:11", "10000000h", 1, CodeBadDuration, `duration "10000000h" is out of range: at most 87600h (ten years of virtual time)`},
		{"duration beyond ten years", "duration: 1m", "duration: 87601h",
			"2:11", "87601h", 1, CodeBadDuration, `duration "87601h" is out of range: at most 87600h (ten years of virtual time)`},
		{"handle time beyond ten years", "handle_time: 1m}", "handle_time: 2562047h}",
			"27:55", "2562047h", 1, CodeBadDuration, `is out of range: at most 87600h`},
		{"23-digit version", "version: 1", "version: 12345678901234567890123",
			"1:10", "1234", 1, CodeVersion, "unsupported version 12345678901234567890123: this ixlb reads scenario format version 1"},
		{"23-digit seed", "version: 1\n", "version: 1\nseed: 123456789012345678901234\n",
			"2:7", "1234", 1, CodeBadValue, "seed: 123456789012345678901234 is too large: must be an integer between 0 and 18446744073709551615"},
		{"weight out of float range", "handle_time: 1m}", "handle_time: 1m, accept: 1e400}",
			"27:67", "1e400", 1, CodeBadValue, "1e400 is out of range"},
		{"database name leaving the directory", "databases: {ixn: {}}", "databases: {ixn: {}, ../victimdir/victim: {}}",
			"17:22", "../victim", 1, CodeBadValue, `database "../victimdir/victim": each database is the file DIR/NAME.db`},
		{"database named ixlb", "databases: {ixn: {}}", "databases: {ixn: {}, IXLB: {}}",
			"17:22", "IXLB", 1, CodeBadValue, "ixlb.db is the session's own state file"},
		{"hidden database name", "databases: {ixn: {}}", "databases: {ixn: {}, .ixn: {}}",
			"17:22", ".ixn", 1, CodeBadValue, "it starts with '.'"},
		{"database name too long", "databases: {ixn: {}}", "databases: {ixn: {}, " + strings.Repeat("d", 65) + ": {}}",
			"17:22", "ddd", 1, CodeBadValue, "65 characters; at most 64"},
		{"terminal escape in the name", "version: 1\n", "version: 1\nname: \"x\\e]0;PWNED\\a\"\n",
			"2:7", `"x`, 1, CodeBadValue, `name: "x\x1b]0;PWNED\a" holds a control character (U+001B)`},
		{"bidi override in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"a\u202eb\": {}}",
			"17:22", `"a`, 1, CodeBadValue, `key "a\u202eb" holds a bidirectional formatting character (U+202E)`},
		{"zero-width space in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u200b\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `key "ixn\u200b" holds an invisible formatting character (U+200B): names may hold no control, formatting or invisible characters`},
		// Attack 17 F6: Unicode's other default-ignorable characters, the separators, noncharacters and
		// blanks that are not the space showed a name as another (URS_1 and "URS\u034f_1" side by side).
		{"combining grapheme joiner in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ix\u034fn\": {}}",
			"17:22", `"ix`, 1, CodeBadValue, `key "ix\u034fn" holds a character that shows as nothing (U+034F)`},
		{"variation selector in a reference", "activated_on: [URS_1]", "activated_on: [\"URS_1\ufe0f\"]",
			"20:20", `"URS`, 1, CodeBadValue, `"URS_1\ufe0f" holds a character that shows as nothing (U+FE0F)`},
		{"Khmer inherent vowel in the name", "version: 1\n", "version: 1\nname: \"x\u17b4\"\n",
			"2:7", `"x`, 1, CodeBadValue, `name: "x\u17b4" holds a character that shows as nothing (U+17B4)`},
		{"Hangul choseong filler in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u115f\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `(U+115F)`},
		{"Hangul filler in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u3164\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `(U+3164)`},
		{"line separator in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u2028\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `a line or paragraph separator (U+2028)`},
		{"paragraph separator in the name", "version: 1\n", "version: 1\nname: \"x\u2029\"\n",
			"2:7", `"x`, 1, CodeBadValue, `a line or paragraph separator (U+2029)`},
		{"noncharacter in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\uffff\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `(U+FFFF)`},
		{"no-break space in a reference", "activated_on: [URS_1]", "activated_on: [\"URS\u00a0_1\"]",
			"20:20", `"URS`, 1, CodeBadValue, `"URS\u00a0_1" holds a blank that is not the ASCII space (U+00A0)`},
		{"figure space in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u2007\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `a blank that is not the ASCII space (U+2007)`},
		{"hair space in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u200a\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `a blank that is not the ASCII space (U+200A)`},
		{"ideographic space in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u3000\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `a blank that is not the ASCII space (U+3000)`},
		{"braille blank in a key", "databases: {ixn: {}}", "databases: {ixn: {}, \"ixn\u2800\": {}}",
			"17:22", `"ixn`, 1, CodeBadValue, `a blank that is not the ASCII space (U+2800)`},
		{"word joiner in a reference", "activated_on: [URS_1]", "activated_on: [\"URS\u2060_1\"]",
			"20:20", `"URS`, 1, CodeBadValue, `holds an invisible formatting character (U+2060)`},
		{"terminal escape in a description", "version: 1\n", "version: 1\ndescription: \"blink \\e[5m\"\n",
			"2:14", `"blink`, 1, CodeBadValue, `description: "blink \x1b[5m" holds a control character (U+001B): text may hold line breaks and tabs`},
		{"bidi override in an option value", "options: {default: {agent_reservation: true}}", "options: {default: {agent_reservation: \"tr\u202eue\"}}",
			"8:97", `"tr`, 1, CodeBadValue, `holds a bidirectional formatting character (U+202E)`},
		{"not a mapping", minimal, "just a line\n",
			"1:1", "just", 1, CodeType, "scenario: want a mapping, got a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := mutate(t, c.old, c.new)
			if want := posOfText(t, text, c.at, c.nth).String(); want != c.pos {
				t.Fatalf("table error: %q is at %s, the case says %s", c.at, want, c.pos)
			}
			s, err := Parse("bad.yaml", []byte(text))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", s.Config)
			}
			ds := diagnostics(t, err)
			d := ds[0]
			if got := d.Pos().String(); got != c.pos || d.Code != c.code || !strings.Contains(d.Message, c.fragment) {
				t.Errorf("first diagnostic %s [%s] %q\nwant %s [%s] containing %q\nall:\n%v", got, d.Code, d.Message, c.pos, c.code, c.fragment, err)
			}
			if d.File != "bad.yaml" || d.Severity != SeverityError {
				t.Errorf("file %q severity %q, want bad.yaml error", d.File, d.Severity)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("bad.yaml:%s: ", c.pos)) {
				t.Errorf("error text %q does not start with bad.yaml:%s: ", err.Error(), c.pos)
			}
		})
	}
}

// One load reports every problem, one per line, in file order.
func TestParseReportsEveryProblemSorted(t *testing.T) {
	text := minimal
	for _, r := range [][2]string{
		{"rate: 1/s", "rate: fast"},                           // 29
		{"duration: 1m", "duration: 1 minute"},                // 2
		{"activated_on: [URS_1]", "activated_on: [URS_9]"},    // 20
		{"{type: DBServer}", "{type: DBServer, colour: red}"}, // 13
	} {
		text = strings.Replace(text, r[0], r[1], 1)
	}
	_, err := Parse("many.yaml", []byte(text))
	lines := strings.Split(err.Error(), "\n")
	want := []string{"many.yaml:2:11: ", "many.yaml:13:32: ", "many.yaml:20:20: ", "many.yaml:29:57: "}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], w)
		}
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/my-scenario.yaml"
	if err := os.WriteFile(path, []byte(strings.Replace(minimal, "duration: 1m", "duration: 1h1x", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2:11: ") {
		t.Fatalf("Load error %v, want it to start with %s:2:11: ", err, path)
	}
	if _, err := Load(dir + "/absent.yaml"); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want a wrapped ErrNotExist", err)
	}
}
