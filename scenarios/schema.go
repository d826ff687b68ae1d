package scenarios

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ixlb/ixlb/core"
)

// The JSON Schema of format v1 is generated: the options from core's registry, the types, limits,
// defaults and the rate syntax from the constants the parser and the engine use, the rest written
// here so its descriptions read well in an editor's hover. scenarios/schema.json is this output,
// committed for the $id URL; schema_test.go checks that it is, and schema_test.go's fields check
// keeps the properties in step with the parser's. Regenerate the file (and the options table of
// docs/scenarios.md) with:
//
//go:generate go test -run TestGeneratedFiles -update .

// SchemaID is the schema's $id: where the repository serves it, for `# yaml-language-server:
// $schema=` modelines.
const SchemaID = "https://github.com/ixlb/ixlb/raw/main/scenarios/schema.json"

// DefaultSeed is the seed of a scenario that sets none.
const DefaultSeed = 1

// Schema returns the JSON Schema (draft 2020-12) of scenario format v1. It checks the shape of a
// file (fields, types, enums, duration and rate syntax); references between names and the
// load-balancing pitfalls are the parser's and Lint's.
func Schema() []byte { return append([]byte(nil), schemaJSON()...) }

var schemaJSON = sync.OnceValue(func() []byte { return writeJSON(schema()) })

func schema() jsonObj {
	return obj(
		"$schema", "https://json-schema.org/draft/2020-12/schema",
		"$id", SchemaID,
		"title", "ixlb scenario, format v1",
		"description", "One Genesys eServices Interaction Server deployment as the Configuration Layer describes it (applications, options and Annex, connections, Application Clusters, Database Access Points), its routing design, a workload, a timeline of operator actions and faults, and expectations over the run report. `ixlb lint` checks what a schema cannot: references between names and the load-balancing pitfalls.",
		"type", "object",
		"additionalProperties", false,
		"required", []string{"version", "duration", "applications"},
		"properties", topProperties(),
		"$defs", definitions(),
	)
}

func topProperties() jsonObj {
	nullable := func(t string) []string { return []string{t, "null"} }
	return obj(
		"version", obj("description", "The scenario format version: 1.", "const", 1),
		"name", obj("description", "The scenario's name, shown in the console and the run report (default: the file name without .yaml).", "$ref", "#/$defs/name"),
		"description", obj("description", "One line on what the scenario shows; `ixlb scenarios` lists it.", "$ref", "#/$defs/scalar"),
		"seed", obj("description", fmt.Sprintf("Seed of the random streams (default %d): the same file and seed give the same event log, byte for byte.", DefaultSeed),
			"type", "integer", "minimum", 0),
		"duration", obj("description", "Virtual time that `ixlb run` simulates, a Go duration such as 10m.", "$ref", "#/$defs/duration"),
		"applications", obj("description", "Configuration Layer Application objects, by name: one InteractionServer (with an optional backup), URS, ESP and media servers, DB Servers and Database Access Points.",
			"type", "object", "minProperties", 1, "additionalProperties", ref("application")),
		"clusters", obj("description", "Application Clusters, by name: members are ESP servers of one type; one level only (no cluster in a cluster).",
			"type", nullable("object"), "additionalProperties", ref("cluster")),
		"databases", obj("description", fmt.Sprintf("Logical databases, by name (at most %d); each is its own SQLite database. A database has no settings: write `name: {}`.", MaxDatabases),
			"type", nullable("object"), "additionalProperties", obj("type", nullable("object"), "additionalProperties", false)),
		"strategies", obj("description", "Routing strategies, by name, with the URS they are activated on.",
			"type", nullable("object"), "additionalProperties", ref("strategy")),
		"business_processes", obj("description", "Business processes, by name, with their interaction queues. Queue names are unique across business processes.",
			"type", nullable("object"), "additionalProperties", ref("businessProcess")),
		"agent_groups", obj("description", "Groups of identical agents, by name, that `route` steps send interactions to.",
			"type", nullable("object"), "additionalProperties", ref("agentGroup")),
		"traffic", obj("description", "Poisson arrival streams submitted by media servers into queues.",
			"type", nullable("array"), "items", ref("traffic")),
		"service_level", obj("description", fmt.Sprintf("The scenario's service-level threshold (default %s); a queue may override it.", core.FormatDuration(core.DefaultServiceLevel)),
			"$ref", "#/$defs/serviceLevel"),
		"timeline", obj("description", "Operator actions and faults, each at a virtual time; entries run in time order (equal times in file order).",
			"type", nullable("array"), "items", ref("action")),
		"expect", obj("description", "Expectations over the run report: `PATH OP NUMBER` or `spread(PATH) OP NUMBER`; `ixlb run` exits 1 when one fails.",
			"type", nullable("array"), "items", ref("expectation")),
	)
}

func definitions() jsonObj {
	defs := obj(
		"name", obj("description", "The name of an application, cluster, database, strategy, queue or agent group, as defined in this file.",
			"type", []string{"string", "number"}, "pattern", `\S`),
		"names", obj("type", []string{"array", "null"}, "uniqueItems", true, "items", ref("name")),
		"scalar", obj("type", []string{"string", "number", "boolean", "null"}),
		"duration", obj("description", fmt.Sprintf("A Go duration: 250ms, 30s, 10m, 1m30s, 1h (or 0), at most %s (ten years).", core.FormatDuration(MaxDuration)),
			"anyOf", []any{
				obj("type", "string", "pattern", `^\+?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`),
				obj("const", 0),
			}),
		"rate", obj("description", fmt.Sprintf("Arrivals per second, minute or hour: %s with N > 0 (at most %d a second), e.g. 2/s or 30/min.", core.RateSpellings, MaxTrafficRate),
			"type", "string", "pattern", core.RatePattern()),
		"appType", obj("description", "The Configuration Layer Application type.", "enum", typeNames()),
		"espType", obj("enum", espTypeNames()),
		"optionSection", obj("type", []string{"object", "null"}, "additionalProperties", ref("scalar")),
		"options", obj("description", "The Options tab: section -> option -> value, as in the Configuration Layer. Options ixlb does not read are kept and ignored.",
			"type", []string{"object", "null"}, "additionalProperties", ref("optionSection")),
		"annex", obj("description", fmt.Sprintf("The Annex tab: section -> option -> value (a timeline `set` writes an Annex section as %s).", core.AnnexSection("NAME")),
			"type", []string{"object", "null"}, "additionalProperties", ref("optionSection")),
		"application", application(),
	)
	defs = append(defs, optionDefinitions()...)
	return append(defs, obj(
		"cluster", obj("description", "An Application Cluster.", "type", "object", "additionalProperties", false, "required", []string{"members"},
			"properties", obj("members", obj("description", "ESP servers of one type (not clusters); the timeline can `join` and `leave`.", "$ref", "#/$defs/names"))),
		"strategy", obj("description", "A routing strategy.", "type", "object", "additionalProperties", false, "required", []string{"steps"},
			"properties", obj(
				"activated_on", obj("description", "The URS selected in the Strategy Activation Wizard (may be empty; the timeline can `activate`).", "$ref", "#/$defs/names"),
				"steps", obj("description", "The strategy's objects, in order.", "type", "array", "minItems", 1, "items", ref("step")))),
		"via", obj("description", "The ESP target: an application name (that server only), an ESP server type (round-robin among the IS's direct connections of that type) or an Application Cluster (round-robin among its members).",
			"$ref", "#/$defs/name"),
		"step", step(),
		"businessProcess", obj("description", "A business process.", "type", "object", "additionalProperties", false, "required", []string{"queues"},
			"properties", obj("queues", obj("description", "Interaction queues, by name, each with its strategy object.", "type", []string{"object", "null"},
				"additionalProperties", obj("type", "object", "additionalProperties", false, "required", []string{"strategy"},
					"properties", obj(
						"strategy", obj("description", "The strategy that runs for interactions in this queue.", "$ref", "#/$defs/name"),
						"service_level", obj("description", "This queue's service-level threshold, overriding the scenario's.", "$ref", "#/$defs/serviceLevel")))))),
		"agentGroup", obj("description", "A group of identical agents; agents are named GROUP/N.", "type", "object", "additionalProperties", false,
			"required", []string{"agents", "capacity", "handle_time"},
			"properties", obj(
				"agents", obj("description", "How many agents.", "type", "integer", "minimum", 0, "maximum", MaxAgents),
				"capacity", obj("description", "Media -> interactions of that media an agent handles at once.", "type", []string{"object", "null"},
					"additionalProperties", obj("type", "integer", "minimum", 0, "maximum", MaxCapacity)),
				"handle_time", obj("description", "Mean handle time (exponential).", "$ref", "#/$defs/duration"),
				"answer_time", obj("description", fmt.Sprintf("Time an invited agent takes to answer (default %s).", core.FormatDuration(core.DefaultAnswerTime)), "$ref", "#/$defs/duration"),
				"accept", obj("description", "Probability an invite is accepted (default 1).", "type", "number", "minimum", 0, "maximum", 1))),
		"traffic", obj("description", "A Poisson arrival stream.", "type", "object", "additionalProperties", false, "required", []string{"media", "from", "queue", "rate"},
			"properties", obj(
				"media", obj("description", "The media type, e.g. email, chat, fax.", "$ref", "#/$defs/name"),
				"from", obj("description", fmt.Sprintf("The media server that submits (%s).", orList(mediaServerTypes())), "$ref", "#/$defs/name"),
				"queue", obj("description", "The queue the interactions are submitted into.", "$ref", "#/$defs/name"),
				"rate", ref("rate"),
				"start", obj("description", "When the stream starts (default 0s).", "$ref", "#/$defs/duration"),
				"stop", obj("description", "When the stream stops (default: the end of the run).", "$ref", "#/$defs/duration"),
				"patience", obj("description", "Mean of an exponential customer patience (default: customers wait forever). An interaction not answered by an agent within its patience is abandoned where it waits.", "$ref", "#/$defs/duration"))),
		"serviceLevel", obj("description", "The service-level target: the share of interactions answered within `threshold` counts as the service level; interactions that arrive before `warmup` are left out of the service figures.",
			"type", "object", "additionalProperties", false, "minProperties", 1,
			"properties", obj(
				"threshold", obj("description", fmt.Sprintf("The wait within which an answer counts (default %s).", core.FormatDuration(core.DefaultServiceLevel)), "$ref", "#/$defs/duration"),
				"warmup", obj("description", "Leave interactions that arrive before this out of the service figures and occupancy (a run starts empty; default 0s). Must be shorter than the duration.", "$ref", "#/$defs/duration"))),
		"action", action(),
		"membership", obj("type", "object", "additionalProperties", false, "required", []string{"cluster", "app"},
			"properties", obj(
				"cluster", obj("description", "The Application Cluster.", "$ref", "#/$defs/name"),
				"app", obj("description", "The ESP server.", "$ref", "#/$defs/name"))),
		"expectation", obj("description", "PATH OP NUMBER or spread(PATH) OP NUMBER; PATH is a dotted path into the run report (absent = 0), OP one of == != < <= > >=. Example: interactions.lost == 0.",
			"type", "string", "pattern", `^\s*[^=<>!\s][^=<>!]*(==|!=|<=|>=|<|>)\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$`),
	)...)
}

// applicationRules are the rules of an application by its type (which fields it may have, its sim
// knobs, the options ixlb reads on it) and the knobs' summary, for the sim field's description.
func applicationRules() (allOf []any, knobText []string) {
	knobs := map[string]string{
		"step_time":    fmt.Sprintf("Time the URS spends on one strategy step (default %s).", core.FormatDuration(core.DefaultStepTime)),
		"stat_delay":   fmt.Sprintf("How far a URS's view of agent states lags the truth (default %s): it sees an agent that became ready only after it, and a URS that does not reserve may double-book agents another URS took within it.", core.FormatDuration(core.DefaultStatDelay)),
		"service_time": fmt.Sprintf("Time the server takes to answer an ESP request (default %s).", core.FormatDuration(core.DefaultServiceTime)),
	}
	isType := func(types ...core.AppType) jsonObj {
		if len(types) == 1 {
			return obj("required", []string{"type"}, "properties", obj("type", obj("const", string(types[0]))))
		}
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = string(t)
		}
		return obj("required", []string{"type"}, "properties", obj("type", obj("enum", names)))
	}
	// group gathers the types (or fields) that share a schema, in the order first met, so that
	// one if/then says it for all of them.
	type group struct {
		keys   []string
		schema jsonObj
	}
	var groups []*group
	add := func(key string, schema jsonObj) {
		for _, g := range groups {
			if compact(g.schema) == compact(schema) {
				g.keys = append(g.keys, key)
				return
			}
		}
		groups = append(groups, &group{[]string{key}, schema})
	}
	// The fields of some types only, the parser's fieldTypes; a DAP needs its database.
	allOf = []any{obj("if", isType(core.TypeDatabaseAccessPoint), "then", obj("required", []string{"database"}))}
	for _, field := range appFields {
		if types, ok := fieldTypes[field]; ok {
			add(field, isType(types...))
		}
	}
	for _, g := range groups {
		none := obj()
		for _, f := range g.keys {
			none = append(none, jsonMember{f, false})
		}
		allOf = append(allOf, obj("if", g.schema, "else", obj("properties", none)))
	}
	// Per type: its sim knobs, and the options ixlb reads on it.
	groups = nil
	var knobLists []string             // distinct knob lists, in the order of the types
	knobTypes := map[string][]string{} // knob list -> the types that have it
	for _, t := range core.AppTypes {
		sim := obj("additionalProperties", false)
		if ks := simKnobs(t); len(ks) > 0 {
			kp := obj()
			for _, k := range ks {
				kp = append(kp, jsonMember{k, obj("description", knobs[k], "$ref", "#/$defs/duration")})
			}
			sim = append(sim, jsonMember{"properties", kp})
			list := "`" + strings.Join(ks, "`, `") + "`"
			if _, ok := knobTypes[list]; !ok {
				knobLists = append(knobLists, list)
			}
			knobTypes[list] = append(knobTypes[list], string(t))
		}
		props := obj("sim", sim)
		for _, annex := range []bool{false, true} {
			if len(core.OptionsOf(t, annex)) > 0 {
				props = append(props, jsonMember{tabName(annex), ref(optionDefName(t, annex))})
			}
		}
		add(string(t), obj("properties", props))
	}
	for _, g := range groups {
		types := make([]core.AppType, len(g.keys))
		for i, k := range g.keys {
			types[i] = core.AppType(k)
		}
		allOf = append(allOf, obj("if", isType(types...), "then", g.schema))
	}
	for _, list := range knobLists {
		knobText = append(knobText, strings.Join(knobTypes[list], ", ")+": "+list)
	}
	return allOf, knobText
}

func application() jsonObj {
	rules, knobText := applicationRules()
	return obj(
		"description", "A Configuration Layer Application object.",
		"type", "object",
		"additionalProperties", false,
		"required", []string{"type"},
		"properties", obj(
			"type", ref("appType"),
			"backup", obj("description", "InteractionServer: its warm-standby backup, another InteractionServer (with no backup of its own).", "$ref", "#/$defs/name"),
			"connections", obj("description", "The Connections tab. A URS connects to the Interaction Server; the IS connects to its DAPs and ESP servers (or Application Clusters). A backup IS without connections uses its primary's.", "$ref", "#/$defs/names"),
			"options", ref("options"),
			"annex", ref("annex"),
			"services", obj("description", "ThirdPartyServer: the ESP services it provides; a request for another service faults (misrouted).", "$ref", "#/$defs/names"),
			"db_server", obj("description", "DatabaseAccessPoint: the DBServer it goes through; absent, the DAP connects through ODBC (Framework 8.5 dropped DB Server) and its health is its own.", "$ref", "#/$defs/name"),
			"database", obj("description", "DatabaseAccessPoint: the logical database (under `databases`) it points at.", "$ref", "#/$defs/name"),
			"sim", obj("description", "Simulation-only knobs: "+strings.Join(knobText, "; ")+"; none for the other types.", "type", []string{"object", "null"}),
		),
		"allOf", rules,
	)
}

func step() jsonObj {
	kind := func(name string, body jsonObj) jsonObj {
		return obj("type", "object", "additionalProperties", false, "required", []string{name}, "properties", obj(name, body))
	}
	via := obj("via", ref("via"))
	return obj(
		"description", "One strategy object: exactly one of "+strings.Join(stepKinds, ", ")+".",
		"oneOf", []any{
			kind("classify", obj("description", "Asks a Classification Server (service classification, method classify) and sets the interaction's category.",
				"type", "object", "additionalProperties", false, "required", []string{"via"},
				"properties", append(via, jsonMember{"categories", obj("description", "Category -> relative weight of the classification outcome.",
					"type", []string{"object", "null"}, "additionalProperties", obj("type", "number", "minimum", 0))}))),
			kind("autoresponse", obj("description", "Asks an E-mail Server for an autoresponse (service email, method autoresponse).",
				"type", "object", "additionalProperties", false, "required", []string{"via"}, "properties", via)),
			kind("esp", obj("description", "Any ESP request.", "type", "object", "additionalProperties", false, "required", []string{"via", "service", "method"},
				"properties", append(via,
					jsonMember{"service", obj("description", "The ESP service, e.g. fax.", "$ref", "#/$defs/name")},
					jsonMember{"method", obj("description", "The ESP method, e.g. send.", "$ref", "#/$defs/name")}))),
			kind("route", obj("description", "Takes an agent of the group (a URS that reserves asks the Interaction Server's arbiter first) and delivers the interaction: `group`, or `by_category` with a default.",
				"type", "object", "additionalProperties", false,
				"properties", obj(
					"group", obj("description", "The agent group.", "$ref", "#/$defs/name"),
					"by_category", obj("description", "Category -> agent group; `default` for other or no categories.",
						"type", "object", "required", []string{"default"}, "additionalProperties", ref("name"))),
				"oneOf", []any{obj("required", []string{"group"}), obj("required", []string{"by_category"})})),
			kind("queue", obj("description", "Places the interaction in another queue, whose strategy then runs.", "$ref", "#/$defs/name")),
			kind("stop", obj("description", "Completes the interaction without an agent: `stop: {}`.", "type", []string{"object", "null"}, "additionalProperties", false)),
		},
	)
}

func action() jsonObj {
	name := func(desc string) jsonObj { return obj("description", desc, "$ref", "#/$defs/name") }
	var oneOf []any
	for _, k := range actionKeys {
		switch k {
		case "activate", "deactivate":
			oneOf = append(oneOf, obj("required", []string{k, "on"}))
		default:
			oneOf = append(oneOf, obj("required", []string{k}, "not", obj("required", []string{"on"})))
		}
	}
	return obj(
		"description", "A timeline entry: `at` and exactly one action.",
		"type", "object",
		"additionalProperties", false,
		"required", []string{"at"},
		"properties", obj(
			"at", obj("description", "Virtual time of the action.", "$ref", "#/$defs/duration"),
			"by", obj("description", "`operator`: an operator's action (what `ixlb export` writes for a console session): it happens after everything else due at its instant, as the console's operator acts between instants.", "const", "operator"),
			"stop", name("Stops an application (URS, ESP or media server, DB Server, Interaction Server)."),
			"start", name("Starts a stopped application."),
			"activate", name("Activates a strategy on the URS listed in `on`."),
			"deactivate", name("Deactivates a strategy on the URS listed in `on`."),
			"on", obj("description", "The URS of activate/deactivate.", "$ref", "#/$defs/names", "minItems", 1),
			"set", obj("description", fmt.Sprintf("Changes configuration on the fly: `{app, section, option, value}` (section `%s` for the Annex tab), or for a DAP `{app, database}` (a re-point, which Genesys recommends against).", core.AnnexSection("NAME")),
				"oneOf", []any{
					obj("type", "object", "additionalProperties", false, "required", []string{"app", "database"},
						"properties", obj("app", ref("name"), "database", ref("name"))),
					obj("type", "object", "additionalProperties", false, "required", []string{"app", "section", "option", "value"},
						"properties", obj("app", ref("name"), "section", ref("name"), "option", ref("name"), "value", ref("scalar"))),
				}),
			"switchover", name("The Interaction Server's backup takes over."),
			"restart", name("An Interaction Server restarts: it reads its DAPs anew and restores from its database (queued stay queued, those in a URS are resubmitted, those with agents stay)."),
			"join", obj("description", "An application joins an Application Cluster.", "$ref", "#/$defs/membership"),
			"leave", obj("description", "An application leaves an Application Cluster.", "$ref", "#/$defs/membership"),
		),
		"oneOf", oneOf,
	)
}

// orList writes types as "A, B, C or D".
func orList(types []core.AppType) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func espTypeNames() []string {
	var out []string
	for _, t := range espServerTypes() {
		out = append(out, string(t))
	}
	return out
}
