package pdfsign

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// TestDateFieldFilledBySignature: the certification creates an empty date
// field beside a signature field; the signing update fills it, so the
// date shows in the signed file while every signature stays valid, and a
// document without the field signs only when the fill says IfPresent.
func TestDateFieldFilledBySignature(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	ca, err := NewCA("moudesk Test CA", "moudesk", now)
	if err != nil {
		t.Fatal(err)
	}
	seal, err := ca.Issue("moudesk Seal", "moudesk", "", now)
	if err != nil {
		t.Fatal(err)
	}
	city, err := ca.Issue("Emily Larson", "City of Duluth", "mayor@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	certified := mustSign(t, makePDF(t, 1), seal, Request{
		Field: "Certification", Certify: true, Name: "moudesk", Time: now,
		NewFields:     []Field{{Name: "Mayor", Page: 1, Rect: [4]float64{72, 200, 342, 240}}},
		NewTextFields: []Field{{Name: "Mayor date", Page: 1, Rect: [4]float64{110, 160, 260, 178}}},
	})
	if _, err := Sign(certified, city, Request{Field: "Mayor", Fill: []FieldValue{{Name: "No such date", Value: "2026-12-04"}}}); err == nil {
		t.Fatal("filling a field the document lacks succeeded")
	}
	signed := mustSign(t, certified, city, Request{
		Field: "Mayor", Name: "Emily Larson", Time: now, Appearance: []string{"Emily Larson", "Mayor"},
		Fill: []FieldValue{{Name: "Mayor date", Value: "2026-12-04"}, {Name: "Absent date", Value: "x", IfPresent: true}},
	})
	if _, err := Sign(signed, city, Request{Field: "Other", Fill: []FieldValue{{Name: "Mayor date", Value: "2026-12-05"}}}); err == nil {
		t.Fatal("a filled date was filled again")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	rep, err := Verify(context.Background(), signed, roots)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 2 || !rep.Signatures[0].Valid || !rep.Signatures[1].Valid || !rep.Signatures[1].CoversWholeFile {
		t.Fatalf("signatures: %+v", rep.Signatures)
	}
	qpdfCheck(t, signed)
	if out := pdfsig(t, nssDB(t, ca), signed); strings.Count(out, "Signature Validation: Signature is Valid.") != 2 {
		t.Errorf("pdfsig:\n%s", out)
	}
}
