//go:build cgo

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ixlb/ixlb/core"
)

// interruption watches for SIGINT, SIGTERM and SIGHUP during `ixlb run` and `ixlb sweep`: the
// run stops between two steps of the engine, commits what is done and exits 130, 143 or 129
// (128 + the signal), instead of dying without a word and leaving its temporary directory
// behind. SIGHUP (the terminal closed, or a `kill -HUP`) is a request to stop like SIGTERM.
//
// Every blocking point stays interruptible: the run polls between steps, but a signal that
// comes while the process waits elsewhere (its report blocked on a full pipe, say), or once the
// run has nothing left to commit (done), ends it at once, as does a second signal; force then
// cleans up what must not be left behind (a temporary directory) and the process exits 128 + the
// first signal.
//
// It is safe for concurrent use: a sweep's workers ask it whether to stop between slices of
// their runs while the main goroutine writes rows.
type interruption struct {
	busy     atomic.Int32  // writes under way that may block (blockingWriter)
	blocked  chan struct{} // one began after the first signal
	ch       chan os.Signal
	first    chan struct{} // closed when the first signal comes
	finished chan struct{} // closed by done
	quit     chan struct{} // closed by release
	once     sync.Once
	mu       sync.Mutex
	got      os.Signal
	force    []func()
}

// errInterrupted is returned by the run loops when a signal stopped them.
var errInterrupted = errors.New("interrupted")

func watchSignals() *interruption {
	in := &interruption{ch: make(chan os.Signal, 2), blocked: make(chan struct{}, 1), first: make(chan struct{}), finished: make(chan struct{}), quit: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go in.watch()
	return in
}

func (in *interruption) watch() {
	select {
	case s := <-in.ch:
		in.mu.Lock()
		in.got = s
		in.mu.Unlock()
		close(in.first)
	case <-in.quit:
		return
	}
	if in.busy.Load() == 0 { // else it may be blocked there for ever: ended at once
		select {
		case <-in.ch:
		case <-in.finished:
		case <-in.blocked:
		case <-in.quit:
			return
		}
	}
	in.mu.Lock()
	force := slices.Clone(in.force)
	in.mu.Unlock()
	for _, f := range force {
		f()
	}
	os.Exit(in.exitCode())
}

// onForce adds what to do before the process ends at once (see interruption).
func (in *interruption) onForce(f func()) {
	if in == nil {
		return
	}
	in.mu.Lock()
	in.force = append(in.force, f)
	in.mu.Unlock()
}

// done says the run has nothing left to commit: a signal from now on ends the process at once.
func (in *interruption) done() {
	if in != nil {
		in.once.Do(func() { close(in.finished) })
	}
}

// stopped reports, without waiting, whether a signal came.
func (in *interruption) stopped() bool {
	if in == nil {
		return false
	}
	select {
	case <-in.first:
		return true
	default:
		return false
	}
}

// sleep waits d, or less if a signal comes; it reports whether one came.
func (in *interruption) sleep(d time.Duration) bool {
	if in == nil {
		time.Sleep(d)
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-in.first:
		return true
	case <-t.C:
		return false
	}
}

// release restores the default handling of the signals.
func (in *interruption) release() {
	if in != nil {
		signal.Stop(in.ch)
		select {
		case <-in.quit:
		default:
			close(in.quit)
		}
	}
}

// blockingWriter is an output whose writes may block for as long as nobody reads it (stdout into
// a pipe): while one is under way, the first signal ends the process at once instead of asking it
// to stop between two steps, which it would never reach.
type blockingWriter struct {
	w  io.Writer
	in *interruption
}

func (b blockingWriter) Write(p []byte) (int, error) {
	if b.in == nil {
		return b.w.Write(p)
	}
	b.in.busy.Add(1)
	defer b.in.busy.Add(-1)
	if b.in.stopped() { // the signal came before this write: it is not waited for either
		select {
		case b.in.blocked <- struct{}{}:
		default:
		}
	}
	return b.w.Write(p)
}

// exitCode is the shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM,
// 129 for SIGHUP).
func (in *interruption) exitCode() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.got.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// databasesFailed says that the session's databases failed under a run (a write, or a save),
// when, and that the same command resumes from what was saved last; nothing more is saved.
func databasesFailed(ss session, eng *core.Engine, err error) error {
	at := time.Duration(eng.Now()).Round(time.Millisecond)
	if ss.Temporary() {
		return exitf(2, "the databases failed at %s virtual: %v\n(without --data nothing is kept; use --data DIR to resume a run)", at, err)
	}
	return exitf(2, "the databases failed at %s virtual: %v\nthe session is kept as it was last saved; run the same command to resume", at, err)
}

// stopped ends a run that did not reach its end: a signal or the memory guard. What is done is
// committed (so the same command resumes), the message says when, and the session is closed by
// the caller's defer (a temporary directory removed).
func stopped(stderr io.Writer, eng *core.Engine, ss session, events *bufio.Writer, in *interruption, cause error) error {
	clearProgress(progressOut(stderr, false))
	var se *storageError
	if errors.As(cause, &se) {
		// Nothing more is saved: the last saved state is the world's, and the same command
		// resumes from it.
		if events != nil {
			events.Flush()
		}
		return databasesFailed(ss, eng, se.err)
	}
	var errs []error
	if events != nil {
		if err := events.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("events: %w", err))
		}
	}
	if err := save(ss, eng); err != nil {
		errs = append(errs, fmt.Errorf("commit: %w", err))
	}
	at := time.Duration(eng.Now()).Round(time.Millisecond)
	if !errors.Is(cause, errInterrupted) {
		return &exitError{code: 2, err: errors.Join(append([]error{cause}, errs...)...)}
	}
	if len(errs) > 0 {
		fmt.Fprintf(stderr, "interrupted at %s virtual, but %v\n", at, errors.Join(errs...))
	} else if ss.Temporary() {
		fmt.Fprintf(stderr, "interrupted at %s virtual (without --data nothing is kept; use --data DIR to resume a run)\n", at)
	} else {
		fmt.Fprintf(stderr, "interrupted at %s virtual; run the same command to resume\n", at)
	}
	return &exitError{code: in.exitCode(), err: errors.New("")}
}
