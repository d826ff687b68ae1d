package store

import (
	"database/sql/driver"
	"fmt"

	"github.com/ixlb/ixlb/core"
)

// Rewrite implements core.Rewriter: in one transaction, the interactions table is replaced by the
// rows listed. Resume uses it to roll a database back to the session's journal (rows committed
// after the last saved state) and for --rebuild.
func (h *dapHandle) Rewrite(rows func(fn func(*core.Row))) error { return h.f.rewrite(rows) }

func (f *ixnFile) rewrite(rows func(fn func(*core.Row))) error {
	if err := f.flush(); err != nil {
		return err
	}
	var all []core.Row
	rows(func(r *core.Row) { all = append(all, *r) })
	// Holding the file's lock keeps the committer from taking a batch meanwhile; after the flush
	// it is idle, so the writer connection and the upsert statement are ours.
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("rewrite %s: %w", f.path, ErrClosed)
	}
	err := f.tx(func(c wconn) error {
		if err := c.exec(`DELETE FROM interactions`); err != nil {
			return err
		}
		if len(all) == 0 {
			return nil
		}
		return f.up.write(c, len(all), func(i int, dst []driver.NamedValue) { f.fill(&all[i], dst) })
	})
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", f.path, err)
	}
	return nil
}

// All implements core.Scanner: every row, completed and abandoned ones too, in ID order.
func (h *dapHandle) All(fn func(*core.Row)) error { return h.f.all(fn) }
