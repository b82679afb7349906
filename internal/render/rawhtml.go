package render

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// RawHTML is the first raw HTML in a Markdown text: what HTML omits (as
// "<!-- raw HTML omitted -->") and the PDF prints as literal text, so a
// document holding any shows different words on the page and in the PDF.
type RawHTML struct {
	Offset int    // byte offset in the text where it starts
	Line   int    // 1-based line of Offset
	Text   string // the HTML as written, on one line, at most 60 bytes
}

// FindRawHTML parses md exactly as HTML and PDF do and returns the first
// HTML block or inline raw HTML in it, in document order. Text that only
// looks like HTML is not raw HTML: "a < b", "x<y", autolinks such as
// <https://example.org>, escaped "\<b>" and entities all render the same
// everywhere. Raw HTML always starts with "<", so text without one is not
// parsed at all.
func FindRawHTML(md []byte) (RawHTML, bool) {
	if bytes.IndexByte(md, '<') < 0 {
		return RawHTML{}, false
	}
	doc := newMarkdown().Parser().Parse(text.NewReader(md))
	var found *RawHTML
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var segs *text.Segments
		switch n := n.(type) {
		case *ast.HTMLBlock:
			segs = n.Lines()
			if segs.Len() == 0 && n.HasClosure() {
				segs = text.NewSegments()
				segs.Append(n.ClosureLine)
			}
		case *ast.RawHTML:
			segs = n.Segments
		default:
			return ast.WalkContinue, nil
		}
		if segs.Len() == 0 {
			return ast.WalkContinue, nil
		}
		var sb strings.Builder
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			sb.Write(seg.Value(md))
		}
		at := segs.At(0).Start
		found = &RawHTML{Offset: at, Line: bytes.Count(md[:at], []byte("\n")) + 1, Text: snippet(sb.String())}
		return ast.WalkStop, nil
	})
	if found == nil {
		return RawHTML{}, false
	}
	return *found, true
}

// snippet is s on one line, cut to at most 60 bytes at a rune boundary.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
