package pdfsign

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/moudesk/moudesk/internal/testtool"
)

// makePDF renders a plain gofpdf document of n pages, like the unsigned
// MOUs moudesk produces (classic xref table, no object streams).
func makePDF(tb testing.TB, pages int) []byte {
	tb.Helper()
	f := gofpdf.New("P", "pt", "Letter", "")
	f.SetCreationDate(time.Date(2024, 8, 1, 12, 0, 0, 0, time.UTC))
	f.SetFont("Helvetica", "", 11)
	for i := 1; i <= pages; i++ {
		f.AddPage()
		f.Cell(0, 14, fmt.Sprintf("Memorandum of Understanding - page %d", i))
		f.Ln(20)
		f.MultiCell(0, 14, strings.Repeat("The District and the City agree to the terms set out in this section. ", 20), "", "", false)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		tb.Fatalf("gofpdf: %v", err)
	}
	return b.Bytes()
}

// writeTemp writes data into the test's temporary directory.
func writeTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// nssDB creates an NSS database trusting ca, for pdfsig -nssdir.
func nssDB(t *testing.T, ca *Authority) string {
	t.Helper()
	certutil := testtool.Need(t, "certutil", "libnss3-tools")
	dir := t.TempDir()
	caPath := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-d", "sql:" + dir, "-n", "ca", "-t", "C,C,C", "-i", caPath},
	} {
		if out, err := exec.Command(certutil, args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	return "sql:" + dir
}

// pdfsig runs poppler's pdfsig and returns its output. It exits 0 whether
// or not signatures are valid, so callers read the text.
func pdfsig(t *testing.T, nss string, data []byte) string {
	t.Helper()
	bin := testtool.Need(t, "pdfsig", "poppler-utils")
	out, err := exec.Command(bin, "-nssdir", nss, writeTemp(t, "s.pdf", data)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

// qpdfCheck fails the test unless qpdf --check accepts data.
func qpdfCheck(t *testing.T, data []byte) {
	t.Helper()
	bin := testtool.Need(t, "qpdf", "qpdf")
	out, err := exec.Command(bin, "--check", writeTemp(t, "c.pdf", data)).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "WARNING") {
		t.Fatalf("qpdf --check warned:\n%s", out)
	}
}
