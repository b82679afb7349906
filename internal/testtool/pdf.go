package testtool

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// WriteTemp writes data to a new file in the test's temporary directory.
func WriteTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// NSSDB creates an NSS database trusting the CA certificate caDER (for
// issuing signing certificates), for pdfsig -nssdir.
func NSSDB(tb testing.TB, caDER []byte) string {
	tb.Helper()
	certutil := Need(tb, "certutil", "libnss3-tools")
	dir := tb.TempDir()
	caPath := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-d", "sql:" + dir, "-n", "ca", "-t", "C,C,C", "-i", caPath},
	} {
		if out, err := exec.Command(certutil, args...).CombinedOutput(); err != nil {
			tb.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	return "sql:" + dir
}

// PDFSig runs poppler's pdfsig with the NSS database nss and returns its
// output. pdfsig exits 0 whether or not signatures are valid, so callers
// read the text.
func PDFSig(tb testing.TB, nss string, data []byte) string {
	tb.Helper()
	bin := Need(tb, "pdfsig", "poppler-utils")
	out, err := exec.Command(bin, "-nssdir", nss, WriteTemp(tb, "s.pdf", data)).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

// QPDFCheck fails the test unless qpdf --check accepts data without a
// warning.
func QPDFCheck(tb testing.TB, data []byte) {
	tb.Helper()
	bin := Need(tb, "qpdf", "qpdf")
	out, err := exec.Command(bin, "--check", WriteTemp(tb, "c.pdf", data)).CombinedOutput()
	if err != nil {
		tb.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "WARNING") {
		tb.Fatalf("qpdf --check warned:\n%s", out)
	}
}

// PDFText is pdftotext's UTF-8 text of data.
func PDFText(tb testing.TB, data []byte) string {
	tb.Helper()
	bin := Need(tb, "pdftotext", "poppler-utils")
	out, err := exec.Command(bin, "-enc", "UTF-8", WriteTemp(tb, "t.pdf", data), "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
