package teststore

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// Hasher is the cheap hasher (256 KiB, one pass) of fixture passwords.
// A hash carries its parameters, so a server verifies it whatever hasher
// it was given; test servers are given this one so that what they hash
// is cheap too.
var Hasher = auth.Hasher{Memory: 256, Time: 1, Threads: 1}

// Service is the service on db as cmd/moudesk builds it: the shipped
// workflows and templates, and signing keys from a CA made for this test.
func Service(tb testing.TB, db *sqlite.DB) *desk.Service {
	tb.Helper()
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(tb), Templates: shipped.Templates(tb), Keys: &pdfsign.Keys{Authority: ca}})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// User creates the account u with password (hashed with Hasher), as a
// fixture: through the store, not the service's invitation.
func User(tb testing.TB, db *sqlite.DB, u desk.NewUser, password string) *desk.User {
	tb.Helper()
	hash, err := Hasher.Hash(password)
	if err != nil {
		tb.Fatal(err)
	}
	u.PasswordHash = hash
	out, err := db.CreateUser(context.Background(), moudesk.System, u)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Token gives the account email an API token labelled label, as a
// fixture, and returns its secret.
func Token(tb testing.TB, db *sqlite.DB, email, label string) string {
	tb.Helper()
	plain, hash, err := auth.NewToken()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateToken(context.Background(), moudesk.System, email, label, hash); err != nil {
		tb.Fatal(err)
	}
	return plain
}

// Rows merges the row counts of the given kinds of table (db.MOURowCounts,
// db.WorkflowRowCounts, db.SigningRowCounts) into one map, for a test
// to show that a refused request wrote nothing.
func Rows(tb testing.TB, counts ...func(context.Context) (map[string]int, error)) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, count := range counts {
		m, err := count(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		maps.Copy(out, m)
	}
	return out
}
