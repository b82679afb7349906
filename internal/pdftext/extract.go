// Package pdftext extracts the text of a PDF's pages and normalises it for
// comparison, so a copy of an MOU that another tool re-saved can still be
// recognised by its words, and a copy whose words were changed can be told
// apart from it.
//
// Reading goes through pdfsign.Pages, the bounded reader that signature
// verification already trusts with hostile uploads (classic and stream
// cross-references, object streams, Flate). Text comes from the text
// operators of page content and the form XObjects it draws, decoded with
// each font's /ToUnicode CMap (gofpdf writes one for its embedded UTF-8
// fonts, as do Chromium, LibreOffice and Word), else 2-byte Unicode CIDs
// for Type0 fonts and WinAnsi for simple fonts. Positioning is reduced to
// line and word breaks: enough to compare words, not to lay text out.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// Limits on one document beyond pdfsign's: the text kept and the content
// tokens read, so a hostile file cannot make extraction run or grow
// without bound.
const (
	MaxText   = 16 << 20
	maxTokens = 50_000_000
)

// ErrNotPDF wraps input that is not a readable PDF.
var ErrNotPDF = pdfsign.ErrNotPDF

// Extract returns the text of every page of pdf, one string per page,
// lines separated by "\n". ctx bounds the time taken.
func Extract(ctx context.Context, pdf []byte) ([]string, error) {
	return extract(ctx, pdf, false)
}

// ExtractPrinted is Extract as a viewer prints each page: its own text,
// then the text of its visible annotations' appearances (a signature's
// name, title and date), which printing or "print to PDF" flattens into
// the page.
func ExtractPrinted(ctx context.Context, pdf []byte) ([]string, error) {
	return extract(ctx, pdf, true)
}

func extract(ctx context.Context, pdf []byte, printed bool) ([]string, error) {
	pages, err := pdfsign.Pages(ctx, pdf)
	if err != nil {
		return nil, fmt.Errorf("extract text: %w", err)
	}
	x := &extractor{ctx: ctx, fonts: map[string]*decoder{}}
	out := make([]string, 0, len(pages))
	for i := range pages {
		var b strings.Builder
		x.out = &b
		if err := x.run(&pages[i], 0); err != nil {
			return nil, fmt.Errorf("extract text of page %d: %w", i+1, err)
		}
		for _, a := range pages[i].Annots {
			if !printed {
				break
			}
			x.write("\n")
			if err := x.run(&a.Content, 1); err != nil {
				return nil, fmt.Errorf("extract text of page %d: %w", i+1, err)
			}
		}
		out = append(out, b.String())
	}
	return out, nil
}

type extractor struct {
	ctx    context.Context
	out    *strings.Builder
	total  int // bytes of text written
	tokens int
	fonts  map[string]*decoder // by font identity, so each CMap is parsed once
}

var errTooMuch = errors.New("too much text or content")

// run interprets one content stream.
func (x *extractor) run(c *pdfsign.Content, depth int) error {
	l := &lexer{data: c.Data}
	var ops []token // operands since the last operator
	var font *decoder
	var stack []*decoder // font across q/Q
	inArray := false
	var array []token
	for {
		t := l.next()
		x.tokens++
		if x.tokens > maxTokens || x.total > MaxText {
			return errTooMuch
		}
		if x.tokens%4096 == 0 {
			if err := x.ctx.Err(); err != nil {
				return err
			}
		}
		switch t.kind {
		case tokEOF:
			return nil
		case tokArrayOpen:
			inArray, array = true, array[:0]
			continue
		case tokArrayClose:
			inArray = false
			ops = append(ops, token{kind: tokArrayClose}) // marks "an array was here"
			continue
		}
		if inArray {
			if len(array) < 1<<16 {
				array = append(array, t)
			}
			continue
		}
		if t.kind != tokOp {
			if len(ops) >= 32 {
				ops = ops[1:]
			}
			ops = append(ops, t)
			continue
		}
		switch string(t.str) {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, font)
			}
		case "Q":
			if len(stack) > 0 {
				font, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "Tf":
			if len(ops) >= 2 && ops[len(ops)-2].kind == tokName {
				font = x.decoder(c, string(ops[len(ops)-2].str))
			}
		case "Tj":
			x.show(font, lastString(ops))
		case "'", "\"":
			x.write("\n")
			x.show(font, lastString(ops))
		case "TJ":
			for _, e := range array {
				switch {
				case e.kind == tokString:
					x.show(font, e.str)
				case e.kind == tokNumber && e.num < -200:
					x.write(" ") // a wide gap is a word break
				}
			}
		case "Td", "TD":
			// A move down starts a line. A move along the line joins: Skia
			// (Chromium) moves between kerned runs inside a word, and
			// writers that move between words draw the space glyph too.
			if len(ops) >= 1 && ops[len(ops)-1].kind == tokNumber && ops[len(ops)-1].num != 0 {
				x.write("\n")
			}
		case "Tm", "T*", "ET", "BT":
			x.write("\n")
		case "Do":
			if len(ops) >= 1 && ops[len(ops)-1].kind == tokName && depth < 8 {
				if f := c.Forms[string(ops[len(ops)-1].str)]; f != nil {
					x.write("\n")
					if err := x.run(&f.Content, depth+1); err != nil {
						return err
					}
				}
			}
		}
		ops = ops[:0]
	}
}

func (x *extractor) decoder(c *pdfsign.Content, name string) *decoder {
	f, ok := c.Fonts[name]
	if !ok {
		return nil
	}
	key := f.Subtype + "\x00" + f.Encoding + "\x00" + string(f.ToUnicode)
	if len(f.Differences) > 0 {
		key += fmt.Sprint(f.Differences) // fmt prints maps sorted
	}
	if d, ok := x.fonts[key]; ok {
		return d
	}
	d := newDecoder(f)
	if len(x.fonts) < 4096 {
		x.fonts[key] = d
	}
	return d
}

func lastString(ops []token) []byte {
	if len(ops) > 0 && ops[len(ops)-1].kind == tokString {
		return ops[len(ops)-1].str
	}
	return nil
}

func (x *extractor) show(d *decoder, s []byte) {
	if len(s) == 0 {
		return
	}
	if d == nil {
		d = newDecoder(pdfsign.Font{})
	}
	x.write(d.decode(s))
}

func (x *extractor) write(s string) {
	x.total += len(s)
	x.out.WriteString(s)
}
