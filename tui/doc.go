// Package tui is ixlb's console: a live view of the simulated Interaction Server's load
// balancing, and the operator's hands on it.
//
// Three parts, one way:
//
//   - Runner owns a *core.Engine on one goroutine, advances virtual time at wall clock × speed,
//     applies operator actions, keeps the recent events in a ring (via core.EventSink) and
//     publishes an immutable Frame (snapshot + new events) about ten times a second. Wall-clock
//     pacing lives here only. In manual mode (tests) Step advances time deterministically.
//   - Model is the bubbletea root. It depends on the Sim interface (what the Runner offers),
//     routes keys (the command line, a dialog, the action table, the focused pane) and frames,
//     hosts the dialogs (Strategy Activation Wizard, confirmations, forms, file picker, help) and
//     the `:` command line, and opens scenarios (load.go). View renders from the latest frame only.
//   - The pane manager (panes.go) owns the panes' focus, layout, borders and mouse. The panes
//     (Routing, ESP, Database, Interactions, Event log) are components with Update, View, SetSize
//     and their keys; what only some do (mouse, border info, reading text) is a small interface
//     of its own. Styles come from theme.go.
//   - The action table (actions.go) is every operator action: key, command, checks, question,
//     what it does. Keys, commands, help, the hint and completion read it; dialogs only collect
//     arguments and end in its rows; read-only mode refuses in one place (perform.go). An action
//     that changes the simulation says how as data (a plan over a world it cannot act on), so
//     nothing runs before its question is answered.
//
// Run wires them for the CLI.
package tui
