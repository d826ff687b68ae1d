package main

import (
	"encoding/json"
	"testing"

	"github.com/ixlb/ixlb/scenarios"
)

func TestSchemaCommand(t *testing.T) {
	r := ixlbCLI(t, "schema")
	if r.code != 0 || r.stdout != string(scenarios.Schema()) {
		t.Fatalf("exit %d, output differs from scenarios.Schema()", r.code)
	}
	var s struct {
		Schema string `json:"$schema"`
		ID     string `json:"$id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" || s.ID != scenarios.SchemaID {
		t.Errorf("$schema %q, $id %q", s.Schema, s.ID)
	}
	if r := ixlbCLI(t, "schema", "extra"); r.code != 2 {
		t.Errorf("schema extra: exit %d, want 2", r.code)
	}
}
