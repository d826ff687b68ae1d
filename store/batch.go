package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// rowsPerStatement is how many rows one INSERT carries. Measured on the 2-core target: 16 rows
// (224 parameters for interactions) is the knee; more only grows the statement.
const rowsPerStatement = 16

// upsert writes rows of one table through one multi-row INSERT … ON CONFLICT DO UPDATE statement
// (plus a one-row form for the tail of a batch), prepared once on the writer connection.
//
// The statements run through the driver's Query rather than Exec on purpose: mattn/go-sqlite3
// resets, binds every argument and takes the first step of a Query in a single cgo crossing,
// while Exec crosses once per argument. An INSERT without RETURNING runs to completion on its
// first step, so Query+Close is an Exec at a fraction of the cost (the write path's profile was
// mostly cgo transitions before this).
type upsert struct {
	cols     int
	one, all string // SQL for one row and for rowsPerStatement rows
	s1, sN   driver.Stmt
	args     []driver.NamedValue
}

// newUpsert builds the statements for table(cols…) keyed by key; the other columns are updated
// on conflict.
func newUpsert(table, key string, cols []string) *upsert {
	set := make([]string, 0, len(cols))
	for _, c := range cols {
		if c != key {
			set = append(set, c+" = excluded."+c)
		}
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	build := func(n int) string {
		return fmt.Sprintf("INSERT INTO %s(%s) VALUES %s ON CONFLICT(%s) DO UPDATE SET %s",
			table, strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat(tuple+",", n), ","),
			key, strings.Join(set, ", "))
	}
	u := &upsert{cols: len(cols), one: build(1), all: build(rowsPerStatement)}
	u.args = make([]driver.NamedValue, len(cols)*rowsPerStatement)
	for i := range u.args {
		u.args[i].Ordinal = i + 1
	}
	return u
}

// write upserts n rows, in order; fill(i, dst) sets the values of row i into dst[:cols]. The
// caller holds the transaction.
func (u *upsert) write(c *sqlite3.SQLiteConn, n int, fill func(i int, dst []driver.NamedValue)) error {
	if err := u.prepare(c); err != nil {
		return err
	}
	i := 0
	for ; i+rowsPerStatement <= n; i += rowsPerStatement {
		for k := 0; k < rowsPerStatement; k++ {
			fill(i+k, u.args[k*u.cols:])
		}
		if err := run(u.sN, u.args); err != nil {
			return err
		}
	}
	for ; i < n; i++ {
		fill(i, u.args)
		if err := run(u.s1, u.args[:u.cols]); err != nil {
			return err
		}
	}
	// Drop the references to the batch's strings.
	for k := range u.args {
		u.args[k].Value = nil
	}
	return nil
}

func (u *upsert) prepare(c *sqlite3.SQLiteConn) error {
	if u.sN != nil {
		return nil
	}
	s1, err := c.Prepare(u.one)
	if err != nil {
		return err
	}
	sN, err := c.Prepare(u.all)
	if err != nil {
		s1.Close()
		return err
	}
	u.s1, u.sN = s1, sN
	return nil
}

func (u *upsert) close() {
	if u.sN != nil {
		u.s1.Close()
		u.sN.Close()
		u.s1, u.sN = nil, nil
	}
}

func run(s driver.Stmt, args []driver.NamedValue) error {
	rows, err := s.(driver.StmtQueryContext).QueryContext(context.Background(), args)
	if err != nil {
		return err
	}
	return rows.Close()
}
