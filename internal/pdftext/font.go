package pdftext

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// decoder turns the bytes of a shown string into text for one font.
type decoder struct {
	codeLens []int             // byte lengths of codes, from the CMap's codespace ranges
	uni      map[uint32]string // code → text, from /ToUnicode bfchar and bfrange arrays
	ranges   []bfRange         // bfrange lo..hi → consecutive text, sorted by lo
	twoByte  bool              // Type0 font without a usable CMap: 2-byte codes
	diffs    map[int]string    // single-byte code → glyph name
}

// Bounds on one CMap, which a hostile file controls.
const (
	maxCMapEntries = 1 << 16
	maxRangeSpan   = 1 << 16
)

func newDecoder(f pdfsign.Font) *decoder {
	d := &decoder{twoByte: f.Subtype == "Type0", diffs: f.Differences}
	if len(f.ToUnicode) > 0 {
		d.parseCMap(f.ToUnicode)
	}
	// Ranges sorted by hi let lookup binary-search; overlapping ranges are
	// rare and the scan after the search still finds them.
	sort.Slice(d.ranges, func(i, j int) bool { return d.ranges[i].hi < d.ranges[j].hi })
	if len(d.codeLens) == 0 {
		if d.twoByte {
			d.codeLens = []int{2}
		} else {
			d.codeLens = []int{1}
		}
	}
	return d
}

// parseCMap reads codespacerange, bfchar and bfrange sections of a
// ToUnicode CMap; anything else is skipped.
func (d *decoder) parseCMap(data []byte) {
	d.uni = map[uint32]string{}
	l := &lexer{data: data}
	var operands []token
	entries := 0
	for {
		t := l.next()
		if t.kind == tokEOF || entries > maxCMapEntries {
			return
		}
		if t.kind != tokOp {
			operands = append(operands, t)
			if len(operands) > 64 {
				operands = operands[1:]
			}
			continue
		}
		switch string(t.str) {
		case "begincodespacerange", "beginbfchar", "beginbfrange":
			section := string(t.str)
			var vals []token
			for {
				v := l.next()
				if v.kind == tokEOF || (v.kind == tokOp && strings.HasPrefix(string(v.str), "end")) {
					break
				}
				vals = append(vals, v)
				if len(vals) > 4*maxCMapEntries {
					return
				}
			}
			entries += d.section(section, vals)
		}
		operands = operands[:0]
	}
}

// section applies one CMap section's values; it returns how many entries
// it added.
func (d *decoder) section(kind string, vals []token) int {
	n := 0
	switch kind {
	case "begincodespacerange":
		for i := 0; i+1 < len(vals); i += 2 {
			if k := len(vals[i].str); k >= 1 && k <= 4 && !containsInt(d.codeLens, k) {
				d.codeLens = append(d.codeLens, k)
			}
		}
	case "beginbfchar":
		for i := 0; i+1 < len(vals); i += 2 {
			if vals[i].kind == tokString && vals[i+1].kind == tokString {
				d.uni[codeOf(vals[i].str)] = utf16Text(vals[i+1].str)
				n++
			}
		}
	case "beginbfrange":
		for i := 0; i+2 < len(vals); {
			lo, hi := codeOf(vals[i].str), codeOf(vals[i+1].str)
			if hi < lo || hi-lo > maxRangeSpan {
				hi = lo
			}
			if vals[i+2].kind == tokArrayOpen {
				j := i + 3
				for c := lo; j < len(vals) && vals[j].kind == tokString; j++ {
					d.uni[c] = utf16Text(vals[j].str)
					c++
					n++
				}
				i = j + 1 // past ']'
				continue
			}
			if dst := []rune(utf16Text(vals[i+2].str)); len(dst) > 0 {
				d.ranges = append(d.ranges, bfRange{lo, hi, dst})
				n++
			}
			i += 3
		}
	}
	return n
}

// bfRange maps codes lo..hi to dst with its last character counted up.
type bfRange struct {
	lo, hi uint32
	dst    []rune
}

// lookup finds code in the CMap.
func (d *decoder) lookup(code uint32) (string, bool) {
	if t, ok := d.uni[code]; ok {
		return t, true
	}
	i := sort.Search(len(d.ranges), func(i int) bool { return d.ranges[i].hi >= code })
	for ; i < len(d.ranges) && d.ranges[i].lo <= code; i++ {
		if r := d.ranges[i]; code <= r.hi {
			out := append([]rune(nil), r.dst...)
			out[len(out)-1] += rune(code - r.lo)
			return string(out), true
		}
	}
	return "", false
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func codeOf(b []byte) uint32 {
	var c uint32
	for _, x := range b[:min(len(b), 4)] {
		c = c<<8 | uint32(x)
	}
	return c
}

func utf16Text(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(b)%2 == 1 { // not UTF-16: a single byte
		return string(rune(b[len(b)-1]))
	}
	return string(utf16.Decode(u))
}

// decode returns the text of s.
func (d *decoder) decode(s []byte) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		k := d.codeLen(s[i:])
		code := codeOf(s[i : i+k])
		i += k
		if t, ok := d.lookup(code); ok {
			b.WriteString(t)
			continue
		}
		switch {
		case d.twoByte || k > 1:
			// gofpdf and many writers use Unicode values as CIDs.
			if code > 0 && code < 0x110000 && (code < 0xd800 || code > 0xdfff) {
				b.WriteRune(rune(code))
			}
		default:
			b.WriteString(singleByte(byte(code), d.diffs))
		}
	}
	return b.String()
}

// codeLen picks the shortest codespace length the bytes allow; with one
// length (the usual case) it is that.
func (d *decoder) codeLen(s []byte) int {
	k := d.codeLens[0]
	if len(d.codeLens) > 1 && d.uni != nil {
		for _, l := range d.codeLens {
			if l <= len(s) {
				if _, ok := d.lookup(codeOf(s[:l])); ok {
					k = l
					break
				}
			}
		}
	}
	return max(1, min(k, len(s)))
}

// singleByte decodes a simple font's code: a /Differences glyph name when
// it is one of the forms we can read, else WinAnsi (which agrees with
// Latin-1 outside 0x80–0x9f).
func singleByte(c byte, diffs map[int]string) string {
	if g, ok := diffs[int(c)]; ok {
		if t, ok := glyphText(g); ok {
			return t
		}
	}
	if c >= 0x80 && c <= 0x9f {
		if r, ok := winAnsiHigh[c]; ok {
			return string(r)
		}
		return ""
	}
	if c < 0x20 {
		return ""
	}
	return string(rune(c))
}

// glyphText reads a glyph name: a single character, uniXXXX, or one of a
// few common names.
func glyphText(g string) (string, bool) {
	if len(g) == 1 {
		return g, true
	}
	if strings.HasPrefix(g, "uni") && len(g) == 7 {
		if v, err := strconv.ParseUint(g[3:], 16, 32); err == nil {
			return string(rune(v)), true
		}
	}
	t, ok := glyphNames[g]
	return t, ok
}

var glyphNames = map[string]string{
	"space": " ", "period": ".", "comma": ",", "colon": ":", "semicolon": ";", "hyphen": "-",
	"quoteright": "’", "quoteleft": "‘", "quotedblleft": "“", "quotedblright": "”", "endash": "–",
	"emdash": "—", "parenleft": "(", "parenright": ")", "slash": "/", "section": "§", "bullet": "•",
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "fi": "fi", "fl": "fl", "ampersand": "&", "dollar": "$",
	"percent": "%", "quotesingle": "'", "quotedbl": "\"", "question": "?", "exclam": "!",
}

var winAnsiHigh = map[byte]rune{
	0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ',
	0x89: '‰', 0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“',
	0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›',
	0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
}
