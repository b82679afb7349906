package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
)

// The demo deployment on SQLite, copied to PostgreSQL by migrate-store:
// the copy verifies, the PostgreSQL store reads the same MOUs and
// revisions, takes new writes after the copied ids, and a second copy
// into the now full database is refused.
func TestMigrateStore(t *testing.T) {
	if !teststore.OnPostgres() {
		t.Skipf("%s is not set: no PostgreSQL to copy to", teststore.PostgresEnv)
	}
	file := filepath.Join(t.TempDir(), "moudesk.db")
	_, _, stop := demoServer(t, file)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dsn := teststore.PostgresDB(t)
	out, errOut, err := runCmd(t, file, "", "migrate-store", "--to", dsn)
	if err != nil {
		t.Fatalf("migrate-store: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(out, "verified: row counts") {
		t.Fatalf("migrate-store printed:\n%s", out)
	}
	ctx := context.Background()
	src, err := sqlite.Open(ctx, file, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sm, err := src.MOUs(ctx, "", 0, desk.NoLimit)
	if err != nil {
		t.Fatal(err)
	}
	dm, err := dst.MOUs(ctx, "", 0, desk.NoLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm) == 0 || len(sm) != len(dm) {
		t.Fatalf("%d MOUs in SQLite, %d in PostgreSQL", len(sm), len(dm))
	}
	for i := range sm {
		if sm[i].ID != dm[i].ID || sm[i].Stage != dm[i].Stage || sm[i].CurrentRevision != dm[i].CurrentRevision {
			t.Fatalf("MOU %d: %+v in SQLite, %+v in PostgreSQL", sm[i].ID, sm[i], dm[i])
		}
	}
	// New rows continue after the copied ids, and the chain after its head.
	p, err := dst.CreateParty(ctx, operator, desk.Party{Slug: "after-copy", Name: "After", Kind: "city", Body: "Council"})
	if err != nil {
		t.Fatalf("write after the copy: %v", err)
	}
	parties, err := src.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range parties {
		if q.ID >= p.ID {
			t.Fatalf("new party got id %d, not after the copied %d", p.ID, q.ID)
		}
	}
	if _, err := dst.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after a write on the copy: %v", err)
	}
	if _, _, err := runCmd(t, file, "", "migrate-store", "--to", dsn); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy into the full database: %v", err)
	}
}
