package pdfsign

import (
	"os"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/render"
)

// benchMOU is the shared 40-page bench MOU, beside the checkout.
const benchMOU = "../../../shared/bench/mou-40p.md"

// BenchmarkSign appends one visible signature to the signed 40-page bench
// MOU as moudesk renders it (embedded fonts, footer, signature blocks):
// certified with empty fields and already signed by one signatory. Keys
// are ECDSA P-256, as the authority issues them; the time includes
// issuing the one-time certificate, as the ceremony does.
func BenchmarkSign(b *testing.B) {
	md, err := os.ReadFile(benchMOU)
	if err != nil {
		b.Skipf("bench MOU not beside the checkout: %v", err)
	}
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
}
