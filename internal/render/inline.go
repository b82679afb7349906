package render

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// inlineRuns turns the inline children of a block into styled runs. Inline
// constructs the PDF cannot show as such (raw HTML, images) become their
// text, never nothing.
func inlineRuns(parent ast.Node, src []byte, base Style) []Run {
	var runs []Run
	var walk func(n ast.Node, st Style)
	walk = func(n ast.Node, st Style) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Value(src)
				if !c.IsRaw() {
					v = resolveText(v)
				}
				runs = append(runs, Run{Text: string(v), Style: st})
				switch {
				case c.HardLineBreak():
					runs = append(runs, Run{Text: "\n", Style: st})
				case c.SoftLineBreak():
					runs = append(runs, Run{Text: " ", Style: st})
				}
			case *ast.String:
				v := c.Value
				if !c.IsRaw() && !c.IsCode() {
					v = resolveText(v)
				}
				runs = append(runs, Run{Text: string(v), Style: st})
			case *ast.CodeSpan:
				cs := st
				cs.Mono = true
				runs = append(runs, Run{Text: codeSpanText(c, src), Style: cs})
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
				label := string(c.Label(src))
				runs = append(runs, Run{Text: label, Style: linkStyle(st, url)})
			case *ast.Image:
				walk(c, st)
			case *ast.RawHTML:
				var sb strings.Builder
				for i := 0; i < c.Segments.Len(); i++ {
					s := c.Segments.At(i)
					sb.Write(s.Value(src))
				}
				runs = append(runs, Run{Text: strings.ReplaceAll(sb.String(), "\n", " "), Style: st})
			default:
				walk(c, st)
			}
		}
	}
	walk(parent, base)
	return runs
}

func codeSpanText(c *ast.CodeSpan, src []byte) string {
	var sb strings.Builder
	for n := c.FirstChild(); n != nil; n = n.NextSibling() {
		switch t := n.(type) {
		case *ast.Text:
			sb.Write(t.Value(src))
		case *ast.String:
			sb.Write(t.Value)
		}
	}
	return strings.ReplaceAll(sb.String(), "\n", " ")
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
