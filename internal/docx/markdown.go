package docx

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/gfm"
	"github.com/moudesk/moudesk/internal/redline"
)

// newMarkdown is goldmark as internal/render configures it (tables,
// strikethrough, bare links, from internal/gfm: goldmark/extension's init
// would cost every command's start-up), so the Word document and the PDF
// of a revision read the Markdown the same way.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(gfm.Table, gfm.Strikethrough, gfm.Linkify))
}

// converter turns Markdown into blocks; lists numbers every list it meets,
// so each gets its own Word numbering instance and restarts.
type converter struct {
	md    goldmark.Markdown
	lists int
}

func newConverter() *converter { return &converter{md: newMarkdown()} }

// blocks parses md and returns its blocks.
func (c *converter) blocks(md string) []block {
	src := []byte(md)
	doc := c.md.Parser().Parse(text.NewReader(src))
	var out []block
	c.walk(doc, src, 0, false, &out)
	return out
}

// inline parses one line of Markdown (a heading) into runs.
func (c *converter) inline(md string) []run {
	bs := c.blocks(md)
	if len(bs) == 0 {
		return nil
	}
	return bs[0].runs
}

// walk appends the blocks of n's children. depth counts enclosing list
// items; quote says they sit in a block quote.
func (c *converter) walk(n ast.Node, src []byte, depth int, quote bool, out *[]block) {
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		switch ch := ch.(type) {
		case *ast.Heading:
			lvl := max(ch.Level, 3)
			*out = append(*out, block{kind: kHeading, level: lvl, quote: quote, runs: inlineRuns(ch, src)})
		case *ast.Paragraph, *ast.TextBlock:
			*out = append(*out, block{kind: kPara, level: depth, quote: quote, runs: inlineRuns(ch, src)})
		case *ast.List:
			c.list(ch, src, depth, quote, out)
		case *ast.Blockquote:
			c.walk(ch, src, depth, true, out)
		case *ast.ThematicBreak:
			*out = append(*out, block{kind: kRule, level: depth, quote: quote})
		case *east.Table:
			*out = append(*out, block{kind: kTable, level: depth, quote: quote, rows: tableRows(ch, src)})
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			*out = append(*out, block{kind: kCode, level: depth, quote: quote, runs: codeRuns(lines(ch, src))})
		default:
			if ch.Type() == ast.TypeBlock && ch.Lines().Len() > 0 && !ch.HasChildren() {
				*out = append(*out, block{kind: kPara, level: depth, quote: quote, runs: []run{{text: lines(ch, src)}}})
				continue
			}
			c.walk(ch, src, depth, quote, out)
		}
	}
}

// list appends a list's items: each item's first paragraph is a kItem
// block, the item's further blocks continue it at depth+1.
func (c *converter) list(l *ast.List, src []byte, depth int, quote bool, out *[]block) {
	c.lists++
	id := c.lists
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		var inner []block
		c.walk(item, src, depth+1, quote, &inner)
		b := block{kind: kItem, level: depth, quote: quote, ordered: l.IsOrdered(), start: l.Start, list: id}
		if len(inner) > 0 && inner[0].kind == kPara && inner[0].level == depth+1 {
			b.runs = inner[0].runs
			inner = inner[1:]
		}
		if !l.IsOrdered() {
			b.start = 0
		}
		*out = append(*out, b)
		*out = append(*out, inner...)
	}
}

func tableRows(t *east.Table, src []byte) [][][]run {
	var rows [][][]run
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var row [][]run
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			row = append(row, inlineRuns(cell, src))
		}
		rows = append(rows, row)
	}
	return rows
}

// lines is the raw text of a literal block, without its final newline.
func lines(n ast.Node, src []byte) string {
	var sb strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		s := ls.At(i)
		sb.Write(s.Value(src))
	}
	if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
		sb.Write(h.ClosureLine.Value(src))
	}
	return strings.TrimRight(sb.String(), "\n")
}

// codeRuns is literal text as monospaced runs with hard breaks.
func codeRuns(s string) []run {
	var out []run
	for i, ln := range strings.Split(s, "\n") {
		if i > 0 {
			out = append(out, run{br: true})
		}
		out = append(out, run{text: ln, f: fCode})
	}
	return out
}

// inlineRuns is the inline content of a block as runs. Constructs Word has
// no place for (raw HTML, images) keep their text, never nothing.
func inlineRuns(parent ast.Node, src []byte) []run {
	var out []run
	var walk func(n ast.Node, f format, link string)
	walk = func(n ast.Node, f format, link string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(src)
				if !c.IsRaw() {
					v = resolve(v)
				}
				out = append(out, run{text: string(v), f: f, link: link})
				switch {
				case c.HardLineBreak():
					out = append(out, run{br: true})
				case c.SoftLineBreak():
					out = append(out, run{text: " ", f: f, link: link})
				}
			case *ast.String:
				v := c.Value
				if !c.IsRaw() && !c.IsCode() {
					v = resolve(v)
				}
				out = append(out, run{text: string(v), f: f, link: link})
			case *ast.CodeSpan:
				var sb strings.Builder
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					switch t := t.(type) {
					case *ast.Text:
						sb.Write(t.Segment.Value(src))
					case *ast.String:
						sb.Write(t.Value)
					}
				}
				out = append(out, run{text: strings.ReplaceAll(sb.String(), "\n", " "), f: f | fCode, link: link})
			case *ast.Emphasis:
				if c.Level >= 2 {
					walk(c, f|fBold, link)
				} else {
					walk(c, f|fItalic, link)
				}
			case *east.Strikethrough:
				walk(c, f|fStrike, link)
			case *ast.Link:
				walk(c, f, string(c.Destination))
			case *ast.AutoLink:
				out = append(out, run{text: string(c.Label(src)), f: f, link: string(c.URL(src))})
			case *ast.RawHTML:
				for i := 0; i < c.Segments.Len(); i++ {
					s := c.Segments.At(i)
					out = append(out, run{text: strings.ReplaceAll(string(s.Value(src)), "\n", " "), f: f, link: link})
				}
			default:
				walk(c, f, link)
			}
		}
	}
	walk(parent, 0, "")
	return mergeRuns(out)
}

// resolve undoes backslash escapes and character references.
func resolve(v []byte) []byte {
	v = util.UnescapePunctuations(v)
	v = util.ResolveNumericReferences(v)
	return util.ResolveEntityNames(v)
}

// FromMarkdown cuts a Markdown document into a Document as the redline
// package reads one: the first "#" heading is the title and the text under
// it the preamble; every other heading starts a section keyed by its slug
// (numbers like "3." dropped, repeats made unique).
func FromMarkdown(md string) *Document {
	d := &Document{}
	for i, s := range redline.Split(moudesk.NormalizeText(md)).Sections {
		head, body, _ := strings.Cut(s.Text, "\n")
		body = strings.TrimLeft(body, "\n")
		if i == 0 && strings.HasPrefix(head, "# ") {
			d.Title = strings.TrimSpace(strings.TrimPrefix(head, "# "))
			d.Preamble = body
			continue
		}
		if s.Key == preambleKey {
			d.Preamble = s.Text
			continue
		}
		d.Sections = append(d.Sections, Section{Key: s.Key, Heading: s.Heading, Body: body})
	}
	return d
}
