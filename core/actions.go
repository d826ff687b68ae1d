package core

import (
	"fmt"
	"slices"
)

// Apply carries out an operator action now: a timeline entry, or the console. It returns an error,
// and changes nothing, when the action names something that does not exist or cannot be done.
func (e *Engine) Apply(a Action) error {
	defer e.settle()
	err := e.apply(a)
	if err == nil {
		e.applied = append(e.applied, AppliedAction{T: e.now, Step: e.steps, Operator: !e.inTimeline, Action: a})
	}
	return err
}

func (e *Engine) apply(a Action) error {
	switch a.Kind {
	case ActStop:
		return e.stopApp(a.App)
	case ActStart:
		return e.startApp(a.App)
	case ActActivate, ActDeactivate:
		return e.activation(a)
	case ActSetOption:
		return e.setOption(a.App, a.Section, a.Option, a.Value)
	case ActRepoint:
		return e.repoint(a.App, a.Database)
	case ActSwitchover:
		return e.switchoverAction(a.App)
	case ActJoin, ActLeave:
		return e.membership(a)
	case ActRestart:
		return e.restartIS(a.App)
	}
	return fmt.Errorf("unknown action %d", a.Kind)
}

func (e *Engine) appNamed(name string) (*app, error) {
	id, ok := e.byName[name]
	if !ok {
		return nil, fmt.Errorf("unknown application %q%s", name, DidYouMean(name, e.appNames()))
	}
	return e.apps[id], nil
}

func (e *Engine) stopApp(name string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if !a.running {
		return fmt.Errorf("%s is already stopped", name)
	}
	a.running = false
	e.ev.App = name
	e.emit(EvAppStopped)
	switch a.typ {
	case TypeRoutingServer:
		// The IS detects the URS is gone, takes it out of every rotation, and resubmits what it
		// had pending to a URS that has the strategy.
		e.updateEligibility(a.urs)
		e.resubmitPending(a.urs)
	case TypeInteractionServer:
		a.isMem.Forget() // it reads its DAPs anew when it starts
		if a.id != e.is.active {
			return nil
		}
		other := e.is.backup
		if a.id == e.is.backup {
			other = e.is.primary
		}
		if other >= 0 && e.apps[other].running {
			e.switchover(other)
		} else {
			e.holdWork(name, "no Interaction Server is running; media servers hold new interactions")
			e.deactivateIS()
		}
	case TypeDBServer, TypeDatabaseAccessPoint:
		// Nothing happens until the IS sends a request through it: then it fails over.
	}
	if a.typ.IsESP() {
		e.espServerRunning(a)
	}
	return nil
}

func (e *Engine) startApp(name string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if a.running {
		return fmt.Errorf("%s is already running", name)
	}
	a.running = true
	a.startSeq = e.seq
	e.ev.App = name
	e.emit(EvAppStarted)
	if a.typ.IsESP() {
		e.espServerRunning(a)
	}
	switch a.typ {
	case TypeRoutingServer:
		e.updateEligibility(a.urs)
	case TypeInteractionServer:
		if e.is.active < 0 && (a.id == e.is.primary || a.id == e.is.backup) {
			e.activateIS(a.id, e.is.db)
		}
	case TypeDBServer, TypeDatabaseAccessPoint:
		e.dapsChanged()
	}
	e.unpark()
	return nil
}

func (e *Engine) activation(a Action) error {
	si, ok := e.stratBy[a.Strategy]
	if !ok {
		var names []string
		for _, st := range e.strats {
			names = append(names, st.name)
		}
		return fmt.Errorf("unknown strategy %q%s", a.Strategy, DidYouMean(a.Strategy, names))
	}
	var us []*ursState
	for _, name := range a.URS {
		u, err := e.ursNamed(name)
		if err != nil {
			return err
		}
		us = append(us, u)
	}
	// One Strategy Activation Wizard action (several URS shift-clicked) is one step: every URS
	// it names is activated before the strategy's waiting interactions are handed out, so they
	// are shared by the round-robin rule instead of all going to the first URS named.
	st := e.strats[si]
	for _, u := range us {
		e.setActivated(st, u, a.Kind == ActActivate, true)
	}
	if a.Kind == ActActivate {
		e.drain(st)
	}
	return nil
}

// setOption changes an option on the fly. A section written "annex:NAME" (CutAnnex) is a section of
// the Annex tab (the IS's agent_reservation list, a URS's per-IS limits).
func (e *Engine) setOption(name, section, option, value string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if section == "" || option == "" {
		return fmt.Errorf("set %s: section and option are required", name)
	}
	target := a.opts
	sec, annex := CutAnnex(section)
	if annex {
		target = a.annex
	}
	target.Set(sec, option, value)
	e.settingsOK = false // Snapshot.Settings is made again (the old one stays as it was)
	e.ev.App, e.ev.Detail = name, fmt.Sprintf("%s/%s = %s", section, option, value)
	e.emit(EvConfigChanged)
	switch a.typ {
	case TypeInteractionServer:
		e.refreshISOptions()
		for _, u := range e.urs {
			e.refreshURS(u)
		}
	case TypeRoutingServer:
		e.refreshURS(a.urs)
	}
	return nil
}

// repoint changes the database a DAP points at, on the fly — what Genesys recommends against.
func (e *Engine) repoint(name, database string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if a.typ != TypeDatabaseAccessPoint {
		return fmt.Errorf("%s is a %s, not a DatabaseAccessPoint", name, a.typ)
	}
	if !slices.Contains(e.cfg.Databases, database) {
		return fmt.Errorf("unknown database %q%s", database, DidYouMean(database, e.cfg.Databases))
	}
	if a.database == database {
		return fmt.Errorf("%s already points at %s", name, database)
	}
	old := a.database
	a.database = database
	e.seq++
	a.repointSeq = e.seq
	e.ev.App = name
	if e.is.active >= 0 && slices.Contains(e.is.daps, a.id) {
		e.ev.Detail = fmt.Sprintf("database changed from %s to %s; the configuration has changed, %s keeps working with %s",
			old, database, e.apps[e.is.active].name, e.is.dbName)
	} else {
		e.ev.Detail = fmt.Sprintf("database changed from %s to %s", old, database)
	}
	e.emit(EvConfigChanged)
	return nil
}

func (e *Engine) switchoverAction(name string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if a.id != e.is.primary && a.id != e.is.backup {
		return fmt.Errorf("%s is not the Interaction Server or its backup", name)
	}
	if e.is.backup < 0 {
		return fmt.Errorf("%s has no backup to switch over to", e.apps[e.is.primary].name)
	}
	to := e.is.backup
	if e.is.active == e.is.backup {
		to = e.is.primary
	}
	if !e.apps[to].running {
		return fmt.Errorf("cannot switch over: %s is stopped", e.apps[to].name)
	}
	e.switchover(to)
	return nil
}

func (e *Engine) membership(a Action) error {
	ci, ok := e.clustBy[a.Cluster]
	if !ok {
		var names []string
		for _, c := range e.clust {
			names = append(names, c.name)
		}
		return fmt.Errorf("unknown Application Cluster %q%s", a.Cluster, DidYouMean(a.Cluster, names))
	}
	c := e.clust[ci]
	m, err := e.appNamed(a.App)
	if err != nil {
		return err
	}
	in := slices.Contains(c.members, m.id)
	if a.Kind == ActJoin {
		if in {
			return fmt.Errorf("%s is already a member of %s", a.App, a.Cluster)
		}
		if !m.typ.IsESP() {
			return fmt.Errorf("%s is a %s, not an ESP server", a.App, m.typ)
		}
		if c.typ != "" && c.typ != m.typ {
			return fmt.Errorf("%s is a %s; the members of %s are %ss", a.App, m.typ, a.Cluster, c.typ)
		}
		c.typ = m.typ
		c.members = append(c.members, m.id)
		for _, t := range c.targets {
			e.targets[t].candidates = append(e.targets[t].candidates, m.id)
			e.addCandidate(e.targets[t], m.id)
		}
		e.ev.Cluster, e.ev.App = a.Cluster, a.App
		e.emit(EvClusterJoined)
		e.refreshTargets() // a member of a cluster the IS is connected to is reached by name
		return nil
	}
	if !in {
		return fmt.Errorf("%s is not a member of %s", a.App, a.Cluster)
	}
	c.members = slices.DeleteFunc(c.members, func(x int32) bool { return x == m.id })
	for _, t := range c.targets {
		e.dropCandidate(e.targets[t], m.id)
	}
	e.ev.Cluster, e.ev.App = a.Cluster, a.App
	e.emit(EvClusterLeft)
	e.refreshTargets()
	return nil
}

// restartIS restarts an Interaction Server process: it stops and starts again. An active IS that
// restarts forgets its working set and reads its configuration and DAPs anew, then restores from
// its database as a backup does after a switchover — queued stay queued, those that were in a URS
// are resubmitted, those with agents stay with them. This, an operator action, is the only way a
// restore happens; reopening a saved session continues the same world instead.
func (e *Engine) restartIS(name string) error {
	a, err := e.appNamed(name)
	if err != nil {
		return err
	}
	if a.typ != TypeInteractionServer {
		return fmt.Errorf("%s is a %s, not an InteractionServer", name, a.typ)
	}
	if !a.running {
		return fmt.Errorf("%s is stopped: start it instead", name)
	}
	e.ev.App = name
	e.emit(EvAppStopped)
	a.isMem.Forget() // active or standby, it reads its DAPs anew when it next becomes active
	a.startSeq = e.seq
	wasActive := a.id == e.is.active
	prev := e.is.db
	if wasActive {
		e.dropWorkingSet("restart")
	}
	e.ev.App = name
	e.emit(EvAppStarted)
	if wasActive {
		e.activateIS(a.id, prev)
		e.unpark()
	}
	return nil
}
