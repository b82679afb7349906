package render

// Style is how a run of text is drawn. The paragraph layouter works on styled
// runs rather than Markdown so that other documents (a redline, with inserted
// and deleted text) can be laid out and drawn the same way.
type Style struct {
	Bold, Italic, Mono bool
	Underline, Strike  bool
	Color              RGB    // zero value is black
	Link               string // URI made clickable over the run; only http, https and mailto are kept
	change             change // set by a redline on inserted and deleted text (see markStyle)
}

// RGB is a colour with 0-255 components.
type RGB struct{ R, G, B uint8 }

// Run is text drawn in one style. "\n" inside Text is a hard line break.
type Run struct {
	Text  string
	Style Style
}

// Colours used by the document and by redlines.
var (
	colorLink     = RGB{0x1a, 0x3c, 0x8c}
	colorInserted = RGB{0x00, 0x3f, 0xbf}
	colorDeleted  = RGB{0xb0, 0x10, 0x10}
	colorRule     = RGB{0x99, 0x99, 0x99}
	colorMuted    = RGB{0x55, 0x55, 0x55}
)

func (s Style) face() faceID {
	switch {
	case s.Mono:
		return faceMono
	case s.Bold && s.Italic:
		return faceSerifBoldItalic
	case s.Bold:
		return faceSerifBold
	case s.Italic:
		return faceSerifItalic
	}
	return faceSerif
}
