package redline

import (
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op kinds. Joining the Text of equal and delete ops gives the old text;
// joining equal and insert gives the new.
const (
	OpEqual  = "equal"
	OpInsert = "insert"
	OpDelete = "delete"
)

// Op is one run of text that is unchanged, inserted or deleted.
type Op struct {
	Op   string `json:"op"`
	Text string `json:"text"`
	// Move is set on both ends of moved text, the delete at its old place
	// and the insert at its new one: the ID of its entry in Result.Moves.
	// Two adjacent ops of one kind are kept apart when their Move differs.
	Move int `json:"move,omitempty"`
	// Label names the other end of a move for a reader: "moved to §12.3"
	// on the delete, "moved from §4.2" on the insert.
	Label string `json:"label,omitempty"`
}

// appendOp appends an op, merging it into the last one when they are of the
// same kind and dropping empty text, so op lists stay canonical.
func appendOp(ops []Op, kind, text string) []Op {
	if text == "" {
		return ops
	}
	if n := len(ops); n > 0 && ops[n-1].Op == kind {
		ops[n-1].Text += text
		return ops
	}
	return append(ops, Op{Op: kind, Text: text})
}

// differ diffs section texts: lines first, then words inside the lines that
// changed. One differ serves one Compare; it is not safe for concurrent use.
//
// Two levels, because each alone was measured to fail on the bench pair: a
// character diff took about 100 ms and read badly, and a word diff of whole
// sections anchored on common words ("[-Each Party shall-]{+Without+}").
type differ struct {
	dmp    *diffmatchpatch.DiffMatchPatch
	lines  *runeTable
	tokens *runeTable
	ta, tb []rune   // scratch for tokenRunes
	ops    opWriter // scratch for a section's ops
}

func newDiffer(opt Options) *differ {
	dmp := diffmatchpatch.New()
	// go-diff's default of one second makes results depend on machine
	// speed; 0 means run to the exact (minimal) diff.
	dmp.DiffTimeout = opt.Timeout
	return &differ{dmp: dmp, lines: newRuneTable(), tokens: newRuneTable()}
}

// diff writes the ops that turn a into b.
func (d *differ) diff(w *opWriter, a, b string) {
	d.emit(w, a, b, d.lineSpans(a, b), nil, nil)
}

// span is one run of a line diff, as byte ranges of the two texts: equal
// (a[a0:a1] == b[b0:b1]) or changed, a run of lines deleted from a and
// inserted in b that the word diff refines.
type span struct {
	equal          bool
	a0, a1, b0, b1 int
}

// lineSpans diffs a and b by line. Spans are contiguous and cover both
// texts.
//
// Every op text is a substring of a or b: the line and token runs go-diff
// returns are contiguous in their text, so only their lengths are summed
// and nothing is copied. Copying the pieces into builders and merging ops
// by concatenation was a third of what a redline allocated.
func (d *differ) lineSpans(a, b string) []span {
	if a == b {
		return []span{{equal: true, a1: len(a), b1: len(b)}}
	}
	la, lb := d.lineRunes(a), d.lineRunes(b)
	diffs := d.dmp.DiffMainRunes(la, lb, false)
	diffs = d.dmp.DiffCleanupSemantic(diffs)

	var out []span
	pa, pb := 0, 0 // bytes of a and b consumed
	ca, cb := 0, 0 // where the current run of changed lines began
	changed := func() {
		if ca < pa || cb < pb {
			out = append(out, span{a0: ca, a1: pa, b0: cb, b1: pb})
		}
	}
	for _, df := range diffs {
		n := d.lines.length(df.Text)
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			changed()
			out = append(out, span{equal: true, a0: pa, a1: pa + n, b0: pb, b1: pb + n})
			pa, pb = pa+n, pb+n
			ca, cb = pa, pb
		case diffmatchpatch.DiffDelete:
			pa += n
		case diffmatchpatch.DiffInsert:
			pb += n
		}
	}
	changed()
	return out
}

// moveEnd is one end of moved text inside a section: the bytes
// text[start:end], whole lines, and the move they belong to.
type moveEnd struct {
	start, end int
	move       int
	label      string
}

// emit writes the ops of a line diff: equal spans as they are, changed
// spans refined by word. Moved lines (ma in a, mb in b, sorted, each
// inside one changed span) are written as ops of their own, so a word
// diff never mixes them with their neighbours; the text between them is
// word-diffed piece by piece, in order, so each side still reads back.
func (d *differ) emit(w *opWriter, a, b string, spans []span, ma, mb []moveEnd) {
	for _, sp := range spans {
		if sp.equal {
			w.add(OpEqual, a[sp.a0:sp.a1])
			continue
		}
		var inA, inB []moveEnd
		for len(ma) > 0 && ma[0].start < sp.a1 {
			inA, ma = append(inA, ma[0]), ma[1:]
		}
		for len(mb) > 0 && mb[0].start < sp.b1 {
			inB, mb = append(inB, mb[0]), mb[1:]
		}
		if len(inA) == 0 && len(inB) == 0 {
			d.wordDiff(w, a[sp.a0:sp.a1], b[sp.b0:sp.b1])
			continue
		}
		pieceA, pieceB := plainPieces(sp.a0, sp.a1, inA), plainPieces(sp.b0, sp.b1, inB)
		// When only one side holds moves, the other side's text is diffed
		// against the longest piece between them (the rest is plainly
		// deleted or inserted): moving an item out of a list renumbers
		// the item after it, and that should read as one changed number.
		switch {
		case len(inB) == 0:
			pieceB = spread(pieceA, pieceB[0])
		case len(inA) == 0:
			pieceA = spread(pieceB, pieceA[0])
		}
		for k := 0; k < max(len(pieceA), len(pieceB)); k++ {
			var ta, tb string
			if k < len(pieceA) {
				ta = a[pieceA[k][0]:pieceA[k][1]]
			}
			if k < len(pieceB) {
				tb = b[pieceB[k][0]:pieceB[k][1]]
			}
			d.wordDiff(w, ta, tb)
			if k < len(inA) {
				m := inA[k]
				w.addMoved(OpDelete, a[m.start:m.end], m.move, m.label)
			}
			if k < len(inB) {
				m := inB[k]
				w.addMoved(OpInsert, b[m.start:m.end], m.move, m.label)
			}
		}
	}
}

// plainPieces returns the byte ranges of [from, to) between the moved
// ends in it: one more range than ends, some possibly empty.
func plainPieces(from, to int, ends []moveEnd) [][2]int {
	out := make([][2]int, 0, len(ends)+1)
	for _, m := range ends {
		out = append(out, [2]int{from, m.start})
		from = m.end
	}
	return append(out, [2]int{from, to})
}

// spread lays the range whole beside the longest of pieces (the first of
// equals), and empty ranges beside the others.
func spread(pieces [][2]int, whole [2]int) [][2]int {
	best := 0
	for k, p := range pieces {
		if p[1]-p[0] > pieces[best][1]-pieces[best][0] {
			best = k
		}
	}
	out := make([][2]int, len(pieces))
	for k := range out {
		if k == best {
			out[k] = whole
		} else {
			out[k] = [2]int{whole[0], whole[0]}
		}
	}
	return out
}

// lineRunes maps each line of s, newline included, to a rune.
func (d *differ) lineRunes(s string) []rune {
	out := make([]rune, 0, strings.Count(s, "\n")+1)
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		out = append(out, d.lines.runeFor(s[:i]))
		s = s[i:]
	}
	return out
}

// wordDiff writes the word-level ops turning a into b. The semantic
// cleanup runs on the token diff, before tokens are mapped back to text:
// run on the text afterwards it splits words ("Section 1[-4-]{+5+}").
func (d *differ) wordDiff(w *opWriter, a, b string) {
	switch {
	case a == b:
		w.add(OpEqual, a)
		return
	case a == "":
		w.add(OpInsert, b)
		return
	case b == "":
		w.add(OpDelete, a)
		return
	}
	// The text both share at the start and the end, cut back to a token
	// boundary, is equal whatever the diff: tokenizing it was most of the
	// work for the usual one-word edit in a long paragraph.
	if p, q := commonEnds(a, b); p > 0 || q > 0 {
		w.add(OpEqual, a[:p])
		d.wordDiff(w, a[p:len(a)-q], b[p:len(b)-q])
		w.add(OpEqual, a[len(a)-q:])
		return
	}
	// go-diff keeps no reference to its input runes: the scratch slices
	// are reused for every changed run.
	d.ta = d.tokenRunes(d.ta[:0], a)
	d.tb = d.tokenRunes(d.tb[:0], b)
	ta, tb := d.ta, d.tb
	diffs := d.dmp.DiffMainRunes(ta, tb, false)
	diffs = d.dmp.DiffCleanupSemantic(diffs)
	pa, pb := 0, 0
	for _, df := range diffs {
		n := d.tokens.length(df.Text)
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			w.add(OpEqual, a[pa:pa+n])
			pa, pb = pa+n, pb+n
		case diffmatchpatch.DiffDelete:
			w.add(OpDelete, a[pa:pa+n])
			pa += n
		case diffmatchpatch.DiffInsert:
			w.add(OpInsert, b[pb:pb+n])
			pb += n
		}
	}
}

// commonEnds returns the lengths of a common prefix and a common suffix
// of a and b that do not overlap and end, or start, between tokens: the
// byte before the prefix's end and the byte at the suffix's start are not
// word bytes (ASCII letters and digits, and any byte of a multi-byte
// character, to stay clear of letters outside ASCII).
func commonEnds(a, b string) (prefix, suffix int) {
	n := min(len(a), len(b))
	for prefix < n && a[prefix] == b[prefix] {
		prefix++
	}
	prefix = max(prefix-endMargin, 0)
	for prefix > 0 && wordByte(a[prefix-1]) {
		prefix--
	}
	// The suffix leaves both middles non-empty: where one text is the
	// other plus some, the addition stays at the end, as go-diff puts it.
	n -= prefix + 1
	for suffix < n && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	suffix = max(suffix-endMargin, 0)
	for suffix > 0 && wordByte(a[len(a)-suffix]) {
		suffix--
	}
	return prefix, suffix
}

// endMargin is how much of the shared start and end commonEnds leaves to
// the diff: go-diff slides an edit along repeated text to a word or
// sentence boundary ("resort.[+ New sentence.+]", not "resort[+. New
// sentence+]."), and it needs the text around the edit to do so.
const endMargin = 64

func wordByte(c byte) bool { return c >= utf8.RuneSelf || asciiWord(c) }

// tokenRunes appends to dst a rune for each token of s (see scanToken).
func (d *differ) tokenRunes(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		_, n := scanToken(s[i:])
		dst = append(dst, d.tokens.runeFor(s[i:i+n]))
		i += n
	}
	return dst
}

// opWriter builds a canonical op list: adjacent texts of one kind (and
// one move) make one op and empty texts are dropped, as appendOp does. It
// joins an op's pieces once, when the op is complete, instead of growing a
// string per piece; an op of one piece keeps the string it was given.
type opWriter struct {
	ops    []Op
	kind   string
	move   int
	label  string
	pieces []string
}

func (w *opWriter) add(kind, text string) { w.addMoved(kind, text, 0, "") }

// addMoved adds text that belongs to move (0 for none), labelled for a
// reader.
func (w *opWriter) addMoved(kind, text string, move int, label string) {
	if text == "" {
		return
	}
	if kind != w.kind || move != w.move {
		w.flush()
		w.kind, w.move, w.label = kind, move, label
	}
	w.pieces = append(w.pieces, text)
}

func (w *opWriter) flush() {
	switch len(w.pieces) {
	case 0:
		return
	case 1:
		w.ops = append(w.ops, Op{Op: w.kind, Text: w.pieces[0], Move: w.move, Label: w.label})
	default:
		w.ops = append(w.ops, Op{Op: w.kind, Text: strings.Join(w.pieces, ""), Move: w.move, Label: w.label})
	}
	clear(w.pieces)
	w.pieces = w.pieces[:0]
}

// done returns the ops written, never nil (JSON shows [] for none), and
// leaves w empty for reuse.
func (w *opWriter) done() []Op {
	w.flush()
	ops := w.ops
	if ops == nil {
		ops = []Op{}
	}
	w.ops, w.kind, w.move, w.label = nil, "", 0, ""
	return ops
}
