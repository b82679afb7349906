package render

// Signature block geometry, in points.
const (
	sigSpace = 40.0  // room above the line for the signature appearance
	sigLineW = 270.0 // length of the signature line
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
		r.sigRects = append(r.sigRects, SignatureRect{
			Page: r.pdf.PageNo(),
			Rect: [4]float64{r.left, r.pageH - lineY, r.left + sigLineW, r.pageH - top},
		})
		r.y += 2
		r.paragraph([]Run{{Text: "Signature", Style: Style{Color: colorMuted}}}, 9, alignLeft)
		r.paragraph([]Run{{Text: "Name: ", Style: Style{Bold: true}}, {Text: b.Name}}, bodySize, alignLeft)
		r.paragraph([]Run{{Text: "Title: ", Style: Style{Bold: true}}, {Text: b.Title}}, bodySize, alignLeft)
		r.paragraph([]Run{{Text: "Date: ", Style: Style{Bold: true}}, {Text: "________________________"}}, bodySize, alignLeft)
		r.y += 24
	}
}
