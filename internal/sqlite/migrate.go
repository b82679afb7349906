package sqlite

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/moudesk/moudesk/migrations"
)

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
	ms, err := migrations.Load(fsys)
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
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.Name, err)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, tx.Now())
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
