package pdfsign

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// The PDF object model used while reading and rewriting. It is deliberately
// small: a signature update only needs to read a few dictionaries (trailer,
// catalog, AcroForm, fields, pages) and write them back with one entry added.
//
//	null → nil, true/false → bool, integers → int64, reals → float64,
//	/Name → name, (string) and <hex> → pdfString, [..] → array,
//	<<..>> → dict, "n g R" → ref, stream → *stream.
type (
	name      string
	pdfString []byte
	array     []any
	dict      map[string]any
	ref       struct{ Num, Gen int }
)

// stream is a stream object as stored in the file: Raw is the still-encoded
// data, never written back by this package (streams we write are new).
type stream struct {
	Dict dict
	Raw  []byte
}

// maxDepth bounds nesting of arrays and dictionaries, and chains of indirect
// references, so hostile files cannot exhaust the stack.
const maxDepth = 64

// writeObject serialises v in PDF syntax. Dictionary keys are sorted so the
// output is deterministic.
func writeObject(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(formatReal(x))
	case name:
		writeName(b, string(x))
	case pdfString:
		writeLiteral(b, x)
	case ref:
		fmt.Fprintf(b, "%d %d R", x.Num, x.Gen)
	case array:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeObject(b, e)
		}
		b.WriteByte(']')
	case dict:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("<<")
		for _, k := range keys {
			writeName(b, k)
			b.WriteByte(' ')
			writeObject(b, x[k])
		}
		b.WriteString(">>")
	case rawPDF:
		b.WriteString(string(x))
	default:
		// Streams are never nested inside other objects; anything else is a
		// programming error, written as null so the file stays parseable.
		b.WriteString("null")
	}
}

// rawPDF is already-serialised PDF syntax (used for placeholders).
type rawPDF string

func formatReal(f float64) string {
	s := strconv.FormatFloat(f, 'f', 4, 64)
	s = trimZeros(s)
	if s == "-0" {
		return "0"
	}
	return s
}

func trimZeros(s string) string {
	if !bytes.ContainsRune([]byte(s), '.') {
		return s
	}
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func writeName(b *bytes.Buffer, n string) {
	b.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte("()<>[]{}/%#"), c) >= 0 {
			fmt.Fprintf(b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
}

// writeLiteral writes s as a literal string, escaping what PDF requires. A
// literal (not hex) string is used because some validators show hex /Name
// and /Reason values as blank.
func writeLiteral(b *bytes.Buffer, s []byte) {
	b.WriteByte('(')
	for _, c := range s {
		switch c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
}

// dict accessors: they return the zero value when the key is missing or has
// another type, so callers check presence with ok where it matters.

func (d dict) name(k string) string {
	n, _ := d[k].(name)
	return string(n)
}

func (d dict) clone() dict {
	c := make(dict, len(d)+2)
	for k, v := range d {
		c[k] = v
	}
	return c
}
