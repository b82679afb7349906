package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/mail"
	"github.com/moudesk/moudesk/internal/mail/mailtest"
)

const wait = 10 * time.Second // bound for WaitFor; arrivals take milliseconds

func newSender(t *testing.T, cfg mail.Config) *mail.Sender {
	t.Helper()
	s, err := mail.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func turnToSign(id string) mail.Message {
	return mail.Message{
		To:      []string{"signatory@pleasanton.example"},
		Subject: "Your turn to sign: Joint use of school fields",
		Text:    "It is your turn to sign.\nhttps://moudesk.example/mous/7/sign\n",
		HTML:    `<p>It is your turn to <a href="https://moudesk.example/mous/7/sign">sign</a>.</p>`,
		ID:      id,
	}
}

func TestSendPlain(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSender(t, srv.Config())
	if err := s.Send(t.Context(), turnToSign("n-42")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)
	if len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	}
	m := got[0]
	want := turnToSign("n-42")
	if m.From != mailtest.From || len(m.To) != 1 || m.To[0] != want.To[0] {
		t.Errorf("envelope %s → %v, want %s → %v", m.From, m.To, mailtest.From, want.To)
	}
	if m.Subject != want.Subject {
		t.Errorf("subject %q, want %q", m.Subject, want.Subject)
	}
	if m.Text != want.Text {
		t.Errorf("text %q, want %q", m.Text, want.Text)
	}
	if m.HTML != want.HTML {
		t.Errorf("html %q, want %q", m.HTML, want.HTML)
	}
	if m.MessageID != "<n-42@city.example>" || m.MessageID != s.MessageID("n-42") {
		t.Errorf("Message-ID %q, want <n-42@city.example>", m.MessageID)
	}
	if h := m.Header.Get("To"); h != want.To[0] {
		t.Errorf("To header %q", h)
	}
	if h := m.Header.Get("From"); h != "<"+mailtest.From+">" {
		t.Errorf("From header %q", h)
	}
	if h := m.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted %q", h)
	}
	if m.TLS {
		t.Error("plain connection reported as TLS")
	}
}

func TestSendTextOnly(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	msg := turnToSign("n-1")
	msg.HTML = ""
	if err := newSender(t, srv.Config()).Send(t.Context(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if m.Text != msg.Text || m.HTML != "" {
		t.Errorf("text %q html %q", m.Text, m.HTML)
	}
}

func TestSendStartTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true})
	cfg := srv.Config()
	if cfg.TLS != mail.StartTLS {
		t.Fatalf("mailtest config TLS %q", cfg.TLS)
	}
	if err := newSender(t, cfg).Send(t.Context(), turnToSign("n-2")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; !m.TLS {
		t.Error("message did not come over TLS")
	}

	t.Run("ErrUntrustedCertificate", func(t *testing.T) {
		cfg := srv.Config()
		cfg.RootCAs = nil // system pool: does not know the test certificate
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-3"))
		if err == nil || mail.Temporary(err) {
			t.Fatalf("err %v, temporary %v; want a permanent certificate error", err, mail.Temporary(err))
		}
	})
	t.Run("ErrNoStartTLS", func(t *testing.T) {
		plain := mailtest.Start(t, mailtest.Options{})
		cfg := plain.Config()
		cfg.TLS = mail.StartTLS
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-4"))
		if !errors.Is(err, mail.ErrNoStartTLS) || mail.Temporary(err) {
			t.Fatalf("err %v; want ErrNoStartTLS, permanent", err)
		}
		if n := len(plain.Messages()); n != 0 {
			t.Errorf("%d messages went out in plain text", n)
		}
	})
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{ImplicitTLS: true})
	if err := newSender(t, srv.Config()).Send(t.Context(), turnToSign("n-5")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; !m.TLS {
		t.Error("message did not come over TLS")
	}

	t.Run("ErrPlainServer", func(t *testing.T) {
		plain := mailtest.Start(t, mailtest.Options{})
		cfg := plain.Config()
		cfg.TLS = mail.ImplicitTLS
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-5"))
		if err == nil || mail.Temporary(err) {
			t.Fatalf("err %v; want a permanent TLS error", err)
		}
	})
}

// TestSendCAFile is how a `moudesk serve` child trusts a test server: the
// certificate in a file, named by Config.CAFile (--smtp-ca-file).
func TestSendCAFile(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{ImplicitTLS: true})
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config()
	cfg.RootCAs, cfg.CAFile = nil, path
	if err := newSender(t, cfg).Send(t.Context(), turnToSign("n-6")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	srv.WaitFor(t, 1, wait)

	if _, err := mail.LoadRoots(path); err != nil {
		t.Errorf("LoadRoots: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o600)
	if _, err := mail.LoadRoots(empty); !errors.Is(err, mail.ErrInvalid) {
		t.Errorf("LoadRoots of a file without certificates: %v, want ErrInvalid", err)
	}
	cfg.CAFile = empty
	if _, err := mail.New(cfg); err == nil {
		t.Error("New accepted a CA file without certificates")
	}
}

func TestSendAuth(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  mailtest.Options
	}{
		{"Plain", mailtest.Options{RequireAuth: true}},
		{"LoginOnly", mailtest.Options{RequireAuth: true, AuthMechanisms: []string{"LOGIN"}}},
		{"StartTLS", mailtest.Options{RequireAuth: true, STARTTLS: true}},
		{"ImplicitTLS", mailtest.Options{RequireAuth: true, ImplicitTLS: true, AuthMechanisms: []string{"LOGIN"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opt)
			if err := newSender(t, srv.Config()).Send(t.Context(), turnToSign("n-7")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if m := srv.WaitFor(t, 1, wait)[0]; m.AuthUser != mailtest.Username {
				t.Errorf("authenticated as %q", m.AuthUser)
			}
		})
	}

	srv := mailtest.Start(t, mailtest.Options{RequireAuth: true})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Password = "wrong"
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-8"))
		if mail.Code(err) != 535 || mail.Temporary(err) {
			t.Fatalf("err %v; want 535, permanent", err)
		}
	})
	t.Run("ErrNoCredentials", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Username, cfg.Password = "", ""
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-9"))
		if mail.Code(err) != 530 || mail.Temporary(err) {
			t.Fatalf("err %v; want 530, permanent", err)
		}
	})
	t.Run("ErrNoMechanism", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{RequireAuth: true, AuthMechanisms: []string{"CRAM-MD5"}})
		err := newSender(t, srv.Config()).Send(t.Context(), turnToSign("n-10"))
		if !errors.Is(err, mail.ErrInvalid) || mail.Temporary(err) || !strings.Contains(err.Error(), "CRAM-MD5") {
			t.Fatalf("err %v; want ErrInvalid naming CRAM-MD5, permanent", err)
		}
	})
	t.Run("ErrServerWithoutAuth", func(t *testing.T) {
		open := mailtest.Start(t, mailtest.Options{})
		cfg := open.Config()
		cfg.Username, cfg.Password = mailtest.Username, mailtest.Password
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-10"))
		if !errors.Is(err, mail.ErrInvalid) || mail.Temporary(err) {
			t.Fatalf("err %v; want ErrInvalid, permanent", err)
		}
		if n := len(open.Messages()); n != 0 {
			t.Errorf("%d messages arrived", n)
		}
	})
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived without authentication", n)
	}
}

func TestSend4xxThenAccepted(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Fail4xx: 1})
	s := newSender(t, srv.Config())
	err := s.Send(t.Context(), turnToSign("n-11"))
	if mail.Code(err) != 451 || !mail.Temporary(err) {
		t.Fatalf("first send: err %v; want 451, temporary", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages arrived after 451", n)
	}
	if err := s.Send(t.Context(), turnToSign("n-11")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	got := srv.WaitFor(t, 1, wait)
	if len(got) != 1 || got[0].MessageID != "<n-11@city.example>" || srv.Attempts() != 2 {
		t.Errorf("%d messages after %d attempts", len(got), srv.Attempts())
	}
}

func TestSendDroppedMidMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  mailtest.Options
	}{
		{"Plain", mailtest.Options{DropMidMessage: 1}},
		{"StartTLS", mailtest.Options{DropMidMessage: 1, STARTTLS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opt)
			s := newSender(t, srv.Config())
			err := s.Send(t.Context(), turnToSign("n-12"))
			if err == nil || !mail.Temporary(err) || mail.Code(err) != 0 {
				t.Fatalf("err %v (code %d); want a temporary network error", err, mail.Code(err))
			}
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("%d messages arrived from a dropped transfer", n)
			}
			if err := s.Send(t.Context(), turnToSign("n-12")); err != nil {
				t.Fatalf("retry: %v", err)
			}
			srv.WaitFor(t, 1, wait)
		})
	}
}

func TestSendRejectedRecipient(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{RejectRecipients: []string{"gone@pleasanton.example"}})
	msg := turnToSign("n-13")
	msg.To = []string{"gone@pleasanton.example"}
	err := newSender(t, srv.Config()).Send(t.Context(), msg)
	if mail.Code(err) != 550 || mail.Temporary(err) {
		t.Fatalf("err %v; want 550, permanent", err)
	}
	if !strings.Contains(err.Error(), "gone@pleasanton.example") {
		t.Errorf("error %q does not name the recipient", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
}

func TestSendHeaderInjection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSender(t, srv.Config())
	for _, tc := range []struct {
		name string
		edit func(*mail.Message)
	}{
		{"SubjectCRLF", func(m *mail.Message) { m.Subject = "Hello\r\nBcc: everyone@city.example" }},
		{"SubjectLF", func(m *mail.Message) { m.Subject = "Hello\nBcc: everyone@city.example" }},
		{"SubjectCR", func(m *mail.Message) { m.Subject = "Hello\rBcc: everyone@city.example" }},
		{"RecipientCRLF", func(m *mail.Message) { m.To = []string{"a@city.example\r\nBcc: everyone@city.example"} }},
		{"RecipientComma", func(m *mail.Message) { m.To = []string{"a@city.example, everyone@city.example"} }},
		{"RecipientNamed", func(m *mail.Message) { m.To = []string{"Eve <eve@city.example>"} }},
		{"IDBracket", func(m *mail.Message) { m.ID = "x>\r\nBcc: everyone@city.example" }},
		{"IDAt", func(m *mail.Message) { m.ID = "x@evil.example" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := turnToSign("n-14")
			tc.edit(&msg)
			err := s.Send(t.Context(), msg)
			if !errors.Is(err, mail.ErrInvalid) || mail.Temporary(err) {
				t.Fatalf("err %v; want ErrInvalid, permanent", err)
			}
		})
	}
	if srv.Attempts() != 0 || len(srv.Messages()) != 0 {
		t.Errorf("%d transfers, %d messages; refused messages must not reach the server", srv.Attempts(), len(srv.Messages()))
	}
	cfg := srv.Config()
	cfg.From = "moudesk@city.example\r\nBcc: everyone@city.example"
	if _, err := mail.New(cfg); !errors.Is(err, mail.ErrInvalid) {
		t.Errorf("New with a CRLF in From: %v", err)
	}
}

func TestSendNonASCIISubject(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	cfg := srv.Config()
	cfg.From = "Moudesk Zürich <" + mailtest.From + ">"
	s := newSender(t, cfg)
	subjects := []string{
		"Ihre Unterschrift: Vereinbarung über die Schülerbeförderung – Zürich ✓",
		"Entente de service : « Comité conjoint » — séance du 12 décembre, ordre du jour et documents à examiner avant la réunion",
		"Literal =?UTF-8?q?not_encoded?= in a title",
		"日本語の件名",
	}
	for i, subj := range subjects {
		msg := turnToSign("")
		msg.Subject = subj
		msg.Text = "Grüße aus Zürich — ✓\n"
		if err := s.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	got := srv.WaitFor(t, len(subjects), wait)
	for i, m := range got {
		if m.Subject != subjects[i] {
			t.Errorf("subject %q, want %q", m.Subject, subjects[i])
		}
		if m.Text != "Grüße aus Zürich — ✓\n" {
			t.Errorf("text %q", m.Text)
		}
		if !strings.Contains(m.Header.Get("From"), "=?") {
			t.Errorf("From header %q: the name is not encoded", m.Header.Get("From"))
		}
	}
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.MessageID] = true
	}
	if len(ids) != len(got) {
		t.Errorf("%d messages without ID got %d distinct Message-IDs", len(got), len(ids))
	}
}

// silentServer accepts connections and never answers: a relay that hangs.
func silentServer(t *testing.T) mail.Config {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return mail.Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: mail.None, From: mailtest.From}
}

// closedPort is a port nothing listens on (one just released).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestSendContext(t *testing.T) {
	cfg := silentServer(t)
	t.Run("Deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		err := newSender(t, cfg).Send(ctx, turnToSign("n-15"))
		if !errors.Is(err, context.DeadlineExceeded) || !mail.Temporary(err) {
			t.Fatalf("err %v; want DeadlineExceeded, temporary", err)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := newSender(t, cfg).Send(ctx, turnToSign("n-16"))
		if !errors.Is(err, context.Canceled) || !mail.Temporary(err) {
			t.Fatalf("err %v; want Canceled, temporary", err)
		}
	})
	t.Run("ConfigTimeout", func(t *testing.T) {
		cfg := cfg
		cfg.Timeout = 100 * time.Millisecond
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-17"))
		if !errors.Is(err, context.DeadlineExceeded) || !mail.Temporary(err) {
			t.Fatalf("err %v; want DeadlineExceeded, temporary", err)
		}
	})
	t.Run("ImplicitTLSHandshake", func(t *testing.T) {
		cfg := cfg
		cfg.TLS = mail.ImplicitTLS
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		err := newSender(t, cfg).Send(ctx, turnToSign("n-19"))
		if !errors.Is(err, context.DeadlineExceeded) || !mail.Temporary(err) {
			t.Fatalf("err %v; want DeadlineExceeded, temporary", err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		cfg := cfg
		cfg.Port = closedPort(t)
		cfg.Timeout = 5 * time.Second // should another process take the port meanwhile
		err := newSender(t, cfg).Send(t.Context(), turnToSign("n-18"))
		if err == nil || !mail.Temporary(err) {
			t.Fatalf("err %v; want a temporary connection error", err)
		}
	})
}

// TestSendConcurrent: one Sender serves several workers at once (a
// connection each); every message arrives once.
func TestSendConcurrent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{STARTTLS: true})
	s := newSender(t, srv.Config())
	const workers, each = 4, 3
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				errs <- s.Send(t.Context(), turnToSign(fmt.Sprintf("w%d-m%d", w, i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	ids := map[string]bool{}
	for _, m := range srv.WaitFor(t, workers*each, wait) {
		ids[m.MessageID] = true
	}
	if len(ids) != workers*each {
		t.Errorf("%d distinct Message-IDs, want %d", len(ids), workers*each)
	}
}

// BenchmarkSend is one notification over loopback, connection included.
func BenchmarkSend(b *testing.B) {
	for _, tc := range []struct {
		name string
		opt  mailtest.Options
	}{
		{"Plain", mailtest.Options{}},
		{"StartTLS", mailtest.Options{STARTTLS: true}},
		{"ImplicitTLSAuth", mailtest.Options{ImplicitTLS: true, RequireAuth: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := mailtest.Start(b, tc.opt)
			s, err := mail.New(srv.Config())
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := s.Send(b.Context(), turnToSign("")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
