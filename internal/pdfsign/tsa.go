package pdfsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/moudesk/moudesk"
)

// Timestamper issues RFC 3161 time-stamp tokens over a SHA-256 digest: a
// TSA reached over HTTP, or moudesk's own.
type Timestamper interface {
	Timestamp(ctx context.Context, digest []byte) ([]byte, error)
}

// ErrTimestampUnavailable is what a failed or timed-out TSA gives: the
// ceremony answers 503 timestamp_unavailable and records nothing.
var ErrTimestampUnavailable = &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "timestamp_unavailable",
	Message: "the time-stamping authority did not answer; nothing was signed, try again later"}

func unavailable(cause error) error {
	e := *ErrTimestampUnavailable
	e.Cause = cause
	return &e
}

// Is lets errors.Is(err, ErrTimestampUnavailable) match copies made by
// unavailable.
func isUnavailable(err error) bool {
	var e *moudesk.Error
	return errors.As(err, &e) && e.Code == ErrTimestampUnavailable.Code
}

// HTTPTSA asks TSAs over HTTP (RFC 3161 §3.4: POST
// application/timestamp-query), trying URLs in order until one answers
// with a token that matches the request.
type HTTPTSA struct {
	URLs               []string
	Username, Password string        // HTTP basic auth, when Username is set
	Timeout            time.Duration // per URL; default 10 s
	Client             *http.Client
}

type tsReq struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
}

type pkiStatusInfo struct {
	Status       int
	StatusString []string       `asn1:"optional,utf8"`
	FailInfo     asn1.BitString `asn1:"optional"`
}

type tsResp struct {
	Status pkiStatusInfo
	Token  asn1.RawValue `asn1:"optional"`
}

// Timestamp implements Timestamper.
func (h *HTTPTSA) Timestamp(ctx context.Context, digest []byte) ([]byte, error) {
	if len(h.URLs) == 0 {
		return nil, unavailable(errors.New("no TSA URL configured"))
	}
	nonce, err := randomSerial()
	if err != nil {
		return nil, unavailable(err)
	}
	req, err := asn1.Marshal(tsReq{Version: 1, MessageImprint: messageImprint{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, HashedMessage: digest},
		Nonce: nonce, CertReq: true})
	if err != nil {
		return nil, unavailable(err)
	}
	var errs []error
	for _, u := range h.URLs {
		tok, err := h.ask(ctx, u, req, digest, nonce)
		if err == nil {
			return tok, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", u, err))
	}
	return nil, unavailable(errors.Join(errs...))
}

func (h *HTTPTSA) ask(ctx context.Context, url string, query, digest []byte, nonce *big.Int) ([]byte, error) {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(query))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	req.Header.Set("Accept", "application/timestamp-reply")
	if h.Username != "" {
		req.SetBasicAuth(h.Username, h.Password)
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return tokenFromResponse(body, digest, nonce)
}

// tokenFromResponse checks a TimeStampResp answers the request: granted,
// a token that verifies, over digest, with the nonce sent.
func tokenFromResponse(body, digest []byte, nonce *big.Int) ([]byte, error) {
	var resp tsResp
	if rest, err := asn1.Unmarshal(body, &resp); err != nil || len(rest) > 0 {
		return nil, errors.New("the answer is not a time-stamp response")
	}
	if resp.Status.Status > 1 {
		return nil, fmt.Errorf("the TSA refused: status %d %v", resp.Status.Status, resp.Status.StatusString)
	}
	ts, err := ParseTimestamp(resp.Token.FullBytes)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(ts.Imprint, digest) {
		return nil, errors.New("the token is for another message imprint")
	}
	if nonce != nil && (ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0) {
		return nil, errors.New("the token does not carry the request's nonce")
	}
	return resp.Token.FullBytes, nil
}

// OptionalTSA signs without a timestamp when its TSA fails (serve
// --tsa-optional): the token is then nil, and verification says the
// signature has no trusted time.
type OptionalTSA struct{ TSA Timestamper }

// Timestamp implements Timestamper; it never fails.
func (o OptionalTSA) Timestamp(ctx context.Context, digest []byte) ([]byte, error) {
	tok, err := o.TSA.Timestamp(ctx, digest)
	if err != nil {
		return nil, nil
	}
	return tok, nil
}

// LocalTSA is moudesk's built-in TSA: a key and a timeStamping
// certificate issued by moudesk's own CA, stamping the server's clock.
type LocalTSA struct {
	Key   crypto.Signer
	Cert  *x509.Certificate
	Chain []*x509.Certificate
	Now   func() time.Time
}

// Timestamp implements Timestamper.
func (l *LocalTSA) Timestamp(_ context.Context, digest []byte) ([]byte, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	return l.token(digest, nil, now())
}

// token makes a token over digest at t, echoing nonce.
func (l *LocalTSA) token(digest []byte, nonce *big.Int, t time.Time) ([]byte, error) {
	if len(digest) != sha256.Size {
		return nil, errors.New("timestamp: digest is not SHA-256")
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	info, err := asn1.Marshal(tstInfo{Version: 1, Policy: oidMoudeskTSAPolicy,
		MessageImprint: messageImprint{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, HashedMessage: digest},
		SerialNumber:   serial, GenTime: t.UTC().Truncate(time.Second), Accuracy: accuracy{Seconds: 1}, Nonce: nonce})
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	sd, err := pkcs7.NewSignedData(info)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	// The content type attribute and eContentType must both say TSTInfo.
	sd.GetSignedData().ContentInfo.ContentType = oidTSTInfo
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{{Type: oidSigningCertificateV2, Value: signingCertAttribute(l.Cert)}}}
	if err := sd.AddSignerChain(l.Cert, l.Key, embeddedChain(l.Chain), cfg); err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	return der, nil
}

// Reply answers an RFC 3161 request (the body of a POST
// application/timestamp-query) with a TimeStampResp, so the built-in TSA
// can also be served over HTTP.
func (l *LocalTSA) Reply(query []byte, t time.Time) ([]byte, error) {
	var req tsReq
	if rest, err := asn1.Unmarshal(query, &req); err != nil || len(rest) > 0 || req.Version != 1 {
		return asn1.Marshal(tsResp{Status: pkiStatusInfo{Status: 2, StatusString: []string{"bad request"}}})
	}
	if !req.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) {
		return asn1.Marshal(tsResp{Status: pkiStatusInfo{Status: 2, StatusString: []string{"only SHA-256"}}})
	}
	tok, err := l.token(req.MessageImprint.HashedMessage, req.Nonce, t)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(tsResp{Status: pkiStatusInfo{Status: 0}, Token: asn1.RawValue{FullBytes: tok}})
}

// oidExtKeyUsage is the extended key usage extension's identifier.
var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// IssueTSA issues the built-in TSA's key and certificate: extended key
// usage timeStamping, critical (RFC 3161 §2.3), valid as long as the CA.
func (a *Authority) IssueTSA(commonName string, now time.Time) (*LocalTSA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issue TSA: generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: a.Cert.Subject.Organization},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              a.Cert.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtraExtensions:       []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
		BasicConstraintsValid: true,
		CRLDistributionPoints: a.crlPoints(),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return nil, fmt.Errorf("issue TSA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("issue TSA: %w", err)
	}
	return &LocalTSA{Key: key, Cert: cert, Chain: append([]*x509.Certificate{a.Cert}, a.Chain...)}, nil
}
