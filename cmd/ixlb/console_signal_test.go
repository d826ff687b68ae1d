//go:build linux && cgo

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// syncBuf is a bytes.Buffer safe to read while the process writes it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// SIGINT, SIGTERM, SIGHUP and SIGQUIT end the console promptly, restore the terminal (the alternate
// screen is left), save the session and exit 128 + the signal — every time, at high speed. Before, SIGINT deadlocked
// about one time in two: two signal handlers raced in Bubble Tea's shutdown.
func TestConsoleExitsOnSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the console")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		for try := 0; try < 5; try++ {
			t.Run(sig.String(), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "data")
				cmd := exec.Command(ixlbBin, "--speed", "1000", "--data", dir)
				master, slave := openPTY(t)
				var out, errb syncBuf
				read := make(chan struct{}) // closed when the console's output is all read
				go func() { answerTerminal(master, &out); close(read) }()
				cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, &errb
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
				cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir(), "TERM=xterm-256color")
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				slave.Close()
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				deadline := time.After(20 * time.Second)
				for !strings.Contains(out.String(), "Routing") {
					select {
					case err := <-exited:
						t.Fatalf("exited before drawing: %v\n%s", err, errb.String())
					case <-deadline:
						_ = cmd.Process.Kill()
						t.Fatal("the console never drew")
					case <-time.After(20 * time.Millisecond):
					}
				}
				time.Sleep(time.Duration(try) * 100 * time.Millisecond) // let it run a while
				t0 := time.Now()
				defer func() { t.Logf("exit took %v", time.Since(t0)) }()
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-exited:
					// 128 + the signal, as the shell expects of a process a signal stopped
					// (it used to exit 0).
					var ee *exec.ExitError
					if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
						t.Fatalf("exit: %v, want %d\n%s", err, 128+int(sig), errb.String())
					}
				case <-time.After(10 * time.Second):
					_ = cmd.Process.Kill()
					t.Fatalf("still running 10 s after %v", sig)
				}
				select { // the last bytes (leaving the alternate screen) may still be in the pty
				case <-read:
				case <-time.After(5 * time.Second):
				}
				if strings.Contains(errb.String(), "goroutine ") {
					t.Errorf("a goroutine dump on stderr (SIGQUIT's default): %.200s", errb.String())
				}
				if !strings.Contains(out.String(), "\x1b[?1049l") {
					t.Error("the alternate screen was not left")
				}
				if _, err := os.Stat(dir); err != nil {
					t.Errorf("no saved session: %v", err)
				}
			})
		}
	}
}

// answerTerminal copies the console's output and answers the terminal queries it sends at
// start (background colour, cursor position), as a terminal emulator would, so it does not wait
// for their timeout.
func answerTerminal(master *os.File, out io.Writer) {
	buf := make([]byte, 32<<10)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			b := buf[:n]
			_, _ = out.Write(b)
			if bytes.Contains(b, []byte("]11;?")) {
				_, _ = master.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
			}
			if bytes.Contains(b, []byte("\x1b[6n")) {
				_, _ = master.WriteString("\x1b[1;1R")
			}
		}
		if err != nil {
			return
		}
	}
}

// openPTY opens a pseudo-terminal pair (Linux), so the console runs as under a terminal, with
// the pty as its controlling terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("pty number: %v", e)
	}
	// 120x40 so the console draws its panes.
	ws := [4]uint16{40, 120, 0, 0}
	s, err := os.OpenFile("/dev/pts/"+strconv.FormatUint(uint64(n), 10), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		t.Fatalf("pty size: %v", e)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// console runs the console under a pseudo-terminal; wait ends it with SIGTERM and waits.
type ptyConsole struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	out    *syncBuf
	exited chan error
}

func startConsole(t *testing.T, state string, args ...string) *ptyConsole {
	t.Helper()
	c := &ptyConsole{t: t, cmd: exec.Command(ixlbBin, args...), out: &syncBuf{}, exited: make(chan error, 1)}
	var slave *os.File
	c.master, slave = openPTY(t)
	go answerTerminal(c.master, c.out)
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = slave, slave, io.Discard
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	c.cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state, "TERM=xterm-256color")
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	go func() { c.exited <- c.cmd.Wait() }()
	return c
}

// waitFor waits until the screen output contains s.
func (c *ptyConsole) waitFor(s string) {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(c.out.String(), s) {
		select {
		case err := <-c.exited:
			c.t.Fatalf("exited waiting for %q: %v", s, err)
		case <-deadline:
			_ = c.cmd.Process.Kill()
			c.t.Fatalf("never saw %q", s)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *ptyConsole) stop() {
	c.t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.exited:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 143 {
			c.t.Fatalf("exit: %v, want 143 (SIGTERM)", err)
		}
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		c.t.Fatal("did not exit")
	}
}

// The console reopens a session at the speed it was left at (unless --speed says otherwise),
// and typed bursts reach the command line through a real terminal.
func TestConsoleSpeedRestoredOnReopen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the console")
	}
	state := t.TempDir()
	c := startConsole(t, state, "--paused")
	c.waitFor("Routing")
	if _, err := c.master.WriteString(":speed 50\r"); err != nil {
		t.Fatal(err)
	}
	c.waitFor("speed 50x")
	c.stop()
	c = startConsole(t, state, "--paused")
	c.waitFor("paused · 50x")
	c.stop()
	c = startConsole(t, state, "--paused", "--speed", "2")
	c.waitFor("paused · 2x")
	c.stop()
}
