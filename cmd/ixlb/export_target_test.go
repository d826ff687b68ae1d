//go:build cgo

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui"
	"github.com/ixlb/ixlb/tui/live"
)

// dirDigest is every file of dir with a digest of its bytes (and what a link points at).
func dirDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == store.LockFileName {
			continue // each process that takes the lock writes its name in it
		}
		p := filepath.Join(dir, e.Name())
		if e.Type()&os.ModeSymlink != 0 {
			to, _ := os.Readlink(p)
			out[e.Name()] = "-> " + to
			continue
		}
		if !e.Type().IsRegular() {
			out[e.Name()] = e.Type().String()
			continue
		}
		b, _ := os.ReadFile(p)
		out[e.Name()] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	return out
}

// An export never writes a file of the session — its journal, a database, their -wal, its
// lock, its scenario copy, by name or through a link — nor the scenario file the session runs
// (attack 20 B1, B14), nor anything but a regular file: a FIFO, a device, a directory (B2).
// Each is refused before anything is opened, from the command line (--force included) and
// from the console (:export!), and every file of the session is as it was; the session
// exports and reopens afterwards.
func TestExportNeverWritesTheSession(t *testing.T) {
	tmp := t.TempDir()
	own := filepath.Join(tmp, "own.yaml")
	text, err := os.ReadFile("../../scenarios/urs-failover.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Its own scenario file, not a bundled one's copy: another name.
	if err := os.WriteFile(own, bytes.Replace(text, []byte("name: urs-failover"), []byte("name: own-failover"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")
	if _, errOut, code := runBin(t, "run", own, "--data", data); code > 1 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	if err := os.Symlink(filepath.Join(data, "ixlb.db"), filepath.Join(tmp, "link-to-journal")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{ // the target, and what the refusal says
		filepath.Join(data, "ixlb.db"):            "is a file of the session",
		filepath.Join(data, "ixlb.db-wal"):        "is a file of the session",
		filepath.Join(data, "ixn.db"):             "is a file of the session",
		filepath.Join(data, "ixn.db-shm"):         "is a file of the session",
		filepath.Join(data, store.LockFileName):   "is a file of the session",
		filepath.Join(data, "scenario.yaml"):      "is a file of the session",
		filepath.Join(tmp, "link-to-journal"):     "is a file of the session",
		filepath.Join(data, "..", "data", "x.db"): "",
		fifo: "is not a regular file (a FIFO)",
		tmp:  "is a directory",
	}
	delete(targets, filepath.Join(data, "..", "data", "x.db")) // (not a name of the session's)
	dev := filepath.Join(tmp, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o644, 1<<8|3); err == nil { // as root only
		targets[dev] = "is not a regular file (a character device)"
	}
	before, beforeTmp := dirDigest(t, data), dirDigest(t, tmp)
	for target, why := range targets {
		if _, errOut, code := runBin(t, "export", data, "-o", target, "--force"); code != 2 || !strings.Contains(errOut, why) {
			t.Errorf("ixlb export -o %s --force: exit %d: %s", target, code, errOut)
		}
	}
	// The scenario it ran, given with --scenario, is not overwritten either.
	if _, errOut, code := runBin(t, "export", data, "-o", own, "--scenario", own, "--force"); code != 2 || !strings.Contains(errOut, "is the scenario file this session runs") {
		t.Errorf("ixlb export -o its own scenario: exit %d: %s", code, errOut)
	}
	if after := dirDigest(t, data); !maps.Equal(before, after) {
		t.Fatalf("the session's files changed:\n%v\n%v", before, after)
	}
	if after := dirDigest(t, tmp); !maps.Equal(beforeTmp, after) {
		t.Fatalf("files beside the session changed:\n%v\n%v", beforeTmp, after)
	}

	// The console, on the same session: :export! (no question) is refused all the same.
	sc, err := scenarios.Load(own)
	if err != nil {
		t.Fatal(err)
	}
	r, p, _ := openConsoleRunnerOf(t, data, sc, own)
	r.Step(5 * time.Second)
	cur := &curDir{dir: p.ss.Dir(), ss: p.ss}
	m := tui.NewModel(r, loadConfig)
	m.SetExport(consoleExport(cur))
	m.SetExportCheck(consoleExportCheck(cur))
	d := &driver{t: t, m: m, r: r}
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	for target, why := range targets {
		d.command(":export! " + target)
		if v := d.view(); !strings.Contains(v, why) || strings.Contains(v, "exported") {
			t.Errorf(":export! %s: %s", target, lastLine(v))
		}
	}
	for _, target := range []string{own, filepath.Join(data, "ixn.db")} {
		d.command(":export " + target) // no question is asked either
		if v := d.view(); strings.Contains(v, "Overwrite") || !strings.Contains(v, "export:") {
			t.Errorf(":export %s: %s", target, lastLine(v))
		}
	}
	drill := filepath.Join(tmp, "drill.yaml")
	d.command(":export " + drill)
	if v := d.view(); !strings.Contains(v, "exported") {
		t.Fatalf(":export %s: %s", drill, lastLine(v))
	}
	closeConsole(t, r, p)
	if got := string(mustRead(t, own)); !strings.Contains(got, "name: own-failover") || strings.Contains(got, "Exported by ixlb") {
		t.Fatal("the scenario file was written")
	}
	if _, errOut, code := runBin(t, "export", data, "-o", filepath.Join(tmp, "again.yaml")); code != 0 {
		t.Fatalf("the session no longer exports: %s", errOut)
	}
}

// A scenario file whose path holds a line break exports: the header comment quotes the path
// (attack 20 B18), and the export runs to the session's log.
func TestExportOfAScenarioWithANewlineInItsPath(t *testing.T) {
	tmp := t.TempDir()
	odd := filepath.Join(tmp, "evil\nduration: 7m\n#.yaml")
	text, err := os.ReadFile("../../scenarios/urs-failover.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(odd, text, 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Load(odd)
	if err != nil {
		t.Fatal(err)
	}
	r, p, _ := openConsoleRunner(t, filepath.Join(tmp, "data"), sc)
	defer closeConsole(t, r, p)
	r.Step(30 * time.Second)
	j, err := r.Journal()
	if err != nil {
		t.Fatal(err)
	}
	j.Source = odd
	out := filepath.Join(tmp, "drill.yaml")
	if _, err := exportSession(sc, j, p.ss, out, false, false); err != nil {
		t.Fatal(err)
	}
	b := mustRead(t, out)
	if !strings.Contains(string(b), `evil\nduration: 7m\n#.yaml`) {
		t.Fatalf("the header does not quote the path:\n%.400s", b)
	}
	want, _ := j.State.EventsSHA256()
	o, errOut, code := runBin(t, "run", out, "--json")
	var rep core.Report
	if err := json.Unmarshal([]byte(o), &rep); err != nil || code > 1 { // (its expectations may fail after 30 s)
		t.Fatalf("run: exit %d %v %s", code, err, errOut)
	}
	if rep.EventsSHA256 != want {
		t.Fatalf("the export runs to %.12s, the session %.12s", rep.EventsSHA256, want)
	}
}

// driver drives a console model by its messages, running what they ask at once, as a person
// types (keys apart, so no two make a burst).
type driver struct {
	t *testing.T
	m *tui.Model
	r *live.Runner
}

func (d *driver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.run(cmd)
	for {
		f, ok := d.r.TryNext()
		if !ok {
			return
		}
		d.m.Update(f)
	}
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	default:
		d.send(msg)
	}
}

// command types line (":export x") and enter.
func (d *driver) command(line string) {
	time.Sleep(30 * time.Millisecond) // apart from the keys before
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(line)})
	d.send(tea.KeyMsg{Type: tea.KeyEnter})
}

func (d *driver) view() string { return d.m.View() }

func lastLine(v string) string {
	ls := strings.Split(strings.TrimRight(v, "\n"), "\n")
	return strings.TrimSpace(ls[len(ls)-1])
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bundled scenario runs from the binary; a copy of it on disk (the repository's
// scenarios/NAME.yaml) is the same scenario, and an export does not write over it either.
func TestExportRefusesACopyOfTheBundledScenarioItRuns(t *testing.T) {
	tmp := t.TempDir()
	cp := filepath.Join(tmp, "urs-failover.yaml")
	if err := os.WriteFile(cp, mustRead(t, "../../scenarios/urs-failover.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exportTarget(cp, nil, scenarios.BundledPrefix+"urs-failover.yaml"); err == nil || !strings.Contains(err.Error(), "is the scenario file this session runs") {
		t.Fatalf("a copy of the bundled scenario it runs: %v", err)
	}
	if err := exportTarget(cp, nil, scenarios.BundledPrefix+"seed-example.yaml"); err != nil {
		t.Fatalf("a copy of another bundled scenario: %v", err)
	}
}
