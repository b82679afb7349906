// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 for tests: plain, STARTTLS or implicit TLS with a
// certificate made on the fly, optional AUTH, and failures on demand (451
// on DATA, a connection dropped mid-message, rejected recipients). It
// parses what arrives with net/mail and mime/multipart, and answers 554
// to a message it cannot parse, so a malformed message fails the sender.
//
// It speaks TCP, so a `moudesk serve` child process can deliver to it: pass
// Config's host and port, and write CertPEM to a file for --smtp-ca-file.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	moumail "github.com/moudesk/moudesk/internal/mail"
)

// From is the sender address in Config; Username and Password are the
// only credentials the server accepts when RequireAuth is set.
const (
	From     = "moudesk@city.example"
	Username = "moudesk"
	Password = "mailtest-secret"
)

// Options choose the server's behaviour.
type Options struct {
	// STARTTLS offers STARTTLS and refuses MAIL (530) before it.
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte. Not with STARTTLS.
	ImplicitTLS bool
	// Fail4xx answers the first N DATA transfers with 451 and keeps nothing.
	Fail4xx int
	// DropMidMessage closes the connection after part of each of the
	// first N DATA transfers, before any reply. Counted before Fail4xx:
	// with both set, the first transfers are dropped, the next answered 451.
	DropMidMessage int
	// RequireAuth offers AUTH (AuthMechanisms; PLAIN and LOGIN by default)
	// and refuses MAIL (530) before a successful one. Over plain TCP too:
	// the server is on the loopback address.
	RequireAuth    bool
	AuthMechanisms []string
	// RejectRecipients are answered 550 5.1.1 at RCPT.
	RejectRecipients []string
}

// Received is one accepted message. From and To are the SMTP envelope
// (MAIL FROM, RCPT TO); Subject is decoded (RFC 2047); MessageID is the
// header as sent, angle brackets included; Text and HTML are the decoded
// parts with line ends as "\n".
type Received struct {
	From                           string
	To                             []string
	Subject, MessageID, Text, HTML string
	Raw                            []byte
	Header                         mail.Header
	TLS                            bool   // the message came over TLS (STARTTLS or implicit)
	AuthUser                       string // who authenticated, if anyone
}

// Server is a running SMTP server; Start made it, tb.Cleanup closes it.
type Server struct {
	opt     Options
	port    int
	certPEM []byte
	roots   *x509.CertPool

	mu       sync.Mutex
	msgs     []Received
	changed  chan struct{} // closed and replaced at each arrival
	drops    int           // DATA transfers still to drop
	fails    int           // DATA transfers still to answer 451
	attempts int
}

// Start listens on 127.0.0.1:0 and serves until the test ends.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	if opt.STARTTLS && opt.ImplicitTLS {
		tb.Fatal("mailtest: STARTTLS and ImplicitTLS exclude each other")
	}
	cert, certPEM, err := testCert(time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	s := &Server{
		opt: opt, certPEM: certPEM, roots: roots,
		changed: make(chan struct{}),
		drops:   opt.DropMidMessage, fails: opt.Fail4xx,
	}
	if len(s.opt.AuthMechanisms) == 0 {
		s.opt.AuthMechanisms = []string{sasl.Plain, sasl.Login}
	}

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true // loopback only; RequireAuth works without TLS
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 4 << 20
	// Its log would outlive the test (connections end after Cleanup);
	// every failure reaches the client as a reply or a closed connection.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if opt.STARTTLS {
		srv.TLSConfig = tlsConfig
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	if opt.ImplicitTLS {
		l = tls.NewListener(l, tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	tb.Cleanup(func() {
		srv.Close()
		// Close closes only the listeners Serve has registered, which it
		// may not have done yet when a test ends at once.
		l.Close()
		<-done
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// CertPEM is the server's certificate (its own root), for a CA file.
func (s *Server) CertPEM() []byte { return slices.Clone(s.certPEM) }

// Config reaches this server: its TLS mode, a RootCAs trusting its
// certificate, From, and Username/Password when RequireAuth is set.
func (s *Server) Config() moumail.Config {
	c := moumail.Config{
		Host:      "127.0.0.1",
		Port:      s.port,
		TLS:       moumail.None,
		From:      From,
		HelloName: "moudesk.test",
		Timeout:   10 * time.Second,
		RootCAs:   s.roots,
	}
	switch {
	case s.opt.STARTTLS:
		c.TLS = moumail.StartTLS
	case s.opt.ImplicitTLS:
		c.TLS = moumail.ImplicitTLS
	}
	if s.opt.RequireAuth {
		c.Username, c.Password = Username, Password
	}
	return c
}

// Messages returns the messages accepted so far, in order of arrival.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Attempts counts DATA transfers begun, accepted or not.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// WaitFor waits until at least n messages have arrived and returns them
// all; after timeout it fails the test.
func (s *Server) WaitFor(tb testing.TB, n int, timeout time.Duration) []Received {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		if got >= n {
			msgs := slices.Clone(s.msgs)
			s.mu.Unlock()
			return msgs
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("mailtest: %d of %d messages arrived within %s", got, n, timeout)
			return nil
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// dataAction decides, in order of arrival, what a DATA transfer meets.
func (s *Server) dataAction() (drop, fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	switch {
	case s.drops > 0:
		s.drops--
		return true, false
	case s.fails > 0:
		s.fails--
		return false, true
	}
	return false, false
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	from     string
	to       []string
	authUser string
}

var (
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errTLSRequired  = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	errBadAuth      = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	errNoMailbox    = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	errTryLater     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}
)

func (se *session) AuthMechanisms() []string {
	if !se.s.opt.RequireAuth {
		return nil
	}
	return se.s.opt.AuthMechanisms
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if !slices.Contains(se.AuthMechanisms(), mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			return se.login(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{check: se.login}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (se *session) login(username, password string) error {
	if username != Username || password != Password {
		return errBadAuth
	}
	se.authUser = username
	return nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if _, isTLS := se.conn.TLSConnectionState(); se.s.opt.STARTTLS && !isTLS {
		return errTLSRequired
	}
	if se.s.opt.RequireAuth && se.authUser == "" {
		return errAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if slices.Contains(se.s.opt.RejectRecipients, to) {
		return errNoMailbox
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	drop, fail := se.s.dataAction()
	if drop {
		// Take the start of the message, then hang up before the reply:
		// the sender cannot know whether the message arrived.
		io.ReadFull(r, make([]byte, 64))
		se.conn.Conn().Close()
		return errors.New("mailtest: dropped mid-message")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if fail {
		return errTryLater
	}
	rec, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	rec.From, rec.To = se.from, slices.Clone(se.to)
	_, rec.TLS = se.conn.TLSConnectionState()
	rec.AuthUser = se.authUser
	se.s.add(rec)
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only the
// client): ask for the user name unless it came with AUTH, then the
// password.
type loginServer struct {
	check    func(user, pass string) error
	user     string
	haveUser bool
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case !l.haveUser && response == nil:
		return []byte("Username:"), false, nil
	case !l.haveUser:
		l.user, l.haveUser = string(response), true
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// Parse reads raw as a message must look to any receiver: CRLF line ends,
// lines of at most 998 octets, headers net/mail can read, a text/plain
// part or a multipart/alternative of text/plain and text/html.
func Parse(raw []byte) (Received, error) {
	rec := Received{Raw: raw}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			return rec, fmt.Errorf("line %d has a bare CR or LF", i+1)
		}
		if len(line) > 998 {
			return rec, fmt.Errorf("line %d is %d octets long", i+1, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return rec, fmt.Errorf("read message: %w", err)
	}
	rec.Header = msg.Header
	for _, h := range []string{"Date", "From", "To", "Message-ID", "MIME-Version"} {
		if len(msg.Header[textproto.CanonicalMIMEHeaderKey(h)]) != 1 {
			return rec, fmt.Errorf("header %s appears %d times", h, len(msg.Header[h]))
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		return rec, fmt.Errorf("date: %w", err)
	}
	rec.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return rec, fmt.Errorf("subject: %w", err)
	}
	rec.MessageID = msg.Header.Get("Message-ID")
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return rec, fmt.Errorf("content type: %w", err)
	}
	switch mt {
	case "text/plain":
		rec.Text, err = readPart(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		return rec, err
	case "multipart/alternative":
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return rec, fmt.Errorf("multipart: %w", err)
			}
			// NextPart has already undone quoted-printable.
			body, err := readPart(p, "")
			if err != nil {
				return rec, err
			}
			pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if err != nil {
				return rec, fmt.Errorf("part content type: %w", err)
			}
			if !strings.EqualFold(pp["charset"], "utf-8") {
				return rec, fmt.Errorf("part %s has charset %q", pt, pp["charset"])
			}
			switch pt {
			case "text/plain":
				rec.Text = body
			case "text/html":
				rec.HTML = body
			default:
				return rec, fmt.Errorf("unexpected part %s", pt)
			}
		}
		return rec, nil
	}
	return rec, fmt.Errorf("unexpected content type %s", mt)
}

func readPart(r io.Reader, cte string) (string, error) {
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("read part: %w", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
