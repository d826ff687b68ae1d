package core

import (
	"fmt"
	"slices"
)

// ESP balancing (seed: "Balancing eServices Application Servers"). A strategy step names its
// target `via`: an application name (that server only, and only while the IS in force is connected
// to it — directly, or through an Application Cluster on its Connections tab: the seed's direct
// method is "configuring connections from Interaction Server directly to each instance"), an
// application type (round-robin among the IS's direct connections of that type), or an Application
// Cluster (round-robin among its members: the cluster is how a client "can call on" them "by name",
// so its members need no connection of their own). Each target keeps the ring of its running
// candidates; a target with none answers every request with the fault `unavailable`.

type targetKind uint8

const (
	viaName targetKind = iota
	viaType
	viaCluster
)

var targetKindNames = [...]string{"application", "type", "cluster"}

type espTarget struct {
	id         int32
	via        string
	kind       targetKind
	typ        AppType // viaType
	cluster    int32   // viaCluster
	candidates []int32 // app ids, configuration order
	ring       ring    // running candidates
	counts     map[int32]int64
	named      int32 // viaName: the server named, reachable or not
}

type cluster struct {
	id      int32
	name    string
	typ     AppType
	members []int32
	targets []int32 // the one target addressing it, once a step does
}

func (e *Engine) buildClusters() error {
	e.clustBy = map[string]int32{}
	for _, c := range e.cfg.Clusters {
		if _, clash := e.byName[c.Name]; clash {
			return fmt.Errorf("cluster %s has the name of an application", c.Name)
		}
		cl := &cluster{id: int32(len(e.clust)), name: c.Name}
		for _, m := range c.Members {
			if _, nested := e.clustBy[m]; nested || clusterNamed(e.cfg, m) {
				return fmt.Errorf("cluster %s: member %s is a cluster; only one level of Application Clusters is allowed", c.Name, m)
			}
			id, ok := e.byName[m]
			if !ok {
				return fmt.Errorf("cluster %s: unknown member %q", c.Name, m)
			}
			t := e.apps[id].typ
			if !t.IsESP() {
				return fmt.Errorf("cluster %s: member %s is a %s, not an ESP server", c.Name, m, t)
			}
			if cl.typ == "" {
				cl.typ = t
			} else if cl.typ != t {
				return fmt.Errorf("cluster %s mixes %s and %s; a cluster's members are of one type", c.Name, cl.typ, t)
			}
			cl.members = append(cl.members, id)
		}
		e.clustBy[c.Name] = cl.id
		e.clust = append(e.clust, cl)
	}
	return nil
}

func clusterNamed(cfg *Config, name string) bool {
	for _, c := range cfg.Clusters {
		if c.Name == name {
			return true
		}
	}
	return false
}

// target resolves a step's `via` to its target, creating it on first use.
func (e *Engine) target(via string) (int32, error) {
	if t, ok := e.targBy[via]; ok {
		return t, nil
	}
	t := &espTarget{id: int32(len(e.targets)), via: via, cluster: -1, counts: map[int32]int64{}}
	if id, ok := e.byName[via]; ok {
		if !e.apps[id].typ.IsESP() {
			return -1, fmt.Errorf("via %s: a %s is not an ESP server", via, e.apps[id].typ)
		}
		t.kind = viaName
		t.named = id
		if e.connectedTo(id) {
			t.candidates = []int32{id}
		}
	} else if c, ok := e.clustBy[via]; ok {
		t.kind = viaCluster
		t.cluster = c
		t.candidates = append([]int32(nil), e.clust[c].members...)
		e.clust[c].targets = append(e.clust[c].targets, t.id)
	} else if AppType(via).Valid() {
		if !AppType(via).IsESP() {
			return -1, fmt.Errorf("via %s: not an ESP server type", via)
		}
		t.kind = viaType
		t.typ = AppType(via)
		t.candidates = e.directConnections(t.typ)
	} else {
		return -1, fmt.Errorf("via %q is neither an application, an Application Cluster nor an ESP server type", via)
	}
	e.targBy[via] = t.id
	e.targets = append(e.targets, t)
	for _, c := range t.candidates {
		e.addCandidate(t, c)
	}
	return t.id, nil
}

// directConnections are the IS's connections to servers of type typ, in connection order.
func (e *Engine) directConnections(typ AppType) []int32 {
	var out []int32
	for _, c := range e.isConnections() {
		if id, ok := e.byName[c]; ok && e.apps[id].typ == typ {
			out = append(out, id)
		}
	}
	return out
}

func (e *Engine) addCandidate(t *espTarget, id int32) {
	a := e.apps[id]
	a.targets = append(a.targets, t.id)
	if a.running {
		t.ring.add(id)
	}
}

func (e *Engine) dropCandidate(t *espTarget, id int32) {
	a := e.apps[id]
	for i, x := range a.targets {
		if x == t.id {
			a.targets = append(a.targets[:i], a.targets[i+1:]...)
			break
		}
	}
	t.ring.remove(id)
	for i, c := range t.candidates {
		if c == id {
			t.candidates = append(t.candidates[:i], t.candidates[i+1:]...)
			break
		}
	}
}

// connectedTo reports whether the IS in force reaches ESP server id by name: a direct connection,
// or a member of an Application Cluster on its Connections tab.
func (e *Engine) connectedTo(id int32) bool {
	for _, c := range e.isConnections() {
		if c == e.apps[id].name {
			return true
		}
		if ci, ok := e.clustBy[c]; ok && slices.Contains(e.clust[ci].members, id) {
			return true
		}
	}
	return false
}

// refreshTargets re-reads the IS's connections, for targets addressed by type and by name: a
// backup with connections of its own balances among those, and a cluster's membership decides
// which of its members the IS reaches by name.
func (e *Engine) refreshTargets() {
	for _, t := range e.targets {
		var want []int32
		switch t.kind {
		case viaType:
			want = e.directConnections(t.typ)
		case viaName:
			if e.connectedTo(t.named) {
				want = []int32{t.named}
			}
		default:
			continue
		}
		if slices.Equal(want, t.candidates) {
			continue
		}
		for _, c := range append([]int32(nil), t.candidates...) {
			e.dropCandidate(t, c)
		}
		for _, c := range want {
			t.candidates = append(t.candidates, c)
			e.addCandidate(t, c)
		}
	}
}

// espServerRunning updates the rings that hold a server that stopped or started.
func (e *Engine) espServerRunning(a *app) {
	for _, t := range a.targets {
		e.targets[t].ring.set(a.id, a.running)
	}
}

// espRequest is the URS asking the IS to invoke an ESP server for the interaction.
func (e *Engine) espRequest(slot int32, s *step) {
	ix := &e.ixns[slot]
	t := e.targets[s.target]
	srv, ok := t.ring.pick()
	if !ok {
		e.espFault(slot, t.via, FaultUnavailable)
		return
	}
	a := e.apps[srv]
	t.counts[srv]++
	a.espRequests++
	e.ev.Ixn, e.ev.Via, e.ev.Service, e.ev.Method, e.ev.Server = ix.id, t.via, s.service, s.method, a.name
	e.emit(EvESPRequest)
	e.after(a.svcTime, tESPResponse, slot, srv, 0)
}

// espResponse is the server's answer reaching the IS and, through it, the URS; seq is its timer's
// (a request sent before the server last started is never answered).
func (e *Engine) espResponse(slot int32, srv int32, seq uint64) {
	ix := &e.ixns[slot]
	a := e.apps[srv]
	s := &e.strats[ix.strategy].steps[ix.step]
	switch {
	case !a.running || seq <= a.startSeq:
		// The server went away with the request: no answer ever comes.
		e.espFault(slot, a.name, FaultTimeout)
		return
	case a.services != nil && !a.services[s.service]:
		// Faithful limitation: addressed by type ThirdPartyServer, the IS cannot tell a fax
		// server from an IM server; the wrong one answers with a fault.
		a.misrouted++
		e.espFault(slot, a.name, FaultMisrouted)
		return
	}
	if s.kind == StepClassify && s.catTotal > 0 {
		x := e.rng.Float64() * s.catTotal
		for i, c := range s.cats {
			if x < c.Weight {
				ix.cat = s.catIDs[i]
				break
			}
			x -= c.Weight
		}
		if ix.cat == 0 {
			ix.cat = s.catIDs[len(s.cats)-1]
		}
	}
	e.nextStep(slot)
}

// FaultCode is why an ESP request faulted (the esp_fault event's code, esp_faults in the report).
type FaultCode string

// The ESP faults the simulated Interaction Server answers with.
const (
	// FaultMisrouted: the server cannot provide the service (the ThirdPartyServer limitation).
	FaultMisrouted FaultCode = "misrouted"
	// FaultUnavailable: no running server for the target.
	FaultUnavailable FaultCode = "unavailable"
	// FaultTimeout: the server stopped with the request in flight.
	FaultTimeout FaultCode = "timeout"
)

// espFault: the URS retries the step (the next server of the rotation) up to ESPAttempts times,
// then takes the step's error branch, which goes on with the next step. Never a silent drop.
func (e *Engine) espFault(slot int32, server string, code FaultCode) {
	ix := &e.ixns[slot]
	if id, ok := e.byName[server]; ok {
		e.apps[id].espFaults++
	}
	switch code {
	case FaultMisrouted:
		e.stats.Misrouted++
	case FaultUnavailable:
		e.stats.Unavailable++
	case FaultTimeout:
		e.stats.Timeout++
	}
	e.ev.Ixn, e.ev.Server, e.ev.Code = ix.id, server, string(code)
	e.emit(EvESPFault)
	ix.attempts++
	if ix.attempts < ESPAttempts {
		e.after(e.apps[ix.urs].urs.stepTime, tURSStep, slot, 0, 0)
		return
	}
	e.nextStep(slot)
}
