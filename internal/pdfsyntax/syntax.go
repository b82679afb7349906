// Package pdfsyntax holds the lexical rules of PDF (ISO 32000-1 §7.2–7.3)
// that both of moudesk's PDF readers need: the object parser that checks
// signatures and the content-stream lexer that extracts text. Each function
// takes bytes and a position and always advances or stops, so hostile input
// cannot make a caller loop.
package pdfsyntax

import "bytes"

// IsWhite reports PDF white space (§7.2.2, Table 1).
func IsWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

// IsDelim reports a PDF delimiter (§7.2.2, Table 2).
func IsDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

// SkipWhite returns the first position at or after pos that is neither
// white space nor inside a comment.
func SkipWhite(data []byte, pos int) int {
	for pos < len(data) {
		switch c := data[pos]; {
		case IsWhite(c):
			pos++
		case c == '%':
			for pos < len(data) && data[pos] != '\n' && data[pos] != '\r' {
				pos++
			}
		default:
			return pos
		}
	}
	return pos
}

// Literal decodes the literal string whose '(' is at data[pos] (§7.3.4.2):
// balanced parentheses, backslash escapes, octal codes and line
// continuations. It returns the bytes, the position after the closing ')',
// and false when the string is not closed before the data ends (the bytes
// read so far are still returned, for lenient readers).
func Literal(data []byte, pos int) ([]byte, int, bool) {
	pos++ // '('
	var b []byte
	level := 1
	for pos < len(data) {
		c := data[pos]
		pos++
		switch c {
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				return b, pos, true
			}
		case '\\':
			if pos >= len(data) {
				return b, pos, false
			}
			e := data[pos]
			pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if pos < len(data) && data[pos] == '\n' {
					pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && pos < len(data) && data[pos] >= '0' && data[pos] <= '7'; i++ {
						v = v*8 + int(data[pos]-'0')
						pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		b = append(b, c)
	}
	return b, pos, false
}

// DecodeHex decodes the content of a hex string (§7.3.4.3): white space is
// ignored and an odd final digit is taken as followed by 0. Any other byte
// is skipped too, but makes ok false, so a strict reader can refuse it.
func DecodeHex(h []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(h)/2)
	ok = true
	var cur byte
	half := false
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case IsWhite(c):
			continue
		default:
			ok = false
			continue
		}
		if half {
			out = append(out, cur<<4|v)
		} else {
			cur = v
		}
		half = !half
	}
	if half {
		out = append(out, cur<<4)
	}
	return out, ok
}
