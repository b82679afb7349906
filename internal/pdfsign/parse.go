package pdfsign

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/moudesk/moudesk/internal/pdfsyntax"
)

// errSyntax marks malformed PDF syntax; callers wrap it with where it was.
var errSyntax = errors.New("pdf syntax error")

// parser reads PDF objects from data starting at pos. Every loop advances
// pos or stops, and nesting is bounded by maxDepth, so any input ends.
type parser struct {
	data []byte
	pos  int
}

func (p *parser) skipWhite() { p.pos = pdfsyntax.SkipWhite(p.data, p.pos) }

// keyword reads a run of regular characters (obj, endobj, R, true, ...).
func (p *parser) keyword() string {
	p.skipWhite()
	start := p.pos
	for p.pos < len(p.data) && !pdfsyntax.IsWhite(p.data[p.pos]) && !pdfsyntax.IsDelim(p.data[p.pos]) {
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
	if p.pos < len(p.data) && !pdfsyntax.IsWhite(p.data[p.pos]) && !pdfsyntax.IsDelim(p.data[p.pos]) {
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
	for p.pos < len(p.data) && !pdfsyntax.IsWhite(p.data[p.pos]) && !pdfsyntax.IsDelim(p.data[p.pos]) {
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
	for p.pos < len(p.data) && !pdfsyntax.IsWhite(p.data[p.pos]) && !pdfsyntax.IsDelim(p.data[p.pos]) {
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
	b, next, ok := pdfsyntax.Literal(p.data, p.pos)
	p.pos = next
	if !ok {
		return nil, fmt.Errorf("%w: unterminated string", errSyntax)
	}
	return b, nil
}

func (p *parser) hex() (pdfString, error) {
	p.pos++ // '<'
	end := bytes.IndexByte(p.data[p.pos:], '>')
	if end < 0 {
		return nil, fmt.Errorf("%w: unterminated hex string", errSyntax)
	}
	s, ok := pdfsyntax.DecodeHex(p.data[p.pos : p.pos+end])
	p.pos += end + 1
	if !ok {
		return nil, fmt.Errorf("%w: bad hex string", errSyntax)
	}
	return s, nil
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
