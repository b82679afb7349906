package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/migrations"
)

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads NNN_name.sql files from fsys in numeric order and
// refuses gaps or duplicates, which would mean a botched merge.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %q: name must be NNN_description.sql", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d (numbers must run 1, 2, 3… without gaps)", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies every migration the database has not seen, each in its
// own transaction together with its schema_migrations row, so a crash
// leaves the schema at a recorded version.
func (db *DB) migrate(ctx context.Context) error {
	if db.server != nil {
		return db.server.Migrate(ctx, db.write)
	}
	return db.migrateFS(ctx, migrations.FS)
}

func (db *DB) migrateFS(ctx context.Context, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return storageError("create schema_migrations", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database %s has schema version %d but this moudesk knows only up to %d: it was written by a newer moudesk; run that version or restore a backup", db.path, current, len(ms))
	}
	for _, m := range ms[current:] {
		err := db.update(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, tx.Now())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion is the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
