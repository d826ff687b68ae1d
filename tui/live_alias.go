package tui

import (
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// The wall-clock runner lives in tui/live; these names keep the console's API where it was.
type (
	Sim              = live.Sim
	Frame            = live.Frame
	LogEntry         = live.LogEntry
	Persister        = live.Persister
	ScenarioObserver = live.ScenarioObserver
	ScenarioSession  = live.ScenarioSession
	Runner           = live.Runner
	RunnerOptions    = live.RunnerOptions
)

// Speeds are the steps of + and -.
var Speeds = live.Speeds

// DefaultRingSize is how many recent events the console keeps; MinSpeed is the slowest pace.
const (
	DefaultRingSize = live.DefaultRingSize
	MinSpeed        = live.MinSpeed
)

// NewRunner builds a runner in manual mode (see live.NewRunner).
func NewRunner(cfg core.Config, o RunnerOptions) (*Runner, error) { return live.NewRunner(cfg, o) }

// ParseSpeed reads a speed factor (see live.ParseSpeed).
func ParseSpeed(s string) (float64, error) { return live.ParseSpeed(s) }
