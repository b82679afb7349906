// Package moudesk holds what every layer shares: the error type whose
// codes the HTTP layer turns into statuses. Domain packages under internal/
// return these (or their own typed errors) and never an HTTP status.
package moudesk

import (
	"errors"
	"fmt"
)

// Kind is the class of an error; the web layer maps each to one status.
type Kind int

// Kinds, in the order of the statuses they become.
const (
	KindInternal      Kind = iota // 500: a bug or an outage; the client sees "internal error"
	KindInvalid                   // 400: malformed request
	KindUnauthorized              // 401: not signed in, or a bad/expired credential
	KindForbidden                 // 403: signed in but not allowed
	KindNotFound                  // 404
	KindConflict                  // 409: stale base or conflicting state
	KindTooLarge                  // 413
	KindUnsupported               // 415: wrong content type
	KindUnprocessable             // 422: well-formed but breaks a rule
	KindTooMany                   // 429: throttled
	KindUnavailable               // 503: the database cannot be written now
)

// Error is an error safe to show to a client: Code is a stable
// machine-readable word ("stale_revision", "missing_variable"), Message a
// sentence for people. Data, when set, is sent along (e.g. the redline a
// stale save needs to merge).
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string
	Data    any
	Cause   error // what went wrong underneath, for the log; never sent to clients
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap gives errors.Is and errors.As the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds a client-safe error.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the error for a missing object, named in the message.
func ErrNotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

// AsError returns the client-safe error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsKind reports whether err carries a client-safe error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := AsError(err)
	return ok && e.Kind == k
}

// Actor is who did something: a signed-in user or moudesk itself. It is
// what the audit log and every version's author record.
type Actor struct {
	UserID int64  // 0 for the system or an anonymous caller
	Email  string // empty for the system
	Addr   string // client address, for anonymous callers and audit details
	// Credential is what the user proved who they are with for this act;
	// the audit stores it with every event, so an act through a token is
	// told apart from one in a session. Zero for the system and anonymous
	// callers.
	Credential Credential
	// Party is the slug of the party the user acts for ("" for none, the
	// system and anonymous callers); Admin says the user administers
	// moudesk, which lets them read any MOU but act on none of another
	// party's.
	Party string
	Admin bool
}

// IsSystem reports whether a is moudesk itself (an operator's command, the
// shipped library), which no party scope applies to.
func (a Actor) IsSystem() bool {
	return a.UserID == 0 && a.Email == "" && a.Addr == ""
}

// Credential names how an actor authenticated, by kind and id — never by
// its secret: "session:12", "token:7", "invitation:3", or a kind alone
// ("console" for an operator command, "password" for one that checked the
// user's password).
type Credential struct {
	Kind string // CredSession, CredToken, CredInvitation, CredPassword, CredConsole
	ID   int64  // the session's, token's or invitation's id; 0 for the others
}

// Credential kinds.
const (
	CredSession    = "session"
	CredToken      = "token"
	CredInvitation = "invitation"
	CredPassword   = "password"
	CredConsole    = "console"
)

// String is the credential as the audit records it; "" for none.
func (c Credential) String() string {
	if c.ID == 0 {
		return c.Kind
	}
	return fmt.Sprintf("%s:%d", c.Kind, c.ID)
}

// System is moudesk acting on its own (loading the shipped library).
var System = Actor{}

// String is the audit log's rendering: "user:12 ada@city.gov", "system",
// or "anonymous 203.0.113.9".
func (a Actor) String() string {
	switch {
	case a.UserID != 0:
		return fmt.Sprintf("user:%d %s", a.UserID, a.Email)
	case a.Addr != "":
		return "anonymous " + a.Addr
	default:
		return "system"
	}
}

// Author is the name stored as a version's author.
func (a Actor) Author() string {
	if a.UserID == 0 {
		return "system"
	}
	return a.Email
}

// RetryAfter is an error's data carrying the seconds a client should wait
// (the Retry-After header of a KindTooMany or KindUnavailable answer).
type RetryAfter int
