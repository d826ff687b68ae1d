package scenarios

import (
	_ "embed"
	"slices"
)

// schemaJSON is the JSON Schema of format v1, written by hand so its descriptions read well in an
// editor's hover; schema_test.go keeps it in step with the parser's fields.
//
//go:embed schema.json
var schemaJSON []byte

// SchemaID is the schema's $id: where the repository serves it, for `# yaml-language-server:
// $schema=` modelines.
const SchemaID = "https://github.com/ixlb/ixlb/raw/main/scenarios/schema.json"

// Schema returns the JSON Schema (draft 2020-12) of scenario format v1. It checks the shape of a
// file (fields, types, enums, duration and rate syntax); references between names and the
// load-balancing pitfalls are the parser's and Lint's.
func Schema() []byte { return slices.Clone(schemaJSON) }
