package pdfsign

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// errSyntax marks malformed PDF syntax; callers wrap it with where it was.
var errSyntax = errors.New("pdf syntax error")

// parser reads PDF objects from data starting at pos. Every loop advances
// pos or stops, and nesting is bounded by maxDepth, so any input ends.
type parser struct {
	data []byte
	pos  int
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (p *parser) skipWhite() {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case isWhite(c):
			p.pos++
		case c == '%':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// keyword reads a run of regular characters (obj, endobj, R, true, ...).
func (p *parser) keyword() string {
	p.skipWhite()
	start := p.pos
	for p.pos < len(p.data) && !isWhite(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		p.pos++
	}
	return string(p.data[start:p.pos])
}

// integer reads an unsigned or signed integer token, failing without moving
// if the next token is not one.
func (p *parser) integer() (int64, bool) {
	save := p.pos
	p.skipWhite()
	start := p.pos
	if p.pos < len(p.data) && (p.data[p.pos] == '-' || p.data[p.pos] == '+') {
		p.pos++
	}
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	if p.pos < len(p.data) && !isWhite(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		p.pos = save
		return 0, false
	}
	n, err := strconv.ParseInt(string(p.data[start:p.pos]), 10, 64)
	if err != nil {
		p.pos = save
		return 0, false
	}
	return n, true
}

func (p *parser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", errSyntax, maxDepth)
	}
	p.skipWhite()
	if p.pos >= len(p.data) {
		return nil, fmt.Errorf("%w: unexpected end of data", errSyntax)
	}
	switch c := p.data[p.pos]; {
	case c == '/':
		return p.name(), nil
	case c == '(':
		return p.literal()
	case c == '<' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '<':
		return p.dictionary(depth)
	case c == '<':
		return p.hex()
	case c == '[':
		p.pos++
		var a array
		for {
			p.skipWhite()
			if p.pos >= len(p.data) {
				return nil, fmt.Errorf("%w: unterminated array", errSyntax)
			}
			if p.data[p.pos] == ']' {
				p.pos++
				return a, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		switch kw := p.keyword(); kw {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		default:
			if kw == "" {
				p.pos++ // step over a stray delimiter so callers cannot spin
			}
			return nil, fmt.Errorf("%w: unexpected %q at %d", errSyntax, kw, p.pos)
		}
	}
}

// number reads an integer, a real, or an indirect reference "n g R".
func (p *parser) number() (any, error) {
	start := p.pos
	if n, ok := p.integer(); ok {
		save := p.pos
		if g, ok := p.integer(); ok && g >= 0 && n >= 0 {
			if p.keyword() == "R" && n <= 1<<31 && g <= 1<<16 {
				return ref{int(n), int(g)}, nil
			}
		}
		p.pos = save
		return n, nil
	}
	p.pos = start
	for p.pos < len(p.data) && !isWhite(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		p.pos++
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.pos]), 64)
	if err != nil {
		return nil, fmt.Errorf("%w: bad number at %d", errSyntax, start)
	}
	return f, nil
}

func (p *parser) name() name {
	p.pos++ // '/'
	var b []byte
	for p.pos < len(p.data) && !isWhite(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		c := p.data[p.pos]
		if c == '#' && p.pos+2 < len(p.data) {
			if v, err := strconv.ParseUint(string(p.data[p.pos+1:p.pos+3]), 16, 8); err == nil {
				b = append(b, byte(v))
				p.pos += 3
				continue
			}
		}
		b = append(b, c)
		p.pos++
	}
	return name(b)
}

func (p *parser) literal() (pdfString, error) {
	p.pos++ // '('
	var b []byte
	level := 1
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		p.pos++
		switch c {
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				return b, nil
			}
		case '\\':
			if p.pos >= len(p.data) {
				break
			}
			e := p.data[p.pos]
			p.pos++
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
				if p.pos < len(p.data) && p.data[p.pos] == '\n' {
					p.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '7'; i++ {
						v = v*8 + int(p.data[p.pos]-'0')
						p.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		b = append(b, c)
	}
	return nil, fmt.Errorf("%w: unterminated string", errSyntax)
}

func (p *parser) hex() (pdfString, error) {
	p.pos++ // '<'
	end := bytes.IndexByte(p.data[p.pos:], '>')
	if end < 0 {
		return nil, fmt.Errorf("%w: unterminated hex string", errSyntax)
	}
	s, ok := decodeHex(p.data[p.pos : p.pos+end])
	p.pos += end + 1
	if !ok {
		return nil, fmt.Errorf("%w: bad hex string", errSyntax)
	}
	return s, nil
}

// decodeHex decodes PDF hex string content: whitespace is ignored and an odd
// final digit is taken as followed by 0.
func decodeHex(h []byte) ([]byte, bool) {
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
		case isWhite(c):
			continue
		default:
			return nil, false
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
	return out, true
}

func (p *parser) dictionary(depth int) (dict, error) {
	p.pos += 2
	d := dict{}
	for {
		p.skipWhite()
		if p.pos+1 < len(p.data) && p.data[p.pos] == '>' && p.data[p.pos+1] == '>' {
			p.pos += 2
			return d, nil
		}
		if p.pos >= len(p.data) || p.data[p.pos] != '/' {
			return nil, fmt.Errorf("%w: dictionary key expected at %d", errSyntax, p.pos)
		}
		k := p.name()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d[string(k)] = v
	}
}
