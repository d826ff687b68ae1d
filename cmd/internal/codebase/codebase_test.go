package codebase

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ixlb/ixlb/core"
)

const module = "github.com/ixlb/ixlb"

// root is the repository's top directory, the one holding go.mod.
func root(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = up
	}
}

// goFile is a parsed Go file of the repository.
type goFile struct {
	rel  string // its path from the root, with slashes
	test bool
	ast  *ast.File
}

// goFiles parses every Go file of the repository (comments included).
func goFiles(t *testing.T) (*token.FileSet, []goFile) {
	t.Helper()
	top := root(t)
	fset := token.NewFileSet()
	var out []goFile
	err := filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != top && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		out = append(out, goFile{filepath.ToSlash(rel), strings.HasSuffix(p, "_test.go"), f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fset, out
}

// maxFunctionLines is the longest a function may be, from its opening brace to its closing one:
// past it, a function does several things, and each wants a name.
const maxFunctionLines = 100

// No function outside tests is longer than maxFunctionLines (function literals count on their
// own, and inside the function that holds them).
func TestFunctionLength(t *testing.T) {
	fset, files := goFiles(t)
	for _, f := range files {
		if f.test {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			var body *ast.BlockStmt
			name := "a function literal"
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body, name = fn.Body, fn.Name.Name
			case *ast.FuncLit:
				body = fn.Body
			}
			if body == nil {
				return true
			}
			from, to := fset.Position(body.Lbrace), fset.Position(body.Rbrace)
			if lines := to.Line - from.Line + 1; lines > maxFunctionLines {
				t.Errorf("%s:%d: %s is %d lines long, more than %d: split it by what its parts do",
					f.rel, from.Line, name, lines, maxFunctionLines)
			}
			return true
		})
	}
}

// Imports run one way: core imports nothing of ixlb's; store and scenarios import core;
// scenarios/study imports scenarios and core; tui imports core (and its runner, tui/live); cmd
// wires everything.
func TestImportsRunOneWay(t *testing.T) {
	allowed := map[string][]string{
		"core":                  nil,
		"core/coretest":         {"core"},
		"store":                 {"core"},
		"scenarios":             {"core"},
		"scenarios/study":       {"core", "scenarios"},
		"tui/live":              {"core"},
		"tui":                   {"core", "tui/live"},
		"cmd/ixlb":              {"core", "core/coretest", "store", "scenarios", "scenarios/study", "tui", "tui/live"},
		"cmd/internal/codebase": {"core"},
	}
	_, files := goFiles(t)
	for _, f := range files {
		pkg := filepath.ToSlash(filepath.Dir(f.rel))
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("%s: package %s is not in the import map of this test: add it, with what it may import", f.rel, pkg)
			continue
		}
		for _, imp := range f.ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			dep, ours := strings.CutPrefix(path, module+"/")
			if !ours || dep == pkg {
				continue
			}
			if f.test && dep == "core/coretest" {
				continue // shared test configurations
			}
			if !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s: %s may import only %q", f.rel, path, pkg, ok)
			}
		}
	}
}

// Comments and strings of the code cite documents that are in the repository (docs/lint.md,
// README.md): a reader must be able to open what a comment points at. The seed document and the
// developers' notes are not in it; the seed document is cited by its title.
func TestCitedDocumentsExist(t *testing.T) {
	top := root(t)
	_, files := goFiles(t)
	doc := regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)
	for _, f := range files {
		for _, cg := range f.ast.Comments {
			for _, cite := range doc.FindAllString(cg.Text(), -1) {
				if _, err := os.Stat(filepath.Join(top, cite)); err != nil {
					t.Errorf("%s cites %s, which is not in the repository (a path from its top, such as docs/scenarios.md)", f.rel, cite)
				}
			}
		}
	}
}

// An option is spelled once, in core's registry: code reads it through its handle (core.Opt), so
// a typo does not compile. No string literal outside the registry is an option's name.
func TestOptionNamesOnlyInTheRegistry(t *testing.T) {
	names := map[string]core.Opt{}
	for _, o := range core.AllOptions() {
		if n := o.Name(); n != core.NameURS {
			names[n] = o
		}
	}
	// The exceptions, each a name of its own that happens to be an option's.
	except := map[string]string{
		"core/coretest/coretest.go": "the seed example's configuration, data like a scenario file",
	}
	fset, files := goFiles(t)
	for _, f := range files {
		if f.test || f.rel == "core/options.go" || except[f.rel] != "" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			// A constant of a vocabulary of its own (core.WhyRate, the ineligibility code) is not
			// a read of the option.
			if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == "WhyRate" {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				if o, isOption := names[s]; isOption {
					t.Errorf("%s:%d: the option name %q spelled out: use its handle (core.%s)", f.rel, fset.Position(lit.Pos()).Line, s, handleName(o))
				}
			}
			return true
		})
	}
}

// handleName is an option's handle as code writes it: OptDeliveringTimeout.
func handleName(o core.Opt) string {
	var b strings.Builder
	b.WriteString("Opt")
	for _, part := range strings.FieldsFunc(o.Name(), func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// Every option of the registry has behaviour: its handle is read by the engine (a core file other
// than the registry). An option registered and read by nothing — reservation-time once — fails
// here. With scenarios' TestEveryOptionReachesItsReaders (docs, schema, lint) and tui's
// TestEveryOptionIsCompleted (the console's :set), these are the registry's consumers.
func TestEveryOptionIsReadByTheEngine(t *testing.T) {
	fset, files := goFiles(t)
	var handles []string
	used := map[string][]string{}
	for _, f := range files {
		if f.test || filepath.Dir(f.rel) != "core" {
			continue
		}
		if f.rel == "core/options.go" {
			for _, d := range f.ast.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST || len(g.Specs) == 0 {
					continue
				}
				if typ, ok := g.Specs[0].(*ast.ValueSpec).Type.(*ast.Ident); !ok || typ.Name != "Opt" {
					continue
				}
				for _, spec := range g.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if strings.HasPrefix(id.Name, "Opt") {
							handles = append(handles, id.Name)
						}
					}
				}
			}
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(id.Name, "Opt") {
				used[id.Name] = append(used[id.Name], fset.Position(id.Pos()).String())
			}
			return true
		})
	}
	if len(handles) != len(core.AllOptions()) {
		t.Fatalf("found %d handles in core/options.go, the registry has %d options", len(handles), len(core.AllOptions()))
	}
	for _, h := range handles {
		if len(used[h]) == 0 {
			t.Errorf("core.%s is read nowhere in the engine: an option needs its behaviour (or leave it out of the registry)", h)
		}
	}
}
