// Package core is the simulated Genesys eServices Interaction Server: a discrete-event engine on a
// virtual clock that owns all state, with no I/O of its own. Where each behaviour of the product
// document ("eServices Multitenancy and Load Balancing Guide — Interaction Server") lives:
//
//   - Balancing Universal Routing Servers: routing.go. Per strategy, a ring of eligible URS
//     (updateEligibility, setActivated); submit/toURS pick round-robin. Eligibility: running,
//     connected to the IS, agent_reservation true in the URS options and in the IS Annex, under
//     max-submitted-interactions. resubmitPending is "If any instance of URS shuts down…".
//   - Agent reservation and delivery: agents.go (tryReserve, reserveDecide — the IS arbiter —,
//     answer with delivering-timeout, revoke back to the queue).
//   - Balancing eServices Application Servers (ESP): esp.go. Targets by application name, by
//     application type (the IS's direct connections) or by Application Cluster; the faithful
//     ThirdPartyServer limitation (espResponse: misrouted); faults retried then the step's error
//     branch (espFault).
//   - Dual role of E-mail/Chat/SMS/Social servers: interactions.go (arrival, parked arrivals) and
//     esp.go.
//   - Balancing DB Servers: database.go. DAP round-robin and failover (dapFor), held work, the IS
//     choosing its one database when it becomes active (activateIS), the re-point reported and
//     overlooked (actions.go repoint), the switchover hazard and the verify-database-identity guard.
//   - Restart and crash: resume.go, the same restore a backup does on switchover.
//
// Determinism: one seeded PCG source, a (time, sequence) ordered timer queue, slices in
// configuration order (never map iteration) wherever order shows. The same Config and seed give
// the same event log byte for byte (EventsSHA256).
package core
