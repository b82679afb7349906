package redline

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// tokenKind classes a token. Only words matter to callers: two word tokens
// are never adjacent, so an edit that starts or ends at a token boundary
// never falls inside a word.
type tokenKind uint8

const (
	tokWord  tokenKind = iota // a maximal run of letters, digits and marks
	tokSpace                  // a newline, or a maximal run of other white space
	tokPunct                  // one other character
)

// scanToken returns the kind and byte length of the token at the start of
// the non-empty string s. Tokens are words, white-space runs and single
// punctuation characters; each newline is a token of its own so that
// "end.\n\n" and "end.\n" share "end.\n" instead of differing in one
// blank-run token. It is hand-written because a regular expression was
// measured 2.5× slower on the bench pair.
func scanToken(s string) (tokenKind, int) {
	kind, n := kindAt(s)
	if kind == tokPunct || s[0] == '\n' {
		return kind, n
	}
	for n < len(s) && s[n] != '\n' {
		if kind == tokWord && asciiWord(s[n]) {
			n++ // the common case, without decoding or classifying a rune
			continue
		}
		k, size := kindAt(s[n:])
		if k != kind {
			break
		}
		n += size
	}
	return kind, n
}

// asciiWord reports whether the byte c is an ASCII letter or digit, from
// two constant bit sets.
func asciiWord(c byte) bool {
	const (
		lo = (1<<10 - 1) << '0'                        // 0-9
		hi = (1<<26-1)<<('A'-64) | (1<<26-1)<<('a'-64) // A-Z, a-z
	)
	switch {
	case c < 64:
		return lo>>c&1 != 0
	case c < 128:
		return hi>>(c-64)&1 != 0
	}
	return false
}

// kindAt returns the kind and byte length of the rune at the start of s,
// with an ASCII fast path: decoding dominated the profile.
func kindAt(s string) (tokenKind, int) {
	if c := s[0]; c < utf8.RuneSelf {
		return runeKind(rune(c)), 1
	}
	r, size := utf8.DecodeRuneInString(s)
	return runeKind(r), size
}

func runeKind(r rune) tokenKind {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return tokWord
		case r == ' ', r == '\n', r == '\t', r == '\r', r == '\f', r == '\v':
			return tokSpace
		}
		return tokPunct
	}
	switch {
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		return tokWord
	case unicode.IsSpace(r):
		return tokSpace
	}
	return tokPunct
}

// countWords returns how many word tokens s holds.
func countWords(s string) int {
	n := 0
	for i := 0; i < len(s); {
		kind, size := scanToken(s[i:])
		if kind == tokWord {
			n++
		}
		i += size
	}
	return n
}

// wordHashes returns the FNV-1a hashes of the word tokens of s, sorted: a
// multiset cheap to build and to intersect, for measuring how alike two
// section bodies are. A hash collision can only nudge a similarity.
func wordHashes(s string) []uint64 {
	out := make([]uint64, 0, len(s)/6)
	for i := 0; i < len(s); {
		kind, size := scanToken(s[i:])
		if kind == tokWord {
			out = append(out, fnv(s[i:i+size]))
		}
		i += size
	}
	slices.Sort(out)
	return out
}

// runeTable maps distinct strings (tokens or lines) to distinct runes so
// go-diff can diff sequences of them as if they were characters.
type runeTable struct {
	ids   map[string]rune
	items []string
}

func newRuneTable() *runeTable { return &runeTable{ids: make(map[string]rune)} }

// runeFor returns the rune standing for item, allocating one on first use.
// Runes skip the surrogate range: go-diff turns rune slices into Go strings,
// where a surrogate would become U+FFFD and two items would collide.
func (t *runeTable) runeFor(item string) rune {
	if r, ok := t.ids[item]; ok {
		return r
	}
	r := rune(len(t.items)) + 0x100
	if r >= 0xD800 {
		r += 0x800
	}
	t.ids[item] = r
	t.items = append(t.items, item)
	return r
}

// length returns the total byte length of the items the runes of s stand
// for.
func (t *runeTable) length(s string) int {
	n := 0
	for _, r := range s {
		n += len(t.item(r))
	}
	return n
}

// item returns the string rune r stands for.
func (t *runeTable) item(r rune) string {
	i := r - 0x100
	if r >= 0xE000 {
		i -= 0x800
	}
	return t.items[i]
}

// fnv is the 64-bit FNV-1a hash of s: fixed, so results never depend on a
// per-process seed.
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
