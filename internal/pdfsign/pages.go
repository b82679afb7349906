package pdfsign

import (
	"context"
	"errors"
	"fmt"
)

// Pages and Content expose what a text extractor needs from a PDF — each
// page's decoded content and the fonts it names — through the same bounded
// reader Verify uses, so extracting text from a hostile upload gets the
// same limits (nesting, reference chains, decoded bytes, ctx) as checking
// its signatures. Package pdftext turns them into text.

// Content is a content stream (a page's, or a form XObject's it draws)
// with the resources it names.
type Content struct {
	Data  []byte           // decoded; a page's streams joined by newlines
	Fonts map[string]Font  // by resource name, e.g. "F1"
	Forms map[string]*Form // form XObjects by resource name, read to a bounded depth
	// Annots are a page's annotation appearances (/AP /N), in /Annots
	// order: not part of the page's content, but drawn over it by viewers
	// and by "print to PDF" (a signature's visible name and date).
	Annots []*Form
}

// Form is a form XObject: a content stream drawn by the "Do" operator.
type Form struct{ Content }

// Font is what decoding a font's text bytes needs.
type Font struct {
	Subtype   string // Type0, Type1, TrueType, Type3, ...
	Encoding  string // a name (WinAnsiEncoding, Identity-H, ...) or "" for the font's own
	ToUnicode []byte // the decoded /ToUnicode CMap, nil when the font has none
	// Differences maps codes to glyph names from an /Encoding dictionary.
	Differences map[int]string
}

// Limits of Pages beyond the reader's own.
const (
	maxTextPages = 5000  // pages read
	maxFormDepth = 4     // form XObjects inside form XObjects
	maxContents  = 20000 // content streams (pages and forms) read in all
	// maxContentDecoded stops decoding content once this much has been
	// decoded: Pages keeps every page's content at once, so it bounds
	// memory tighter than the reader's own total.
	maxContentDecoded = 64 << 20
)

// Pages reads every page of pdf in order. Unreadable structure gives an
// error wrapping ErrNotPDF; a page whose content cannot be decoded (an
// unsupported filter) comes back with whatever streams could be.
func Pages(ctx context.Context, pdf []byte) ([]Content, error) {
	doc, err := openDocument(ctx, pdf)
	if err != nil {
		return nil, fmt.Errorf("read pages: %w", err)
	}
	cat, _, err := doc.catalog()
	if err != nil {
		return nil, fmt.Errorf("read pages: %w: %w", ErrNotPDF, err)
	}
	var pages []Content
	visited, budget := 0, maxContents
	var walk func(v any, inherited any, depth int) error
	walk = func(v any, inherited any, depth int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		visited++
		if depth > maxDepth || visited > 4*maxTextPages {
			return errors.New("page tree too deep or cyclic")
		}
		node := doc.dictOf(v)
		if node == nil {
			return nil
		}
		res := inherited
		if r, ok := node["Resources"]; ok {
			res = r
		}
		if node.name("Type") == "Page" || node["Kids"] == nil {
			if len(pages) >= maxTextPages {
				return fmt.Errorf("more than %d pages", maxTextPages)
			}
			c := doc.content(node["Contents"], res, 0, &budget)
			c.Annots = doc.annotations(node["Annots"], &budget)
			pages = append(pages, *c)
			return nil
		}
		kids, _ := doc.resolve(node["Kids"])
		ka, _ := kids.(array)
		for _, k := range ka {
			if err := walk(k, res, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(cat["Pages"], nil, 0); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read pages: %w", err)
		}
		return nil, fmt.Errorf("read pages: %w: %w", ErrNotPDF, err)
	}
	return pages, nil
}

// content decodes the stream (or array of streams) v and the fonts and
// forms of its resources res.
// budget counts down the streams still allowed, so forms drawn by forms
// cannot multiply the work.
func (d *document) content(v any, res any, depth int, budget *int) *Content {
	c := &Content{Fonts: map[string]Font{}, Forms: map[string]*Form{}}
	*budget--
	if *budget < 0 || d.ctx.Err() != nil {
		return c
	}
	v, _ = d.resolve(v)
	streams := array{v}
	if a, ok := v.(array); ok {
		streams = a
	}
	for i, s := range streams {
		if i >= 1024 {
			break
		}
		s, _ = d.resolve(s)
		st, ok := s.(*stream)
		if !ok {
			continue
		}
		if d.decoded > maxContentDecoded {
			break
		}
		b, err := d.decode(st)
		if err != nil {
			continue
		}
		if len(c.Data) > 0 {
			c.Data = append(c.Data, '\n')
		}
		c.Data = append(c.Data, b...)
	}
	rd := d.dictOf(res)
	for k, f := range d.dictOf(rd["Font"]) {
		if len(c.Fonts) >= 1024 {
			break
		}
		c.Fonts[k] = d.font(f)
	}
	if depth >= maxFormDepth {
		return c
	}
	for k, x := range d.dictOf(rd["XObject"]) {
		x, _ = d.resolve(x)
		st, ok := x.(*stream)
		if !ok || st.Dict.name("Subtype") != "Form" {
			continue
		}
		fres := st.Dict["Resources"]
		if fres == nil {
			fres = res
		}
		c.Forms[k] = &Form{*d.content(st, fres, depth+1, budget)}
	}
	return c
}

func (d *document) font(v any) Font {
	fd := d.dictOf(v)
	f := Font{Subtype: fd.name("Subtype")}
	enc, _ := d.resolve(fd["Encoding"])
	switch e := enc.(type) {
	case name:
		f.Encoding = string(e)
	case dict:
		f.Encoding = e.name("BaseEncoding")
		diffs, _ := d.resolve(e["Differences"])
		da, _ := diffs.(array)
		code := 0
		for _, x := range da {
			switch x := x.(type) {
			case int64:
				code = int(x)
			case name:
				if f.Differences == nil {
					f.Differences = map[int]string{}
				}
				if code >= 0 && code < 256 {
					f.Differences[code] = string(x)
				}
				code++
			}
		}
	}
	if tu, _ := d.resolve(fd["ToUnicode"]); tu != nil {
		if st, ok := tu.(*stream); ok {
			if b, err := d.decode(st); err == nil {
				f.ToUnicode = b
			}
		}
	}
	return f
}

// annotations reads the normal appearance streams of the annotations v
// lists, skipping hidden ones (flag bit 2) and those with a state
// dictionary instead of one stream.
func (d *document) annotations(v any, budget *int) []*Form {
	a, _ := d.resolve(v)
	annots, _ := a.(array)
	var out []*Form
	for i, x := range annots {
		if i >= 1024 {
			break
		}
		ad := d.dictOf(x)
		if f, _ := ad["F"].(int64); f&2 != 0 {
			continue
		}
		ap := d.dictOf(ad["AP"])
		n, _ := d.resolve(ap["N"])
		st, ok := n.(*stream)
		if !ok {
			continue
		}
		out = append(out, &Form{*d.content(st, st.Dict["Resources"], 1, budget)})
	}
	return out
}
