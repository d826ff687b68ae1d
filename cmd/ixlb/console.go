package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/tui"
)

// defaultScenario is what `ixlb` opens with no argument: the seed document's example.
const defaultScenario = "seed-example"

type consoleFlags struct {
	speed  float64
	paused bool
}

var console consoleFlags

func addConsoleFlags(cmd *cobra.Command) {
	cmd.Flags().Float64Var(&console.speed, "speed", 1, "virtual seconds per wall-clock second (pause with space, change with + and -)")
	cmd.Flags().BoolVar(&console.paused, "paused", false, "open paused")
}

// loadConfig is the console's scenario loader (the `o` file picker and `:load`).
func loadConfig(path string) (core.Config, error) {
	sc, err := scenarios.Resolve(path)
	if err != nil {
		return core.Config{}, err
	}
	return sc.Config, nil
}

func runConsole(cmd *cobra.Command, args []string) error {
	arg := defaultScenario
	if len(args) == 1 {
		arg = args[0]
	}
	if console.speed <= 0 {
		return exitf(2, "--speed must be positive, got %g", console.speed)
	}
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if _, err := core.New(sc.Config); err != nil {
		return exitf(2, "%s: %v", sc.File, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = tui.Run(ctx, tui.Options{Config: sc.Config, Source: sc.File, Load: loadConfig, Speed: console.speed, Paused: console.paused})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
