package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// Golden files are plain text: no escape sequences, whatever the terminal running the tests.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

// harness drives the model synchronously over a Runner in manual mode: every command the model
// returns runs at once and its message is fed back; frames are taken after each step.
type harness struct {
	t     *testing.T
	r     *live.Runner
	m     *Model
	quit  bool
	loads []string
	// loadWarnings are the lint warnings the fake loader reports.
	loadWarnings []string
	// clk is the wall clock the model times keys by: a second passes before each key (a person
	// typing), none within a burst (together).
	clk     time.Time
	inBurst bool
}

func newHarness(t *testing.T, cfg core.Config, w, h int) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, w, h, live.RunnerOptions{})
}

// newHarnessWith is newHarness with runner options (Source is seed.yaml).
func newHarnessWith(t *testing.T, cfg core.Config, w, h int, o live.RunnerOptions) *harness {
	t.Helper()
	o.Source = "seed.yaml"
	r, err := live.NewRunner(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	hs := &harness{t: t, r: r, clk: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	hs.m = NewModel(r, func(path string) (core.Config, []string, error) {
		hs.loads = append(hs.loads, path)
		c := seedConfig()
		c.Name = "loaded-scenario"
		c.Seed = 11
		return c, hs.loadWarnings, nil
	})
	hs.m.timing.now = func() time.Time { return hs.clk }
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.sync()
	return hs
}

// sync feeds every pending frame to the model.
func (h *harness) sync() {
	for {
		f, ok := h.r.TryNext()
		if !ok {
			return
		}
		h.m.Update(frameMsg{&f})
	}
}

func (h *harness) send(msg tea.Msg) {
	if _, ok := msg.(tea.KeyMsg); ok && !h.inBurst {
		h.clk = h.clk.Add(time.Second)
	}
	_, cmd := h.m.Update(msg)
	h.run(cmd)
	h.sync()
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	default:
		h.send(msg)
	}
}

// keyMsg turns "enter", "ctrl+c", "x" … into a key message.
func keyMsg(k string) tea.KeyMsg {
	names := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab,
		"shift+tab": tea.KeyShiftTab, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft,
		"right": tea.KeyRight, "ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp}
	if t, ok := names[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	if k == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// keys sends each key in turn.
func (h *harness) keys(ks ...string) {
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

// typ types text rune by rune.
func (h *harness) typ(s string) {
	for _, r := range s {
		if r == ' ' {
			h.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// command types a command line and runs it.
func (h *harness) command(line string) {
	h.keys(":")
	h.typ(line)
	h.keys("enter")
}

func (h *harness) step(d time.Duration) {
	if err := h.r.Step(d); err != nil {
		h.t.Fatal(err)
	}
	h.sync()
}

func (h *harness) view() string { return h.m.View() }

func (h *harness) snap() *core.Snapshot { return h.m.snap() }

func (h *harness) urs(name string) core.URSView {
	for _, u := range h.snap().URS {
		if u.Name == name {
			return u
		}
	}
	h.t.Fatalf("no URS %s", name)
	return core.URSView{}
}

func (h *harness) appRunning(name string) bool {
	for _, a := range h.snap().Apps {
		if a.Name == name {
			return a.Running
		}
	}
	h.t.Fatalf("no application %s", name)
	return false
}

// activated reports whether strategy st is activated on URS u.
func (h *harness) activated(st, u string) bool {
	s := h.snap()
	for _, v := range s.Strategies {
		if v.Name != st {
			continue
		}
		for i, x := range s.URS {
			if x.Name == u {
				return v.Cells[i].Activated
			}
		}
	}
	h.t.Fatalf("no strategy %s or URS %s", st, u)
	return false
}

func (h *harness) wantMsg(sub string) {
	h.t.Helper()
	if !strings.Contains(h.m.msg, sub) {
		h.t.Fatalf("status message %q does not contain %q", h.m.msg, sub)
	}
}

func (h *harness) wantErr(sub string) {
	h.t.Helper()
	if !h.m.msgErr || !strings.Contains(h.m.msg, sub) {
		h.t.Fatalf("want an error containing %q, status is %q (error %v)", sub, h.m.msg, h.m.msgErr)
	}
}

func (h *harness) wantView(sub string) {
	h.t.Helper()
	if v := h.view(); !strings.Contains(v, sub) {
		h.t.Fatalf("view does not contain %q:\n%s", sub, v)
	}
}

// spacedConfig renames URS_1 to "URS 1", to exercise quoting on the command line.
func spacedConfig() core.Config {
	c := seedConfig()
	for i := range c.Apps {
		if c.Apps[i].Name == "URS_1" {
			c.Apps[i].Name = "URS 1"
		}
		if ar, ok := c.Apps[i].Annex["agent_reservation"]; ok {
			ar["URS 1"] = ar["URS_1"]
			delete(ar, "URS_1")
		}
	}
	for i := range c.Strategies {
		for j, u := range c.Strategies[i].ActivatedOn {
			if u == "URS_1" {
				c.Strategies[i].ActivatedOn[j] = "URS 1"
			}
		}
	}
	return c
}
