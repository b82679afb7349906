package pdfsign

import (
	"context"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"
)

type mouFixture struct {
	ca                     *Authority
	clerk, city, district  *Signer
	unsigned, certified    []byte
	signed1, signed2, seal []byte
}

// signMOU runs the moudesk sequence: certify with empty fields, two
// signatories, then the seal.
func signMOU(t *testing.T) mouFixture {
	t.Helper()
	now := time.Now()
	var f mouFixture
	var err error
	if f.ca, err = NewCA("moudesk Test CA", "moudesk", now); err != nil {
		t.Fatal(err)
	}
	issue := func(cn, org string) *Signer {
		s, err := f.ca.Issue(cn, org, "signer@example.org", now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	f.clerk = issue("moudesk Seal", "moudesk")
	f.city = issue("Nelson Fialho", "City of Pleasanton")
	f.district = issue("Zoë Ortíz-Łukasz", "Pleasanton Unified School District")
	f.unsigned = makePDF(t, 3)
	f.certified = mustSign(t, f.unsigned, f.clerk, Request{
		Field: "Certification", Certify: true, Reason: "Approved revision 4 (sha256 ab12…)",
		Name: "moudesk", Location: "Pleasanton, CA", Time: now,
		NewFields: []Field{
			{Name: "City", Page: 3, Rect: [4]float64{72, 100, 292, 170}},
			{Name: "District", Page: 3, Rect: [4]float64{320, 100, 540, 170}},
			{Name: "Seal", Page: 3},
		},
	})
	f.signed1 = mustSign(t, f.certified, f.city, Request{
		Field: "City", Name: "Nelson Fialho", Reason: "Signatory for the City", Time: now,
		Appearance: []string{"Nelson Fialho", "City Manager", "City of Pleasanton", now.Format("2006-01-02"), "Digitally signed"},
	})
	f.signed2 = mustSign(t, f.signed1, f.district, Request{
		Field: "District", Name: "Zoë Ortíz-Łukasz", Reason: "Signatory for the District (Board) \\ ok", Time: now,
		Appearance: []string{"Zoë Ortíz-Łukasz", "Superintendent", "Pleasanton USD", now.Format("2006-01-02"), "Digitally signed"},
	})
	f.seal = mustSign(t, f.signed2, f.clerk, Request{Field: "Seal", Name: "moudesk", Reason: "Executed", Time: now})
	return f
}

func mustSign(t testing.TB, pdf []byte, s *Signer, req Request) []byte {
	t.Helper()
	out, err := Sign(pdf, s, req)
	if err != nil {
		t.Fatalf("Sign %q: %v", req.Field, err)
	}
	return out
}

func TestMOUSequence(t *testing.T) {
	f := signMOU(t)
	if os.Getenv("PDFSIGN_KEEP") != "" {
		_ = os.WriteFile(os.Getenv("PDFSIGN_KEEP"), f.seal, 0o644)
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.Cert)
	rep, err := Verify(context.Background(), f.seal, roots)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 4 || rep.Revisions != 5 {
		t.Fatalf("got %d signatures, %d revisions: %+v", len(rep.Signatures), rep.Revisions, rep)
	}
	for i, s := range rep.Signatures {
		if !s.Valid || !s.Trusted {
			t.Errorf("signature %d (%s) valid=%v trusted=%v problem=%q", i, s.Field, s.Valid, s.Trusted, s.Problem)
		}
		if s.CoversWholeFile != (i == 3) {
			t.Errorf("signature %d covers whole file = %v", i, s.CoversWholeFile)
		}
	}
	if !rep.Signatures[0].Certification || rep.Signatures[1].Certification {
		t.Errorf("certification flags wrong: %+v", rep.Signatures)
	}
	if got := rep.Signatures[2].SignerName; got != "Zoë Ortíz-Łukasz" {
		t.Errorf("signer name %q", got)
	}
	if got := rep.Signatures[2].Reason; got != "Signatory for the District (Board) \\ ok" {
		t.Errorf("reason %q", got)
	}
}

// TestMOUSequencePdfsig checks each step with poppler's pdfsig against an
// NSS database that trusts the test CA, and with qpdf --check.
func TestMOUSequencePdfsig(t *testing.T) {
	f := signMOU(t)
	nss := nssDB(t, f.ca)
	steps := []struct {
		name string
		pdf  []byte
		sigs int
	}{{"certified", f.certified, 1}, {"city", f.signed1, 2}, {"district", f.signed2, 3}, {"sealed", f.seal, 4}}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			qpdfCheck(t, s.pdf)
			out := pdfsig(t, nss, s.pdf)
			if n := strings.Count(out, "Signature Validation: Signature is Valid."); n != s.sigs {
				t.Errorf("%d valid signatures, want %d:\n%s", n, s.sigs, out)
			}
			if n := strings.Count(out, "Certificate Validation: Certificate is Trusted."); n != s.sigs {
				t.Errorf("%d trusted certificates, want %d:\n%s", n, s.sigs, out)
			}
			if n := strings.Count(out, "Total document signed"); n != 1 {
				t.Errorf("%d signatures cover the whole document, want 1:\n%s", n, out)
			}
		})
	}
}

// TestTamperedByte changes one byte inside the first signed range of the
// sealed MOU: pdfsig and Verify must both call every signature invalid.
func TestTamperedByte(t *testing.T) {
	f := signMOU(t)
	bad := append([]byte(nil), f.seal...)
	i := strings.Index(string(bad), "Memorandum") // not there: text is compressed
	if i < 0 {
		i = strings.Index(string(bad), "/Producer (")
	}
	if i < 0 {
		t.Fatal("no byte to change")
	}
	bad[i+len("/Producer (")] ^= 0x20
	out := pdfsig(t, nssDB(t, f.ca), bad)
	if strings.Contains(out, "Signature is Valid.") || strings.Count(out, "Digest Mismatch") != 4 {
		t.Errorf("pdfsig did not report 4 digest mismatches:\n%s", out)
	}
	rep, err := Verify(context.Background(), bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Signatures {
		if s.Valid || !strings.Contains(s.Problem, "digest mismatch") {
			t.Errorf("%s: valid=%v problem=%q", s.Field, s.Valid, s.Problem)
		}
	}
}
