// Package tui is ixlb's console: a live view of the simulated Interaction Server's load
// balancing, and the operator's hands on it.
//
// Three parts, one way:
//
//   - Runner owns a *core.Engine on one goroutine, advances virtual time at wall clock × speed,
//     applies operator actions, keeps the recent events in a ring (via core.EventSink) and
//     publishes an immutable Frame (snapshot + new events) about ten times a second. Wall-clock
//     pacing lives here only. In manual mode (tests) Step advances time deterministically.
//   - Model is the bubbletea root: the pane manager. It depends on the Sim interface (what the
//     Runner offers), owns focus, layout and borders, routes keys to the focused pane, runs the
//     dialogs (Strategy Activation Wizard, confirmations, forms, file picker, help) and the `:`
//     command line. View renders from the latest frame only.
//   - The panes (Routing, ESP, Database, Interactions, Event log) are components with Update,
//     View, SetSize and their key map; styles come from theme.go.
//
// Run wires them for the CLI.
package tui
