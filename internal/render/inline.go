package render

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// piece is a run of inline text with the source bytes it came from, so a
// redline can split it where insertions and deletions start and end.
type piece struct {
	text  string // the text, unless resolve is set
	style Style
	// start and end are the source range of the text, or -1 when the text
	// has none (goldmark made it up). When the range is known, the text has
	// exactly its length, so a cut at a source offset is a cut in the text.
	start, end int
	// resolve says the text is src[start:end] with backslash escapes and
	// entities still to be resolved (done after any cut).
	resolve bool
}

// inlineRuns turns the inline children of a block into styled runs. Inline
// constructs the PDF cannot show as such (raw HTML, images) become their
// text, never nothing.
func inlineRuns(parent ast.Node, src []byte, base Style) []Run {
	var runs []Run
	inlinePieces(parent, src, base, func(p piece) {
		runs = append(runs, Run{Text: p.textOf(src), Style: p.style})
	})
	return runs
}

// textOf is the piece's text, resolved.
func (p piece) textOf(src []byte) string {
	if p.resolve {
		return string(resolveText(src[p.start:p.end]))
	}
	return p.text
}

// cut is the part [a, b) of a piece whose source range is known.
func (p piece) cut(src []byte, a, b int) string {
	if p.resolve {
		return string(resolveText(src[a:b]))
	}
	return p.text[a-p.start : b-p.start]
}

// inlinePieces walks the inline children of a block in document order and
// emits each piece of text with its style and source range. It is the one
// reading of inline Markdown: the revision PDF and the redline use it.
func inlinePieces(parent ast.Node, src []byte, base Style, emit func(piece)) {
	var walk func(n ast.Node, st Style)
	walk = func(n ast.Node, st Style) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				seg := c.Segment
				if c.IsRaw() {
					emit(piece{text: string(seg.Value(src)), style: st, start: seg.Start, end: seg.Stop})
				} else {
					emit(piece{style: st, start: seg.Start, end: seg.Stop, resolve: true})
				}
				switch {
				case c.HardLineBreak():
					emit(piece{text: "\n", style: st, start: seg.Stop, end: seg.Stop})
				case c.SoftLineBreak():
					emit(piece{text: " ", style: st, start: seg.Stop, end: seg.Stop})
				}
			case *ast.String:
				v := c.Value
				if !c.IsRaw() && !c.IsCode() {
					v = resolveText(v)
				}
				emit(piece{text: string(v), style: st, start: -1, end: -1})
			case *ast.CodeSpan:
				cs := st
				cs.Mono = true
				codeSpanPieces(c, src, cs, emit)
			case *ast.Emphasis:
				es := st
				if c.Level >= 2 {
					es.Bold = true
				} else {
					es.Italic = true
				}
				walk(c, es)
			case *east.Strikethrough:
				ss := st
				ss.Strike = true
				walk(c, ss)
			case *ast.Link:
				walk(c, linkStyle(st, string(c.Destination)))
			case *ast.AutoLink:
				url := string(c.URL(src))
				label := c.Label(src)
				p := piece{text: string(label), style: linkStyle(st, url), start: -1, end: -1}
				// The label's place in the source: after the "<" of
				// <https://…>, or where a bare URL starts.
				if at := c.Pos(); at >= 0 && at <= len(src) {
					if i := bytes.Index(src[at:min(len(src), at+len(label)+2)], label); i >= 0 {
						p.start, p.end = at+i, at+i+len(label)
					}
				}
				emit(p)
			case *ast.Image:
				walk(c, st)
			case *ast.RawHTML:
				for i := 0; i < c.Segments.Len(); i++ {
					s := c.Segments.At(i)
					// "\n" → " " keeps the length, so source offsets hold.
					emit(piece{text: strings.ReplaceAll(string(s.Value(src)), "\n", " "), style: st, start: s.Start, end: s.Stop})
				}
			default:
				walk(c, st)
			}
		}
	}
	walk(parent, base)
}

func codeSpanPieces(c *ast.CodeSpan, src []byte, st Style, emit func(piece)) {
	for n := c.FirstChild(); n != nil; n = n.NextSibling() {
		switch t := n.(type) {
		case *ast.Text:
			emit(piece{text: strings.ReplaceAll(string(t.Value(src)), "\n", " "), style: st, start: t.Segment.Start, end: t.Segment.Stop})
		case *ast.String:
			emit(piece{text: strings.ReplaceAll(string(t.Value), "\n", " "), style: st, start: -1, end: -1})
		}
	}
}

func resolveText(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// linkStyle styles link text; only web and mail links become clickable, so a
// javascript: or file: URI in a document never turns into an action.
func linkStyle(st Style, dest string) Style {
	if !safeURL(dest) {
		return st // shown as plain text: it must not look clickable
	}
	st.Color = colorLink
	st.Underline = true
	st.Link = dest
	return st
}

func safeURL(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}

// plainText is the text of a node's inline content without styling, for
// outlines and the page map.
func plainText(runs []Run) string {
	var sb strings.Builder
	for _, r := range runs {
		sb.WriteString(r.Text)
	}
	return strings.Join(strings.FieldsFunc(sb.String(), func(c rune) bool {
		return c == ' ' || c == '\n' || c == '\t' // not U+00A0: keep no-break spaces
	}), " ")
}
