package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/migrations"
)

// MustOpenDB opens a fresh database file in a temp folder.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "moudesk.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateFromEmpty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "moudesk.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations.Load(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != len(ms) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(ms))
	}
	for _, table := range []string{"parties", "users", "sessions", "api_tokens", "audit_events", "clauses", "clause_versions", "clause_search"} {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing after migration", table)
		}
	}
	db.Close()
	// Opening again applies nothing and keeps the version.
	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	db.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&rows)
	if rows != len(ms) {
		t.Fatalf("schema_migrations has %d rows after reopening, want %d", rows, len(ms))
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 'x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, Options{})
	if err == nil {
		t.Fatal("opened a database from a newer moudesk")
	}
	if want := "newer moudesk"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
}

func TestMigrationNamesMustBeContiguous(t *testing.T) {
	_, err := migrations.Load(fstest.MapFS{
		"001_a.sql": {Data: []byte("SELECT 1;")},
		"003_c.sql": {Data: []byte("SELECT 1;")},
	})
	if err == nil {
		t.Fatal("a gap in migration numbers was accepted")
	}
}

func TestFailedMigrationLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	before, _ := db.SchemaVersion(ctx)
	ms, _ := migrations.Load(migrations.FS)
	bad := fstest.MapFS{}
	for _, m := range ms {
		bad[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	bad[fmt.Sprintf("%03d_broken.sql", len(ms)+1)] = &fstest.MapFile{Data: []byte("CREATE TABLE half (x); SELECT no_such_function();")}
	if err := db.migrateFS(ctx, bad); err == nil {
		t.Fatal("broken migration applied")
	}
	after, _ := db.SchemaVersion(ctx)
	var n int
	db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'half'").Scan(&n)
	if after != before || n != 0 {
		t.Fatalf("failed migration left version %d (was %d) and %d tables behind", after, before, n)
	}
}

func TestForeignKeysOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// Hold several reader connections at once so each is a distinct one.
	var conns []interface{ Close() error }
	for i := 0; i < 4; i++ {
		c, err := db.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk int
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("reader %d: foreign_keys = %d, %v", i, fk, err)
		}
		var mode string
		c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if mode != "wal" {
			t.Errorf("reader %d: journal_mode = %q", i, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	_, err := db.write.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES (424242, 'admin')")
	if err == nil {
		t.Fatal("writer accepted a row pointing at a missing user: foreign keys are off")
	}
}

func testClause(slug, body string) *clause.Clause {
	return &clause.Clause{Slug: slug, Title: "Title of " + slug, Category: "test", Summary: "for tests", Body: body, Variables: []clause.Variable{}}
}

func TestSyncLibrary(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	shipped, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.SyncLibrary(ctx, shipped)
	if err != nil || len(rep.Added) != len(shipped) {
		t.Fatalf("first sync: %+v, %v", rep, err)
	}
	rep, err = db.SyncLibrary(ctx, shipped)
	if err != nil || rep.Unchanged != len(shipped) || len(rep.Added)+len(rep.Updated) != 0 {
		t.Fatalf("second sync changed something: %+v, %v", rep, err)
	}

	t.Run("ShippedChangeBecomesSystemVersion", func(t *testing.T) {
		a := testClause("sync-a", "First text.")
		db.SyncLibrary(ctx, []*clause.Clause{a})
		a2 := testClause("sync-a", "Second text.")
		rep, err := db.SyncLibrary(ctx, []*clause.Clause{a2})
		if err != nil || len(rep.Updated) != 1 {
			t.Fatalf("sync: %+v, %v", rep, err)
		}
		v, _ := db.ClauseVersion(ctx, "sync-a", 0)
		if v.Version != 2 || v.Author != "system" || !v.Shipped || v.Body != "Second text." {
			t.Fatalf("latest = %+v", v)
		}
	})
	t.Run("LocalEditIsNeverOverwritten", func(t *testing.T) {
		b := testClause("sync-b", "Shipped text.")
		db.SyncLibrary(ctx, []*clause.Clause{b})
		user := moudesk.Actor{UserID: 0, Email: ""}
		if _, err := db.UpdateClause(ctx, user, "sync-b", 1, testClause("sync-b", "Our own text."), "local"); err != nil {
			t.Fatal(err)
		}
		rep, err := db.SyncLibrary(ctx, []*clause.Clause{testClause("sync-b", "Newer shipped text.")})
		if err != nil || len(rep.Kept) != 1 || len(rep.Updated) != 0 {
			t.Fatalf("sync: %+v, %v", rep, err)
		}
		v, _ := db.ClauseVersion(ctx, "sync-b", 0)
		if v.Body != "Our own text." || v.Version != 2 {
			t.Fatalf("local edit overwritten: %+v", v)
		}
	})
}

func TestClauseVersionsAreImmutable(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := db.CreateClause(ctx, moudesk.System, testClause("immutable", "Text."), "v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE clause_versions SET body = 'changed'"); err == nil {
		t.Fatal("a clause version was updated")
	}
	if _, err := db.write.ExecContext(ctx, "DELETE FROM clause_versions"); err == nil {
		t.Fatal("a clause version was deleted")
	}
}

func TestUpdateClauseStale(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	db.CreateClause(ctx, moudesk.System, testClause("stale", "One."), "")
	if _, err := db.UpdateClause(ctx, moudesk.System, "stale", 1, testClause("stale", "Two."), ""); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdateClause(ctx, moudesk.System, "stale", 1, testClause("stale", "Three."), "")
	e, ok := moudesk.AsError(err)
	if !ok || e.Code != "stale_revision" {
		t.Fatalf("err = %v, want stale_revision", err)
	}
	hist, _ := db.ClauseHistory(ctx, "stale")
	if len(hist) != 2 {
		t.Fatalf("%d versions after a stale save, want 2", len(hist))
	}
}

func TestAuditTamperIsNamed(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for i := 0; i < 10; i++ {
		if err := db.Audit(ctx, moudesk.System, "test.event", fmt.Sprintf("thing:%d", i), map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 10 {
		t.Fatalf("verify = %d, %v", n, err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE audit_events SET details = '{"i":99}' WHERE seq = 6`); err != nil {
		t.Fatal(err)
	}
	_, err := db.VerifyAudit(ctx)
	var broken *audit.BrokenError
	if !errors.As(err, &broken) || broken.Seq != 6 {
		t.Fatalf("verify after tampering = %v, want event 6 named", err)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := testClause(fmt.Sprintf("w%d-%d", g, i), "Body text while a backup runs.")
				if _, err := db.CreateClause(ctx, moudesk.System, c, ""); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	// Let the writers get going, then copy.
	for {
		var n int
		db.read.QueryRowContext(ctx, "SELECT count(*) FROM clauses").Scan(&n)
		if n >= 100 {
			break
		}
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := Open(ctx, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if res, err := copyDB.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	n, err := copyDB.VerifyAudit(ctx)
	if err != nil || n < 100 {
		t.Fatalf("audit verify on backup = %d, %v", n, err)
	}
	var clausesN int64
	copyDB.read.QueryRowContext(ctx, "SELECT count(*) FROM clauses").Scan(&clausesN)
	if clausesN != n {
		t.Fatalf("backup has %d clauses but %d audit events: not one snapshot", clausesN, n)
	}
}
