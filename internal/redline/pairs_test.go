package redline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moudesk/moudesk/internal/testtool"
)

type docPair struct{ name, old, new string }

// benchPair is the generated 40-page MOU pair: about fifty scattered edits
// and "3. School-Year Dates" moved unedited after §59.
func benchPair() docPair {
	old, new := testtool.BenchMOU()
	return docPair{"bench", old, new}
}

// docPairs returns the document pairs every redline must handle: the
// bench pair, the hand-written small pair, and generated pairs shaped like
// real documents' histories (a bill whose justified lines reflow, a block
// moved through numbered subdivisions, a Markdown contract with front
// matter and anchors, and clauses of one line each). All are generated or
// in testdata, so the tests run in any checkout.
func docPairs(t testing.TB) []docPair {
	t.Helper()
	paras := benchParagraphs()
	return []docPair{
		benchPair(),
		{"small", readFile(t, "testdata/small.before.md"), readFile(t, "testdata/small.after.md")},
		justifiedBillPair(paras),
		movedBlockPair(paras),
		frontMatterPair(paras),
		oneLineClausesPair(paras),
	}
}

// benchParagraphs returns the prose of the bench MOU, list markers and
// headings dropped: realistic sentences for the shaped pairs.
func benchParagraphs() []string {
	old, _ := testtool.BenchMOU()
	var out []string
	for _, line := range strings.Split(old, "\n") {
		line = strings.TrimPrefix(line, "- ")
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "**") {
			continue
		}
		if i := strings.Index(line, ". "); i > 0 && i < 3 && line[0] >= '0' && line[0] <= '9' {
			line = line[i+2:]
		}
		out = append(out, line)
	}
	return out
}

// editWords returns words with n random edits: a word replaced, one to
// three deleted, or a phrase inserted.
func editWords(rng *rand.Rand, words []string, n int) []string {
	words = append([]string(nil), words...)
	for range n {
		i := rng.IntN(len(words))
		switch rng.IntN(3) {
		case 0:
			words[i] = []string{"reasonable", "written", "annual", "each", "such"}[rng.IntN(5)]
		case 1:
			if len(words) > 8 {
				words = append(words[:i:i], words[min(len(words), i+1+rng.IntN(3)):]...)
			}
		case 2:
			words = append(words[:i:i], append([]string{"in", "good", "faith"}, words[i:]...)...)
		}
	}
	return words
}

// justify lays words out in lines of exactly width columns, as a bill
// printer does: spaces widened left to right, and a long word that does
// not fit hyphenated across the line end.
func justify(b *strings.Builder, words []string, width int) {
	var line []string
	used := 0 // columns in line, one space between words
	flush := func(last bool) {
		gaps := len(line) - 1
		extra := width - used
		b.WriteString("  ")
		for i, w := range line {
			b.WriteString(w)
			if i < gaps {
				n := 1
				if !last {
					n += extra / gaps
					if i < extra%gaps {
						n++
					}
				}
				b.WriteString(strings.Repeat(" ", n))
			}
		}
		b.WriteString("\n")
		line, used = nil, 0
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		need := utf8.RuneCountInString(w)
		if len(line) > 0 {
			need++
		}
		if used+need <= width {
			line = append(line, w)
			used += need
			continue
		}
		if room := width - used - 2; len(line) > 0 && len(w) >= 9 && room >= 4 && room <= len(w)-4 && isLetters(w) {
			line = append(line, w[:room]+"-")
			used = width
			flush(false)
			w = w[room:]
		} else if len(line) > 0 {
			flush(false)
		}
		line = append(line, w)
		used = utf8.RuneCountInString(w)
	}
	if len(line) > 0 {
		flush(true)
	}
}

// isLetters reports whether w is ASCII letters only, a word the printer
// may hyphenate anywhere.
func isLetters(w string) bool {
	for _, r := range w {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// justifiedBillPair is a bill printed as justified lines of 66 columns.
// The new version edits a few words in each section, so every following
// line of the paragraph reflows: many lines differ only in spaces, and
// words are hyphenated at other places.
func justifiedBillPair(paras []string) docPair {
	rng := rand.New(rand.NewPCG(1, 66))
	head := "# An act relating to school resource officers\n\n**Bill ID:** S1234A\n**Session:** 2025\n\n## Full Text\n\n" +
		"S T A T E  O F  E X A M P L E\n ________________________________________________________________________\n\n"
	var old, new strings.Builder
	old.WriteString(head)
	new.WriteString(strings.Replace(head, "S1234A", "S1234B", 1))
	for s := 1; s <= 8; s++ {
		words := []string{"Section", fmt.Sprintf("%d.", s)}
		for range 3 {
			words = append(words, strings.Fields(paras[rng.IntN(len(paras))])...)
		}
		justify(&old, words, 66)
		justify(&new, editWords(rng, words, 1+rng.IntN(3)), 66)
		old.WriteString("\n")
		new.WriteString("\n")
	}
	return docPair{"justified-bill", old.String(), new.String()}
}

// movedBlockPair is one long section of lettered subdivisions: the new
// version moves a block of three of them to the end, inserts a
// severability subdivision (so later letters shift), and changes dates.
func movedBlockPair(paras []string) docPair {
	rng := rand.New(rand.NewPCG(2, 3))
	subs := make([]string, 14)
	for i := range subs {
		subs[i] = paras[rng.IntN(len(paras))] + fmt.Sprintf(" This applies from July 1, %d.", 2024+i%3)
	}
	write := func(subs []string) string {
		var b strings.Builder
		b.WriteString("## § 2. School safety plans\n\n")
		for i, s := range subs {
			fmt.Fprintf(&b, "(%c) %s\n\n", 'a'+i, s)
		}
		return b.String()
	}
	old := write(subs)
	moved := append([]string(nil), subs[3:6]...)
	next := append(append([]string(nil), subs[:3]...), subs[6:]...)
	next = append(next[:7:7], append([]string{"If any clause of this section is held invalid, the rest of the section shall not be affected."}, next[7:]...)...)
	next = append(next, moved...)
	new := strings.ReplaceAll(write(next), "July 1, 2025", "September 1, 2025")
	return docPair{"moved-block", old, new}
}

// frontMatterPair is a Markdown contract with YAML front matter, a summary
// table linking to anchors, lettered headings and inline anchors; the new
// version updates the front matter, adds a table row and a section, and
// rewrites most of one section.
func frontMatterPair(paras []string) docPair {
	rng := rand.New(rand.NewPCG(3, 4))
	titles := []string{"Definitions", "Account Terms", "Acceptable Use", "Records", "Payment", "Termination"}
	write := func(version string, titles []string, body func(i int) string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Program Terms\nredirect_from:\n  - /terms/\nversion: '%s'\n---\n\n", version)
		b.WriteString("Thank you for taking part. Please read these terms.\n\n### Summary\n\n| Section | What you will find |\n| --- | --- |\n")
		anchor := func(i int) string {
			return fmt.Sprintf("%c-%s", 'a'+i, strings.ToLower(strings.ReplaceAll(titles[i], " ", "-")))
		}
		for i, t := range titles {
			fmt.Fprintf(&b, "| [%c. %s](#%s) | %s |\n", 'A'+i, t, anchor(i), strings.SplitN(paras[i], ".", 2)[0]+".")
		}
		for i, t := range titles {
			fmt.Fprintf(&b, "\n### %c. %s\n<a name=\"%s\"></a>\n\n%s\n", 'A'+i, t, anchor(i), body(i))
		}
		return b.String()
	}
	bodies := make([]string, len(titles)+1)
	for i := range bodies {
		bodies[i] = paras[rng.IntN(len(paras))] + "\n\n" + "1. " + paras[rng.IntN(len(paras))] + "\n2. " + paras[rng.IntN(len(paras))] + "\n"
	}
	old := write("2024", titles, func(i int) string { return bodies[i] })
	rewritten := paras[rng.IntN(len(paras))] + " " + paras[rng.IntN(len(paras))] + "\n"
	newTitles := append(append([]string(nil), titles[:4]...), append([]string{"Privacy"}, titles[4:]...)...)
	new := write("2025", newTitles, func(i int) string {
		switch {
		case i == 2:
			return rewritten
		case i == 4:
			return bodies[len(titles)]
		case i > 4:
			return bodies[i-1]
		}
		return bodies[i]
	})
	return docPair{"front-matter", old, new}
}

// oneLineClausesPair is numbered clauses of one long line each with bold
// defined terms and inline HTML; the new version changes punctuation,
// inserts words, turns emphasis from single to double and edits an HTML
// attribute.
func oneLineClausesPair(paras []string) docPair {
	rng := rand.New(rand.NewPCG(5, 6))
	var old, new strings.Builder
	old.WriteString("# Standard Terms\n\n")
	new.WriteString("# Standard Terms\n\n")
	for i := 1; i <= 10; i++ {
		a, b := paras[rng.IntN(len(paras))], paras[rng.IntN(len(paras))]
		line := fmt.Sprintf("%d. **Clause %d**. %s (“*Defined Term %d*”) %s <span class=\"note\">see Cover Page</span>\n", i, i, a, i, b)
		fmt.Fprint(&old, line)
		switch i % 4 {
		case 0:
			line = strings.Replace(line, ", ", "; ", 1)
		case 1:
			line = strings.Replace(line, " shall ", " shall promptly ", 1)
		case 2:
			line = strings.Replace(line, "*Defined Term", "**Defined Term", 1)
			line = strings.Replace(line, "”)", "*”)", 1)
		case 3:
			line = strings.Replace(line, `class="note"`, `class="cover-note"`, 1)
		}
		fmt.Fprint(&new, line)
	}
	return docPair{"one-line-clauses", old.String(), new.String()}
}
