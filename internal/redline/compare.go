package redline

import (
	"slices"
	"strconv"
	"strings"
)

// Compare returns the redline from old to new. Sections are aligned by key
// (see align); sections present in both whose relative order changed are
// moved; lines deleted in one place and inserted unchanged in another are
// moved paragraphs (see paragraphMoves); inside each changed section the
// diff is by line, then by word. The result is deterministic for a given
// Options.
func Compare(old, new Document, opt Options) *Result {
	d := newDiffer(opt)
	a := align(old.Sections, new.Sections)
	keep := stayed(a)
	r := &Result{Sections: []SectionChange{}}

	// Line diffs first: paragraph moves are found among their changed
	// lines before any op is written.
	spans := make([][]span, len(new.Sections))
	for j, o := range a.oldOf {
		if o >= 0 && old.Sections[o].Text != new.Sections[j].Text {
			spans[j] = d.lineSpans(old.Sections[o].Text, new.Sections[j].Text)
		}
	}
	// Section moves take IDs in new-document order, then paragraph moves.
	secMove := make([]int, len(new.Sections)) // new index → move ID
	for j, o := range a.oldOf {
		if o >= 0 && !keep[j] {
			from, to := sectionMoveEnds(old.Sections, new.Sections, o, j)
			r.Moves = append(r.Moves, Move{ID: len(r.Moves) + 1, Kind: MoveSection, From: from, To: to,
				FromKey: old.Sections[o].Key, ToKey: new.Sections[j].Key, Words: countWords(new.Sections[j].Text)})
			secMove[j] = len(r.Moves)
		}
	}
	oldEnds := make([][]moveEnd, len(old.Sections))
	newEnds := make([][]moveEnd, len(new.Sections))
	for _, p := range paragraphMoves(old.Sections, new.Sections, a, keep, spans) {
		os, ns := old.Sections[p.from.sec], new.Sections[p.to.sec]
		m := Move{ID: len(r.Moves) + 1, Kind: MoveParagraph,
			From: paragraphAddress(os, p.from.start), To: paragraphAddress(ns, p.to.start),
			FromKey: os.Key, ToKey: ns.Key, Words: movedWords(ns.Text[p.to.start:p.to.end])}
		r.Moves = append(r.Moves, m)
		oldEnds[p.from.sec] = append(oldEnds[p.from.sec], moveEnd{p.from.start, p.from.end, m.ID, "moved to " + m.To})
		newEnds[p.to.sec] = append(newEnds[p.to.sec], moveEnd{p.to.start, p.to.end, m.ID, "moved from " + m.From})
	}
	for _, e := range [][][]moveEnd{oldEnds, newEnds} {
		for _, ends := range e {
			slices.SortFunc(ends, func(x, y moveEnd) int { return x.start - y.start })
		}
	}
	moveOf := func(j int) Move { return r.Moves[secMove[j]-1] }

	var ops opWriter
	i, j := 0, 0
	for {
		// The next anchor: a paired section that did not move.
		an := j
		for an < len(new.Sections) && !keep[an] {
			an++
		}
		ao := len(old.Sections)
		if an < len(new.Sections) {
			ao = a.oldOf[an]
		}
		for ; i < ao; i++ {
			s := old.Sections[i]
			if n := a.newOf[i]; n >= 0 {
				ops.addMoved(OpDelete, s.Text, secMove[n], "moved to "+moveOf(n).To)
				continue
			}
			c := SectionChange{Key: s.Key, Heading: s.Heading, Number: s.Number, Status: StatusRemoved}
			c.Ops = whole(d, OpDelete, s.Text, oldEnds[i])
			for _, op := range c.Ops {
				ops.addMoved(op.Op, op.Text, op.Move, op.Label)
			}
			c.count()
			r.Sections = append(r.Sections, c)
		}
		for ; j < an; j++ {
			s := new.Sections[j]
			o := a.oldOf[j]
			if o < 0 {
				c := SectionChange{Key: s.Key, Heading: s.Heading, Number: s.Number, Status: StatusAdded}
				c.Ops = whole(d, OpInsert, s.Text, newEnds[j])
				for _, op := range c.Ops {
					ops.addMoved(op.Op, op.Text, op.Move, op.Label)
				}
				c.count()
				r.Sections = append(r.Sections, c)
				continue
			}
			m := moveOf(j)
			ops.addMoved(OpInsert, s.Text, m.ID, "moved from "+m.From)
			c := changed(d, old.Sections[o], s, spans[j], nil, nil)
			c.Status = StatusMoved
			c.Move = m.ID
			c.moveNote = "moved from " + m.From + " to " + m.To
			c.MovedFrom = old.Sections[o].Number
			if c.MovedFrom == "" {
				c.MovedFrom = "position " + strconv.Itoa(o+1)
			}
			if o > 0 {
				p := old.Sections[o-1]
				c.MovedAfter = label(p.Number, p.Heading, p.Key)
			}
			r.Sections = append(r.Sections, c)
		}
		if an == len(new.Sections) {
			break
		}
		c := changed(d, old.Sections[ao], new.Sections[an], spans[an], oldEnds[ao], newEnds[an])
		for _, op := range c.Ops {
			ops.addMoved(op.Op, op.Text, op.Move, op.Label)
		}
		r.Sections = append(r.Sections, c)
		i, j = ao+1, an+1
	}
	r.Ops = ops.done()
	r.Summary = summarize(r.Sections, r.Moves)
	return r
}

// whole is the ops of a section added or removed whole (kind insert or
// delete), with the paragraphs that moved elsewhere as ops of their own.
func whole(d *differ, kind, text string, ends []moveEnd) []Op {
	w := &d.ops
	pos := 0
	for _, m := range ends {
		w.add(kind, text[pos:m.start])
		w.addMoved(kind, text[m.start:m.end], m.move, m.label)
		pos = m.end
	}
	w.add(kind, text[pos:])
	return w.done()
}

// count totals the words c's ops insert and delete; moved text counts in
// neither.
func (c *SectionChange) count() {
	c.WordsInserted, c.WordsDeleted = 0, 0
	for _, op := range c.Ops {
		if op.Move != 0 {
			continue
		}
		switch op.Op {
		case OpInsert:
			c.WordsInserted += countWords(op.Text)
		case OpDelete:
			c.WordsDeleted += countWords(op.Text)
		}
	}
}

// changed describes a section present in both documents, as if it had not
// moved; Compare marks moves. spans is the line diff of the two texts (nil
// when they are equal); oe and ne are the ends of paragraph moves in them.
func changed(d *differ, o, n Section, spans []span, oe, ne []moveEnd) SectionChange {
	c := SectionChange{Key: n.Key, Heading: n.Heading, Number: n.Number}
	if o.Heading != n.Heading {
		c.OldHeading = o.Heading
	}
	if o.Number != n.Number {
		c.OldNumber = o.Number
	}
	if o.Text != n.Text {
		d.emit(&d.ops, o.Text, n.Text, spans, oe, ne)
		oh, ob := splitHeadingLine(o.Text)
		nh, nb := splitHeadingLine(n.Text)
		c.Modified = ob != nb || retitle(oh, o, n) != nh
	} else {
		d.ops.add(OpEqual, n.Text)
	}
	c.Ops = d.ops.done()
	c.count()
	switch {
	case o.Heading != n.Heading:
		c.Status = StatusRenamed
	case c.Modified:
		c.Status = StatusModified
	default:
		c.Status = StatusUnchanged
	}
	return c
}

// retitle rewrites old's heading line with new's heading and number. When
// the result is new's heading line, the line changed only as the Heading
// and Number fields already say (a rename, a renumbering).
func retitle(line string, old, new Section) string {
	if old.Heading != "" {
		line = strings.Replace(line, old.Heading, new.Heading, 1)
	}
	if old.Number != "" {
		line = strings.Replace(line, old.Number, new.Number, 1)
	}
	return line
}

func summarize(cs []SectionChange, moves []Move) Summary {
	s := Summary{Changed: []string{}}
	for _, m := range moves {
		if m.Kind == MoveParagraph {
			s.MovedParagraphs++
		}
	}
	for _, c := range cs {
		switch c.Status {
		case StatusAdded:
			s.Added++
		case StatusRemoved:
			s.Removed++
		case StatusMoved:
			s.Moved++
		case StatusRenamed:
			s.Renamed++
		case StatusModified:
			s.Modified++
		case StatusUnchanged:
			s.Unchanged++
		}
		s.WordsInserted += c.WordsInserted
		s.WordsDeleted += c.WordsDeleted
		if c.Status != StatusUnchanged {
			s.Changed = append(s.Changed, c.Key)
		}
	}
	return s
}
