package core

import "slices"

// Pure rules of the seed document, exported so lint predicts exactly what the engine does.

// DAPChoice is a Database Access Point as an Interaction Server reads it when it becomes active:
// the database it names now and when that was last changed (0: never re-pointed).
type DAPChoice struct {
	Name       string
	Database   string
	RepointSeq uint64
}

// ChooseDatabase is the database an Interaction Server works with when it becomes active (seed:
// "Balancing DB Servers"):
//   - keep: an IS that was active before and never restarted since "continues to work with the
//     original database" whatever its DAPs say now;
//   - with verify-database-identity (guard) and a database in use by the IS it takes over from,
//     that database (DAPs pointing elsewhere are refused);
//   - otherwise it "has no way of knowing that the DAP configuration has changed": the database of
//     the most recently re-pointed DAP (the first DAP's when none was).
//
// It returns "" when there is no DAP to read.
func ChooseDatabase(keep string, guard bool, inUse string, daps []DAPChoice) string {
	switch {
	case keep != "":
		return keep
	case guard && inUse != "":
		return inUse
	case len(daps) == 0:
		return ""
	}
	pick := 0
	for i, d := range daps {
		if d.RepointSeq > daps[pick].RepointSeq {
			pick = i
		}
	}
	return daps[pick].Database
}

// ISMemory is what an Interaction Server remembers of its database between activations, the
// state ChooseDatabase's keep rule needs: the database it has worked with since it last became
// active. A warm standby that becomes active again "continues to work with the original
// database"; an IS that stops or restarts — the active one or the standby — forgets it and reads
// its DAPs anew when it next becomes active. The engine and lint keep one each per IS and call
// the same methods at the same actions.
type ISMemory struct{ using string }

// Using is the database the IS keeps ("" when it reads its DAPs anew).
func (m *ISMemory) Using() string { return m.using }

// Forget: the IS stopped or restarted.
func (m *ISMemory) Forget() { m.using = "" }

// Choose is the database the IS works with when it becomes active now (ChooseDatabase with what
// it keeps); "" when there is no DAP to read.
func (m *ISMemory) Choose(guard bool, inUse string, daps []DAPChoice) string {
	return ChooseDatabase(m.using, guard, inUse, daps)
}

// Remember: the IS became active on database db.
func (m *ISMemory) Remember(db string) { m.using = db }

// ISPair finds the Interaction Server pair of a configuration: the primary is the first
// InteractionServer that is no other's backup; its backup is the one it names. It returns -1 for
// what is absent (indexes into apps).
func ISPair(apps []AppConfig) (primary, backup int) {
	backups := map[string]bool{}
	for _, a := range apps {
		if a.Type == TypeInteractionServer && a.Backup != "" {
			backups[a.Backup] = true
		}
	}
	primary, backup = -1, -1
	for i, a := range apps {
		if a.Type == TypeInteractionServer && !backups[a.Name] {
			primary = i
			break
		}
	}
	if primary >= 0 && apps[primary].Backup != "" {
		for i, a := range apps {
			if a.Name == apps[primary].Backup {
				backup = i
			}
		}
	}
	return primary, backup
}

// TimelineOrder is the order the engine runs a timeline in: by time, entries at equal times in
// file order.
func TimelineOrder(tl []TimedAction) []int {
	order := make([]int, len(tl))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpInt64(int64(tl[a].At), int64(tl[b].At)) })
	return order
}
