package pdftext

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The normalisation, defined once here, that two PDFs' texts go through
// before they are compared:
//
//  1. Unicode NFC, so "é" composed and decomposed are one, and the Latin
//     typographic ligatures (U+FB00–FB06: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) spelled out as
//     their letters: a renderer may draw "fi" with one glyph (Chromium
//     does), and pdftotext and readers' search spell it out again.
//  2. Page furniture is dropped, because it legitimately differs between
//     copies of the same text or is not the text at all: a line that is
//     only "Page X of Y", a line that is only "DRAFT" (the watermark), and
//     the moudesk footer "moudesk · <MOU id> rev <N> · <hash prefix> ·
//     verify at <URL>" (possibly cut short with "…"), whose claim is kept
//     apart (see Claim).
//  3. White space of any kind and amount separates words; nothing else
//     does. The result is the sequence of words.
//
// Compare then compares the characters of the words, not where the spaces
// fall. Layout (line breaks, spacing, fonts, page breaks) is therefore
// ignored, while any change of a letter, a digit or punctuation is not.

// The patterns compile on first use: every moudesk command runs this
// package's init, and the footer's counted repetitions make a large
// program that only verifying a PDF's text needs.
var (
	ligatures  = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")
	pageLine   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^Page \d+ of \d+$`) })
	footerLine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`moudesk · (\d{1,18}) rev (\d{1,9}) · ([0-9a-f]{6,64})(?: · verify at \S*)?…?`)
	})
)

// Words returns the normalised words of pages' text.
func Words(pages []string) []string {
	var words []string
	for _, p := range pages {
		for _, line := range strings.Split(ligatures.Replace(norm.NFC.String(p)), "\n") {
			line = strings.TrimSpace(footerLine().ReplaceAllString(line, " "))
			if line == "DRAFT" || pageLine().MatchString(line) {
				continue
			}
			words = append(words, strings.Fields(line)...)
		}
	}
	return words
}

// Claim is the MOU revision a moudesk footer names.
type Claim struct {
	MOUID      int64
	Revision   int
	HashPrefix string // the first characters of the revision's content_hash
}

// Claims returns the distinct footers in pages' text, in order of first
// appearance (a genuine moudesk PDF names one revision on every page).
func Claims(pages []string) []Claim {
	var out []Claim
	seen := map[Claim]bool{}
	for _, p := range pages {
		for _, m := range footerLine().FindAllStringSubmatch(norm.NFC.String(p), 16) {
			id, err1 := strconv.ParseInt(m[1], 10, 64)
			rev, err2 := strconv.Atoi(m[2])
			if err1 != nil || err2 != nil {
				continue
			}
			c := Claim{MOUID: id, Revision: rev, HashPrefix: m[3]}
			if !seen[c] && len(out) < 16 {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// Difference is where two word sequences first part.
type Difference struct {
	At       int      // index in the reference of the word holding the first differing character
	FoundAt  int      // index of the corresponding word in the other text
	Expected []string // the reference's words from a little before At
	Found    []string // the other text's words from a little before FoundAt
}

// Compare returns nil when want and got have the same characters once the
// spaces between words are dropped, else where they first differ, with a
// few words of context either side. Spaces do not count because writers
// differ in how they break a line into shown strings: one may place
// "35ca7009" and the next word apart without a space glyph, another may
// split a kerned word in two; every other character counts.
func Compare(want, got []string) *Difference {
	wi, wo, gi, goff := 0, 0, 0, 0
	for {
		for wi < len(want) && wo >= len(want[wi]) {
			wi, wo = wi+1, 0
		}
		for gi < len(got) && goff >= len(got[gi]) {
			gi, goff = gi+1, 0
		}
		if wi == len(want) || gi == len(got) {
			break
		}
		rw, nw := utf8.DecodeRuneInString(want[wi][wo:])
		rg, ng := utf8.DecodeRuneInString(got[gi][goff:])
		if rw != rg {
			break
		}
		wo, goff = wo+nw, goff+ng
	}
	if wi == len(want) && gi == len(got) {
		return nil
	}
	const before, after = 4, 8
	return &Difference{
		At: wi, FoundAt: gi,
		Expected: append([]string{}, want[max(0, wi-before):min(len(want), wi+after)]...),
		Found:    append([]string{}, got[max(0, gi-before):min(len(got), gi+after)]...),
	}
}
