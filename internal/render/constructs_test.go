package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

const constructs = `# Title with *emphasis*

Paragraph with **bold**, *italic*, ***both***, ~~struck~~, ` + "`code span`" + ` and a [link](https://example.org/a) plus <https://example.org/auto> and www.example.com and [bad](javascript:alert(1)).
Hard break follows\
second line.

> Quoted text that is long enough to wrap onto a second line inside the block quote, to check the rule beside it.
>
> > Nested quote.

1. First item
2. Second item with a nested list:
   1. nested one
   2. nested two
      - deep bullet
3. Third item

- bullet
- another

---

` + "```go\nfunc main() {\n\tprintln(\"hi\")\n}\n```" + `

<div class="x">raw html block</div>

Inline <span>raw</span> html and an image ![alt text](img.png).

#### Fourth level heading
`

func TestPDFConstructs(t *testing.T) {
	res, err := PDF([]byte(constructs), Options{Title: "Constructs", Paper: "a4"})
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := strings.Join(strings.Fields(pdfText(t, path, 0, 0)), " ")
	for _, want := range []string{"Title with emphasis", "struck", "code span", "link", "https://example.org/auto",
		"Hard break follows", "Nested quote.", "nested two", "deep bullet", "func main() {", `println("hi")`,
		`<div class="x">raw html block</div>`, "<span>raw</span>", "alt text", "Fourth level heading"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if !bytes.Contains(res.PDF, []byte("/URI (https://example.org/a)")) {
		t.Error("link is not clickable")
	}
	if bytes.Contains(res.PDF, []byte("javascript")) {
		t.Error("javascript: link became an action")
	}
	// Items of the top-level ordered list are in the page map, nested ones not.
	var items []ItemPage
	for _, s := range res.PageMap.Sections {
		items = append(items, s.Items...)
	}
	if len(items) != 3 || items[2].Number != 3 || items[2].Page != 1 {
		t.Errorf("page map items = %+v, want 1..3 on page 1", items)
	}
}

func TestPDFTableHeaderRepeats(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("| Clause | Responsible party |\n|---|---|\n")
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&sb, "| Row %d with text that wraps across the narrow cell of this table | Party %d |\n", i, i)
	}
	res, err := PDF([]byte(sb.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages < 3 {
		t.Fatalf("table fits on %d pages; want a longer one", res.Pages)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	for p := 2; p <= res.Pages; p++ {
		if !strings.Contains(pdfText(t, path, p, p), "Responsible party") {
			t.Errorf("header row not repeated on page %d", p)
		}
	}
	assertWordsInOrder(t, words(sb.String()), words(pdfText(t, path, 0, 0, "-layout")))
}

func TestBreakerKeepsTouchingRunsTogether(t *testing.T) {
	r, err := newRenderer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs := []Run{{Text: "must give "}, {Text: "consent", Style: Style{Bold: true}}, {Text: ". Then"}}
	// A width where "must give consent" fits but "must give consent." does not.
	w := r.faces[faceSerif].width("must give ")*bodySize/1000 + r.faces[faceSerifBold].width("consent")*bodySize/1000 + 0.5
	lines := r.breakRuns(runs, bodySize, w)
	if len(lines) < 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	first := lines[0].segs[len(lines[0].segs)-1].text
	if strings.HasSuffix(first, "consent") {
		t.Errorf("line broke between %q and the full stop", first)
	}
	// "x aaaa" fits, "x aaaa bbbb" does not: the no-break space moves both.
	nb := r.breakRuns([]Run{{Text: "x aaaa\u00a0bbbb"}}, bodySize, r.faces[faceSerif].width("x aaaa\u00a0bbbb")*bodySize/1000-1)
	if len(nb) != 2 || nb[0].segs[0].text != "x" || nb[1].segs[0].text != "aaaa\u00a0bbbb" {
		t.Errorf("no-break space was broken or lost: %+v", nb)
	}
}

func TestPDFErrors(t *testing.T) {
	if _, err := PDF([]byte("x"), Options{Paper: "legal"}); err == nil {
		t.Error("unknown paper accepted")
	}
	if _, err := PDF(bytes.Repeat([]byte("a"), MaxInput+1), Options{}); err == nil {
		t.Error("input over the limit accepted")
	}
	if _, err := HTML(bytes.Repeat([]byte("a"), MaxInput+1)); err == nil {
		t.Error("HTML input over the limit accepted")
	}
}

func TestHTMLIsSafe(t *testing.T) {
	out, err := HTML([]byte("# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> | a |\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML passes %q through:\n%s", bad, s)
		}
	}
	for _, want := range []string{"<h1>Hi</h1>", "<table>", "<del>2</del>"} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q:\n%s", want, s)
		}
	}
}
