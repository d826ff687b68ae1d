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

// upsert writes rows of one table through multi-row INSERT … ON CONFLICT DO UPDATE statements of
// up to rowsPerStatement rows, each prepared once on the writer connection: a batch of n rows is
// n/16 statements of 16 rows and one of the rest.
//
// The statements run through the driver's Query rather than Exec on purpose: mattn/go-sqlite3
// resets, binds every argument and takes the first step of a Query in a single cgo crossing,
// while Exec crosses once per argument. An INSERT without RETURNING runs to completion on its
// first step, so Query+Close is an Exec at a fraction of the cost (the write path's profile was
// mostly cgo transitions before this).
type upsert struct {
	table, key string
	cols       []string
	stmts      [rowsPerStatement + 1]driver.Stmt // by number of rows, prepared when first used
	args       []driver.NamedValue
}

// newUpsert builds the statements for table(cols…) keyed by key; the other columns are updated
// on conflict.
func newUpsert(table, key string, cols []string) *upsert {
	u := &upsert{table: table, key: key, cols: cols}
	u.args = make([]driver.NamedValue, len(cols)*rowsPerStatement)
	for i := range u.args {
		u.args[i].Ordinal = i + 1
	}
	return u
}

// sql is the statement for n rows.
func (u *upsert) sql(n int) string {
	set := make([]string, 0, len(u.cols))
	for _, c := range u.cols {
		if c != u.key {
			set = append(set, c+" = excluded."+c)
		}
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(u.cols)), ",") + ")"
	return fmt.Sprintf("INSERT INTO %s(%s) VALUES %s ON CONFLICT(%s) DO UPDATE SET %s",
		u.table, strings.Join(u.cols, ", "), strings.TrimSuffix(strings.Repeat(tuple+",", n), ","),
		u.key, strings.Join(set, ", "))
}

// write upserts n rows, in order; fill(i, dst) sets the values of row i into dst[:cols]. The
// caller holds the transaction; each statement is a durable point.
func (u *upsert) write(c wconn, n int, fill func(i int, dst []driver.NamedValue)) error {
	cols := len(u.cols)
	for i := 0; i < n; {
		k := min(n-i, rowsPerStatement)
		s, err := u.stmt(c.SQLiteConn, k)
		if err != nil {
			return err
		}
		for j := 0; j < k; j++ {
			fill(i+j, u.args[j*cols:])
		}
		if err := point(pointStatement, c.path); err != nil {
			return err
		}
		if err := run(s, u.args[:k*cols]); err != nil {
			return err
		}
		i += k
	}
	// Drop the references to the batch's strings.
	for k := range u.args {
		u.args[k].Value = nil
	}
	return nil
}

// stmt is the prepared statement for n rows.
func (u *upsert) stmt(c *sqlite3.SQLiteConn, n int) (driver.Stmt, error) {
	if s := u.stmts[n]; s != nil {
		return s, nil
	}
	s, err := c.Prepare(u.sql(n))
	if err != nil {
		return nil, err
	}
	u.stmts[n] = s
	return s, nil
}

func (u *upsert) close() {
	for i, s := range u.stmts {
		if s != nil {
			s.Close()
			u.stmts[i] = nil
		}
	}
}

func run(s driver.Stmt, args []driver.NamedValue) error {
	rows, err := s.(driver.StmtQueryContext).QueryContext(context.Background(), args)
	if err != nil {
		return err
	}
	return rows.Close()
}
