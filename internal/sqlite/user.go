package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// CreateParty adds a party; a slug already used is a conflict.
func (db *DB) CreateParty(ctx context.Context, actor moudesk.Actor, p desk.Party) (*desk.Party, error) {
	if !validSlug(p.Slug) {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "invalid_slug", "party slug %q must be lowercase letters, digits and hyphens", p.Slug)
	}
	switch p.Kind {
	case "city", "district", "agency":
	default:
		return nil, moudesk.Errorf(moudesk.KindInvalid, "invalid_kind", "party kind must be city, district or agency, not %q", p.Kind)
	}
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Body) == "" {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "missing_field", "a party needs a name and a governing body")
	}
	// The name and body print on every signing PDF, certificate and page;
	// the admin page reaches here with whatever a form carried.
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"body", p.Body}} {
		if err := checkText(f.name, f.v, maxShortText, true); err != nil {
			return nil, err
		}
	}
	err := db.update(ctx, func(tx *Tx) error {
		id, err := insertID(ctx, tx, "INSERT INTO parties (slug, name, kind, body, created_at) VALUES (?, ?, ?, ?, ?)", p.Slug, p.Name, p.Kind, p.Body, tx.Now())
		if isUnique(err) {
			return moudesk.Errorf(moudesk.KindConflict, "already_exists", "party %q already exists", p.Slug)
		}
		if err != nil {
			return storageError("insert party", err)
		}
		p.ID = id
		return tx.audit(ctx, actor, "party.create", "party:"+p.Slug, map[string]any{"name": p.Name, "kind": p.Kind, "body": p.Body})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Parties lists every party by slug.
func (db *DB) Parties(ctx context.Context) ([]desk.Party, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id, slug, name, kind, body FROM parties ORDER BY slug")
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	defer rows.Close()
	out := []desk.Party{}
	for rows.Next() {
		var p desk.Party
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Kind, &p.Body); err != nil {
			return nil, fmt.Errorf("scan party: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateUser adds an account. An unknown party slug is an error.
func (db *DB) CreateUser(ctx context.Context, actor moudesk.Actor, nu desk.NewUser) (*desk.User, error) {
	nu.Email = strings.TrimSpace(nu.Email)
	var u *desk.User
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		u, err = tx.insertUser(ctx, actor, nu)
		return err
	})
	return u, err
}

// insertUser adds a checked account. The audit says how its password was
// set: by whoever created it ("set"), or not yet ("invited").
func (tx *Tx) insertUser(ctx context.Context, actor moudesk.Actor, nu desk.NewUser) (*desk.User, error) {
	var partyID any
	if nu.PartySlug != "" {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM parties WHERE slug = ?", nu.PartySlug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_party", Field: "party", Message: fmt.Sprintf("no party with slug %q", nu.PartySlug)}
		}
		if err != nil {
			return nil, storageError("read party", err)
		}
		partyID = id
	}
	id, err := insertID(ctx, tx, "INSERT INTO users (email, name, title, party_id, password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		nu.Email, nu.Name, nu.Title, partyID, nu.PasswordHash, nu.MustChangePassword, tx.Now())
	if isUnique(err) {
		return nil, &moudesk.Error{Kind: moudesk.KindConflict, Code: "already_exists", Field: "email", Message: fmt.Sprintf("a user with e-mail %q already exists", nu.Email)}
	}
	if err != nil {
		return nil, storageError("insert user", err)
	}
	for _, r := range nu.Roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING", id, string(r)); err != nil {
			return nil, storageError("insert role", err)
		}
	}
	u := &desk.User{ID: id, Email: nu.Email, Name: nu.Name, Title: nu.Title, PartySlug: nu.PartySlug, Roles: nu.Roles,
		Active: nu.PasswordHash != "", MustChangePassword: nu.MustChangePassword}
	password := "invited"
	if nu.PasswordHash != "" {
		password = "set"
	}
	details := map[string]any{"email": nu.Email, "name": nu.Name, "title": nu.Title, "party": nu.PartySlug,
		"roles": auth.FormatRoles(nu.Roles), "password": password}
	if nu.MustChangePassword {
		details["must_change_password"] = true
	}
	return u, tx.audit(ctx, actor, "user.create", fmt.Sprintf("user:%d", id), details)
}

// CountUsers is used at start to decide whether to create the first admin.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

const userCols = `u.id, u.email, u.name, u.title, coalesce(p.slug, ''), u.disabled,
	u.password_hash != '', u.must_change_password,
	(SELECT string_agg(role, ',') FROM user_roles r WHERE r.user_id = u.id)`

const userFrom = ` FROM users u LEFT JOIN parties p ON p.id = u.party_id `

func scanUser(r rowScanner, extra ...any) (*desk.User, error) {
	var u desk.User
	var roles sql.NullString
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.Title, &u.PartySlug, &u.Disabled, &u.Active, &u.MustChangePassword, &roles}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	u.Roles = []auth.Role{}
	if roles.Valid && roles.String != "" {
		rs, err := auth.ParseRoles(roles.String)
		if err != nil {
			return nil, fmt.Errorf("stored roles of user %d: %w", u.ID, err)
		}
		u.Roles = rs
	}
	return &u, nil
}

// UserByEmail returns the user and the stored password hash, for login.
func (db *DB) UserByEmail(ctx context.Context, email string) (*desk.User, string, error) {
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+", u.password_hash"+userFrom+"WHERE u.email = ?", strings.TrimSpace(email)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", moudesk.ErrNotFound("user")
	}
	if err != nil {
		return nil, "", fmt.Errorf("read user: %w", err)
	}
	return u, hash, nil
}

// UserByID returns one user.
func (db *DB) UserByID(ctx context.Context, id int64) (*desk.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+userFrom+"WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("user %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

// Users lists every account.
func (db *DB) Users(ctx context.Context) ([]desk.User, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+userCols+userFrom+"ORDER BY u.email")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return collect(rows, "users", func(r rowScanner) (*desk.User, error) { return scanUser(r) })
}

// CreateSession stores a new session by the hash of its id. Its sign-in
// is audited as the user acting through the new session.
func (db *DB) CreateSession(ctx context.Context, u *desk.User, idHash, csrf string, expires time.Time, addr string) error {
	return db.update(ctx, func(tx *Tx) error {
		id, err := insertID(ctx, tx, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			idHash, u.ID, csrf, tx.Now(), tx.Now(), formatTime(expires))
		if err != nil {
			return storageError("insert session", err)
		}
		actor := moudesk.Actor{UserID: u.ID, Email: u.Email, Addr: addr, Credential: moudesk.Credential{Kind: moudesk.CredSession, ID: id}}
		return tx.audit(ctx, actor, "login.success", fmt.Sprintf("user:%d", u.ID), map[string]any{"addr": addr})
	})
}

// Session looks a session up by the hash of its id. It fails with 401 when
// the session is unknown, past its absolute expiry or idle too long, and
// refreshes last_seen at most once a minute so reads stay reads.
func (db *DB) Session(ctx context.Context, idHash string, idle time.Duration) (*desk.User, desk.SessionInfo, error) {
	var lastSeen, expires string
	var info desk.SessionInfo
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+", s.id, s.last_seen_at, s.expires_at, s.csrf_token"+userFrom+
		"JOIN sessions s ON s.user_id = u.id WHERE s.id_hash = ?", idHash), &info.ID, &lastSeen, &expires, &info.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, desk.SessionInfo{}, moudesk.Errorf(moudesk.KindUnauthorized, "unauthenticated", "your session has ended; sign in again")
	}
	if err != nil {
		return nil, desk.SessionInfo{}, fmt.Errorf("read session: %w", err)
	}
	now := db.now()
	if u.Disabled || now.After(parseTime(expires)) || now.Sub(parseTime(lastSeen)) > idle {
		_ = db.DeleteSession(ctx, idHash)
		return nil, desk.SessionInfo{}, moudesk.Errorf(moudesk.KindUnauthorized, "unauthenticated", "your session has expired; sign in again")
	}
	if now.Sub(parseTime(lastSeen)) > time.Minute {
		_, err := db.write.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", formatTime(now), idHash)
		if err != nil {
			return nil, desk.SessionInfo{}, storageError("touch session", err)
		}
	}
	return u, info, nil
}

// DeleteSession ends a session (logout).
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := db.write.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	if err != nil {
		return storageError("delete session", err)
	}
	return nil
}

// CreateToken stores the hash of a new API token for the user with email.
func (db *DB) CreateToken(ctx context.Context, actor moudesk.Actor, email, label, tokenHash string) (*desk.APIToken, error) {
	if err := checkText("label", label, maxShortText, false); err != nil {
		return nil, err
	}
	u, _, err := db.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	var t *desk.APIToken
	err = db.update(ctx, func(tx *Tx) error {
		id, err := insertID(ctx, tx, "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)", u.ID, tokenHash, label, tx.Now())
		if err != nil {
			return storageError("insert token", err)
		}
		t = &desk.APIToken{ID: id, UserID: u.ID, UserEmail: u.Email, Label: label, CreatedAt: tx.now.UTC()}
		return tx.audit(ctx, actor, "token.create", fmt.Sprintf("token:%d", id), map[string]any{"user": u.Email, "label": label})
	})
	return t, err
}

// RevokeToken revokes a token by id; revoking twice is not an error.
func (db *DB) RevokeToken(ctx context.Context, actor moudesk.Actor, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", tx.Now(), id)
		if err != nil {
			return storageError("revoke token", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return moudesk.ErrNotFound(fmt.Sprintf("token %d", id))
		}
		return tx.audit(ctx, actor, "token.revoke", fmt.Sprintf("token:%d", id), nil)
	})
}

const tokenSelect = "SELECT t.id, t.user_id, u.email, t.label, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id "

func scanToken(r rowScanner) (*desk.APIToken, error) {
	var t desk.APIToken
	var created string
	var revoked sql.NullString
	if err := r.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Label, &created, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt = parseTime(created)
	if revoked.Valid {
		rt := parseTime(revoked.String)
		t.RevokedAt = &rt
	}
	return &t, nil
}

// Tokens lists every token.
func (db *DB) Tokens(ctx context.Context) ([]desk.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, tokenSelect+"ORDER BY t.id")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return collect(rows, "tokens", scanToken)
}

// TokensOf lists the tokens of one user.
func (db *DB) TokensOf(ctx context.Context, userID int64) ([]desk.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, tokenSelect+"WHERE t.user_id = ? ORDER BY t.id", userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return collect(rows, "tokens", scanToken)
}

// Token is one token by id.
func (db *DB) Token(ctx context.Context, id int64) (*desk.APIToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, tokenSelect+"WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("token %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// TokenUser authenticates a bearer token by its hash and returns the user
// it acts for and its id: unknown, revoked or disabled → 401.
func (db *DB) TokenUser(ctx context.Context, tokenHash string) (*desk.User, int64, error) {
	var revoked sql.NullString
	var id int64
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+", t.id, t.revoked_at"+userFrom+
		"JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ?", tokenHash), &id, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked.Valid || u.Disabled)) {
		return nil, 0, moudesk.Errorf(moudesk.KindUnauthorized, "invalid_token", "the API token is unknown or revoked")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read token: %w", err)
	}
	return u, id, nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// SetPassword replaces a user's password, sets or lifts the requirement
// to change it, and deletes the user's sessions but ps.KeepSession, all in
// one transaction with its audit event.
func (db *DB) SetPassword(ctx context.Context, actor moudesk.Actor, ps desk.PasswordSet) (int, error) {
	if ps.Hash == "" || ps.AuditAction == "" {
		return 0, errors.New("set password: no hash or no audit action")
	}
	var ended int
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?", ps.Hash, ps.MustChange, ps.UserID)
		if err != nil {
			return storageError("set password", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return moudesk.ErrNotFound(fmt.Sprintf("user %d", ps.UserID))
		}
		res, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND id != ?", ps.UserID, ps.KeepSession)
		if err != nil {
			return storageError("end sessions", err)
		}
		n, _ := res.RowsAffected()
		ended = int(n)
		details := map[string]any{"sessions_ended": ended, "must_change_password": ps.MustChange}
		for k, v := range ps.AuditDetails {
			details[k] = v
		}
		return tx.audit(ctx, actor, ps.AuditAction, fmt.Sprintf("user:%d", ps.UserID), details)
	})
	return ended, err
}
