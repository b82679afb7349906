package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// Page geometry and type sizes, in points.
const (
	margin    = 72.0
	bodySize  = 11.0
	leading   = 1.38 // line height as a multiple of the font size
	indentStp = 22.0 // indentation per list or quote level
)

// renderer holds one PDF being drawn. All positions are in points with the
// origin at the top-left of the page, as gofpdf uses them; rectangles
// reported to callers are converted to PDF user space.
type renderer struct {
	pdf   *gofpdf.Fpdf
	faces *[faceCount]*face
	opt   Options

	pageW, pageH float64
	left, right  float64 // current text column
	y            float64 // top of the next line

	// font state last sent to gofpdf, to avoid redundant SetFont calls
	curFace  faceID
	curSize  float64
	curColor RGB
	fontSet  bool
	loaded   [faceCount]bool
	fontErr  error

	marker    *marker   // list marker waiting for the first line of its item
	quoteBars []float64 // x of the rule beside each open block quote
	changeBar bool      // draw a change bar in the left margin beside lines
	// rl is the redline section being drawn (nil for a document); rlGone
	// is set while its deleted blocks are drawn; rlLeft is its column.
	rl     *markedSection
	rlGone bool
	rlLeft float64

	// defl compresses; sealed[n] is the deflated start of page n's
	// content, sealed when the page was complete (deflate.go).
	defl   *deflater
	sealed []sealedPage

	outlineLevel int // level of the last bookmark
	bookmarks    int
	sections     []SectionPage
	sigRects     []SignatureRect
	warnings     []string
	missing      map[missingKey]bool
	missingOrder []missingKey // in the order first met, for missingWarnings
}

func newRenderer(opt Options) (*renderer, error) {
	faces, err := loadFaces()
	if err != nil {
		return nil, err
	}
	size := "Letter"
	switch strings.ToLower(opt.Paper) {
	case "", "letter":
	case "a4":
		size = "A4"
	default:
		return nil, fmt.Errorf("render: unknown paper %q (want letter or a4)", opt.Paper)
	}
	pdf := gofpdf.New("P", "pt", size, "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(false) // finalizePDF compresses pages, faster
	t := opt.Time
	if t.IsZero() {
		t = defaultTime
	}
	pdf.SetCreationDate(t.UTC())
	pdf.SetModificationDate(t.UTC())
	defl, err := getDeflater()
	if err != nil {
		return nil, err
	}
	r := &renderer{pdf: pdf, faces: faces, opt: opt, missing: map[missingKey]bool{}, defl: defl}
	r.pageW, r.pageH = pdf.GetPageSize()
	r.left, r.right = margin, r.pageW-margin
	pdf.SetTitle(r.clean(opt.Title, faceSerif), true)
	pdf.SetSubject(r.clean(opt.Subject, faceSerif), true)
	pdf.SetAuthor(r.clean(opt.Author, faceSerif), true)
	pdf.SetCreator("moudesk", true)
	pdf.SetProducer("moudesk", true)
	r.newPage()
	return r, nil
}

func (r *renderer) bottom() float64 { return r.pageH - margin }

// newPage starts a page; the watermark goes first so text is drawn over it.
func (r *renderer) newPage() {
	r.pdf.AddPage()
	if n := r.pdf.PageNo(); n > 1 {
		r.sealPage(n - 1) // complete but for its header and footer
	}
	r.fontSet = false
	r.y = margin
	if r.opt.Draft {
		r.watermark()
	}
}

// ensure starts a new page unless h points still fit on this one. It never
// breaks at the top of a page, so content taller than a page cannot loop.
func (r *renderer) ensure(h float64) {
	if r.y+h > r.bottom() && r.y > margin+0.5 {
		r.newPage()
	}
}

// setFont selects a face, size and colour. Each face is added to the PDF on
// first use: parsing a TrueType font in gofpdf costs milliseconds, and most
// documents never use some faces.
func (r *renderer) setFont(f faceID, size float64, c RGB) {
	if !r.fontSet || f != r.curFace || size != r.curSize {
		fc := r.faces[f]
		first := !r.loaded[f]
		if first {
			r.loaded[f] = true
			// A face that failed to load is reported by finish; gofpdf then
			// finds no such font, and draws nothing more.
			if m, err := fc.metrics(); err != nil {
				if r.fontErr == nil {
					r.fontErr = err
				}
			} else {
				// Parsed once for every document (our gofpdf,
				// third_party/gofpdf, shares it read-only).
				r.pdf.AddUTF8FontParsed(fc.family, fc.style, m.font)
			}
		}
		r.pdf.SetFont(fc.family, fc.style, size)
		// gofpdf prints a font it cannot parse to stdout and sets no error;
		// selecting it then fails as "undefined font", so check right here.
		if err := r.pdf.Error(); first && err != nil && r.fontErr == nil {
			r.fontErr = fmt.Errorf("render: load font %s: %w", fc.file, err)
		}
		r.curFace, r.curSize = f, size
	}
	if !r.fontSet || c != r.curColor {
		r.pdf.SetTextColor(int(c.R), int(c.G), int(c.B))
		r.curColor = c
	}
	r.fontSet = true
}

func (r *renderer) watermark() {
	const text, size = "DRAFT", 120.0
	r.setFont(faceSerifBold, size, RGB{0xe4, 0xe4, 0xe4})
	w := r.faces[faceSerifBold].width(text) * size / 1000
	cx, cy := r.pageW/2, r.pageH/2
	angle := math.Atan2(r.pageH, r.pageW) * 180 / math.Pi
	r.pdf.TransformBegin()
	r.pdf.TransformRotate(angle, cx, cy)
	r.pdf.Text(cx-w/2, cy+size*0.35, text)
	r.pdf.TransformEnd()
}

// decoratePages draws every page's header and footer once the page count is
// known, so the footer can say "Page X of Y" without gofpdf's alias (whose
// placeholder width would misplace centred text).
func (r *renderer) decoratePages() {
	n := r.pdf.PageCount()
	for p := 1; p <= n; p++ {
		r.pdf.SetPage(p)
		r.fontSet = false
		r.header()
		r.footer(p, n)
	}
}

func (r *renderer) header() {
	const size = 9.0
	base := margin - 30
	note := r.clean(r.opt.HeaderNote, faceSerif)
	noteW := r.faces[faceSerif].width(note) * size / 1000
	if note != "" {
		r.setFont(faceSerif, size, colorMuted)
		r.pdf.Text(r.pageW-margin-noteW, base, note)
	}
	// Regular, not italic: a document without italics then needs no italic
	// face, and each face costs milliseconds to embed.
	title := r.clean(r.opt.Title, faceSerif)
	if title != "" {
		title = r.truncate(title, faceSerif, size, r.pageW-2*margin-noteW-18)
		r.setFont(faceSerif, size, colorMuted)
		r.pdf.Text(margin, base, title)
	}
	if note != "" || title != "" {
		r.rule(margin, base+5, r.pageW-margin, 0.4, colorRule)
	}
}

func (r *renderer) footer(page, pages int) {
	const size = 9.0
	base := r.pageH - margin + 34
	r.rule(margin, base-13, r.pageW-margin, 0.4, colorRule)
	text := fmt.Sprintf("Page %d of %d", page, pages)
	r.setFont(faceSerif, size, colorMuted)
	w := r.faces[faceSerif].width(text) * size / 1000
	r.pdf.Text((r.pageW-w)/2, base, text)
	if r.opt.FooterNote != "" {
		const small = 7.5
		note := r.truncate(r.clean(r.opt.FooterNote, faceSerif), faceSerif, small, r.pageW-2*margin)
		r.setFont(faceSerif, small, colorMuted)
		w := r.faces[faceSerif].width(note) * small / 1000
		r.pdf.Text((r.pageW-w)/2, base+11, note)
	}
}

// truncate shortens s with an ellipsis to fit width points.
func (r *renderer) truncate(s string, f faceID, size, width float64) string {
	fc := r.faces[f]
	if fc.width(s)*size/1000 <= width {
		return s
	}
	rs := []rune(s)
	if len(rs) > 400 {
		rs = rs[:400]
	}
	for len(rs) > 0 && fc.width(string(rs)+"…")*size/1000 > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// rule draws a horizontal line as a filled rectangle of thickness t.
func (r *renderer) rule(x1, y, x2, t float64, c RGB) {
	r.pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
	r.pdf.Rect(x1, y-t/2, x2-x1, t, "F")
}
