package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestNewToken(t *testing.T) {
	plain, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^mdk_[A-Za-z0-9_-]{43}$`).MatchString(plain) {
		t.Fatalf("token %q is not mdk_ + 43 base64url characters", plain)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(plain, TokenPrefix))
	if err != nil || len(raw) != 32 {
		t.Fatalf("token body decodes to %d bytes (%v), want 32", len(raw), err)
	}
	sum := sha256.Sum256([]byte(plain))
	if hash != hex.EncodeToString(sum[:]) || hash != HashToken(plain) {
		t.Fatalf("hash %q is not hex SHA-256 of the plain token", hash)
	}
	if strings.Contains(hash, plain) || strings.Contains(plain, hash) {
		t.Fatal("hash contains the token")
	}
	plain2, _, _ := NewToken()
	if plain2 == plain {
		t.Fatal("two tokens are equal")
	}
}

func TestNewSessionID(t *testing.T) {
	plain, hash, err := NewSessionID()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 {
		t.Fatalf("session id %q decodes to %d bytes (%v), want 32", plain, len(raw), err)
	}
	if !hexSHA256.MatchString(hash) || hash != HashToken(plain) {
		t.Fatalf("hash %q is not hex SHA-256 of the session id", hash)
	}
	if strings.HasPrefix(plain, TokenPrefix) {
		t.Fatal("session id looks like an API token")
	}
}

func TestNewInvitationToken(t *testing.T) {
	plain, hash, err := NewInvitationToken()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^mdi_[A-Za-z0-9_-]{43}$`).MatchString(plain) {
		t.Fatalf("invitation %q is not mdi_ + 43 base64url characters", plain)
	}
	if !hexSHA256.MatchString(hash) || hash != HashToken(plain) {
		t.Fatalf("hash %q is not hex SHA-256 of the invitation", hash)
	}
	if again, _, _ := NewInvitationToken(); again == plain {
		t.Fatal("two invitations are equal")
	}
}
