package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ixlb/ixlb/core"
)

// dbPane shows the Interaction Server pair and how it reaches its one database: DAPs through DB
// Servers, the database each DAP points at (a re-pointed DAP stands out), health, requests and
// failures.
type dbPane struct {
	listPane
}

func newDBPane(th *theme, g *globalKeys) *dbPane {
	p := &dbPane{}
	p.th, p.nav = th, newNavKeys(g)
	p.build = p.rows
	p.header = p.summary
	return p
}

func (p *dbPane) Title() string { return "Database" }

func (p *dbPane) Keys() []paneKey { return []paneKey{keyOf("repoint"), keyOf("switchover")} }

func (p *dbPane) Update(msg tea.Msg) tea.Cmd {
	p.updateList(msg)
	return nil
}

// summary is the line above the list: which IS is active on which database.
func (p *dbPane) summary() []string {
	s := p.frame.Snap
	if s.ActiveIS == "" {
		return []string{p.th.bad.s(fit("no Interaction Server is active: media servers hold new interactions", p.w-1))}
	}
	t := "active " + s.ActiveIS + " on database " + s.Database
	if s.Held {
		t += " — HELD: no DAP to " + s.Database + " is up"
		return []string{p.th.bad.s(fit(t, p.w-1))}
	}
	return []string{p.th.bold.s(fit(t, p.w-1))}
}

func (p *dbPane) rows() []row {
	s, th, w := p.frame.Snap, p.th, p.w-1
	var rows []row
	fixed := func(c cols) cols { return c.fitFirst(w) }

	ic := fixed(cols{0, 8, 9, 8})
	pl := ic.line("Interaction Servers", "role", "state", "")
	rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	for _, is := range s.ISes {
		act := cell{"", th.text}
		if is.Active {
			act = cell{"★ active", th.accent}
		}
		pl, tx := ic.paint(cell{"  " + is.Name, th.text}, cell{is.Role, th.dim}, state(th, is.Running), act)
		rows = append(rows, row{key: "is/" + is.Name, plain: pl, text: tx, pick: true,
			sel: selection{App: is.Name, Type: core.TypeInteractionServer}})
	}

	hw := 17 // wide enough for "DB Server stopped"
	if w < 62 {
		hw = 11
	}
	dbw := 9 // the database column grows to its longest name when the pane is wide
	for _, d := range s.DAPs {
		dbw = max(dbw, width(d.Database)+2) // "≠ " marks a re-pointed one
	}
	dbw = min(dbw, max(9, (w-60)/2+9), 20)
	dc := fixed(cols{0, 12, dbw, hw, -6, -4})
	pl = dc.line("DAPs", "DB Server", "database", "health", "req", "fail")
	rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	for _, d := range s.DAPs {
		srv := cell{glyphRunning + " " + d.DBServer, th.text}
		if d.DBServer == "" {
			srv = cell{"ODBC", th.text} // Framework 8.5: no DB Server, the DAP connects itself
		}
		if !d.DBServerRunning {
			srv = cell{glyphStopped + " " + d.DBServer, th.bad}
		}
		db := cell{d.Database, th.text}
		if d.Repointed {
			db = cell{"≠ " + d.Database, th.warn} // not the database the active IS uses
		}
		name := "  " + d.Name
		if !d.Running {
			name = "  " + d.Name + " (stopped)"
		}
		pl, tx := dc.paint(cell{name, th.text}, srv, db, dapHealth(th, d, hw >= 17), num(th, d.Requests, th.text),
			num(th, d.Failures, th.bad))
		rows = append(rows, row{key: "dap/" + d.Name, plain: pl, text: tx, pick: true,
			sel: selection{App: d.Name, Type: core.TypeDatabaseAccessPoint}})
		if d.Repointed && s.ActiveIS != "" {
			rows = append(rows, note(th.warn, w, "    points at "+d.Database+", not "+s.Database+
				", the database "+s.ActiveIS+" uses"))
		}
	}

	if len(s.DAPs) > 1 {
		// Requests per DAP as bars: is the IS spreading its writes over its DAPs?
		rows = append(rows, heading(th, w, "Requests per DAP"))
		items := make([]barItem, len(s.DAPs))
		for i, d := range s.DAPs {
			items[i] = barItem{name: d.Name, value: d.Requests, stopped: !d.Running || !d.DBServerRunning}
		}
		rows = append(rows, barRows(th, w, "  ", items)...)
	}

	sc := fixed(cols{0, 9, 20})
	pl = sc.line("DB Servers", "state", "DAPs")
	rows = append(rows, row{plain: pl, text: th.header.s(pl)})
	for _, db := range s.DBServers {
		var daps []string
		for _, d := range s.DAPs {
			if d.DBServer == db.Name {
				daps = append(daps, d.Name)
			}
		}
		pl, tx := sc.paint(cell{"  " + db.Name, th.text}, state(th, db.Running), cell{strings.Join(daps, ", "), th.dim})
		rows = append(rows, row{key: "dbs/" + db.Name, plain: pl, text: tx, pick: true,
			sel: selection{App: db.Name, Type: core.TypeDBServer}})
	}
	return rows
}

// dapHealth says whether the active IS can send requests through a DAP, and if not why.
func dapHealth(th *theme, d core.DAPView, wide bool) cell {
	switch {
	case !d.Running:
		return cell{"stopped", th.bad}
	case !d.DBServerRunning:
		if wide {
			return cell{"DB Server stopped", th.bad}
		}
		return cell{"DBS stopped", th.bad}
	case d.Up:
		return cell{"up", th.ok}
	case d.InUse:
		return cell{"failed over", th.warn}
	}
	return cell{"not in use", th.dim}
}
