package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// `moudesk redline OLD NEW --format pdf -o r.pdf` typesets the redline:
// pdftotext shows no Markdown marks (no "**", no line starting with "#" or
// "> "), the moved section says it moved, and qpdf accepts the file.
func TestRedlinePDFTypeset(t *testing.T) {
	bench := testtool.WriteBenchMOU(t) + string(filepath.Separator)
	out := filepath.Join(t.TempDir(), "r.pdf")
	if _, _, err := runCmd(t, "", "", "redline", bench+"mou-40p.md", bench+"mou-40p-v2.md", "--format", "pdf", "-o", out); err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	testtool.QPDFCheck(t, pdf)
	text := testtool.PDFText(t, pdf)
	if strings.Contains(text, "**") {
		t.Error("the redline PDF prints ** emphasis marks")
	}
	for i, ln := range strings.Split(text, "\n") {
		if strings.HasPrefix(ln, "#") || strings.HasPrefix(ln, "> ") {
			t.Errorf("line %d starts with Markdown: %q", i+1, ln)
		}
	}
	if !strings.Contains(text, "School-Year Dates (moved") {
		t.Errorf("the moved section is not shown as moved")
	}
	if !strings.Contains(text, "How to read this redline") {
		t.Error("no legend")
	}
}

// The html format is a whole page with a charset and the legend.
func TestRedlineHTMLPage(t *testing.T) {
	bench := testtool.WriteBenchMOU(t) + string(filepath.Separator)
	for _, view := range []string{"inline", "side-by-side"} {
		out, _, err := runCmd(t, "", "", "redline", bench+"mou-40p.md", bench+"mou-40p-v2.md", "--format", "html", "--view", view)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`<meta charset="utf-8">`, `class="redline-legend"`, "<ins>", "moved from"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s page lacks %q", view, want)
			}
		}
		if strings.Contains(out, "**") {
			t.Errorf("%s page prints ** emphasis marks", view)
		}
	}
}
