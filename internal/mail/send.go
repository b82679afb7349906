package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sender delivers messages to one SMTP server. It holds no connection:
// each Send dials, delivers and quits, so nothing is left open between the
// outbox worker's passes and every message is its own transaction. A Send
// that failed after the message was transferred (the final reply lost to a
// dropped connection) may still have been delivered; the retry carries the
// same Message-ID, so the copy is recognisable as the same message. It is
// safe for concurrent use.
type Sender struct {
	cfg   Config
	from  *mail.Address
	hello string
	tls   *tls.Config
	now   func() time.Time
}

// New checks cfg and prepares a Sender; it does not connect.
func New(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	roots := cfg.RootCAs
	if cfg.CAFile != "" {
		if roots == nil {
			roots, err = LoadRoots(cfg.CAFile)
		} else {
			roots, err = appendRoots(roots.Clone(), cfg.CAFile)
		}
		if err != nil {
			return nil, err
		}
	}
	hello := cfg.HelloName
	if hello == "" {
		hello = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \t\r\n") {
			hello = h
		}
	}
	return &Sender{
		cfg:   cfg,
		from:  from,
		hello: hello,
		tls: &tls.Config{
			ServerName: strings.Trim(cfg.Host, "[]"),
			RootCAs:    roots,
			MinVersion: tls.VersionTLS12,
			// Resumption spares the certificate check on every
			// message of a pass after the first.
			ClientSessionCache: tls.NewLRUClientSessionCache(4),
		},
		now: time.Now,
	}, nil
}

// MessageID is the Message-ID header a message with this ID gets.
func (s *Sender) MessageID(id string) string { return MessageID(id, s.from.Address) }

// Compose returns m as Send would deliver it (CRLF line ends, before SMTP's
// dot-stuffing), dated now: for previews and tests.
func (s *Sender) Compose(m Message) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return compose(s.from, m, s.now())
}

const quitTimeout = 2 * time.Second

// ErrNoStartTLS is returned in StartTLS mode when the server does not offer
// STARTTLS: moudesk never falls back to plain text on its own.
var ErrNoStartTLS = errors.New("mail: server does not offer STARTTLS")

// Send delivers m: MAIL, RCPT for each recipient, DATA. It returns when the
// server has accepted the message (nil), refused it, or the connection
// failed; Temporary tells which failures are worth a retry. The whole
// conversation is bounded by Config.Timeout and by ctx; on cancellation
// the connection is closed and the error wraps ctx.Err().
func (s *Sender) Send(ctx context.Context, m Message) error {
	raw, err := s.Compose(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	err = s.send(ctx, m.To, raw)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("mail: send to %s: %w (%w)", s.cfg.addr(), ctx.Err(), err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// Every deadline on the connection is ctx's (deadlineConn), which
		// can pass a moment before ctx's own timer marks it done.
		return fmt.Errorf("mail: send to %s: %w (%w)", s.cfg.addr(), context.DeadlineExceeded, err)
	}
	return err
}

func (s *Sender) send(ctx context.Context, to []string, raw []byte) error {
	addr := s.cfg.addr()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline() // always set: Send adds the timeout
	conn := &deadlineConn{Conn: nc, limit: deadline}
	conn.Conn.SetDeadline(deadline)
	// go-smtp sets its own deadline per command; deadlineConn keeps every
	// one of them within ctx's, and closing the connection on cancel
	// unblocks whatever read or write is under way.
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()

	var c *smtp.Client
	switch s.cfg.TLS {
	case ImplicitTLS:
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return fmt.Errorf("mail: TLS with %s: %w", addr, err)
		}
		c = smtp.NewClient(tc)
	case StartTLS:
		// go-smtp upgrades only in NewClientStartTLS, which greets as
		// "localhost" before TLS; the EHLO after the upgrade, the one
		// that counts, carries HelloName.
		c, err = smtp.NewClientStartTLS(conn, s.tls)
		if err != nil {
			nc.Close()
			if err.Error() == "smtp: server doesn't support STARTTLS" {
				err = ErrNoStartTLS
			}
			return fmt.Errorf("mail: STARTTLS with %s: %w", addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	// Per command; deadlineConn holds them within the whole Send's bound.
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = s.cfg.Timeout

	if err := c.Hello(s.hello); err != nil {
		return fmt.Errorf("mail: EHLO to %s: %w", addr, err)
	}
	if s.cfg.Username != "" {
		if err := s.auth(c); err != nil {
			return fmt.Errorf("mail: AUTH as %s at %s: %w", s.cfg.Username, addr, err)
		}
	}
	if err := c.Mail(s.from.Address, nil); err != nil {
		return fmt.Errorf("mail: MAIL FROM %s: %w", s.from.Address, err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return fmt.Errorf("mail: RCPT TO %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("mail: DATA: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	// The message is accepted; a failing or slow QUIT changes nothing
	// about that, so it gets a short wait of its own.
	c.CommandTimeout = min(s.cfg.Timeout, quitTimeout)
	_ = c.Quit()
	return nil
}

// auth prefers PLAIN and falls back to LOGIN, the only one some Exchange
// connectors offer.
func (s *Sender) auth(c *smtp.Client) error {
	var a sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		a = sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)
	case c.SupportsAuth(sasl.Login):
		a = sasl.NewLoginClient(s.cfg.Username, s.cfg.Password)
	default:
		if ok, mechs := c.Extension("AUTH"); ok {
			return fmt.Errorf("server offers AUTH %s, neither PLAIN nor LOGIN: %w", mechs, errNoAuth)
		}
		// A relay that takes mail without authentication; the configured
		// credentials say something else was meant, so do not guess.
		return fmt.Errorf("server offers no authentication but a username is configured: %w", errNoAuth)
	}
	return c.Auth(a)
}

var errNoAuth = invalid("no usable AUTH mechanism")

// deadlineConn keeps every deadline set on the connection at or before
// limit, so that go-smtp's per-command deadlines (and its resetting them
// to none) cannot outlast the caller's context.
type deadlineConn struct {
	net.Conn
	limit time.Time
}

func (c *deadlineConn) clamp(t time.Time) time.Time {
	if t.IsZero() || t.After(c.limit) {
		return c.limit
	}
	return t
}

func (c *deadlineConn) SetDeadline(t time.Time) error { return c.Conn.SetDeadline(c.clamp(t)) }

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	return c.Conn.SetReadDeadline(c.clamp(t))
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(c.clamp(t))
}
