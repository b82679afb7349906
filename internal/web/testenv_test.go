package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
)

// testPublicURL is the public base URL test servers print in footers.
const testPublicURL = "https://moudesk.example.org"

// testHasher keeps password hashing cheap in tests.
var testHasher = teststore.Hasher

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
	return startTestServerOpt(t, sqlite.Options{}, parties...)
}

// startTestServerClock is startTestServer whose store takes every time
// it stores from now: a replay of events at their own dates (a report
// submitted after its due day) while the server judges them by today.
func startTestServerClock(t testing.TB, now func() time.Time, parties ...desk.Party) (db *sqlite.DB, url string, token func(email, party string, role auth.Role) string) {
	t.Helper()
	db, ts, token := startTestServerOpt(t, sqlite.Options{Now: now}, parties...)
	return db, ts.URL, token
}

// StartTestServerClock lets the external web_test package share it.
var StartTestServerClock = startTestServerClock

func startTestServerOpt(t testing.TB, opt sqlite.Options, parties ...desk.Party) (db *sqlite.DB, ts *httptest.Server, token func(email, party string, role auth.Role) string) {
	t.Helper()
	ctx := context.Background()
	db = teststore.OpenWith(t, opt)
	for _, p := range parties {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	token = func(email, party string, role auth.Role) string {
		t.Helper()
		teststore.User(t, db, desk.NewUser{Email: email, Name: email, PartySlug: party, Roles: []auth.Role{role}}, "correct horse battery staple")
		return teststore.Token(t, db, email, "test")
	}
	// Signing keys come from a CA made for this server; tests fetch its
	// certificate from /api/v1/ca.pem to trust it.
	svc := teststore.Service(t, db)
	// Every JSON answer is checked against the API contract
	// (openapi_test.go).
	ts = httptest.NewServer(validateAPI(t, New(Config{Service: svc, Hasher: testHasher, PublicURL: testPublicURL}).Handler()))
	t.Cleanup(ts.Close)
	return db, ts, token
}

// StartTestServer lets the external web_test package share the setup.
var StartTestServer = startTestServer

// testService is a service on db with the shipped workflows, for tests
// that set up state below the HTTP layer.
func testService(t testing.TB, db *sqlite.DB) *desk.Service {
	t.Helper()
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: shipped.Templates(t)})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
