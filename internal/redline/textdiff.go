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
	buf    []string // scratch for tokenize
}

func newDiffer(opt Options) *differ {
	dmp := diffmatchpatch.New()
	// go-diff's default of one second makes results depend on machine
	// speed; 0 means run to the exact (minimal) diff.
	dmp.DiffTimeout = opt.Timeout
	return &differ{dmp: dmp, lines: newRuneTable(), tokens: newRuneTable()}
}

// diff returns the ops that turn a into b.
func (d *differ) diff(a, b string) []Op {
	if a == b {
		return appendOp(nil, OpEqual, a)
	}
	la, lb := d.lineRunes(a), d.lineRunes(b)
	diffs := d.dmp.DiffMainRunes(la, lb, false)
	diffs = d.dmp.DiffCleanupSemantic(diffs)

	var ops []Op
	var del, ins strings.Builder
	flush := func() {
		ops = d.wordDiff(ops, del.String(), ins.String())
		del.Reset()
		ins.Reset()
	}
	for _, df := range diffs {
		switch df.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			for _, r := range df.Text {
				ops = appendOp(ops, OpEqual, d.lines.item(r))
			}
		case diffmatchpatch.DiffDelete:
			for _, r := range df.Text {
				del.WriteString(d.lines.item(r))
			}
		case diffmatchpatch.DiffInsert:
			for _, r := range df.Text {
				ins.WriteString(d.lines.item(r))
			}
		}
	}
	flush()
	return ops
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

// wordDiff appends the word-level ops turning a into b. The semantic
// cleanup runs on the token diff, before tokens are mapped back to text:
// run on the text afterwards it splits words ("Section 1[-4-]{+5+}").
func (d *differ) wordDiff(ops []Op, a, b string) []Op {
	switch {
	case a == b:
		return appendOp(ops, OpEqual, a)
	case a == "":
		return appendOp(ops, OpInsert, b)
	case b == "":
		return appendOp(ops, OpDelete, a)
	}
	ta, tb := d.tokenRunes(a), d.tokenRunes(b)
	diffs := d.dmp.DiffMainRunes(ta, tb, false)
	diffs = d.dmp.DiffCleanupSemantic(diffs)
	var sb strings.Builder
	for _, df := range diffs {
		sb.Reset()
		for _, r := range df.Text {
			sb.WriteString(d.tokens.item(r))
		}
		kind := OpEqual
		switch df.Type {
		case diffmatchpatch.DiffDelete:
			kind = OpDelete
		case diffmatchpatch.DiffInsert:
			kind = OpInsert
		}
		ops = appendOp(ops, kind, sb.String())
	}
	return ops
}

func (d *differ) tokenRunes(s string) []rune {
	d.buf = tokenize(d.buf[:0], s)
	out := make([]rune, len(d.buf))
	for i, t := range d.buf {
		out[i] = d.tokens.runeFor(t)
	}
	return out
}
