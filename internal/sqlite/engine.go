package sqlite

// A database server in place of the SQLite file. This package keeps all of
// moudesk's SQL: the statements are written so that SQLite and PostgreSQL
// both run them (RETURNING, ON CONFLICT, string_agg), and the few that
// cannot be (full-text search, a list of ids as one parameter) have a
// second spelling chosen by db.server. What differs in how a server is
// reached, migrated and locked is the server package's (internal/postgres),
// given here as an Engine.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/moudesk/moudesk"
)

// Engine is a database server that runs this package's SQL instead of an
// SQLite file. Its DB takes the same SQL text, "?" placeholders included
// (internal/postgres rewrites them), and a Go bool as 0 or 1.
type Engine struct {
	// Name says where the data is for messages: a connection string
	// without its password.
	Name string
	// DB serves reads, WriteDB write transactions: apart, so that a write
	// transaction holding the write lock always finds a connection for a
	// read it makes beside it, however many requests wait for the lock.
	DB, WriteDB *sql.DB
	// Migrate applies the server's own migrations; two processes calling
	// it together must migrate once.
	Migrate func(ctx context.Context, db *sql.DB) error
	// WriteLock is the statement every write transaction runs first. It
	// makes write transactions run one at a time across every process on
	// the server, as SQLite's single writer does in one: the audit chain
	// has one head, and the service's rules read and write in one
	// transaction expecting no other write between.
	WriteLock string
	// Listen, when set, runs until ctx ends, calling notify with the
	// payload of every notification on channel that any instance's
	// committed transaction sent (headsChannel).
	Listen func(ctx context.Context, channel string, notify func(payload string))
}

// headsChannel tells every instance on a server the revision numbers
// committed, so each refuses saves on an older base before they queue for
// the write lock (memo.go's revisionHeads), not only those its own saves
// made stale. A missed notification costs only that early refusal.
const headsChannel = "moudesk_revision_heads"

// maxWriteAttempts bounds the retries of a write transaction the server
// aborted for a serialization failure or a deadlock: running it again is
// safe because a write function changes nothing outside the database.
const maxWriteAttempts = 5

// OpenEngine opens the store on a database server, migrating its schema.
func OpenEngine(ctx context.Context, e *Engine, opt Options) (*DB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	db := &DB{path: e.Name, write: e.WriteDB, read: e.DB, now: opt.Now, anchor: opt.Anchor, bodyTexts: newBodyTexts(),
		server: e, writing: make(chan struct{}, 1), closing: make(chan struct{}), writerDone: make(chan struct{})}
	close(db.writerDone) // no writer goroutine: the server orders writes
	if err := e.Migrate(ctx, e.WriteDB); err != nil {
		e.DB.Close()
		e.WriteDB.Close()
		return nil, err
	}
	if e.Listen != nil {
		lctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		db.stopListening = func() { stop(); <-done }
		go func() {
			defer close(done)
			e.Listen(lctx, headsChannel, db.heardHead)
		}()
	}
	return db, nil
}

// OnServer reports whether db is on a database server rather than an
// SQLite file; operations that only an SQLite file has (backup by the
// backup API, integrity_check) refuse on a server.
func (db *DB) OnServer() bool { return db.server != nil }

// writeOnServer is writeWith on a server: each write its own transaction,
// after the engine's write lock; retried when the server aborts it for a
// serialization failure or a deadlock. Commit is waited for before done
// runs and before the caller is answered, so an acknowledged write is
// committed. Writes of this process queue here first, in Go, so only one
// of its connections at a time waits for the lock across instances.
func (db *DB) writeOnServer(ctx context.Context, check func() error, fn func(*Tx) error, done func()) error {
	select {
	case db.writing <- struct{}{}:
		defer func() { <-db.writing }()
	case <-ctx.Done():
		return fmt.Errorf("wait for the writer: %w", ctx.Err())
	case <-db.closing:
		return errClosed
	}
	for attempt := 1; ; attempt++ {
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		err := db.serverTx(ctx, fn)
		if err == nil {
			if db.anchor != nil {
				db.anchor.Notify()
			}
			if done != nil {
				done()
			}
			return nil
		}
		if attempt < maxWriteAttempts && retryable(err) {
			continue
		}
		return err
	}
}

func (db *DB) serverTx(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return storageError("begin transaction", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if db.faulty.Load() {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return storageError("simulate a fault", err)
		}
	}
	if db.server.WriteLock != "" {
		if _, err := tx.ExecContext(ctx, db.server.WriteLock); err != nil {
			return storageError("take the write lock", err)
		}
	}
	if err := fn(&Tx{Tx: tx, now: db.now(), texts: db.bodyTexts, server: true}); err != nil {
		if _, ok := moudesk.AsError(err); !ok {
			err = storageError("write", err)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return storageError("commit", err)
	}
	return nil
}

// sqlState is the SQLSTATE code of a server's error, "" for others
// (PostgreSQL's errors have one; SQLite's do not).
func sqlState(err error) string {
	var se interface{ SQLState() string }
	if errors.As(err, &se) {
		return se.SQLState()
	}
	return ""
}

// retryable: the server aborted the transaction for a serialization
// failure (40001) or a deadlock (40P01); run it again.
func retryable(err error) bool {
	s := sqlState(err)
	return s == "40001" || s == "40P01"
}

// serverUnavailable reports a database server that cannot be reached or
// cannot take writes right now: the connection refused, dropped or timed
// out, the server shutting down or starting, out of resources, or a
// read-only standby.
func serverUnavailable(err error) bool {
	switch s := sqlState(err); {
	case s == "":
	case len(s) == 5 && (s[:2] == "08" || s[:2] == "53" || s[:2] == "57" || s == "25006"):
		return true
	default:
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		isConnClosed(err)
}

// isConnClosed: pgx answers "conn closed" for a connection the server
// dropped, an error of no exported type.
func isConnClosed(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "conn closed" {
			return true
		}
	}
	return false
}

// insertID runs an INSERT and returns the id of the row it made, by
// RETURNING (which both engines run) rather than LastInsertId, which
// PostgreSQL's driver does not have.
func insertID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// errOnServer answers operations only an SQLite file has.
func errOnServer(what string) error {
	return fmt.Errorf("%s works on an SQLite file only; on a database server use the server's own tools (pg_dump, amcheck)", what)
}

// TablesForTest lists the store's tables, for tests that show a refused
// request changed no row anywhere.
func (db *DB) TablesForTest(ctx context.Context) ([]string, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if db.server != nil {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return collect(rows, "tables", func(r rowScanner) (*string, error) {
		var s string
		return &s, r.Scan(&s)
	})
}

// notifyHead tells every instance that revision n of the MOU is
// committed, when this transaction commits (NOTIFY is transactional).
func (tx *Tx) notifyHead(ctx context.Context, mouID int64, n int) error {
	if !tx.server {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", headsChannel, fmt.Sprintf("%d:%d", mouID, n)); err != nil {
		return storageError("notify revision head", err)
	}
	return nil
}

// heardHead takes a committed revision number another instance (or this
// one) announced.
func (db *DB) heardHead(payload string) {
	var mouID int64
	var n int
	if _, err := fmt.Sscanf(payload, "%d:%d", &mouID, &n); err == nil && mouID > 0 && n > 0 {
		db.heads.set(mouID, n)
	}
}
