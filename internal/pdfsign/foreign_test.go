package pdfsign

import (
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// TestSignObjectStreamPDF signs, twice, a PDF qpdf rewrote with object
// streams and a cross-reference stream: each update adds its own field and
// an xref stream, and pdfsig and qpdf accept every step.
func TestSignObjectStreamPDF(t *testing.T) {
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, makePDF(t, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(qpdf, "--object-streams=generate", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, b)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pdf), "/ObjStm") {
		t.Fatal("qpdf did not produce object streams")
	}
	now := time.Now()
	ca, err := NewCA("Test CA", "moudesk", now)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ca.Issue("Ana Example", "City", "", now)
	b, _ := ca.Issue("Bo Example", "District", "", now)
	one := mustSign(t, pdf, a, Request{Reason: "invisible", Time: now})
	two := mustSign(t, one, b, Request{Field: "Bo", FieldPage: 2, FieldRect: [4]float64{72, 72, 272, 132},
		Reason: "visible", Time: now, Appearance: []string{"Bo Example", "Digitally signed"}})
	nss := nssDB(t, ca)
	for i, p := range [][]byte{one, two} {
		qpdfCheck(t, p)
		res := pdfsig(t, nss, p)
		if n := strings.Count(res, "Signature is Valid."); n != i+1 {
			t.Errorf("step %d: %d valid signatures:\n%s", i+1, n, res)
		}
		if n := strings.Count(res, "Certificate is Trusted."); n != i+1 {
			t.Errorf("step %d: %d trusted:\n%s", i+1, n, res)
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	rep, err := Verify(context.Background(), two, roots)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 2 || rep.Signatures[0].Field != "Signature1" || rep.Signatures[1].Field != "Bo" {
		t.Fatalf("report: %+v", rep)
	}
	for _, s := range rep.Signatures {
		if !s.Valid || !s.Trusted {
			t.Errorf("%s: %+v", s.Field, s)
		}
	}
}
