package desk

import (
	"time"

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
}

// Principal is the user as an authenticated caller.
func (u *User) Principal(via string) *auth.Principal {
	return &auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Title: u.Title, PartySlug: u.PartySlug, Roles: u.Roles, Via: via}
}

// NewUser is what creating an account takes; PasswordHash is already hashed.
type NewUser struct {
	Email, Name, Title, PartySlug string
	Roles                         []auth.Role
	PasswordHash                  string
}

// APIToken is a token as listed (never its value).
type APIToken struct {
	ID        int64      `json:"id"`
	UserEmail string     `json:"user"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
