package pdfsign

import (
	"bytes"
	"fmt"
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
	return testtool.WriteTemp(tb, name, data)
}

// nssDB creates an NSS database trusting ca, for pdfsig -nssdir.
func nssDB(t *testing.T, ca *Authority) string { return testtool.NSSDB(t, ca.Cert.Raw) }

// pdfsig runs poppler's pdfsig and returns its output.
func pdfsig(t *testing.T, nss string, data []byte) string { return testtool.PDFSig(t, nss, data) }

// qpdfCheck fails the test unless qpdf --check accepts data.
func qpdfCheck(t *testing.T, data []byte) { testtool.QPDFCheck(t, data) }
