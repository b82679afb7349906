// Package auth holds moudesk's identity rules: password hashing, API tokens
// and session identifiers, roles, the single role × action permission table,
// the party rules for clerks and signatories, and login throttling. It knows
// nothing of HTTP or SQL; the web and sqlite adapters call into it.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits, counted in characters (runes). The upper bound
// keeps a hostile login request from making argon2 hash megabytes.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// ErrWeakPassword is returned (wrapped, with the reason) when a password is
// shorter than MinPasswordLen or longer than MaxPasswordLen characters.
var ErrWeakPassword = errors.New("password does not meet the length policy")

// ErrMalformedHash is returned by VerifyPassword when the stored hash is not
// an argon2id PHC string this package could have produced.
var ErrMalformedHash = errors.New("malformed password hash")

// Sizes of the random salt and of the derived key, in bytes.
const (
	saltLen = 16
	keyLen  = 32
)

// Bounds accepted when parsing a stored hash. A stored hash is data, and a
// tampered row must not be able to demand gigabytes of memory or minutes
// of CPU from the login handler.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// Hasher holds argon2id cost parameters. Memory is in KiB, Time is the
// number of passes, Threads the parallelism. Production uses DefaultHasher;
// tests use a cheap Hasher so they stay fast. Verification always reads the
// parameters from the stored hash, so raising the cost later does not break
// existing passwords.
type Hasher struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultHasher returns the production parameters: 64 MiB, three passes,
// two lanes — RFC 9106's memory-constrained recommendation (m=64 MiB, t=3)
// with one lane per core of the two-core server. Measured with
// BenchmarkHashPasswordDefault on an idle machine: t=1 ~28 ms, t=2 ~50 ms,
// t=3 ~71 ms, t=4 ~94 ms; t=3 sits inside the 50–150 ms target with room
// for load. It is a function, not a variable, so no caller can weaken it
// for everyone.
func DefaultHasher() Hasher {
	return Hasher{Memory: 64 * 1024, Time: 3, Threads: 2}
}

// validate refuses parameters argon2 would panic on or that VerifyPassword
// would later refuse to read back.
func (h Hasher) validate() error {
	switch {
	case h.Time < 1 || h.Time > maxTime:
		return fmt.Errorf("argon2 time %d outside 1..%d", h.Time, maxTime)
	case h.Threads < 1 || h.Threads > maxThreads:
		return fmt.Errorf("argon2 threads %d outside 1..%d", h.Threads, maxThreads)
	case h.Memory < 8*uint32(h.Threads) || h.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2 memory %d KiB outside %d..%d", h.Memory, 8*uint32(h.Threads), maxMemoryKiB)
	}
	return nil
}

// CheckPasswordPolicy reports, as a wrapped ErrWeakPassword, why pw may not
// be used as a password.
func CheckPasswordPolicy(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Errorf("%w: %d characters, need at least %d", ErrWeakPassword, n, MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("%w: %d characters, at most %d allowed", ErrWeakPassword, n, MaxPasswordLen)
	}
	return nil
}

// Hash returns pw hashed with a fresh random 16-byte salt, as a PHC string
// `$argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>` with salt and
// hash in unpadded standard base64, the form other argon2 tools read. Like
// every argon2id computation here it waits its turn (see HashSlots), and
// past HashWait it is refused with 503 busy.
func (h Hasher) Hash(pw string) (string, error) {
	if err := CheckPasswordPolicy(pw); err != nil {
		return "", err
	}
	if err := h.validate(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read salt: %w", err)
	}
	key, err := h.idKey(pw, salt, keyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.Memory, h.Time, h.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// HashPassword hashes pw with DefaultHasher.
func HashPassword(pw string) (string, error) {
	return DefaultHasher().Hash(pw)
}

// VerifyPassword reports whether pw matches the PHC hash. The comparison of
// derived keys is constant-time. A wrong password is (false, nil); an
// unreadable hash is (false, wrapped ErrMalformedHash); no turn to hash
// within HashWait is (false, 503 busy). Passwords over MaxPasswordLen are
// refused without hashing, since none could have been stored.
func VerifyPassword(hash, pw string) (bool, error) {
	p, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if utf8.RuneCountInString(pw) > MaxPasswordLen {
		return false, nil
	}
	key, err := p.h.idKey(pw, p.salt, uint32(len(p.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// SpendVerifyTime does the work of one verification against a throwaway
// salt and discards the result. The login handler calls it when the account
// does not exist, so response time does not reveal which e-mail addresses
// have accounts; it waits its turn like a real check and is refused as one
// is (503 busy), so neither does the answer under load.
func (h Hasher) SpendVerifyTime(pw string) error {
	if h.validate() != nil || utf8.RuneCountInString(pw) > MaxPasswordLen {
		return nil
	}
	var salt [saltLen]byte
	_, err := h.idKey(pw, salt[:], keyLen)
	return err
}

// idKey is argon2id with h's parameters, run when the process's hashing
// gate has room for its memory (HashSlots), so that a crowd of sign-ins
// cannot take the server's memory: each computation holds h.Memory KiB.
func (h Hasher) idKey(pw string, salt []byte, n uint32) ([]byte, error) {
	release, err := hashingGate().acquire(uint64(h.Memory))
	if err != nil {
		return nil, err
	}
	defer release()
	return argon2.IDKey([]byte(pw), salt, h.Time, h.Memory, h.Threads, n), nil
}

// phc is a parsed argon2id PHC string.
type phc struct {
	h         Hasher
	salt, key []byte
}

// parsePHC reads a hash produced by Hasher.Hash. It is strict: exactly the
// argon2id variant, version 19, parameters in m,t,p order within bounds.
func parsePHC(s string) (phc, error) {
	bad := func(why string) (phc, error) {
		return phc{}, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return bad("not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return bad("want m,t,p parameters")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return bad("parameter " + name + " missing or out of order")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("parameter " + name + " is not a number")
		}
		vals[i] = n
	}
	if vals[2] > maxThreads {
		return bad("too many threads")
	}
	h := Hasher{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	if err := h.validate(); err != nil {
		return bad(err.Error())
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("bad key")
	}
	return phc{h: h, salt: salt, key: key}, nil
}
