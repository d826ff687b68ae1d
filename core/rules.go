package core

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
