package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Bounds of one attempt: how long it may take and how much of the answer
// is kept for the admin to read.
const (
	attemptTimeout = 15 * time.Second
	excerptBytes   = 1024
)

// Request is one attempt to deliver a body.
type Request struct {
	URL    string
	Secret string
	Event  string
	ID     int64 // the event's id, the same on every attempt and for every webhook
	Body   []byte
	Now    time.Time // the signature's timestamp
}

// Result is what came of an attempt: the status (0 when no answer came),
// the first bytes of the answer, and the error, if any.
type Result struct {
	Status   int
	Excerpt  string
	Err      string
	Duration time.Duration
}

// OK reports whether the receiver took the delivery (a 2xx).
func (r Result) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Sender makes the HTTP requests, keeping to its Policy when it connects:
// the address a name resolves to is checked at the moment of connecting
// (DNS rebinding cannot swap in a private address after CheckURL), no
// proxy from the environment is used, and redirects are not followed (a
// 3xx is the receiver's answer).
type Sender struct {
	policy Policy
	client *http.Client
}

// NewSender is a Sender keeping to p.
func NewSender(p Policy) *Sender {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook: dial %s: %w", address, err)
		}
		if p.isSelf(ap.Addr(), ap.Port()) {
			return fmt.Errorf("webhook: %s is this server", address)
		}
		if !p.AllowPrivate && !Public(ap.Addr()) {
			return fmt.Errorf("webhook: %s is a private or local address", ap.Addr())
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: attemptTimeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       60 * time.Second,
	}
	return &Sender{policy: p, client: &http.Client{Transport: tr, Timeout: attemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send makes one attempt. It never fails: what went wrong is in Result.
func (s *Sender) Send(ctx context.Context, r Request) Result {
	start := time.Now()
	res := s.send(ctx, r)
	res.Duration = time.Since(start)
	return res
}

func (s *Sender) send(ctx context.Context, r Request) Result {
	// The URL was checked when registered; checked again, without the
	// lookup the dialer makes anyway, in case the policy changed since.
	if err := s.policy.checkName(r.URL); err != nil {
		return Result{Err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{Err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "moudesk-webhook/1")
	req.Header.Set("Moudesk-Event", r.Event)
	req.Header.Set("Moudesk-Delivery", strconv.FormatInt(r.ID, 10))
	req.Header.Set(SignatureHeader, Header(r.Secret, r.Now, r.Body))
	resp, err := s.client.Do(req)
	if err != nil {
		return Result{Err: cleanError(err)}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, excerptBytes))
	// Drain a little more so the connection can be reused; a receiver that
	// answers megabytes is not read to the end.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	out := Result{Status: resp.StatusCode, Excerpt: excerpt(head)}
	if !out.OK() {
		out.Err = "HTTP " + resp.Status
	}
	return out
}

// checkName is CheckURL without resolving: scheme, host, credentials
// and Self by name.
func (p Policy) checkName(raw string) error {
	u, err := parseHTTP(raw)
	if err != nil {
		return err
	}
	host, port := u.Hostname(), portOf(u)
	for _, s := range p.Self {
		if sh, sp, ok := splitSelf(s); ok && strings.EqualFold(sh, host) && sp == port {
			return fmt.Errorf("webhook: %s is this server", u.Host)
		}
	}
	return nil
}

// excerpt is the answer's first bytes as valid UTF-8 text.
func excerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// cleanError is err without Go's "Post \"url\": " prefix, which repeats
// the URL the admin already sees.
func cleanError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}
