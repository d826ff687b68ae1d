//go:build cgo

package main

import (
	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/scenarios"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of scenario files, for editors",
		Long: `Schema prints the JSON Schema (draft 2020-12) of scenario format v1: every field with its
description, the application types, the syntax of durations and rates. Point your editor's YAML
support at it for completion, hover help and errors as you type (docs/lint.md shows how):

  ixlb schema > ixlb-scenario.schema.json

It checks the shape of a file; ixlb lint checks the rest (names, references, pitfalls).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := cmd.OutOrStdout().Write(scenarios.Schema()); err != nil {
				return exitf(2, "schema: %v", err)
			}
			return nil
		},
	}
}
