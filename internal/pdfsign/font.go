package pdfsign

import (
	"bytes"
	"sort"

	"golang.org/x/text/unicode/norm"
)

// appearanceFont is how an appearance stream writes text: the font
// resource, each line's encoded string operand and its width in
// thousandths of an em.
type appearanceFont interface {
	encode(line string) (operand []byte, width float64)
}

// helveticaFont is the fallback: standard Helvetica with WinAnsiEncoding,
// built into every viewer; names outside WinAnsi lose accents or become
// "?" (see winAnsi). 0.55 em is Helvetica's average advance for mixed-case
// text.
type helveticaFont struct{}

func (helveticaFont) encode(line string) ([]byte, float64) {
	e, _ := winAnsi(line)
	var b bytes.Buffer
	writeLiteral(&b, e)
	return b.Bytes(), float64(len(e)) * 550
}

// cidFont is an embedded Type0 font with Identity-H encoding whose CIDs
// are Unicode code points, as gofpdf writes its UTF-8 fonts (and so every
// PDF moudesk renders). The signature block already printed the
// signatory's name, title and party in it, so its embedded subset holds
// every glyph the appearance needs, whatever the script: no font is
// added, and the appearance shows the name exactly.
type cidFont struct {
	ref    ref
	gids   []byte // CIDToGIDMap: two bytes per CID
	widths map[int]float64
	dw     float64
}

// covers reports whether every character of s (in NFC) has a glyph.
func (f *cidFont) covers(s string) bool {
	for _, r := range norm.NFC.String(s) {
		c := int(r)
		if c > 0xffff || 2*c+1 >= len(f.gids) || f.gids[2*c]|f.gids[2*c+1] == 0 {
			return false
		}
	}
	return true
}

func (f *cidFont) encode(line string) ([]byte, float64) {
	var b bytes.Buffer
	w := 0.0
	b.WriteByte('<')
	const hexDigits = "0123456789ABCDEF"
	for _, r := range norm.NFC.String(line) {
		c := int(r)
		b.WriteByte(hexDigits[c>>12&15])
		b.WriteByte(hexDigits[c>>8&15])
		b.WriteByte(hexDigits[c>>4&15])
		b.WriteByte(hexDigits[c&15])
		if cw, ok := f.widths[c]; ok {
			w += cw
		} else {
			w += f.dw
		}
	}
	b.WriteByte('>')
	return b.Bytes(), w
}

// maxCIDs bounds the CIDToGIDMap read (the BMP) and maxWidths the /W
// entries, so a hostile font dictionary cannot make us allocate much.
const (
	maxCIDs   = 0x10000
	maxWidths = 0x10000
)

// unicodeFontFor returns the font among the page's resources that can
// show the most of lines, the first (the signatory's name) included, or
// nil when none can show the first.
func (d *document) unicodeFontFor(page ref, lines []string) *cidFont {
	if len(lines) == 0 {
		return nil
	}
	pd := d.dictOf(page)
	var res dict
	for i := 0; pd != nil && i < maxDepth; i++ {
		if res = d.dictOf(pd["Resources"]); res != nil {
			break
		}
		pd = d.dictOf(pd["Parent"])
	}
	if res == nil {
		return nil
	}
	fonts := d.dictOf(res["Font"])
	names := make([]string, 0, len(fonts))
	for n := range fonts {
		names = append(names, n)
	}
	sort.Strings(names)
	var best *cidFont
	bestN := 0
	for _, n := range names {
		r, ok := fonts[n].(ref)
		if !ok {
			continue
		}
		f := d.cidFont(r)
		if f == nil || !f.covers(lines[0]) {
			continue
		}
		k := 0
		for _, l := range lines {
			if f.covers(l) {
				k++
			}
		}
		if k > bestN {
			best, bestN = f, k
		}
	}
	return best
}

// cidFont reads font r when it is a Type0/Identity-H font over a
// CIDFontType2 with a CIDToGIDMap stream, else nil.
func (d *document) cidFont(r ref) *cidFont {
	fd := d.dictOf(r)
	if fd == nil || fd.name("Subtype") != "Type0" || fd.name("Encoding") != "Identity-H" || fd["ToUnicode"] == nil {
		return nil
	}
	dv, _ := d.resolve(fd["DescendantFonts"])
	desc, _ := dv.(array)
	if len(desc) != 1 {
		return nil
	}
	cid := d.dictOf(desc[0])
	if cid == nil || cid.name("Subtype") != "CIDFontType2" {
		return nil
	}
	mv, _ := d.resolve(cid["CIDToGIDMap"])
	ms, ok := mv.(*stream)
	if !ok {
		return nil
	}
	gids, err := d.decode(ms)
	if err != nil {
		return nil
	}
	f := &cidFont{ref: r, gids: gids[:min(len(gids), 2*maxCIDs)], widths: map[int]float64{}, dw: 1000}
	if dw, ok := number(cid["DW"]); ok {
		f.dw = dw
	}
	wv, _ := d.resolve(cid["W"])
	w, _ := wv.(array)
	// /W is a list of "c [w1 w2 …]" and "cfirst clast w" entries.
	for i := 0; i < len(w) && len(f.widths) < maxWidths; {
		first, ok := w[i].(int64)
		if !ok || i+1 >= len(w) {
			break
		}
		if ws, ok := w[i+1].(array); ok {
			for k, e := range ws {
				if x, ok := number(e); ok && len(f.widths) < maxWidths {
					f.widths[int(first)+k] = x
				}
			}
			i += 2
			continue
		}
		last, ok1 := w[i+1].(int64)
		if i+2 >= len(w) || !ok1 || last < first || last-first > maxWidths {
			break
		}
		x, _ := number(w[i+2])
		for c := first; c <= last && len(f.widths) < maxWidths; c++ {
			f.widths[int(c)] = x
		}
		i += 3
	}
	return f
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
