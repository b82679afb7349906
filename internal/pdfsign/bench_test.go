package pdfsign

import (
	"testing"
	"time"
)

// BenchmarkSign appends one visible signature to a certified 40-page MOU
// (ECDSA P-256 keys).
func BenchmarkSign(b *testing.B) {
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		b.Fatal(err)
	}
	s, err := ca.Issue("Bench Signer", "City", "", now)
	if err != nil {
		b.Fatal(err)
	}
	base := mustSign(b, makePDF(b, 40), s, Request{Field: "Cert", Certify: true, Time: now,
		NewFields: []Field{{Name: "City", Page: 40, Rect: [4]float64{72, 72, 292, 142}}}})
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	for b.Loop() {
		mustSign(b, base, s, Request{Field: "City", Name: "Bench Signer", Time: now,
			Appearance: []string{"Bench Signer", "City Manager", "Digitally signed"}})
	}
}
