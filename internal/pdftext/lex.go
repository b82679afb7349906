package pdftext

import (
	"bytes"
	"strconv"

	"github.com/moudesk/moudesk/internal/pdfsyntax"
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

func (l *lexer) skipWhite() { l.pos = pdfsyntax.SkipWhite(l.data, l.pos) }

func (l *lexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.data) && !pdfsyntax.IsWhite(l.data[l.pos]) && !pdfsyntax.IsDelim(l.data[l.pos]) {
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
	case pdfsyntax.IsDelim(c):
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
		if at > 0 && pdfsyntax.IsWhite(l.data[at-1]) && (l.pos >= len(l.data) || pdfsyntax.IsWhite(l.data[l.pos])) {
			return
		}
	}
}

// literal reads a literal string; an unclosed one yields what it holds.
func (l *lexer) literal() []byte {
	b, next, _ := pdfsyntax.Literal(l.data, l.pos)
	l.pos = next
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
	out, _ := pdfsyntax.DecodeHex(h) // content streams are read leniently
	return out
}
