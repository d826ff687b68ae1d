package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// logPane is the event log: the last few thousand events, newest at the bottom, following the
// tail until the operator scrolls up. `/` filters on what the screen shows (see logFilter); `!`
// keeps only the highlighted kinds. Only visible lines are formatted.
type logPane struct {
	th      *theme
	nav     navKeys
	filterK key.Binding
	hotK    key.Binding
	enterK  key.Binding
	clearK  key.Binding
	w, h    int
	focused bool

	ring []live.LogEntry
	head int    // ring index of the oldest entry
	n    int    // entries in the ring
	base uint64 // absolute number of the oldest entry
	gen  uint64

	filter  string
	flt     logFilter // filter, parsed
	hotOnly bool
	match   []uint64 // absolute numbers of entries that pass, when filtering
	input   textinput.Model
	editing bool

	cur, off int // cursor and window, as indices into the visible list
	follow   bool
}

func newLogPane(th *theme, g *globalKeys, size int) *logPane {
	in := newInput("/", "words or field=value as shown, e.g. urs=URS_2 resubmission=true, ixn=277, esp_fault")
	in.CharLimit = 200
	return &logPane{th: th, nav: newNavKeys(g), filterK: kFilterLog,
		hotK:   key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "highlighted only")),
		enterK: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "event details")),
		clearK: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		ring:   make([]live.LogEntry, size), input: in, follow: true}
}

func (p *logPane) Title() string {
	return "Event log"
}

func (p *logPane) SetFocused(f bool) { p.focused = f }
func (p *logPane) Capturing() bool   { return p.editing }

func (p *logPane) Keys() []paneKey {
	return []paneKey{{Binding: p.filterK}, {Binding: p.hotK}, {Binding: p.nav.bottom}, {Binding: p.enterK}, {Binding: p.clearK}}
}

func (p *logPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.input.Width = max(10, w-3)
	p.settle()
}

// body is the number of lines for events (the filter input takes the last line while editing).
func (p *logPane) body() int {
	if p.editing {
		return max(1, p.h-1)
	}
	return max(1, p.h)
}

func (p *logPane) filtering() bool { return p.filter != "" || p.hotOnly }

func (p *logPane) vlen() int {
	if p.filtering() {
		return len(p.match)
	}
	return p.n
}

func (p *logPane) at(abs uint64) *live.LogEntry {
	return &p.ring[(p.head+int(abs-p.base))%len(p.ring)]
}

func (p *logPane) vat(i int) *live.LogEntry {
	if p.filtering() {
		return p.at(p.match[i])
	}
	return &p.ring[(p.head+i)%len(p.ring)]
}

func (p *logPane) pass(e *live.LogEntry) bool {
	if p.hotOnly && !e.Hot {
		return false
	}
	if p.filter == "" {
		return true
	}
	if p.flt.src != p.filter {
		p.flt = parseLogFilter(p.filter)
	}
	return p.flt.match(e)
}

// logFilter is the `/` filter: blank-separated terms that must all match what the screen shows.
// A term field=value matches an event whose field has that value (ignoring case: ixn=277,
// urs=URS_2, kind=to_urs, resubmission=true); any other term is a substring of the line as drawn
// (clock, kind, fields), so "resubmission" finds resubmissions, not every to_urs.
type logFilter struct {
	src    string
	fields [][2]string
	words  []string
}

func parseLogFilter(s string) logFilter {
	f := logFilter{src: s}
	// Double quotes group as on the screen and the command line: urs="URS 2" is one term.
	toks, _ := tokenizeLoose(s)
	for _, tok := range toks {
		t := tok.text
		if k, v, ok := strings.Cut(t, "="); ok && k != "" {
			f.fields = append(f.fields, [2]string{k, v})
			continue
		}
		f.words = append(f.words, t)
	}
	return f
}

func (f *logFilter) match(e *live.LogEntry) bool {
	var pairs [][2]string
	if len(f.fields) > 0 {
		pairs = core.EventLineFields(e.Line)
	}
	for _, fv := range f.fields {
		ok := false
		switch {
		case strings.EqualFold(fv[0], "kind"):
			ok = strings.EqualFold(e.Kind.String(), fv[1])
		case strings.EqualFold(fv[0], "t") || strings.EqualFold(fv[0], "time"):
			ok = strings.HasPrefix(clock(e.T), fv[1])
		default:
			for _, kv := range pairs {
				if strings.EqualFold(kv[0], fv[0]) && (strings.EqualFold(kv[1], fv[1]) || strings.EqualFold(unquoted(kv[1]), fv[1])) {
					ok = true
					break
				}
			}
			if !ok && strings.EqualFold(fv[0], "resubmission") && strings.EqualFold(fv[1], "false") {
				ok = e.Kind == core.EvToURS && !strings.Contains(e.Line, `"resubmission":true`)
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.words) == 0 {
		return true
	}
	screen := clock(e.T) + " " + e.Kind.String() + " " + formatFields(e.Line)
	for _, w := range f.words {
		if !containsFold(screen, w) {
			return false
		}
	}
	return true
}

// unquoted is a field value as drawn ("URS 2" in quotes when it holds a blank) without its quotes.
func unquoted(v string) string {
	if u, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
		return u
	}
	return v
}

// ingest appends new entries, dropping the oldest beyond the ring's size.
func (p *logPane) ingest(evs []live.LogEntry) {
	dropped := 0
	for i := range evs {
		if p.n == len(p.ring) {
			if p.filtering() {
				if len(p.match) > 0 && p.match[0] == p.base {
					p.match = p.match[1:]
					dropped++
				}
			} else {
				dropped++
			}
			p.ring[p.head] = live.LogEntry{}
			p.head = (p.head + 1) % len(p.ring)
			p.n--
			p.base++
		}
		abs := p.base + uint64(p.n)
		p.ring[(p.head+p.n)%len(p.ring)] = evs[i]
		p.n++
		if p.filtering() && p.pass(&evs[i]) {
			p.match = append(p.match, abs)
		}
	}
	p.cur -= dropped
	p.off -= dropped
	p.settle()
}

func (p *logPane) reset() {
	for i := range p.ring {
		p.ring[i] = live.LogEntry{}
	}
	p.head, p.n, p.base, p.match = 0, 0, 0, nil
	p.cur, p.off, p.follow = 0, 0, true
}

// refilter recomputes the matches after the filter changed and follows the tail again.
func (p *logPane) refilter() {
	p.match = p.match[:0]
	if p.filtering() {
		for i := 0; i < p.n; i++ {
			e := &p.ring[(p.head+i)%len(p.ring)]
			if p.pass(e) {
				p.match = append(p.match, p.base+uint64(i))
			}
		}
	}
	p.follow = true
	p.settle()
}

// settle clamps the cursor and keeps it in the window; following pins it to the newest line.
func (p *logPane) settle() {
	n, h := p.vlen(), p.body()
	if p.follow {
		p.cur = n - 1
	}
	p.cur = clamp(p.cur, 0, max(0, n-1))
	if p.cur < p.off {
		p.off = p.cur
	}
	if p.cur >= p.off+h {
		p.off = p.cur - h + 1
	}
	p.off = clamp(p.off, 0, max(0, n-h))
	if p.follow {
		p.off = max(0, n-h)
	}
}

func (p *logPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case frameMsg:
		f := msg.f
		if f.Gen != p.gen {
			// Another scenario: its log starts unfiltered (a filter of the last one would hide
			// everything, "no event matches the filter"). A rewind of the same one keeps it.
			p.gen = f.Gen
			p.filter, p.hotOnly, p.editing = "", false, false
			p.input.SetValue("")
			p.input.Blur()
		}
		if f.Reset {
			p.reset()
		}
		if len(f.Events) > 0 {
			p.ingest(f.Events)
		}
		return nil
	case tea.KeyMsg:
		if p.editing {
			return p.updateInput(msg)
		}
		n := p.vlen()
		switch {
		case key.Matches(msg, p.filterK):
			p.startFilter()
		case key.Matches(msg, p.hotK):
			p.hotOnly = !p.hotOnly
			p.refilter()
		case key.Matches(msg, p.clearK):
			if p.filtering() {
				p.filter, p.hotOnly = "", false
				p.input.SetValue("")
				p.refilter()
			}
		case key.Matches(msg, p.enterK):
			if n > 0 {
				e := p.vat(p.cur)
				return func() tea.Msg { return eventDetail(e) }
			}
		case key.Matches(msg, p.nav.up):
			p.cur--
			p.follow = false
		case key.Matches(msg, p.nav.down):
			p.cur++
			p.follow = p.cur >= n-1
		case key.Matches(msg, p.nav.pgUp):
			p.cur -= p.body()
			p.follow = false
		case key.Matches(msg, p.nav.pgDown):
			p.cur += p.body()
			p.follow = p.cur >= n-1
		case key.Matches(msg, p.nav.top):
			p.cur, p.follow = 0, false
		case key.Matches(msg, p.nav.bottom):
			p.follow = true
		default:
			return nil
		}
		p.settle()
	}
	return nil
}

// startFilter opens the filter input (also used by the global `/`).
func (p *logPane) startFilter() {
	p.editing = true
	p.input.SetValue(p.filter)
	p.input.CursorEnd()
	p.input.Focus()
	p.settle()
}

func (p *logPane) updateInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		p.editing = false
		p.input.Blur()
		p.settle()
		return nil
	case tea.KeyEsc:
		p.editing = false
		p.input.Blur()
		p.input.SetValue("")
		p.filter = ""
		p.refilter()
		return nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if v := p.input.Value(); v != p.filter {
		p.filter = v
		p.refilter()
	}
	return cmd
}

func (p *logPane) View() string {
	th := p.th
	lines := make([]string, 0, p.h)
	n, h := p.vlen(), p.body()
	if n == 0 {
		msg := "no events yet"
		if p.filtering() {
			msg = "no event matches the filter"
		}
		lines = append(lines, th.dim.s(" "+msg))
	}
	for i := p.off; i < n && i < p.off+h; i++ {
		lines = append(lines, p.line(p.vat(i), i == p.cur))
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	if p.editing {
		lines = append(lines, " "+clip(p.input.View(), p.w-1))
	}
	return joinLines(lines)
}

// line formats one event: clock, kind, then the fields as key=value.
func (p *logPane) line(e *live.LogEntry, cursor bool) string {
	th := p.th
	mark, hot := " ", " "
	if cursor {
		mark = glyphCursor
	}
	if e.Hot {
		hot = glyphHot
	}
	w := p.w - 2
	t := clock(e.T)
	kind := e.Kind.String()
	fields := safeText(formatFields(e.Line))
	plain := fit(t+" "+fit(kind, 15)+" "+fields, w)
	if cursor && p.focused {
		return th.cursor.s(mark + hot + plain)
	}
	kp := th.accent
	fp := th.text
	if e.Hot {
		kp = hotPaint(th, e)
		fp = kp
	}
	// The plain line is already fit; paint its three parts by position (clock and kind are ASCII).
	tl := len(t) + 1
	kl := tl + 16
	if w <= kl+1 {
		return mark + kp.s(hot) + fp.s(plain)
	}
	return mark + kp.s(hot) + th.dim.s(plain[:tl]) + kp.s(plain[tl:kl]) + fp.s(plain[kl:])
}

func hotPaint(th *theme, e *live.LogEntry) paint {
	switch e.Kind {
	case core.EvESPFault, core.EvAppStopped, core.EvHeld:
		return th.bad
	case core.EvSwitchover, core.EvConfigChanged, core.EvActivated, core.EvDeactivated,
		core.EvClusterJoined, core.EvClusterLeft:
		return th.note // configuration changes, like the Configuration Manager's
	case core.EvAppStarted:
		return th.ok
	}
	return th.warn
}

// formatFields renders the fields as `key=value` pairs for a log line.
func formatFields(line string) string {
	var b strings.Builder
	for _, kv := range core.EventLineFields(line) {
		if kv[0] == "resubmission" && kv[1] == "false" {
			continue // noise on every first submission; true is what the operator looks for
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(kv[1])
	}
	return b.String()
}

// eventDetail is the text of the event dialog: the JSON line, then one field a line.
func eventDetail(e *live.LogEntry) showTextMsg {
	lines := []string{safeText(e.Line), "", fmt.Sprintf("%-14s %s", "time", clock(e.T)), fmt.Sprintf("%-14s %s", "kind", e.Kind)}
	for _, kv := range core.EventLineFields(e.Line) {
		lines = append(lines, fmt.Sprintf("%-14s %s", kv[0], safeText(kv[1])))
	}
	return showTextMsg{title: "Event #" + strconv.FormatUint(e.Seq, 10), text: strings.Join(lines, "\n")}
}

func (p *logPane) Selection() selection { return selection{} }

// older is how many events of the session came before the oldest one kept (the pane keeps the
// newest len(ring)): their numbers start at 1, so the newest's number is the session's count.
func (p *logPane) older() uint64 {
	if p.n == 0 {
		return 0
	}
	if newest := p.ring[(p.head+p.n-1)%len(p.ring)].Seq; newest > uint64(p.n) {
		return newest - uint64(p.n)
	}
	return 0
}

// Info counts the events shown; when older ones are no longer kept it says so, and that a
// filter did not search them, so the count is never taken for the session's.
func (p *logPane) Info() string {
	older := p.older()
	kept := strconv.Itoa(p.n) + " events"
	if older > 0 {
		kept = "the last " + strconv.Itoa(p.n) + " of " + strconv.FormatUint(older+uint64(p.n), 10) + " events"
	}
	var t string
	switch {
	case p.filtering():
		t = strconv.Itoa(len(p.match)) + " of " + kept
		if older > 0 {
			t += " (" + strconv.FormatUint(older, 10) + " older not searched)"
		}
		if p.filter != "" {
			t = "/" + p.filter + " · " + t
		}
		if p.hotOnly {
			t = "highlighted · " + t
		}
	default:
		t = kept
	}
	if !p.follow && p.vlen() > 0 {
		t += " · " + strconv.Itoa(p.vlen()-1-p.cur) + " newer below (G)"
	}
	return t
}

func (p *logPane) Click(_, y int) {
	if y < p.body() {
		p.cur = p.off + y
		p.follow = p.cur >= p.vlen()-1
		p.settle()
	}
}

func (p *logPane) Wheel(n int) {
	p.cur += n
	p.follow = n > 0 && p.cur >= p.vlen()-1
	p.settle()
}

// visible is the visible list's JSON lines (tests).
func (p *logPane) visible() []string {
	out := make([]string, 0, p.vlen())
	for i := 0; i < p.vlen(); i++ {
		out = append(out, p.vat(i).Line)
	}
	return out
}
