// Package teststore opens the real store for tests of the packages above
// it (the service, the web layer), with the shipped clause library: a
// package of its own because internal/sqlite's own tests use shipped.
package teststore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// Open opens a real SQLite file in tb's temporary folder with the shipped
// clause library loaded, closed when tb ends.
func Open(tb testing.TB) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "moudesk.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SyncLibrary(ctx, lib); err != nil {
		tb.Fatal(err)
	}
	return db
}
