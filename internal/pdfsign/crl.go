package pdfsign

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// File names of the built-in TSA's key and certificate and of the
// revocation list, beside ca.pem.
const (
	tsaCertFile = "tsa.pem"
	tsaKeyFile  = "tsa-key.pem"
	revokedFile = "revoked.json"
)

// crlValidity is how long a published CRL stays current (its
// nextUpdate); /ca/crl signs a fresh one on each request.
const crlValidity = 7 * 24 * time.Hour

// Revocation is one certificate the CA revoked.
type Revocation struct {
	Serial string    `json:"serial"` // decimal
	Reason int       `json:"reason"` // RFC 5280 CRLReason code
	Time   time.Time `json:"time"`
}

// ReasonCodes names RFC 5280 CRL reasons for `moudesk ca revoke --reason`.
var ReasonCodes = map[string]int{
	"unspecified": 0, "keyCompromise": 1, "cACompromise": 2, "affiliationChanged": 3,
	"superseded": 4, "cessationOfOperation": 5, "certificateHold": 6, "privilegeWithdrawn": 9,
}

func (a *Authority) crlPoints() []string {
	if a.CRLURL == "" {
		return nil
	}
	return []string{a.CRLURL}
}

// Revocations reads the CA's revocation list (none when the file does not
// exist or the CA has no folder).
func (a *Authority) Revocations() ([]Revocation, error) {
	if a.Dir == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(a.Dir, revokedFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	var rs []Revocation
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("read revocations %s: %w", filepath.Join(a.Dir, revokedFile), err)
	}
	return rs, nil
}

// Revoke records that the certificate with serial (decimal or 0x-hex) is
// revoked from now for reason; revoking twice keeps the first record.
func (a *Authority) Revoke(serial string, reason int, now time.Time) (Revocation, error) {
	if a.Dir == "" {
		return Revocation{}, errors.New("revoke: the CA has no folder to record revocations in")
	}
	n, ok := new(big.Int).SetString(serial, 0)
	if !ok || n.Sign() <= 0 {
		return Revocation{}, fmt.Errorf("revoke: serial %q is not a positive number", serial)
	}
	rs, err := a.Revocations()
	if err != nil {
		return Revocation{}, err
	}
	for _, r := range rs {
		if r.Serial == n.String() {
			return r, nil
		}
	}
	r := Revocation{Serial: n.String(), Reason: reason, Time: now.UTC().Truncate(time.Second)}
	rs = append(rs, r)
	data, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return Revocation{}, err
	}
	tmp := filepath.Join(a.Dir, revokedFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return Revocation{}, fmt.Errorf("revoke: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(a.Dir, revokedFile)); err != nil {
		return Revocation{}, fmt.Errorf("revoke: %w", err)
	}
	return r, nil
}

// CRL signs the CA's current revocation list (DER), valid from now for a
// week; its number is the newest revocation's time, so it grows with
// every revocation and stays the same between them.
func (a *Authority) CRL(now time.Time) ([]byte, error) {
	rs, err := a.Revocations()
	if err != nil {
		return nil, err
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
	number := big.NewInt(1)
	var entries []x509.RevocationListEntry
	for _, r := range rs {
		n, ok := new(big.Int).SetString(r.Serial, 10)
		if !ok {
			return nil, fmt.Errorf("CRL: bad serial %q in revocations", r.Serial)
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: r.Time, ReasonCode: r.Reason})
		number = big.NewInt(r.Time.Unix())
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: number, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(crlValidity),
		RevokedCertificateEntries: entries,
	}, a.Cert, a.Key)
	if err != nil {
		return nil, fmt.Errorf("CRL: %w", err)
	}
	return der, nil
}

// LoadOrIssueTSA returns the built-in TSA kept in the CA's folder,
// issuing it on first use (key file 0600), or a fresh one each time for a
// CA held only in memory.
func (a *Authority) LoadOrIssueTSA(now time.Time) (*LocalTSA, error) {
	if a.Dir == "" {
		return a.IssueTSA("moudesk Time-Stamping Authority", now)
	}
	certPEM, cerr := os.ReadFile(filepath.Join(a.Dir, tsaCertFile))
	keyPEM, kerr := os.ReadFile(filepath.Join(a.Dir, tsaKeyFile))
	if cerr == nil && kerr == nil {
		s, err := LoadPEM(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("load TSA: %w", err)
		}
		if s.Cert.CheckSignatureFrom(a.Cert) == nil && now.Before(s.Cert.NotAfter) {
			return &LocalTSA{Key: s.Key, Cert: s.Cert, Chain: append([]*x509.Certificate{a.Cert}, a.Chain...)}, nil
		}
	}
	t, err := a.IssueTSA("moudesk Time-Stamping Authority", now)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(t.Key)
	if err != nil {
		return nil, fmt.Errorf("write TSA key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(a.Dir, tsaKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, fmt.Errorf("write TSA key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(a.Dir, tsaCertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: t.Cert.Raw}), 0o600); err != nil {
		return nil, fmt.Errorf("write TSA certificate: %w", err)
	}
	return t, nil
}

// revokedAt looks serial up in crl: when and whether it is revoked.
func revokedAt(crl *x509.RevocationList, serial *big.Int) (time.Time, bool) {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(serial) == 0 {
			return e.RevocationTime, true
		}
	}
	return time.Time{}, false
}

// FetchCRL downloads the CRL at cert's first HTTP distribution point and
// checks issuer signed it; nil, nil when cert names none.
func FetchCRL(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
	for _, u := range cert.CRLDistributionPoints {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch CRL %s: %w", u, err)
		}
		defer resp.Body.Close()
		der, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch CRL %s: %s %v", u, resp.Status, err)
		}
		if b, _ := pem.Decode(der); b != nil {
			der = b.Bytes
		}
		crl, err := x509.ParseRevocationList(der)
		if err != nil || crl.CheckSignatureFrom(issuer) != nil {
			return nil, fmt.Errorf("fetch CRL %s: not a CRL signed by %s", u, issuer.Subject.CommonName)
		}
		return der, nil
	}
	return nil, nil
}
