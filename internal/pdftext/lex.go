package pdftext

import (
	"bytes"
	"strconv"
)

// A content-stream lexer: just enough of PDF syntax to find the text
// operators and their string operands. It never fails — malformed input
// only yields odd tokens — and every step advances, so any input ends.

type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokString // literal or hex, decoded to bytes
	tokName
	tokArrayOpen
	tokArrayClose
	tokOp // any other keyword: an operator, or true/false/null
)

type token struct {
	kind tokKind
	num  float64
	str  []byte // tokString bytes, tokName / tokOp text
}

type lexer struct {
	data []byte
	pos  int
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool { return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0 }

func (l *lexer) skipWhite() {
	for l.pos < len(l.data) {
		switch c := l.data[l.pos]; {
		case isWhite(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

func (l *lexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.data) && !isWhite(l.data[l.pos]) && !isDelim(l.data[l.pos]) {
		l.pos++
	}
	return l.data[start:l.pos]
}

func (l *lexer) next() token {
	l.skipWhite()
	if l.pos >= len(l.data) {
		return token{kind: tokEOF}
	}
	c := l.data[l.pos]
	switch {
	case c == '(':
		return token{kind: tokString, str: l.literal()}
	case c == '<' && l.pos+1 < len(l.data) && l.data[l.pos+1] == '<':
		l.pos += 2 // dictionary contents come through as their own tokens
		return token{kind: tokOp, str: []byte("<<")}
	case c == '>' && l.pos+1 < len(l.data) && l.data[l.pos+1] == '>':
		l.pos += 2
		return token{kind: tokOp, str: []byte(">>")}
	case c == '<':
		return token{kind: tokString, str: l.hex()}
	case c == '[':
		l.pos++
		return token{kind: tokArrayOpen}
	case c == ']':
		l.pos++
		return token{kind: tokArrayClose}
	case c == '/':
		l.pos++
		return token{kind: tokName, str: l.regular()}
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		w := l.regular()
		if len(w) == 0 {
			l.pos++
		}
		f, err := strconv.ParseFloat(string(w), 64)
		if err != nil {
			return token{kind: tokOp, str: w}
		}
		return token{kind: tokNumber, num: f}
	case isDelim(c):
		l.pos++ // a stray ), >, { or }
		return token{kind: tokOp, str: l.data[l.pos-1 : l.pos]}
	}
	w := l.regular()
	if string(w) == "ID" {
		l.skipInlineImage()
	}
	return token{kind: tokOp, str: w}
}

// skipInlineImage steps over the binary data of an inline image, which
// ends at the first "EI" between white space.
func (l *lexer) skipInlineImage() {
	for l.pos < len(l.data) {
		i := bytes.Index(l.data[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.data)
			return
		}
		at := l.pos + i
		l.pos = at + 2
		if at > 0 && isWhite(l.data[at-1]) && (l.pos >= len(l.data) || isWhite(l.data[l.pos])) {
			return
		}
	}
}

func (l *lexer) literal() []byte {
	l.pos++ // '('
	var b []byte
	level := 1
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				return b
			}
		case '\\':
			if l.pos >= len(l.data) {
				return b
			}
			e := l.data[l.pos]
			l.pos++
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
				if l.pos < len(l.data) && l.data[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.data) && l.data[l.pos] >= '0' && l.data[l.pos] <= '7'; i++ {
						v = v*8 + int(l.data[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		b = append(b, c)
	}
	return b
}

func (l *lexer) hex() []byte {
	l.pos++ // '<'
	end := bytes.IndexByte(l.data[l.pos:], '>')
	if end < 0 {
		end = len(l.data) - l.pos
	}
	h := l.data[l.pos : l.pos+end]
	l.pos = min(len(l.data), l.pos+end+1)
	return decodeHex(h)
}

// decodeHex decodes hex digits, ignoring anything else; an odd final digit
// is taken as followed by 0.
func decodeHex(h []byte) []byte {
	out := make([]byte, 0, len(h)/2)
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
		default:
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
	return out
}
