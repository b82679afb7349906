package render

import (
	"strings"
	"testing"
)

// fuzzSeeds cover every CommonMark and GFM construct the renderer meets,
// plus shapes that stress layout (deep nesting, huge words, empty items).
var fuzzSeeds = []string{
	"",
	"plain text",
	"# H1\n## H2\n### H3\n#### H4\n##### H5\n###### H6",
	"Setext\n======\n\nSub\n---",
	"#\n\n##   \n",
	"*a* _b_ **c** __d__ ***e*** ~~f~~",
	"**consent**. and *x*y*z* **a*b**c*",
	"***", "*", "**", "_ _ _", "a ** b ** c",
	"`code` `` a`b `` ```x```",
	"[link](https://example.org \"title\") [ref][r]\n\n[r]: https://example.org/r",
	"<https://example.org> <mailto:a@b.c> www.example.com https://x.y/z?q=1",
	"[js](javascript:alert(1)) [data](data:text/html,x) [](https://e.org)",
	"![img](a.png \"t\") ![](b.png)",
	"line one  \nline two\\\nline three",
	"- a\n- b\n  - c\n    - d\n      - e\n        - f",
	"1. a\n2. b\n   1. c\n   2. d\n3. e",
	"7. start at seven\n8. eight",
	"1) paren\n2) list",
	"- \n- \n-",
	"1.\n2.\n",
	"- [ ] task\n- [x] done",
	"> quote\n> > nested\n> > > deeper\n\n> - list in quote\n> 1. ordered",
	strings.Repeat(">", 200) + " deep",
	strings.Repeat("- ", 100) + "deep list",
	"| a | b |\n|---|:---:|\n| 1 | 2 |\n| 3 |",
	"| a |\n|---|\n| " + strings.Repeat("long", 500) + " |",
	"|" + strings.Repeat(" c |", 60) + "\n|" + strings.Repeat("---|", 60) + "\n|" + strings.Repeat(" x |", 60),
	"a | b\n--|--\n| **x** | `y` |",
	"---\n***\n___",
	"```\ncode\n\tblock\n```\n\n~~~python\nx = 1\n~~~",
	"    indented code\n    block",
	"<div>\n*html block*\n</div>\n\n<!-- comment -->\n\n<script>alert(1)</script>",
	"inline <b>html</b> <br/> <span style=\"x\">s</span>",
	"&amp; &copy; &#169; &#xA9; &nbsp; &bogus; \\* \\_ \\\\",
	"José Peña, Zoë — “quotes” – § 5 … 😀 漢字 \u00a0 \u200b \ufeff",
	"\x00\x01\x02\t\r\n\x7f\x80\xff invalid utf8",
	strings.Repeat("x", 20000),
	strings.Repeat("word ", 5000),
	strings.Repeat("# h\n", 300),
	"[a](<b c>) [d](e 'f') [g]( h )",
	"Term\n: definition?\n\nFootnote[^1]\n\n[^1]: note",
	"* a\n\n  para in item\n\n  ```\n  code in item\n  ```\n* b",
}

// FuzzPDF renders arbitrary Markdown to PDF and HTML. Its seeds include
// the 652 spec examples, which take over a minute to render under -race;
// with -short they are left out, since TestCommonMarkSpecRenders renders
// each of them anyway, and CI runs FuzzPDF in full after the short suite.
func FuzzPDF(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), false)
	}
	if !testing.Short() {
		for _, s := range specExamples(f) {
			f.Add([]byte(s), false)
		}
	}
	f.Add([]byte(constructs), true)
	f.Fuzz(func(t *testing.T, md []byte, draft bool) {
		opt := Options{Title: "Fuzz", Draft: draft, Signatures: []SignatureBlock{{Party: string(md[:min(len(md), 40)])}}}
		res, err := PDF(md, opt)
		if err != nil {
			t.Fatalf("render failed: %v", err)
		}
		if res.Pages < 1 || len(res.PDF) == 0 {
			t.Fatalf("empty result: %d pages", res.Pages)
		}
		if _, err := HTML(md); err != nil {
			t.Fatalf("html failed: %v", err)
		}
	})
}

// TestPDFLargePathological renders inputs near the size limit whose shapes
// could make layout quadratic: one endless word made of many inline nodes,
// and a very long paragraph.
func TestPDFLargePathological(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	for name, md := range map[string]string{
		"EndlessWord": strings.Repeat("a&amp;*b*", 100_000),
		"LongLines":   strings.Repeat("word ", 200_000),
		"ManyItems":   strings.Repeat("1. x\n", 50_000),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := PDF([]byte(md), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Pages < 2 {
				t.Errorf("only %d pages", res.Pages)
			}
		})
	}
}
