package testtool

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// OpenSSLTSA is a real RFC 3161 time-stamping authority for tests:
// OpenSSL's own (`openssl ts -reply`) behind an HTTP handler, with a root
// and a TSA certificate made here. GET /crl serves the root's CRL, which
// the TSA certificate names as its distribution point.
type OpenSSLTSA struct {
	URL      string
	Root     *x509.Certificate
	RootPEM  string // path of the root certificate (PEM)
	Cert     *x509.Certificate
	CertPEM  string
	Requests atomic.Int64
	// Garbage, when set, makes the TSA answer these bytes instead.
	Garbage atomic.Pointer[[]byte]
}

// NewOpenSSLTSA starts a TSA whose certificate is valid for years from
// now (its root a year longer); it stops when tb ends.
func NewOpenSSLTSA(tb testing.TB, years int) *OpenSSLTSA {
	tb.Helper()
	openssl := Need(tb, "openssl", "openssl")
	dir := tb.TempDir()
	now := time.Now()
	tsa := &OpenSSLTSA{}
	var crl []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/crl" {
			w.Header().Set("Content-Type", "application/pkix-crl")
			_, _ = w.Write(crl)
			return
		}
		tsa.Requests.Add(1)
		if g := tsa.Garbage.Load(); g != nil {
			_, _ = w.Write(*g)
			return
		}
		query, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		f, err := os.CreateTemp(dir, "q")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = f.Write(query)
		_ = f.Close()
		out := f.Name() + ".tsr"
		cmd := exec.Command(openssl, "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", f.Name(),
			"-signer", tsa.CertPEM, "-inkey", filepath.Join(dir, "tsa-key.pem"), "-chain", tsa.RootPEM, "-out", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			http.Error(w, fmt.Sprintf("openssl ts -reply: %v\n%s", err, msg), http.StatusInternalServerError)
			return
		}
		resp, err := os.ReadFile(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
	}))
	tb.Cleanup(srv.Close)
	tsa.URL = srv.URL

	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test TSA Root", Organization: []string{"OpenSSL test TSA"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(years+1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		tb.Fatal(err)
	}
	if tsa.Root, err = x509.ParseCertificate(rootDER); err != nil {
		tb.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "OpenSSL Test TSA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(years, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions:       []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
		CRLDistributionPoints: []string{srv.URL + "/crl"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tsa.Root, key.Public(), rootKey)
	if err != nil {
		tb.Fatal(err)
	}
	if tsa.Cert, err = x509.ParseCertificate(der); err != nil {
		tb.Fatal(err)
	}
	if crl, err = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: now.Add(-time.Minute), NextUpdate: now.AddDate(years+1, 0, 0)}, tsa.Root, rootKey); err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	tsa.RootPEM = filepath.Join(dir, "root.pem")
	tsa.CertPEM = filepath.Join(dir, "tsa.pem")
	for path, data := range map[string][]byte{
		tsa.RootPEM:                       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}),
		tsa.CertPEM:                       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		filepath.Join(dir, "tsa-key.pem"): pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		filepath.Join(dir, "serial"):      []byte("01\n"),
		filepath.Join(dir, "tsa.cnf"): []byte(`[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = ` + filepath.Join(dir, "serial") + `
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return tsa
}

// OpenSSLTSVerify runs `openssl ts -verify` on token (a TimeStampToken,
// DER) over the SHA-256 digest (hex), trusting caPEM; it returns the
// output and whether OpenSSL said "Verification: OK".
func OpenSSLTSVerify(tb testing.TB, token []byte, digestHex string, caPEM []byte, untrusted ...*x509.Certificate) (string, bool) {
	tb.Helper()
	openssl := Need(tb, "openssl", "openssl")
	args := []string{"ts", "-verify", "-token_in", "-in", WriteTemp(tb, "tok.der", token), "-digest", digestHex,
		"-CAfile", WriteTemp(tb, "ca.pem", caPEM)}
	if len(untrusted) > 0 {
		var b []byte
		for _, c := range untrusted {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		args = append(args, "-untrusted", WriteTemp(tb, "untrusted.pem", b))
	}
	out, _ := exec.Command(openssl, args...).CombinedOutput()
	return string(out), strings.Contains(string(out), "Verification: OK")
}
