package desk

import (
	"slices"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// Party is a signatory organisation: a city, a school district or an agency.
type Party struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"` // city | district | agency
	Body string `json:"body"` // governing body, e.g. "Board of Trustees"
}

// User is an account as the API shows it (never the password hash).
type User struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Title     string      `json:"title"`
	PartySlug string      `json:"party,omitempty"`
	Roles     []auth.Role `json:"roles"`
	Disabled  bool        `json:"disabled"`
	// Active is false for an invited account whose owner has not set a
	// password yet: nobody can sign in to it.
	Active bool `json:"active"`
	// MustChangePassword is true while the password is one someone else
	// chose (the first administrator's, an operator's reset).
	MustChangePassword bool `json:"must_change_password"`
}

// Principal is the user as an authenticated caller: via says how
// (auth.ViaSession, auth.ViaToken) and credID is that session's or
// token's id.
func (u *User) Principal(via string, credID int64) *auth.Principal {
	return &auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Title: u.Title, PartySlug: u.PartySlug, Roles: u.Roles,
		Via: via, CredentialID: credID, MustChangePassword: u.MustChangePassword}
}

// ActorOf is the principal as the audit and authors record it, with the
// credential it acted through; an anonymous caller (nil) is its address.
func ActorOf(p *auth.Principal, addr string) moudesk.Actor {
	if p == nil {
		return moudesk.Actor{Addr: addr}
	}
	a := moudesk.Actor{UserID: p.UserID, Email: p.Email, Addr: addr, Party: p.PartySlug, Admin: slices.Contains(p.Roles, auth.RoleAdmin)}
	switch p.Via {
	case auth.ViaSession:
		a.Credential = moudesk.Credential{Kind: moudesk.CredSession, ID: p.CredentialID}
	case auth.ViaToken:
		a.Credential = moudesk.Credential{Kind: moudesk.CredToken, ID: p.CredentialID}
	}
	return a
}

// NewUser is what creating an account takes. PasswordHash is already
// hashed; it is empty for an invited account, which has none until its
// owner sets one.
type NewUser struct {
	Email, Name, Title, PartySlug string
	Roles                         []auth.Role
	PasswordHash                  string
	// MustChangePassword makes the owner set a new password at first
	// sign-in (the first administrator's is printed in the log).
	MustChangePassword bool
}

// SessionInfo is what a signed-in session carries besides its user: the
// id the audit names it by and the CSRF token its forms must send.
type SessionInfo struct {
	ID   int64
	CSRF string
}

// APIToken is a token as listed (never its value). It acts for the user
// who created it, and only for them.
type APIToken struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	UserEmail string     `json:"user"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// NewInvitation is an invitation to store: the hash of its token (the
// token itself is only ever in the link) and when it stops working.
type NewInvitation struct {
	TokenHash string
	ExpiresAt time.Time
}

// Invitation is a stored invitation and the account it is for.
type Invitation struct {
	ID        int64      `json:"id"`
	User      User       `json:"user"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// InvitationLink is an invitation as its creator gets it, once: the
// secret token to put in the link, and when it expires.
type InvitationLink struct {
	Token     string    `json:"-"`
	ExpiresAt time.Time `json:"expires_at"`
}
