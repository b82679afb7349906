package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/moudesk/moudesk/internal/mail"
)

func TestValidate(t *testing.T) {
	ok := mail.Config{Host: "smtp.city.example", Port: 587, TLS: mail.StartTLS, Username: "u", Password: "p", From: "Moudesk <moudesk@city.example>"}
	for _, tc := range []struct {
		name    string
		edit    func(*mail.Config)
		wantErr string // "" means valid
	}{
		{"OK", func(c *mail.Config) {}, ""},
		{"OKRelayPort25NoAuth", func(c *mail.Config) { c.TLS, c.Port, c.Username, c.Password = mail.None, 25, "", "" }, ""},
		{"OKAuthPlainLoopback", func(c *mail.Config) { c.TLS, c.Host = mail.None, "127.0.0.1" }, ""},
		{"OKAuthPlainLocalhost", func(c *mail.Config) { c.TLS, c.Host = mail.None, "localhost" }, ""},
		{"OKAuthPlainIPv6Loopback", func(c *mail.Config) { c.TLS, c.Host = mail.None, "::1" }, ""},
		{"OKImplicitTLSDefaultPort", func(c *mail.Config) { c.TLS, c.Port = mail.ImplicitTLS, 0 }, ""},
		{"ErrNoHost", func(c *mail.Config) { c.Host = " " }, "host is missing"},
		{"ErrHostWithPort", func(c *mail.Config) { c.Host = "smtp.city.example/25" }, "not a host name"},
		{"ErrPort", func(c *mail.Config) { c.Port = 70000 }, "out of range"},
		{"ErrNoTLSMode", func(c *mail.Config) { c.TLS = "" }, "TLS mode"},
		{"ErrBadTLSMode", func(c *mail.Config) { c.TLS = "ssl" }, `TLS mode "ssl"`},
		{"ErrAuthInClear", func(c *mail.Config) { c.TLS = mail.None }, "unencrypted"},
		{"ErrUserNoPassword", func(c *mail.Config) { c.Password = "" }, "set both or neither"},
		{"ErrNoFrom", func(c *mail.Config) { c.From = "" }, "from address is missing"},
		{"ErrFromNoDomainDot", func(c *mail.Config) { c.From = "moudesk@localhost" }, "dot"},
		{"ErrFromNotAddress", func(c *mail.Config) { c.From = "moudesk" }, "not an address"},
		{"ErrFromCRLF", func(c *mail.Config) { c.From = "a@city.example\r\nBcc: b@city.example" }, "control character"},
		{"ErrHelloSpace", func(c *mail.Config) { c.HelloName = "city hall" }, "white space"},
		{"ErrTimeout", func(c *mail.Config) { c.Timeout = -1 }, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := mail.New(c); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, mail.ErrInvalid) {
				t.Fatalf("Validate: %v; want ErrInvalid containing %q", err, tc.wantErr)
			}
			if _, err := mail.New(c); err == nil {
				t.Fatal("New accepted what Validate refused")
			}
		})
	}
}

func TestConfigLogValueHidesPassword(t *testing.T) {
	c := mail.Config{Host: "smtp.city.example", TLS: mail.StartTLS, Username: "u", Password: "hunter2", From: "a@city.example"}
	if s := c.LogValue().String(); strings.Contains(s, "hunter2") {
		t.Errorf("log value %s shows the password", s)
	}
}

func TestValidAddress(t *testing.T) {
	valid := []string{
		"clerk@pleasanton.example",
		"first.last+mou@city.example.org",
		"o'brien@duluth.example",
		"x@xn--zrich-kva.example",
		"a@b-c.d2",
		"UPPER@CASE.EXAMPLE",
	}
	for _, s := range valid {
		if err := mail.ValidAddress(s); err != nil {
			t.Errorf("ValidAddress(%q): %v", s, err)
		}
	}
	invalid := map[string]string{
		"":                           "empty",
		"clerk":                      "name@example.org",
		"clerk@":                     "name@example.org",
		"@city.example":              "name@example.org",
		"clerk@localhost":            "dot",
		"clerk@intranet":             "dot",
		"clerk@[192.0.2.1]":          "IP address",
		"clerk@192.0.2.1":            "IP address",
		"clerk@city..example":        "name@example.org",
		"clerk@-city.example":        "hyphen",
		"clerk@city_hall.example":    "letters, digits",
		"Clerk <clerk@city.example>": "space",
		"<clerk@city.example>":       "bare address",
		`"clerk"@city.example`:       "bare address",
		"clerk@city.example\r\n":     "control",
		"clerk@city.example,b@c.d":   "name@example.org",
		"zoë@city.example":           "ASCII",
		"a@" + strings.Repeat("x", 64) + ".example": "longer than 63",
		strings.Repeat("x", 65) + "@city.example":   "before @",
		strings.Repeat("x", 250) + "@c.de":          "longer than 254",
	}
	for s, want := range invalid {
		err := mail.ValidAddress(s)
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("ValidAddress(%q) = %v; want an error about %q", s, err, want)
		}
	}
}

func TestTemporary(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"Nil", nil, false},
		{"451", fmt.Errorf("mail: DATA: %w", &smtp.SMTPError{Code: 451}), true},
		{"421", &smtp.SMTPError{Code: 421}, true},
		{"550", fmt.Errorf("mail: RCPT TO x: %w", &smtp.SMTPError{Code: 550}), false},
		{"535", &smtp.SMTPError{Code: 535}, false},
		{"EOF", fmt.Errorf("mail: DATA: %w", io.EOF), true},
		{"Reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"Refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"Deadline", fmt.Errorf("mail: %w", context.DeadlineExceeded), true},
		{"Canceled", fmt.Errorf("mail: %w", context.Canceled), true},
		{"Invalid", mail.ValidAddress("x"), false},
		{"NoStartTLS", fmt.Errorf("mail: STARTTLS: %w", mail.ErrNoStartTLS), false},
		{"UnknownAuthority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, false},
		{"Hostname", x509.HostnameError{}, false},
		{"NotTLS", tls.RecordHeaderError{}, false},
		{"Unknown", errors.New("something else"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mail.Temporary(tc.err); got != tc.want {
				t.Errorf("Temporary(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
