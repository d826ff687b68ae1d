package tui

import (
	"github.com/ixlb/ixlb/core"
	"github.com/ixlb/ixlb/tui/live"
)

// world is what the action table's checks, questions and plans read: the frame shown (its
// snapshot, and whether it is a rewound view). They get it by value and no Model, so they can
// only compute — they cannot act, open a dialog or touch the console — and the table can check
// an action, say what it will do and make its change before the operator answers (perform.go).
type world struct {
	f *live.Frame
	s *core.Snapshot // f.Snap; nil before the first frame
}

// world is the frame shown.
func (m *Model) world() world {
	if m.frame == nil {
		return world{}
	}
	return world{f: m.frame, s: m.frame.Snap}
}

// app is the application named, as the snapshot shows it.
func (w world) app(name string) (core.AppView, bool) {
	if w.s != nil {
		for _, a := range w.s.Apps {
			if a.Name == name {
				return a, true
			}
		}
	}
	return core.AppView{}, false
}

// pairIS names the Interaction Server a switchover acts on: the active one, else the primary.
func (w world) pairIS() string {
	if w.s == nil {
		return ""
	}
	if w.s.ActiveIS != "" {
		return w.s.ActiveIS
	}
	for _, is := range w.s.ISes {
		if is.Role == "primary" {
			return is.Name
		}
	}
	return ""
}

// backupOf is the other Interaction Server of the pair.
func (w world) backupOf(is string) string {
	if w.s == nil {
		return ""
	}
	found := false
	other := ""
	for _, v := range w.s.ISes {
		if v.Name == is {
			found = true
		} else {
			other = v.Name
		}
	}
	if !found {
		return ""
	}
	return other
}

// switchoverIS is the Interaction Server a switchover acts on: the one named, else the active
// one, else the primary.
func (w world) switchoverIS(a []string) string {
	if len(a) == 1 {
		return a[0]
	}
	return w.pairIS()
}

// switchoverPair is what a switchover does, as the Interaction Server decides it: from the
// active server of the pair to the other one (with none active, from the primary to its backup),
// whichever of the two is named.
func (w world) switchoverPair(a []string) (from, to string) {
	s := w.s
	if s == nil {
		return "", ""
	}
	is := w.switchoverIS(a)
	if w.backupOf(is) == "" {
		return is, ""
	}
	var primary, backup string
	for _, v := range s.ISes {
		if v.Role == "primary" {
			primary = v.Name
		} else {
			backup = v.Name
		}
	}
	if s.ActiveIS == backup {
		return backup, primary
	}
	if s.ActiveIS == "" {
		return primary, backup
	}
	return s.ActiveIS, backup
}
