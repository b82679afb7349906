package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting in details. Audit details are flat records; a
// deeply nested value is hostile, not data.
const maxDepth = 32

// canonicalDetails re-encodes a details value as canonical JSON:
//
//   - it must be a JSON object; empty input or `null` stands for {};
//   - object keys are sorted by their UTF-8 bytes and must be unique;
//   - no whitespace between tokens;
//   - numbers are written exactly as their source text (1.0 stays 1.0,
//     1e3 stays 1e3), so no float conversion can change them;
//   - strings are written by writeString: only `"`, `\` and control
//     characters are escaped, everything else is literal UTF-8, so "\u00e9"
//     and "é" in the input give the same bytes;
//   - the input must be valid UTF-8 with nothing after the value.
func canonicalDetails(raw []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return []byte("{}"), nil
	}
	if !utf8.Valid(raw) {
		return nil, errors.New("details are not valid UTF-8")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("details are not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var buf bytes.Buffer
	if err := writeValue(&buf, dec, 0); err != nil {
		return nil, fmt.Errorf("details: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("details: data after the JSON object")
	}
	return buf.Bytes(), nil
}

// writeValue reads one JSON value from dec and writes its canonical form.
func writeValue(buf *bytes.Buffer, dec *json.Decoder, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("nested deeper than %d", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return writeObject(buf, dec, depth)
		case '[':
			return writeArray(buf, dec, depth)
		}
		return fmt.Errorf("unexpected %q", rune(v))
	case string:
		writeString(buf, v)
	case json.Number:
		buf.WriteString(string(v))
	case bool:
		if v {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case nil:
		buf.WriteString("null")
	default:
		return fmt.Errorf("unexpected token %T", tok)
	}
	return nil
}

type member struct {
	key   string
	value []byte
}

func writeObject(buf *bytes.Buffer, dec *json.Decoder, depth int) error {
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key is %T, not a string", tok)
		}
		var v bytes.Buffer
		if err := writeValue(&v, dec, depth+1); err != nil {
			return err
		}
		members = append(members, member{key: key, value: v.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return err
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			if members[i-1].key == m.key {
				return fmt.Errorf("duplicate key %q", m.key)
			}
			buf.WriteByte(',')
		}
		writeString(buf, m.key)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return nil
}

func writeArray(buf *bytes.Buffer, dec *json.Decoder, depth int) error {
	buf.WriteByte('[')
	for i := 0; dec.More(); i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeValue(buf, dec, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return err
	}
	buf.WriteByte(']')
	return nil
}

// writeString writes s as a JSON string, escaping only what JSON requires:
// `"` and `\` as \" and \\, and bytes below 0x20 as \u00XX (lowercase hex).
// s must be valid UTF-8; callers check.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case c < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[c>>4])
			buf.WriteByte(hex[c&0xf])
		default:
			buf.WriteByte(c)
		}
	}
	buf.WriteByte('"')
}
