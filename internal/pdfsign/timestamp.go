package pdfsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/smallstep/pkcs7"
)

// RFC 3161 time-stamp tokens, written and read with encoding/asn1 and the
// CMS library signatures already use (smallstep/pkcs7). A TSTInfo is ten
// fields; github.com/digitorus/timestamp would bring a second PKCS#7 fork
// (digitorus/pkcs7) for the same CMS work and has no tagged releases, so
// the small amount of ASN.1 lives here, where its parser is fuzzed.

var (
	// oidSignatureTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161
	// appendix A): the unsigned attribute of a SignerInfo holding a token
	// over its signature value (PAdES B-T).
	oidSignatureTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// oidTSTInfo is id-ct-TSTInfo, the content type of a token's content.
	oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidSHA256  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	// oidMoudeskTSAPolicy is the policy the built-in TSA names in its
	// tokens (under the private enterprise arc used for examples; it
	// identifies "moudesk built-in TSA, clock of the server").
	oidMoudeskTSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 3161}
)

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

// tstInfo is RFC 3161 §2.4.2 TSTInfo.
type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       accuracy      `asn1:"optional"`
	Ordering       bool          `asn1:"optional,default:false"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional,explicit,tag:0"`
	Extensions     asn1.RawValue `asn1:"optional,tag:1"`
}

// cmsEnvelope reads the outer layers of a token: ContentInfo holding
// SignedData, up to the encapsulated content's type.
type cmsEnvelope struct {
	ContentType asn1.ObjectIdentifier
	Content     struct {
		Version      int
		DigestAlgs   asn1.RawValue
		EncapContent struct {
			EContentType asn1.ObjectIdentifier
			EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
		}
		Rest []asn1.RawValue `asn1:"optional"`
	} `asn1:"explicit,tag:0"`
}

// Timestamp is a parsed RFC 3161 time-stamp token whose CMS signature
// verified over its TSTInfo (which says nothing yet of whom the signer
// is: see Trusted).
type Timestamp struct {
	Time    time.Time
	Serial  *big.Int
	Policy  asn1.ObjectIdentifier
	Imprint []byte // SHA-256 of the time-stamped bytes
	Nonce   *big.Int
	// Signer is the TSA's certificate; Certs all certificates the token
	// carries (Signer among them).
	Signer *x509.Certificate
	Certs  []*x509.Certificate
	Raw    []byte
}

// TSAName is the TSA's subject common name, else its whole subject.
func (t *Timestamp) TSAName() string {
	if t == nil || t.Signer == nil {
		return ""
	}
	if cn := t.Signer.Subject.CommonName; cn != "" {
		return cn
	}
	return t.Signer.Subject.String()
}

// ParseTimestamp parses a time-stamp token and checks its CMS signature
// over the TSTInfo; it never panics, whatever der holds.
func ParseTimestamp(der []byte) (ts *Timestamp, err error) {
	defer func() {
		if r := recover(); r != nil {
			ts, err = nil, fmt.Errorf("malformed time-stamp token (%v)", r)
		}
	}()
	der = trimDER(der)
	var env cmsEnvelope
	if rest, err := asn1.Unmarshal(der, &env); err != nil || len(rest) > 0 {
		return nil, errors.New("malformed time-stamp token: not a CMS ContentInfo")
	}
	if !env.ContentType.Equal(pkcs7.OIDSignedData) || !env.Content.EncapContent.EContentType.Equal(oidTSTInfo) {
		return nil, errors.New("malformed time-stamp token: content is not a TSTInfo")
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("malformed time-stamp token: %w", err)
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("time-stamp token has %d signers, want 1", len(p7.Signers))
	}
	var info tstInfo
	if rest, err := asn1.Unmarshal(p7.Content, &info); err != nil || len(rest) > 0 {
		return nil, errors.New("malformed time-stamp token: TSTInfo does not decode")
	}
	if info.Version != 1 || info.SerialNumber == nil {
		return nil, errors.New("malformed time-stamp token: TSTInfo version or serial")
	}
	if !info.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) || len(info.MessageImprint.HashedMessage) != sha256.Size {
		return nil, fmt.Errorf("time-stamp token imprint uses %v, not SHA-256", info.MessageImprint.HashAlgorithm.Algorithm)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, errors.New("time-stamp token does not contain the TSA's certificate")
	}
	// pkcs7 stops before checking the signature when the CMS signing
	// time lies outside the certificate's validity, so that case is an
	// error too, never a pass.
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("time-stamp token signature does not verify: %w", err)
	}
	return &Timestamp{Time: info.GenTime, Serial: info.SerialNumber, Policy: info.Policy, Imprint: info.MessageImprint.HashedMessage,
		Nonce: info.Nonce, Signer: signer, Certs: p7.Certificates, Raw: der}, nil
}

// Covers reports whether the token time-stamps data (its imprint is
// data's SHA-256).
func (t *Timestamp) Covers(data []byte) bool {
	sum := sha256.Sum256(data)
	return bytes.Equal(sum[:], t.Imprint)
}

// checkTSACert checks the TSA certificate is meant for time-stamping:
// extended key usage timeStamping only, critical (RFC 3161 §2.3).
func checkTSACert(c *x509.Certificate) error {
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		return errors.New("the TSA certificate's extended key usage is not timeStamping alone")
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) && !e.Critical {
			return errors.New("the TSA certificate's extended key usage is not critical")
		}
	}
	return nil
}

// chainAt builds the certificate path of leaf to one of roots at time at,
// with intermediates taken from certs; usage is the extended key usage
// the leaf must allow.
func chainAt(leaf *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool, at time.Time, usage x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	if roots == nil {
		return nil, errors.New("no trusted roots")
	}
	inter := x509.NewCertPool()
	for _, c := range certs {
		if c != leaf {
			inter.AddCert(c)
		}
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{usage}})
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

// addSignatureTimestamp replaces the placeholder unsigned attribute of
// sd's signer with a token from tsa over the signature value (PAdES B-T).
// A TSA that may fail (OptionalTSA) gives no token: the attribute goes.
func addSignatureTimestamp(sd *pkcs7.SignedData, tsa Timestamper) error {
	si := &sd.GetSignedData().SignerInfos[0]
	sum := sha256.Sum256(si.EncryptedDigest)
	tok, err := tsa.Timestamp(context.Background(), sum[:])
	if err != nil {
		return fmt.Errorf("cms: signature timestamp: %w", err)
	}
	if tok == nil {
		si.UnauthenticatedAttributes = nil
		return nil
	}
	si.UnauthenticatedAttributes[0].Value = asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: tok}
	return nil
}

// timestampReserve is the room a signature timestamp token needs in
// /Contents: a TSA's token carries its certificate chain (an RSA-4096
// chain of a public TSA is about 6 KB).
func timestampReserve(s *Signer) int {
	if s == nil || s.TSA == nil {
		return 0
	}
	return 12 << 10
}
