package render

import (
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/moudesk/moudesk/internal/redline"
)

// This file is the one reading of a redline as typeset Markdown; the PDF
// (redline.go) and the HTML (redline_html.go) draw what it produces.
//
// A section's ops are parsed as two Markdown texts: the old one (equal and
// delete ops) and the new one (equal and insert ops). The new text's AST is
// the skeleton drawn, with the inserted bytes marked in its inline text.
// Deleted text comes from the old text's AST, so it keeps its own styling:
// text deleted inside a block that survives is drawn inline, struck through,
// where the deletion happened; a block whose whole text was deleted ("gone")
// is drawn whole, at its old depth and with its old list marker, before the
// block that now follows it. Nothing here diffs again: the word-level ops of
// internal/redline are the only diff.

// change says whether text was inserted or deleted by a redline.
type change uint8

const (
	unchanged change = iota
	inserted
	deleted
)

// span is a byte range [start, end) of a source text.
type span struct{ start, end int }

// markSide is one side of a section: its Markdown, AST and changed ranges
// (inserted ranges of the new side, deleted ranges of the old side).
type markSide struct {
	src    []byte
	doc    ast.Node
	spans  []span
	leaves []*leaf // leaf blocks in document order
	byNode map[ast.Node]*leaf
}

// leaf is a block whose content is inline text or literal lines: a
// heading, paragraph, table cell, code block, thematic break or HTML block.
// Tables are not leaves; their cells are.
type leaf struct {
	node    ast.Node
	text    []span // source ranges of its text, in order
	first   int    // where its text starts (its block start when it has none)
	last    int    // where its text ends
	depth   int    // enclosing lists
	quotes  int    // enclosing block quotes
	marker  string // list marker, when it is the first block of a list item
	ordinal int    // its number when the marker is an ordered list's
	// target is, for an old leaf partly deleted, the new leaf its deleted
	// text is drawn in.
	target *leaf
	gone   bool   // old leaf whose whole text was deleted
	note   string // "moved to §12.3" on the old end of moved text
}

// moveLabel is the label of one end of moved text, over its range.
type moveLabel struct {
	span
	text string
}

// noteRun is a note for the reader set beside the text: italic and grey,
// neither inserted nor deleted.
func noteRun(text string) Run {
	// "§5 ¶2" stays on one line.
	text = strings.ReplaceAll(strings.ReplaceAll(text, "§ ", "§\u00a0"), " ¶", "\u00a0¶")
	return Run{Text: " (" + text + ")", Style: Style{Italic: true, Color: colorMuted}}
}

// lastLeafIn is the last leaf whose text starts inside sp.
func (s *markSide) lastLeafIn(sp span) *leaf {
	var out *leaf
	for _, l := range s.leaves {
		if l.first >= sp.start && l.first < sp.end {
			out = l
		}
	}
	return out
}

// delPiece is deleted text drawn inside a new leaf at source offset at.
type delPiece struct {
	at, old int // offset in the new text, and in the old (orders ties)
	runs    []Run
}

// goneBlock is an old block whose whole text was deleted, drawn before the
// new block at or after offset at. A whole table is one gone block; a row
// of a surviving table is a gone row.
type goneBlock struct {
	at   int
	node ast.Node // leaf, table, or table row
	lf   *leaf    // the leaf (first cell for a table or row)
}

// markedSection is a redline section ready to draw.
type markedSection struct {
	sec      redline.SectionChange
	old, new markSide
	inline   map[ast.Node][]delPiece // new leaf → deleted text drawn in it
	gone     []goneBlock             // in old order
	next     int                     // first gone block not yet drawn
	note     string                  // status note for the section heading
	noteDone bool
	// oldOf is, for the side-by-side view, each new leaf's partly deleted
	// old leaves.
	oldOf map[*leaf][]*leaf
}

// Styles of changed text: underline or strike-through carries the meaning,
// colour is extra, so a black-and-white print still reads.
func markStyle(st Style, c change) Style {
	switch c {
	case inserted:
		st.Underline, st.Strike, st.Color, st.change = true, false, colorInserted, inserted
	case deleted:
		st.Strike, st.Underline, st.Color, st.change, st.Link = true, false, colorDeleted, deleted, ""
	}
	return st
}

func parseSide(src string, spans []span) markSide {
	s := markSide{src: []byte(src), spans: spans, byNode: map[ast.Node]*leaf{}}
	if src == "" {
		return s
	}
	s.doc = newMarkdown().Parser().Parse(text.NewReader(s.src))
	s.collect(s.doc, 0, 0, "", 0)
	return s
}

// collect finds the leaves under n with their list and quote context.
func (s *markSide) collect(n ast.Node, depth, quotes int, marker string, ordinal int) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.List:
			num := c.Start
			for item := c.FirstChild(); item != nil; item = item.NextSibling() {
				s.collect(item, depth+1, quotes, listMarkerText(c, depth, num), num)
				num++
			}
		case *ast.Blockquote:
			s.collect(c, depth, quotes+1, marker, ordinal)
		case *east.Table:
			for row := c.FirstChild(); row != nil; row = row.NextSibling() {
				for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
					s.addLeaf(cell, depth, quotes, "", 0)
				}
			}
		default:
			if isLeaf(c) {
				s.addLeaf(c, depth, quotes, marker, ordinal)
			} else {
				s.collect(c, depth, quotes, marker, ordinal)
			}
		}
		marker, ordinal = "", 0 // only the item's first block carries it
	}
}

func isLeaf(n ast.Node) bool {
	switch n.(type) {
	case *ast.Heading, *ast.Paragraph, *ast.TextBlock, *ast.FencedCodeBlock, *ast.CodeBlock,
		*ast.HTMLBlock, *ast.ThematicBreak, *east.TableCell:
		return true
	}
	return n.Type() == ast.TypeBlock && !n.HasChildren()
}

func (s *markSide) addLeaf(n ast.Node, depth, quotes int, marker string, ordinal int) {
	l := &leaf{node: n, depth: depth, quotes: quotes, marker: marker, ordinal: ordinal}
	leafPieces(n, s.src, Style{}, func(p piece) {
		if p.start >= 0 && p.end > p.start {
			l.text = append(l.text, span{p.start, p.end})
		}
	})
	if len(l.text) > 0 {
		l.first, l.last = l.text[0].start, l.text[len(l.text)-1].end
	} else {
		l.first = max(n.Pos(), 0)
		if n.Lines().Len() > 0 {
			l.first = n.Lines().At(0).Start
		}
		l.last = l.first
	}
	s.leaves = append(s.leaves, l)
	s.byNode[n] = l
}

// isLiteral reports whether leaf n holds lines drawn as written.
func isLiteral(n ast.Node) bool {
	switch n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		return true
	}
	return false
}

// leafPieces emits the text of a leaf: its inline pieces, or for a code or
// HTML block its lines (monospace, "\n" between them).
func leafPieces(n ast.Node, src []byte, base Style, emit func(piece)) {
	if !isLiteral(n) {
		inlinePieces(n, src, base, emit)
		return
	}
	st := base
	st.Mono = true
	segs := text.NewSegments()
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		segs.Append(lines.At(i))
	}
	if h, ok := n.(*ast.HTMLBlock); ok && h.HasClosure() {
		segs.Append(h.ClosureLine)
	}
	for i := 0; i < segs.Len(); i++ {
		seg := segs.At(i)
		ln := strings.TrimRight(string(src[seg.Start:seg.Stop]), "\n")
		if i > 0 {
			emit(piece{text: "\n", style: st, start: seg.Start, end: seg.Start})
		}
		emit(piece{text: ln, style: st, start: seg.Start, end: seg.Start + len(ln)})
	}
}

// covered reports whether every byte of the ranges ts lies in spans.
func covered(ts []span, spans []span) bool {
	for _, t := range ts {
		for x := t.start; x < t.end; {
			i := sort.Search(len(spans), func(i int) bool { return spans[i].end > x })
			if i == len(spans) || spans[i].start > x {
				return false
			}
			x = spans[i].end
		}
	}
	return true
}

// touched reports whether any byte of ts lies in spans.
func touched(ts []span, spans []span) bool {
	for _, t := range ts {
		i := sort.Search(len(spans), func(i int) bool { return spans[i].end > t.start })
		if i < len(spans) && spans[i].start < t.end {
			return true
		}
	}
	return false
}

// opMap maps old offsets to new ones through a section's ops.
type opMap struct {
	ops []mappedOp
}

type mappedOp struct {
	kind       string
	old, new   int // where the op starts on each side
	oldN, newN int // its length on each side
}

// newPos is where old offset o lands in the new text: through an equal op
// exactly, and for deleted text, where the deletion happened.
func (m *opMap) newPos(o int) int {
	i := sort.Search(len(m.ops), func(i int) bool { return m.ops[i].old+m.ops[i].oldN > o })
	if i == len(m.ops) {
		if len(m.ops) == 0 {
			return 0
		}
		last := m.ops[len(m.ops)-1]
		return last.new + last.newN
	}
	op := m.ops[i]
	if op.kind == redline.OpEqual {
		return op.new + (o - op.old)
	}
	return op.new
}

// markSection reads a section's ops into both sides and places the deleted
// text.
func markSection(sec redline.SectionChange) *markedSection {
	var oldB, newB strings.Builder
	var ins, dels []span
	var m opMap
	var insLabels, delLabels []moveLabel
	for _, op := range sec.Ops {
		mo := mappedOp{kind: op.Op, old: oldB.Len(), new: newB.Len()}
		if op.Label != "" {
			switch op.Op {
			case redline.OpInsert:
				insLabels = append(insLabels, moveLabel{span{newB.Len(), newB.Len() + len(op.Text)}, op.Label})
			case redline.OpDelete:
				delLabels = append(delLabels, moveLabel{span{oldB.Len(), oldB.Len() + len(op.Text)}, op.Label})
			}
		}
		switch op.Op {
		case redline.OpInsert:
			ins = append(ins, span{newB.Len(), newB.Len() + len(op.Text)})
			newB.WriteString(op.Text)
			mo.newN = len(op.Text)
		case redline.OpDelete:
			dels = append(dels, span{oldB.Len(), oldB.Len() + len(op.Text)})
			oldB.WriteString(op.Text)
			mo.oldN = len(op.Text)
		default:
			oldB.WriteString(op.Text)
			newB.WriteString(op.Text)
			mo.oldN, mo.newN = len(op.Text), len(op.Text)
		}
		if mo.oldN > 0 {
			m.ops = append(m.ops, mo)
		}
	}
	ms := &markedSection{sec: sec, inline: map[ast.Node][]delPiece{}, oldOf: map[*leaf][]*leaf{}, note: sec.Note()}
	ms.new = parseSide(newB.String(), ins)
	for _, ml := range insLabels {
		if l := ms.new.lastLeafIn(ml.span); l != nil {
			ms.inline[l.node] = append(ms.inline[l.node], delPiece{at: l.last, old: 1 << 62, runs: []Run{noteRun(ml.text)}})
		}
	}
	if len(dels) == 0 {
		ms.sortInline()
		return ms
	}
	ms.old = parseSide(oldB.String(), dels)
	for _, ml := range delLabels {
		if l := ms.old.lastLeafIn(ml.span); l != nil {
			l.note = ml.text
		}
	}
	gone := map[ast.Node]bool{}
	for _, ol := range ms.old.leaves {
		probe := ol.text
		if len(probe) == 0 { // a rule or an empty block: its first byte
			probe = []span{{ol.first, ol.first + 1}}
		}
		if !touched(probe, dels) {
			continue
		}
		if covered(probe, dels) {
			ol.gone = true
			gone[ol.node] = true
			continue
		}
		ol.target = ms.targetOf(ol, &m)
		if ol.target == nil {
			ol.gone = true
			gone[ol.node] = true
			continue
		}
		ms.oldOf[ol.target] = append(ms.oldOf[ol.target], ol)
		ms.placeInline(ol, dels, &m, false)
	}
	ms.collectGone(gone, &m)
	ms.sortInline()
	return ms
}

// targetOf is the new leaf that holds the surviving text of a partly
// deleted old leaf: the one its first surviving byte maps into.
func (ms *markedSection) targetOf(ol *leaf, m *opMap) *leaf {
	for _, t := range ol.text {
		for x := t.start; x < t.end; {
			i := sort.Search(len(ms.old.spans), func(i int) bool { return ms.old.spans[i].end > x })
			if i < len(ms.old.spans) && ms.old.spans[i].start <= x {
				x = ms.old.spans[i].end
				continue
			}
			if l := ms.new.leafAt(m.newPos(x)); l != nil {
				return l
			}
			break
		}
	}
	return nil
}

// leafAt is the new leaf whose text range holds offset p.
func (s *markSide) leafAt(p int) *leaf {
	i := sort.Search(len(s.leaves), func(i int) bool { return s.leaves[i].last >= p })
	if i < len(s.leaves) && s.leaves[i].first <= p {
		return s.leaves[i]
	}
	return nil
}

// placeInline records the deleted text of a partly deleted old leaf in its
// target, at the offset each deletion happened (kept inside the target).
// A whole cell's text is set off by a space (sep) from its neighbours.
func (ms *markedSection) placeInline(ol *leaf, dels []span, m *opMap, sep bool) {
	tgt := ol.target
	for _, d := range dels {
		if d.end <= ol.first || d.start >= ol.last {
			continue
		}
		runs := ms.old.clipRuns(ol.node, max(d.start, ol.first), min(d.end, ol.last))
		if len(runs) == 0 {
			continue
		}
		if sep {
			runs = append(runs, Run{Text: " ", Style: markStyle(Style{}, deleted)})
		}
		at := min(max(m.newPos(d.start), tgt.first), tgt.last)
		ms.inline[tgt.node] = append(ms.inline[tgt.node], delPiece{at: at, old: max(d.start, ol.first), runs: runs})
	}
}

// sortInline orders each new leaf's deleted pieces by where they go, once
// all are placed.
func (ms *markedSection) sortInline() {
	for _, ps := range ms.inline {
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].at != ps[j].at {
				return ps[i].at < ps[j].at
			}
			return ps[i].old < ps[j].old
		})
	}
}

// collectGone groups gone leaves into gone blocks: a table whose every
// cell is gone goes as a whole, a row whose every cell is gone as a row.
func (ms *markedSection) collectGone(gone map[ast.Node]bool, m *opMap) {
	done := map[ast.Node]bool{}
	whole := map[ast.Node]bool{} // allGone, once per table and row
	allGoneOnce := func(n ast.Node) bool {
		v, ok := whole[n]
		if !ok {
			v = allGone(n, gone)
			whole[n] = v
		}
		return v
	}
	for _, ol := range ms.old.leaves {
		if !ol.gone {
			continue
		}
		node := ast.Node(ol.node)
		if cell, ok := ol.node.(*east.TableCell); ok {
			row := cell.Parent()
			table := row.Parent()
			switch {
			case allGoneOnce(table):
				node = table
			case allGoneOnce(row):
				node = row
			default:
				// A cell emptied in a row that stays: its text is drawn
				// struck through in the cell now at its place.
				if ol.target = ms.new.leafAt(m.newPos(ol.first)); ol.target != nil {
					ms.oldOf[ol.target] = append(ms.oldOf[ol.target], ol)
					ms.placeInline(ol, ms.old.spans, m, true)
					continue
				}
				node = row
			}
		}
		if done[node] {
			continue
		}
		done[node] = true
		ms.gone = append(ms.gone, goneBlock{at: m.newPos(ol.first), node: node, lf: ol})
	}
	sort.SliceStable(ms.gone, func(i, j int) bool { return ms.gone[i].at < ms.gone[j].at })
}

// allGone reports whether every table cell under n is gone.
func allGone(n ast.Node, gone map[ast.Node]bool) bool {
	all := true
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if _, ok := c.(*east.TableCell); ok && entering {
			all = all && gone[c]
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return all
}

// clipRuns is the inline text of old leaf n between offsets a and b, as
// deleted runs.
func (s *markSide) clipRuns(n ast.Node, a, b int) []Run {
	var runs []Run
	last := -1
	leafPieces(n, s.src, Style{}, func(p piece) {
		if p.start < 0 {
			if last >= a && last < b {
				runs = append(runs, Run{Text: p.text, Style: markStyle(p.style, deleted)})
			}
			return
		}
		last = p.end
		if p.start == p.end { // a line break: keep it when inside
			if p.start > a && p.start < b {
				runs = append(runs, Run{Text: p.text, Style: markStyle(p.style, deleted)})
			}
			return
		}
		x, y := max(p.start, a), min(p.end, b)
		if x < y {
			runs = append(runs, Run{Text: p.cut(s.src, x, y), Style: markStyle(p.style, deleted)})
		}
	})
	return runs
}

// markedRuns is the inline text of leaf n of side s, its changed ranges
// marked c, with deleted pieces dels (sorted by offset) drawn where they
// happened.
func (s *markSide) markedRuns(n ast.Node, base Style, c change, dels []delPiece) []Run {
	var runs []Run
	flush := func(at int) {
		for len(dels) > 0 && dels[0].at <= at {
			runs = append(runs, dels[0].runs...)
			dels = dels[1:]
		}
	}
	lastMarked := false
	leafPieces(n, s.src, base, func(p piece) {
		if p.start < 0 {
			st := p.style
			if lastMarked {
				st = markStyle(st, c)
			}
			runs = append(runs, Run{Text: p.text, Style: st})
			return
		}
		flush(p.start)
		if p.start == p.end { // a line break: marked when inside a change
			st := p.style
			if s.inside(p.start) {
				st = markStyle(st, c)
			}
			runs = append(runs, Run{Text: p.text, Style: st})
			return
		}
		for x := p.start; x < p.end; {
			if x > p.start {
				flush(x) // deletions inside the piece
			}
			marked, y := s.runAt(x, p.end)
			if len(dels) > 0 && dels[0].at > x && dels[0].at < y {
				y = dels[0].at
			}
			st := p.style
			if marked {
				st = markStyle(st, c)
			}
			runs = append(runs, Run{Text: p.cut(s.src, x, y), Style: st})
			lastMarked = marked
			x = y
		}
	})
	for _, d := range dels {
		runs = append(runs, d.runs...)
	}
	return runs
}

// runAt says whether offset x is in a changed range and where that state
// ends (at most limit).
func (s *markSide) runAt(x, limit int) (bool, int) {
	i := sort.Search(len(s.spans), func(i int) bool { return s.spans[i].end > x })
	if i == len(s.spans) {
		return false, limit
	}
	if sp := s.spans[i]; sp.start <= x {
		return true, min(sp.end, limit)
	}
	return false, min(s.spans[i].start, limit)
}

// inside reports whether a changed range holds both sides of offset p.
func (s *markSide) inside(p int) bool {
	i := sort.Search(len(s.spans), func(i int) bool { return s.spans[i].end > p })
	return i < len(s.spans) && s.spans[i].start < p
}

// runs is the marked inline text of a new leaf, with the deletions made in
// it, and the section's status note after its first heading.
func (ms *markedSection) runs(n ast.Node, base Style) []Run {
	runs := ms.new.markedRuns(n, base, inserted, ms.inline[n])
	return ms.withNote(n, runs)
}

// goneRuns is the text of an old leaf, all deleted.
func (ms *markedSection) goneRuns(n ast.Node, base Style) []Run {
	var runs []Run
	leafPieces(n, ms.old.src, base, func(p piece) {
		runs = append(runs, Run{Text: p.textOf(ms.old.src), Style: markStyle(p.style, deleted)})
	})
	if l := ms.old.byNode[n]; l != nil && l.note != "" {
		runs = append(runs, noteRun(l.note))
	}
	return ms.withNote(n, runs)
}

func (ms *markedSection) withNote(n ast.Node, runs []Run) []Run {
	if _, ok := n.(*ast.Heading); ok && !ms.noteDone {
		ms.noteDone = true
		if ms.note != "" {
			runs = append(runs, noteRun(ms.note))
		}
	}
	return runs
}

// start is where the text of block n of the new side starts: the first
// leaf under it.
func (ms *markedSection) start(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if l := ms.new.byNode[c]; l != nil {
			return l.first
		}
		if t, ok := c.(*east.Table); ok {
			return ms.start(t.FirstChild())
		}
	}
	return max(n.Pos(), 0)
}

// due returns the gone blocks to draw before offset at, and marks them
// drawn.
func (ms *markedSection) due(at int) []goneBlock {
	i := ms.next
	for ms.next < len(ms.gone) && ms.gone[ms.next].at <= at {
		ms.next++
	}
	return ms.gone[i:ms.next]
}

// rest returns the gone blocks not yet drawn.
func (ms *markedSection) rest() []goneBlock {
	i := ms.next
	ms.next = len(ms.gone)
	return ms.gone[i:]
}

// changed reports whether any run is marked.
func changed(runs []Run) bool {
	for _, r := range runs {
		if r.Style.change != unchanged {
			return true
		}
	}
	return false
}

// literalChanged reports whether a code or HTML block of the new side has
// inserted text or deletions.
func (ms *markedSection) literalChanged(n ast.Node) bool {
	l := ms.new.byNode[n]
	return l != nil && (touched(l.text, ms.new.spans) || len(ms.oldOf[l]) > 0)
}
