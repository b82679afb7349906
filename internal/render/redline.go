package render

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/moudesk/moudesk/internal/redline"
)

// RedlinePDF draws a redline typeset like the revision PDF: every section
// in order, its Markdown laid out as the revision's is (headings, numbered
// and nested lists, tables, emphasis, links), with inserted text underlined
// in blue, deleted text struck through in red and a bar in the left margin
// beside each changed line. Underline and strike-through carry the meaning,
// so a black-and-white print reads the same. A legend opens the redline;
// moved, renamed and renumbered sections say so beside their heading.
func RedlinePDF(res *redline.Result, opt Options) (out *Result, err error) {
	return RedlineReport(nil, res, opt)
}

// redlineSize is the bytes of text a redline draws.
func redlineSize(res *redline.Result) int {
	size := 0
	for _, s := range res.Sections {
		for _, op := range s.Ops {
			size += len(op.Text)
		}
	}
	return size
}

// redline draws the legend and every section of res.
func (r *renderer) redline(res *redline.Result) {
	r.legend(res.Summary)
	deps := res.Departures()
	r.departures(deps, -1)
	for i, sec := range res.Sections {
		r.redlineSection(sec)
		r.departures(deps, i)
	}
}

// departures marks the old places of the sections that moved away from
// after section i, with a change bar.
func (r *renderer) departures(deps []redline.Departure, i int) {
	for _, d := range deps {
		if d.After != i {
			continue
		}
		r.changeBar = true
		r.paragraph([]Run{{Text: "[" + d.Note + "]", Style: Style{Italic: true, Color: colorMuted}}}, bodySize, alignLeft)
		r.changeBar = false
		r.y += paraGap
	}
}

// legend explains the marks, drawn with the marks themselves, in a box.
func (r *renderer) legend(sum redline.Summary) {
	const size = 9.5
	plain := Style{}
	runs := []Run{
		{Text: "How to read this redline: ", Style: Style{Bold: true}},
		{Text: "inserted text", Style: markStyle(plain, inserted)},
		{Text: " is underlined (blue); ", Style: plain},
		{Text: "deleted text", Style: markStyle(plain, deleted)},
		{Text: " is struck through (red); a bar in the left margin marks each changed line. Sections that moved, were renamed or renumbered, added or removed say so in italics beside their heading; moved text is struck through where it was and underlined where it is, each end naming the other.", Style: plain},
		{Text: "\n" + sum.Sentence(), Style: Style{Italic: true}},
	}
	const pad = 6.0
	lines := r.breakRuns(runs, size, r.right-r.left-2*pad)
	lh := size * leading
	h := float64(len(lines))*lh + 2*pad
	r.ensure(h)
	r.pdf.SetLineWidth(0.5)
	r.pdf.SetDrawColor(int(colorRule.R), int(colorRule.G), int(colorRule.B))
	r.pdf.Rect(r.left, r.y, r.right-r.left, h, "D")
	y := r.y + pad
	for _, ln := range lines {
		r.drawLine(ln, r.left+pad, r.right-r.left-2*pad, y, size, alignLeft)
		y += lh
	}
	r.y += h + paraGap*2
}

// redlineSection draws one section of a redline from its new text's
// Markdown, with the old text's deleted blocks in their places.
func (r *renderer) redlineSection(sec redline.SectionChange) {
	ms := markSection(sec)
	r.rl, r.rlLeft = ms, r.left
	defer func() { r.rl = nil }()
	if first := firstLeaf(ms); ms.note != "" && (first == nil || !isHeading(first)) {
		ms.noteDone = true
		r.paragraph([]Run{{Text: "(" + ms.note + ")", Style: Style{Italic: true, Color: colorMuted}}}, bodySize, alignLeft)
		r.y += itemGap
	}
	if ms.new.doc != nil {
		r.blocks(ms.new.doc, ms.new.src, 0)
	}
	r.drawGone(ms.rest())
}

// firstLeaf is the section's first block, old or new: the heading that
// carries its status note, when it has one.
func firstLeaf(ms *markedSection) ast.Node {
	if len(ms.new.leaves) > 0 {
		return ms.new.leaves[0].node
	}
	if len(ms.old.leaves) > 0 {
		return ms.old.leaves[0].node
	}
	return nil
}

func isHeading(n ast.Node) bool {
	_, ok := n.(*ast.Heading)
	return ok
}

// inlineOf is the inline text of a block: as written in a document, and in
// a redline with its changes marked.
func (r *renderer) inlineOf(n ast.Node, src []byte, base Style) []Run {
	switch {
	case r.rl == nil:
		return inlineRuns(n, src, base)
	case r.rlGone:
		return r.rl.goneRuns(n, base)
	}
	return r.rl.runs(n, base)
}

// goneBefore draws, in a redline, the deleted blocks that stood before
// block n of the new text.
func (r *renderer) goneBefore(n ast.Node) {
	if r.rl == nil || r.rlGone {
		return
	}
	if gs := r.rl.due(r.rl.start(n)); len(gs) > 0 {
		r.drawGone(gs)
	}
}

// markedLiteral draws a changed code block of a redline with its marks,
// line by line in the monospace face. Spaces become no-break spaces so
// indentation survives the line breaker.
func (r *renderer) markedLiteral(n ast.Node, src []byte) {
	runs := r.inlineOf(n, src, Style{})
	for i := range runs {
		runs[i].Style.Mono = true
		runs[i].Text = strings.ReplaceAll(strings.ReplaceAll(runs[i].Text, "\t", "    "), " ", "\u00a0")
	}
	r.paragraph(runs, bodySize, alignLeft)
}

// drawGone draws deleted blocks at their old depth, with their old list
// markers struck through.
func (r *renderer) drawGone(gs []goneBlock) {
	savedLeft, savedBars, savedMarker := r.left, r.quoteBars, r.marker
	r.rlGone = true
	defer func() {
		r.left, r.quoteBars, r.marker = savedLeft, savedBars, savedMarker
		r.rlGone = false
	}()
	src := r.rl.old.src
	for _, g := range gs {
		lf := g.lf
		r.left = r.rlLeft
		r.quoteBars = append([]float64(nil), savedBars...)
		for range lf.quotes {
			r.quoteBars = append(r.quoteBars, r.left+2)
			r.left = r.indent(indentStp)
		}
		for range lf.depth {
			r.left = r.indent(indentStp)
		}
		r.marker = nil
		if lf.marker != "" && g.node == lf.node {
			r.marker = &marker{text: r.clean(lf.marker, faceSerif), deleted: true}
		}
		switch n := g.node.(type) {
		case *east.Table:
			r.table(n, src)
			r.y += paraGap
		case *east.TableRow:
			var runs []Run
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if len(runs) > 0 {
					runs = append(runs, Run{Text: " | ", Style: markStyle(Style{}, deleted)})
				}
				runs = append(runs, r.inlineOf(c, src, Style{})...)
			}
			r.paragraph(runs, bodySize, alignLeft)
			r.y += paraGap
		default:
			r.block(n, src, lf.depth)
		}
		if r.marker != nil {
			r.paragraph([]Run{{Text: ""}}, bodySize, alignLeft)
		}
	}
}

// goneRows returns, inside a redline's table, the deleted rows of the old
// table that stood before offset at, as cells of runs.
func (r *renderer) goneRows(at int) [][][]Run {
	if r.rl == nil || r.rlGone {
		return nil
	}
	var rows [][][]Run
	for r.rl.next < len(r.rl.gone) {
		g := r.rl.gone[r.rl.next]
		row, ok := g.node.(*east.TableRow)
		if !ok || g.at > at {
			break
		}
		r.rl.next++
		var cells [][]Run
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, r.rl.goneRuns(c, Style{Bold: row.Kind() == east.KindTableHeader}))
		}
		rows = append(rows, cells)
	}
	return rows
}
