package redline

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
)

// View selects an HTML layout.
type View int

const (
	// Inline shows one text with insertions and deletions marked in place.
	Inline View = iota
	// SideBySide shows the old text beside the new, paragraph by paragraph.
	SideBySide
)

// style makes the fragment read right whatever page it lands in: changes
// are underlined and struck through, not only coloured, and the labels for
// screen readers are hidden from sight but not from assistive technology.
const style = `<style>
.redline ins{text-decoration:underline}
.redline del{text-decoration:line-through}
.redline-sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.redline-text,.redline td{white-space:pre-wrap;vertical-align:top}
</style>
`

// WriteHTML writes the redline as an HTML fragment. Changes are <ins> and
// <del> styled underline and strike-through, so they read without colour,
// and each carries a visually hidden "inserted:"/"deleted:" label for
// screen readers. Every piece of document text is escaped: the input is
// untrusted. Sections carry data-status and a class per status so a page
// can colour or collapse them.
func (r *Result) WriteHTML(w io.Writer, view View) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(style)
	switch view {
	case Inline:
		writeInline(bw, r)
	case SideBySide:
		writeSideBySide(bw, r)
	default:
		return fmt.Errorf("redline: unknown HTML view %d", view)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("redline: write HTML: %w", err)
	}
	return nil
}

func writeInline(w *bufio.Writer, r *Result) {
	w.WriteString(`<div class="redline redline-inline">` + "\n")
	fmt.Fprintf(w, "<p class=\"redline-summary\">%s</p>\n", html.EscapeString(r.Summary.sentence()))
	for _, c := range r.Sections {
		fmt.Fprintf(w, "<section class=\"redline-section redline-%s\" data-status=\"%s\" data-key=\"%s\">\n",
			c.Status, c.Status, html.EscapeString(c.Key))
		writeSectionTitle(w, "h3", c)
		w.WriteString(`<div class="redline-text">`)
		for _, op := range c.Ops {
			writeOp(w, op)
		}
		w.WriteString("</div>\n</section>\n")
	}
	w.WriteString("</div>\n")
}

func writeSideBySide(w *bufio.Writer, r *Result) {
	w.WriteString(`<table class="redline redline-side-by-side">` + "\n")
	fmt.Fprintf(w, "<caption>%s</caption>\n", html.EscapeString(r.Summary.sentence()))
	w.WriteString("<thead><tr><th scope=\"col\">Before</th><th scope=\"col\">After</th></tr></thead>\n")
	for _, c := range r.Sections {
		fmt.Fprintf(w, "<tbody class=\"redline-section redline-%s\" data-status=\"%s\" data-key=\"%s\">\n",
			c.Status, c.Status, html.EscapeString(c.Key))
		w.WriteString(`<tr><th colspan="2" scope="colgroup">`)
		writeSectionTitle(w, "", c)
		w.WriteString("</th></tr>\n")
		for _, row := range sideRows(c.Ops) {
			w.WriteString("<tr>")
			for _, side := range row {
				w.WriteString("<td>")
				for _, op := range side {
					writeOp(w, op)
				}
				w.WriteString("</td>")
			}
			w.WriteString("</tr>\n")
		}
		w.WriteString("</tbody>\n")
	}
	w.WriteString("</table>\n")
}

// writeSectionTitle writes the section's label and what happened to it,
// inside element tag when tag is not empty.
func writeSectionTitle(w *bufio.Writer, tag string, c SectionChange) {
	if tag != "" {
		fmt.Fprintf(w, "<%s class=\"redline-label\">", tag)
	}
	fmt.Fprintf(w, "%s <span class=\"redline-status\">— %s</span>",
		html.EscapeString(c.Label()), html.EscapeString(c.describe()))
	if tag != "" {
		fmt.Fprintf(w, "</%s>\n", tag)
	}
}

// writeOp writes one op's escaped text, wrapped in <ins> or <del> with its
// screen-reader labels when it is a change.
func writeOp(w *bufio.Writer, op Op) {
	text := html.EscapeString(op.Text)
	switch op.Op {
	case OpInsert:
		fmt.Fprintf(w, `<ins><span class="redline-sr">inserted: </span>%s<span class="redline-sr"> (end inserted)</span></ins>`, text)
	case OpDelete:
		fmt.Fprintf(w, `<del><span class="redline-sr">deleted: </span>%s<span class="redline-sr"> (end deleted)</span></del>`, text)
	default:
		w.WriteString(text)
	}
}

// sideRows cuts a section's ops into rows of [old side, new side]. A row
// ends at a line break inside unchanged text, where both sides are at the
// start of a line, so paragraphs sit beside their counterparts. Rows that
// hold only white space are dropped.
func sideRows(ops []Op) [][2][]Op {
	var rows [][2][]Op
	var cur [2][]Op
	blank := true
	flush := func() {
		if !blank {
			rows = append(rows, cur)
		}
		cur = [2][]Op{}
		blank = true
	}
	add := func(side int, kind, text string) {
		cur[side] = appendOp(cur[side], kind, text)
		if strings.TrimSpace(text) != "" {
			blank = false
		}
	}
	for _, op := range ops {
		switch op.Op {
		case OpDelete:
			add(0, OpDelete, op.Text)
		case OpInsert:
			add(1, OpInsert, op.Text)
		default:
			for _, piece := range strings.SplitAfter(op.Text, "\n") {
				add(0, OpEqual, piece)
				add(1, OpEqual, piece)
				if strings.HasSuffix(piece, "\n") {
					flush()
				}
			}
		}
	}
	flush()
	return rows
}
