package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// TokenPrefix starts every API token, so a leaked token is recognisable by
// secret scanners and in logs, and cannot be confused with a session ID.
const TokenPrefix = "mdk_"

// secretBytes is the entropy of tokens and session IDs: 256 bits.
const secretBytes = 32

// NewToken returns a fresh API token and the hash to store. The plain token
// ("mdk_" + 43 base64url characters) is shown to its owner once; only the
// hash is ever stored, so a database leak does not leak usable tokens.
func NewToken() (plain, hash string, err error) {
	return newSecret(TokenPrefix, "token")
}

// InvitationPrefix starts every invitation token, so one pasted in the
// wrong place (a bearer header, a log) is recognisable as such.
const InvitationPrefix = "mdi_"

// NewInvitationToken returns the secret of a one-time invitation link and
// the hash to store. Like tokens, only the hash reaches the database: the
// link is shown once, to the admin who sends it.
func NewInvitationToken() (plain, hash string, err error) {
	return newSecret(InvitationPrefix, "invitation")
}

// CalendarPrefix starts every calendar feed token. A feed token sits in a
// URL a calendar client polls, so it reads one calendar and nothing else:
// it is no bearer token and no session.
const CalendarPrefix = "mdc_"

// NewCalendarToken returns the secret of a calendar feed URL and the hash
// to store; the URL is shown once, to the user it reads for.
func NewCalendarToken() (plain, hash string, err error) {
	return newSecret(CalendarPrefix, "calendar token")
}

// NewSessionID returns a fresh session identifier for the cookie and the
// hash to store. Like tokens, only the hash reaches the database.
func NewSessionID() (plain, hash string, err error) {
	return newSecret("", "session id")
}

// newSecret returns prefix followed by a fresh random secret, and the hash
// to store (HashToken); what names the secret in an error.
func newSecret(prefix, what string) (plain, hash string, err error) {
	s, err := randomSecret()
	if err != nil {
		return "", "", fmt.Errorf("new %s: %w", what, err)
	}
	plain = prefix + s
	return plain, HashToken(plain), nil
}

// HashToken returns the lowercase hex SHA-256 of a plain token or session
// ID. A plain hash (no salt, no argon2) is right here: the input already has
// 256 bits of entropy, and lookups must be by exact hash.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func randomSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
