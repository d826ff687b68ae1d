//go:build ixlb_crashpoints

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// With the build tag ixlb_crashpoints, the durable points (crashpoint.go) are counted, and
// IXLB_CRASHPOINT says what happens at one of them:
//
//	kill:N     the process SIGKILLs itself just before point N (what is durable is points 1…N-1)
//	eio:N      point N fails once with EIO, as a failing disk would; the store goes on
//	enospc:N   point N and every later one fail with ENOSPC, as a full disk would
//
// IXLB_CRASHPOINT_TRACE=FILE appends "N kind file" for every point, so a test can enumerate them.
// IXLB_CRASHPOINT_BATCH=N commits an interaction database on its own every N rows and the event
// log every 4N lines (once a run state is saved), as a run does when a save holds more than 131072
// rows or 1048576 lines, and has `ixlb run` save every 8N events (EventsPerSave) instead of every
// 131072: so that a small scenario saves many times and walks those commits between saves too.
// The sealer (logchain.go) seals chunks on the caller's goroutine here, in order.
//
// The numbering must mean the same point in every run, so the store runs serially here: every
// commit is waited for, and the files commit one after another (the interaction databases in
// name order, then the state). See the README on what this covers of the concurrent order.
const serial = true

var crash = newCrashPlan()

var walkBatch, _ = strconv.Atoi(os.Getenv("IXLB_CRASHPOINT_BATCH"))

type crashPlan struct {
	mu    sync.Mutex
	n     uint64
	mode  string
	at    uint64
	trace *os.File
}

func newCrashPlan() *crashPlan {
	p := &crashPlan{}
	if spec := os.Getenv("IXLB_CRASHPOINT"); spec != "" {
		mode, n, _ := strings.Cut(spec, ":")
		at, err := strconv.ParseUint(n, 10, 64)
		if err != nil || (mode != "kill" && mode != "eio" && mode != "enospc") {
			fmt.Fprintf(os.Stderr, "IXLB_CRASHPOINT=%q: want kill:N, eio:N or enospc:N\n", spec)
			os.Exit(2)
		}
		p.mode, p.at = mode, at
	}
	if path := os.Getenv("IXLB_CRASHPOINT_TRACE"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(os.Stderr, "IXLB_CRASHPOINT_TRACE: %v\n", err)
			os.Exit(2)
		}
		p.trace = f
	}
	return p
}

func point(k pointKind, path string) error {
	p := crash
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.trace != nil {
		fmt.Fprintf(p.trace, "%d %s %s\n", p.n, k, filepath.Base(path))
	}
	switch {
	case p.mode == "kill" && p.n == p.at:
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		for {
			time.Sleep(time.Second) // the signal is on its way
		}
	case p.mode == "eio" && p.n == p.at:
		return &os.PathError{Op: "write", Path: path, Err: syscall.EIO}
	case p.mode == "enospc" && p.n >= p.at:
		return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	return nil
}
