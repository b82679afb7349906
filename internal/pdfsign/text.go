package pdfsign

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// textString encodes s as a PDF text string: plain bytes when ASCII, else
// UTF-16BE with a byte-order mark, which every reader decodes.
func textString(s string) pdfString {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return pdfString(s)
	}
	out := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// decodeText is the inverse of textString, also accepting PDFDocEncoding
// (read as Latin-1, which agrees with it for printable characters).
func decodeText(b pdfString) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// winAnsiExtra maps the characters WinAnsiEncoding places in 0x80–0x9F.
var winAnsiExtra = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91,
	'’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98,
	'™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}

// winAnsi encodes s for the standard Helvetica font used in signature
// appearances. Characters outside WinAnsi lose their accents when that
// makes them encodable (Ł stays "?", ő becomes "o") and become "?"
// otherwise; replaced reports whether anything was lost. The signature
// dictionary and certificate keep the exact name.
func winAnsi(s string) (out []byte, replaced bool) {
	for _, r := range s {
		if b, ok := encodeWinAnsi(r); ok {
			out = append(out, b)
			continue
		}
		replaced = true
		base := []rune(norm.NFD.String(string(r)))
		if b, ok := encodeWinAnsi(base[0]); ok && len(base) > 1 {
			out = append(out, b)
			continue
		}
		out = append(out, '?')
	}
	return out, replaced
}

func encodeWinAnsi(r rune) (byte, bool) {
	switch {
	case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
		return byte(r), true
	}
	b, ok := winAnsiExtra[r]
	return b, ok
}

// pdfDate formats t as a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// parsePDFDate reads the subset of PDF dates writers use in /M; it returns
// the zero time when s is not one.
func parsePDFDate(s string) time.Time {
	s = strings.TrimPrefix(s, "D:")
	s = strings.NewReplacer("'", "").Replace(s)
	for _, layout := range []string{"20060102150405-0700", "20060102150405Z0700", "20060102150405Z", "20060102150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
