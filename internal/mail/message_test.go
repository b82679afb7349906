package mail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/mail"
	"github.com/moudesk/moudesk/internal/mail/mailtest"
)

// composer makes messages without a server: Compose is what Send sends.
func composer(tb testing.TB) *mail.Sender {
	tb.Helper()
	s, err := mail.New(mail.Config{Host: "127.0.0.1", TLS: mail.None, From: "Moudesk Zürich <" + mailtest.From + ">"})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// lineEnds is what a text part reads as after the trip: every CR, LF and
// CRLF becomes one line end (quoted-printable sends each as CRLF).
func lineEnds(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func TestComposeShape(t *testing.T) {
	s := composer(t)
	to := make([]string, mail.MaxRecipients)
	for i := range to {
		to[i] = "member" + strings.Repeat("x", i%40) + "@district.example"
	}
	long := strings.Repeat("Ä", mail.MaxSubject/2)
	m := mail.Message{
		To:      to,
		Subject: long,
		Text:    ".\n.leading dot\n" + strings.Repeat("w", 5000) + "\nend with spaces   \nFrom the clerk\n",
		HTML:    "<p>" + strings.Repeat("<b>é</b>", 2000) + "</p>",
		ID:      "outbox-17.attempt+1",
	}
	raw, err := s.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	for i, line := range strings.Split(head, "\r\n") {
		// Headers fold before spaces at 78; only a single word that
		// cannot be broken (the first encoded word, after the name) may
		// go past, far from SMTP's 998.
		if _, rest, _ := strings.Cut(strings.TrimLeft(line, " "), " "); len(line) > 78 && strings.Contains(rest, " ") {
			t.Errorf("header line %d is %d long: %q", i+1, len(line), line)
		}
	}
	for i, line := range strings.Split(body, "\r\n") {
		// Quoted-printable wraps at 76 whatever the text holds.
		if len(line) > 76 {
			t.Errorf("body line %d is %d long: %.80q", i+1, len(line), line)
		}
	}
	rec, err := mailtest.Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, raw)
	}
	if rec.Subject != long || rec.Text != m.Text || rec.HTML != m.HTML {
		t.Error("subject, text or HTML changed on the way")
	}
	if got := rec.Header.Get("To"); got != strings.Join(to, ", ") {
		t.Errorf("To header %q", got)
	}
	if rec.MessageID != "<outbox-17.attempt+1@city.example>" {
		t.Errorf("Message-ID %q", rec.MessageID)
	}

	for name, m := range map[string]mail.Message{
		"ErrNoRecipient":  {Text: "x"},
		"ErrTooMany":      {To: append(to, "one@more.example"), Text: "x"},
		"ErrNoText":       {To: to[:1], HTML: "<p>x</p>"},
		"ErrLongSubject":  {To: to[:1], Text: "x", Subject: long + "ab"},
		"ErrSubjectUTF8":  {To: to[:1], Text: "x", Subject: "\xff"},
		"ErrSubjectNUL":   {To: to[:1], Text: "x", Subject: "a\x00b"},
		"ErrSubjectC1":    {To: to[:1], Text: "x", Subject: "a\u0085b"},
		"ErrTextUTF8":     {To: to[:1], Text: "\xc3"},
		"ErrLongText":     {To: to[:1], Text: strings.Repeat("x", mail.MaxBody+1)},
		"ErrIDDots":       {To: to[:1], Text: "x", ID: "a..b"},
		"ErrIDSpace":      {To: to[:1], Text: "x", ID: "a b"},
		"ErrIDLong":       {To: to[:1], Text: "x", ID: strings.Repeat("i", mail.MaxID+1)},
		"ErrRecipientBad": {To: []string{"clerk@localhost"}, Text: "x"},
	} {
		if _, err := s.Compose(m); !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("%s: Compose: %v, want ErrInvalid", name, err)
		}
	}
}

// FuzzMessageHeaders holds Compose to its promise whatever the caller
// passes: it refuses (ErrInvalid) or produces a message any reader parses
// back to the same subject, recipient, Message-ID and text, with no header
// but its own.
func FuzzMessageHeaders(f *testing.F) {
	f.Add("Your turn to sign", "clerk@pleasanton.example", "n-42", "Sign here.\n")
	f.Add("Hello\r\nBcc: everyone@city.example", "a@city.example", "x", "t")
	f.Add("Literal =?UTF-8?q?x?= and  two  spaces ", "a@b.example", "", "a\rb\r\n.\r\n")
	f.Add("Vereinbarung über Schülerbeförderung – Zürich ✓ "+strings.Repeat("lang ", 30), "o'brien@duluth.example", "id.with+chars", "Grüße\n")
	f.Add("x", "a@city.example\nBcc: b@city.example", "a>\r\nX: y", "\x00\xff")
	s := composer(f)
	allowed := map[string]bool{
		"Date": true, "From": true, "To": true, "Subject": true, "Message-Id": true,
		"Mime-Version": true, "Auto-Submitted": true, "Content-Type": true,
	}
	f.Fuzz(func(t *testing.T, subject, to, id, text string) {
		m := mail.Message{To: []string{to}, Subject: subject, Text: text, HTML: "<pre>" + text + "</pre>", ID: id}
		raw, err := s.Compose(m)
		if err != nil {
			if !errors.Is(err, mail.ErrInvalid) {
				t.Fatalf("Compose: %v is not ErrInvalid", err)
			}
			return
		}
		if strings.ContainsAny(subject+to+id, "\r\n") {
			t.Fatalf("accepted a line break: subject %q, to %q, id %q", subject, to, id)
		}
		rec, err := mailtest.Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v\n%q", err, raw)
		}
		for k, v := range rec.Header {
			if !allowed[k] || len(v) != 1 {
				t.Fatalf("header %s: %q", k, v)
			}
		}
		if want := strings.Join(strings.Fields(subject), " "); rec.Subject != want {
			t.Fatalf("subject %q, want %q", rec.Subject, want)
		}
		if got := rec.Header.Get("To"); got != to {
			t.Fatalf("To %q, want %q", got, to)
		}
		if id != "" && rec.MessageID != s.MessageID(id) {
			t.Fatalf("Message-ID %q, want %q", rec.MessageID, s.MessageID(id))
		}
		if want := lineEnds(text); rec.Text != want {
			t.Fatalf("text %q, want %q", rec.Text, want)
		}
	})
}
