package testtool

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"github.com/moudesk/moudesk/internal/render/fonts"
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

// QPDFResave rewrites data with qpdf and the given options (e.g.
// "--object-streams=generate"), as another tool re-saving a copy would.
func QPDFResave(tb testing.TB, data []byte, opts ...string) []byte {
	tb.Helper()
	bin := Need(tb, "qpdf", "qpdf")
	out := filepath.Join(tb.TempDir(), "resaved.pdf")
	args := append(append([]string{WriteTemp(tb, "in.pdf", data)}, opts...), out)
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		tb.Fatalf("qpdf %v: %v\n%s", opts, err, b)
	}
	res, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// EditPDFText changes the word old to new (same length) inside the shown
// strings of data, the way someone altering a copy would: qpdf --qdf
// uncompresses the content streams, the bytes of the string are replaced
// (as UTF-16BE, hex or literal, for gofpdf's embedded fonts, else as
// single bytes), and qpdf
// writes a normal file again. It fails the test when old is not found.
func EditPDFText(tb testing.TB, data []byte, old, new string) []byte {
	tb.Helper()
	if len(old) != len(new) {
		tb.Fatalf("EditPDFText: %q and %q differ in length", old, new)
	}
	qdf := QPDFResave(tb, data, "--qdf", "--object-streams=disable")
	utf16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>8), byte(r))
		}
		return b
	}
	hexed := func(s string) []byte { return []byte(hex.EncodeToString(utf16(s))) }
	switch {
	case bytes.Contains(qdf, hexed(old)):
		qdf = bytes.Replace(qdf, hexed(old), hexed(new), 1)
	case bytes.Contains(qdf, utf16(old)):
		qdf = bytes.Replace(qdf, utf16(old), utf16(new), 1)
	case bytes.Contains(qdf, []byte("("+old)) || bytes.Contains(qdf, []byte(" "+old)):
		qdf = bytes.Replace(qdf, []byte(old), []byte(new), 1)
	default:
		tb.Fatalf("EditPDFText: %q not found in the uncompressed file", old)
	}
	return QPDFResave(tb, qdf)
}

// ChromiumPDF prints the HTML page html with headless Chromium: a PDF from
// another producer (Skia), with its own object layout and fonts.
func ChromiumPDF(tb testing.TB, html string) []byte {
	tb.Helper()
	bin := Need(tb, "chromium", "chromium")
	dir := tb.TempDir()
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "chromium.pdf")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer", "--print-to-pdf="+out, page)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("chromium: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// FooterPDF is a one-page PDF made with gofpdf in moudesk's embedded
// UTF-8 font: body text and, when footer is set, a footer line (e.g. one
// copying moudesk's "moudesk · <id> rev N · …" to forge a claim).
func FooterPDF(tb testing.TB, body, footer string) []byte {
	tb.Helper()
	ttf, err := fonts.FS.ReadFile("LiberationSerif-Regular.ttf")
	if err != nil {
		tb.Fatal(err)
	}
	f := gofpdf.New("P", "pt", "Letter", "")
	f.AddUTF8FontFromBytes("serif", "", ttf)
	f.SetFont("serif", "", 11)
	f.AddPage()
	f.Cell(0, 14, body)
	if footer != "" {
		f.Text(72, 760, footer)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
