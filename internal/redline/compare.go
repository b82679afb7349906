package redline

import (
	"strconv"
	"strings"
)

// Compare returns the redline from old to new. Sections are aligned by key
// (see align); sections present in both whose relative order changed are
// moved; inside each changed section the diff is by line, then by word.
// The result is deterministic for a given Options.
func Compare(old, new Document, opt Options) *Result {
	d := newDiffer(opt)
	a := align(old.Sections, new.Sections)
	keep := stayed(a)
	r := &Result{Sections: []SectionChange{}}
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
			ops.add(OpDelete, s.Text)
			if a.newOf[i] < 0 {
				r.Sections = append(r.Sections, removed(s))
			}
		}
		for ; j < an; j++ {
			s := new.Sections[j]
			ops.add(OpInsert, s.Text)
			if o := a.oldOf[j]; o < 0 {
				r.Sections = append(r.Sections, added(s))
			} else {
				c := changed(d, old.Sections[o], s)
				c.Status = StatusMoved
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
		}
		if an == len(new.Sections) {
			break
		}
		c := changed(d, old.Sections[ao], new.Sections[an])
		for _, op := range c.Ops {
			ops.add(op.Op, op.Text)
		}
		r.Sections = append(r.Sections, c)
		i, j = ao+1, an+1
	}
	r.Ops = ops.done()
	r.Summary = summarize(r.Sections)
	return r
}

func added(s Section) SectionChange {
	return SectionChange{
		Key: s.Key, Heading: s.Heading, Number: s.Number, Status: StatusAdded,
		WordsInserted: countWords(s.Text), Ops: appendOp([]Op{}, OpInsert, s.Text),
	}
}

func removed(s Section) SectionChange {
	return SectionChange{
		Key: s.Key, Heading: s.Heading, Number: s.Number, Status: StatusRemoved,
		WordsDeleted: countWords(s.Text), Ops: appendOp([]Op{}, OpDelete, s.Text),
	}
}

// changed describes a section present in both documents, as if it had not
// moved; Compare marks moves.
func changed(d *differ, o, n Section) SectionChange {
	c := SectionChange{Key: n.Key, Heading: n.Heading, Number: n.Number}
	if o.Heading != n.Heading {
		c.OldHeading = o.Heading
	}
	if o.Number != n.Number {
		c.OldNumber = o.Number
	}
	if o.Text != n.Text {
		d.diff(&d.ops, o.Text, n.Text)
		oh, ob := splitHeadingLine(o.Text)
		nh, nb := splitHeadingLine(n.Text)
		c.Modified = ob != nb || retitle(oh, o, n) != nh
	} else {
		d.ops.add(OpEqual, n.Text)
	}
	c.Ops = d.ops.done()
	for _, op := range c.Ops {
		switch op.Op {
		case OpInsert:
			c.WordsInserted += countWords(op.Text)
		case OpDelete:
			c.WordsDeleted += countWords(op.Text)
		}
	}
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

func summarize(cs []SectionChange) Summary {
	s := Summary{Changed: []string{}}
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
