package redline

import (
	"bufio"
	"io"
	"strconv"
	"unicode/utf8"
)

// WriteJSON writes r as JSON and a newline, byte for byte what
// json.NewEncoder(w).Encode(r) writes (TestWriteJSONMatchesEncodingJSON
// holds it to that), but streamed through a small buffer: encoding/json
// builds the whole document in memory first, by reflection, which for the
// bench pair meant 217 KB grown in steps and about a third of a
// `moudesk redline --format json` run after start-up.
func (r *Result) WriteJSON(w io.Writer) error {
	e := jsonWriter{bufio.NewWriterSize(w, 32<<10)}
	e.raw(`{"ops":`)
	e.ops(r.Ops)
	e.raw(`,"sections":`)
	if r.Sections == nil {
		e.raw("null")
	} else {
		e.raw("[")
		for i := range r.Sections {
			if i > 0 {
				e.raw(",")
			}
			e.section(&r.Sections[i])
		}
		e.raw("]")
	}
	e.summary(&r.Summary)
	if len(r.Moves) > 0 {
		e.raw(`,"moves":[`)
		for i := range r.Moves {
			if i > 0 {
				e.raw(",")
			}
			e.move(&r.Moves[i])
		}
		e.raw("]")
	}
	e.raw("}\n")
	return e.Flush()
}

// jsonWriter writes the fields of Result, SectionChange and Summary in
// their declaration order, with their JSON names and omitempty rules.
// bufio.Writer keeps the first write error and returns it from Flush.
type jsonWriter struct{ *bufio.Writer }

func (e jsonWriter) raw(s string) { e.WriteString(s) }

func (e jsonWriter) int(n int) {
	e.Write(strconv.AppendInt(e.AvailableBuffer(), int64(n), 10))
}

func (e jsonWriter) ops(ops []Op) {
	if ops == nil {
		e.raw("null")
		return
	}
	e.raw("[")
	for i, op := range ops {
		if i > 0 {
			e.raw(",")
		}
		e.raw(`{"op":`)
		e.string(op.Op)
		e.raw(`,"text":`)
		e.string(op.Text)
		if op.Move != 0 {
			e.raw(`,"move":`)
			e.int(op.Move)
		}
		e.optional(`,"label":`, op.Label)
		e.raw("}")
	}
	e.raw("]")
}

func (e jsonWriter) section(c *SectionChange) {
	e.raw(`{"key":`)
	e.string(c.Key)
	e.raw(`,"heading":`)
	e.string(c.Heading)
	e.optional(`,"number":`, c.Number)
	e.optional(`,"old_heading":`, c.OldHeading)
	e.optional(`,"old_number":`, c.OldNumber)
	e.raw(`,"status":`)
	e.string(c.Status)
	e.raw(`,"modified":`)
	e.raw(strconv.FormatBool(c.Modified))
	e.optional(`,"moved_from":`, c.MovedFrom)
	e.optional(`,"moved_after":`, c.MovedAfter)
	if c.Move != 0 {
		e.raw(`,"move":`)
		e.int(c.Move)
	}
	e.raw(`,"words_inserted":`)
	e.int(c.WordsInserted)
	e.raw(`,"words_deleted":`)
	e.int(c.WordsDeleted)
	e.raw(`,"ops":`)
	e.ops(c.Ops)
	e.raw("}")
}

func (e jsonWriter) move(m *Move) {
	e.raw(`{"id":`)
	e.int(m.ID)
	e.raw(`,"kind":`)
	e.string(m.Kind)
	e.raw(`,"from":`)
	e.string(m.From)
	e.raw(`,"to":`)
	e.string(m.To)
	e.raw(`,"from_key":`)
	e.string(m.FromKey)
	e.raw(`,"to_key":`)
	e.string(m.ToKey)
	e.raw(`,"words":`)
	e.int(m.Words)
	e.raw("}")
}

// optional writes an omitempty string field.
func (e jsonWriter) optional(name, s string) {
	if s != "" {
		e.raw(name)
		e.string(s)
	}
}

func (e jsonWriter) summary(s *Summary) {
	e.raw(`,"summary":{"added":`)
	e.int(s.Added)
	e.raw(`,"removed":`)
	e.int(s.Removed)
	e.raw(`,"moved":`)
	e.int(s.Moved)
	e.raw(`,"renamed":`)
	e.int(s.Renamed)
	e.raw(`,"modified":`)
	e.int(s.Modified)
	e.raw(`,"unchanged":`)
	e.int(s.Unchanged)
	if s.MovedParagraphs != 0 {
		e.raw(`,"moved_paragraphs":`)
		e.int(s.MovedParagraphs)
	}
	e.raw(`,"words_inserted":`)
	e.int(s.WordsInserted)
	e.raw(`,"words_deleted":`)
	e.int(s.WordsDeleted)
	e.raw(`,"changed":`)
	if s.Changed == nil {
		e.raw("null")
	} else {
		e.raw("[")
		for i, k := range s.Changed {
			if i > 0 {
				e.raw(",")
			}
			e.string(k)
		}
		e.raw("]")
	}
	e.raw("}")
}

// string writes s quoted as encoding/json does by default: HTML-safe (<, >
// and & escaped), invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func (e jsonWriter) string(s string) {
	const hex = "0123456789abcdef"
	e.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight safe bytes at a time: nearly all of a redline's text
		// is plain ASCII.
		i += safeWords(s[i:])
		if i == len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe(b) {
				i++
				continue
			}
			e.WriteString(s[start:i])
			switch b {
			case '\\', '"':
				e.WriteByte('\\')
				e.WriteByte(b)
			case '\b':
				e.raw(`\b`)
			case '\f':
				e.raw(`\f`)
			case '\n':
				e.raw(`\n`)
			case '\r':
				e.raw(`\r`)
			case '\t':
				e.raw(`\t`)
			default:
				e.raw(`\u00`)
				e.WriteByte(hex[b>>4])
				e.WriteByte(hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			e.WriteString(s[start:i])
			e.raw(`\ufffd`)
		case c == '\u2028' || c == '\u2029':
			e.WriteString(s[start:i])
			e.raw(`\u202`)
			e.WriteByte(hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	e.WriteString(s[start:])
	e.WriteByte('"')
}

// jsonSafeLo and jsonSafeHi hold a bit for each ASCII byte encoding/json
// writes as it is: printable, and neither a quote, a backslash nor one of
// the HTML-special <, > and &. Constants, so no table is built at start-up.
const (
	jsonSafeLo uint64 = (1<<64 - 1<<0x20) &^ (1<<'"' | 1<<'&' | 1<<'<' | 1<<'>')
	jsonSafeHi uint64 = (1<<64 - 1) &^ (1 << ('\\' - 64))
)

// jsonSafe reports whether the ASCII byte b needs no escape.
func jsonSafe(b byte) bool {
	if b < 64 {
		return jsonSafeLo>>b&1 != 0
	}
	return jsonSafeHi>>(b-64)&1 != 0
}

// safeWords returns the length of the longest prefix of s made of whole
// eight-byte words of ASCII that needs no escape, testing each word at
// once: no byte has its high bit set, is below 0x20, or is one of " \\ < > &.
func safeWords(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 0
	for ; n+8 <= len(s); n += 8 {
		w := uint64(s[n]) | uint64(s[n+1])<<8 | uint64(s[n+2])<<16 | uint64(s[n+3])<<24 |
			uint64(s[n+4])<<32 | uint64(s[n+5])<<40 | uint64(s[n+6])<<48 | uint64(s[n+7])<<56
		if w&highs != 0 || (w-0x20*ones)&highs != 0 { // a byte ≥ 0x80 or < 0x20
			break
		}
		// x has a zero byte exactly when (x-ones)&^x&highs != 0.
		q, b, lt, gt, amp := w^('"'*ones), w^('\\'*ones), w^('<'*ones), w^('>'*ones), w^('&'*ones)
		if ((q-ones)&^q|(b-ones)&^b|(lt-ones)&^lt|(gt-ones)&^gt|(amp-ones)&^amp)&highs != 0 {
			break
		}
	}
	return n
}
