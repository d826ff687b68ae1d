package scenarios

import (
	"fmt"
	"strings"

	"github.com/ixlb/ixlb/core"
)

// didYouMean returns ` (did you mean "X"?)` for the known name closest to name, or "". The
// engine's operator actions use the same rule (core.DidYouMean).
func didYouMean(name string, known []string) string { return core.DidYouMean(name, known) }

// listNames renders a short list of known names for a message; long lists are cut.
func listNames(names []string) string {
	const max = 12
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(", … (%d more)", len(names)-max)
	}
	return strings.Join(names, ", ")
}
