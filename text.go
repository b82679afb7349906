package moudesk

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on free text, so one request cannot store megabytes of minutes.
const (
	MaxShortText = 500    // body, location, agenda item, section key, member, names
	MaxText      = 20000  // feedback text, quote, note, reason, resolution
	MaxMinutes   = 200000 // minutes of a meeting
	MaxVotes     = 200    // members voting at one meeting
	DateLayout   = "2006-01-02"
)

// CheckText refuses text that is too long, not UTF-8, holds NUL, or, when
// required, is blank: 400 naming field.
func CheckText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return &Error{Kind: KindInvalid, Code: "missing_field", Field: field, Message: field + " is required"}
	}
	if len(s) > max {
		return &Error{Kind: KindInvalid, Code: "too_long", Field: field, Message: fmt.Sprintf("%s may be at most %d bytes", field, max)}
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return &Error{Kind: KindInvalid, Code: "invalid_text", Field: field, Message: field + " must be UTF-8 text without NUL"}
	}
	return nil
}
