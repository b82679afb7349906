package redline

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the redline for terminals and e-mail: a summary line,
// then one block per changed section, headed by its label and what
// happened to it ("§8 → §12 Heading — moved from §8 to §12"), then the
// lines that changed with [+inserted+] and [-deleted-] markers; a moved
// paragraph's markers name its other end ("[-(moved to §12.3) …-]").
// Added and removed sections are written whole; unchanged sections are
// left out.
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, r.Summary.sentence())
	for _, c := range r.Sections {
		if c.Status == StatusUnchanged {
			continue
		}
		fmt.Fprintf(bw, "\n%s — %s\n", c.Label(), c.describe())
		writeChangedLines(bw, c)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("redline: write text: %w", err)
	}
	return nil
}

// sentence summarises the totals, e.g. "Redline: 1 moved, 36 modified; 596
// words inserted, 70 deleted."
func (s Summary) sentence() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{s.Added, "added"}, {s.Removed, "removed"}, {s.Moved, "moved"}, {s.Renamed, "renamed"}, {s.Modified, "modified"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "Redline: no changes."
	}
	moved := ""
	if s.MovedParagraphs > 0 {
		moved = fmt.Sprintf("; %d paragraph move%s", s.MovedParagraphs, plural(s.MovedParagraphs))
	}
	return fmt.Sprintf("Redline: %s section%s%s; %d words inserted, %d deleted.",
		strings.Join(parts, ", "), plural(len(s.Changed)), moved, s.WordsInserted, s.WordsDeleted)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// describe says in words what happened to a section.
func (c SectionChange) describe() string {
	var b strings.Builder
	switch c.Status {
	case StatusMoved:
		switch {
		case c.moveNote != "":
			b.WriteString(c.moveNote)
		case c.MovedFrom != "" && isASCIIDigit(c.MovedFrom[0]):
			b.WriteString("moved from §" + c.MovedFrom)
		case c.MovedFrom != "":
			b.WriteString("moved from " + c.MovedFrom)
		default:
			b.WriteString("moved")
		}
	case StatusRenamed:
		b.WriteString("renamed from “" + c.OldHeading + "”")
	default:
		b.WriteString(c.Status)
	}
	if c.Status == StatusMoved && c.OldHeading != "" {
		b.WriteString(", renamed from “" + c.OldHeading + "”")
	}
	if c.WordsInserted > 0 || c.WordsDeleted > 0 {
		fmt.Fprintf(&b, " (+%d -%d words)", c.WordsInserted, c.WordsDeleted)
	}
	return b.String()
}

// writeChangedLines writes the lines of c that hold a change, marked up,
// with a blank line between runs of lines that are not adjacent.
func writeChangedLines(w *bufio.Writer, c SectionChange) {
	var text strings.Builder
	var touched []bool // per line of text: does it hold a change?
	line := 0
	mark := func(from, to int) {
		for len(touched) <= to {
			touched = append(touched, false)
		}
		for i := from; i <= to; i++ {
			touched[i] = true
		}
	}
	for _, op := range c.Ops {
		open, close := "", ""
		switch op.Op {
		case OpInsert:
			open, close = "[+", "+]"
		case OpDelete:
			open, close = "[-", "-]"
		}
		if op.Label != "" {
			open += "(" + op.Label + ") "
		}
		start := line
		text.WriteString(open)
		text.WriteString(op.Text)
		text.WriteString(close)
		line += strings.Count(op.Text, "\n")
		if op.Op != OpEqual {
			mark(start, line) // the closing marker sits on the last line

		}
	}
	lines := strings.SplitAfter(text.String(), "\n")
	last := -2
	for i, l := range lines {
		if i >= len(touched) || !touched[i] || l == "" {
			continue
		}
		if last >= 0 && i != last+1 {
			w.WriteString("\n")
		}
		w.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			w.WriteString("\n")
		}
		last = i
	}
}
