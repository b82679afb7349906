package redline

import (
	"strings"
	"testing"
)

// FuzzCompare runs the tokenizer, Split and Compare on arbitrary pairs of
// documents, as `moudesk redline A.md B.md` reads them from outside: no
// panic, Split gives back every byte, the ops rebuild both texts exactly,
// no change boundary splits a word, and tokens tile the text with no word
// next to a word.
func FuzzCompare(f *testing.F) {
	f.Add("## 1. Purpose\n\nThe SRO shall act.\n", "## 1. Purpose\n\nThe officer shall not act.\n")
	f.Add("Preamble\n## A\nx\n## A\ny\n", "## A\ny\n## A\nx\n")
	f.Add("```\n## not a heading\n```\n## Real\nJosé Peña — “MOU”\n", "## Real\nJose Pena - \"MOU\"")
	f.Add("\x00\xff## \xc3", "## 2. \u2028\r\n\t")
	f.Add("", "## 1. Term\n\nninety (90) days’ notice\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		for _, md := range []string{old, new} {
			doc := Split(md)
			if got := doc.Markdown(); got != md {
				t.Fatalf("Split lost bytes: %q → %q", md, got)
			}
			seen := map[string]bool{}
			for _, s := range doc.Sections {
				if seen[s.Key] {
					t.Fatalf("Split gave key %q twice", s.Key)
				}
				seen[s.Key] = true
			}
			checkTokens(t, md)
		}
		r := Compare(Split(old), Split(new), Options{})
		checkResult(t, "fuzz", old, new, r)
	})
}

// checkTokens asserts the tokenizer tiles s: every token is non-empty,
// the tokens join back to s, and no two word tokens are adjacent (so a
// change at a token boundary never falls inside a word).
func checkTokens(t *testing.T, s string) {
	t.Helper()
	var b strings.Builder
	prevWord := false
	for rest := s; rest != ""; {
		kind, n := scanToken(rest)
		if n <= 0 || n > len(rest) {
			t.Fatalf("scanToken(%q) = %d bytes", rest, n)
		}
		word := kind == tokWord
		if word && prevWord {
			t.Fatalf("two word tokens adjacent in %q", s)
		}
		prevWord = word
		b.WriteString(rest[:n])
		rest = rest[n:]
	}
	if b.String() != s {
		t.Fatalf("tokens do not rebuild %q", s)
	}
}
