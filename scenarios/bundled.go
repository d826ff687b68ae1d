package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
)

// The bundled scenarios ship inside the binary, so `ixlb run urs-failover` works anywhere.
//
//go:embed *.yaml
var bundledFS embed.FS

// Info describes a bundled scenario.
type Info struct {
	Name        string // what Open and Resolve take: the file name without .yaml
	Description string
}

const ext = ".yaml"

// Bundled lists the bundled scenarios, sorted by name.
func Bundled() []Info { return slices.Clone(bundledInfos()) }

var bundledInfos = sync.OnceValue(func() []Info {
	entries, _ := fs.ReadDir(bundledFS, ".")
	var out []Info
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ext) {
			continue
		}
		info := Info{Name: strings.TrimSuffix(e.Name(), ext)}
		if s, err := Open(info.Name); err == nil {
			info.Description = s.Config.Description
		} else {
			info.Description = "(does not load: " + strings.SplitN(err.Error(), "\n", 2)[0] + ")"
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out
})

// bundledNames lists the embedded files by name without parsing them (Open uses it in messages,
// and bundledInfos uses Open).
func bundledNames() []string {
	entries, _ := fs.ReadDir(bundledFS, ".")
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
			names = append(names, strings.TrimSuffix(e.Name(), ext))
		}
	}
	slices.Sort(names)
	return names
}

// BundledPrefix starts the file name of a bundled scenario in diagnostics and Scenario.File
// ("bundled:seed-example.yaml"): it is not a file in the current directory, and
// `ixlb scenarios show seed-example > my.yaml` makes it one.
const BundledPrefix = "bundled:"

// Open loads a bundled scenario by name ("seed-example" or "seed-example.yaml"); diagnostics name
// the file "bundled:seed-example.yaml".
func Open(name string) (*Scenario, error) {
	name = strings.TrimPrefix(name, BundledPrefix)
	file := strings.TrimSuffix(name, ext) + ext
	if strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("open bundled scenario %q: not a bundled scenario name", name)
	}
	data, err := bundledFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("open bundled scenario %q: no such scenario%s (bundled: %s)",
			name, suggest(strings.TrimSuffix(name, ext), bundledNames()), strings.Join(bundledNames(), ", "))
	}
	return Parse(BundledPrefix+file, data)
}

// Resolve loads what a command-line argument names: the file at that path if there is one, else a
// bundled scenario of that name.
func Resolve(arg string) (*Scenario, error) {
	if strings.HasPrefix(arg, BundledPrefix) {
		return Open(arg)
	}
	st, err := os.Stat(arg)
	switch {
	case err == nil && !st.IsDir():
		return Load(arg)
	case err == nil:
		return nil, fmt.Errorf("%s is a directory, not a scenario file", arg)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open scenario %s: %w", arg, err)
	}
	if _, rerr := bundledFS.ReadFile(strings.TrimSuffix(arg, ext) + ext); rerr == nil && !strings.ContainsAny(arg, `/\`) {
		return Open(arg)
	}
	return nil, fmt.Errorf("%s: no such file, and no bundled scenario of that name%s (bundled: %s)",
		arg, suggest(strings.TrimSuffix(arg, ext), bundledNames()), strings.Join(bundledNames(), ", "))
}
