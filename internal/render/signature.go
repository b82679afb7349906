package render

// Signature block geometry, in points.
const (
	sigSpace = 40.0  // room above the line for the signature appearance
	sigLineW = 270.0 // length of the signature line
	sigDateW = 150.0 // length of the blank for the date
)

// signatures appends the "Signatures" section: one block per signatory, each
// kept whole on one page, and records where each signature goes.
func (r *renderer) signatures(blocks []SignatureBlock) {
	if len(blocks) == 0 {
		return
	}
	r.heading(2, []Run{{Text: "Signatures", Style: Style{Bold: true}}})
	lh := bodySize * leading
	blockH := lh + sigSpace + 6 + 4*lh + 24
	for _, b := range blocks {
		r.ensure(blockH)
		party := b.Party
		if party == "" {
			party = "Signatory"
		}
		r.paragraph([]Run{{Text: party, Style: Style{Bold: true}}}, bodySize, alignLeft)
		top := r.y
		r.y += sigSpace
		lineY := r.y
		r.rule(r.left, lineY, r.left+sigLineW, 0.7, RGB{})
		// gofpdf places y downward from the top; PDF user space grows up.
		rect := SignatureRect{
			Page: r.pdf.PageNo(),
			Rect: [4]float64{r.left, r.pageH - lineY, r.left + sigLineW, r.pageH - top},
		}
		r.y += 2
		r.paragraph([]Run{{Text: "Signature", Style: Style{Color: colorMuted}}}, 9, alignLeft)
		r.paragraph([]Run{{Text: "Name: ", Style: Style{Bold: true}}, {Text: b.Name}}, bodySize, alignLeft)
		r.paragraph([]Run{{Text: "Title: ", Style: Style{Bold: true}}, {Text: b.Title}}, bodySize, alignLeft)
		if b.Date != "" {
			r.paragraph([]Run{{Text: "Date: ", Style: Style{Bold: true}}, {Text: b.Date}}, bodySize, alignLeft)
		} else {
			// The blank is a rule, not underscores, so the date a signing
			// update draws over it reads as "Date: 2026-12-04" and not
			// between two runs of underscores.
			label := r.faces[faceSerifBold].width("Date: ") * bodySize / 1000
			r.paragraph([]Run{{Text: "Date: ", Style: Style{Bold: true}}}, bodySize, alignLeft)
			x1, base := r.left+label, r.y-lh+bodySize*1.02
			r.rule(x1, base+2, x1+sigDateW, 0.5, RGB{})
			rect.DateRect = [4]float64{x1, r.pageH - (base + 3), x1 + sigDateW, r.pageH - (r.y - lh)}
		}
		r.sigRects = append(r.sigRects, rect)
		r.y += 24
	}
}
