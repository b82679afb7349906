package web

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/templates"
)

// testPublicURL is the public base URL test servers print in footers.
const testPublicURL = "https://moudesk.example.org"

// testHasher keeps password hashing cheap in tests.
var testHasher = auth.Hasher{Memory: 256, Time: 1, Threads: 1}

// startTestServer runs the real router on a real SQLite file holding the
// shipped library, the shipped templates and the given parties. token
// creates a user of a party ("" for none) with one role and returns a
// bearer token for it.
func startTestServer(t testing.TB, parties ...desk.Party) (db *sqlite.DB, url string, token func(email, party string, role auth.Role) string) {
	t.Helper()
	db, ts, token := startTestServerTS(t, parties...)
	return db, ts.URL, token
}

// startTestServerTS is startTestServer returning the server itself, for
// callers that drive its handler in process (the demo loader).
func startTestServerTS(t testing.TB, parties ...desk.Party) (db *sqlite.DB, ts *httptest.Server, token func(email, party string, role auth.Role) string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "moudesk.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncLibrary(ctx, lib); err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(templates.FS, "mou")
	if err != nil {
		t.Fatal(err)
	}
	tmpls, err := mou.LoadTemplates(sub, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parties {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	token = func(email, party string, role auth.Role) string {
		t.Helper()
		hash, err := testHasher.Hash("correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: email, Name: email, PartySlug: party, Roles: []auth.Role{role}, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		plain, th, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, moudesk.System, email, "test", th); err != nil {
			t.Fatal(err)
		}
		return plain
	}
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Signing keys come from a CA made for this server; tests fetch its
	// certificate from /api/v1/ca.pem to trust it.
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: tmpls, Keys: &pdfsign.Keys{Authority: ca}})
	if err != nil {
		t.Fatal(err)
	}
	ts = httptest.NewServer(New(Config{Service: svc, Hasher: testHasher, PublicURL: testPublicURL}).Handler())
	t.Cleanup(ts.Close)
	return db, ts, token
}

// StartTestServer lets the external web_test package share the setup.
var StartTestServer = startTestServer
