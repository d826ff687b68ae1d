//go:build cgo

package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
)

func newScenariosCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the bundled scenarios",
		Long: `Scenarios lists the scenarios built into ixlb, each with its description. Run one with
ixlb run NAME, open it with ixlb NAME, or print its file with ixlb scenarios show NAME to start
a design of your own from it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listScenarios(cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:               "show NAME",
		Short:             "Print a bundled scenario's file",
		Long:              "Show prints the bundled scenario's YAML file exactly as it ships, comments included.",
		Example:           "  ixlb scenarios show urs-failover > my-failover.yaml",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeBundled,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				// Nothing on stdout: `ixlb scenarios show > my.yaml` must not write a listing.
				var b strings.Builder
				b.WriteString("ixlb scenarios show NAME: name a bundled scenario, e.g. ixlb scenarios show seed-example > my.yaml\n\n")
				listScenarios(&b)
				return &exitError{code: 2, err: errors.New(strings.TrimSuffix(b.String(), "\n"))}
			}
			data, err := scenarios.Source(args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if _, err := cmd.OutOrStdout().Write(data); err != nil {
				return exitf(2, "show: %v", err)
			}
			return nil
		},
	})
	return cmd
}

// listScenarios prints one bundled scenario a line: its name, then its description, aligned.
func listScenarios(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, info := range scenarios.Bundled() {
		fmt.Fprintf(tw, "%s\t%s\n", info.Name, info.Description)
	}
	if err := tw.Flush(); err != nil {
		return exitf(2, "scenarios: %v", err)
	}
	return nil
}

// completeBundled completes the name of a bundled scenario, with its description for the shells
// that show one.
func completeBundled(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return bundledCompletions(toComplete), cobra.ShellCompDirectiveNoFileComp
}

func bundledCompletions(toComplete string) []cobra.Completion {
	var out []cobra.Completion
	for _, info := range scenarios.Bundled() {
		if strings.HasPrefix(info.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(info.Name, info.Description))
		}
	}
	return out
}

// completeScenarios completes SCENARIO arguments (at most maxArgs of them, 0 for any number): the
// bundled scenarios' names, and directories and .yaml/.yml files as the shell would. Files are
// listed here rather than left to the shell because cobra's shell scripts do either our list or
// file completion, not both.
func completeScenarios(maxArgs int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if maxArgs > 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		if !strings.ContainsAny(toComplete, `/\`) {
			out = bundledCompletions(toComplete)
		}
		files, dirs := scenarioFiles(toComplete)
		out = append(out, files...)
		out = append(out, dirs...)
		directive := cobra.ShellCompDirectiveNoFileComp
		if len(dirs) > 0 {
			directive |= cobra.ShellCompDirectiveNoSpace // so one can go on into the directory
		}
		return out, directive
	}
}

// scenarioFiles lists the .yaml/.yml files and the directories whose path starts with prefix.
// Hidden entries are listed only when prefix names them (".git" is rarely wanted).
func scenarioFiles(prefix string) (files, dirs []string) {
	dir, base := filepath.Split(prefix)
	entries, err := os.ReadDir(cmp.Or(dir, "."))
	if err != nil {
		return nil, nil
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(cmp.Or(dir, "."), name)); err == nil {
				isDir = st.IsDir()
			}
		}
		switch ext := strings.ToLower(filepath.Ext(name)); {
		case isDir:
			dirs = append(dirs, dir+name+"/")
		case ext == ".yaml" || ext == ".yml":
			files = append(files, dir+name)
		}
	}
	slices.Sort(files)
	slices.Sort(dirs)
	return files, dirs
}
