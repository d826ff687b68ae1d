package tui

import "github.com/ixlb/ixlb/core"

// world is what an action's plan reads: the snapshot shown. A plan gets it by value and no
// Model, so it can only compute a change — it cannot act, open a dialog or touch the console —
// and the table can make a plan before asking the operator (perform.go).
type world struct{ s *core.Snapshot }

// world is the snapshot shown, for plans and the checks that share their reading of it.
func (m *Model) world() world { return world{m.snap()} }

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
