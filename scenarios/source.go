package scenarios

import (
	"fmt"
	"strings"
)

// Source returns a bundled scenario's file ("seed-example" or "seed-example.yaml") byte for byte,
// comments included: `ixlb scenarios show` prints it as a starting point for one's own.
func Source(name string) ([]byte, error) {
	name = strings.TrimPrefix(name, BundledPrefix)
	if strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("bundled scenario %q: not a bundled scenario name", name)
	}
	data, err := bundledFS.ReadFile(strings.TrimSuffix(name, ext) + ext)
	if err != nil {
		return nil, fmt.Errorf("bundled scenario %q: no such scenario%s (bundled: %s)",
			name, suggest(strings.TrimSuffix(name, ext), bundledNames()), strings.Join(bundledNames(), ", "))
	}
	return data, nil
}
