package mailtest_test

import (
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/mail/mailtest"
)

const good = "Date: Fri, 04 Dec 2026 22:00:00 +0000\r\n" +
	"From: <moudesk@city.example>\r\n" +
	"To: clerk@city.example\r\n" +
	"Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
	"Message-ID: <n-1@city.example>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Gr=C3=BC=C3=9Fe=\r\n aus Z=C3=BCrich\r\n"

// TestParse: the server's parser accepts a well-formed message and refuses
// what a strict receiver would, so a sender's mistakes fail its tests.
func TestParse(t *testing.T) {
	rec, err := mailtest.Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Subject != "Grüße" || rec.Text != "Grüße aus Zürich\n" || rec.MessageID != "<n-1@city.example>" {
		t.Errorf("parsed %q %q %q", rec.Subject, rec.Text, rec.MessageID)
	}
	for name, raw := range map[string]string{
		"ErrBareLF":        strings.Replace(good, "To: clerk@city.example\r\n", "To: clerk@city.example\n", 1),
		"ErrLongLine":      strings.Replace(good, "aus", strings.Repeat("x", 999), 1),
		"ErrNoMessageID":   strings.Replace(good, "Message-ID: <n-1@city.example>\r\n", "", 1),
		"ErrTwoTo":         strings.Replace(good, "To: clerk@city.example\r\n", "To: a@city.example\r\nTo: b@city.example\r\n", 1),
		"ErrBadDate":       strings.Replace(good, "Fri, 04 Dec 2026 22:00:00 +0000", "yesterday", 1),
		"ErrOtherType":     strings.Replace(good, "text/plain", "application/pdf", 1),
		"ErrMultipartPart": strings.Replace(good, "text/plain; charset=UTF-8", `multipart/alternative; boundary="b"`, 1) + "\r\n--b\r\nContent-Type: image/png\r\n\r\nx\r\n--b--\r\n",
	} {
		if _, err := mailtest.Parse([]byte(raw)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestConfigMatchesOptions(t *testing.T) {
	for _, opt := range []mailtest.Options{{}, {STARTTLS: true}, {ImplicitTLS: true, RequireAuth: true}} {
		srv := mailtest.Start(t, opt)
		cfg := srv.Config()
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: Config: %v", opt, err)
		}
		if cfg.Port != srv.Port() || cfg.Host != "127.0.0.1" || cfg.From != mailtest.From {
			t.Errorf("%+v: Config %+v", opt, cfg)
		}
		if (cfg.Username != "") != opt.RequireAuth {
			t.Errorf("%+v: username %q", opt, cfg.Username)
		}
		if !strings.Contains(string(srv.CertPEM()), "BEGIN CERTIFICATE") {
			t.Errorf("CertPEM: %q", srv.CertPEM())
		}
	}
}
