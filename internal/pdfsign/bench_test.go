package pdfsign

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkSign appends one visible signature to the signed 40-page bench
// MOU as moudesk renders it (embedded fonts, footer, signature blocks):
// certified with empty fields and already signed by one signatory. Keys
// are ECDSA P-256 as the authority issues them, the time including the
// one-time certificate the ceremony issues; RSA-3072 is measured with a
// fixed certificate, as an organization would configure it.
func BenchmarkSign(b *testing.B) {
	md := testtool.SharedBench(b, "mou-40p.md")
	res, err := render.PDF(md, render.Options{Title: "Bench MOU", FooterNote: "moudesk · 1 rev 1 · 0123456789ab · verify at https://moudesk.example.org/verify",
		Signatures: []render.SignatureBlock{{Party: "City", Name: "Nelson Fialho", Title: "City Manager"}, {Party: "District", Name: "Zoë Ortíz", Title: "Superintendent"}}})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		b.Fatal(err)
	}
	keys := &Keys{Authority: ca}
	seal, err := keys.SignerFor(SealName, "moudesk", "", now)
	if err != nil {
		b.Fatal(err)
	}
	certified := mustSign(b, res.PDF, seal, Request{Field: "Cert", Certify: true, Time: now, NewFields: []Field{
		{Name: "City", Page: res.Signatures[0].Page, Rect: res.Signatures[0].Rect},
		{Name: "District", Page: res.Signatures[1].Page, Rect: res.Signatures[1].Rect},
		{Name: "Seal", Page: res.Pages},
	}})
	city, err := keys.SignerFor("Nelson Fialho", "City of Pleasanton", "", now)
	if err != nil {
		b.Fatal(err)
	}
	signed := mustSign(b, certified, city, Request{Field: "City", Name: "Nelson Fialho", Time: now,
		Appearance: []string{"Nelson Fialho", "City Manager", "City of Pleasanton", "2025-06-12", "Digitally signed"}})
	b.Run("ECDSA-P256", func(b *testing.B) {
		b.SetBytes(int64(len(signed)))
		b.ReportAllocs()
		for b.Loop() {
			s, err := keys.SignerFor("Zoë Ortíz", "Pleasanton Unified School District", "", now)
			if err != nil {
				b.Fatal(err)
			}
			mustSign(b, signed, s, Request{Field: "District", Name: "Zoë Ortíz", Time: now,
				Appearance: []string{"Zoë Ortíz", "Superintendent", "Pleasanton Unified School District", "2025-06-12", "Digitally signed"}})
		}
	})
	// The same with a timestamp from the built-in TSA in every signature
	// (PAdES B-T), as serve signs by default.
	tsa, err := ca.IssueTSA("moudesk Time-Stamping Authority", now)
	if err != nil {
		b.Fatal(err)
	}
	stamped := &Keys{Authority: ca, TSA: tsa}
	b.Run("ECDSA-P256+TSA", func(b *testing.B) {
		b.SetBytes(int64(len(signed)))
		b.ReportAllocs()
		for b.Loop() {
			s, err := stamped.SignerFor("Zoë Ortíz", "Pleasanton Unified School District", "", now)
			if err != nil {
				b.Fatal(err)
			}
			mustSign(b, signed, s, Request{Field: "District", Name: "Zoë Ortíz", Time: now,
				Appearance: []string{"Zoë Ortíz", "Superintendent", "Pleasanton Unified School District", "2025-06-12", "Digitally signed"}})
		}
	})
	// An organization's RSA-3072 signing certificate, configured as a fixed
	// signer (an RSA key is too slow to make per signature).
	rsaSigner := issueRSA(b, ca, 3072, now)
	b.Run("RSA-3072", func(b *testing.B) {
		b.SetBytes(int64(len(signed)))
		b.ReportAllocs()
		for b.Loop() {
			mustSign(b, signed, rsaSigner, Request{Field: "District", Name: "Zoë Ortíz", Time: now,
				Appearance: []string{"Zoë Ortíz", "Superintendent", "Pleasanton Unified School District", "2025-06-12", "Digitally signed"}})
		}
	})
}

// issueRSA issues an RSA signing certificate of bits from ca.
func issueRSA(tb testing.TB, ca *Authority, bits int, now time.Time) *Signer {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "RSA Signer"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &Signer{Key: key, Cert: cert, Chain: []*x509.Certificate{ca.Cert}}
}
