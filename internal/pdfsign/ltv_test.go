package pdfsign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// ltvFixture is an MOU signed by two signatories and sealed, every
// signature time-stamped by tsa.
type ltvFixture struct {
	ca    *Authority
	keys  *Keys
	seal  []byte
	steps [][]byte
}

func builtinTSA(t testing.TB, ca *Authority) *LocalTSA {
	t.Helper()
	tsa, err := ca.IssueTSA("moudesk Time-Stamping Authority", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tsa
}

type timestamperFunc func(ctx context.Context, d []byte) ([]byte, error)

func (f timestamperFunc) Timestamp(ctx context.Context, d []byte) ([]byte, error) { return f(ctx, d) }

// signWithCA is signLTVMOU with a given CA.
func signWithCA(t testing.TB, ca *Authority, tsa Timestamper) ltvFixture {
	t.Helper()
	now := time.Now()
	if ca.Dir == "" {
		ca.Dir = t.TempDir()
	}
	keys := &Keys{Authority: ca, TSA: tsa}
	signer := func(cn, org string) *Signer {
		s, err := keys.SignerFor(cn, org, "", now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	seal := signer(SealName, "moudesk")
	f := ltvFixture{ca: ca, keys: keys}
	pdf := mustSign(t, makePDF(t, 3), seal, Request{Field: "Certification", Certify: true, Name: "moudesk", Time: now,
		NewFields: []Field{{Name: "City", Page: 3, Rect: [4]float64{72, 100, 292, 170}}, {Name: "District", Page: 3, Rect: [4]float64{320, 100, 540, 170}}, {Name: "Seal", Page: 3}}})
	f.steps = append(f.steps, pdf)
	pdf = mustSign(t, pdf, signer("Nelson Fialho", "City of Pleasanton"), Request{Field: "City", Name: "Nelson Fialho", Time: now, Appearance: []string{"Nelson Fialho"}})
	f.steps = append(f.steps, pdf)
	pdf = mustSign(t, pdf, signer("Zoë Ortíz", "Pleasanton USD"), Request{Field: "District", Name: "Zoë Ortíz", Time: now, Appearance: []string{"Zoë Ortíz"}})
	f.steps = append(f.steps, pdf)
	// As desk does: the seal gets its own one-time certificate.
	f.seal = mustSign(t, pdf, signer(SealName, "moudesk"), Request{Field: "Seal", Name: "moudesk", Time: now})
	f.steps = append(f.steps, f.seal)
	return f
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func pemOf(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

// signatureTokens returns each CAdES signature's timestamp token and the
// hex SHA-256 of the signature value it must cover.
func signatureTokens(t *testing.T, pdf []byte) (tokens [][]byte, digests []string) {
	t.Helper()
	doc, err := openDocument(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	_, fields, err := doc.formFields()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		sd := doc.dictOf(f.value)
		if sd == nil || sd.name("SubFilter") == "ETSI.RFC3161" {
			continue
		}
		contents, _ := sd["Contents"].(pdfString)
		res := checkCMS(contents, nil)
		if res.token == nil {
			t.Fatalf("signature %q has no timestamp token", f.name)
		}
		sum := sha256.Sum256(res.sigValue)
		tokens = append(tokens, res.token)
		digests = append(digests, hex.EncodeToString(sum[:]))
	}
	return tokens, digests
}

// TestSignatureTimestampBuiltinTSA: every signature carries a token from
// moudesk's own TSA over its signature value, which OpenSSL verifies, and
// verification takes the signing time from it.
func TestSignatureTimestampBuiltinTSA(t *testing.T) {
	ca, err := NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tsa := builtinTSA(t, ca)
	if err := checkTSACert(tsa.Cert); err != nil {
		t.Fatal(err)
	}
	f := signWithCA(t, ca, tsa)
	tokens, digests := signatureTokens(t, f.seal)
	if len(tokens) != 4 {
		t.Fatalf("%d tokens, want 4", len(tokens))
	}
	for i, tok := range tokens {
		if out, ok := testtool.OpenSSLTSVerify(t, tok, digests[i], pemOf(ca.Cert)); !ok {
			t.Fatalf("openssl ts -verify of token %d:\n%s", i, out)
		}
	}
	rep, err := VerifyWith(context.Background(), f.seal, VerifyOptions{Roots: pool(ca.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Signatures {
		if !s.Valid || !s.Trusted || s.TimeSource != "timestamp" || s.Timestamp == nil || s.Timestamp.TSA != "moudesk Time-Stamping Authority" || s.Timestamp.Problem != "" {
			t.Fatalf("signature %s: %+v %+v", s.Field, s, s.Timestamp)
		}
		if !s.ValidAtSigning || !s.ValidAt {
			t.Fatalf("signature %s not valid now: %s", s.Field, s.AtProblem)
		}
	}
}

// TestSignatureTimestampOpenSSLTSA: the same with OpenSSL's TSA over HTTP.
func TestSignatureTimestampOpenSSLTSA(t *testing.T) {
	ossl := testtool.NewOpenSSLTSA(t, 20)
	ca, err := NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := signWithCA(t, ca, &HTTPTSA{URLs: []string{"http://127.0.0.1:1/down", ossl.URL}, Timeout: 5 * time.Second})
	tokens, digests := signatureTokens(t, f.seal)
	for i, tok := range tokens {
		if out, ok := testtool.OpenSSLTSVerify(t, tok, digests[i], pemOf(ossl.Root)); !ok {
			t.Fatalf("openssl ts -verify of token %d:\n%s", i, out)
		}
	}
	rep, err := VerifyWith(context.Background(), f.seal, VerifyOptions{Roots: pool(ca.Cert, ossl.Root)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Signatures {
		if !s.Valid || s.TimeSource != "timestamp" || s.Timestamp.TSA != "OpenSSL Test TSA" || !s.ValidAt {
			t.Fatalf("signature %s: %+v %+v", s.Field, s, s.Timestamp)
		}
	}
	// Without the TSA's root the timestamp is untrusted, and so is the
	// signature once its certificate has expired.
	rep, err = VerifyWith(context.Background(), f.seal, VerifyOptions{Roots: pool(ca.Cert), At: time.Now().AddDate(5, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[1]
	if s.ValidAt || !strings.Contains(s.Timestamp.Problem, "untrusted TSA") || !strings.Contains(s.AtProblem, "signature timestamp cannot be trusted") {
		t.Fatalf("untrusted TSA: %+v %+v", s, s.Timestamp)
	}
}

// TestLTVFinishing adds the DSS and a document timestamp to the sealed
// MOU and checks everything a verifier decades later relies on: qpdf and
// pdfsig accept every step, every embedded chain and CRL re-verifies with
// Go and with `openssl verify -crl_check`, and the file verifies at a
// date its certificates have long expired — after a refresh by a TSA that
// outlives that date — while the same file without LTV does not.
func TestLTVFinishing(t *testing.T) {
	ca, err := NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ca.CRLURL = "https://moudesk.example.org/ca/crl"
	f := signWithCA(t, ca, builtinTSA(t, ca))
	ctx := context.Background()
	ltv, err := AddLTV(ctx, f.seal, f.keys.LTVOptions(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range append(f.steps, ltv) {
		qpdfCheck(t, step)
	}
	if !bytes.HasPrefix(ltv, f.seal) {
		t.Fatal("LTV rewrote the sealed bytes")
	}
	// poppler (22.12) validates the four CAdES signatures and lists the
	// document timestamp with its TSA, but cannot validate an
	// ETSI.RFC3161 value ("not yet been verified"); OpenSSL checks that
	// token below.
	out := pdfsig(t, nssDB(t, ca), ltv)
	if n := strings.Count(out, "Signature Validation: Signature is Valid."); n != 4 {
		t.Fatalf("pdfsig: %d valid signatures, want 4:\n%s", n, out)
	}
	if n := strings.Count(out, "Certificate Validation: Certificate is Trusted."); n != 4 {
		t.Fatalf("pdfsig: %d trusted certificates, want 4:\n%s", n, out)
	}
	if !strings.Contains(out, "Signature Field Name: DocTimeStamp1") || !strings.Contains(out, "Common Name: moudesk Time-Stamping Authority") {
		t.Fatalf("pdfsig does not list the document timestamp:\n%s", out)
	}
	tok, digest := docTimestampToken(t, ltv)
	if out, ok := testtool.OpenSSLTSVerify(t, tok, digest, pemOf(ca.Cert)); !ok {
		t.Fatalf("openssl ts -verify of the document timestamp:\n%s", out)
	}
	checkDSS(t, ltv, ca.Cert)

	rep, err := VerifyWith(ctx, ltv, VerifyOptions{Roots: pool(ca.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DSS || len(rep.Signatures) != 5 || !rep.Signatures[4].DocumentTimestamp {
		t.Fatalf("report: DSS %v, %d signatures", rep.DSS, len(rep.Signatures))
	}
	for _, s := range rep.Signatures {
		if !s.Valid || !s.ValidAt || !s.ChainEmbedded || !s.RevocationEmbedded || s.TimeSource != "timestamp" {
			t.Fatalf("%s: %+v", s.Field, s)
		}
	}

	// Thirteen years on: the signatories' certificates (three years) and
	// the CA with its TSA (ten) have expired. A refresh by a TSA whose
	// certificate outlives the date keeps the file verifiable.
	later := time.Now().AddDate(13, 0, 0)
	ossl := testtool.NewOpenSSLTSA(t, 20)
	opts := f.keys.LTVOptions(time.Now())
	opts.TSA = &HTTPTSA{URLs: []string{ossl.URL}}
	refreshed, err := AddLTV(ctx, ltv, opts)
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, refreshed)
	checkDSS(t, refreshed, ca.Cert, ossl.Root)
	roots := pool(ca.Cert, ossl.Root)
	for name, c := range map[string]struct {
		pdf  []byte
		want bool
	}{"refreshed": {refreshed, true}, "B-LTA without refresh": {ltv, false}, "sealed without LTV": {f.seal, false}} {
		rep, err := VerifyWith(ctx, c.pdf, VerifyOptions{Roots: roots, At: later})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Signatures {
			if s.ValidAt != c.want {
				t.Errorf("%s at %s: %s ValidAt %v (%s)", name, later.Format("2006-01-02"), s.Field, s.ValidAt, s.AtProblem)
			}
		}
	}
}

// checkDSS parses the DSS and re-verifies every CRL and every chain in it
// with Go's x509 and with `openssl verify -crl_check`.
func checkDSS(t *testing.T, pdf []byte, roots ...*x509.Certificate) {
	t.Helper()
	doc, err := openDocument(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	certs, crls, ok := dssContents(doc)
	if !ok || len(certs) == 0 || len(crls) == 0 {
		t.Fatalf("DSS: %d certificates, %d CRLs", len(certs), len(crls))
	}
	cat, _, _ := doc.catalog()
	vri := doc.dictOf(doc.dictOf(cat["DSS"])["VRI"])
	_, fields, _ := doc.formFields()
	for _, f := range fields {
		sd := doc.dictOf(f.value)
		if sd == nil {
			continue
		}
		contents, _ := sd["Contents"].(pdfString)
		if _, ok := vri[vriKey(contents)]; !ok && sd.name("SubFilter") != "ETSI.RFC3161" {
			t.Errorf("no VRI entry for %s", f.name)
		}
	}
	var crlPEM []byte
	for _, crl := range crls {
		signed := false
		for _, c := range certs {
			if bytes.Equal(crl.RawIssuer, c.RawSubject) && crl.CheckSignatureFrom(c) == nil {
				signed = true
			}
		}
		if !signed {
			t.Errorf("CRL of %s is not signed by a certificate in the DSS", crl.Issuer)
		}
		crlPEM = append(crlPEM, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl.Raw})...)
	}
	rootPool := pool(roots...)
	inter := pool(certs...)
	openssl := testtool.Need(t, "openssl", "openssl")
	caFile := testtool.WriteTemp(t, "roots.pem", pemOf(roots...))
	crlFile := testtool.WriteTemp(t, "crls.pem", crlPEM)
	for _, c := range certs {
		if c.IsCA {
			continue
		}
		if _, err := c.Verify(x509.VerifyOptions{Roots: rootPool, Intermediates: inter, CurrentTime: c.NotBefore.Add(2 * time.Hour),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("DSS certificate %s does not chain: %v", c.Subject.CommonName, err)
		}
		out, err := exec.Command(openssl, "verify", "-crl_check", "-CAfile", caFile, "-CRLfile", crlFile, "-purpose", "any",
			testtool.WriteTemp(t, "leaf.pem", pemOf(c))).CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": OK") {
			t.Errorf("openssl verify -crl_check %s: %v\n%s", c.Subject.CommonName, err, out)
		}
	}
}

// docTimestampToken returns the last document timestamp's token and the
// hex SHA-256 of the bytes its ByteRange covers.
func docTimestampToken(t *testing.T, pdf []byte) ([]byte, string) {
	t.Helper()
	doc, err := openDocument(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	_, fields, _ := doc.formFields()
	var tok []byte
	var digest string
	for _, f := range fields {
		sd := doc.dictOf(f.value)
		if sd == nil || sd.name("SubFilter") != "ETSI.RFC3161" {
			continue
		}
		a, b, c, problem := byteRange(doc, sd)
		if problem != "" {
			t.Fatal(problem)
		}
		h := sha256.New()
		h.Write(pdf[:a])
		h.Write(pdf[b : b+c])
		contents, _ := sd["Contents"].(pdfString)
		tok, digest = trimDER(contents), hex.EncodeToString(h.Sum(nil))
	}
	if tok == nil {
		t.Fatal("no document timestamp")
	}
	return tok, digest
}
