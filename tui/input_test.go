package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/tui/live"
)

// burst sends text the way Bubble Tea reads a fast burst from the terminal (tmux send-keys,
// typing faster than a frame): runs of printable runes arrive as one KeyRunes message, each
// space as its own KeySpace message.
func (h *harness) burst(text string) {
	var msgs []tea.Msg
	var run []rune
	flush := func() {
		if len(run) > 0 {
			msgs = append(msgs, tea.KeyMsg{Type: tea.KeyRunes, Runes: run})
			run = nil
		}
	}
	for _, r := range text {
		switch r {
		case ' ':
			flush()
			msgs = append(msgs, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
		case '\n':
			flush()
			msgs = append(msgs, tea.KeyMsg{Type: tea.KeyEnter})
		default:
			run = append(run, r)
		}
	}
	flush()
	h.together(msgs...)
}

// together sends messages that arrive at once (one read of the terminal): the wall clock does
// not move between them.
func (h *harness) together(msgs ...tea.Msg) {
	for i, msg := range msgs {
		h.inBurst = i > 0
		h.send(msg)
	}
	h.inBurst = false
}

// paste sends a bracketed paste (one message, Paste set).
func (h *harness) paste(text string) {
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true})
}

func TestBurstAndPaste(t *testing.T) {
	cases := []struct {
		name  string
		input func(h *harness)
		check func(h *harness) string // "" when fine
	}{
		{"burst :speed 5 enter", func(h *harness) { h.burst(":speed 5"); h.keys("enter") }, func(h *harness) string {
			if f := h.m.frame; f.Speed != 5 || f.Paused {
				return "speed/paused " + speedText(f.Speed)
			}
			if h.m.focus != paneRouting || h.m.dlg != nil {
				return "a hotkey fired"
			}
			return ""
		}},
		{`burst :stop "URS 1"`, func(h *harness) { h.burst(`:stop "URS 1"`); h.keys("enter", "y") }, func(h *harness) string {
			if h.appRunning("URS 1") {
				return "URS 1 still running"
			}
			return ""
		}},
		{"paste :speed 5 then enter", func(h *harness) { h.paste(":speed 5"); h.keys("enter") }, func(h *harness) string {
			if h.m.frame.Speed != 5 {
				return "speed " + speedText(h.m.frame.Speed)
			}
			return ""
		}},
		{"paste with a newline does not run it", func(h *harness) { h.paste(":stop \"URS 1\"\nq\n") }, func(h *harness) string {
			if !h.m.cmdOn || h.m.cmd.Value() != `stop "URS 1"` {
				return "command line " + h.m.cmd.Value()
			}
			if !h.appRunning("URS 1") || h.quit {
				return "the paste ran something"
			}
			return ""
		}},
		{"paste into an open command line", func(h *harness) { h.keys(":"); h.paste(":speed 10"); h.keys("enter") }, func(h *harness) string {
			if h.m.frame.Speed != 10 {
				return "speed " + speedText(h.m.frame.Speed)
			}
			return ""
		}},
		{"paste appends to what is typed", func(h *harness) { h.keys(":"); h.typ("speed "); h.paste("50"); h.keys("enter") }, func(h *harness) string {
			if h.m.frame.Speed != 50 {
				return "speed " + speedText(h.m.frame.Speed)
			}
			return ""
		}},
		{"paste into the filter", func(h *harness) { h.keys("/"); h.paste("to_urs") }, func(h *harness) string {
			if lp := h.m.panes[paneLog].(*logPane); lp.filter != "to_urs" {
				return "filter " + lp.filter
			}
			return ""
		}},
		{"burst /filter opens the filter", func(h *harness) { h.burst("/esp_request") }, func(h *harness) string {
			lp := h.m.panes[paneLog].(*logPane)
			if !lp.editing || lp.filter != "esp_request" || h.m.focus != paneLog {
				return "filter " + lp.filter
			}
			return ""
		}},
		{"burst without colon fires only the first key", func(h *harness) { h.burst("stop"); h.burst("5x") }, func(h *harness) string {
			// s on URS_1 (running) says it is running; t, o, p never fire; 5 focuses the log;
			// x (the stop dialog) does not open.
			if h.m.dlg != nil {
				return "a dialog opened"
			}
			if h.m.focus != paneLog {
				return "5 did not focus the log"
			}
			if !h.appRunning("URS 1") {
				return "URS 1 stopped"
			}
			if !strings.Contains(h.m.msg, `ignored "x"`) {
				return "no note about the ignored keys: " + h.m.msg
			}
			return ""
		}},
		{"pasted text in normal mode is not keys", func(h *harness) { h.paste("xq 5") }, func(h *harness) string {
			if h.m.dlg != nil || h.quit || h.m.focus != paneRouting {
				return "a hotkey fired"
			}
			if !strings.Contains(h.m.msg, "command line") {
				return "no hint: " + h.m.msg
			}
			return ""
		}},
		{"paste into the set-option form", func(h *harness) { h.keys("e"); h.paste("default") }, func(h *harness) string {
			d, ok := h.m.dlg.(*formDialog)
			if !ok || d.value(1) != "default" {
				return "form did not take the paste"
			}
			return ""
		}},
		{"multi-rune burst in a confirmation is one key", func(h *harness) { h.keys("x"); h.burst("nx") }, func(h *harness) string {
			if !h.appRunning("URS 1") || h.m.dlg != nil {
				return "n did not answer, or x opened another dialog"
			}
			return ""
		}},
		{"a burst of movement keys in a pick list moves as many rows", func(h *harness) { h.keys("a"); h.burst("jj") }, func(h *harness) string {
			if d, ok := h.m.dlg.(*pickDialog); !ok || d.cur != 2 {
				return "the cursor did not move two rows"
			}
			return ""
		}},
		{"a burst of movement keys in the log moves as many rows", func(h *harness) {
			h.keys("5")
			h.burst("kkkk")
		}, func(h *harness) string {
			lp := h.m.panes[paneLog].(*logPane)
			if lp.cur != lp.vlen()-5 {
				return fmt.Sprintf("k k k k moved the log's cursor to %d of %d", lp.cur, lp.vlen())
			}
			return ""
		}},
		{"a burst mixing movement and other keys is one key", func(h *harness) { h.keys("a"); h.burst("jx") }, func(h *harness) string {
			if d, ok := h.m.dlg.(*pickDialog); !ok || d.cur != 1 {
				return "j x moved other than once"
			}
			return ""
		}},
		{"burst in the help filter is text", func(h *harness) { h.keys("?"); h.burst("switch") }, func(h *harness) string {
			if d, ok := h.m.dlg.(*helpDialog); !ok || d.filter.Value() != "switch" {
				return "the help filter did not take the burst"
			}
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, spacedConfig(), 160, 48)
			h.step(2 * time.Second)
			c.input(h)
			if err := c.check(h); err != "" {
				t.Fatalf("%s (status %q)", err, h.m.msg)
			}
		})
	}
}

// speedSim records SetSpeed calls of the model, over a real runner.
type speedSim struct {
	*live.Runner
	speeds chan float64
}

func (s speedSim) SetSpeed(x float64) { s.Runner.SetSpeed(x); s.speeds <- x }

// The terminal's bytes go through Bubble Tea's own input reader: a typed burst and a bracketed
// paste of ":speed N" reach the command line, not the hotkeys.
func TestProgramReadsBurstAndPaste(t *testing.T) {
	r, err := live.NewRunner(seedConfig(), live.RunnerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	sim := speedSim{r, make(chan float64, 4)}
	in, feed := io.Pipe()
	p := tea.NewProgram(NewModel(sim, nil), tea.WithInput(in), tea.WithOutput(io.Discard),
		tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, c := range []struct {
		bytes string
		want  float64
	}{
		{":speed 5\r", 5},
		{"\x1b[200~:speed 7\x1b[201~\r", 7},
		{":\x1b[200~speed 50\x1b[201~\r", 50},
	} {
		time.Sleep(2 * burstGap) // one input after another, not one burst
		if _, err := feed.Write([]byte(c.bytes)); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-sim.speeds:
			if got != c.want {
				t.Fatalf("%q: speed %v, want %v", c.bytes, got, c.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: speed never set", c.bytes)
		}
	}
	p.Quit()
	_ = feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The log filter matches what the screen shows, with field=value terms.
func TestEventLogFilterTerms(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	h.command("stop! URS_1")
	h.step(10 * time.Second)
	lp := h.m.panes[paneLog].(*logPane)
	all := lp.visible()
	count := func(pred func(l string) bool) int {
		n := 0
		for _, l := range all {
			if pred(l) {
				n++
			}
		}
		return n
	}
	cases := []struct {
		filter string
		want   func(l string) bool
	}{
		{"ixn=7", func(l string) bool { return strings.Contains(l, `"ixn":7,`) || strings.HasSuffix(l, `"ixn":7}`) }},
		{"urs=URS_2", func(l string) bool { return strings.Contains(l, `"urs":"URS_2"`) }},
		{"URS=urs_2", func(l string) bool { return strings.Contains(l, `"urs":"URS_2"`) }},
		{"kind=to_urs", func(l string) bool { return strings.Contains(l, `"kind":"to_urs"`) }},
		{"resubmission", func(l string) bool { return strings.Contains(l, `"resubmission":true`) }},
		{"kind=to_urs resubmission=false", func(l string) bool {
			return strings.Contains(l, `"kind":"to_urs"`) && !strings.Contains(l, `"resubmission":true`)
		}},
		{"to_urs urs=URS_2", func(l string) bool {
			return strings.Contains(l, `"kind":"to_urs"`) && strings.Contains(l, `"urs":"URS_2"`)
		}},
	}
	for _, c := range cases {
		lp.filter = c.filter
		lp.refilter()
		got, want := len(lp.visible()), count(c.want)
		if want == 0 {
			t.Fatalf("%s: the fixture has no such event", c.filter)
		}
		if got != want {
			t.Errorf("/%s: %d events, want %d", c.filter, got, want)
		}
		for _, l := range lp.visible() {
			if !c.want(l) {
				t.Errorf("/%s let through %s", c.filter, l)
				break
			}
		}
	}
}

// Interactions lost to a switchover onto another database show in the Interactions pane and the
// status bar, at every size, with the run report's figure (core.Damage).
func TestLostShown(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.step(20 * time.Second)
	if strings.Contains(h.view(), "lost") || strings.Contains(h.view(), "LOST") {
		t.Fatal("lost shown when nothing is lost")
	}
	h.command("repoint! DAP_1 other")
	h.command("repoint! DAP_2 other")
	h.command("switchover!")
	h.step(5 * time.Second)
	d := h.snap().Damage
	if d.Lost == 0 || d.LostOpen == 0 {
		t.Fatalf("nothing lost after a switchover onto another database: %s", h.m.msg)
	}
	lost := fmt.Sprintf("lost %d", d.Lost)
	h.wantView(lost + " · still open in another database " + fmt.Sprint(d.LostOpen))
	for _, sz := range [][2]int{{160, 48}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		h.keys("4")
		lines := strings.Split(h.view(), "\n")
		if bar := lines[len(lines)-2]; !strings.Contains(bar, lost) {
			t.Fatalf("%dx%d: no %q in the status bar: %s", sz[0], sz[1], lost, bar)
		}
		h.wantView(lost + " · ")
	}
}

// Repeated tabs go through the completions, shift+tab back; typing ends the cycle.
func TestTabCycles(t *testing.T) {
	h := newHarness(t, seedConfig(), 160, 48)
	h.keys(":")
	h.typ("stop URS")
	want := []string{"stop URS_", "stop URS_1", "stop URS_2", "stop URS_1"}
	for i, w := range want {
		h.keys("tab")
		if v := h.m.cmd.Value(); v != w {
			t.Fatalf("tab %d: %q, want %q", i+1, v, w)
		}
	}
	h.wantView("[URS_1]")
	h.keys("shift+tab")
	if v := h.m.cmd.Value(); v != "stop URS_2" {
		t.Fatalf("shift+tab: %q", v)
	}
	h.keys("enter", "y")
	if h.appRunning("URS_2") {
		t.Fatalf("the cycled name was not used: %s", h.m.msg)
	}
}
