package render

import "strings"

// align is the horizontal placement of laid-out lines.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// marker is a list item's number or bullet, drawn in the margin beside the
// first line of the item; item, when set, is the page-map entry that
// receives the page it lands on.
type marker struct {
	text    string
	item    *itemRef
	deleted bool // a deleted list item's marker in a redline: struck through
}

// itemRef indexes r.sections[section].Items[item]; an index, not a pointer,
// because both slices grow while the document is drawn.
type itemRef struct{ section, item int }

// paragraph lays runs out in the current column and draws them, breaking
// pages between lines.
func (r *renderer) paragraph(runs []Run, size float64, al align) {
	lines := r.breakRuns(runs, size, r.right-r.left)
	lh := size * leading
	for _, ln := range lines {
		r.ensure(lh)
		r.drawLine(ln, r.left, r.right-r.left, r.y, size, al)
		r.y += lh
	}
}

// drawLine draws one line with its top at y in a column starting at x of
// the given width, plus whatever belongs beside it: a pending list marker,
// block-quote rules and a change bar.
func (r *renderer) drawLine(ln line, x, width, y, size float64, al align) {
	r.placeBlock()
	lh := size * leading
	base := y + size*1.02
	switch al {
	case alignCenter:
		x += (width - ln.width) / 2
	case alignRight:
		x += width - ln.width
	}
	if m := r.marker; m != nil {
		r.marker = nil
		c := RGB{}
		if m.deleted {
			c = colorDeleted
		}
		r.setFont(faceSerif, size, c)
		w := r.faces[faceSerif].width(m.text) * size / 1000
		r.pdf.Text(r.left-6-w, base, m.text)
		if m.deleted {
			r.pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
			r.pdf.Rect(r.left-6-w, base-size*0.3, w, size*0.05, "F")
		}
		if m.item != nil {
			r.sections[m.item.section].Items[m.item.item].Page = r.pdf.PageNo()
		}
	}
	for _, bx := range r.quoteBars {
		r.pdf.SetFillColor(0xbb, 0xbb, 0xbb)
		r.pdf.Rect(bx, y, 1.5, lh, "F")
	}
	if r.changeBar || ln.changed() {
		r.pdf.SetFillColor(int(colorDeleted.R), int(colorDeleted.G), int(colorDeleted.B))
		r.pdf.Rect(margin-14, y, 2, lh, "F")
	}
	for _, s := range ln.segs {
		r.drawSeg(s, x, base, y, size, lh)
	}
}

// changed reports whether a line holds text a redline marked.
func (ln line) changed() bool {
	for _, s := range ln.segs {
		if s.style.change != unchanged {
			return true
		}
	}
	return false
}

func (r *renderer) drawSeg(s seg, x, base, top, size, lh float64) {
	fs := size
	if s.style.Mono {
		fs = size * 0.9
	}
	sx := x + s.x
	r.setFont(s.style.face(), fs, s.style.Color)
	if strings.TrimSpace(s.text) != "" {
		r.pdf.Text(sx, base, s.text)
	}
	c := s.style.Color
	if s.style.Underline {
		r.pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
		r.pdf.Rect(sx, base+fs*0.12, s.w, fs*0.05, "F")
	}
	if s.style.Strike {
		r.pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
		r.pdf.Rect(sx, base-fs*0.3, s.w, fs*0.05, "F")
	}
	if s.style.Link != "" {
		r.pdf.LinkString(sx, top, s.w, lh, s.style.Link)
	}
}

// literal draws text line by line as it is (code blocks, raw HTML), in the
// monospace face, wrapping only lines too long for the column
// (wrapLiteral).
func (r *renderer) literal(text string, size float64) {
	text = strings.ReplaceAll(strings.TrimRight(text, "\n"), "\t", "    ")
	st := Style{Mono: true}
	lh := size * 0.9 * leading
	width := r.right - r.left
	for _, src := range strings.Split(text, "\n") {
		src = r.clean(src, faceMono)
		for _, part := range r.wrapLiteral(src, size, width) {
			r.ensure(lh)
			r.drawLine(line{segs: []seg{{text: part, style: st}}}, r.left, width, r.y-size*0.1, size, alignLeft)
			r.y += lh
		}
	}
}
