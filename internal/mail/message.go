package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one notification e-mail.
type Message struct {
	// To are bare addresses (ValidAddress); they are both the envelope
	// recipients and the To header.
	To []string
	// Subject is one line; runs of white space are sent as one space.
	Subject string
	// Text is the plain-text part and is required; HTML, when set, is sent
	// beside it as multipart/alternative.
	Text, HTML string
	// ID is the idempotency key, sent as Message-ID <ID@from-domain>: a
	// message sent twice after a crash carries the same Message-ID both
	// times, so a receiver can recognise the copy. Empty means a random one.
	// Letters, digits and !#$%&'*+-/=?^_`{|}~. only, at most 128.
	ID string
}

// Limits on one message. A notification is a few lines with a link; these
// only stop a runaway caller from handing the relay megabytes.
const (
	MaxRecipients = 100
	MaxSubject    = 900 // bytes of UTF-8; with "Subject: " still under SMTP's 998-octet line
	MaxBody       = 1 << 20
	MaxID         = 128
	foldAt        = 78 // RFC 5322's recommended line length for headers
)

// parseFrom accepts "address" or "Name <address>" and holds the address to
// ValidAddress's rule.
func parseFrom(s string) (*mail.Address, error) {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return nil, invalid("mail config: from address contains a control character")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalidf("mail config: from address %q is not an address: %v", s, err)
	}
	if err := ValidAddress(a.Address); err != nil {
		return nil, invalidf("mail config: from address: %v", err)
	}
	return a, nil
}

// MessageID returns the Message-ID header value, "<id@domain>", that id
// gets when sent from fromAddress, a bare address (name@domain).
func MessageID(id, fromAddress string) string {
	return "<" + id + "@" + fromAddress[strings.LastIndexByte(fromAddress, '@')+1:] + ">"
}

// check reports what makes m unsendable; nothing has touched the network.
func (m Message) check() error {
	if len(m.To) == 0 {
		return invalid("mail message: no recipient")
	}
	if len(m.To) > MaxRecipients {
		return invalidf("mail message: %d recipients, at most %d", len(m.To), MaxRecipients)
	}
	for _, to := range m.To {
		if err := ValidAddress(to); err != nil {
			return invalidf("mail message: recipient %q: %v", to, err)
		}
	}
	if !utf8.ValidString(m.Subject) {
		return invalid("mail message: subject is not valid UTF-8")
	}
	if strings.ContainsFunc(m.Subject, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		// CR and LF above all: they would end the header and let the
		// subject write headers of its own.
		return invalid("mail message: subject contains a line break or control character")
	}
	if len(m.Subject) > MaxSubject {
		return invalidf("mail message: subject is longer than %d bytes", MaxSubject)
	}
	if m.Text == "" {
		return invalid("mail message: text part is empty")
	}
	if len(m.Text) > MaxBody || len(m.HTML) > MaxBody {
		return invalidf("mail message: a part is larger than %d bytes", MaxBody)
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return invalid("mail message: text or HTML is not valid UTF-8")
	}
	return checkID(m.ID)
}

func checkID(id string) error {
	if len(id) > MaxID {
		return invalidf("mail message: ID is longer than %d", MaxID)
	}
	if strings.HasPrefix(id, ".") || strings.HasSuffix(id, ".") || strings.Contains(id, "..") {
		return invalid("mail message: ID starts or ends with a dot or has two in a row")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0) {
			return invalidf("mail message: ID contains %q; letters, digits and !#$%%&'*+-/=?^_`{|}~. only", c)
		}
	}
	return nil
}

// compose renders m as an RFC 5322 message with CRLF line endings. The
// caller has run m.check.
func compose(from *mail.Address, m Message, now time.Time) ([]byte, error) {
	id := m.ID
	if id == "" {
		var b [16]byte
		rand.Read(b[:]) // never fails (crypto/rand)
		id = hex.EncodeToString(b[:])
	}
	var buf bytes.Buffer
	header := func(name, value string) { fold(&buf, name, value) }
	header("Date", now.Format(time.RFC1123Z))
	header("From", from.String())
	header("To", strings.Join(m.To, ", "))
	header("Subject", encodeSubject(m.Subject))
	header("Message-ID", MessageID(id, from.Address))
	header("MIME-Version", "1.0")
	// RFC 3834: vacation responders must not answer a notification.
	header("Auto-Submitted", "auto-generated")

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		if err := writeQP(&buf, m.Text); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	buf.WriteString("\r\n")
	for _, p := range []struct{ typ, content string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=UTF-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail: compose %s part: %w", p.typ, err)
		}
		if err := writeQP(w, p.content); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	buf.Write(body.Bytes())
	return buf.Bytes(), nil
}

// writeQP writes s quoted-printable: lines of at most 76 characters, every
// line break as CRLF, so no line of the part can be too long for SMTP or
// start a header, whatever the text holds.
func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return fmt.Errorf("mail: quoted-printable: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: quoted-printable: %w", err)
	}
	return nil
}

// encodeSubject returns the Subject header value: runs of white space
// become one space (folding could not keep them), then RFC 2047 encoded
// words when the subject is not plain ASCII. An ASCII subject holding "=?"
// is encoded too, or a reader would decode what only looks like an
// encoded word; mime's encoders leave ASCII alone, hence base64 words of
// our own, 45 bytes (60 characters) each.
func encodeSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("UTF-8", s)
	}
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?UTF-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// fold writes "name: value" CRLF, breaking before spaces so that lines stay
// near 78 characters (encoded words are at most 75). Unfolding, which
// drops the CRLF, gives back value exactly: a break is only ever put
// before a single space.
func fold(buf *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(word) > foldAt && strings.TrimSpace(line) != "" {
			buf.WriteString(line)
			buf.WriteString("\r\n")
			line = ""
		}
		line += " " + word
	}
	buf.WriteString(line)
	buf.WriteString("\r\n")
}
