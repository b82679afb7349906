package redline

import (
	"cmp"
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
	// Shared paragraphs first: cheap to measure and decisive for the
	// usual small edit. Word overlap only for what is left.
	a.pairGreedy(os, ns, old, new, min, func(i, j int) float64 {
		return weightedDice(bags.lineBag(side{true, i}), bags.lineBag(side{false, j}))
	})
	a.pairGreedy(os, ns, old, new, min, func(i, j int) float64 {
		return dice(bags.wordBag(side{true, i}), bags.wordBag(side{false, j}))
	})
}

// pairGreedy pairs still-unpaired sections of os and ns whose similarity
// reaches min, best first; ties go to sections with the same key, then to
// the earlier position.
func (a *alignment) pairGreedy(os, ns []int, old, new []Section, min float64, similarity func(i, j int) float64) {
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
			if sim := similarity(i, j); sim >= min {
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

// bagCache holds each section's body as sorted hashes of its words and of
// its lines, built on first use: most sections pair by key and are never
// measured.
type bagCache struct {
	old, new []Section
	words    map[side][]uint64
	lines    map[side][]weighted
}

// side names a section: in the old document or the new, at index i.
type side struct {
	old bool
	i   int
}

func newBagCache(old, new []Section) *bagCache {
	return &bagCache{old: old, new: new, words: make(map[side][]uint64), lines: make(map[side][]weighted)}
}

func (c *bagCache) body(k side) string {
	s := c.new
	if k.old {
		s = c.old
	}
	_, body := splitHeadingLine(s[k.i].Text)
	return body
}

func (c *bagCache) wordBag(k side) []uint64 {
	b, ok := c.words[k]
	if !ok {
		b = wordHashes(c.body(k))
		c.words[k] = b
	}
	return b
}

func (c *bagCache) lineBag(k side) []weighted {
	b, ok := c.lines[k]
	if !ok {
		b = lineHashes(c.body(k))
		c.lines[k] = b
	}
	return b
}

// lineHashes returns a hash per non-blank line of s, sorted, each
// weighted by the line's length so that a long paragraph counts for more
// than a short list item.
func lineHashes(s string) []weighted {
	var out []weighted
	for s != "" {
		n := strings.IndexByte(s, '\n') + 1
		if n == 0 {
			n = len(s)
		}
		line := strings.TrimSpace(s[:n])
		s = s[n:]
		if line != "" {
			out = append(out, weighted{fnv(line), len(line)})
		}
	}
	slices.SortFunc(out, func(a, b weighted) int { return cmp.Compare(a.h, b.h) })
	return out
}

// weighted is a hash with a weight, for weightedDice.
type weighted struct {
	h uint64
	w int
}

// weightedDice is dice over multisets whose members carry weights: twice
// the weight in common over the total weight.
func weightedDice(a, b []weighted) float64 {
	shared, total := 0, 0
	for _, x := range a {
		total += x.w
	}
	for _, x := range b {
		total += x.w
	}
	if total == 0 {
		return 0
	}
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].h == b[j].h:
			shared += a[i].w
			i++
			j++
		case a[i].h < b[j].h:
			i++
		default:
			j++
		}
	}
	return 2 * float64(shared) / float64(total)
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
