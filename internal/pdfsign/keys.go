package pdfsign

import (
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
		return k.Fixed, nil
	case k.Authority != nil:
		return k.Authority.Issue(commonName, org, email, now)
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
