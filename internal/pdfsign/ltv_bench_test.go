package pdfsign

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkLTV measures long-term validation finishing as the seal does
// it: the 40-page bench MOU, certified, signed by four signatories and
// sealed (six signatures, each time-stamped by the built-in TSA), gets
// its DSS (chains and the CA's CRL, a VRI per signature) and a document
// timestamp.
func BenchmarkLTV(b *testing.B) {
	md := testtool.SharedBench(b, "mou-40p.md")
	blocks := []render.SignatureBlock{{Party: "City", Name: "Nelson Fialho", Title: "City Manager"}, {Party: "District", Name: "Zoë Ortíz", Title: "Superintendent"},
		{Party: "City", Name: "David Swing", Title: "Chief of Police"}, {Party: "District", Name: "Joan Laursen", Title: "President"}}
	res, err := render.PDF(md, render.Options{Title: "Bench MOU", Signatures: blocks})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		b.Fatal(err)
	}
	tsa, err := ca.IssueTSA("moudesk Time-Stamping Authority", now)
	if err != nil {
		b.Fatal(err)
	}
	keys := &Keys{Authority: ca, TSA: tsa}
	signer := func(cn string) *Signer {
		s, err := keys.SignerFor(cn, "Org", "", now)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	fields := []Field{{Name: "Seal", Page: res.Pages}}
	for i, s := range res.Signatures {
		fields = append(fields, Field{Name: fmt.Sprintf("Line%d", i+1), Page: s.Page, Rect: s.Rect})
	}
	pdf := mustSign(b, res.PDF, signer(SealName), Request{Field: "Cert", Certify: true, Time: now, NewFields: fields})
	for i, bl := range blocks {
		pdf = mustSign(b, pdf, signer(bl.Name), Request{Field: fmt.Sprintf("Line%d", i+1), Name: bl.Name, Time: now, Appearance: []string{bl.Name, bl.Title}})
	}
	sealed := mustSign(b, pdf, signer(SealName), Request{Field: "Seal", Name: "moudesk", Time: now})
	ctx := context.Background()
	b.SetBytes(int64(len(sealed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AddLTV(ctx, sealed, keys.LTVOptions(now)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocalTSA is the built-in TSA's share of a signature: one token
// (TSTInfo, ECDSA P-256 signature, CMS) over a digest.
func BenchmarkLocalTSA(b *testing.B) {
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		b.Fatal(err)
	}
	tsa, err := ca.IssueTSA("TSA", now)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 32)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tsa.Timestamp(ctx, digest); err != nil {
			b.Fatal(err)
		}
	}
}
