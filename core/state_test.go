package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// core keeps no state in package variables: what a run changes lives in its Engine (random
// streams included, stream.go), so engines in one process — a console's branch, a study's
// parallel runs — never meet. The package variables left are tables written once, at
// initialisation, and only read after. A new package variable fails here until it is listed
// with the reason it is read-only.
func TestNoPackageState(t *testing.T) {
	readOnly := map[string]string{
		"catalogue":       "the figure catalogue, a literal",
		"AppTypes":        "the application types, a literal",
		"stepNames":       "names of step kinds, a literal array",
		"actionNames":     "names of timeline actions, a literal array",
		"targetKindNames": "names of ESP target kinds, a literal array",
		"fieldNames":      "event field names, a literal array",
		"eventSchemas":    "event kinds' fields, a literal array",
		"kindKeys":        "JSON keys derived from the two tables above at initialisation",
		"fieldKeys":       "JSON keys derived from the two tables above at initialisation",
		"ReportShape":     "the Report type's shape, computed once (sync.OnceValue)",
		"optionSpecs":     "the option registry, a literal array",
		"rateUnits":       "rate units, a literal map",
		"rateNumber":      "a compiled regular expression (safe for concurrent use)",
		"whySentence":     "sentences of ineligibility codes, a literal map",
		"undefinedNames":  "names of undefined figures, computed at initialisation",
		"ErrInterrupted":  "a sentinel error, compared with errors.Is and never changed",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					seen[id.Name] = true
					if _, ok := readOnly[id.Name]; !ok && id.Name != "_" {
						t.Errorf("%s: package variable %s: keep run state in the Engine, or list it here as a read-only table with the reason",
							fset.Position(id.Pos()), id.Name)
					}
				}
			}
		}
	}
	for name := range readOnly {
		if !seen[name] {
			t.Errorf("%s is listed as a read-only table but is no package variable any more: remove it from the list", name)
		}
	}
}
