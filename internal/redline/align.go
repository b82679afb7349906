package redline

import (
	"slices"
	"strings"
)

// Thresholds for pairing sections by content, as Dice overlap of their
// body words (2·shared / (words in one + words in the other)).
const (
	// renameMinSimilarity pairs a removed section with an added one as a
	// rename: the heading changed, the body is still mostly the same.
	renameMinSimilarity = 0.6
	// familyMinSimilarity pairs sections that share a repeated heading
	// ("Purpose", "Purpose-2"); lower than for renames because a heading
	// match already says they are related.
	familyMinSimilarity = 0.5
)

// alignment pairs old sections with new ones.
type alignment struct {
	newOf []int // old index → new index, or -1 when removed
	oldOf []int // new index → old index, or -1 when added
}

func (a *alignment) pair(o, n int) {
	a.newOf[o] = n
	a.oldOf[n] = o
}

// align pairs sections by key, then re-pairs sections whose keys Split
// invented for repeated headings by content, then pairs the leftovers whose
// bodies are very similar as renames. It is deterministic: ties break on
// position, never on map order.
func align(old, new []Section) *alignment {
	a := &alignment{newOf: filled(len(old)), oldOf: filled(len(new))}

	ambiguous := repeatedSlugs(old, new)
	isAmbiguous := func(s Section) bool { return s.Slug != "" && ambiguous[s.Slug] }

	newByKey := make(map[string]int, len(new))
	for j, s := range new {
		if _, dup := newByKey[s.Key]; !dup && !isAmbiguous(s) {
			newByKey[s.Key] = j
		}
	}
	for i, s := range old {
		if isAmbiguous(s) {
			continue
		}
		if j, ok := newByKey[s.Key]; ok && a.oldOf[j] < 0 {
			a.pair(i, j)
		}
	}

	bags := newBagCache(old, new)

	// Sections sharing a repeated heading: best content match first.
	slugs := make([]string, 0, len(ambiguous))
	for s := range ambiguous {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	for _, slug := range slugs {
		var olds, news []int
		for i, s := range old {
			if s.Slug == slug {
				olds = append(olds, i)
			}
		}
		for j, s := range new {
			if s.Slug == slug {
				news = append(news, j)
			}
		}
		a.pairBySimilarity(olds, news, old, new, bags, familyMinSimilarity)
		// Whatever is left keeps its positional key, as it would without
		// the repetition.
		for _, i := range olds {
			for _, j := range news {
				if a.newOf[i] < 0 && a.oldOf[j] < 0 && old[i].Key == new[j].Key {
					a.pair(i, j)
				}
			}
		}
	}

	// Renames: a removed and an added section with nearly the same body.
	var olds, news []int
	for i := range old {
		if a.newOf[i] < 0 {
			olds = append(olds, i)
		}
	}
	for j := range new {
		if a.oldOf[j] < 0 {
			news = append(news, j)
		}
	}
	a.pairBySimilarity(olds, news, old, new, bags, renameMinSimilarity)
	return a
}

// pairBySimilarity pairs still-unpaired old sections os with new sections
// ns, most similar first, while similarity reaches min. Identical texts
// pair before anything is measured.
func (a *alignment) pairBySimilarity(os, ns []int, old, new []Section, bags *bagCache, min float64) {
	if len(os) == 0 || len(ns) == 0 {
		return
	}
	for _, i := range os {
		for _, j := range ns {
			if a.newOf[i] < 0 && a.oldOf[j] < 0 && old[i].Text == new[j].Text {
				a.pair(i, j)
			}
		}
	}
	type cand struct {
		o, n    int
		sim     float64
		sameKey bool
	}
	var cands []cand
	for _, i := range os {
		if a.newOf[i] >= 0 {
			continue
		}
		for _, j := range ns {
			if a.oldOf[j] >= 0 {
				continue
			}
			if sim := dice(bags.get(true, i), bags.get(false, j)); sim >= min {
				cands = append(cands, cand{i, j, sim, old[i].Key == new[j].Key})
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		switch {
		case x.sim != y.sim:
			if x.sim > y.sim {
				return -1
			}
			return 1
		case x.sameKey != y.sameKey:
			if x.sameKey {
				return -1
			}
			return 1
		case x.o != y.o:
			return x.o - y.o
		}
		return x.n - y.n
	})
	for _, c := range cands {
		if a.newOf[c.o] < 0 && a.oldOf[c.n] < 0 {
			a.pair(c.o, c.n)
		}
	}
}

// repeatedSlugs returns the slugs that more than one section carries in
// either document.
func repeatedSlugs(old, new []Section) map[string]bool {
	out := make(map[string]bool)
	for _, doc := range [][]Section{old, new} {
		seen := make(map[string]bool)
		for _, s := range doc {
			if s.Slug == "" {
				continue
			}
			if seen[s.Slug] {
				out[s.Slug] = true
			}
			seen[s.Slug] = true
		}
	}
	return out
}

func filled(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

// splitHeadingLine returns the heading line of a section's text (empty for
// a preamble) and the body after it.
func splitHeadingLine(text string) (heading, body string) {
	if level, _ := atxHeading(firstLine(text)); level == 0 {
		return "", text
	}
	n := len(firstLine(text))
	return text[:n], text[n:]
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return s
}

// bagCache holds each section's body words as sorted hashes, built on
// first use: most sections pair by key and are never measured.
type bagCache struct {
	old, new []Section
	bags     map[[2]int][]uint64
}

func newBagCache(old, new []Section) *bagCache {
	return &bagCache{old: old, new: new, bags: make(map[[2]int][]uint64)}
}

func (c *bagCache) get(isOld bool, i int) []uint64 {
	side, s := 0, c.new
	if isOld {
		side, s = 1, c.old
	}
	k := [2]int{side, i}
	if b, ok := c.bags[k]; ok {
		return b
	}
	_, body := splitHeadingLine(s[i].Text)
	b := wordHashes(body)
	c.bags[k] = b
	return b
}

// dice returns 2·|a∩b| / (|a|+|b|) for sorted multisets a and b; 0 when
// either is empty, so empty bodies never pair by content.
func dice(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// stayed returns, for pairs taken in new-document order, which keep their
// relative order: a longest increasing subsequence of their old indices.
// The rest moved. Patience sorting; the result depends only on the input.
func stayed(a *alignment) []bool {
	var seq []int // new indices of paired sections, in new order
	for j, i := range a.oldOf {
		if i >= 0 {
			seq = append(seq, j)
		}
	}
	tails := []int{} // tails[k]: position in seq ending the best run of length k+1
	prev := make([]int, len(seq))
	for p, j := range seq {
		v := a.oldOf[j]
		k, _ := slices.BinarySearchFunc(tails, v, func(t, v int) int { return a.oldOf[seq[t]] - v })
		if k > 0 {
			prev[p] = tails[k-1]
		} else {
			prev[p] = -1
		}
		if k == len(tails) {
			tails = append(tails, p)
		} else {
			tails[k] = p
		}
	}
	keep := make([]bool, len(a.oldOf))
	if len(tails) > 0 {
		for p := tails[len(tails)-1]; p >= 0; p = prev[p] {
			keep[seq[p]] = true
		}
	}
	return keep
}
