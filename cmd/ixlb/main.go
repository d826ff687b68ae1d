//go:build cgo

// Command ixlb runs a faithful, deterministic simulation of the Genesys eServices Interaction
// Server's load balancing: a live console, headless scenario runs, lint and scenario tooling.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
)

// version is stamped by the release build (-ldflags "-X main.version=…").
var version = "dev"

// exitError carries the process exit status a command wants: 1 for failed expectations or lint
// errors, 2 for input that cannot be loaded.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(execute(os.Args[1:]))
}

// execute runs the CLI and returns the exit status, so tests can call it in-process.
func execute(args []string) int { return executeIO(args, os.Stdout, os.Stderr) }

// executeIO is execute with the command's output and errors going to the given writers.
func executeIO(args []string, stdout, stderr io.Writer) int {
	out := &outputWriter{w: stdout}
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(stderr)
	code := 0
	if err := root.Execute(); err != nil {
		code = 2
		msg := "ixlb: " + err.Error()
		var ee *exitError
		if errors.As(err, &ee) {
			code, msg = ee.code, ""
			if ee.err != nil {
				msg = ee.err.Error()
			}
		}
		if msg != "" {
			// Messages quote names from scenario files: escaped for the terminal.
			fmt.Fprintln(stderr, scenarios.EscapeTerminalLines(msg))
		}
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "ixlb: write output: %v\n", out.err)
		return 2
	}
	return code
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "ixlb [SCENARIO]",
		Short: "Simulate the Genesys Interaction Server's load balancing",
		Long: `ixlb runs a faithful, deterministic simulation of the Genesys eServices Interaction
Server's load balancing: strategies activated across Universal Routing Servers (round-robin per
strategy), resubmission when a URS stops, ESP servers balanced directly or through Application
Clusters, and Database Access Points across DB Servers.

With no arguments it opens the console on the bundled seed-example scenario; with a SCENARIO (a
file, or the name of a bundled scenario) it opens that one.`,
		Example: `  ixlb                                  # the console on the bundled seed-example
  ixlb my-design.yaml                   # the console on your scenario
  ixlb run urs-failover                 # a bundled scenario, headless, with its expectations
  ixlb run my-design.yaml --json --events events.jsonl`,
		Version:       version,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          runConsole,
		// The console's SCENARIO, like run's and lint's, completes bundled names and .yaml files.
		ValidArgsFunction: completeScenarios(1),
	}
	addConsoleFlags(root)
	// The console's --speed refuses NaN, Inf and factors out of range, as run's does.
	if fl := root.Flags().Lookup("speed"); fl != nil {
		fl.Value = newSpeedValue(&console.speed, console.speed, false)
	}
	run := newRunCmd()
	run.ValidArgsFunction = completeScenarios(1)
	root.AddCommand(run, newLintCmd(), newScenariosCmd(), newSchemaCmd(), newEventsCmd())
	root.AddCommand(newCompareCmd())
	root.AddCommand(newSweepCmd())
	root.AddCommand(newStaffCmd())
	root.AddCommand(newExportCmd())
	return root
}
