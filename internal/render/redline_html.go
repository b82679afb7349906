package render

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/moudesk/moudesk/internal/redline"
)

// RedlineHTMLStyle is the CSS of a redline fragment, for pages that want
// it in their own style sheet. Colours meet WCAG AA (at least 4.5:1 on
// their backgrounds: inserted 8.6:1, deleted 7.4:1), and the underline
// and strike-through carry the meaning without them.
const RedlineHTMLStyle = `.redline{overflow-wrap:anywhere;max-width:100%}
.redline ins{text-decoration:underline;text-decoration-thickness:2px;color:#0033a0;background:#e7eefc}
.redline del{text-decoration:line-through;text-decoration-thickness:2px;color:#9b0015;background:#fde7e9}
.redline ins a,.redline del a{color:inherit}
.redline-sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.redline-legend{border:1px solid #999;padding:.4rem .6rem;font-size:.9em}
.redline-status{font-style:italic;font-weight:normal;color:#555}
.redline pre{white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}
.redline-table table{border-collapse:collapse;width:100%;table-layout:fixed}
.redline-table td,.redline-table th{border:1px solid #999;padding:.25rem .4rem;vertical-align:top;text-align:left;white-space:normal;overflow-wrap:anywhere}
.redline-changed,.redline-row-changed{border-left:3px solid #9b0015;padding-left:.4rem}
.redline li.redline-gone{list-style:none}
.redline-marker{margin-right:.4em}
.redline blockquote{border-left:3px solid #bbb;margin-left:0;padding-left:1rem}
.redline-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem;border-top:1px solid #ddd}
.redline-row>div{min-width:0}
.redline-cols{font-weight:bold}
.redline-side-label{display:none}
.redline-d1{margin-left:1.5em}.redline-d2{margin-left:3em}.redline-d3{margin-left:4.5em}.redline-d4{margin-left:6em}
.redline-q{border-left:3px solid #bbb;padding-left:.6rem}
@media (max-width:40rem){.redline-row{grid-template-columns:minmax(0,1fr)}.redline-cols{display:none}.redline-side-label{display:block;font-size:.8em;color:#555}
.redline-d1{margin-left:.75em}.redline-d2{margin-left:1.5em}.redline-d3{margin-left:2.25em}.redline-d4{margin-left:3em}}
`

// RedlineHTML writes a redline as an HTML fragment, typeset from its
// Markdown as the PDF is (see markSection): inline, the new text with
// <ins> and <del> in place; side by side, each block's old text beside its
// new one. Changes carry visually hidden "inserted:"/"deleted:" labels for
// screen readers. Raw HTML in the documents is never passed through: all
// document text is escaped, and only http, https and mailto links are
// kept. Sections carry data-status and a class per status so a page can
// colour or collapse them. The fragment opens with its style and a legend.
func RedlineHTML(w io.Writer, res *redline.Result, view redline.View) (err error) {
	if res == nil {
		return fmt.Errorf("render: redline html: no redline")
	}
	if view != redline.Inline && view != redline.SideBySide {
		return fmt.Errorf("render: redline html: unknown view %d", view)
	}
	if size := redlineSize(res); size > 2*MaxInput {
		return fmt.Errorf("render: redline is %d bytes, over the %d byte limit", size, 2*MaxInput)
	}
	// A bug reading some odd Markdown must not take a page down with it;
	// the PDF turns a panic into an error the same way.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("render: redline html failed: %v", p)
		}
	}()
	bw := bufio.NewWriter(w)
	bw.WriteString("<style>\n" + RedlineHTMLStyle + "</style>\n")
	hw := &htmlWriter{w: bw}
	if view == redline.Inline {
		hw.inline(res)
	} else {
		hw.sideBySide(res)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render: write redline html: %w", err)
	}
	return nil
}

// RedlineHTMLPage writes a redline as a whole HTML page (for the command
// line): charset, viewport and title, then the fragment.
func RedlineHTMLPage(w io.Writer, res *redline.Result, view redline.View, title string) error {
	fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n</head>\n<body style=\"font-family:serif;max-width:60rem;margin:0 auto;padding:0 .75rem\">\n", html.EscapeString(title))
	if err := RedlineHTML(w, res, view); err != nil {
		return err
	}
	_, err := io.WriteString(w, "</body>\n</html>\n")
	return err
}

const legendHTML = `<p class="redline-legend"><strong>How to read this redline:</strong> ` +
	`<ins>inserted text</ins> is underlined, <del>deleted text</del> is struck through, ` +
	`and a bar marks each changed block. Sections that moved, were renamed or renumbered, added or removed say so beside their heading; moved text is struck through where it was and underlined where it is, each end naming the other. Screen readers announce each change.</p>` + "\n"

type htmlWriter struct {
	w    *bufio.Writer
	ms   *markedSection
	gone bool // writing deleted blocks of the old text
}

func (hw *htmlWriter) sectionOpen(c redline.SectionChange) {
	fmt.Fprintf(hw.w, "<section class=\"redline-section redline-%s\" data-status=\"%s\" data-key=\"%s\">\n",
		html.EscapeString(c.Status), html.EscapeString(c.Status), html.EscapeString(c.Key))
}

// departures marks the old places of the sections that moved away from
// after section i.
func (hw *htmlWriter) departures(deps []redline.Departure, i int) {
	for _, d := range deps {
		if d.After == i {
			fmt.Fprintf(hw.w, "<p class=\"redline-departure redline-changed redline-status\">[%s]</p>\n", html.EscapeString(d.Note))
		}
	}
}

// note writes the status note of a section that has no heading to carry it.
func (hw *htmlWriter) note() {
	if first := firstLeaf(hw.ms); hw.ms.note != "" && (first == nil || !isHeading(first)) {
		hw.ms.noteDone = true
		fmt.Fprintf(hw.w, "<p class=\"redline-status\">(%s)</p>\n", html.EscapeString(hw.ms.note))
	}
}

func (hw *htmlWriter) inline(res *redline.Result) {
	w := hw.w
	w.WriteString(`<div class="redline redline-inline">` + "\n" + legendHTML)
	fmt.Fprintf(w, "<p class=\"redline-summary\">%s</p>\n", html.EscapeString(res.Summary.Sentence()))
	deps := res.Departures()
	hw.departures(deps, -1)
	for i, sec := range res.Sections {
		hw.ms = markSection(sec)
		hw.sectionOpen(sec)
		hw.note()
		if hw.ms.new.doc != nil {
			hw.blocks(hw.ms.new.doc, hw.ms.new.src)
		}
		hw.writeGone(hw.ms.rest(), false)
		w.WriteString("</section>\n")
		hw.departures(deps, i)
	}
	w.WriteString("</div>\n")
}

func (hw *htmlWriter) runsOf(n ast.Node, base Style) []Run {
	if hw.gone {
		return hw.ms.goneRuns(n, base)
	}
	return hw.ms.runs(n, base)
}

func (hw *htmlWriter) goneBefore(n ast.Node, inList bool) {
	if !hw.gone {
		hw.writeGone(hw.ms.due(hw.ms.start(n)), inList)
	}
}

func (hw *htmlWriter) blocks(n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		hw.goneBefore(c, false)
		hw.block(c, src)
	}
}

// changedClass marks a block holding changes, for the change bar.
func changedClass(runs []Run) string {
	if changed(runs) {
		return ` class="redline-changed"`
	}
	return ""
}

func (hw *htmlWriter) block(n ast.Node, src []byte) {
	w := hw.w
	switch n := n.(type) {
	case *ast.Heading:
		runs := hw.runsOf(n, Style{})
		lvl := min(n.Level+1, 6) // the page has its own h1
		fmt.Fprintf(w, "<h%d%s>", lvl, changedClass(runs))
		writeRuns(w, runs, false)
		fmt.Fprintf(w, "</h%d>\n", lvl)
	case *ast.Paragraph:
		runs := hw.runsOf(n, Style{})
		fmt.Fprintf(w, "<p%s>", changedClass(runs))
		writeRuns(w, runs, false)
		w.WriteString("</p>\n")
	case *ast.TextBlock:
		runs := hw.runsOf(n, Style{})
		if changed(runs) {
			w.WriteString(`<span class="redline-changed">`)
			writeRuns(w, runs, false)
			w.WriteString("</span>")
		} else {
			writeRuns(w, runs, false)
		}
		w.WriteString("\n")
	case *ast.List:
		tag := "ul"
		if n.IsOrdered() {
			tag = "ol"
		}
		w.WriteString("<" + tag + ">\n")
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			hw.goneBefore(item, true)
			if n.IsOrdered() {
				fmt.Fprintf(w, "<li value=\"%d\">", num)
			} else {
				w.WriteString("<li>")
			}
			hw.blocks(item, src)
			w.WriteString("</li>\n")
			num++
		}
		w.WriteString("</" + tag + ">\n")
	case *ast.Blockquote:
		w.WriteString("<blockquote>\n")
		hw.blocks(n, src)
		w.WriteString("</blockquote>\n")
	case *ast.ThematicBreak:
		w.WriteString("<hr>\n")
	case *east.Table:
		hw.table(n, func(c ast.Node, base Style) []Run { return hw.runsOf(c, base) }, !hw.gone)
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		runs := hw.runsOf(n, Style{})
		fmt.Fprintf(w, "<pre%s><code>", changedClass(runs))
		writeRuns(w, runs, true)
		w.WriteString("</code></pre>\n")
	default:
		if isLeaf(n) && n.Lines().Len() > 0 {
			w.WriteString("<pre>")
			writeRuns(w, hw.runsOf(n, Style{}), true)
			w.WriteString("</pre>\n")
			return
		}
		hw.blocks(n, src)
	}
}

// table writes a table; withGone adds the deleted rows of the old table.
func (hw *htmlWriter) table(t *east.Table, runs func(ast.Node, Style) []Run, withGone bool) {
	w := hw.w
	w.WriteString("<div class=\"redline-table\"><table>\n")
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		if withGone {
			hw.goneRows(hw.ms.due(hw.ms.start(row)))
		}
		cell := "td"
		if row.Kind() == east.KindTableHeader {
			cell = "th"
		}
		w.WriteString("<tr>")
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			rs := runs(c, Style{})
			fmt.Fprintf(w, "<%s%s>", cell, changedClass(rs))
			writeRuns(w, rs, false)
			w.WriteString("</" + cell + ">")
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</table></div>\n")
}

// goneRows writes deleted rows inside a table; other deleted blocks due
// here are written after it would be invalid, so they go in one cell.
func (hw *htmlWriter) goneRows(gs []goneBlock) {
	for _, g := range gs {
		hw.w.WriteString("<tr>")
		if row, ok := g.node.(*east.TableRow); ok {
			for c := row.FirstChild(); c != nil; c = c.NextSibling() {
				hw.w.WriteString(`<td class="redline-changed">`)
				writeRuns(hw.w, hw.ms.goneRuns(c, Style{}), false)
				hw.w.WriteString("</td>")
			}
		} else {
			hw.w.WriteString(`<td class="redline-changed">`)
			writeRuns(hw.w, hw.ms.goneRuns(g.lf.node, Style{}), false)
			hw.w.WriteString("</td>")
		}
		hw.w.WriteString("</tr>\n")
	}
}

// writeGone writes deleted blocks, at their old depth with their old list
// markers; as list items when they fall between the items of a list.
func (hw *htmlWriter) writeGone(gs []goneBlock, inList bool) {
	if len(gs) == 0 {
		return
	}
	saved := hw.gone
	hw.gone = true
	defer func() { hw.gone = saved }()
	tag := "div"
	if inList {
		tag = "li"
	}
	for _, g := range gs {
		fmt.Fprintf(hw.w, "<%s class=\"redline-gone redline-changed%s\">", tag, depthClass(g.lf, inList))
		if g.lf.marker != "" && g.node == g.lf.node {
			fmt.Fprintf(hw.w, "<del class=\"redline-marker\">%s</del>", html.EscapeString(g.lf.marker))
		}
		switch n := g.node.(type) {
		case *east.TableRow:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				writeRuns(hw.w, hw.ms.goneRuns(c, Style{}), false)
				hw.w.WriteString(" ")
			}
		default:
			hw.block(n, hw.ms.old.src)
		}
		fmt.Fprintf(hw.w, "</%s>\n", tag)
	}
}

// depthClass indents a block written outside its list to its old depth.
func depthClass(l *leaf, inList bool) string {
	d := l.depth
	if inList {
		d--
	}
	d = min(d, 4)
	s := ""
	if d > 0 {
		s = " redline-d" + strconv.Itoa(d)
	}
	if l.quotes > 0 {
		s += " redline-q"
	}
	return s
}

// writeRuns writes runs as HTML: changes as <ins>/<del> with their
// screen-reader labels, styles as <strong>, <em>, <code>, <s> and links.
func writeRuns(w *bufio.Writer, runs []Run, pre bool) {
	open := unchanged
	closeMark := func() {
		switch open {
		case inserted:
			w.WriteString(`<span class="redline-sr"> (end inserted)</span></ins>`)
		case deleted:
			w.WriteString(`<span class="redline-sr"> (end deleted)</span></del>`)
		}
		open = unchanged
	}
	for _, r := range runs {
		if r.Style.change != open {
			closeMark()
			switch r.Style.change {
			case inserted:
				w.WriteString(`<ins><span class="redline-sr">inserted: </span>`)
			case deleted:
				w.WriteString(`<del><span class="redline-sr">deleted: </span>`)
			}
			open = r.Style.change
		}
		writeRun(w, r, pre)
	}
	closeMark()
}

func writeRun(w *bufio.Writer, r Run, pre bool) {
	st := r.Style
	var closers []string
	wrap := func(open, close string) {
		w.WriteString(open)
		closers = append(closers, close)
	}
	if st.Color == colorMuted && st.Italic && st.change == unchanged {
		wrap(`<span class="redline-status">`, "</span>")
		st.Italic = false
	}
	if st.Link != "" && safeURL(st.Link) {
		wrap(`<a href="`+html.EscapeString(st.Link)+`" rel="nofollow noopener">`, "</a>")
	}
	if st.Bold {
		wrap("<strong>", "</strong>")
	}
	if st.Italic {
		wrap("<em>", "</em>")
	}
	if st.Mono && !pre {
		wrap("<code>", "</code>")
	}
	if st.Strike && st.change != deleted {
		wrap("<s>", "</s>")
	}
	text := html.EscapeString(r.Text)
	if !pre {
		text = strings.ReplaceAll(text, "\n", "<br>\n")
	}
	w.WriteString(text)
	for i := len(closers) - 1; i >= 0; i-- {
		w.WriteString(closers[i])
	}
}

// sideBySide writes each section as rows of blocks: the old text on the
// left with deletions marked, the new on the right with insertions marked.
// Both sides come from one run list per block, so they cannot disagree.
func (hw *htmlWriter) sideBySide(res *redline.Result) {
	w := hw.w
	w.WriteString(`<div class="redline redline-side-by-side">` + "\n" + legendHTML)
	fmt.Fprintf(w, "<p class=\"redline-summary\">%s</p>\n", html.EscapeString(res.Summary.Sentence()))
	w.WriteString(`<div class="redline-row redline-cols" aria-hidden="true"><div>Before</div><div>After</div></div>` + "\n")
	deps := res.Departures()
	hw.departures(deps, -1)
	for i, sec := range res.Sections {
		hw.ms = markSection(sec)
		hw.sectionOpen(sec)
		hw.note()
		if hw.ms.new.doc != nil {
			hw.sideBlocks(hw.ms.new.doc)
		}
		hw.sideGone(hw.ms.rest())
		w.WriteString("</section>\n")
		hw.departures(deps, i)
	}
	w.WriteString("</div>\n")
}

func (hw *htmlWriter) sideBlocks(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		hw.sideBlock(c)
	}
}

func (hw *htmlWriter) sideBlock(n ast.Node) {
	switch n := n.(type) {
	case *ast.List:
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			hw.sideGone(hw.ms.due(hw.ms.start(item)))
			hw.sideBlocks(item)
		}
	case *ast.Blockquote:
		hw.sideBlocks(n)
	case *east.Table:
		hw.sideGone(hw.ms.due(hw.ms.start(n)))
		cells := map[ast.Node][]Run{}
		runs := func(c ast.Node, base Style) []Run {
			if _, ok := cells[c]; !ok {
				cells[c] = hw.ms.runs(c, base)
			}
			return cells[c]
		}
		var old, new strings.Builder
		for i, b := range []*strings.Builder{&old, &new} {
			keep := keepSide(i)
			saved := hw.w
			bw := bufio.NewWriter(b)
			hw.w = bw
			// Only the old side shows (and so takes) deleted rows.
			hw.table(n, func(c ast.Node, base Style) []Run { return filterRuns(runs(c, base), keep) }, i == 0)
			bw.Flush()
			hw.w = saved
		}
		hw.row(old.String(), new.String(), false)
	default:
		if !isLeaf(n) {
			hw.sideBlocks(n)
			return
		}
		l := hw.ms.new.byNode[n]
		hw.sideGone(hw.ms.due(l.first))
		runs := hw.ms.runs(n, Style{})
		hw.row(hw.leafHTML(n, l, filterRuns(runs, keepSide(0)), false), hw.leafHTML(n, l, filterRuns(runs, keepSide(1)), false), changed(runs))
	}
}

// keepSide is the change a side leaves out: the old side has no inserted
// text, the new side no deleted text.
func keepSide(side int) change {
	if side == 0 {
		return inserted
	}
	return deleted
}

func filterRuns(runs []Run, drop change) []Run {
	out := make([]Run, 0, len(runs))
	for _, r := range runs {
		if r.Style.change != drop {
			out = append(out, r)
		}
	}
	return out
}

// sideGone writes deleted blocks as rows with only an old side.
func (hw *htmlWriter) sideGone(gs []goneBlock) {
	for _, g := range gs {
		var b strings.Builder
		bw := bufio.NewWriter(&b)
		saved := hw.w
		hw.w = bw
		hw.gone = true
		if t, ok := g.node.(*east.Table); ok {
			hw.table(t, hw.ms.goneRuns, false)
		} else if row, ok := g.node.(*east.TableRow); ok {
			bw.WriteString("<div class=\"redline-table\"><table>\n")
			hw.goneRows([]goneBlock{{node: row, lf: g.lf}})
			bw.WriteString("</table></div>\n")
		} else {
			bw.WriteString(hw.leafHTML(g.node, g.lf, hw.ms.goneRuns(g.node, Style{}), true))
		}
		hw.gone = false
		bw.Flush()
		hw.w = saved
		hw.row(b.String(), "", true)
	}
}

// leafHTML is one block of the side-by-side view, indented to its depth
// with its list marker.
func (hw *htmlWriter) leafHTML(n ast.Node, l *leaf, runs []Run, gone bool) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	cls := ""
	if l != nil {
		cls = strings.TrimSpace(depthClass(l, false))
	}
	open := func(tag string) {
		if cls != "" {
			fmt.Fprintf(w, "<%s class=\"%s\">", tag, cls)
		} else {
			fmt.Fprintf(w, "<%s>", tag)
		}
	}
	marker := func() {
		if l != nil && l.marker != "" {
			if gone {
				fmt.Fprintf(w, "<del class=\"redline-marker\">%s</del>", html.EscapeString(l.marker))
			} else {
				fmt.Fprintf(w, "<span class=\"redline-marker\">%s</span>", html.EscapeString(l.marker))
			}
		}
	}
	switch n := n.(type) {
	case *ast.Heading:
		lvl := min(n.Level+1, 6)
		open("h" + strconv.Itoa(lvl))
		writeRuns(w, runs, false)
		fmt.Fprintf(w, "</h%d>", lvl)
	case *ast.ThematicBreak:
		w.WriteString("<hr>")
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		open("pre")
		writeRuns(w, runs, true)
		w.WriteString("</pre>")
	default:
		open("p")
		marker()
		writeRuns(w, runs, false)
		w.WriteString("</p>")
	}
	w.Flush()
	return b.String()
}

// row writes one row of the side-by-side view.
func (hw *htmlWriter) row(old, new string, changed bool) {
	cls := "redline-row"
	if changed {
		cls += " redline-row-changed"
	}
	fmt.Fprintf(hw.w, "<div class=\"%s\"><div class=\"redline-old\"><span class=\"redline-side-label\">Before</span>%s</div><div class=\"redline-new\"><span class=\"redline-side-label\">After</span>%s</div></div>\n", cls, old, new)
}
