package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
)

// server is the test's own empty database, or a skip: these tests are of
// PostgreSQL itself, so without MOUDESK_TEST_POSTGRES there is nothing to
// run them on (CI sets it in its PostgreSQL pass).
func server(t *testing.T) string {
	t.Helper()
	if !teststore.OnPostgres() {
		t.Skipf("%s is not set: no PostgreSQL to test on", teststore.PostgresEnv)
	}
	return teststore.PostgresDB(t)
}

// open opens a store with fewer read connections than the contended
// tests have writers at once: a write transaction holding the write lock
// must still find a connection for the reads it makes beside it, which it
// could not while waiting writers held every connection of one pool.
func open(t *testing.T, dsn string) *sqlite.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Conns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Two instances starting together on an empty database migrate it once:
// both open, and every migration is recorded once.
func TestTwoInstancesMigrateOnce(t *testing.T) {
	dsn := server(t)
	ctx := context.Background()
	dbs := make([]*sqlite.DB, 4)
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Go(func() {
			dbs[i], errs[i] = postgres.Open(ctx, dsn, postgres.Options{Conns: 2})
		})
	}
	wg.Wait()
	for i, db := range dbs {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		t.Cleanup(func() { db.Close() })
	}
	var n, distinct, max int
	if err := dbs[0].QueryRowForTest(ctx, "SELECT count(*), count(DISTINCT version), max(version) FROM schema_migrations").Scan(&n, &distinct, &max); err != nil {
		t.Fatal(err)
	}
	if n != max || distinct != max || max < 1 {
		t.Fatalf("schema_migrations holds %d rows, %d versions, up to %d: want each version once", n, distinct, max)
	}
}

// An unreachable server is an error at Open, naming it without its
// password.
func TestUnreachableServer(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://moudesk:secret@127.0.0.1:1/moudesk?connect_timeout=2", postgres.Options{})
	if err == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	for _, want := range []string{"connect to PostgreSQL", "127.0.0.1:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the password", err)
	}
}

// Two instances on one database, each saving on the same bases at once:
// for every base exactly one save is acknowledged, the others are refused
// as stale, revision numbers stay contiguous, every acknowledged text is
// stored as sent, and the audit chain verifies.
func TestTwoInstancesContendedSaves(t *testing.T) {
	dsn := server(t)
	ctx := context.Background()
	a, b := open(t, dsn), open(t, dsn)
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SyncLibrary(ctx, lib); err != nil {
		t.Fatal(err)
	}
	svcA, svcB := teststore.Service(t, a), teststore.Service(t, b)
	for _, p := range []desk.Party{
		{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	} {
		if _, err := a.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	u := teststore.User(t, a, desk.NewUser{Email: "drafter@city.example", Name: "Drew", PartySlug: "pleasanton", Roles: []auth.Role{auth.RoleDrafter}}, "correct horse battery staple")
	p := &auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, PartySlug: "pleasanton", Roles: []auth.Role{auth.RoleDrafter}, Via: auth.ViaSession}
	actor := desk.ActorOf(p, "192.0.2.1")
	m, _, err := svcA.CreateMOU(ctx, actor, desk.CreateMOURequest{Title: "SRO MOU", Template: "sro-mou",
		Parties: map[string]string{"city": "pleasanton", "district": "pusd"}, Variables: shipped.Variables(t)})
	if err != nil {
		t.Fatal(err)
	}
	const rounds, writers = 8, 6
	acked := map[int]string{} // revision → body
	for round := 1; round <= rounds; round++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		wins := 0
		for w := range writers {
			svc := svcA
			if w%2 == 1 {
				svc = svcB
			}
			wg.Go(func() {
				body := fmt.Sprintf("Round %d, writer %d.\n", round, w)
				info, err := svc.SaveRevision(ctx, actor, m.ID, desk.RevisionRequest{Base: round, Message: "edit",
					Edits: []mou.Edit{{Op: "update", Key: "term", Body: &body}}})
				mu.Lock()
				defer mu.Unlock()
				var de *moudesk.Error
				switch {
				case err == nil:
					wins++
					acked[info.Number] = body
				case errors.As(err, &de) && de.Code == "stale_revision":
				default:
					t.Errorf("round %d writer %d: %v", round, w, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d saves acknowledged on one base, want 1", round, wins)
		}
	}
	revs, err := b.Revisions(ctx, m.ID, 0, desk.NoLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != rounds+1 {
		t.Fatalf("%d revisions, want %d", len(revs), rounds+1)
	}
	for i, r := range revs {
		if r.Number != i+1 {
			t.Fatalf("revision %d numbered %d", i+1, r.Number)
		}
	}
	for n, body := range acked {
		r, err := b.Revision(ctx, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		got := "(none)"
		for _, s := range r.Sections {
			if s.Key == "term" {
				got = s.Body
			}
		}
		if got != body {
			t.Fatalf("revision %d's term is %q, want %q as acknowledged", n, got, body)
		}
	}
	if _, err := a.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}

// While the database refuses connections a write is answered
// storage_unavailable and writes nothing; once it takes them again,
// writes succeed on the same store.
func TestServerAwayAnswersUnavailable(t *testing.T) {
	dsn := server(t)
	ctx := context.Background()
	db := open(t, dsn)
	party := func(slug string) error {
		_, err := db.CreateParty(ctx, moudesk.System, desk.Party{Slug: slug, Name: slug, Kind: "city", Body: "Council"})
		return err
	}
	if err := party("before"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := pgx.Connect(ctx, os.Getenv(teststore.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	exec := func(q string) {
		t.Helper()
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec("ALTER DATABASE " + name + " CONNECTION LIMIT 0")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'")
	err = party("during")
	if e, ok := moudesk.AsError(err); !ok || e.Kind != moudesk.KindUnavailable || e.Code != "storage_unavailable" {
		t.Fatalf("write while the database is away = %v, want storage_unavailable", err)
	}
	exec("ALTER DATABASE " + name + " CONNECTION LIMIT -1")
	if err := party("after"); err != nil {
		t.Fatalf("write once the database is back: %v", err)
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, p := range parties {
		slugs = append(slugs, p.Slug)
	}
	if got := strings.Join(slugs, " "); got != "after before" && got != "before after" {
		t.Fatalf("parties %q, want before and after only", got)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
