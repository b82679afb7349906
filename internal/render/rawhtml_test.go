package render

import (
	"bytes"
	"strings"
	"testing"
)

// omitted is what HTML writes where raw HTML was.
const omitted = "<!-- raw HTML omitted -->"

func TestFindRawHTML(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     string // the reported text; "" = none found
		line     int
	}{
		{"InlineTag", "Say <b>x</b> here", "<b>", 1},
		{"Script", "<script>alert(1)</script>", "<script>alert(1)</script>", 1},
		{"Comment", "text\n\n<!-- hidden -->", "<!-- hidden -->", 3},
		{"BlockDiv", "<div>\nhidden\n</div>", "<div> hidden </div>", 1},
		{"SelfClosing", "a<br/>b", "<br/>", 1},
		{"InHeading", "### Title <i>x</i>", "<i>", 1},
		{"InListItem", "- one\n- two <span>s</span>", "<span>", 2},
		{"InQuote", "> quoted <em>x</em>", "<em>", 1},
		{"InTable", "| a |\n|---|\n| <b>x</b> |", "<b>", 3},
		{"ProcessingInstruction", "<?php echo 1; ?>", "<?php echo 1; ?>", 1},
		{"Declaration", "<!DOCTYPE html>", "<!DOCTYPE html>", 1},
		{"CDATA", "<![CDATA[x]]>", "<![CDATA[x]]>", 1},
		{"ClosingTagAlone", "</div>", "</div>", 1},
		{"LessThan", "a < b and c > d", "", 0},
		{"NoSpace", "x<y and 1<2", "", 0},
		{"Autolink", "see <https://example.org/a?b=c>", "", 0},
		{"MailAutolink", "write to <ada@example.org>", "", 0},
		{"Escaped", `\<b>x\</b>`, "", 0},
		{"Entities", "&lt;b&gt;x&lt;/b&gt;", "", 0},
		{"CodeSpan", "use `<b>` for bold", "", 0},
		{"FencedCode", "```\n<script>x</script>\n```", "", 0},
		{"IndentedCode", "    <div>x</div>", "", 0},
		{"Arrow", "a <- b, a<3, <>", "", 0},
		{"Empty", "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := FindRawHTML([]byte(tc.md))
			if ok != (tc.want != "") || got.Text != tc.want || got.Line != tc.line {
				t.Fatalf("FindRawHTML(%q) = %+v, %v; want %q on line %d", tc.md, got, ok, tc.want, tc.line)
			}
			if ok && !strings.HasPrefix(tc.md[got.Offset:], "<") {
				t.Errorf("offset %d points at %q, not at the HTML", got.Offset, tc.md[got.Offset:])
			}
			html, err := HTML([]byte(tc.md))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(html, []byte(omitted)) != ok {
				t.Errorf("HTML %q: omitted raw HTML = %v, FindRawHTML = %v", html, !ok, ok)
			}
		})
	}
}

// FuzzRawHTML checks FindRawHTML against the HTML renderer itself: Markdown
// that FindRawHTML passes never has anything omitted from its HTML, so the
// page and the PDF can only differ where FindRawHTML said so.
func FuzzRawHTML(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	if !testing.Short() {
		for _, s := range specExamples(f) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, md string) {
		if len(md) > MaxInput {
			return
		}
		_, found := FindRawHTML([]byte(md))
		html, err := HTML([]byte(md))
		if err != nil {
			t.Fatal(err)
		}
		if !found && bytes.Contains(html, []byte(omitted)) {
			t.Fatalf("FindRawHTML found nothing in %q, but HTML omitted raw HTML:\n%s", md, html)
		}
	})
}
