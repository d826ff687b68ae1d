package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// ErrNotIxlb is wrapped by the error for a file that is not an ixlb database of the expected kind:
// not SQLite at all, damaged, or someone else's SQLite file.
var ErrNotIxlb = errors.New("not an ixlb database")

// ErrNewerSchema is wrapped by the error for a file written by a newer ixlb.
var ErrNewerSchema = errors.New("written by a newer ixlb")

// sqliteHeader starts every SQLite 3 database file.
const sqliteHeader = "SQLite format 3\x00"

// metaDDL is the same in every ixlb file, whatever its kind and version, so that any ixlb can tell
// what a file is before touching it.
const metaDDL = `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`

// schema describes one kind of ixlb file.
type schema struct {
	kind    string
	version int      // the version this ixlb writes
	create  []string // DDL of the current version, run on a new file
	// migrations[v] upgrades a file from version v to v+1, inside the migration's transaction.
	migrations map[int][]string
	// pageSize of a new file; 0 is SQLite's default (4096). An existing file keeps its own.
	pageSize int
}

// sqliteFile is one ixlb SQLite file: one writer connection (the only one that ever writes, so
// writes never wait on each other inside the process) and a small pool of readers.
//
// Nothing is written before something is: a file is only looked at (read-only) until its first
// write (writable), which creates it, or sets up its schema, and opens the writer. So a session
// refused after its files were looked at has changed nothing — not even the bytes SQLite's
// checkpoint on closing a writer moves from a WAL into the file. Until then the readers are a
// look at the file as it is (openReadOnly: nothing is made beside it), or, for a file that does
// not exist yet (or has no schema yet), an empty database of the schema in memory.
type sqliteFile struct {
	path     string
	identity string // "" until the file has its schema
	sc       *schema
	name     string
	o        *Options

	wmu sync.Mutex          // writable
	w   *sqlite3.SQLiteConn // nil until the first write

	rmu      sync.RWMutex // readers hold it shared; writable swaps r under it
	r        *sql.DB
	lookDone func() // releases the look (r) once the pool replaces it
}

// openFile opens the ixlb file at path: a look at it, changing nothing (see sqliteFile). An
// existing file must be an ixlb file of kind sc this ixlb can use; one written by an older ixlb
// is migrated at once (a write, the only one before the first).
func openFile(path string, sc *schema, name string, o *Options) (*sqliteFile, error) {
	f := &sqliteFile{path: path, sc: sc, name: name, o: o}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := checkOwnFile(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	lk, err := lookAt(path, sc, o)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	switch {
	case lk.version > 0 && lk.version < sc.version:
		if _, err := f.writable(); err != nil {
			return nil, err
		}
		return f, nil
	case lk.version > 0:
		f.identity = lk.identity
		f.r, f.lookDone, err = openReadOnly(path, o.busyMillis())
	default:
		var mem *sql.DB
		if mem, err = schemaInMemory(sc); err == nil {
			f.r, f.lookDone = mem, func() { mem.Close() }
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}

// look is what lookAt found: version 0 when the file is absent, empty or has no schema yet.
type look struct {
	version  int
	identity string
}

// lookAt decides, reading only, whether an existing file is an ixlb file of kind sc this ixlb can
// use (possibly after a migration).
func lookAt(path string, sc *schema, o *Options) (look, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && emptyDatabase(path, st) {
		return look{}, nil
	}
	if err != nil {
		return look{}, err
	}
	if err := inspect(path, sc, o); err != nil {
		return look{}, err
	}
	db, done, err := openReadOnly(path, o.busyMillis())
	if err != nil {
		return look{}, err
	}
	defer done()
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil {
		return look{}, classify(err)
	}
	if tables == 0 {
		return look{}, nil // set up as new by the first write (see inspect)
	}
	m, err := readMeta(db)
	if err != nil {
		return look{}, classify(err)
	}
	v, err := checkMeta(m, sc)
	if err != nil {
		return look{}, err
	}
	return look{version: v, identity: m["identity"]}, nil
}

// schemaInMemory is an empty database of the schema sc, for reading a file that is not there yet
// as the empty file it will be. One connection, kept: each connection to :memory: is a database
// of its own.
func schemaInMemory(sc *schema) (*sql.DB, error) {
	db, err := sql.Open(driverName, "file::memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	for _, q := range append([]string{metaDDL}, sc.create...) {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			return nil, fmt.Errorf("schema in memory: %w", err)
		}
	}
	return db, nil
}

// writable makes the file ready to write, once: created if absent, its schema set up or migrated,
// the writer opened, and the readers moved from the look to a pool on the file. It reports whether
// this call made the schema (a new file, or one that had none): the identity is new.
func (f *sqliteFile) writable() (bool, error) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.w != nil {
		return false, nil
	}
	created, err := createIfAbsent(f.path)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", f.path, err)
	}
	if !created {
		if err := inspect(f.path, f.sc, f.o); err != nil {
			return false, fmt.Errorf("open %s: %w", f.path, err)
		}
	}
	w, err := openWriter(f.path, f.o, f.sc.pageSize)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", f.path, err)
	}
	made, err := prepare(w, f.path, f.sc, f.name)
	if err != nil {
		w.Close()
		return false, fmt.Errorf("open %s: %w", f.path, err)
	}
	m, err := connMeta(w)
	if err != nil {
		w.Close()
		return false, fmt.Errorf("open %s: %w", f.path, err)
	}
	// Readers without SQLite's mutex too (see openReadOnly).
	pool, err := sql.Open(driverName, dsn(f.path, fmt.Sprintf("mode=ro&_busy_timeout=%d&_mutex=no", f.o.busyMillis())))
	if err != nil {
		w.Close()
		return false, fmt.Errorf("open %s: %w", f.path, err)
	}
	// Readers serve Open, Counts and the console's history: two are plenty on a 2-core machine.
	pool.SetMaxOpenConns(2)
	pool.SetMaxIdleConns(2)
	f.rmu.Lock()
	f.w, f.identity = w, m["identity"]
	done := f.lookDone
	f.r, f.lookDone = pool, nil
	f.rmu.Unlock()
	if done != nil {
		done()
	}
	return made, nil
}

// isWritable reports whether the file was made writable (its first write).
func (f *sqliteFile) isWritable() bool {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	return f.w != nil
}

// reader is the file's readers (the look, or the pool once the file is written); done releases it.
func (f *sqliteFile) reader() (db *sql.DB, done func()) {
	f.rmu.RLock()
	return f.r, f.rmu.RUnlock
}

// rawRead runs fn on one of the readers' driver connections.
func (f *sqliteFile) rawRead(fn func(c *sqlite3.SQLiteConn) error) error {
	db, done := f.reader()
	defer done()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("not a SQLite connection: %T", dc)
		}
		return fn(c)
	})
}

// createIfAbsent makes an empty file with mode 0600 (SQLite would use 0644 less the umask; the WAL
// and shared-memory files copy the main file's mode). An existing empty file counts as new: it is
// an empty database, e.g. left by a crash before the schema was written. The file and SQLite's
// files beside it must be the directory's own (checkOwnFile): never a link to a file elsewhere.
func createIfAbsent(path string) (bool, error) {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := checkOwnFile(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	st, err := os.Lstat(path)
	if err == nil {
		if err := checkOwnFile(path); err != nil {
			return false, err
		}
		return st.Size() == 0, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := point(pointCreate, path); err != nil {
		return false, err
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return false, err
	}
	return true, fh.Close()
}

// ErrNotOwnFile is wrapped by the error for a file of a data directory that is a symbolic link, a
// hard link (a name of a file that also lives elsewhere) or not a regular file: writing it would
// write outside the directory, so ixlb refuses it.
var ErrNotOwnFile = errors.New("not a file of the directory's own")

// checkOwnFile refuses a path that is a symbolic link, not a regular file, or a regular file with
// more than one name (a hard link: writing it changes the file under its other names too).
func checkOwnFile(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: %w (ixlb writes only inside the data directory); nothing was changed", path, ErrNotOwnFile)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s): %w; nothing was changed", path, st.Mode().Type(), ErrNotOwnFile)
	case links(st) > 1:
		return fmt.Errorf("%s has %d names (a hard link to a file elsewhere): %w (ixlb writes only inside the data directory); nothing was changed", path, links(st), ErrNotOwnFile)
	}
	return nil
}

// emptyDatabase reports whether the file at path (st) is an empty database: no bytes and no WAL
// beside it. A rollback journal beside an empty file is the journal of the first transaction that
// never committed (ixlb stopped while it set the file up, 10–20 ms after it started): rolling it
// back leaves the file as empty as it is (the journal records a database of no pages), so there
// is nothing in it to lose or to look at.
func emptyDatabase(path string, st fs.FileInfo) bool {
	return st.Size() == 0 && !exists(path+"-wal")
}

// inspect decides, reading only, whether an existing file is an ixlb file of kind sc this ixlb can
// use (possibly after a migration).
func inspect(path string, sc *schema, o *Options) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(fh, head)
	fh.Close()
	if err != nil || !bytes.Equal(head, []byte(sqliteHeader)) {
		return fmt.Errorf("%w: not a SQLite file", ErrNotIxlb)
	}
	db, done, err := openReadOnly(path, o.busyMillis())
	if err != nil {
		return err
	}
	defer done()
	var n, tables int
	err = db.QueryRow(`SELECT count(*) FILTER (WHERE name = 'meta'), count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n, &tables)
	if err != nil {
		return classify(err)
	}
	if tables == 0 {
		// A database with nothing in it: ixlb was stopped after SQLite wrote its header and
		// before the schema transaction committed. Nothing to lose; it is set up as new.
		return nil
	}
	if n == 0 {
		return fmt.Errorf("%w: no meta table", ErrNotIxlb)
	}
	m, err := readMeta(db)
	if err != nil {
		return classify(err)
	}
	_, err = checkMeta(m, sc)
	return err
}

// classify turns SQLite's "this is not a database" answers into ErrNotIxlb.
func classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("%w: damaged: %v", ErrNotIxlb, err)
	}
	return err
}

// isCorrupt reports whether err says a file's content is damaged: SQLite's own verdict, or an event
// chunk that does not inflate.
func isCorrupt(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return true
	}
	return errors.Is(err, errDamagedChunk)
}

type queryer interface {
	Query(query string, args ...any) (*sql.Rows, error)
}

func readMeta(db queryer) (map[string]string, error) {
	rows, err := db.Query(`SELECT key, value FROM meta`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// checkMeta returns the file's schema version, or why this ixlb cannot use the file.
func checkMeta(m map[string]string, sc *schema) (int, error) {
	if m["kind"] != sc.kind {
		if m["kind"] == "" {
			return 0, fmt.Errorf("%w: meta has no kind", ErrNotIxlb)
		}
		return 0, fmt.Errorf("%w: kind %q, want %q", ErrNotIxlb, m["kind"], sc.kind)
	}
	if m["identity"] == "" {
		return 0, fmt.Errorf("%w: meta has no identity", ErrNotIxlb)
	}
	v, err := strconv.Atoi(m["schema_version"])
	if err != nil {
		return 0, fmt.Errorf("%w: bad schema_version %q", ErrNotIxlb, m["schema_version"])
	}
	if v > sc.version {
		return v, fmt.Errorf("%w (schema version %d; this ixlb knows up to %d)", ErrNewerSchema, v, sc.version)
	}
	for from := v; from < sc.version; from++ {
		if _, ok := sc.migrations[from]; !ok {
			return v, fmt.Errorf("schema version %d of kind %s cannot be migrated to %d", v, sc.kind, sc.version)
		}
	}
	return v, nil
}

// The writer's page cache and checkpoint interval. SQLite's default cache (2 MB) is smaller than
// one commit of a busy run: pages spilled to the WAL mid-transaction were written again by the
// same transaction and read back. 16 MiB holds a commit's working set (the table's right-hand
// edge, the rows completed since the last commit, the index pages) with room to spare; the cache
// is allocated as used, so a small scenario does not pay for it.
//
// The default checkpoint every 1000 pages copied the same hot pages (the tail of the table, the
// event log's last pages) to the database file again and again: a checkpoint every 32 MiB of WAL
// copies each of them once per 32 MiB instead, and keeps the WAL file bounded.
const (
	cacheKiB           = 16 << 10
	walCheckpointBytes = 32 << 20
)

// pageSizeOf is the connection's page size: the file's own once it exists.
func pageSizeOf(c *sqlite3.SQLiteConn) (int, error) {
	rows, err := c.Query(`PRAGMA page_size`, nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		return 0, err
	}
	n, _ := dest[0].(int64)
	if n <= 0 {
		return 0, fmt.Errorf("page_size %v", dest[0])
	}
	return int(n), nil
}

// openWriter opens the file's one writer connection: WAL so readers never block it, NORMAL
// synchronous (a commit survives a process crash; the WAL is synced at checkpoints), IMMEDIATE
// transactions so a second process fails fast on the busy timeout instead of deadlocking on a
// lock upgrade.
//
// The page size of a new file is set before WAL mode, which fixes it; on an existing file the
// pragma does nothing. temp_store=MEMORY keeps SQLite's scratch files (sorts, statement journals)
// in memory rather than in /tmp.
//
// _mutex=no (SQLite's multi-thread mode for this connection): SQLite's own per-connection mutex
// guards against two threads using one connection at once, which cannot happen here (the opener,
// then the committer goroutine only), and it was taken and released for every bound parameter:
// 12% of the write path's CPU.
func openWriter(path string, o *Options, pageSize int) (*sqlite3.SQLiteConn, error) {
	params := fmt.Sprintf("_synchronous=%s&_txlock=immediate&_busy_timeout=%d&_mutex=no", o.synchronous(), o.busyMillis())
	ci, err := (&sqlite3.SQLiteDriver{ConnectHook: registerFuncs}).Open(dsn(path, params))
	if err != nil {
		return nil, err
	}
	c := ci.(*sqlite3.SQLiteConn)
	var pragmas []string
	if pageSize > 0 {
		pragmas = append(pragmas, fmt.Sprintf("PRAGMA page_size = %d", pageSize))
	}
	pragmas = append(pragmas, "PRAGMA journal_mode = WAL",
		fmt.Sprintf("PRAGMA cache_size = -%d", cacheKiB),
		"PRAGMA temp_store = MEMORY")
	if err := execAll(c, pragmas...); err != nil {
		c.Close()
		return nil, err
	}
	ps, err := pageSizeOf(c) // an existing file keeps its own
	if err == nil {
		err = execAll(c, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walCheckpointBytes/ps))
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// prepare creates the schema of a new file, or migrates an older one, in one transaction on the
// writer w, and reports whether it made the schema. It re-reads meta inside the transaction:
// another process may have created or migrated the file since inspect looked. A file of the
// current version is not written.
func prepare(w *sqlite3.SQLiteConn, path string, sc *schema, name string) (made bool, err error) {
	f := &sqliteFile{path: path, w: w}
	err = f.tx(func(c wconn) error {
		if err := execAll(c.SQLiteConn, metaDDL); err != nil {
			return err
		}
		m, err := connMeta(c.SQLiteConn)
		if err != nil {
			return err
		}
		if len(m) == 0 {
			made = true
			return create(c.SQLiteConn, sc, name)
		}
		v, err := checkMeta(m, sc)
		if err != nil || v == sc.version {
			return err
		}
		for ; v < sc.version; v++ {
			if err := execAll(c.SQLiteConn, sc.migrations[v]...); err != nil {
				return fmt.Errorf("migrate schema version %d to %d: %w", v, v+1, err)
			}
		}
		return setMeta(c.SQLiteConn, "schema_version", strconv.Itoa(sc.version))
	})
	return made, err
}

func create(c *sqlite3.SQLiteConn, sc *schema, name string) error {
	if err := execAll(c, sc.create...); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	id, err := newUUID()
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{
		{"kind", sc.kind},
		{"name", name},
		{"identity", id},
		{"schema_version", strconv.Itoa(sc.version)},
		{"created_by", "ixlb"},
		{"created_at", time.Now().UTC().Format(time.RFC3339)},
	} {
		if err := setMeta(c, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

func setMeta(c *sqlite3.SQLiteConn, k, v string) error {
	_, err := c.Exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		[]driver.Value{k, v})
	return err
}

func connMeta(c *sqlite3.SQLiteConn) (map[string]string, error) {
	return connPairs(c, `SELECT key, value FROM meta`)
}

// connPairs reads a two-column query's rows as a map, on the writer connection.
func connPairs(c *sqlite3.SQLiteConn, query string) (map[string]string, error) {
	rows, err := c.Query(query, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	dest := make([]driver.Value, 2)
	for {
		if err := rows.Next(dest); err == io.EOF {
			return m, nil
		} else if err != nil {
			return nil, err
		}
		m[asString(dest[0])] = asString(dest[1])
	}
}

func asString(v driver.Value) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func execAll(c *sqlite3.SQLiteConn, stmts ...string) error {
	for _, s := range stmts {
		if _, err := c.Exec(s, nil); err != nil {
			return err
		}
	}
	return nil
}

// tx runs fn in one IMMEDIATE transaction on the writer (the DSN's _txlock), rolling back on error.
// Its statements (wconn.exec) and its COMMIT are durable points.
func (f *sqliteFile) tx(fn func(c wconn) error) error {
	if f.sc != nil { // the writer is opened by the first write (prepare's own f has it)
		if _, err := f.writable(); err != nil {
			return err
		}
	}
	t, err := f.w.Begin()
	if err != nil {
		return err
	}
	err = fn(wconn{f.w, f.path})
	if err == nil {
		err = point(pointCommit, f.path)
	}
	if err != nil {
		if rerr := t.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	return t.Commit()
}

// wconn is the writer connection inside a transaction: each statement it runs is a durable point.
type wconn struct {
	*sqlite3.SQLiteConn
	path string
}

// exec runs one statement of the transaction.
func (c wconn) exec(query string, args ...driver.Value) error {
	if err := point(pointStatement, c.path); err != nil {
		return err
	}
	_, err := c.Exec(query, args)
	return err
}

func (f *sqliteFile) close() error {
	var errs []error
	f.rmu.Lock()
	if f.lookDone != nil {
		f.lookDone()
		f.lookDone = nil
	} else if f.r != nil {
		errs = append(errs, f.r.Close())
	}
	f.rmu.Unlock()
	if f.w != nil {
		errs = append(errs, f.w.Close())
	}
	return errors.Join(errs...)
}

// dsn is the URI filename of path. SQLite gives ?, # and % a meaning in URIs, so they are escaped
// for directories that happen to contain them.
func dsn(path, params string) string {
	return "file:" + uriEscaper.Replace(path) + "?" + params
}

var uriEscaper = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// newUUID is a random (version 4) UUID: the identity of a database, made when it is created.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make identity: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
