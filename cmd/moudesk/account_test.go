package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// operatorDB makes a database with a party and an operator's own account
// (password "the operator's password").
func operatorDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "moudesk.db")
	if _, _, err := runCmd(t, db, "", "party", "add", "--slug", "pusd", "--name", "Pleasanton Unified", "--kind", "district", "--body", "Board of Trustees"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "the operator's password\n", "user", "add", "--email", "ops@pusd.example", "--name", "Ops", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	return db
}

func queryDB(t *testing.T, db, query string, args ...any) string {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var out sql.NullString
	if err := raw.QueryRow(query, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out.String
}

func execDB(t *testing.T, db, query string, args ...any) {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestTokenCreateNeedsOwnPassword: at the console a token is made only
// with the password of the account it acts for; an operator cannot mint
// one for a clerk whose password they do not know, and a refusal stores
// nothing.
func TestTokenCreateNeedsOwnPassword(t *testing.T) {
	db := operatorDB(t)
	if _, _, err := runCmd(t, db, "", "user", "invite", "--email", "clerk@pusd.example", "--name", "Dana Clerk", "--role", "clerk", "--party", "pusd"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		exit        int
	}{
		{"ErrNoPassword", "", []string{"--email", "clerk@pusd.example", "--label", "votes"}, 2},
		{"ErrInvitedClerk", "the operator's password\n", []string{"--email", "clerk@pusd.example", "--label", "votes", "--password-stdin"}, 1},
		{"ErrWrongPassword", "a guess at the password\n", []string{"--email", "ops@pusd.example", "--label", "votes", "--password-stdin"}, 1},
		{"ErrNoLabel", "the operator's password\n", []string{"--email", "ops@pusd.example", "--password-stdin"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCmd(t, db, tc.stdin, append([]string{"token", "create"}, tc.args...)...)
			if exitCode(err) != tc.exit || out != "" {
				t.Fatalf("token create = %q, exit %d (%v); want exit %d and no token", out, exitCode(err), err, tc.exit)
			}
			if n := queryDB(t, db, "SELECT count(*) FROM api_tokens"); n != "0" {
				t.Fatalf("%s tokens stored after a refusal", n)
			}
		})
	}
	out, _, err := runCmd(t, db, "the operator's password\n", "token", "create", "--email", "ops@pusd.example", "--label", "agenda", "--password-stdin")
	if err != nil || !strings.HasPrefix(out, "mdk_") {
		t.Fatalf("token create = %q, %v", out, err)
	}
	owner := queryDB(t, db, "SELECT u.email FROM api_tokens t JOIN users u ON u.id = t.user_id")
	audited := queryDB(t, db, "SELECT actor || ' ' || details FROM audit_events WHERE action = 'token.create'")
	if owner != "ops@pusd.example" || !strings.Contains(audited, "ops@pusd.example") || !strings.Contains(audited, `"credential":"password"`) {
		t.Fatalf("token of %s, audited as %s", owner, audited)
	}
}

var linkLine = regexp.MustCompile(`^https://desk\.example\.org/invite\?token=mdi_[A-Za-z0-9_-]{43}\n$`)

// TestUserInvitePrintsLink: user invite creates an account without a
// password and prints its one-time link, alone, stored only as a hash.
func TestUserInvitePrintsLink(t *testing.T) {
	db := operatorDB(t)
	out, _, err := runCmd(t, db, "", "user", "invite", "--email", "super@pusd.example", "--name", "Zoë Super", "--role", "signatory",
		"--party", "pusd", "--title", "Superintendent", "--public-url", "https://desk.example.org/")
	if err != nil || !linkLine.MatchString(out) {
		t.Fatalf("user invite printed %q, %v", out, err)
	}
	token := strings.TrimSpace(out[strings.Index(out, "mdi_"):])
	if queryDB(t, db, "SELECT password_hash FROM users WHERE email = 'super@pusd.example'") != "" {
		t.Fatal("the invited account has a password")
	}
	if n := queryDB(t, db, "SELECT count(*) FROM invitations WHERE token_hash = ?", auth.HashToken(token)); n != "1" {
		t.Fatal("no invitation stored by hash")
	}
	if n := queryDB(t, db, "SELECT count(*) FROM audit_events WHERE details LIKE ?", "%"+token+"%"); n != "0" {
		t.Fatal("the audit holds the link's secret")
	}
	if got := queryDB(t, db, "SELECT details FROM audit_events WHERE action = 'invitation.create'"); !strings.Contains(got, `"credential":"console"`) {
		t.Fatalf("invitation audited as %s", got)
	}
	if _, _, err := runCmd(t, db, "", "user", "invite", "--email", "super@pusd.example", "--name", "Again", "--role", "signatory"); err == nil {
		t.Fatal("a second invitation to the same address made an account")
	}
}

// TestUserAddRefusesSignatory: a signatory's password is never one the
// operator chose.
func TestUserAddRefusesSignatory(t *testing.T) {
	db := operatorDB(t)
	_, _, err := runCmd(t, db, "a long enough password\n", "user", "add", "--email", "chief@pusd.example", "--name", "Chief", "--role", "reviewer,signatory", "--party", "pusd", "--password-stdin")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "user invite") {
		t.Fatalf("user add of a signatory = %v; want exit 2 pointing to invite", err)
	}
	if n := queryDB(t, db, "SELECT count(*) FROM users"); n != "1" {
		t.Fatalf("%s users; the signatory was added", n)
	}
}

// TestUserPasswdResets: the operator's recovery sets a temporary
// password, ends every session of the account, and makes its owner choose
// a new one.
func TestUserPasswdResets(t *testing.T) {
	db := operatorDB(t)
	execDB(t, db, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('h', 1, 'c', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z')")
	if _, _, err := runCmd(t, db, "", "user", "passwd", "--email", "ops@pusd.example"); exitCode(err) != 2 {
		t.Fatalf("passwd without --password-stdin = %v", err)
	}
	if _, _, err := runCmd(t, db, "short\n", "user", "passwd", "--email", "ops@pusd.example", "--password-stdin"); err == nil {
		t.Fatal("passwd took a short password")
	}
	if _, _, err := runCmd(t, db, "a temporary password\n", "user", "passwd", "--email", "nobody@pusd.example", "--password-stdin"); err == nil {
		t.Fatal("passwd of no account succeeded")
	}
	if n := queryDB(t, db, "SELECT count(*) FROM sessions"); n != "1" {
		t.Fatal("a refused reset ended sessions")
	}
	out, _, err := runCmd(t, db, "a temporary password\n", "user", "passwd", "--email", "ops@pusd.example", "--password-stdin")
	if err != nil || !strings.Contains(out, "must set a new password") {
		t.Fatalf("passwd = %q, %v", out, err)
	}
	if n := queryDB(t, db, "SELECT count(*) FROM sessions"); n != "0" {
		t.Fatal("the reset left a session signed in")
	}
	if must := queryDB(t, db, "SELECT must_change_password FROM users WHERE email = 'ops@pusd.example'"); must != "1" {
		t.Fatal("the reset password need not be changed")
	}
	// A temporary password makes no token: its owner sets their own first.
	if _, _, err := runCmd(t, db, "a temporary password\n", "token", "create", "--email", "ops@pusd.example", "--label", "x", "--password-stdin"); err == nil ||
		!strings.Contains(err.Error(), "password_change_required") {
		t.Fatalf("token with a temporary password = %v", err)
	}
}

// TestFirstAdminMustChangePassword: the first administrator, whose
// password is printed in the log, must set their own at first sign-in.
func TestFirstAdminMustChangePassword(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := &env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}
	if err := e.firstAdmin(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	u, _, err := db.UserByEmail(ctx, "admin@moudesk.local")
	if err != nil || !u.MustChangePassword || !u.Active {
		t.Fatalf("first admin: %+v, %v; want must change password", u, err)
	}
}
