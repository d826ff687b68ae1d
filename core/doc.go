// Package core is the simulated Genesys eServices Interaction Server: a discrete-event engine on a
// virtual clock that owns all state, with no I/O of its own. Where each behaviour of the product
// document ("eServices Multitenancy and Load Balancing Guide — Interaction Server") lives:
//
//   - Balancing Universal Routing Servers: routing.go and ring.go. Per strategy, a rotation of the
//     eligible URS (ring: least recently picked first — fair under churn); submit/toURS pick from
//     it. Eligibility (whyNot): running, connected to the IS, under max-submitted-interactions and
//     max-submission-rate. resubmitPending is "If any instance of URS shuts down…".
//   - Agent reservation and delivery: agents.go — arbitration, not a gate: reserving URS go
//     through the IS arbiter (reserveDecide, collectDone), others route on a lagging view and may
//     double-book; waiting routers are handed freed agents; delivering-timeout and
//     handling-timeout revoke back to the queue.
//   - Genesys options: options.go, the one registry, read through typed handles (Opt:
//     OptDeliveringTimeout…) by the engine, lint, the console and the generated JSON Schema. Rules lint shares with the engine: rules.go (ChooseDatabase, ISPair, TimelineOrder).
//   - Balancing eServices Application Servers (ESP): esp.go. Targets by application name, by
//     application type (the IS's direct connections) or by Application Cluster; the faithful
//     ThirdPartyServer limitation (espResponse: misrouted); faults retried then the step's error
//     branch (espFault).
//   - Dual role of E-mail/Chat/SMS/Social servers: interactions.go (arrival, parked arrivals) and
//     esp.go.
//   - Balancing DB Servers: database.go. DAP round-robin and failover (dapFor), held work, the IS
//     choosing its one database when it becomes active (activateIS), the re-point reported and
//     overlooked (actions.go repoint), the switchover hazard and the verify-database-identity guard.
//   - Restart: actions.go restartIS, the same restore a backup does on switchover — an operator
//     action. Reopening a saved session is resume.go: the journal replayed exactly, checked
//     against the saved log hash and the databases.
//   - Service figures, customer patience: service.go.
//
// Determinism: random streams derived from the seed by one rule (stream.go: the engine's own,
// each traffic entry's arrivals and work, patience), a (time, sequence) ordered timer queue,
// slices in configuration order (never map iteration) wherever order shows, and no state in
// package variables (state_test.go). The same Config and seed give
// the same event log byte for byte (EventsSHA256).
package core
