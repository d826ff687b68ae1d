//go:build cgo

package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/store"
)

// errEnough stops the log's reader once --limit lines are out.
var errEnough = errors.New("enough lines")

func newEventsCmd() *cobra.Command {
	var (
		from  uint64
		limit int
		sum   bool
	)
	cmd := &cobra.Command{
		Use:   "events DIR",
		Short: "Print the event log kept in a data directory, one JSON object a line",
		Long: `Events prints the event log that ixlb run --data DIR or the console kept in DIR/ixlb.db,
as the JSON lines ixlb run --events writes. The log is stored compressed; this command, or the
events view in the sqlite3 shell, reads it back:

  sqlite3 DIR/ixlb.db "SELECT seq, t, kind, line FROM events WHERE kind = 'routing_timeout'"

It only reads: a run or console using DIR at the same time is not disturbed (the lines they have
not committed yet are not shown).

--sha256 prints the SHA-256 of the lines instead (each line ending with a newline): for the whole
log, that is the events_sha256 of the run's report.`,
		Example: `  ixlb events ./data | tail
  ixlb events ./data --from 5000 --limit 20
  ixlb events ./data --sha256`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return exitf(2, "--limit must not be negative, got %d", limit)
			}
			return printEvents(cmd.OutOrStdout(), args[0], from, limit, sum)
		},
	}
	cmd.Flags().Uint64Var(&from, "from", 1, "start at this event (seq, 1-based)")
	cmd.Flags().IntVar(&limit, "limit", 0, "print at most this many lines (0: all)")
	cmd.Flags().BoolVar(&sum, "sha256", false, "print the SHA-256 of the lines instead of the lines")
	return cmd
}

func printEvents(stdout io.Writer, dir string, from uint64, limit int, sum bool) error {
	out := bufio.NewWriterSize(stdout, 1<<16)
	h := sha256.New()
	var w io.Writer = out
	if sum {
		w = h
	}
	n := 0
	err := store.ReadEvents(dir, from, func(_ uint64, line []byte) error {
		if limit > 0 && n >= limit {
			return errEnough
		}
		n++
		if _, err := w.Write(line); err != nil {
			return err
		}
		_, err := w.Write([]byte{'\n'})
		return err
	})
	if err != nil && !errors.Is(err, errEnough) {
		if store.IsDamagedLog(err) {
			// The journal still says what the log was: a run with --rebuild writes it again.
			return exitf(2, "events: %v\n(regenerate it with `ixlb run %s --data %s --rebuild`)", err,
				shellQuote(filepath.Join(dir, store.ScenarioCopyFile)), shellQuote(dir))
		}
		return exitf(2, "events: %v", err)
	}
	if sum {
		fmt.Fprintln(out, hex.EncodeToString(h.Sum(nil)))
	}
	if err := out.Flush(); err != nil {
		return exitf(2, "events: %v", err)
	}
	return nil
}
