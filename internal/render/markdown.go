package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/moudesk/moudesk/internal/gfm"
)

// newMarkdown is the one goldmark configuration both outputs use, so the PDF
// and the HTML of a document agree on its structure.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(gfm.Table, gfm.Strikethrough, gfm.Linkify))
}

// Vertical spacing, in points.
const (
	paraGap = 7.0
	itemGap = 3.0
)

// markdown parses md and draws every block of it.
func (r *renderer) markdown(md []byte) { r.markdownChunks(md, chunkSize) }

// chunkSize is about how much Markdown a long document is parsed at a time.
const chunkSize = 64 << 10

// markdownChunks parses md a chunk at a time (see chunkStarts) and draws
// each chunk's blocks. Each top-level block is taken out of the tree once
// drawn (its next sibling is still there while it is drawn), so that its
// subtree can be collected. The syntax tree of a long document, built
// whole, was with the pages what its peak memory grew with.
func (r *renderer) markdownChunks(md []byte, size int) {
	p := newMarkdown().Parser()
	starts := chunkStarts(md, size)
	for i, start := range starts {
		end := len(md)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		// The chunk's nodes keep offsets into all of md (the page map and
		// the redline's block places rely on them): parse md up to end,
		// from start.
		rd := text.NewReader(md[:end])
		rd.SetPosition(-1, text.NewSegment(start, start))
		rd.AdvanceLine()
		doc := p.Parse(rd)
		for c := doc.FirstChild(); c != nil; c = doc.FirstChild() {
			r.goneBefore(c)
			r.block(c, md, 0)
			doc.RemoveChild(doc, c)
		}
	}
}

// chunkStarts returns where md may be parsed apart, in pieces of at least
// size bytes: at the start of a line that is an ATX heading ("#" to
// "######" at the margin, then a space or the end of the line). Such a
// line closes every open paragraph, list, quote, table and indented code
// block, and cannot continue any, so parsing from it on gives the blocks
// parsing the whole gives. It cannot close a fenced code block or an HTML
// block, and link reference definitions reach across the document: a
// document with a fence, an HTML tag or a reference definition (or CRs or
// NULs, which the parser treats specially) is parsed whole. The first start
// is always 0.
func chunkStarts(md []byte, size int) []int {
	starts := []int{0}
	if len(md) < 2*size || bytes.Contains(md, []byte("```")) || bytes.Contains(md, []byte("~~~")) ||
		bytes.Contains(md, []byte("]:")) || bytes.IndexByte(md, '<') >= 0 ||
		bytes.IndexByte(md, '\r') >= 0 || bytes.IndexByte(md, 0) >= 0 {
		return starts
	}
	for at := 0; at < len(md); {
		nl := bytes.IndexByte(md[at:], '\n')
		end := len(md)
		if nl >= 0 {
			end = at + nl
		}
		if at-starts[len(starts)-1] >= size && len(md)-at >= size && atxHeading(md[at:end]) {
			starts = append(starts, at)
		}
		at = end + 1
	}
	return starts
}

// atxHeading reports whether line is an ATX heading starting at the margin.
func atxHeading(line []byte) bool {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(line) || line[n] == ' ' || line[n] == '\t')
}

// blocks draws the children of a container; listDepth counts enclosing lists.
func (r *renderer) blocks(n ast.Node, src []byte, listDepth int) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.goneBefore(c)
		r.block(c, src, listDepth)
	}
}

func (r *renderer) block(n ast.Node, src []byte, listDepth int) {
	r.noteBlock(n)
	switch n := n.(type) {
	case *ast.Heading:
		r.heading(n.Level, r.inlineOf(n, src, Style{Bold: true}))
	case *ast.Paragraph, *ast.TextBlock:
		r.paragraph(r.inlineOf(n, src, Style{}), bodySize, alignLeft)
		r.gapAfter(n, listDepth)
	case *ast.List:
		r.list(n, src, listDepth)
	case *ast.Blockquote:
		r.quote(func() { r.blocks(n, src, listDepth) })
	case *ast.ThematicBreak:
		r.ensure(18)
		r.rule(r.left, r.y+8, r.right, 0.6, colorRule)
		r.y += 18
	case *east.Table:
		r.table(n, src)
		r.y += paraGap
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		if r.rl != nil && (r.rlGone || r.rl.literalChanged(n)) {
			r.markedLiteral(n, src)
		} else {
			r.literal(blockLines(n, src), bodySize)
		}
		r.gapAfter(n, listDepth)
	default:
		// Anything else goldmark may produce: draw its text if it has
		// lines, else its children, so nothing is silently dropped.
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 && !n.HasChildren() {
			r.literal(blockLines(n, src), bodySize)
			return
		}
		r.blocks(n, src, listDepth)
	}
}

func (r *renderer) gapAfter(n ast.Node, listDepth int) {
	if listDepth > 0 && n.NextSibling() == nil {
		return // the list item adds its own gap
	}
	if listDepth > 0 {
		r.y += itemGap
		return
	}
	r.y += paraGap
}

// blockLines is the raw text of a block's lines (code, HTML).
func blockLines(n ast.Node, src []byte) string {
	var sb strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		sb.Write(s.Value(src))
	}
	if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
		sb.Write(h.ClosureLine.Value(src))
	}
	return sb.String()
}

var headingSizes = [...]float64{0, 16, 13, 12, 11, 11, 11}

// heading draws a heading, keeps it with the next two lines, adds it to the
// outline and the page map.
func (r *renderer) heading(level int, runs []Run) {
	level = min(max(level, 1), 6)
	size := headingSizes[level]
	if level >= 4 {
		for i := range runs {
			runs[i].Style.Italic = true
		}
	}
	lines := r.breakRuns(runs, size, r.right-r.left)
	lh := size * leading
	before := map[bool]float64{true: 16, false: 10}[level <= 2]
	if r.y > margin+0.5 {
		r.y += before
	}
	r.ensure(float64(len(lines))*lh + 4 + 2*bodySize*leading)
	text := r.clean(plainText(runs), faceSerif)
	r.bookmark(text, level)
	r.sections = append(r.sections, SectionPage{Heading: text, Level: level, Page: r.pdf.PageNo()})
	al := alignLeft
	if level == 1 {
		al = alignCenter
	}
	for _, ln := range lines {
		r.drawLine(ln, r.left, r.right-r.left, r.y, size, al)
		r.y += lh
	}
	r.y += 4
}

// bookmark adds an outline entry; levels never skip, as PDF outlines nest.
func (r *renderer) bookmark(text string, level int) {
	lvl := max(level-1, 0)
	if lvl > r.outlineLevel+1 {
		lvl = r.outlineLevel + 1
	}
	if r.bookmarks == 0 {
		lvl = 0
	}
	r.bookmarks++
	r.outlineLevel = lvl
	r.setFont(faceSerif, bodySize, RGB{})
	r.pdf.Bookmark(text, lvl, r.y)
}

// quote draws blocks indented with a rule beside them.
func (r *renderer) quote(body func()) {
	saved := r.left
	r.quoteBars = append(r.quoteBars, r.left+2)
	r.left = r.indent(indentStp)
	body()
	r.quoteBars = r.quoteBars[:len(r.quoteBars)-1]
	r.left = saved
}

// indent moves the column's left edge by d, keeping at least a third of
// the text width so deep nesting still lays out.
func (r *renderer) indent(d float64) float64 {
	limit := r.right - (r.pageW-2*margin)/3
	return min(r.left+d, max(limit, r.left))
}

var bullets = [...]string{"•", "◦", "▪"}

func (r *renderer) list(l *ast.List, src []byte, depth int) {
	saved := r.left
	r.left = r.indent(indentStp)
	num := l.Start
	topOrdered := l.IsOrdered() && depth == 0
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		r.goneBefore(item)
		m := &marker{text: r.listMarker(l, depth, num)}
		if topOrdered {
			si := r.currentSection()
			r.sections[si].Items = append(r.sections[si].Items, ItemPage{Number: num})
			m.item = &itemRef{si, len(r.sections[si].Items) - 1}
		}
		r.marker = m
		r.blocks(item, src, depth+1)
		if r.marker != nil { // empty item: the marker still shows
			r.paragraph([]Run{{Text: ""}}, bodySize, alignLeft)
		}
		r.y += itemGap
		num++
	}
	r.left = saved
	if depth == 0 {
		r.y += paraGap - itemGap
	}
}

func (r *renderer) listMarker(l *ast.List, depth, num int) string {
	return r.clean(listMarkerText(l, depth, num), faceSerif)
}

// listMarkerText is the bullet or number of item num of list l at depth:
// nested ordered lists count (a), (b), … A redline draws a deleted item's
// old marker with it too.
func listMarkerText(l *ast.List, depth, num int) string {
	if !l.IsOrdered() {
		return bullets[depth%len(bullets)]
	}
	if depth%2 == 1 && num >= 1 && num <= 26 {
		return fmt.Sprintf("(%c)", 'a'+num-1)
	}
	return fmt.Sprintf("%d%c", num, l.Marker)
}

// currentSection is the section numbered items belong to, creating an
// untitled one for items before the first heading.
func (r *renderer) currentSection() int {
	if len(r.sections) == 0 {
		r.sections = append(r.sections, SectionPage{Level: 0, Page: r.pdf.PageNo()})
	}
	return len(r.sections) - 1
}
