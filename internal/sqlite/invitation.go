package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// CreateInvitedUser adds an account without a password and its first
// invitation, in one transaction: an account nobody can ever sign in to
// is never left behind without its link.
func (db *DB) CreateInvitedUser(ctx context.Context, actor moudesk.Actor, nu desk.NewUser, inv desk.NewInvitation) (*desk.User, *desk.Invitation, error) {
	nu.Email = strings.TrimSpace(nu.Email)
	if nu.PasswordHash != "" {
		return nil, nil, errors.New("create invited user: an invited account has no password")
	}
	var u *desk.User
	var out *desk.Invitation
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		if u, err = tx.insertUser(ctx, actor, nu); err != nil {
			return err
		}
		out, err = tx.insertInvitation(ctx, actor, u, inv)
		return err
	})
	return u, out, err
}

// ReissueInvitation gives an account that has no password yet a new
// invitation; its earlier ones expire now.
func (db *DB) ReissueInvitation(ctx context.Context, actor moudesk.Actor, userID int64, inv desk.NewInvitation) (*desk.Invitation, error) {
	var out *desk.Invitation
	err := db.update(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+userFrom+"WHERE u.id = ?", userID))
		if errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound(fmt.Sprintf("user %d", userID))
		}
		if err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		if u.Active {
			return moudesk.Errorf(moudesk.KindConflict, "already_active", "%s has set a password already; only an account without one can be invited", u.Email)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE invitations SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
			tx.Now(), userID, tx.Now()); err != nil {
			return storageError("expire invitations", err)
		}
		out, err = tx.insertInvitation(ctx, actor, u, inv)
		return err
	})
	return out, err
}

func (tx *Tx) insertInvitation(ctx context.Context, actor moudesk.Actor, u *desk.User, inv desk.NewInvitation) (*desk.Invitation, error) {
	id, err := insertID(ctx, tx, "INSERT INTO invitations (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
		u.ID, inv.TokenHash, tx.Now(), formatTime(inv.ExpiresAt))
	if err != nil {
		return nil, storageError("insert invitation", err)
	}
	out := &desk.Invitation{ID: id, User: *u, CreatedAt: tx.now.UTC(), ExpiresAt: inv.ExpiresAt.UTC()}
	return out, tx.audit(ctx, actor, "invitation.create", fmt.Sprintf("user:%d", u.ID), map[string]any{
		"invitation": id, "email": u.Email, "expires_at": formatTime(inv.ExpiresAt)})
}

// Invitation is the invitation with the token hash and its account.
func (db *DB) Invitation(ctx context.Context, tokenHash string) (*desk.Invitation, error) {
	var inv desk.Invitation
	var created, expires string
	var used sql.NullString
	u, err := scanUser(db.read.QueryRowContext(ctx, "SELECT "+userCols+", i.id, i.created_at, i.expires_at, i.used_at"+userFrom+
		"JOIN invitations i ON i.user_id = u.id WHERE i.token_hash = ?", tokenHash), &inv.ID, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound("invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("read invitation: %w", err)
	}
	inv.User = *u
	inv.CreatedAt, inv.ExpiresAt = parseTime(created), parseTime(expires)
	if used.Valid {
		t := parseTime(used.String)
		inv.UsedAt = &t
	}
	return &inv, nil
}

// AcceptInvitation sets the account's first password through invitation
// id. The invitation is marked used only while it is unused and
// unexpired and the account has no password, so two uses of one link, or
// a use racing a reissue, set one password at most; otherwise it is not
// found.
func (db *DB) AcceptInvitation(ctx context.Context, id int64, passwordHash, addr string) (*desk.User, error) {
	if passwordHash == "" {
		return nil, errors.New("accept invitation: no password hash")
	}
	var u *desk.User
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?
			AND (SELECT password_hash FROM users WHERE users.id = invitations.user_id) = ''`, tx.Now(), id, tx.Now())
		if err != nil {
			return storageError("use invitation", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return moudesk.ErrNotFound(fmt.Sprintf("usable invitation %d", id))
		}
		var userID int64
		if err := tx.QueryRowContext(ctx, "SELECT user_id FROM invitations WHERE id = ?", id).Scan(&userID); err != nil {
			return fmt.Errorf("read invitation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?", passwordHash, userID); err != nil {
			return storageError("set password", err)
		}
		u, err = scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+userFrom+"WHERE u.id = ?", userID))
		if err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		actor := moudesk.Actor{UserID: u.ID, Email: u.Email, Addr: addr, Credential: moudesk.Credential{Kind: moudesk.CredInvitation, ID: id}}
		return tx.audit(ctx, actor, "invitation.accept", fmt.Sprintf("user:%d", u.ID), map[string]any{"invitation": id, "addr": addr})
	})
	return u, err
}
