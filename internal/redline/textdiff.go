package redline

import (
	"strings"

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
//
// Every op text is a substring of a or b: the line and token runs go-diff
// returns are contiguous in their text, so only their lengths are summed
// and nothing is copied. Copying the pieces into builders and merging ops
// by concatenation was a third of what a redline allocated.
func (d *differ) diff(w *opWriter, a, b string) {
	if a == b {
		w.add(OpEqual, a)
		return
	}
	la, lb := d.lineRunes(a), d.lineRunes(b)
	diffs := d.dmp.DiffMainRunes(la, lb, false)
	diffs = d.dmp.DiffCleanupSemantic(diffs)

	pa, pb := 0, 0 // bytes of a and b consumed
	ca, cb := 0, 0 // where the current run of changed lines began
	for _, df := range diffs {
		n := d.lines.length(df.Text)
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			d.wordDiff(w, a[ca:pa], b[cb:pb])
			w.add(OpEqual, a[pa:pa+n])
			pa, pb = pa+n, pb+n
			ca, cb = pa, pb
		case diffmatchpatch.DiffDelete:
			pa += n
		case diffmatchpatch.DiffInsert:
			pb += n
		}
	}
	d.wordDiff(w, a[ca:pa], b[cb:pb])
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

// tokenRunes appends to dst a rune for each token of s (see scanToken).
func (d *differ) tokenRunes(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		_, n := scanToken(s[i:])
		dst = append(dst, d.tokens.runeFor(s[i:i+n]))
		i += n
	}
	return dst
}

// opWriter builds a canonical op list: adjacent texts of one kind make one
// op and empty texts are dropped, as appendOp does. It joins an op's
// pieces once, when the op is complete, instead of growing a string per
// piece; an op of one piece keeps the string it was given.
type opWriter struct {
	ops    []Op
	kind   string
	pieces []string
}

func (w *opWriter) add(kind, text string) {
	if text == "" {
		return
	}
	if kind != w.kind {
		w.flush()
		w.kind = kind
	}
	w.pieces = append(w.pieces, text)
}

func (w *opWriter) flush() {
	switch len(w.pieces) {
	case 0:
		return
	case 1:
		w.ops = append(w.ops, Op{Op: w.kind, Text: w.pieces[0]})
	default:
		w.ops = append(w.ops, Op{Op: w.kind, Text: strings.Join(w.pieces, "")})
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
	w.ops, w.kind = nil, ""
	return ops
}
