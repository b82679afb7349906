package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"

	"github.com/emersion/go-smtp"
)

// Temporary reports whether Send's err is worth retrying later: a 4xx
// reply, a refused, reset, dropped or timed-out connection, a cancelled
// context. It reports false for a 5xx reply (the server refused for good:
// a rejected recipient, failed authentication), for ErrInvalid (bad
// address, message or configuration), for a server certificate that does
// not verify and for ErrNoStartTLS: retrying those sends nothing until a
// person changes something. An error it does not recognise counts as
// temporary, so that a notification is retried rather than dropped.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	if code := Code(err); code != 0 {
		return code >= 400 && code < 500
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrNoStartTLS) {
		return false
	}
	var (
		verr  *tls.CertificateVerificationError
		uaerr x509.UnknownAuthorityError
		herr  x509.HostnameError
		cerr  x509.CertificateInvalidError
		rerr  tls.RecordHeaderError
	)
	if errors.As(err, &verr) || errors.As(err, &uaerr) || errors.As(err, &herr) || errors.As(err, &cerr) {
		return false
	}
	if errors.As(err, &rerr) {
		// Not TLS at the other end: implicit TLS against a plain port.
		return false
	}
	// Refused, reset or dropped connections (net.Error, io.EOF from a
	// server that hung up) and anything unforeseen.
	return true
}

// Code returns the SMTP reply code in err (421, 451, 550, …), or 0 when
// err is not a reply from the server.
func Code(err error) int {
	var serr *smtp.SMTPError
	if errors.As(err, &serr) {
		return serr.Code
	}
	return 0
}
