// Package sqlite is moudesk's only SQL: it opens the database, applies the
// embedded migrations and implements every query. Domain packages never see
// SQL; this package turns their values into rows and back.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/moudesk/moudesk"
)

// timeFormat keeps microseconds and sorts correctly as text.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// DB holds two handles on one SQLite file: a single writer connection, so
// that writers queue in Go rather than fail with SQLITE_BUSY, and a small
// pool of readers that WAL lets run beside it. Write transactions reach
// the writer through one goroutine that commits those waiting together
// (writer.go).
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// writes queues write transactions for the writer goroutine, in
	// arrival order; closing stops it and writerDone says it stopped.
	writes     chan *writeReq
	closing    chan struct{}
	closeOnce  sync.Once
	writerDone chan struct{}
	// heads is the newest revision number this process committed per MOU.
	// Numbers only go up, so a save on a base below it is stale for sure
	// and is refused without a transaction (memo.go).
	heads revisionHeads
	// bodyTexts holds section texts by hash (revision_body.go).
	bodyTexts *bodyTexts
	// clauses caches clause versions, which never change once written.
	clauses clauseVersions
	// anchor keeps the audit chain's head outside the database; nil for none.
	anchor Anchor
	// server is the database server the SQL runs on; nil for an SQLite
	// file (engine.go).
	server *Engine
	// writing admits one write transaction of this process at a time to
	// a server (writeOnServer).
	writing chan struct{}
	// stopListening ends the server's notification listener; nil for none.
	stopListening func()
	// faulty makes a server's write transactions read-only
	// (SimulateFaultForTest).
	faulty atomic.Bool
}

// Options tunes Open; the zero value is production.
type Options struct {
	Readers int              // size of the reader pool; 0 means 4
	Now     func() time.Time // clock for every stored time; nil means time.Now
	// Anchor, when set, is told after every commit and holds VerifyAudit
	// to its checkpoint.
	Anchor Anchor
}

// Open opens (creating when needed) the database at path, checks that it
// was not written by a newer moudesk, and applies pending migrations.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	if opt.Readers <= 0 {
		opt.Readers = 4
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	// Pragmas live in the DSN so every pooled connection gets them;
	// busy_timeout comes first so the others can wait for a lock.
	// synchronous=FULL fsyncs the WAL at every commit, so a write moudesk
	// acknowledged (a vote, a signature) survives power loss, not only a
	// crash of the process as NORMAL would; it costs about 0.3 ms a commit
	// here. Each connection keeps its 64 most used statements prepared.
	base := "file:" + url.PathEscape(path) + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=on&_synchronous=FULL&_stmt_cache_size=64"
	write, err := sql.Open("sqlite3", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite3", base+"&_query_only=true")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database readers: %w", err)
	}
	read.SetMaxOpenConns(opt.Readers)
	read.SetMaxIdleConns(opt.Readers)
	db := &DB{path: path, write: write, read: read, now: opt.Now, anchor: opt.Anchor, bodyTexts: newBodyTexts(),
		writes: make(chan *writeReq), closing: make(chan struct{}), writerDone: make(chan struct{})}
	go db.runWriter()
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// fileMode is the mode of the database and of every file SQLite keeps
// beside it: they hold password, session and token hashes, so only the
// account moudesk runs as may read them.
const fileMode = 0o600

// sideFiles are the suffixes of the files SQLite keeps beside a database.
var sideFiles = []string{"-wal", "-shm", "-journal"}

// restrictFiles creates the database file at path with fileMode when it is
// missing and sets fileMode on it and on its side files when they exist,
// whatever the umask. SQLite creates the WAL, shared-memory and journal
// files with the database file's mode, so a new one is private too.
func restrictFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	for _, name := range append([]string{path}, sidePaths(path)...) {
		if err := os.Chmod(name, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restrict database file: %w", err)
		}
	}
	return nil
}

func sidePaths(path string) []string {
	out := make([]string, len(sideFiles))
	for i, suffix := range sideFiles {
		out[i] = path + suffix
	}
	return out
}

// Close stops the writer once its batch is committed, then closes both
// handles; WAL content is checkpointed by SQLite when the last connection
// closes. Writes that arrive later fail.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	<-db.writerDone
	if db.server != nil {
		if db.stopListening != nil {
			db.stopListening()
		}
		return errors.Join(db.read.Close(), db.write.Close())
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the database file's path, or on a server its connection string
// without the password.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers and can be read.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Tx is a write transaction with the time every row it writes carries.
type Tx struct {
	*sql.Tx
	now   time.Time
	texts *bodyTexts // the DB's section texts by hash
	// server: the transaction is on a database server (engine.go).
	server bool
}

// Now is the transaction's time, formatted for storage.
func (tx *Tx) Now() string { return tx.now.UTC().Format(timeFormat) }

// update runs fn in one write transaction: committed when fn returns nil,
// rolled back otherwise, so a refused request leaves no row behind.
func (db *DB) update(ctx context.Context, fn func(*Tx) error) error {
	return db.writeWith(ctx, nil, fn, nil)
}

// view runs fn in one read transaction, so it sees one consistent snapshot.
func (db *DB) view(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.server != nil {
		// A server's default isolation takes a snapshot per statement.
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return storageError("begin read", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// storageError marks errors that mean the disk, not the request, is the
// problem (full, read-only, locked too long, failing) so clients get 503
// storage_unavailable and can retry; the SQLite error stays as the cause
// for the log. Any other error is wrapped with op.
func storageError(op string, err error) error {
	unavailable := serverUnavailable(err)
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen:
			unavailable = true
		}
	}
	if unavailable {
		return &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "storage_unavailable",
			Message: "the database cannot be written right now; nothing was saved, try again shortly",
			Cause:   fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isUnique reports a UNIQUE or PRIMARY KEY violation by its extended code
// (SQLSTATE 23505 on a server).
func isUnique(err error) bool {
	if sqlState(err) == "23505" {
		return true
	}
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// QueryRowForTest runs a read query; tests use it to count rows and read
// columns the API never shows (the password hash).
func (db *DB) QueryRowForTest(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, query, args...)
}

// ExecForTest runs a write past every rule of the service; tests use it
// to put the database in states moudesk itself never writes (a stored
// workflow version a stricter validator would refuse).
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, query, args...)
}

// collect scans every row with scan and closes rows; the one loop that
// list queries share.
func collect[T any](rows *sql.Rows, what string, scan func(rowScanner) (*T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// countRows counts the rows of each table in one snapshot, so tests and
// operators can show that a refused request wrote nothing. tables are
// constants of this package, never input.
func (db *DB) countRows(ctx context.Context, tables []string) (map[string]int, error) {
	out := make(map[string]int, len(tables))
	err := db.view(ctx, func(tx *sql.Tx) error {
		for _, table := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", table, err)
			}
			out[table] = n
		}
		return nil
	})
	return out, err
}
