package redline

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// preambleKey is the key of the text before the first heading.
const preambleKey = "preamble"

// Split cuts plain Markdown into sections at ATX headings ("## 6. Access to
// Student Records"), ignoring lines inside fenced code blocks. Text before
// the first heading, when there is any, is a section with key "preamble".
// Keys are the heading text slugified with leading numbering ("6.", "§ 6",
// "A.", "IV.") stripped; a repeated key gets "-2", "-3", and Slug keeps the
// key before that suffix. Concatenating the sections' Texts gives md exactly.
func Split(md string) Document {
	var doc Document
	used := make(map[string]bool)
	start := 0       // start of the current section's text
	var cur *Section // current heading section; nil while in the preamble
	var fence string // opening fence run ("```", "~~~~") while inside a fenced block

	flush := func(end int) {
		text := md[start:end]
		if cur == nil {
			if text != "" {
				doc.Sections = append(doc.Sections, Section{Key: uniqueKey(used, preambleKey), Text: text})
			}
			return
		}
		cur.Text = text
		doc.Sections = append(doc.Sections, *cur)
	}

	for pos := 0; pos < len(md); {
		end := strings.IndexByte(md[pos:], '\n')
		if end < 0 {
			end = len(md)
		} else {
			end += pos + 1
		}
		line := md[pos:end]
		if fence != "" {
			if closesFence(line, fence) {
				fence = ""
			}
		} else if f := openingFence(line); f != "" {
			fence = f
		} else if level, text := atxHeading(line); level > 0 {
			flush(pos)
			start = pos
			number, heading := splitNumber(text)
			slug := slugify(heading)
			if slug == "" {
				slug = "section"
			}
			cur = &Section{Key: uniqueKey(used, slug), Heading: heading, Number: number, Slug: slug}
		}
		pos = end
	}
	flush(len(md))
	return doc
}

// uniqueKey returns key, or key-2, key-3… whichever is still unused, and
// marks it used.
func uniqueKey(used map[string]bool, key string) string {
	k := key
	for n := 2; used[k]; n++ {
		k = key + "-" + strconv.Itoa(n)
	}
	used[k] = true
	return k
}

// indent strips up to three leading spaces, the most CommonMark allows
// before a heading or fence; ok is false when the line is indented more
// (an indented code block).
func indent(line string) (rest string, ok bool) {
	for i := 0; i < 4 && i < len(line); i++ {
		if line[i] != ' ' {
			return line[i:], true
		}
	}
	if len(line) >= 4 {
		return "", false
	}
	return "", true
}

// atxHeading reports the level (1–6) and text of an ATX heading line, or
// level 0 when line is not one. The text has the optional closing '#' run
// and surrounding spaces removed.
func atxHeading(line string) (level int, text string) {
	s, ok := indent(strings.TrimRight(line, "\r\n"))
	if !ok {
		return 0, ""
	}
	for level < len(s) && s[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, ""
	}
	s = s[level:]
	if s != "" && s[0] != ' ' && s[0] != '\t' {
		return 0, ""
	}
	s = strings.TrimSpace(s)
	// A closing sequence of '#' counts only when preceded by a space.
	if t := strings.TrimRight(s, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
		s = strings.TrimSpace(t)
	}
	return level, s
}

// openingFence returns the fence run ("```", "~~~~") that line opens, or "".
func openingFence(line string) string {
	s, ok := indent(line)
	if !ok || len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	n := 0
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	if s[0] == '`' && strings.IndexByte(s[n:], '`') >= 0 {
		return "" // a backtick fence's info string may not hold backticks
	}
	return s[:n]
}

// closesFence reports whether line closes a block opened by fence: the same
// character, at least as many, and nothing else but spaces.
func closesFence(line, fence string) bool {
	s, ok := indent(line)
	if !ok {
		return false
	}
	n := 0
	for n < len(s) && s[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(s[n:]) == ""
}

// splitNumber separates leading numbering from heading text: "6. Access" →
// ("6", "Access"); "§ 6 Access" → ("6", "Access"); "A. Definitions" → ("A",
// "Definitions"); "IV) Terms" → ("IV", "Terms"). Text without numbering is
// returned whole with an empty number.
func splitNumber(text string) (number, heading string) {
	s := text
	section := false
	if strings.HasPrefix(s, "§") {
		s = strings.TrimLeft(strings.TrimPrefix(s, "§"), "§ \t")
		section = true
	} else {
		for _, word := range []string{"Section ", "Article ", "SECTION ", "ARTICLE "} {
			if strings.HasPrefix(s, word) {
				s = strings.TrimLeft(s[len(word):], " \t")
				section = true
				break
			}
		}
	}
	n := 0
	switch {
	case n < len(s) && isASCIIDigit(s[0]):
		// 6, 6.1, 6.1.2
		for n < len(s) && (isASCIIDigit(s[n]) || (s[n] == '.' && n+1 < len(s) && isASCIIDigit(s[n+1]))) {
			n++
		}
	case isRoman(s) > 0:
		n = isRoman(s)
	case len(s) >= 2 && s[0] >= 'A' && s[0] <= 'Z' && (s[1] == '.' || s[1] == ')'):
		n = 1
	}
	if n == 0 {
		return "", text
	}
	num, rest := s[:n], s[n:]
	if rest != "" && (rest[0] == '.' || rest[0] == ')' || rest[0] == ':') {
		rest = rest[1:]
	} else if !section && !strings.Contains(num, ".") {
		return "", text // "40 Hours", "I Agree": numbering needs '.' or ')'
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", text // "6th Street", "2024-25 Calendar"
	}
	return num, strings.TrimSpace(rest)
}

// isRoman returns the length of an upper-case Roman numeral of two or more
// letters followed by '.' or ')' at the start of s, or 0. Single letters are
// handled as letter numbering ("I." is both).
func isRoman(s string) int {
	n := 0
	for n < len(s) && strings.IndexByte("IVXLC", s[n]) >= 0 {
		n++
	}
	if n < 2 || n >= len(s) || (s[n] != '.' && s[n] != ')') {
		return 0
	}
	return n
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// slugify lowercases text and joins its runs of letters and digits with
// hyphens: "Use of Force" → "use-of-force", "De-escalation" →
// "de-escalation". Apostrophes vanish so "Parent’s Rights" →
// "parents-rights".
func slugify(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	hyphen := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
	}
	return b.String()
}
