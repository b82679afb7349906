// Package webhook is how moudesk calls other systems' URLs: the signature
// a receiver checks, the policy on which URLs may be called, and the HTTP
// sender that keeps to it at connection time. Which events exist and who
// may hear of them is the service's (internal/desk); this package knows
// neither.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>". The
// MAC covers the timestamp, a dot and the body, so a captured delivery
// cannot be replayed later with a new time, nor its body changed.
const SignatureHeader = "Moudesk-Signature"

// Sign is the v1 signature of body sent at unix time t.
func Sign(secret string, t int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Header is the SignatureHeader value for body sent at now.
func Header(secret string, now time.Time, body []byte) string {
	t := now.Unix()
	return fmt.Sprintf("t=%d,v1=%s", t, Sign(secret, t, body))
}

// Errors of Verify.
var (
	ErrNoSignature = errors.New("webhook: no valid signature header")
	ErrTimestamp   = errors.New("webhook: timestamp outside the tolerance")
	ErrSignature   = errors.New("webhook: signature does not match")
)

// Verify checks a SignatureHeader value against body, as a receiver
// should: the timestamp within tolerance of now (replays), then any v1
// signature equal, compared in constant time.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t int64 = -1
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return ErrNoSignature
			}
			t = n
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if t < 0 || len(sigs) == 0 {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := []byte(Sign(secret, t, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignature
}
