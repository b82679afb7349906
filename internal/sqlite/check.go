package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// IntegrityCheck runs PRAGMA integrity_check on the database file at path
// through a read-only connection of its own, so it can check a database a
// running server is writing (WAL lets it read a consistent snapshot) and
// cannot change it. It returns "ok" or SQLite's list of problems.
func IntegrityCheck(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite3", "file:"+url.PathEscape(path)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return "", fmt.Errorf("open %s read-only: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity_check %s: %w", path, err)
	}
	lines, err := collect(rows, "integrity_check rows", func(r rowScanner) (*string, error) {
		var s string
		return &s, r.Scan(&s)
	})
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}
