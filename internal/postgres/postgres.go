// Package postgres runs the store on PostgreSQL, for deployments with
// several moudesk instances on one database. The store's SQL is
// internal/sqlite's, which both engines run (see its engine.go); this
// package connects to the server through pgx, rewrites the statements'
// placeholders, applies the PostgreSQL schema's own migrations under an
// advisory lock, and gives the lock that makes write transactions serial
// across instances.
package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Advisory lock keys, one per purpose, so a database shared with other
// software is unlikely to hold them: the first is "moudesk" in ASCII.
const (
	migrateLock = 0x6d6f756465736b // migrations, held while one process migrates
	writeLock   = 0x6d6f756465736c // every write transaction, until its commit
)

// IsURL reports whether a --db value names a PostgreSQL database rather
// than an SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Options tunes Open; the zero value is production.
type Options struct {
	sqlite.Options
	// Conns is the most connections the pool opens; 0 means 16.
	Conns int
}

// Open connects to the database at dsn (postgres://user:password@host/db),
// checks that it answers, and applies pending migrations, one process at
// a time. An unreachable server is an error at once, not at the first
// request.
func Open(ctx context.Context, dsn string, opt Options) (*sqlite.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	name := Redact(dsn)
	conns := opt.Conns
	if conns <= 0 {
		conns = 16
	}
	db := sql.OpenDB(newConnector(cfg))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	// The store runs one write transaction at a time per process; the
	// second connection is for one whose first broke.
	write := sql.OpenDB(newConnector(cfg))
	write.SetMaxOpenConns(2)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		write.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", name, err)
	}
	return sqlite.OpenEngine(ctx, &sqlite.Engine{
		Name:      name,
		DB:        db,
		WriteDB:   write,
		Migrate:   func(ctx context.Context, db *sql.DB) error { return migrate(ctx, db, name) },
		WriteLock: "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(writeLock, 10) + ")",
		Listen:    func(ctx context.Context, channel string, notify func(string)) { listen(ctx, cfg, channel, notify) },
	}, opt.Options)
}

// Redact is dsn without its password, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// loadMigrations reads PostgreSQL's migrations (migrations.Load).
func loadMigrations() ([]migrations.Migration, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return migrations.Load(fsys)
}

// migrate applies each pending migration in its own transaction with its
// schema_migrations row, after taking the migration lock in that
// transaction: a second process starting at the same time waits, then
// finds the migration recorded and skips it.
func migrate(ctx context.Context, db *sql.DB, name string) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	for {
		done, err := migrateOne(ctx, db, name, ms)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB, name string, ms []migrations.Migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.FormatInt(migrateLock, 10)+")"); err != nil {
		return false, fmt.Errorf("migrate %s: take the migration lock: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return false, fmt.Errorf("migrate %s: create schema_migrations: %w", name, err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return false, fmt.Errorf("migrate %s: read schema version: %w", name, err)
	}
	if current > len(ms) {
		return false, fmt.Errorf("database %s has PostgreSQL schema version %d but this moudesk knows only up to %d: it was written by a newer moudesk; run that version or restore a backup", name, current, len(ms))
	}
	if current == len(ms) {
		return true, tx.Commit()
	}
	m := ms[current]
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("apply migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		return false, fmt.Errorf("record migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit migration %s: %w", m.Name, err)
	}
	return current+1 == len(ms), nil
}

// SchemaID identifies the schema the migrations make: a hash of them all.
func SchemaID() string {
	ms, err := loadMigrations()
	if err != nil {
		return "invalid: " + err.Error()
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s %d\n%s", m.Name, len(m.SQL), m.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listen delivers the notifications on channel to notify until ctx ends,
// on a connection of its own, connecting again a second after it drops.
func listen(ctx context.Context, cfg *pgx.ConnConfig, channel string, notify func(string)) {
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err == nil {
				for {
					n, err := conn.WaitForNotification(ctx)
					if err != nil {
						break
					}
					notify(n.Payload)
				}
			}
			conn.Close(context.Background())
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
