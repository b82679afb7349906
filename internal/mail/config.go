// Package mail sends moudesk's notification e-mail over SMTP: one
// connection per message, plain TCP, STARTTLS or implicit TLS, optional
// AUTH PLAIN or LOGIN, bounded by a timeout and the caller's context.
//
// The SMTP conversation is github.com/emersion/go-smtp's client: it sets a
// deadline on every command, speaks SASL through go-sasl (PLAIN and LOGIN,
// the two a city's Exchange or Postfix relay offers) and returns replies as
// *smtp.SMTPError with the code, which Temporary reads. net/smtp is frozen,
// has no LOGIN and no timeouts of its own.
package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

const (
	// None is plain TCP, as to a relay on port 25 inside the city's network.
	None TLSMode = "none"
	// StartTLS connects in plain text and upgrades with STARTTLS; a server
	// that does not offer STARTTLS is an error, never a silent downgrade.
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (SMTPS, port 465).
	ImplicitTLS TLSMode = "tls"
)

// DefaultTimeout bounds one Send when Config.Timeout is zero: dial, TLS,
// the whole conversation and the server's final reply.
const DefaultTimeout = 30 * time.Second

// Config is where and how to deliver. It holds plain values: cmd/moudesk
// fills it from flags and environment.
type Config struct {
	Host string
	// Port 0 means the mode's usual port: 25 for none, 587 for starttls,
	// 465 for tls.
	Port int
	TLS  TLSMode
	// Username and Password, when set, authenticate with AUTH PLAIN (or
	// LOGIN when the server offers only that). Both or neither.
	Username, Password string
	// From is the sender: a bare address or "Name <address>". Its domain
	// names the Message-IDs.
	From string
	// HelloName is the name given in EHLO; empty means this host's name.
	HelloName string
	// Timeout bounds a whole Send; 0 means DefaultTimeout.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil means the system pool.
	RootCAs *x509.CertPool
	// CAFile, when set, is a PEM file whose certificates are trusted in
	// addition to RootCAs (or the system pool): a city's internal CA, or a
	// test server's certificate for a `moudesk serve` child process.
	CAFile string
}

// Validate reports the first thing that makes c unusable, in words an
// operator can act on.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Host) == "" {
		return invalid("mail config: host is missing")
	}
	if strings.ContainsAny(c.Host, " \t\r\n/@") {
		return invalidf("mail config: host %q is not a host name or IP address", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return invalidf("mail config: port %d is out of range 1-65535", c.Port)
	}
	switch c.TLS {
	case None, StartTLS, ImplicitTLS:
	default:
		return invalidf("mail config: TLS mode %q is not one of %q, %q, %q", string(c.TLS), None, StartTLS, ImplicitTLS)
	}
	if (c.Username == "") != (c.Password == "") {
		return invalid("mail config: username and password go together: set both or neither")
	}
	if c.Username != "" && c.TLS == None && !isLoopback(c.Host) {
		// The password would cross the network in clear text (AUTH PLAIN
		// and LOGIN are only base64); net/smtp refuses the same.
		return invalidf("mail config: refusing to send the SMTP password unencrypted to %s: use TLS mode %q or %q, or a relay on this host (127.0.0.1)", c.Host, StartTLS, ImplicitTLS)
	}
	if strings.ContainsAny(c.Username+c.Password, "\r\n") {
		return invalid("mail config: username or password contains a line break")
	}
	if strings.TrimSpace(c.From) == "" {
		return invalid("mail config: from address is missing")
	}
	if _, err := parseFrom(c.From); err != nil {
		return err
	}
	if strings.ContainsAny(c.HelloName, " \t\r\n") {
		return invalidf("mail config: hello name %q contains white space", c.HelloName)
	}
	if c.Timeout < 0 {
		return invalidf("mail config: timeout %s is negative", c.Timeout)
	}
	return nil
}

// LogValue keeps the password out of logs.
func (c Config) LogValue() slog.Value {
	pw := ""
	if c.Password != "" {
		pw = "(set)"
	}
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.port()),
		slog.String("tls", string(c.TLS)), slog.String("username", c.Username),
		slog.String("password", pw), slog.String("from", c.From),
	)
}

func (c Config) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.TLS {
	case StartTLS:
		return 587
	case ImplicitTLS:
		return 465
	}
	return 25
}

func (c Config) addr() string {
	return net.JoinHostPort(strings.Trim(c.Host, "[]"), fmt.Sprint(c.port()))
}

func isLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoadRoots returns the system pool (or an empty one where the system has
// none) plus every certificate in the PEM file at path. A file with no
// certificate is an error: a typo in --smtp-ca-file must not pass quietly.
func LoadRoots(path string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return appendRoots(pool, path)
}

func appendRoots(pool *x509.CertPool, path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mail: read CA file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("mail: CA file %s holds no PEM certificate: %w", path, ErrInvalid)
	}
	return pool, nil
}

// errInvalid is an input that can never be sent as it is.
type errInvalid string

func (e errInvalid) Error() string        { return string(e) }
func (e errInvalid) Is(target error) bool { return target == ErrInvalid }

// ErrInvalid matches (errors.Is) every error about a bad configuration,
// address or message: retrying cannot help, so Temporary reports false.
var ErrInvalid = errors.New("invalid mail input")

func invalid(msg string) error { return errInvalid(msg) }

func invalidf(format string, args ...any) error { return errInvalid(fmt.Sprintf(format, args...)) }
