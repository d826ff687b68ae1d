//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
)

// Output formats of `ixlb lint`.
const (
	formatText = "text"
	formatJSON = "json"
)

// lintOptions are the flags of `ixlb lint`.
type lintOptions struct {
	format      string
	strict      bool
	maxWarnings int // -1: no limit
}

func newLintCmd() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint SCENARIO...",
		Short: "Check scenario files for load errors and load-balancing pitfalls",
		Long: `Lint loads each scenario (a file, or the name of a bundled scenario) and checks it for the
pitfalls of the seed document and the designs that do not work as meant: a participating URS
without agent_reservation in its options or the Interaction Server Annex, or not connected to the
IS; ThirdPartyServers addressed by type while they provide different services; DAPs pointing at
different databases; a DAP re-pointed on the fly, then a switchover; a queue whose strategy runs
nowhere; and more (docs/lint.md lists every code).

Each finding is printed as FILE:LINE:COL: error|warning CODE: message. Load errors (syntax, unknown
fields and references, nested or mixed-type clusters…) are printed the same way.

Exit status: 0 when there are warnings at most, 1 when there is an error (or, with --strict or
--max-warnings N, more warnings than allowed, for CI pipelines that lint routing designs), 2 when
a file cannot be read at all.`,
		Example: `  ixlb lint my-design.yaml
  ixlb lint designs/*.yaml --format json
  ixlb lint esp-direct-vs-cluster          # a bundled scenario
  ixlb lint --strict designs/*.yaml        # warnings fail too (CI)`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeScenarios(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return lintCmd(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", formatText, "output format: text or json")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "fail (exit 1) on any warning: --max-warnings 0")
	cmd.Flags().IntVar(&o.maxWarnings, "max-warnings", -1, "fail (exit 1) when there are more than N warnings (-1: no limit)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{formatText, formatJSON}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// lintFinding is the JSON form of a diagnostic: `ixlb lint --format json` prints an array of them.
type lintFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

func lintCmd(stdout, stderr io.Writer, args []string, o lintOptions) error {
	format := o.format
	if format != formatText && format != formatJSON {
		return exitf(2, "--format: want text or json, got %q", format)
	}
	if o.maxWarnings < -1 {
		return exitf(2, "--max-warnings: want a number of warnings, 0 or more (-1: no limit), got %d", o.maxWarnings)
	}
	if o.strict {
		if o.maxWarnings > 0 {
			return exitf(2, "--strict is --max-warnings 0: give one or the other")
		}
		o.maxWarnings = 0
	}
	var all scenarios.Diagnostics
	unreadable := false
	for _, arg := range args {
		ds, err := lintOne(arg)
		if err != nil {
			// The other files are still linted: one missing file should not hide their findings.
			fmt.Fprintf(stderr, "ixlb lint: %s\n", scenarios.EscapeTerminalLines(err.Error()))
			unreadable = true
			continue
		}
		all = append(all, ds...)
	}
	switch format {
	case formatJSON:
		out := make([]lintFinding, len(all))
		for i, d := range all {
			out[i] = lintFinding{d.File, d.Line, d.Col, string(d.Severity), d.Code, d.Message}
		}
		if err := writeJSON(stdout, out); err != nil {
			return exitf(2, "lint: %v", err)
		}
	default:
		for _, d := range all {
			fmt.Fprintln(stdout, scenarios.EscapeTerminal(d.Lint()))
		}
	}
	switch {
	case unreadable:
		return &exitError{code: 2, err: errors.New("")}
	case all.HasErrors():
		return &exitError{code: 1, err: errors.New("")}
	}
	warnings := 0
	for _, d := range all {
		if d.Severity == scenarios.SeverityWarning {
			warnings++
		}
	}
	if o.maxWarnings >= 0 && warnings > o.maxWarnings {
		return exitf(1, "ixlb lint: %d warning(s), more than the %d allowed (--strict or --max-warnings)", warnings, o.maxWarnings)
	}
	return nil
}

// lintOne is every finding about one scenario: its load errors if it does not load, else the lint
// pass. err is for a file that cannot be read at all.
func lintOne(arg string) (scenarios.Diagnostics, error) {
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		var ds scenarios.Diagnostics
		if errors.As(err, &ds) {
			return ds, nil
		}
		return nil, err
	}
	return scenarios.Lint(sc), nil
}

// lintAtLoad runs the lint pass on a scenario about to run: warnings go to stderr (and are
// returned, in their printed form, for the run report); an error stops the load with exit 2.
func lintAtLoad(stderr io.Writer, sc *scenarios.Scenario) ([]string, error) {
	ds := scenarios.Lint(sc)
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = scenarios.EscapeTerminal(d.Lint())
	}
	if ds.HasErrors() {
		return nil, &exitError{code: 2, err: errors.New(strings.Join(lines, "\n"))}
	}
	for _, l := range lines {
		fmt.Fprintln(stderr, l)
	}
	return lines, nil
}
