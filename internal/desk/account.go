package desk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mail"
)

// The account use cases. No one acts as anyone else (docs/design.md "Parties
// and authority"): a token is created by and for the signed-in user only;
// an admin creates an account without a password and gets a one-time
// link for its owner, who sets the password; changing a password needs
// the current one and ends the user's other sessions.

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationURL is the link to send for an invitation's secret, on the
// server at base (its public URL). The secret is in the query, not the
// path, so the request log, which writes paths, never holds it.
func InvitationURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/invite?token=" + url.QueryEscape(secret)
}

// Accounts is what the account use cases need of the store beyond Reader
// and Writer. Each write runs in one transaction with its audit event.
type Accounts interface {
	// Token is one token with its owner; not found when there is none.
	Token(ctx context.Context, id int64) (*APIToken, error)
	// TokensOf lists one user's tokens, oldest first.
	TokensOf(ctx context.Context, userID int64) ([]APIToken, error)
	// Invitation is the invitation with the token hash, used or not,
	// expired or not; not found when there is none.
	Invitation(ctx context.Context, tokenHash string) (*Invitation, error)

	// CreateInvitedUser adds an account without a password together with
	// its first invitation.
	CreateInvitedUser(ctx context.Context, actor moudesk.Actor, nu NewUser, inv NewInvitation) (*User, *Invitation, error)
	// ReissueInvitation gives an account that has no password yet a new
	// invitation and expires its earlier ones (409 already_active once it
	// has a password).
	ReissueInvitation(ctx context.Context, actor moudesk.Actor, userID int64, inv NewInvitation) (*Invitation, error)
	// AcceptInvitation sets the password of the invitation's account and
	// marks the invitation used, only if it is still unused, unexpired at
	// the transaction's time and the account has no password (404
	// invitation_invalid otherwise), audited as the account's owner acting
	// through the invitation.
	AcceptInvitation(ctx context.Context, id int64, passwordHash, addr string) (*User, error)
	// SetPassword replaces a user's password and ends their sessions but
	// keep (0: all of them).
	SetPassword(ctx context.Context, actor moudesk.Actor, ps PasswordSet) (ended int, err error)
}

// PasswordSet is one replacement of a password.
type PasswordSet struct {
	UserID       int64
	Hash         string
	MustChange   bool   // the owner must choose another at next sign-in
	KeepSession  int64  // the session that made the change stays signed in
	AuditAction  string // user.password_change (by the owner) or user.password_reset (by an operator)
	AuditDetails map[string]any
}

// CreateToken makes an API token for the caller and returns it with its
// secret, shown once. A token acts for the user who created it: there is
// no way to create one for anyone else. It takes a password, proved by a
// session or at the console (moudesk token create --password-stdin); a
// token cannot make more tokens, so a leaked one cannot outlive its
// revocation (403 session_required).
func (s *Service) CreateToken(ctx context.Context, actor moudesk.Actor, label string) (*APIToken, string, error) {
	if actor.UserID == 0 {
		return nil, "", moudesk.Errorf(moudesk.KindUnauthorized, "unauthenticated", "sign in to create an API token")
	}
	switch actor.Credential.Kind {
	case moudesk.CredSession, moudesk.CredPassword:
	default:
		return nil, "", moudesk.Errorf(moudesk.KindForbidden, "session_required", "API tokens are created from a signed-in session, not with another token")
	}
	if label == "" {
		return nil, "", &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "label", Message: "say what the token is for, for example \"agenda system\""}
	}
	plain, hash, err := auth.NewToken()
	if err != nil {
		return nil, "", err
	}
	t, err := s.store.CreateToken(ctx, actor, actor.Email, label, hash)
	if err != nil {
		return nil, "", err
	}
	return t, plain, nil
}

// MyTokens lists the caller's own tokens.
func (s *Service) MyTokens(ctx context.Context, actor moudesk.Actor) ([]APIToken, error) {
	return s.store.TokensOf(ctx, actor.UserID)
}

// RevokeMyToken revokes one of the caller's own tokens; another user's
// token is not found, as if it did not exist.
func (s *Service) RevokeMyToken(ctx context.Context, actor moudesk.Actor, id int64) error {
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != actor.UserID {
		return moudesk.ErrNotFound(fmt.Sprintf("token %d", id))
	}
	return s.store.RevokeToken(ctx, actor, id)
}

// RevokeToken revokes any user's token: an admin's act (admin.users),
// checked by the caller's route. Admins revoke tokens; they never mint them.
func (s *Service) RevokeToken(ctx context.Context, actor moudesk.Actor, id int64) error {
	return s.store.RevokeToken(ctx, actor, id)
}

// InviteUser creates an account without a password and an invitation to
// it; the link's secret is returned once, for the admin to send. Nobody
// but the invited person ever knows the password they set.
func (s *Service) InviteUser(ctx context.Context, actor moudesk.Actor, nu NewUser) (*User, *InvitationLink, error) {
	if nu.PasswordHash != "" || nu.MustChangePassword {
		return nil, nil, errors.New("desk: an invited account has no password")
	}
	nu.Email = strings.TrimSpace(nu.Email)
	if err := CheckNewUser(nu); err != nil {
		return nil, nil, err
	}
	plain, hash, err := auth.NewInvitationToken()
	if err != nil {
		return nil, nil, err
	}
	expires := s.now().Add(InvitationTTL).UTC().Truncate(time.Second)
	u, _, err := s.store.CreateInvitedUser(ctx, actor, nu, NewInvitation{TokenHash: hash, ExpiresAt: expires})
	if err != nil {
		return nil, nil, err
	}
	return u, &InvitationLink{Token: plain, ExpiresAt: expires}, nil
}

// Reinvite issues a new invitation to an account whose owner has not set
// a password yet (the first expired or was lost); earlier links stop
// working.
func (s *Service) Reinvite(ctx context.Context, actor moudesk.Actor, userID int64) (*InvitationLink, error) {
	plain, hash, err := auth.NewInvitationToken()
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(InvitationTTL).UTC().Truncate(time.Second)
	if _, err := s.store.ReissueInvitation(ctx, actor, userID, NewInvitation{TokenHash: hash, ExpiresAt: expires}); err != nil {
		return nil, err
	}
	return &InvitationLink{Token: plain, ExpiresAt: expires}, nil
}

// errInvitationInvalid is the one answer for an unknown, used or expired
// link: which of them it is helps only someone guessing.
func errInvitationInvalid() *moudesk.Error {
	return moudesk.Errorf(moudesk.KindNotFound, "invitation_invalid",
		"this invitation link is not valid: it was used already, has expired or was replaced; ask your administrator for a new one")
}

// OpenInvitation is the invitation behind a link's secret, while it can
// still be used: 404 invitation_invalid otherwise.
func (s *Service) OpenInvitation(ctx context.Context, plain string) (*Invitation, error) {
	if plain == "" || len(plain) > 128 {
		return nil, errInvitationInvalid()
	}
	inv, err := s.store.Invitation(ctx, auth.HashToken(plain))
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, errInvitationInvalid()
	}
	if err != nil {
		return nil, err
	}
	if inv.UsedAt != nil || !s.now().Before(inv.ExpiresAt) || inv.User.Active || inv.User.Disabled {
		return nil, errInvitationInvalid()
	}
	return inv, nil
}

// AcceptInvitation sets the invited person's own password through the
// link's secret; the link then stops working. The password is checked
// against the policy (400 weak_password) and hashed only for a link that
// works, so an unknown link costs no hashing.
func (s *Service) AcceptInvitation(ctx context.Context, h auth.Hasher, addr, plain, password string) (*User, error) {
	inv, err := s.OpenInvitation(ctx, plain)
	if err != nil {
		return nil, err
	}
	if err := checkNewPassword("password", password); err != nil {
		return nil, err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return nil, err
	}
	u, err := s.store.AcceptInvitation(ctx, inv.ID, hash, addr)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, errInvitationInvalid() // used or expired since it was opened
	}
	return u, err
}

// checkNewPassword is the password policy as a field error.
func checkNewPassword(field, pw string) error {
	if err := auth.CheckPasswordPolicy(pw); err != nil {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "weak_password", Field: field,
			Message: fmt.Sprintf("a password needs %d to %d characters", auth.MinPasswordLen, auth.MaxPasswordLen)}
	}
	return nil
}

// ChangePassword replaces the caller's password after checking the
// current one (403 wrong_password), and ends the
// caller's other sessions: whoever held one of them by the old password
// is out. The session that made the change stays signed in. It also
// lifts the requirement to change the password. Wrong current passwords
// are throttled like the signing ceremony's re-check, per account and
// address apart from sign-in: only a holder of the account's session or
// token gets here, so someone else's failed sign-ins cannot stop the
// owner from changing their password, while guessing is still slowed.
func (s *Service) ChangePassword(ctx context.Context, actor moudesk.Actor, h auth.Hasher, current, next string) error {
	if actor.UserID == 0 {
		return moudesk.Errorf(moudesk.KindUnauthorized, "unauthenticated", "sign in to change your password")
	}
	if current == "" {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "current", Message: "enter your current password"}
	}
	if err := checkNewPassword("new", next); err != nil {
		return err
	}
	if next == current {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "same_password", Field: "new", Message: "the new password must differ from the current one"}
	}
	ok, err := s.recheckPassword(ctx, actor.Email, actor.Addr, current)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.store.Audit(ctx, actor, "user.password_change_refused", fmt.Sprintf("user:%d", actor.UserID), map[string]any{"addr": actor.Addr}); err != nil {
			return err
		}
		return &moudesk.Error{Kind: moudesk.KindForbidden, Code: "wrong_password", Field: "current", Message: "the current password is not right"}
	}
	hash, err := h.Hash(next)
	if err != nil {
		return err
	}
	var keep int64
	if actor.Credential.Kind == moudesk.CredSession {
		keep = actor.Credential.ID
	}
	_, err = s.store.SetPassword(ctx, actor, PasswordSet{UserID: actor.UserID, Hash: hash, KeepSession: keep, AuditAction: "user.password_change"})
	return err
}

// ResetPassword is the operator's recovery (moudesk user passwd): it sets
// the password of the account with email, ends all its sessions, and
// makes its owner choose a new one at next sign-in, so the operator's
// choice does not stay in use.
func (s *Service) ResetPassword(ctx context.Context, actor moudesk.Actor, h auth.Hasher, email, password string) (*User, error) {
	if err := checkNewPassword("password", password); err != nil {
		return nil, err
	}
	u, _, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.SetPassword(ctx, actor, PasswordSet{UserID: u.ID, Hash: hash, MustChange: true, AuditAction: "user.password_reset"}); err != nil {
		return nil, err
	}
	u.Active, u.MustChangePassword = true, true
	return u, nil
}

// CheckPassword proves at the console that the person running a command
// knows the password of the account with email, and returns them as the
// actor of what follows (credential "password"). A wrong e-mail or
// password is 401 invalid_credentials; an account whose password must be
// changed first is 403 password_change_required.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (moudesk.Actor, error) {
	bad := moudesk.Errorf(moudesk.KindUnauthorized, "invalid_credentials", "wrong e-mail or password")
	u, stored, err := s.store.UserByEmail(ctx, email)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return moudesk.Actor{}, bad
	}
	if err != nil {
		return moudesk.Actor{}, err
	}
	ok, err := auth.VerifyPassword(stored, password)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return moudesk.Actor{}, err
	}
	if !ok || u.Disabled {
		return moudesk.Actor{}, bad
	}
	if u.MustChangePassword {
		return moudesk.Actor{}, ErrPasswordChangeRequired()
	}
	return moudesk.Actor{UserID: u.ID, Email: u.Email, Addr: "console", Credential: moudesk.Credential{Kind: moudesk.CredPassword}}, nil
}

// ErrPasswordChangeRequired is the refusal of any act but changing the
// password, sign-out and reading one's own account (403
// password_change_required) to a user who must set a new password.
func ErrPasswordChangeRequired() *moudesk.Error {
	return moudesk.Errorf(moudesk.KindForbidden, "password_change_required",
		"set a new password first: your current one was chosen by someone else")
}

// CreateUser adds an account with a password hash: the first
// administrator, and accounts an operator makes for themself or a
// service (moudesk user add). People are invited instead (InviteUser).
func (s *Service) CreateUser(ctx context.Context, actor moudesk.Actor, nu NewUser) (*User, error) {
	nu.Email = strings.TrimSpace(nu.Email)
	if err := CheckNewUser(nu); err != nil {
		return nil, err
	}
	return s.store.CreateUser(ctx, actor, nu)
}

// CheckNewUser refuses an account before anything is written (422): an
// address mail could not reach (mail.ValidAddress, the rule notifications
// are sent by, so a bad one is refused when the user is saved rather than
// when mail bounces), no name, no role, or text the store would not keep.
// The name and title go into signing certificates, signature appearances
// and certificates of completion.
func CheckNewUser(nu NewUser) error {
	if err := mail.ValidAddress(nu.Email); err != nil {
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_email", Field: "email",
			Message: fmt.Sprintf("%q is not an e-mail address: %s", clipText(nu.Email, 80), strings.TrimPrefix(err.Error(), "mail: "))}
	}
	if strings.TrimSpace(nu.Name) == "" {
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_field", Field: "name", Message: "a user needs a name"}
	}
	if len(nu.Roles) == 0 {
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_role", Field: "roles", Message: "a user needs at least one role"}
	}
	for _, f := range []struct{ name, v string }{{"email", nu.Email}, {"name", nu.Name}, {"title", nu.Title}} {
		if err := moudesk.CheckText(f.name, f.v, moudesk.MaxShortText, false); err != nil {
			return err
		}
	}
	return nil
}

// clipText is at most n bytes of s, cut at a rune, for an error message
// that quotes input.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// CreateSession stores a signed-in session by the hash of its id.
func (s *Service) CreateSession(ctx context.Context, u *User, idHash, csrf string, expires time.Time, addr string) error {
	return s.store.CreateSession(ctx, u, idHash, csrf, expires, addr)
}

// DeleteSession ends a session.
func (s *Service) DeleteSession(ctx context.Context, idHash string) error {
	return s.store.DeleteSession(ctx, idHash)
}

// UsersFor lists the accounts actor may see: every one for an admin (who
// administers them all, as the Admin page shows), the people of their own
// party for anyone else, and only themself for a user of no party. Nobody
// but an admin learns who works for another party, nor their address.
func (s *Service) UsersFor(ctx context.Context, actor moudesk.Actor) ([]User, error) {
	all, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	if actor.Admin || actor.IsSystem() {
		return all, nil
	}
	out := []User{}
	for _, u := range all {
		if u.ID == actor.UserID || (actor.Party != "" && u.PartySlug == actor.Party) {
			out = append(out, u)
		}
	}
	return out, nil
}
