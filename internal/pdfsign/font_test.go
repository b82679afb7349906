package pdfsign

import (
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/testtool"
)

// TestAppearanceUsesEmbeddedFont: on a PDF moudesk rendered, a signature
// appearance draws the signatory's name in the document's own embedded
// font, so a name outside Latin-1 (Ł) shows exactly (lines the subset
// lacks glyphs for use Helvetica); a document without such a font falls
// back to Helvetica for every line.
func TestAppearanceUsesEmbeddedFont(t *testing.T) {
	const who = "Zoë Ortíz-Łukasz"
	res, err := render.PDF([]byte("# Agreement\n\nThe parties agree.\n"), render.Options{
		Signatures: []render.SignatureBlock{{Party: "Pleasanton Unified School District", Name: who, Title: "Superintendent"}}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ca.Issue(who, "Pleasanton Unified School District", "", now)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{who, "Superintendent", "Pleasanton Unified School District", "2025-06-12 10:00 UTC", "Digitally signed"}
	cert := mustSign(t, res.PDF, s, Request{Field: "Cert", Certify: true, Time: now, NewFields: []Field{
		{Name: "District", Page: res.Signatures[0].Page, Rect: res.Signatures[0].Rect}}})
	signed := mustSign(t, cert, s, Request{Field: "District", Name: who, Time: now, Appearance: lines})
	qpdfCheck(t, signed)
	before, after := testtool.PDFText(t, cert), testtool.PDFText(t, signed)
	if strings.Count(after, who) != strings.Count(before, who)+1 || !strings.Contains(after, "Digitally signed") {
		t.Errorf("the appearance does not show %q exactly:\n%s", who, after)
	}
	// gofpdf's core-font document has no Unicode font: Helvetica, with Ł
	// replaced, and the exact name still in the signature dictionary.
	plain := mustSign(t, makePDF(t, 1), s, Request{Field: "Vis", FieldRect: [4]float64{72, 72, 300, 150}, Name: who, Time: now, Appearance: lines})
	if text := testtool.PDFText(t, plain); !strings.Contains(text, "Zoë Ortíz-?ukasz") || !strings.Contains(string(plain), "/Helvetica") {
		t.Errorf("fallback appearance:\n%s", text)
	}
}
