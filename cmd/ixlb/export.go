//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/store"
	"github.com/ixlb/ixlb/tui"
	"github.com/ixlb/ixlb/tui/live"
)

// A session exported as a scenario (`ixlb export DIR -o FILE`, the console's `:export FILE`): the
// scenario file it ran, with the operator's actions in its timeline (scenarios.ExportDrill). The
// export is run in memory before it is written: it must give the session's event log byte for
// byte, or nothing is written.

// recordScenario keeps the scenario file's text in the session directory
// (store.ScenarioCopyFile), what `ixlb export DIR` edits. Failing to is not worth stopping a run
// for: export then asks for the file (--scenario).
func recordScenario(ss session, sc *scenarios.Scenario) {
	if ss == nil || ss.Temporary() || len(sc.Text()) == 0 {
		return
	}
	_ = ss.SetScenarioText(sc.Text())
}

// exportTarget says why an export may not write path ("" path aside, nil when it may): a file of
// the session ss (its journal, databases, lock, scenario copy — by any name or link), the
// scenario file the session runs (by its path, a link, or — for a bundled scenario — a copy of
// it: writing there changes what the session is reopened from), or anything but a regular
// file (a device, a FIFO, a directory). It is asked before anything is opened, and again by
// writeFileAtomic just before the rename.
func exportTarget(path string, ss session, scenarioFile string) error {
	if err := notTheSessions(path, ss); err != nil {
		return err
	}
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		// The export replaces the link, never what it points at; a link to the scenario is
		// refused all the same (the user meant that file).
		if tst, err := os.Stat(path); err == nil && runsFrom(path, tst, scenarioFile) {
			return scenarioTargetError(path)
		}
		return nil
	case st.IsDir():
		return fmt.Errorf("%s is a directory: an export writes a scenario file", path)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s): an export writes a scenario file; nothing was written", path, scenarios.ModeName(st.Mode()))
	case runsFrom(path, st, scenarioFile):
		return scenarioTargetError(path)
	}
	return nil
}

// runsFrom reports whether the file at path (st) is the scenario the session runs: the same
// file, or a copy of the same bundled scenario.
func runsFrom(path string, st fs.FileInfo, scenarioFile string) bool {
	if scenarioFile == "" {
		return false
	}
	if sst, err := os.Stat(scenarioFile); err == nil && os.SameFile(st, sst) {
		return true
	}
	return strings.HasPrefix(scenarioOrigin(scenarioFile), scenarios.BundledPrefix) && scenarioOrigin(path) == scenarioOrigin(scenarioFile)
}

func scenarioTargetError(path string) error {
	return fmt.Errorf("%s is the scenario file this session runs: an export there would replace it, and the session would no longer open from it; write the drill to another file", path)
}

// writeFileAtomic writes data to path through a temporary file in its directory and a rename,
// so a reader never sees half a file, and a symbolic link at path is replaced, not followed.
// check is asked again just before the rename (what is at path may have changed since it was
// first asked).
func writeFileAtomic(path string, data []byte, overwrite bool, check func() error) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s exists (overwrite it with --force, or :export! in the console)", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	return os.Rename(tmp.Name(), path)
}

// commentText is text a YAML comment line can hold: as it is, or quoted when it has a line
// break or another control character (a file name may), so the comment stays one line.
func commentText(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// exportSession writes the session j, which ran the scenario file sc, as a scenario at path;
// ss is its session (nil when none), whose files it never writes (exportTarget).
func exportSession(sc *scenarios.Scenario, j live.SessionJournal, ss session, path string, expect, overwrite bool) (string, error) {
	check := func() error { return exportTarget(path, ss, j.Source) }
	if err := check(); err != nil {
		return "", err
	}
	// The file must be the session's scenario: the same configuration, the seed aside.
	if !sameScenario(sc, j) {
		return "", fmt.Errorf("%s is not the scenario this session ran (it changed since?): export needs the file as the session ran it", sc.File)
	}
	want, err := j.State.EventsSHA256()
	if err != nil {
		return "", err
	}
	var ops []core.TimedAction
	for _, a := range j.State.Applied {
		if a.Operator {
			ops = append(ops, core.TimedAction{At: time.Duration(a.T), Action: a.Action, Operator: true})
		}
	}
	at := time.Duration(j.State.T)
	d := scenarios.Drill{Duration: at, Seed: j.Config.Seed, Actions: ops, StopTraffic: at > sc.Config.Duration,
		Header: []string{
			fmt.Sprintf("Exported by ixlb from a console session of %s (%s), at %s virtual:", commentText(sc.Config.Name), commentText(sc.File), virtualClock(at)),
			fmt.Sprintf("the scenario as it ran, with the operator's %s at the end of timeline: (by: operator)", counted(len(ops), "action")),
			"and duration: where the session stood. `ixlb run` of this file gives the session's event log, byte",
			fmt.Sprintf("for byte: events_sha256 %s.", want),
			"",
		}}
	out, err := scenarios.ExportDrill(sc.File, sc.Text(), d)
	if err != nil {
		return "", err
	}
	// Run it as `ixlb run` would (in memory): the session's log, or nothing is written.
	exp, err := scenarios.Parse(path, out)
	if err != nil {
		return "", fmt.Errorf("the export does not load: %w", err)
	}
	eng, err := core.New(exp.Config)
	if err != nil {
		return "", fmt.Errorf("the export does not run: %w", err)
	}
	eng.RunUntil(int64(exp.Config.Duration))
	if got := eng.EventsSHA256(); got != want || eng.EventCount() != j.State.Events {
		return "", fmt.Errorf("the export does not reproduce the session (%d events, sha256 %.12s; the session %d, %.12s): an action the timeline cannot place — one taken before the events due at its instant, by an older ixlb? Not written",
			eng.EventCount(), got, j.State.Events, want)
	}
	rep, err := eng.Report()
	if err != nil {
		return "", err
	}
	failing := 0
	for _, r := range scenarios.Evaluate(exp.Expect, rep) {
		if !r.OK {
			failing++
		}
	}
	if expect {
		d.Expect = expectLines(rep)
		d.Header = append(d.Header[:len(d.Header)-1], "expect: holds the session's figures at its end (the scenario's own are kept as comments).", "")
		if out, err = scenarios.ExportDrill(sc.File, sc.Text(), d); err != nil {
			return "", err
		}
		failing = 0
	}
	if err := writeFileAtomic(path, out, overwrite, check); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	info := fmt.Sprintf("exported %s at %s to %s: ixlb run %s gives its events_sha256 %.12s…", counted(len(ops), "operator action"),
		virtualClock(at), path, path, want)
	if failing > 0 {
		info += fmt.Sprintf(" (%s of the scenario's own fail after this drill: --expect writes ones from its figures)", counted(failing, "expectation"))
	}
	return info, nil
}

// virtualClock writes a virtual time as the console's clock: 00:01:05.000.
func virtualClock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d:%02d.%03d", int64(d/time.Hour), int64(d/time.Minute)%60, int64(d/time.Second)%60, int64(d/time.Millisecond)%1000)
}

// counted is n and the word, plural when n is not 1: "2 operator actions".
func counted(n int, word string) string { return fmt.Sprintf("%d %s", n, plural(n, word, word+"s")) }

// pathName is a name an expectation path can hold as one of its parts.
var pathName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// expectLines are the figures a drill's export checks: the interactions' fate, the balancing, the
// ESP faults, double bookings and the number of events.
func expectLines(r *core.Report) []string {
	ic := r.Interactions
	out := []string{
		fmt.Sprintf("interactions.submitted == %d", ic.Submitted),
		fmt.Sprintf("interactions.completed == %d", ic.Completed),
		fmt.Sprintf("interactions.abandoned == %d", ic.Abandoned),
		fmt.Sprintf("interactions.lost == %d", ic.Lost),
		fmt.Sprintf("interactions.held == %d", ic.Held),
		fmt.Sprintf("interactions.resubmitted == %d", ic.Resubmitted),
	}
	for _, s := range sortedKeys(r.Routing) {
		for _, u := range sortedKeys(r.Routing[s]) {
			if pathName.MatchString(s) && pathName.MatchString(u) {
				out = append(out, fmt.Sprintf("routing.%s.%s == %d", s, u, r.Routing[s][u]))
			}
		}
	}
	out = append(out,
		fmt.Sprintf("esp_faults.misrouted == %d", r.ESPFaults.Misrouted),
		fmt.Sprintf("esp_faults.unavailable == %d", r.ESPFaults.Unavailable),
		fmt.Sprintf("esp_faults.timeout == %d", r.ESPFaults.Timeout),
		fmt.Sprintf("agents.double_booked == %d", r.Agents.DoubleBooked),
		fmt.Sprintf("events == %d", r.Events))
	return out
}

// consoleExport is the console's :export: the running session, with its scenario read from
// where it came from (or the session directory's copy, if the file changed since).
func consoleExport(cur *curDir) tui.ExportFunc {
	return func(j live.SessionJournal, path string, expect, overwrite bool) (string, error) {
		if err := exportTarget(path, cur.session(), j.Source); err != nil {
			return "", err // before the scenario is looked for: nothing of the session is touched
		}
		sc, err := sessionScenario(j, cur.get())
		if err != nil {
			return "", err
		}
		return exportSession(sc, j, cur.session(), path, expect, overwrite)
	}
}

// consoleExportCheck is what the console asks before it offers to overwrite path.
func consoleExportCheck(cur *curDir) func(path, source string) error {
	return func(path, source string) error { return exportTarget(path, cur.session(), source) }
}

// sessionScenario finds the scenario file a session ran: its source, else the copy in dir.
func sessionScenario(j live.SessionJournal, dir string) (*scenarios.Scenario, error) {
	var tried []string
	if j.Source != "" {
		sc, err := scenarios.Resolve(j.Source)
		if err == nil && sameScenario(sc, j) {
			return sc, nil
		}
		tried = append(tried, j.Source+" changed since the session started")
	}
	if dir != "" {
		p := filepath.Join(dir, store.ScenarioCopyFile)
		sc, err := scenarios.Load(p)
		if err == nil && sameScenario(sc, j) {
			return sc, nil
		}
		tried = append(tried, p+" is not the session's")
	}
	return nil, fmt.Errorf("cannot find the scenario file the session ran (%s)", strings.Join(tried, "; "))
}

func sameScenario(sc *scenarios.Scenario, j live.SessionJournal) bool {
	cfg := sc.Config
	cfg.Seed = j.Config.Seed
	return store.ScenarioOf(cfg).SHA256 == store.ScenarioOf(j.Config).SHA256
}

func newExportCmd() *cobra.Command {
	var (
		out, scenario string
		expect, force bool
	)
	cmd := &cobra.Command{
		Use:   "export DIR -o FILE",
		Short: "Write a session as a scenario: its operator actions in timeline:",
		Long: `Export writes the session kept in the data directory DIR (a console's, or ixlb run --data) as a
scenario file: the scenario it ran — comments and all — with every operator action added at the
end of timeline: at the virtual time it was taken (actions at one instant keep their order; each
says by: operator: it happens after everything else due at that instant, as the console's operator
acts), and duration: set to where the session stands. ixlb run FILE then gives the session's event
log byte for byte (the same events_sha256): a drill becomes a scenario that checks its outcome
every time. With --expect, expect: lines from the session's figures replace the scenario's own
(kept as comments).

The export is run before it is written; what a timeline cannot express is refused with the reason.
The session directory keeps a copy of its scenario file (scenario.yaml); --scenario gives the file
for a directory an older ixlb made. The console's :export FILE does the same for the session on
the screen (a rewound view: up to its instant).`,
		Example: `  ixlb export ~/.local/state/ixlb/seed-example-1a2b3c4d5e -o drill.yaml
  ixlb export ./data -o drill.yaml --expect && ixlb run drill.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return exitf(2, "export: -o FILE is required (where to write the scenario)")
			}
			info, err := exportDir(args[0], scenario, out, expect, force)
			if err != nil {
				return exitf(2, "export: %v", err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), info)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the scenario file to write")
	cmd.Flags().BoolVar(&expect, "expect", false, "write expect: lines from the session's figures (the scenario's own become comments)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite FILE if it exists")
	cmd.Flags().StringVar(&scenario, "scenario", "", "the scenario file the session ran (default: the copy the session directory keeps)")
	return cmd
}

// exportDir exports the session in dir: it is opened as a console or a run would open it (its
// lock taken, its files and journal checked), with the scenario it keeps a copy of, or scenarioFile.
func exportDir(dir, scenarioFile, out string, expect, force bool) (string, error) {
	info, ok, err := store.PeekSession(dir)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w (a console has it open? :export FILE exports from there)", err)
	case !ok:
		return "", fmt.Errorf("%s holds no ixlb session", dir)
	case !info.Saved:
		return "", fmt.Errorf("%s: the session has not run yet: nothing to export", dir)
	}
	path := scenarioFile
	if path == "" {
		path = filepath.Join(dir, store.ScenarioCopyFile)
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s keeps no copy of its scenario (a session of an older ixlb): give the file with --scenario FILE", dir)
		}
	}
	sc, err := scenarios.Resolve(path)
	if err != nil {
		return "", err
	}
	cfg := sc.Config
	cfg.Seed = info.Scenario.Seed
	if id := store.ScenarioOf(cfg); id.SHA256 != info.Scenario.SHA256 {
		return "", fmt.Errorf("%s is not the scenario of the session in %s (the file changed since?): give the one it ran with --scenario FILE", sc.File, dir)
	}
	ss, err := store.OpenSession(dir, cfg, store.SessionOptions{Owner: sessionCommand()})
	if err != nil {
		return "", explainExport(err, dir, path)
	}
	defer ss.Close()
	if ss.Resume() == nil {
		return "", fmt.Errorf("%s: the session has not run yet: nothing to export", dir)
	}
	j := live.SessionJournal{Config: cfg, Source: sc.File, State: *ss.Resume()}
	return exportSession(sc, j, ss, out, expect, force)
}

// explainExport adds to a refusal of the session what the user can do about it. export has no
// --rebuild or --fresh of its own (and --fresh would throw the drill away): a session a run or a
// console would regenerate is exported after `ixlb run SCENARIO --data DIR --rebuild` did so.
func explainExport(err error, dir, scenario string) error {
	var re *store.RefusedError
	if errors.As(err, &re) && re.Remedy&store.RemedyRebuild != 0 {
		return fmt.Errorf("%w\n(regenerate it with `ixlb run %s --data %s --rebuild`, then export again)",
			err, shellQuote(scenario), shellQuote(dir))
	}
	return err
}

// shellQuote writes s as a POSIX shell word: as it is when it holds nothing the shell reads
// specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_./-:@+,=%", r)))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
