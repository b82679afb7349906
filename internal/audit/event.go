// Package audit is moudesk's tamper-evident audit log: every event carries
// the SHA-256 of its predecessor's hash and its own canonical bytes, so
// editing, deleting or reordering any stored event breaks the chain from
// that point and Verify names where. It knows nothing of storage: the
// sqlite adapter assigns Seq, calls Chain and stores the result, and feeds
// stored events back to Verify.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GenesisHash is the PrevHash of the first event (Seq 1): 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one audit record.
type Event struct {
	Seq      int64           // 1, 2, 3… assigned by the store, no gaps
	Time     time.Time       // UTC, truncated to microseconds by Chain
	Actor    string          // "user:12 ada@city.gov", "system", "anonymous 203.0.113.9"
	Action   string          // e.g. "clause.version.create", "login.failure", "access.denied"
	Object   string          // e.g. "clause:de-escalation", "mou:3"
	Details  json.RawMessage // a JSON object; Chain stores it in canonical form
	PrevHash string          // lowercase hex hash of the event before; GenesisHash for Seq 1
	Hash     string          // lowercase hex SHA-256(PrevHash as 32 bytes || Canonical(event))
}

// Canonical returns the bytes an event's hash covers. They are a canonical
// JSON object with exactly these members, in this (sorted) order:
//
//	{"action":…,"actor":…,"details":…,"object":…,"seq":…,"time":…}
//
// action, actor and object are strings; details is the event's Details
// re-encoded canonically (see canonicalDetails: keys sorted, no whitespace,
// numbers as written); seq is a decimal integer; time is
// Time.UTC().Format(time.RFC3339Nano), e.g. "2025-03-01T09:00:00.123456Z".
// Strings escape only `"`, `\` and control characters. PrevHash and Hash
// are not included: PrevHash enters the hash separately, Hash is the result.
//
// This definition is part of the stored data's meaning: changing it makes
// every existing log fail Verify. TestCanonicalGolden pins it.
func Canonical(e Event) ([]byte, error) {
	for _, f := range [...]struct{ name, s string }{{"actor", e.Actor}, {"action", e.Action}, {"object", e.Object}} {
		if !utf8.ValidString(f.s) {
			return nil, fmt.Errorf("audit event %d: %s is not valid UTF-8", e.Seq, f.name)
		}
	}
	details, err := canonicalDetails(e.Details)
	if err != nil {
		return nil, fmt.Errorf("audit event %d: %w", e.Seq, err)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"action":`)
	writeString(&buf, e.Action)
	buf.WriteString(`,"actor":`)
	writeString(&buf, e.Actor)
	buf.WriteString(`,"details":`)
	buf.Write(details)
	buf.WriteString(`,"object":`)
	writeString(&buf, e.Object)
	buf.WriteString(`,"seq":`)
	buf.WriteString(strconv.FormatInt(e.Seq, 10))
	buf.WriteString(`,"time":`)
	writeString(&buf, e.Time.UTC().Format(time.RFC3339Nano))
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Chain links e after the event whose hash is prev (GenesisHash for the
// first) and returns it with Time normalised to UTC microseconds — what a
// database round trip preserves — Details in canonical form, and PrevHash
// and Hash filled. The store must have set Seq (from 1, no gaps) and Time.
func Chain(prev string, e Event) (Event, error) {
	if e.Seq < 1 {
		return Event{}, fmt.Errorf("audit chain: seq %d, want 1 or more", e.Seq)
	}
	if e.Time.IsZero() {
		return Event{}, fmt.Errorf("audit chain: event %d has no time", e.Seq)
	}
	if e.Seq == 1 && prev != GenesisHash {
		return Event{}, errors.New("audit chain: event 1 must follow GenesisHash")
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	details, err := canonicalDetails(e.Details)
	if err != nil {
		return Event{}, fmt.Errorf("audit chain: event %d: %w", e.Seq, err)
	}
	e.Details = details
	h, err := hashEvent(prev, e)
	if err != nil {
		return Event{}, fmt.Errorf("audit chain: %w", err)
	}
	e.PrevHash, e.Hash = prev, h
	return e, nil
}

// hashEvent returns hex SHA-256 of prev's 32 bytes followed by Canonical(e).
func hashEvent(prev string, e Event) (string, error) {
	p, err := decodeHash(prev)
	if err != nil {
		return "", fmt.Errorf("previous hash: %w", err)
	}
	c, err := Canonical(e)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(p)
	h.Write(c)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// decodeHash accepts only lowercase 64-digit hex, the one form Chain
// writes, so a hash has exactly one spelling.
func decodeHash(s string) ([]byte, error) {
	if len(s) != 2*sha256.Size || strings.ToLower(s) != s {
		return nil, fmt.Errorf("%q is not 64 lowercase hex digits", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not 64 lowercase hex digits", s)
	}
	return b, nil
}
