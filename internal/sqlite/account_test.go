package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/testtool"
)

func openWithClock(t *testing.T) (*DB, *testtool.Clock) {
	t.Helper()
	clock := testtool.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "moudesk.db"), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clock
}

func countOf(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowForTest(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var clerk = desk.NewUser{Email: "clerk@city.example", Name: "Pat Clerk", Roles: []auth.Role{auth.RoleClerk}}

// TestAcceptInvitationOnce: an invitation sets the account's first
// password once, before it expires, and never over a password; each
// refusal changes no row.
func TestAcceptInvitationOnce(t *testing.T) {
	ctx := context.Background()
	db, clock := openWithClock(t)
	admin := moudesk.Actor{UserID: 1, Email: "admin@example", Credential: moudesk.Credential{Kind: moudesk.CredSession, ID: 4}}
	_, inv, err := db.CreateInvitedUser(ctx, admin, clerk, desk.NewInvitation{TokenHash: auth.HashToken("mdi_a"), ExpiresAt: clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	u, hash, err := db.UserByEmail(ctx, clerk.Email)
	if err != nil || hash != "" || u.Active {
		t.Fatalf("invited account: %+v hash %q %v; want no password", u, hash, err)
	}
	got, err := db.Invitation(ctx, auth.HashToken("mdi_a"))
	if err != nil || got.ID != inv.ID || got.User.Email != clerk.Email || got.UsedAt != nil {
		t.Fatalf("Invitation = %+v, %v", got, err)
	}
	if _, err := db.Invitation(ctx, auth.HashToken("mdi_b")); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("unknown invitation: %v", err)
	}

	t.Run("ErrExpired", func(t *testing.T) {
		clock.Advance(2 * time.Hour)
		defer clock.Advance(-2 * time.Hour)
		before := countOf(t, db, "SELECT count(*) FROM audit_events")
		if _, err := db.AcceptInvitation(ctx, inv.ID, "$argon2id$x", "192.0.2.1"); !moudesk.IsKind(err, moudesk.KindNotFound) {
			t.Fatalf("expired invitation: %v", err)
		}
		if countOf(t, db, "SELECT count(*) FROM users WHERE password_hash != ''") != 0 || countOf(t, db, "SELECT count(*) FROM audit_events") != before {
			t.Fatal("a refused invitation wrote")
		}
	})
	t.Run("OK", func(t *testing.T) {
		u, err := db.AcceptInvitation(ctx, inv.ID, "$argon2id$first", "192.0.2.1")
		if err != nil || !u.Active || u.MustChangePassword {
			t.Fatalf("accept = %+v, %v", u, err)
		}
	})
	t.Run("ErrUsedTwice", func(t *testing.T) {
		if _, err := db.AcceptInvitation(ctx, inv.ID, "$argon2id$second", "192.0.2.1"); !moudesk.IsKind(err, moudesk.KindNotFound) {
			t.Fatalf("second use: %v", err)
		}
		if _, hash, _ := db.UserByEmail(ctx, clerk.Email); hash != "$argon2id$first" {
			t.Fatalf("second use changed the password to %q", hash)
		}
	})
	t.Run("ErrReinviteActive", func(t *testing.T) {
		_, err := db.ReissueInvitation(ctx, admin, u.ID, desk.NewInvitation{TokenHash: auth.HashToken("mdi_c"), ExpiresAt: clock.Now().Add(time.Hour)})
		if e, ok := moudesk.AsError(err); !ok || e.Code != "already_active" {
			t.Fatalf("reinvite of an active account: %v", err)
		}
		if n := countOf(t, db, "SELECT count(*) FROM invitations"); n != 1 {
			t.Fatalf("%d invitations after a refused reinvite", n)
		}
	})
	// The audit names the invitation the password was set through.
	evs, err := db.AuditEvents(ctx, desk.AuditFilter{Object: "user:" + strconv.FormatInt(u.ID, 10), Limit: desk.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	var creds []string
	for _, ev := range evs {
		var d struct{ Credential string }
		_ = json.Unmarshal(ev.Details, &d)
		creds = append(creds, ev.Action+" "+d.Credential)
	}
	want := []string{"user.create session:4", "invitation.create session:4", "invitation.accept invitation:" + strconv.FormatInt(inv.ID, 10)}
	if len(creds) != len(want) {
		t.Fatalf("audit %v, want %v", creds, want)
	}
	for i := range want {
		if creds[i] != want[i] {
			t.Fatalf("audit %v, want %v", creds, want)
		}
	}
}

// TestReissueInvitationExpiresEarlier: a new link makes the older ones
// stop working.
func TestReissueInvitationExpiresEarlier(t *testing.T) {
	ctx := context.Background()
	db, clock := openWithClock(t)
	u, first, err := db.CreateInvitedUser(ctx, moudesk.System, clerk, desk.NewInvitation{TokenHash: auth.HashToken("mdi_1"), ExpiresAt: clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	second, err := db.ReissueInvitation(ctx, moudesk.System, u.ID, desk.NewInvitation{TokenHash: auth.HashToken("mdi_2"), ExpiresAt: clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptInvitation(ctx, first.ID, "$argon2id$old", ""); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("the replaced invitation still works: %v", err)
	}
	if _, err := db.AcceptInvitation(ctx, second.ID, "$argon2id$new", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReissueInvitation(ctx, moudesk.System, 999, desk.NewInvitation{TokenHash: auth.HashToken("mdi_3"), ExpiresAt: clock.Now()}); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("reinvite of no user: %v", err)
	}
}

// TestSetPasswordEndsOtherSessions: a new password signs out every
// session of the user but the one that made the change, and no other
// user's.
func TestSetPasswordEndsOtherSessions(t *testing.T) {
	ctx := context.Background()
	db, clock := openWithClock(t)
	mk := func(email string) *desk.User {
		nu := clerk
		nu.Email, nu.PasswordHash = email, "$argon2id$x"
		u, err := db.CreateUser(ctx, moudesk.System, nu)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	pat, sam := mk("pat@city.example"), mk("sam@city.example")
	for _, s := range []struct {
		u    *desk.User
		hash string
	}{{pat, "a"}, {pat, "b"}, {pat, "c"}, {sam, "d"}} {
		if err := db.CreateSession(ctx, s.u, s.hash, "csrf", clock.Now().Add(time.Hour), ""); err != nil {
			t.Fatal(err)
		}
	}
	_, keep, err := db.Session(ctx, "b", time.Hour)
	if err != nil || keep.ID == 0 {
		t.Fatalf("session b: %+v %v", keep, err)
	}
	ended, err := db.SetPassword(ctx, moudesk.Actor{UserID: pat.ID, Email: pat.Email}, desk.PasswordSet{UserID: pat.ID, Hash: "$argon2id$y", KeepSession: keep.ID, AuditAction: "user.password_change"})
	if err != nil || ended != 2 {
		t.Fatalf("SetPassword ended %d sessions, %v; want 2", ended, err)
	}
	for hash, alive := range map[string]bool{"a": false, "b": true, "c": false, "d": true} {
		if _, _, err := db.Session(ctx, hash, time.Hour); (err == nil) != alive {
			t.Errorf("session %s alive = %v, want %v", hash, err == nil, alive)
		}
	}
	if _, err := db.SetPassword(ctx, moudesk.System, desk.PasswordSet{UserID: 999, Hash: "$argon2id$z", AuditAction: "user.password_reset"}); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("SetPassword of no user: %v", err)
	}
}

// TestTokenUserNamesTheToken: authenticating a token gives its id, for
// the audit.
func TestTokenUserNamesTheToken(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	nu := clerk
	nu.PasswordHash = "$argon2id$x"
	u, err := db.CreateUser(ctx, moudesk.System, nu)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := db.CreateToken(ctx, moudesk.System, u.Email, "agenda", auth.HashToken("mdk_t"))
	if err != nil || tok.UserID != u.ID {
		t.Fatalf("CreateToken = %+v, %v", tok, err)
	}
	got, id, err := db.TokenUser(ctx, auth.HashToken("mdk_t"))
	if err != nil || got.ID != u.ID || id != tok.ID {
		t.Fatalf("TokenUser = %+v %d %v; want user %d token %d", got, id, err, u.ID, tok.ID)
	}
	mine, err := db.TokensOf(ctx, u.ID)
	if err != nil || len(mine) != 1 || mine[0].ID != tok.ID {
		t.Fatalf("TokensOf = %+v, %v", mine, err)
	}
	if _, err := db.Token(ctx, tok.ID+1); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("Token of no token: %v", err)
	}
}

// TestAuditRecordsCredential: an event's details name the session or
// token the act came through, inside the hash chain, which still verifies
// with events that name none; details cannot claim a credential.
func TestAuditRecordsCredential(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	byToken := moudesk.Actor{UserID: 3, Email: "c@x", Credential: moudesk.Credential{Kind: moudesk.CredToken, ID: 7}}
	if err := db.Audit(ctx, byToken, "test.act", "test:1", map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Audit(ctx, moudesk.System, "test.act", "test:2", nil); err != nil {
		t.Fatal(err)
	}
	evs, err := db.AuditEvents(ctx, desk.AuditFilter{Object: "test:1", Limit: desk.NoLimit})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v %v", evs, err)
	}
	if got := string(evs[0].Details); got != `{"credential":"token:7","k":"v"}` {
		t.Fatalf("details = %s", got)
	}
	if evs, _ := db.AuditEvents(ctx, desk.AuditFilter{Object: "test:2", Limit: desk.NoLimit}); string(evs[0].Details) != `{}` {
		t.Fatalf("system event details = %s", evs[0].Details)
	}
	if err := db.Audit(ctx, byToken, "test.act", "test:3", map[string]any{"credential": "session:1"}); err == nil {
		t.Fatal("details were allowed to name a credential")
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateInvitationsKeepsSessionsAndChain: migration 009 rebuilds
// sessions with ids and keeps them signed in, and the audit chain written
// before it verifies together with events that name credentials.
func TestMigrateInvitationsKeepsSessionsAndChain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_invitations.sql")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev, err := audit.Chain(genesisHash, audit.Event{Seq: 1, Time: now, Actor: "user:1 pat@city.example", Action: "login.success", Object: "user:1", Details: json.RawMessage(`{"addr":"192.0.2.1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, old, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES (1, 'pat@city.example', 'Pat', '$argon2id$x', ?)`, formatTime(now)); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('h1', 1, 'csrf1', ?, ?, ?)`,
			formatTime(now), formatTime(now), formatTime(now.Add(24*time.Hour))); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO audit_events (seq, time, actor, action, object, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ev.Seq, formatTime(ev.Time), ev.Actor, ev.Action, ev.Object, string(ev.Details), ev.PrevHash, ev.Hash)
		return err
	})
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{Now: func() time.Time { return now.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, info, err := db.Session(ctx, "h1", time.Hour)
	if err != nil || u.ID != 1 || info.ID == 0 || info.CSRF != "csrf1" || !u.Active || u.MustChangePassword {
		t.Fatalf("session after migration: %+v %+v %v", u, info, err)
	}
	actor := desk.ActorOf(u.Principal(auth.ViaSession, info.ID), "192.0.2.1")
	if err := db.Audit(ctx, actor, "test.act", "test:1", nil); err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 2 {
		t.Fatalf("verify after migration: %d events, %v", n, err)
	}
}
