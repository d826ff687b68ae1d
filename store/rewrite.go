package store

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/ixlb/ixlb/core"
)

// Rewrite implements core.Rewriter: in one transaction, the interactions table is replaced by the
// rows listed. Resume uses it to roll a database back to the session's journal (rows committed
// after the last saved state) and for --rebuild.
func (h *dapHandle) Rewrite(rows func(fn func(*core.Row))) error { return h.f.rewrite(rows) }

func (f *ixnFile) rewrite(rows func(fn func(*core.Row))) error {
	var all []core.Row
	rows(func(r *core.Row) { all = append(all, *r) })
	return f.exclusive("rewrite", func(c wconn) error {
		if err := c.exec(`DELETE FROM interactions`); err != nil {
			return err
		}
		if len(all) == 0 {
			return nil
		}
		return f.up.write(c, len(all), func(i int, dst []driver.NamedValue) { f.fill(&all[i], dst) })
	})
}

// exclusive runs fn in one transaction of its own on the file's writer, everything before it
// committed; op names the write in errors. Holding the file's lock keeps the committer from
// taking a batch meanwhile; after the flush it is idle, so the writer connection and the upsert
// statement are ours.
func (f *ixnFile) exclusive(op string, fn func(c wconn) error) error {
	if err := f.own(); err != nil {
		return err
	}
	if err := f.flush(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("%s %s: %w", op, f.path, ErrClosed)
	}
	if err := f.tx(fn); err != nil {
		return fmt.Errorf("%s %s: %w", op, f.path, err)
	}
	return nil
}

// Patch implements core.Patcher: in one transaction, the rows put are written and the rows del
// deleted. Resume rolls a database that is ahead of the saved session back with it: only the rows
// committed after the saved state are touched.
func (h *dapHandle) Patch(put []core.Row, del []int64) error { return h.f.patch(put, del) }

// deletePerStatement is how many IDs one DELETE names.
const deletePerStatement = 256

func (f *ixnFile) patch(put []core.Row, del []int64) error {
	return f.exclusive("patch", func(c wconn) error {
		for i := 0; i < len(del); i += deletePerStatement {
			ids := del[i:min(i+deletePerStatement, len(del))]
			args := make([]driver.Value, len(ids))
			for k, id := range ids {
				args[k] = id
			}
			q := `DELETE FROM interactions WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
			if err := c.exec(q, args...); err != nil {
				return err
			}
		}
		if len(put) == 0 {
			return nil
		}
		return f.up.write(c, len(put), func(i int, dst []driver.NamedValue) { f.fill(&put[i], dst) })
	})
}

// All implements core.Scanner: every row, completed and abandoned ones too, in ID order.
func (h *dapHandle) All(fn func(*core.Row)) error { return h.f.all(fn) }
