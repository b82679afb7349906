package pdftext

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// The normalisation, defined once here, that two PDFs' texts go through
// before they are compared:
//
//  1. Unicode NFC, so "é" composed and decomposed are one.
//  2. Page furniture is dropped, because it legitimately differs between
//     copies of the same text or is not the text at all: a line that is
//     only "Page X of Y", a line that is only "DRAFT" (the watermark), and
//     the moudesk footer "moudesk · <MOU id> rev <N> · <hash prefix> ·
//     verify at <URL>" (possibly cut short with "…"), whose claim is kept
//     apart (see Claim).
//  3. White space of any kind and amount separates words; nothing else
//     does. The result is the sequence of words.
//
// Layout (line breaks, spacing, fonts, page breaks) is therefore ignored,
// while any change of a word, a digit or punctuation is not.

var (
	pageLine   = regexp.MustCompile(`^Page \d+ of \d+$`)
	footerLine = regexp.MustCompile(`moudesk · (\d{1,18}) rev (\d{1,9}) · ([0-9a-f]{6,64})(?: · verify at \S*)?…?`)
)

// Words returns the normalised words of pages' text.
func Words(pages []string) []string {
	var words []string
	for _, p := range pages {
		for _, line := range strings.Split(norm.NFC.String(p), "\n") {
			line = strings.TrimSpace(footerLine.ReplaceAllString(line, " "))
			if line == "DRAFT" || pageLine.MatchString(line) {
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
		for _, m := range footerLine.FindAllStringSubmatch(norm.NFC.String(p), 16) {
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
	At       int      // index of the first differing word
	Expected []string // the reference's words from a little before At
	Found    []string // the other text's words over the same span
}

// Compare returns nil when want and got are the same words, else where
// they first differ, with a few words of context either side.
func Compare(want, got []string) *Difference {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	if i == len(want) && i == len(got) {
		return nil
	}
	const before, after = 4, 8
	from := max(0, i-before)
	return &Difference{
		At:       i,
		Expected: append([]string{}, want[from:min(len(want), i+after)]...),
		Found:    append([]string{}, got[from:min(len(got), i+after)]...),
	}
}
