package pdfsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Signer is a signing key with its certificate. Chain holds the issuing
// certificates (closest first), embedded in each signature so verifiers
// can build the path to a root they trust.
type Signer struct {
	Key   crypto.Signer
	Cert  *x509.Certificate
	Chain []*x509.Certificate
	// TSA, when set, time-stamps each signature: the token over the
	// signature value goes in the SignerInfo (PAdES B-T).
	TSA Timestamper
}

// Authority is a small certificate authority that issues signing
// certificates to signatories. Keys are ECDSA P-256: signing costs tens of
// microseconds (RSA-3072 costs milliseconds), and NSS, Acrobat and Go all
// verify ECDSA-with-SHA256 CMS signatures.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain holds the certificates above Cert (closest first) when an
	// organization's intermediate CA is configured; empty for a root.
	Chain []*x509.Certificate
	// CRLURL, when set, is where the CA's CRL is published (the public
	// site's /ca/crl); certificates issued name it as their CRL
	// distribution point.
	CRLURL string
	// Dir is the folder the CA was loaded from, where its revocations are
	// kept (see crl.go); empty for a CA held only in memory.
	Dir string
}

// Extended key usages for document signing: Microsoft's document signing
// (what Acrobat looks for) and RFC 9336 id-kp-documentSigning.
var (
	oidMSDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 12}
	oidDocumentSigning   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}
)

// File names used by WriteFiles and LoadAuthority.
const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca-key.pem"
)

// NewCA creates a self-signed root valid for ten years from now (backdated
// an hour to tolerate clock skew between machines).
func NewCA(commonName, org string, now time.Time) (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new CA: generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: nonEmpty(org)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("new CA: create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("new CA: %w", err)
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// Issue creates a key and a three-year signing certificate for one
// signatory (never beyond the CA's own expiry).
func (a *Authority) Issue(commonName, org, email string, now time.Time) (*Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issue %q: generate key: %w", commonName, err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.AddDate(3, 0, 0)
	if notAfter.After(a.Cert.NotAfter) {
		notAfter = a.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: nonEmpty(org)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidMSDocumentSigning, oidDocumentSigning},
		BasicConstraintsValid: true,
		CRLDistributionPoints: a.crlPoints(),
	}
	if email != "" {
		tmpl.EmailAddresses = []string{email}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return nil, fmt.Errorf("issue %q: create certificate: %w", commonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("issue %q: %w", commonName, err)
	}
	return &Signer{Key: key, Cert: cert, Chain: append([]*x509.Certificate{a.Cert}, a.Chain...)}, nil
}

// WriteFiles saves the CA as ca.pem and ca-key.pem (PKCS#8) in dir, which
// must exist; both files are mode 0600, like everything in the data folder.
func (a *Authority) WriteFiles(dir string) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(a.Key)
	if err != nil {
		return fmt.Errorf("write CA: marshal key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, caKeyFile), keyPEM, 0o600); err != nil {
		return fmt.Errorf("write CA key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, caCertFile), certPEM, 0o600); err != nil {
		return fmt.Errorf("write CA certificate: %w", err)
	}
	return nil
}

// LoadAuthority reads a CA written by WriteFiles.
func LoadAuthority(dir string) (*Authority, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, caCertFile))
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	s, err := LoadPEM(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	if !s.Cert.IsCA {
		return nil, errors.New("load CA: certificate is not a CA")
	}
	return &Authority{Cert: s.Cert, Key: s.Key, Dir: dir}, nil
}

// LoadPEM builds a Signer from PEM certificates (leaf first, then its
// chain) and a PEM private key (PKCS#8, PKCS#1 or SEC 1).
func LoadPEM(certPEM, keyPEM []byte) (*Signer, error) {
	var certs []*x509.Certificate
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("no PEM private key found")
	}
	key, err := parsePrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	return newSigner(key, certs[0], certs[1:])
}

// LoadPKCS12 builds a Signer from a PKCS#12 (.p12/.pfx) file. It uses
// go-pkcs12 rather than x/crypto/pkcs12 because the latter cannot read the
// AES/PBKDF2 encryption OpenSSL 3 and current Windows export by default,
// nor files carrying a chain.
func LoadPKCS12(data []byte, password string) (*Signer, error) {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("load PKCS#12: %w", err)
	}
	return newSigner(key, cert, chain)
}

func newSigner(key any, cert *x509.Certificate, chain []*x509.Certificate) (*Signer, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key %T cannot sign", key)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := signer.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("private key does not match the certificate")
	}
	return &Signer{Key: signer, Cert: cert, Chain: chain}, nil
}

func parsePrivateKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unsupported private key format")
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
