//go:build cgo

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/ixlb/ixlb/core"
)

// interruption watches for SIGINT and SIGTERM during `ixlb run`: the run stops between two
// steps of the engine, commits what is done and exits 130 or 143 (128 + the signal), instead of
// dying without a word and leaving its temporary directory behind.
//
// It is safe for concurrent use: a sweep's workers ask it whether to stop between slices of
// their runs while the main goroutine writes rows.
type interruption struct {
	ch  chan os.Signal
	mu  sync.Mutex
	got os.Signal
}

// errInterrupted is returned by the run loops when a signal stopped them.
var errInterrupted = errors.New("interrupted")

func watchSignals() *interruption {
	in := &interruption{ch: make(chan os.Signal, 1)}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	return in
}

// stopped reports, without waiting, whether a signal came.
func (in *interruption) stopped() bool {
	if in == nil {
		return false
	}
	if in.signaled() {
		return true
	}
	select {
	case s := <-in.ch:
		in.take(s)
		return true
	default:
		return false
	}
}

func (in *interruption) signaled() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.got != nil
}

// take records the signal, and restores the default handling: a second Ctrl-C ends the process
// at once.
func (in *interruption) take(s os.Signal) {
	in.mu.Lock()
	if in.got == nil {
		in.got = s
	}
	in.mu.Unlock()
	in.release()
}

// sleep waits d, or less if a signal comes; it reports whether one came.
func (in *interruption) sleep(d time.Duration) bool {
	if in == nil {
		time.Sleep(d)
		return false
	}
	if in.signaled() {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case s := <-in.ch:
		in.take(s)
		return true
	case <-t.C:
		return false
	}
}

// release restores the default handling of the signals.
func (in *interruption) release() {
	if in != nil {
		signal.Stop(in.ch)
	}
}

// exitCode is the shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
func (in *interruption) exitCode() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.got.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// stopped ends a run that did not reach its end: a signal or the memory guard. What is done is
// committed (so the same command resumes), the message says when, and the session is closed by
// the caller's defer (a temporary directory removed).
func stopped(stderr io.Writer, eng *core.Engine, ss *session, events *bufio.Writer, in *interruption, cause error) error {
	clearProgress(progressOut(stderr, false))
	var errs []error
	if events != nil {
		if err := events.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("events: %w", err))
		}
	}
	if err := ss.save(eng); err != nil {
		errs = append(errs, fmt.Errorf("commit: %w", err))
	}
	at := time.Duration(eng.Now()).Round(time.Millisecond)
	if !errors.Is(cause, errInterrupted) {
		return &exitError{code: 2, err: errors.Join(append([]error{cause}, errs...)...)}
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "interrupted at %s virtual, but %v\n", at, errors.Join(errs...))
	} else if ss.temp {
		fmt.Fprintf(stderr, "interrupted at %s virtual (without --data nothing is kept; use --data DIR to resume a run)\n", at)
	} else {
		fmt.Fprintf(stderr, "interrupted at %s virtual; run the same command to resume\n", at)
	}
	return &exitError{code: in.exitCode(), err: errors.New("")}
}
