//go:build cgo

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/scenarios"
	"github.com/ixlb/ixlb/scenarios/study"
	"github.com/ixlb/ixlb/tui"
	"github.com/ixlb/ixlb/tui/live"
)

// One account of damage, the same in every view: each scenario is run to its end headlessly
// (`ixlb run --json` and the text report, on SQLite), in the console's model (the runner and
// the screen a person reads: status line and Interactions pane) and in the run plot's sampling,
// and every view shows the same lost, still open elsewhere, held, abandoned, resubmissions and
// touched figures under the same labels.
func TestDamageSameInEveryView(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	dir := t.TempDir()
	failover, err := scenarios.Source("dap-failover")
	if err != nil {
		t.Fatal(err)
	}
	// dap-failover with its DB Servers never back: work is still held at the end.
	stuck := strings.NewReplacer("  - {at: 2m30s, start: DBServer_1}\n", "", "  - {at: 3m, start: DBServer_2}\n", "",
		"interactions.waiting_at_media == 0", "interactions.held > 0").Replace(string(failover))
	if stuck == string(failover) {
		t.Fatal("dap-failover changed: the test's edit does not apply")
	}
	cases := []struct {
		name, arg string
		want      func(d core.Damage) bool // what the case is there to show
	}{
		{"switchover onto another database", "dap-repoint-switchover", func(d core.Damage) bool { return d.Lost > 0 && d.LostOpen > 0 && d.Touched >= d.Lost }},
		{"DAPs down to the end", writeFile(t, dir, "stuck.yaml", stuck), func(d core.Damage) bool { return d.Held > 0 && d.WaitingAtMedia > 0 }},
		{"impatient customers and a URS stop", "service-level", func(d core.Damage) bool { return d.Abandoned > 0 && d.Resubmitted > 0 && d.Touched > 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var js, txt, errb bytes.Buffer
			_ = runScenario(&js, &errb, tc.arg, runFlags{json: true, noProg: true, data: filepath.Join(dir, tc.name+"-json")})
			var rep core.Report
			if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, errb.String())
			}
			d := rep.Interactions.Damage
			if !tc.want(d) {
				t.Fatalf("the scenario does not show what the case is for: %+v", d)
			}
			for _, e := range rep.Errors {
				t.Errorf("report error: %s", e)
			}
			want := damageByLabel(d)

			// The text report: its damage line, and the service table's _all row.
			_ = runScenario(&txt, &errb, tc.arg, runFlags{noProg: true, data: filepath.Join(dir, tc.name+"-text")})
			line := lineWith(t, txt.String(), "  damage ")
			if got := labelled(line, want); !equalCounts(got, want) {
				t.Errorf("text report says %v, JSON %v\n%s", got, want, line)
			}
			all := rep.Service[core.AllQueues]
			row := strings.Fields(lineWith(t, txt.String(), "  _all "))
			// queue offered answered abandoned lost [(N open)] held completed …
			if row[1] != fmt.Sprint(all.Offered) || row[4] != fmt.Sprint(all.Lost) || all.Lost != d.Lost {
				t.Errorf("service row %v; JSON offered %d lost %d, interactions lost %d", row, all.Offered, all.Lost, d.Lost)
			}
			if all.Held != d.Held {
				t.Errorf("service._all.held %d, interactions.held %d", all.Held, d.Held)
			}

			// The console: the runner and model a person uses, run to the same end, at the
			// README's size: every figure whole (attack 16, B16).
			view := consoleAtEnd(t, tc.arg, 160, 48)
			lines := strings.Split(view, "\n")
			bar := lines[len(lines)-2]
			for _, it := range []core.DamageItem{{Label: "lost", Value: d.Lost}, {Label: "held", Value: d.Held},
				{Label: "completed", Value: rep.Interactions.Completed}, {Label: "resubmissions", Value: d.Resubmitted}} {
				if it.Value > 0 && !strings.Contains(bar, fmt.Sprintf("%s %d", it.Label, it.Value)) {
					t.Errorf("status line lacks %q: %s", fmt.Sprintf("%s %d", it.Label, it.Value), bar)
				}
			}
			pane := focusedPane(view)
			got := labelled(pane, want)
			for label, v := range want {
				if _, shown := got[label]; !shown && v != 0 {
					t.Errorf("Interactions pane lacks %s %d: %s", label, v, pane)
				}
			}
			for label, v := range got {
				if want[label] != v {
					t.Errorf("Interactions pane says %s %d, the report %d", label, v, want[label])
				}
			}

			// The run plot's lost and abandoned per interval add up to the report's.
			sc, err := scenarios.Resolve(tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			lostPer, abandonedPer, err := study.IntervalDamage(sc.Config, 0)
			if err != nil {
				t.Fatal(err)
			}
			var lost, abandoned float64
			for i := range lostPer {
				lost += lostPer[i]
				abandoned += abandonedPer[i]
			}
			if int64(lost) != d.Lost || int64(abandoned) != d.Abandoned {
				t.Errorf("plot: lost %v, abandoned %v over its intervals; report %d, %d", lost, abandoned, d.Lost, d.Abandoned)
			}
		})
	}
}

// damageByLabel is the account under its labels (core.Damage.Items).
func damageByLabel(d core.Damage) map[string]int64 {
	out := map[string]int64{}
	for _, it := range d.Items() {
		out[it.Label] = it.Value
	}
	return out
}

// labelled reads "LABEL N" for every label of the account that text shows.
func labelled(text string, labels map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for label := range labels {
		m := regexp.MustCompile(`(?m)(?:^|[·│ ]\s*)` + regexp.QuoteMeta(label) + ` (\d+)`).FindStringSubmatch(text)
		if m != nil {
			out[label], _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	return out
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// focusedPane is the text inside the focused pane's heavy border (┃ … ┃), line by line.
func focusedPane(view string) string {
	var out []string
	for _, l := range strings.Split(view, "\n") {
		i, j := strings.Index(l, "┃"), strings.LastIndex(l, "┃")
		if i >= 0 && j > i {
			out = append(out, strings.TrimSpace(l[i+len("┃"):j]))
		}
	}
	return strings.Join(out, "\n")
}

func lineWith(t *testing.T, text, sub string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	t.Fatalf("no line with %q in:\n%s", sub, text)
	return ""
}

// attack 16, B6: during a DAP outage the console's status line said "in URS 0 · with agent 38"
// (the IS's memory) beside the database's "completed 58", while the run report at the same
// instant said in URS 3, with agent 45 (the databases'). The status line now shows the report's
// figures under the report's labels; the Interactions pane shows what the IS holds, says what the
// databases have when they differ, and calls the held arrivals what the report does ("waiting at
// media", not "parked at media").
func TestConsoleAndReportAgreeDuringAnOutage(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	dir := t.TempDir()
	src, err := scenarios.Source("dap-failover")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Replace(string(src), "duration: 4m", "duration: 130182ms", 1)
	file := writeFile(t, dir, "dfo130.yaml", cut)
	var js, errb bytes.Buffer
	_ = runScenario(&js, &errb, file, runFlags{json: true, noProg: true, data: filepath.Join(dir, "json")})
	var rep core.Report
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, errb.String())
	}
	ic := rep.Interactions
	if ic.HeldForDAP == 0 || ic.WaitingAtMedia == 0 {
		t.Fatalf("not in the outage at 130.182 s: %+v", ic)
	}
	view := consoleAtEnd(t, file, 240, 50)
	lines := strings.Split(view, "\n")
	bar := lines[len(lines)-2]
	want := fmt.Sprintf("submitted %d · completed %d · queued %d · in URS %d · with agent %d", ic.Submitted, ic.Completed, ic.Queued, ic.InURS, ic.WithAgent)
	if !strings.Contains(bar, want) {
		t.Errorf("status line:\n%s\nthe report at the same instant: %s", bar, want)
	}
	pane := focusedPane(view)
	for _, w := range []string{fmt.Sprintf("waiting at media %d", ic.WaitingAtMedia),
		fmt.Sprintf("the databases have: queued %d · in URS %d · with agent %d", ic.Queued, ic.InURS, ic.WithAgent)} {
		if !strings.Contains(pane, w) {
			t.Errorf("Interactions pane lacks %q:\n%s", w, pane)
		}
	}
	if strings.Contains(view, "parked at media") {
		t.Error(`the console says "parked at media"; the report says "waiting at media"`)
	}
}

// consoleAtEnd runs a scenario to its end in the console's runner and model, at a terminal of
// w×h, and returns the screen with the Interactions pane focused.
func consoleAtEnd(t *testing.T, arg string, w, h int) string {
	t.Helper()
	sc, err := scenarios.Resolve(arg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := live.NewRunner(sc.Config, live.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := tui.NewModel(r, nil)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	if err := r.Step(sc.Config.Duration); err != nil {
		t.Fatal(err)
	}
	m.Update(m.Init()()) // the frame at the end
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")})
	return m.View()
}
