package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/testtool"
)

const sampleMD = `# Memorandum of Understanding

## 1. Purpose

The City of Riverton and the Riverton Unified School District (the "Parties") agree
that José Peña, Zoë Adams and the school resource officers serve the students.

## 2. Term

This agreement runs for **three years** from the date of the last signature, and costs $12,500.
`

func renderSample(t testing.TB) []byte {
	t.Helper()
	res, err := render.PDF([]byte(sampleMD), render.Options{
		Title:      "School Resource Officer MOU",
		HeaderNote: "Revision 3 · 1a2b3c4d",
		FooterNote: "moudesk · 7 rev 3 · 1a2b3c4d5e6f · verify at https://example.org/verify",
		Signatures: []render.SignatureBlock{{Party: "City of Riverton", Name: "José Peña", Title: "Chief of Police"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.PDF
}

func extractWords(t *testing.T, pdf []byte) ([]string, []string) {
	t.Helper()
	pages, err := Extract(context.Background(), pdf)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return pages, Words(pages)
}

// The words of a moudesk PDF are those poppler reads, less the footer.
// pdftotext orders text by position and we by drawing order (the header is
// drawn last), so the words are compared sorted.
func TestExtractAgreesWithPdftotext(t *testing.T) {
	pdf := renderSample(t)
	pages, words := extractWords(t, pdf)
	want := Words(strings.Split(testtool.PDFText(t, pdf), "\f"))
	if d := Compare(sorted(want), sorted(words)); d != nil {
		t.Fatalf("words differ from pdftotext at %d: pdftotext %q, ours %q\nours: %q", d.At, d.Expected, d.Found, words)
	}
	for _, w := range []string{"José", "Peña,", "Zoë", "$12,500.", "three"} {
		if !contains(words, w) {
			t.Errorf("word %q missing from %q", w, words)
		}
	}
	if contains(words, "moudesk") || contains(words, "Page") {
		t.Errorf("footer words left in %q", words)
	}
	claims := Claims(pages)
	if len(claims) != 1 || claims[0] != (Claim{MOUID: 7, Revision: 3, HashPrefix: "1a2b3c4d5e6f"}) {
		t.Errorf("claims = %+v", claims)
	}
}

// qpdf rewrites the file (object and xref streams, recompressed content):
// the words stay the same; a word changed inside a string does not.
func TestExtractSurvivesQpdfAndSeesEdits(t *testing.T) {
	pdf := renderSample(t)
	_, orig := extractWords(t, pdf)
	resaved := testtool.QPDFResave(t, pdf, "--object-streams=generate")
	if bytes.Equal(resaved, pdf) {
		t.Fatal("qpdf left the bytes unchanged")
	}
	if _, got := extractWords(t, resaved); Compare(orig, got) != nil {
		t.Fatalf("re-saved copy reads differently: %+v", Compare(orig, got))
	}
	edited := testtool.EditPDFText(t, pdf, "three", "seven")
	_, got := extractWords(t, edited)
	d := Compare(orig, got)
	if d == nil || orig[d.At] != "three" || got[d.At] != "seven" || !contains(d.Found, "seven") {
		t.Fatalf("edited copy: difference %+v", d)
	}
}

// Chromium (Skia) writes Type0 fonts with ToUnicode CMaps, object streams
// and an xref stream: our words are poppler's.
func TestExtractChromiumPDF(t *testing.T) {
	pdf := testtool.ChromiumPDF(t, `<!doctype html><meta charset="utf-8"><h1>Joint Use Agreement</h1>
<p>The City and the District share the gymnasium after school hours. Zoë Peña signs for the “District”; fees are $1,250.</p>
<p style="page-break-before: always">Second page: insurance and indemnification.</p>`)
	pages, words := extractWords(t, pdf)
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	want := Words(strings.Split(testtool.PDFText(t, pdf), "\f"))
	if d := Compare(sorted(want), sorted(words)); d != nil {
		t.Fatalf("words differ from pdftotext: %+v\nours: %q\npoppler: %q", d, words, want)
	}
	if !contains(words, "Zoë") || !contains(words, "“District”;") {
		t.Fatalf("words = %q", words)
	}
}

// A gofpdf document with the core Helvetica font (WinAnsi, no ToUnicode).
func TestExtractSimpleFont(t *testing.T) {
	f := gofpdf.New("P", "pt", "Letter", "")
	f.SetFont("Helvetica", "", 11)
	f.AddPage()
	f.Cell(0, 14, "Hello, caf\xe9 world")
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatal(err)
	}
	_, words := extractWords(t, b.Bytes())
	if strings.Join(words, " ") != "Hello, café world" {
		t.Fatalf("words = %q", words)
	}
}

func TestExtractRejectsNonPDF(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("hello"), []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")} {
		if _, err := Extract(context.Background(), in); !errors.Is(err, ErrNotPDF) {
			t.Errorf("Extract(%q) = %v, want ErrNotPDF", in, err)
		}
	}
}

func TestCompare(t *testing.T) {
	a := strings.Fields("one two three four five six seven eight nine ten")
	if Compare(a, a) != nil {
		t.Fatal("equal sequences differ")
	}
	b := strings.Fields("one two three four five SIX seven eight nine ten")
	d := Compare(a, b)
	if d == nil || d.At != 5 || d.Expected[0] != "two" || d.Found[4] != "SIX" {
		t.Fatalf("Compare = %+v", d)
	}
	if d := Compare(a, a[:4]); d == nil || d.At != 4 || len(d.Found) != 4 {
		t.Fatalf("Compare of a prefix = %+v", d)
	}
	// Where the spaces fall does not count; the characters do.
	if d := Compare(strings.Fields("Revision 1 · 35ca7009 Pleasanton SRO"), strings.Fields("Revision 1 · 35ca7009Pleasanton S RO")); d != nil {
		t.Fatalf("words split differently: %+v", d)
	}
	if d := Compare(strings.Fields("pays 1,000 dollars now"), strings.Fields("pays 1,0 01 dollars now")); d == nil || d.At != 1 || d.FoundAt != 2 || d.Found[d.FoundAt] != "01" {
		t.Fatalf("a changed digit: %+v", d)
	}
	if d := Compare(strings.Fields("pays 1,000 dollars"), strings.Fields("pays 1,0 00 dollar s.")); d == nil || d.At != 3 || d.FoundAt != 4 {
		t.Fatalf("an added character at the end: %+v", d)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(renderSample(f))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]>>endobj 3 0 obj<</Type/Page/Contents 4 0 R/Resources<</XObject<</X 5 0 R>>>>>>endobj 4 0 obj<</Length 12>>stream\nBT (hi) Tj ET\nendstream endobj\nxref\n0 1\n0000000000 65535 f \ntrailer<</Root 1 0 R/Size 5>>\nstartxref\n190\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pages, err := Extract(ctx, data)
		if err == nil {
			_ = Words(pages)
			_ = Claims(pages)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func contains(s []string, w string) bool {
	for _, x := range s {
		if x == w {
			return true
		}
	}
	return false
}

// BenchmarkExtractWords reads the words of the 40-page bench MOU, what
// verification by text does once for the upload and once for the stored
// revision.
func BenchmarkExtractWords(b *testing.B) {
	md := testtool.SharedBench(b, "mou-40p.md")
	res, err := render.PDF(md, render.Options{Title: "Bench MOU", FooterNote: "moudesk · 1 rev 1 · 0123456789ab · verify at https://x/verify"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(res.PDF)))
	b.ReportAllocs()
	for b.Loop() {
		pages, err := Extract(context.Background(), res.PDF)
		if err != nil || len(Words(pages)) < 1000 {
			b.Fatalf("Extract: %v", err)
		}
	}
}

// buildPDF writes objs (object i+1 is objs[i]) with a correct classic
// cross-reference table, for hand-made hostile files.
func buildPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// Hostile structure ends: a form XObject that draws itself, a page tree
// that contains itself, a content stream of unterminated strings and an
// inline image without EI, and a CMap range spanning every code.
func TestExtractHostile(t *testing.T) {
	stream := func(dict, data string) string {
		return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
	}
	cases := map[string][]byte{
		"SelfDrawingForm": buildPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X 5 0 R >> >> >>",
			stream("", "BT (page) Tj ET /X Do"),
			stream("/Type /XObject /Subtype /Form /Resources << /XObject << /X 5 0 R >> >>", "BT (form) Tj ET /X Do /X Do")),
		"CyclicPageTree": buildPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 2 0 R 3 0 R] >>",
			"<< /Type /Page /Contents 4 0 R >>", stream("", "BT (x) Tj ET")),
		"BrokenContent": buildPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>",
			"<< /Type /Page /Contents 4 0 R >>", stream("", "BT [(a) -300 (b)] TJ <41 (unterminated BI /W 1 ID \x00\x01")),
		"WideCMap": buildPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] >>",
			"<< /Type /Page /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>", stream("", "BT /F1 12 Tf <00410042> Tj ET"),
			"<< /Type /Font /Subtype /Type0 /ToUnicode 6 0 R >>",
			stream("", "1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0000> <FFFFFFFF> <0000> endbfrange")),
	}
	for name, pdf := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pages, err := Extract(ctx, pdf)
			if err != nil && !errors.Is(err, ErrNotPDF) && !errors.Is(err, errTooMuch) {
				t.Fatalf("Extract: %v", err)
			}
			t.Logf("pages %q, err %v", pages, err)
		})
	}
	pages, err := Extract(context.Background(), cases["SelfDrawingForm"])
	if err != nil || !strings.Contains(pages[0], "page") || strings.Count(pages[0], "form") < 2 {
		t.Fatalf("self-drawing form: %q %v", pages, err)
	}
	pages, err = Extract(context.Background(), cases["WideCMap"])
	if err != nil || strings.TrimSpace(pages[0]) != "AB" {
		t.Fatalf("CMap range over all codes: %q %v", pages, err)
	}
}
