package live

import (
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/core/coretest"
)

// seedConfig is the seed document's example (coretest.SeedConfig).
func seedConfig() core.Config { return coretest.SeedConfig() }
