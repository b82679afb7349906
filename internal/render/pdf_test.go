package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// stripListMarkers drops Markdown list markers, which the PDF draws as
// bullets or its own numbering.
var listMarker = regexp.MustCompile(`(?m)^\s*([-*+]|\d+[.)])\s+`)

func TestPDFBenchMOU(t *testing.T) {
	v1, _ := testtool.BenchMOU()
	md := []byte(v1)
	res, err := PDF(md, sampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)

	t.Run("AllWordsInOrder", func(t *testing.T) {
		got := words(pdfText(t, path, 0, 0, "-layout"))
		assertWordsInOrder(t, words(listMarker.ReplaceAllString(string(md), "")), got)
	})
	pageText := map[int]string{}
	layoutText := func(p int) string {
		if _, ok := pageText[p]; !ok {
			pageText[p] = pdfText(t, path, p, p, "-layout")
		}
		return pageText[p]
	}
	t.Run("PageMapMatchesText", func(t *testing.T) {
		if len(res.PageMap.Sections) < 40 {
			t.Fatalf("page map has %d sections, want every heading", len(res.PageMap.Sections))
		}
		pages := map[int]string{}
		for _, s := range res.PageMap.Sections {
			if s.Page < 1 || s.Page > res.Pages {
				t.Fatalf("section %q on page %d of %d", s.Heading, s.Page, res.Pages)
			}
			if _, ok := pages[s.Page]; !ok {
				pages[s.Page] = strings.Join(strings.Fields(layoutText(s.Page)), " ")
			}
			if !strings.Contains(pages[s.Page], s.Heading) {
				t.Errorf("heading %q not found on page %d", s.Heading, s.Page)
			}
			if s.Page > 1 && s.Level > 1 && strings.Contains(strings.Join(strings.Fields(layoutText(s.Page-1)), " "), s.Heading) {
				t.Errorf("heading %q already on page %d, page map says %d", s.Heading, s.Page-1, s.Page)
			}
			for _, it := range s.Items {
				if it.Page < s.Page || it.Page > res.Pages {
					t.Errorf("section %q item %d on page %d", s.Heading, it.Number, it.Page)
				}
			}
		}
	})
	t.Run("HeadingNeverLastOnPage", func(t *testing.T) {
		for _, s := range res.PageMap.Sections {
			lines := nonEmptyLines(layoutText(s.Page))
			for i, ln := range lines {
				if strings.TrimSpace(ln) == s.Heading {
					if i+1 >= len(lines) || strings.Contains(lines[i+1], "Page ") {
						t.Errorf("heading %q stands alone at the foot of page %d", s.Heading, s.Page)
					}
				}
			}
		}
	})
	t.Run("HeaderFooterSignatures", func(t *testing.T) {
		last := pdfText(t, path, res.Pages, res.Pages)
		for _, want := range []string{"Signatures", "José Peña", "Zoë Adams", fmt.Sprintf("Page %d of %d", res.Pages, res.Pages), "Revision 3 · 1a2b3c4d", "verify at https://example.org/verify"} {
			if !strings.Contains(last, want) && !strings.Contains(pdfText(t, path, res.Pages-1, res.Pages), want) {
				t.Errorf("last pages lack %q", want)
			}
		}
		if len(res.Signatures) != 2 {
			t.Fatalf("got %d signature rects, want 2", len(res.Signatures))
		}
		for i, s := range res.Signatures {
			r := s.Rect
			if s.Page < 1 || s.Page > res.Pages || r[0] >= r[2] || r[1] >= r[3] || r[0] < 0 || r[1] < 0 || r[2] > 612 || r[3] > 792 {
				t.Errorf("signature %d: bad rect %v on page %d", i, r, s.Page)
			}
		}
	})
	t.Run("PageNotBlank", func(t *testing.T) {
		if n := nonWhitePixels(t, path, 2); n < 2000 {
			t.Errorf("page 2 has only %d non-white pixels", n)
		}
	})
	t.Run("Metadata", func(t *testing.T) {
		for _, want := range []string{"/Creator", "/Lang (en-US)", "/ID [<", "/Outlines", "/CreationDate (D:20000101000000)"} {
			if !bytes.Contains(res.PDF, []byte(want)) {
				t.Errorf("PDF lacks %s", want)
			}
		}
	})
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, ln := range strings.Split(s, "\n") {
		if strings.TrimSpace(ln) != "" {
			out = append(out, ln)
		}
	}
	return out
}
