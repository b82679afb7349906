package pdfsign

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/smallstep/pkcs7"
)

// oidSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035). PAdES
// (ETSI.CAdES.detached) requires it; pdfcpu reports a CAdES signature
// without it as malformed.
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

// signingCertificateV2 and essCertIDv2 follow RFC 5035. hashAlgorithm is
// omitted because SHA-256 is its DER default.
type signingCertificateV2 struct {
	Certs []essCertIDv2
}

type essCertIDv2 struct {
	CertHash     []byte
	IssuerSerial issuerSerial
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames holding one directoryName
	Serial *big.Int
}

func signingCertAttribute(cert *x509.Certificate) signingCertificateV2 {
	h := sha256.Sum256(cert.Raw)
	dn := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer}
	return signingCertificateV2{Certs: []essCertIDv2{{
		CertHash:     h[:],
		IssuerSerial: issuerSerial{Issuer: []asn1.RawValue{dn}, Serial: cert.SerialNumber},
	}}}
}

// buildCMS returns a detached CMS SignedData over content: SHA-256, signed
// attributes content type, message digest, signing time and
// signing-certificate-v2, the leaf and its chain included.
//
// The CMS signing-time attribute is the clock at the moment of signing:
// pkcs7 sets it from time.Now and offers no way to override it. The
// caller's time goes in the signature dictionary's /M.
func buildCMS(content []byte, s *Signer) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{{
		Type: oidSigningCertificateV2, Value: signingCertAttribute(s.Cert),
	}}}
	if s.TSA != nil {
		// A placeholder the token replaces once the signature value it
		// time-stamps exists (pkcs7 offers no later way to add one).
		cfg.ExtraUnsignedAttributes = []pkcs7.Attribute{{Type: oidSignatureTimeStampToken, Value: asn1.NullRawValue}}
	}
	if err := sd.AddSignerChain(s.Cert, s.Key, embeddedChain(s.Chain), cfg); err != nil {
		return nil, fmt.Errorf("cms: add signer: %w", err)
	}
	if s.TSA != nil {
		if err := addSignatureTimestamp(sd, s.TSA); err != nil {
			return nil, err
		}
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	return der, nil
}

// embeddedChain drops self-signed roots from chain: a verifier must hold
// its trust anchor already, and poppler/NSS reports "Unknown issue with
// Certificate" for the second signature by the same leaf when the CMS
// carries the root that is also in its trust database.
func embeddedChain(chain []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range chain {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			continue
		}
		out = append(out, c)
	}
	return out
}

// cmsResult is what checking one CMS signature found.
type cmsResult struct {
	signer      *x509.Certificate
	certs       []*x509.Certificate
	signingTime time.Time
	problem     string // empty when the signature is valid
	// token is the signature timestamp token (unsigned attribute), nil
	// when there is none; sigValue the signature value it should cover.
	token, sigValue []byte
}

// checkCMS verifies a detached CMS signature over content. It never panics:
// pkcs7's parser is fed hostile bytes, so a panic there becomes a problem.
func checkCMS(der, content []byte) (res cmsResult) {
	defer func() {
		if r := recover(); r != nil {
			res = cmsResult{problem: fmt.Sprintf("malformed CMS signature (%v)", r)}
		}
	}()
	// /Contents is zero-padded; trim to the DER length so parsing is strict.
	der = trimDER(der)
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return cmsResult{problem: "malformed CMS signature: " + err.Error()}
	}
	if len(p7.Signers) != 1 {
		return cmsResult{problem: fmt.Sprintf("CMS has %d signers, want 1", len(p7.Signers))}
	}
	res.certs = p7.Certificates
	res.signer = p7.GetOnlySigner()
	if res.signer == nil {
		return cmsResult{problem: "CMS does not contain the signer's certificate"}
	}
	_ = p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &res.signingTime)
	res.token, res.sigValue = signatureTimestampToken(p7), p7.Signers[0].EncryptedDigest
	var digest []byte
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &digest); err != nil {
		res.problem = "CMS has no message digest attribute"
		return res
	}
	if p7.Signers[0].DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
		sum := sha256.Sum256(content)
		if !bytes.Equal(sum[:], digest) {
			res.problem = "digest mismatch: the signed bytes were changed after signing"
			return res
		}
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		var mm *pkcs7.MessageDigestMismatchError
		if errors.As(err, &mm) {
			res.problem = "digest mismatch: the signed bytes were changed after signing"
		} else {
			res.problem = "CMS signature does not verify: " + err.Error()
		}
	}
	return res
}

// trimDER returns the DER element at the start of b, dropping the zero
// padding a PDF /Contents string carries after it.
func trimDER(b []byte) []byte {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil {
		return b
	}
	return b[:len(b)-len(rest)]
}
