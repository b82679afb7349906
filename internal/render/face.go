package render

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/jung-kurt/gofpdf"

	"github.com/moudesk/moudesk/internal/render/fonts"
)

// face is one embedded TrueType font with the metrics the line breaker needs.
// We measure text ourselves from the font's own cmap and hmtx tables instead
// of asking gofpdf: it lets us know, before drawing, which characters the font
// cannot show (gofpdf would index past its width table or fail the whole
// document on characters above U+FFFF), and it avoids switching gofpdf's
// current font once per measured word.
type face struct {
	family string // gofpdf family name
	style  string // gofpdf style: "", "B", "I", "BI"
	file   string
	// metrics reads and parses the font on first use, once per process
	// (sync.OnceValues); what it returns is never modified afterwards, so
	// concurrent renders share it read-only. Most documents never use
	// some faces, so they are not parsed until one does.
	metrics func() (*faceMetrics, error)
}

// faceMetrics is a parsed face: each BMP character's advance width in
// thousandths of an em (negative when the font has no glyph for it).
type faceMetrics struct {
	adv []float32
	// font is the face as gofpdf parses it, once for every document.
	font *gofpdf.UTF8Font
}

// faceID indexes faceSet; the four serif faces are addressed by bold|italic.
type faceID uint8

const (
	faceSerif faceID = iota
	faceSerifBold
	faceSerifItalic
	faceSerifBoldItalic
	faceMono
	faceCount
)

var faceFiles = [faceCount]struct{ family, style, file string }{
	{"serif", "", "LiberationSerif-Regular.ttf"},
	{"serif", "B", "LiberationSerif-Bold.ttf"},
	{"serif", "I", "LiberationSerif-Italic.ttf"},
	{"serif", "BI", "LiberationSerif-BoldItalic.ttf"},
	{"mono", "", "LiberationMono-Regular.ttf"},
}

// faceSet is the embedded faces, each parsed on its first use.
var faceSet = func() *[faceCount]*face {
	var set [faceCount]*face
	for i, ff := range faceFiles {
		set[i] = &face{family: ff.family, style: ff.style, file: ff.file,
			metrics: sync.OnceValues(func() (*faceMetrics, error) {
				data, err := fonts.FS.ReadFile(ff.file)
				if err != nil {
					return nil, fmt.Errorf("render: read embedded font %s: %w", ff.file, err)
				}
				adv, err := parseAdvances(data)
				if err != nil {
					return nil, fmt.Errorf("render: parse embedded font %s: %w", ff.file, err)
				}
				font, err := gofpdf.ParseUTF8Font(data)
				if err != nil {
					return nil, fmt.Errorf("render: parse embedded font %s for the PDF: %w", ff.file, err)
				}
				return &faceMetrics{adv: adv, font: font}, nil
			})}
	}
	return &set
}()

// loadFaces returns the faces after parsing the regular one, which every
// document uses (its error is that of a broken build). The others are
// parsed on first use; setFont reports an error of theirs.
func loadFaces() (*[faceCount]*face, error) {
	if _, err := faceSet[faceSerif].metrics(); err != nil {
		return nil, err
	}
	return faceSet, nil
}

// adv returns the face's advance table, or nil if it failed to load
// (every character then counts as missing; setFont reports the error).
func (f *face) adv() []float32 {
	m, err := f.metrics()
	if err != nil {
		return nil
	}
	return m.adv
}

// has reports whether the face can draw r.
func (f *face) has(r rune) bool {
	adv := f.adv()
	return r >= 0 && int(r) < len(adv) && adv[r] >= 0
}

// width returns the advance of s in thousandths of an em; characters the face
// lacks count as half an em (they are replaced before drawing anyway).
func (f *face) width(s string) float64 {
	adv := f.adv()
	var w float32
	for _, r := range s {
		if r >= 0 && int(r) < len(adv) && adv[r] >= 0 {
			w += adv[r]
		} else {
			w += 500
		}
	}
	return float64(w)
}

// parseAdvances reads the head, hhea, hmtx and cmap (format 4, Windows
// Unicode BMP) tables of a TrueType font.
func parseAdvances(data []byte) ([]float32, error) {
	tables, err := tableDirectory(data)
	if err != nil {
		return nil, err
	}
	head, hhea, hmtx, cmap := tables["head"], tables["hhea"], tables["hmtx"], tables["cmap"]
	if len(head) < 54 || len(hhea) < 36 || cmap == nil || hmtx == nil {
		return nil, fmt.Errorf("missing or short head/hhea/hmtx/cmap table")
	}
	unitsPerEm := float32(binary.BigEndian.Uint16(head[18:]))
	if unitsPerEm == 0 {
		return nil, fmt.Errorf("unitsPerEm is zero")
	}
	nHMetrics := int(binary.BigEndian.Uint16(hhea[34:]))
	if nHMetrics == 0 || len(hmtx) < 4*nHMetrics {
		return nil, fmt.Errorf("hmtx shorter than numberOfHMetrics")
	}
	advance := func(glyph int) float32 {
		if glyph >= nHMetrics {
			glyph = nHMetrics - 1
		}
		return float32(binary.BigEndian.Uint16(hmtx[4*glyph:])) * 1000 / unitsPerEm
	}
	sub, err := cmapFormat4(cmap)
	if err != nil {
		return nil, err
	}
	adv := make([]float32, 0x10000)
	for i := range adv {
		adv[i] = -1
	}
	segX2 := int(binary.BigEndian.Uint16(sub[6:]))
	if len(sub) < 16+4*segX2 {
		return nil, fmt.Errorf("cmap format 4 subtable truncated")
	}
	ends := sub[14:]
	starts := sub[16+segX2:]
	deltas := sub[16+2*segX2:]
	offsets := sub[16+3*segX2:]
	for s := 0; s < segX2/2; s++ {
		end := int(binary.BigEndian.Uint16(ends[2*s:]))
		start := int(binary.BigEndian.Uint16(starts[2*s:]))
		delta := int(binary.BigEndian.Uint16(deltas[2*s:]))
		ro := int(binary.BigEndian.Uint16(offsets[2*s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				pos := 16 + 3*segX2 + 2*s + ro + 2*(c-start)
				if pos+2 > len(sub) {
					continue
				}
				g = int(binary.BigEndian.Uint16(sub[pos:]))
				if g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g != 0 {
				adv[c] = advance(g)
			}
		}
	}
	return adv, nil
}

func tableDirectory(data []byte) (map[string][]byte, error) {
	if len(data) < 12 {
		return nil, fmt.Errorf("font file too short")
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, fmt.Errorf("table directory truncated")
	}
	tables := make(map[string][]byte, n)
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		off := int(binary.BigEndian.Uint32(rec[8:]))
		length := int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off+length > len(data) {
			return nil, fmt.Errorf("table %q out of bounds", rec[:4])
		}
		tables[string(rec[:4])] = data[off : off+length]
	}
	return tables, nil
}

// cmapFormat4 returns the Windows Unicode BMP (3,1) subtable.
func cmapFormat4(cmap []byte) ([]byte, error) {
	if len(cmap) < 4 {
		return nil, fmt.Errorf("cmap too short")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	for i := 0; i < n && 4+8*i+8 <= len(cmap); i++ {
		rec := cmap[4+8*i:]
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := int(binary.BigEndian.Uint32(rec[4:]))
		if platform != 3 || encoding != 1 || off+14 > len(cmap) {
			continue
		}
		sub := cmap[off:]
		if binary.BigEndian.Uint16(sub) != 4 {
			continue
		}
		length := int(binary.BigEndian.Uint16(sub[2:]))
		if length > len(sub) {
			return nil, fmt.Errorf("cmap subtable truncated")
		}
		return sub[:length], nil
	}
	return nil, fmt.Errorf("no Windows Unicode BMP cmap subtable")
}
