package moudesk

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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

// NormalizeText is the one form text takes when it enters moudesk: CRLF
// and lone CR line endings become LF, then the text is put in Unicode NFC.
// Every input path calls it (clause and template files, revision titles,
// headings, bodies and variable values, the CLI's files) so that text
// which reads the same is stored, hashed and compared the same: a CRLF or
// NFD copy of a revision is the same revision, not eight changed sections.
// Text already in this form is returned as is, without copying.
func NormalizeText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return norm.NFC.String(s)
}
