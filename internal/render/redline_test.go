package render

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

func TestRedlinePDF(t *testing.T) {
	oldMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall keep the peace.\n\n## 2. Term\n\nThis term lasts one year.\n"
	newMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall protect students and keep the peace.\n\n## 2. Term\n\nThis term lasts two years.\n"
	rl := redline.Compare(redline.Split(oldMD), redline.Split(newMD), redline.Options{})
	opt := sampleOptions()
	opt.Signatures = nil
	res, err := RedlinePDF(rl, opt)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := strings.Join(strings.Fields(pdfText(t, path, 0, 0)), " ")
	for _, want := range []string{"Purpose", "protect students and", "one", "two", "years", "Term"} {
		if !strings.Contains(text, want) {
			t.Errorf("redline text lacks %q:\n%s", want, text)
		}
	}
	if n := nonWhitePixels(t, path, 1); n < 500 {
		t.Errorf("redline page nearly blank: %d pixels", n)
	}
	if os.Getenv("RENDER_KEEP") != "" {
		os.WriteFile(os.Getenv("RENDER_KEEP"), res.PDF, 0o644)
	}
}

// fixtureRedline is the redline between testdata/redline-old.md and
// redline-new.md: emphasis, a block quote, nested and numbered lists, a
// table losing a row, a code block, links, and sections edited, moved,
// removed and added.
func fixtureRedline(t *testing.T) *redline.Result {
	t.Helper()
	a, err := os.ReadFile("testdata/redline-old.md")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/redline-new.md")
	if err != nil {
		t.Fatal(err)
	}
	return redline.Compare(redline.Split(string(a)), redline.Split(string(b)), redline.Options{})
}

// assertTypeset checks pdftotext output of a redline for Markdown that
// should have been typeset, and for the moved section's label.
func assertTypeset(t *testing.T, text string) {
	t.Helper()
	if strings.Contains(text, "**") {
		t.Errorf("redline PDF prints Markdown emphasis marks (**)")
	}
	for i, ln := range strings.Split(text, "\n") {
		if strings.HasPrefix(ln, "#") || strings.HasPrefix(ln, "> ") || strings.HasPrefix(ln, "- ") {
			t.Errorf("line %d of the redline starts with Markdown: %q", i+1, ln)
		}
	}
	if !strings.Contains(text, "moved from") {
		t.Errorf("the moved section is not labelled as moved")
	}
	if !strings.Contains(text, "How to read this redline") {
		t.Errorf("no legend")
	}
}

// The redline PDF is typeset like the revision PDF: no Markdown marks,
// lists numbered, deleted blocks and list items drawn, the legend first,
// and the marks drawn as underline and strike-through rules (not colour
// alone).
func TestRedlinePDFTypeset(t *testing.T) {
	res, err := RedlinePDF(fixtureRedline(t), Options{Title: "Redline"})
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := pdfText(t, path, 0, 0)
	assertTypeset(t, text)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Purpose. The SRO shall protect students and keep the peace on campus and protect students.",
		"1. \"SRO\" means a sworn police officer",
		"including parking lots;and sports fields", // deleted item text, in place
		"6. Records (removed)", "Records are kept for five years.",
		"7. Complaints (added)", "The term follows the District's calendar, see the calendar.",
		"Vehicle", "rate = 4045 per hour",
		// A paragraph moved from §5 to §1: both ends name the other.
		"to the other party. (moved from §5", "to the other party. (moved to §1",
		// The moved section's old place, after §2, says where it went.
		"Campus\" means any school building. ◦ including parking lots;and sports fields. 3. \"Day\" means a school day, as set in the calendar. [§3 School-Year Dates moved from here to §6] 4. Costs",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("redline text lacks %q:\n%s", want, flat)
		}
	}
	if strings.Contains(flat, "](https") {
		t.Errorf("link printed as Markdown")
	}
	// The first page's marks are rules: each inserted or deleted run draws
	// one filled rectangle; a plain revision of the new text draws fewer.
	plain, err := PDF([]byte(mustRead(t, "testdata/redline-new.md")), Options{Title: "Redline"})
	if err != nil {
		t.Fatal(err)
	}
	if rl, rev := nonWhitePixels(t, path, 1), nonWhitePixels(t, writePDF(t, plain.PDF), 1); rl <= rev {
		t.Errorf("redline page 1 has %d dark pixels, the plain revision %d: marks missing?", rl, rev)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRedlinePDFBench(t *testing.T) {
	a, b := testtool.BenchMOU()
	rl := redline.Compare(redline.Split(a), redline.Split(b), redline.Options{})
	res, err := RedlinePDF(rl, Options{Title: "Redline"})
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, writePDF(t, res.PDF))
	if res.Pages < 30 {
		t.Errorf("bench redline has %d pages", res.Pages)
	}
	assertTypeset(t, pdfText(t, writePDF(t, res.PDF), 0, 0))
}

// Both HTML views typeset the Markdown, mark changes with <ins> and <del>
// and their screen-reader labels, and pass no raw HTML through.
func TestRedlineHTML(t *testing.T) {
	rl := fixtureRedline(t)
	for _, view := range []redline.View{redline.Inline, redline.SideBySide} {
		var b bytes.Buffer
		if err := RedlineHTML(&b, rl, view); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{`class="redline-legend"`, "<strong>Purpose.</strong>", "<ins>", "<del>",
			`>inserted: </span>`, `<a href="https://example.org/cal" rel="nofollow noopener">`, "moved from", `data-status="removed"`} {
			if !strings.Contains(out, want) {
				t.Errorf("view %d lacks %q", view, want)
			}
		}
		for _, bad := range []string{"**", "## ", "](https", "\n> ", "\n- "} {
			if strings.Contains(out, bad) {
				t.Errorf("view %d prints Markdown %q", view, bad)
			}
		}
	}
	var page bytes.Buffer
	if err := RedlineHTMLPage(&page, rl, redline.Inline, "t"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<meta charset="utf-8">`) {
		t.Error("page has no charset")
	}
}

func TestRedlineHTMLEscapes(t *testing.T) {
	old := redline.Split("## Notes <b>\n\nSafe text.\n")
	new := redline.Split("## Notes <b>\n\nSafe <script>alert('x')</script> text & \"more\" [x](javascript:alert(1)).\n\n## <img src=x onerror=alert(1)>\n\nBody.\n\n<div onclick=x>block</div>\n")
	r := redline.Compare(old, new, redline.Options{})
	for _, view := range []redline.View{redline.Inline, redline.SideBySide} {
		var b strings.Builder
		if err := RedlineHTML(&b, r, view); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"<script", "<img", "<b>", "<div onclick", "javascript:"} {
			if strings.Contains(out, bad) {
				t.Errorf("view %d: unescaped %q in output:\n%s", view, bad, out)
			}
		}
		for _, want := range []string{"&lt;script&gt;", "&amp;", "&lt;img", ">inserted: </span>"} {
			if !strings.Contains(out, want) {
				t.Errorf("view %d: output lacks %q", view, want)
			}
		}
	}
	if err := RedlineHTML(&strings.Builder{}, r, redline.View(99)); err == nil {
		t.Error("want an error for an unknown view")
	}
}
