package docx

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Redline is what WriteRedline compares: two revisions, who made the
// change and when (every w:ins and w:del carries them), and which sections
// moved.
type Redline struct {
	Old, New *Document
	Author   string
	Date     time.Time
	// Moved are the keys of sections that moved (redline.Compare's
	// StatusMoved). Nil means "work it out": sections present in both whose
	// order changed, the fewest that explain it.
	Moved map[string]bool
	// By names, per section key ("preamble" for the title and preamble),
	// who changed that section and when, when it was not Author at Date:
	// a redline across several revisions credits each section's changes
	// to the revision that last changed it.
	By map[string]Change
}

// Change is who made a change and when.
type Change struct {
	Author string
	Date   time.Time
}

// as sets the author and date of the changes written next to key's, and
// returns a function that restores the redline's own.
func (w *body) as(by map[string]Change, key string) func() {
	c, ok := by[key]
	if !ok {
		return func() {}
	}
	author, date := w.author, w.date
	if c.Author != "" {
		w.author = c.Author
	}
	if !c.Date.IsZero() {
		w.date = c.Date.UTC().Format("2006-01-02T15:04:05Z")
	}
	return func() { w.author, w.date = author, date }
}

// unit is a section (or the title and preamble) as blocks.
type unit struct {
	key     string
	heading []run
	blocks  []block
	title   bool
}

func units(c *converter, d *Document) []unit {
	out := []unit{{key: preambleKey, heading: c.inline(d.Title), blocks: c.blocks(d.Preamble), title: true}}
	for _, s := range d.Sections {
		out = append(out, unit{key: s.Key, heading: c.inline(s.Heading), blocks: c.blocks(s.Body)})
	}
	return out
}

// WriteRedline writes the change from rl.Old to rl.New as a Word document
// with tracked changes: added and removed sections and paragraphs as
// insertions and deletions of whole paragraphs, changed paragraphs word by
// word, moved sections as moves. Accepting every change gives rl.New's
// text, rejecting every change rl.Old's. Change tracking stays on in the
// document, so the reader's own edits are tracked too. The page footer
// and signature block are rl.New's.
func WriteRedline(w io.Writer, rl *Redline) error {
	if n := docSize(rl.Old) + docSize(rl.New); n > 2*maxExportBytes {
		return fmt.Errorf("docx: redline is %d bytes, over the %d byte limit", n, 2*maxExportBytes)
	}
	c := newConverter()
	olds, news := units(c, rl.Old), units(c, rl.New)
	bw := newBody(rl.Author, rl.Date)
	meta := newMetaWriter(rl.New.Meta)
	for _, u := range news {
		if u.title {
			meta.section(u.key, fingerprint(u.heading, u.blocks), rl.New.Title, rl.New.Preamble)
		}
	}
	for _, s := range rl.New.Sections {
		u := news[indexOf(news, s.Key)]
		meta.section(s.Key, fingerprint(u.heading, u.blocks), s.Heading, s.Body)
	}
	oldAt := map[string]int{}
	for i, u := range olds {
		oldAt[u.key] = i
	}
	newAt := map[string]int{}
	for j, u := range news {
		newAt[u.key] = j
	}
	moved := rl.Moved
	if moved == nil {
		moved = movedKeys(olds, news, oldAt)
	}
	moves := map[string]int{} // key → move number, shared by both ends
	for _, u := range news {
		if _, ok := oldAt[u.key]; ok && moved[u.key] && !u.title {
			moves[u.key] = len(moves) + 1
		}
	}
	stable := func(key string) bool {
		_, inOld := oldAt[key]
		_, inNew := newAt[key]
		return inOld && inNew && moves[key] == 0
	}
	i := 0
	flushOld := func(upto int) {
		for ; i < upto; i++ {
			u := &olds[i]
			if stable(u.key) {
				continue
			}
			restore := bw.as(rl.By, u.key)
			if n := moves[u.key]; n > 0 {
				bw.moveRange(true, n, func() { bw.unit(u, mMoveFrom) })
			} else {
				bw.unit(u, mDel)
			}
			restore()
		}
	}
	for j := range news {
		u := &news[j]
		// Old sections gone from this gap come before the new ones in it:
		// deleted paragraphs then join the inserted ones on acceptance, not
		// the document's end, where LibreOffice keeps them as empty
		// numbered paragraphs.
		next := len(olds)
		for k := j; k < len(news); k++ {
			if stable(news[k].key) {
				next = oldAt[news[k].key]
				break
			}
		}
		flushOld(next)
		restore := bw.as(rl.By, u.key)
		switch {
		case stable(u.key):
			bw.diffUnit(&olds[oldAt[u.key]], u)
			i = max(i, oldAt[u.key]+1)
		case moves[u.key] > 0:
			bw.moveRange(false, moves[u.key], func() { bw.unit(u, mMoveTo) })
		default:
			bw.unit(u, mIns)
		}
		restore()
	}
	flushOld(len(olds))
	// A paragraph whose mark is deleted joins the next one: the last
	// section's must have one to join (an MOU's signature block is it).
	if len(rl.New.Signatures) == 0 {
		bw.para("", 0, 0, 0, mNone, "", nil)
	}
	writeSignatures(bw, rl.New.Signatures)
	return writePackage(w, rl.Date, packageParts(bw, rl.New, meta.String(), true))
}

func indexOf(us []unit, key string) int {
	for i, u := range us {
		if u.key == key {
			return i
		}
	}
	return 0
}

// movedKeys are the sections present in both whose order changed: those
// off the longest run the two orders share.
func movedKeys(olds, news []unit, oldAt map[string]int) map[string]bool {
	var seq []int // old positions of paired sections, in new order
	var keys []string
	for _, u := range news {
		if i, ok := oldAt[u.key]; ok {
			seq = append(seq, i)
			keys = append(keys, u.key)
		}
	}
	// Longest increasing subsequence, O(n²): n is a few hundred at most.
	n := len(seq)
	best, prev := make([]int, n), make([]int, n)
	end := -1
	for a := range seq {
		best[a], prev[a] = 1, -1
		for b := 0; b < a; b++ {
			if seq[b] < seq[a] && best[b]+1 > best[a] {
				best[a], prev[a] = best[b]+1, b
			}
		}
		if end < 0 || best[a] > best[end] {
			end = a
		}
	}
	keep := map[int]bool{}
	for a := end; a >= 0; a = prev[a] {
		keep[a] = true
	}
	out := map[string]bool{}
	for a, k := range keys {
		if !keep[a] {
			out[k] = true
		}
	}
	return out
}

// moveRange wraps a move's paragraphs in its range markers.
func (w *body) moveRange(from bool, n int, write func()) {
	tag := "w:moveTo"
	if from {
		tag = "w:moveFrom"
	}
	id := w.id()
	fmt.Fprintf(&w.b, `<%sRangeStart w:id="%d" w:author="%s"`, tag, id, esc(w.author))
	if w.date != "" {
		w.b.WriteString(` w:date="` + w.date + `"`)
	}
	fmt.Fprintf(&w.b, ` w:name="move%d"/>`, n)
	write()
	fmt.Fprintf(&w.b, `<%sRangeEnd w:id="%d"/>`, tag, id)
}

// unit writes a whole section under one change.
func (w *body) unit(u *unit, m markKind) {
	w.heading(u, marked(u.heading, m), rowMark(m))
	for k := range u.blocks {
		w.block(&u.blocks[k], m)
	}
}

func (w *body) heading(u *unit, runs []mrun, m markKind) {
	if u.title {
		w.para(styleTitle, 0, 0, 0, m, "", runs)
		return
	}
	w.para(styleSection, 0, 0, 0, m, keyBookmark(u.key), runs)
}

// diffUnit writes a section present in both revisions: its heading word
// by word, its blocks aligned and changed ones word by word.
func (w *body) diffUnit(a, b *unit) {
	w.heading(b, wordDiff(a.heading, b.heading), mNone)
	sig := func(bl *block) string {
		return fmt.Sprintf("%d/%d/%t/%t/%d/%s", bl.kind, bl.level, bl.quote, bl.ordered, bl.start, fingerprint(nil, []block{*bl}))
	}
	ids := map[string]rune{}
	enc := func(bs []block) []rune {
		out := make([]rune, len(bs))
		for k := range bs {
			s := sig(&bs[k])
			r, ok := ids[s]
			if !ok {
				r = rune(0xE000 + len(ids)) // private use: never confused with text
				if len(ids) > 0x1800 {
					r = rune(0xF0000 + len(ids))
				}
				ids[s] = r
			}
			out[k] = r
		}
		return out
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact and the same on every machine
	diffs := dmp.DiffMainRunes(enc(a.blocks), enc(b.blocks), false)
	// Old lists carry on as the new lists they pair with, so a list with a
	// deleted item stays one numbered list.
	listMap := map[int]int{}
	ai, bi := 0, 0
	var dels, ins []*block
	flush := func() {
		k := 0
		for ; k < len(dels) && k < len(ins); k++ {
			if !pairable(dels[k], ins[k]) {
				break
			}
			if dels[k].kind == kItem {
				listMap[dels[k].list] = ins[k].list
			}
			w.blockRuns(ins[k], wordDiff(dels[k].runs, ins[k].runs), mNone)
		}
		for _, d := range dels[k:] {
			if nl, ok := listMap[d.list]; ok && d.kind == kItem {
				cp := *d
				cp.list = nl
				d = &cp
			}
			w.block(d, mDel)
		}
		for _, n := range ins[k:] {
			w.block(n, mIns)
		}
		dels, ins = dels[:0], ins[:0]
	}
	for _, d := range diffs {
		n := len([]rune(d.Text))
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			for k := 0; k < n; k++ {
				if a.blocks[ai].kind == kItem {
					listMap[a.blocks[ai].list] = b.blocks[bi].list
				}
				w.block(&b.blocks[bi], mNone)
				ai++
				bi++
			}
		case diffmatchpatch.DiffDelete:
			for k := 0; k < n; k++ {
				dels = append(dels, &a.blocks[ai])
				ai++
			}
		case diffmatchpatch.DiffInsert:
			for k := 0; k < n; k++ {
				ins = append(ins, &b.blocks[bi])
				bi++
			}
		}
	}
	flush()
}

// pairable says whether an old and a new block are one paragraph edited,
// shown word by word, rather than one removed and another added.
func pairable(a, b *block) bool {
	if a.kind != b.kind || a.level != b.level || a.quote != b.quote || a.ordered != b.ordered || a.kind == kTable || a.kind == kRule {
		return false
	}
	return similarity(plain(a.runs), plain(b.runs)) >= 0.3
}

// similarity is the Jaccard index of two texts' word sets.
func similarity(a, b string) float64 {
	wa, wb := wordSet(a), wordSet(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	inter := 0
	for k := range wa {
		if wb[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(wa)+len(wb)-inter)
}

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[f] = true
	}
	return out
}

func tokens(runs []run) []run {
	var out []run
	for _, r := range mergeRuns(runs) {
		if r.br {
			out = append(out, r)
			continue
		}
		start := 0
		cls := func(c rune) int {
			switch {
			case unicode.IsSpace(c):
				return 0
			case unicode.IsLetter(c) || unicode.IsDigit(c):
				return 1
			}
			return 2
		}
		rs := []rune(r.text)
		for k := 1; k <= len(rs); k++ {
			if k == len(rs) || cls(rs[k]) != cls(rs[k-1]) || cls(rs[k]) == 2 {
				t := r
				t.text = string(rs[start:k])
				out = append(out, t)
				start = k
			}
		}
	}
	return out
}

// wordDiff marks the word-level difference from a to b: equal words
// unmarked, removed ones deleted, added ones inserted.
func wordDiff(a, b []run) []mrun {
	ta, tb := tokens(a), tokens(b)
	ids := map[run]rune{}
	enc := func(ts []run) []rune {
		out := make([]rune, len(ts))
		for k, t := range ts {
			r, ok := ids[t]
			if !ok {
				r = rune(0xE000 + len(ids))
				if len(ids) > 0x1800 {
					r = rune(0xF0000 + len(ids))
				}
				ids[t] = r
			}
			out[k] = r
		}
		return out
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(enc(ta), enc(tb), false))
	var out []mrun
	ai, bi := 0, 0
	for _, d := range diffs {
		n := len([]rune(d.Text))
		for k := 0; k < n; k++ {
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				out = append(out, mrun{run: tb[bi]})
				ai++
				bi++
			case diffmatchpatch.DiffDelete:
				out = append(out, mrun{run: ta[ai], mark: mDel})
				ai++
			case diffmatchpatch.DiffInsert:
				out = append(out, mrun{run: tb[bi], mark: mIns})
				bi++
			}
		}
	}
	return mergeMarked(out)
}

// mergeMarked joins neighbouring runs of one change and format.
func mergeMarked(rs []mrun) []mrun {
	var out []mrun
	for _, r := range rs {
		if n := len(out); n > 0 && !r.br && !out[n-1].br && out[n-1].mark == r.mark && out[n-1].f == r.f && out[n-1].link == r.link {
			out[n-1].text += r.text
			continue
		}
		out = append(out, r)
	}
	return out
}
