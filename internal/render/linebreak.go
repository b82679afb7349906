package render

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// seg is a piece of one laid-out line drawn in one style; x is its offset
// from the start of the line and w its width, both in points.
type seg struct {
	text  string
	style Style
	x, w  float64
}

// line is one laid-out line of a paragraph.
type line struct {
	segs  []seg
	width float64
}

// breaker lays styled runs out into lines of at most a given width. Lines
// break only at spaces and hard breaks (never between two style runs that
// touch, such as a bold word and the full stop after it); a word wider than a
// whole line is split between characters so that layout always progresses.
type breaker struct {
	r     *renderer
	size  float64 // font size in points; mono runs are drawn slightly smaller
	width float64

	lines   []line
	cur     line
	word    []seg // the word being collected, not yet placed
	wordW   float64
	space   bool  // a space is pending before the next word
	spaceSt Style // style of that space (so an underlined space stays underlined)
}

func (r *renderer) breakRuns(runs []Run, size, width float64) []line {
	b := breaker{r: r, size: size, width: width}
	for _, run := range runs {
		b.add(run)
	}
	b.flushWord()
	if len(b.cur.segs) > 0 || len(b.lines) == 0 {
		b.lines = append(b.lines, b.cur)
	}
	return b.lines
}

func (b *breaker) fontSize(st Style) float64 {
	if st.Mono {
		return b.size * 0.9
	}
	return b.size
}

func (b *breaker) measure(st Style, s string) float64 {
	return b.r.faces[st.face()].width(s) * b.fontSize(st) / 1000
}

func (b *breaker) add(run Run) {
	text := b.r.clean(run.Text, run.Style.face())
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != ' ' && c != '\n' {
			continue
		}
		if i > start {
			b.addPiece(run.Style, text[start:i])
		}
		start = i + 1
		b.flushWord()
		if c == '\n' {
			b.lines = append(b.lines, b.cur)
			b.cur = line{}
			b.space = false
		} else if len(b.cur.segs) > 0 {
			b.space, b.spaceSt = true, run.Style
		}
	}
	if start < len(text) {
		b.addPiece(run.Style, text[start:])
	}
}

func (b *breaker) addPiece(st Style, s string) {
	// Pieces are not merged here: a word of a million pieces (a long run
	// without spaces) would be copied quadratically. Lines merge them, and a
	// line is short.
	w := b.measure(st, s)
	b.word = append(b.word, seg{text: s, style: st, w: w})
	b.wordW += w
}

// flushWord places the collected word on the current line or the next one.
func (b *breaker) flushWord() {
	if len(b.word) == 0 {
		return
	}
	word, ww := b.word, b.wordW
	b.word, b.wordW = nil, 0
	if len(b.cur.segs) > 0 {
		sw := 0.0
		if b.space {
			sw = b.measure(b.spaceSt, " ")
		}
		if b.cur.width+sw+ww <= b.width {
			if b.space {
				b.appendSeg(seg{text: " ", style: b.spaceSt, w: sw})
			}
			b.space = false
			for _, s := range word {
				b.appendSeg(s)
			}
			return
		}
		b.lines = append(b.lines, b.cur)
		b.cur = line{}
	}
	b.space = false
	if ww <= b.width {
		for _, s := range word {
			b.appendSeg(s)
		}
		return
	}
	b.splitLong(word)
}

// contMark ends a line that a word or a code line continues past: the
// break is the renderer's, not the author's, and a reader must see that a
// word was cut there. Every embedded face has the glyph (a test checks).
const contMark = "»"

// splitLong places a word wider than the line, character by character,
// ending each line it cuts the word at with contMark.
func (b *breaker) splitLong(word []seg) {
	for i, s := range word {
		rest := s.text
		markW := b.measure(s.style, contMark)
		for rest != "" {
			_, size := utf8.DecodeRuneInString(rest)
			ch := rest[:size]
			rest = rest[size:]
			w := b.measure(s.style, ch)
			// Leave room for the mark unless this is the word's last
			// character, which ends the line anyway.
			need := w
			if rest != "" || i < len(word)-1 {
				need += markW
			}
			if len(b.cur.segs) > 0 && b.cur.width+need > b.width {
				b.appendSeg(seg{text: contMark, style: s.style, w: markW})
				b.lines = append(b.lines, b.cur)
				b.cur = line{}
			}
			b.appendSeg(seg{text: ch, style: s.style, w: w})
		}
	}
}

// wrapLiteral lays one source line of a code block or raw HTML out as lines
// no wider than width, in the monospace face at size. It breaks after a
// space where one fits, so words stay whole, and ends such a line with " »";
// only a run without spaces wider than the line is cut between characters,
// with "»" against the cut. Continuation lines keep the source line's
// indent (up to half the width): text pasted with eight-space sub-items
// (statutes from the web) becomes a code block, and should still read as
// indented items.
func (r *renderer) wrapLiteral(s string, size, width float64) []string {
	fc := r.faces[faceMono]
	fs := size * 0.9
	measure := func(t string) float64 { return fc.width(t) * fs / 1000 }
	if measure(s) <= width {
		return []string{s}
	}
	indent := s[:len(s)-len(strings.TrimLeft(s, " "))]
	if most := int(width / 2 / measure(" ")); len(indent) > most {
		indent = indent[:max(most, 0)]
	}
	// fits is how many bytes of t fit in avail, at least one character so
	// that layout always progresses.
	fits := func(t string, avail float64) int {
		n, w := 0, 0.0
		for i, c := range t {
			w += measure(string(c))
			if w > avail && i > 0 {
				break
			}
			n = i + utf8.RuneLen(c)
		}
		return n
	}
	var out []string
	prefix, rest := "", s
	for {
		// fits stops at the first character past the room, so a long
		// line costs time in proportion to its length, not its square.
		room := width - measure(prefix)
		if fits(rest, room) == len(rest) {
			return append(out, prefix+rest)
		}
		n := fits(rest, room-measure(" "+contMark))
		window := rest[:min(n+1, len(rest))]
		lead := len(window) - len(strings.TrimLeft(window, " "))
		// Break at the last space that fits (one just past the limit
		// counts: it is not drawn), after the line's own indent.
		if k := strings.LastIndexByte(window, ' '); k > lead {
			out = append(out, prefix+strings.TrimRight(rest[:k], " ")+" "+contMark)
			rest = strings.TrimLeft(rest[k:], " ")
		} else {
			n = fits(rest, room-measure(contMark))
			out = append(out, prefix+rest[:n]+contMark)
			rest = rest[n:]
		}
		prefix = indent
	}
}

func (b *breaker) appendSeg(s seg) {
	if n := len(b.cur.segs); n > 0 && b.cur.segs[n-1].style == s.style {
		last := &b.cur.segs[n-1]
		last.text += s.text
		last.w += s.w
	} else {
		s.x = b.cur.width
		b.cur.segs = append(b.cur.segs, s)
	}
	b.cur.width += s.w
}

// clean replaces characters that face f cannot draw with a visible
// replacement and records a warning for each distinct one. Tabs and other
// control characters other than "\n" become spaces.
func (r *renderer) clean(s string, f faceID) string {
	fc := r.faces[f]
	ok := true
	for _, c := range s {
		if c < 0x20 && c != '\n' || !(c < 0x20 || fc.has(c)) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for _, c := range s {
		switch {
		case c == '\n':
			sb.WriteByte('\n')
		case c < 0x20 || c == 0x7f:
			sb.WriteByte(' ')
		case fc.has(c):
			sb.WriteRune(c)
		default:
			rep := '\uFFFD'
			if !fc.has(rep) {
				rep = '?'
			}
			sb.WriteRune(rep)
			r.warnMissing(c, f)
		}
	}
	return sb.String()
}

// warnMissing notes a character no glyph of face f draws, once per
// character and face; missingWarnings reports them.
func (r *renderer) warnMissing(c rune, f faceID) {
	key := missingKey{c, f}
	if r.missing[key] {
		return
	}
	r.missing[key] = true
	r.missingOrder = append(r.missingOrder, key)
}

// missingWarnings summarises the missing characters: one line per kind
// (Unicode script) with how many distinct characters, the fonts and the
// first few, so that a file of random text gives a few lines, not one for
// each of its thousands of characters.
func (r *renderer) missingWarnings() []string {
	type group struct {
		kind  string
		chars []rune
		seen  map[rune]bool
		fonts []string
	}
	var groups []*group
	byKind := map[string]*group{}
	for _, k := range r.missingOrder {
		kind := scriptOf(k.c)
		g := byKind[kind]
		if g == nil {
			g = &group{kind: kind, seen: map[rune]bool{}}
			byKind[kind] = g
			groups = append(groups, g)
		}
		if !g.seen[k.c] {
			g.seen[k.c] = true
			g.chars = append(g.chars, k.c)
		}
		if file := r.faces[k.f].file; !slices.Contains(g.fonts, file) {
			g.fonts = append(g.fonts, file)
		}
	}
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		const shown = 3
		var ex []string
		for _, c := range g.chars[:min(len(g.chars), shown)] {
			ex = append(ex, fmt.Sprintf("U+%04X (%q)", c, c))
		}
		if len(g.chars) > shown {
			ex = append(ex, "…")
		}
		noun := "character is"
		if len(g.chars) != 1 {
			noun = "distinct characters are"
		}
		out = append(out, fmt.Sprintf("%d %s %s not in font %s: %s; drawn as replacement characters",
			len(g.chars), g.kind, noun, strings.Join(g.fonts, ", "), strings.Join(ex, ", ")))
	}
	return out
}

// scriptOf names the Unicode script of c ("Han", "Arabic"), "combining
// mark" for marks any script uses, or "symbol" for the characters scripts
// share (emoji, punctuation).
func scriptOf(c rune) string {
	if unicode.Is(unicode.Inherited, c) {
		return "combining mark"
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && unicode.Is(table, c) {
			return name
		}
	}
	return "symbol"
}

type missingKey struct {
	c rune
	f faceID
}
