package pdfsign

import (
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// Keys is where moudesk's signatures come from: a certificate authority
// that issues a fresh certificate per signature, naming the signatory and
// their party (so readers show the person, not moudesk), or one fixed
// signing certificate an organization configured, used for every
// signature. Exactly one of Authority and Fixed is set.
type Keys struct {
	Authority *Authority
	Fixed     *Signer
	// TSA time-stamps every signature and the document timestamps of
	// long-term validation: a configured TSA, else moudesk's built-in one
	// (see ltv.go); nil signs without timestamps (PAdES B-B).
	TSA Timestamper
}

// SealName is the common name of the certificate moudesk's own
// certification signatures and seals are made with.
const SealName = "moudesk Seal"

// SignerFor returns the signer for one signature by commonName of org.
// With an authority it issues a one-time certificate and key: the key is
// used once and never stored, so there is no signatory key to steal, and
// the certificate inside the PDF still names the signatory. Seals use the
// same path with SealName, so no signature is ever made with the CA
// certificate itself (readers report that as an unknown issue).
func (k *Keys) SignerFor(commonName, org, email string, now time.Time) (*Signer, error) {
	switch {
	case k == nil:
		return nil, errors.New("no signing keys configured")
	case k.Fixed != nil:
		s := *k.Fixed
		s.TSA = k.TSA
		return &s, nil
	case k.Authority != nil:
		s, err := k.Authority.Issue(commonName, org, email, now)
		if err != nil {
			return nil, err
		}
		s.TSA = k.TSA
		return s, nil
	}
	return nil, errors.New("no signing keys configured")
}

// Roots is the pool of roots this moudesk trusts when it verifies: its own
// authority, or the top of the configured signer's chain.
func (k *Keys) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	if c := k.RootCert(); c != nil {
		pool.AddCert(c)
	}
	return pool
}

// RootCert is the certificate readers should trust: the authority's, or
// the top of the configured chain.
func (k *Keys) RootCert() *x509.Certificate {
	switch {
	case k == nil:
		return nil
	case k.Authority != nil && len(k.Authority.Chain) > 0:
		return k.Authority.Chain[len(k.Authority.Chain)-1]
	case k.Authority != nil:
		return k.Authority.Cert
	case k.Fixed == nil:
		return nil
	case len(k.Fixed.Chain) > 0:
		return k.Fixed.Chain[len(k.Fixed.Chain)-1]
	}
	return k.Fixed.Cert
}

// KeysFrom makes Keys from a configured certificate and key: an
// organization's CA (a CA certificate that may sign certificates) issues
// per-signature certificates like moudesk's own; any other certificate is
// used as it is for every signature.
func KeysFrom(s *Signer) *Keys {
	if s.Cert.IsCA && s.Cert.KeyUsage&x509.KeyUsageCertSign != 0 {
		return &Keys{Authority: &Authority{Cert: s.Cert, Key: s.Key, Chain: s.Chain}}
	}
	return &Keys{Fixed: s}
}

// LTVOptions are the long-term validation settings of these keys at now:
// the root in the DSS, CRLs from moudesk's own CA (signed on the spot)
// or fetched from a certificate's distribution point, and the TSA.
func (k *Keys) LTVOptions(now time.Time) LTVOptions {
	o := LTVOptions{TSA: k.TSA, Now: now, CRL: k.crlFor(now)}
	if r := k.RootCert(); r != nil {
		o.Roots = []*x509.Certificate{r}
	}
	return o
}

// CRL is the current CRL of moudesk's own CA (DER), nil with a fixed
// signing certificate.
func (k *Keys) CRL(now time.Time) ([]byte, error) {
	if k == nil || k.Authority == nil {
		return nil, nil
	}
	return k.Authority.CRL(now)
}

func (k *Keys) crlFor(now time.Time) func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
	return func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
		if k != nil && k.Authority != nil && issuer.Equal(k.Authority.Cert) {
			return k.Authority.CRL(now)
		}
		return FetchCRL(ctx, cert, issuer)
	}
}
