package redline

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Move kinds.
const (
	MoveSection   = "section"
	MoveParagraph = "paragraph"
)

// Move is text that left one place and arrived at another: a whole
// section, or paragraphs (whole lines) moved inside a section or from one
// section to another. Both ends are ops carrying the move's ID: a delete
// at the old place and an insert at the new.
type Move struct {
	ID   int    `json:"id"`
	Kind string `json:"kind"`
	// From and To are where the text was and where it is now, in each
	// document's own numbering: "§4.2" (item 2 of section 4), "§4 ¶3"
	// (the third paragraph of a section, outside a numbered list), "§4"
	// for a section; "after §59 Termination" when a section kept its
	// printed number but not its place.
	From string `json:"from"`
	To   string `json:"to"`
	// FromKey is the key of the old section the text left; ToKey the key
	// of the new section it is in now.
	FromKey string `json:"from_key"`
	ToKey   string `json:"to_key"`
	// Words counts the words moved.
	Words int `json:"words"`
}

// Minimum size of a line that can be a moved paragraph: a shorter line
// ("Yes.", a table rule) recurs too easily by chance.
const minMovedWords = 4

// paraLine is a line of a section, a candidate end of a paragraph move.
type paraLine struct {
	sec        int // section index in its document
	start, end int // bytes of the section's Text
	span       int // index of its changed span; -1 in an added or removed section
	key        string
}

// movePair is one moved run of lines: old lines to new lines.
type movePair struct{ from, to paraLine }

// paragraphMoves pairs lines deleted from one place with the same lines
// inserted at another. Candidates are the lines of changed spans of
// sections that stayed in place (spans, by new index), and every line of
// added and removed sections; a moved section's own edits are left to
// its section diff. A line pairs only with a line of the same content
// (list marker and surrounding blanks aside) that is not in the same
// changed span of the same section: there go-diff's cleanup merely
// grouped an unchanged line with its changed neighbours, and the word
// diff shows it unchanged. Equal contents pair in document order.
// Consecutive paired lines that stay consecutive merge into one move.
func paragraphMoves(old, new []Section, a *alignment, keep []bool, spans [][]span) []movePair {
	var dels, ins []paraLine
	for i, s := range old {
		if a.newOf[i] < 0 {
			dels = bodyLines(dels, s.Text, i, -1, 0, len(s.Text))
		}
	}
	for j, s := range new {
		switch o := a.oldOf[j]; {
		case o < 0:
			ins = bodyLines(ins, s.Text, j, -1, 0, len(s.Text))
		case keep[j]:
			for k, sp := range spans[j] {
				if !sp.equal {
					dels = bodyLines(dels, old[o].Text, o, k, sp.a0, sp.a1)
					ins = bodyLines(ins, s.Text, j, k, sp.b0, sp.b1)
				}
			}
		}
	}
	if len(dels) == 0 || len(ins) == 0 {
		return nil
	}
	// Only text found once in each document can be said to have moved:
	// boilerplate repeated in many sections would otherwise pair an edit
	// here with an unrelated copy there.
	once := func(doc []Section, dl []paraLine) map[string]bool {
		want := make(map[string]int, len(dl))
		for _, l := range dl {
			want[l.key] = 0
		}
		for _, s := range doc {
			_, body := splitHeadingLine(s.Text)
			for body != "" {
				n := strings.IndexByte(body, '\n') + 1
				if n == 0 {
					n = len(body)
				}
				if k := lineKey(body[:n]); k != "" {
					if c, ok := want[k]; ok {
						want[k] = c + 1
					}
				}
				body = body[n:]
			}
		}
		out := make(map[string]bool, len(want))
		for k, c := range want {
			out[k] = c == 1
		}
		return out
	}
	oldOnce, newOnce := once(old, dels), once(new, ins)
	byKey := make(map[string]int, len(ins))
	for k, l := range ins {
		if newOnce[l.key] {
			byKey[l.key] = k
		}
	}
	var pairs []movePair
	for _, dl := range dels {
		k, ok := byKey[dl.key]
		if !ok || !oldOnce[dl.key] {
			continue
		}
		if il := ins[k]; (dl.span < 0 || dl.span != il.span || a.newOf[dl.sec] != il.sec) && countWords(dl.key) >= minMovedWords {
			pairs = append(pairs, movePair{dl, il})
		}
	}
	// Merge runs: the next pair continues this one when, on both sides,
	// only blank lines of the same span lie between them.
	slices.SortFunc(pairs, func(x, y movePair) int {
		if x.from.sec != y.from.sec {
			return x.from.sec - y.from.sec
		}
		return x.from.start - y.from.start
	})
	var out []movePair
	for _, p := range pairs {
		if n := len(out); n > 0 {
			q := &out[n-1]
			if q.from.sec == p.from.sec && q.to.sec == p.to.sec && q.from.span == p.from.span && q.to.span == p.to.span &&
				p.to.start >= q.to.end &&
				blank(old[p.from.sec].Text[q.from.end:p.from.start]) && blank(new[p.to.sec].Text[q.to.end:p.to.start]) {
				q.from.end, q.to.end = p.from.end, p.to.end
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// bodyLines appends the candidate lines of text[from:to] (whole lines of
// section sec's Text), skipping its heading line, blank lines and lines
// too short to hold minMovedWords words.
func bodyLines(dst []paraLine, text string, sec, span, from, to int) []paraLine {
	for pos := from; pos < to; {
		end := strings.IndexByte(text[pos:to], '\n') + 1
		if end == 0 {
			end = to - pos
		}
		line := text[pos : pos+end]
		start := pos
		pos += end
		if start == 0 && len(text) > 0 {
			if level, _ := atxHeading(line); level > 0 {
				continue
			}
		}
		// Words are counted only for lines that pair (paragraphMoves);
		// a line of minMovedWords words has at least 2·minMovedWords-1
		// bytes.
		key := lineKey(line)
		if len(key) < 2*minMovedWords-1 {
			continue
		}
		dst = append(dst, paraLine{sec: sec, start: start, end: pos, span: span, key: key})
	}
	return dst
}

// lineKey is what identifies a line as moved text: the line without its
// indentation, list marker ("- ", "3. ", "3) ") and trailing blanks, since
// a moved item takes the marker of its new place.
func lineKey(line string) string {
	s := strings.TrimLeft(line, " \t")
	n := 0
	for n < len(s) && n < 9 && isASCIIDigit(s[n]) {
		n++
	}
	switch {
	case n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')'):
		n++
	case n == 0 && len(s) > 0 && (s[0] == '-' || s[0] == '*' || s[0] == '+'):
		n = 1
	default:
		n = 0
	}
	if n > 0 && n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		s = s[n:]
	}
	return strings.TrimSpace(s)
}

// startsListItem reports whether line opens a list item.
func startsListItem(line string) bool { return lineKey(line) != strings.TrimSpace(line) }

// movedWords counts the words of moved lines, list markers aside: a
// moved item's number is its new place's, not text that moved.
func movedWords(text string) int {
	n := 0
	for text != "" {
		i := strings.IndexByte(text, '\n') + 1
		if i == 0 {
			i = len(text)
		}
		n += countWords(lineKey(text[:i]))
		text = text[i:]
	}
	return n
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// orderedItem matches a top-level ordered list item's marker; it compiles
// on first use, not in the init every command runs.
var orderedItem = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ {0,3}(\d{1,9})([.)])(?:[ \t]|$)`) })

// paragraphAddress names the place of byte offset at in section s for a
// reader: "§4.2" when it falls in item 2 of a numbered list at the top of
// the section body (Markdown's numbering: a list starts at its first
// marker's number), "§4 ¶3" for the third paragraph otherwise. A section
// without a number is named by its heading, the preamble as "Preamble".
func paragraphAddress(s Section, at int) string {
	body := 0
	if level, _ := atxHeading(firstLine(s.Text)); level > 0 {
		body = len(firstLine(s.Text))
	}
	para, num, delim, inList, prevBlank, col := 0, 0, "", false, true, 0
	for pos := body; pos <= at && pos < len(s.Text); {
		end := strings.IndexByte(s.Text[pos:], '\n') + 1
		if end == 0 {
			end = len(s.Text) - pos
		}
		line := strings.TrimRight(s.Text[pos:pos+end], "\r\n")
		pos += end
		m := orderedItem().FindStringSubmatch(line)
		switch {
		case strings.TrimSpace(line) == "":
			prevBlank = true
			continue
		case m != nil && !(inList && len(line)-len(strings.TrimLeft(line, " ")) >= col):
			// (a marker indented to the item's text opens a nested list)
			n, _ := strconv.Atoi(m[1])
			if inList && m[2] == delim {
				num++
			} else {
				num, delim, inList = n, m[2], true
			}
			col = len(line) - len(strings.TrimLeft(strings.TrimLeft(line, " ")[len(m[1])+1:], " \t"))
			para++
		case line[0] == ' ' || line[0] == '\t':
			// an indented continuation stays in the item or paragraph
		default:
			inList = false
			if prevBlank || startsListItem(line) {
				para++
			}
		}
		prevBlank = false
	}
	where := sectionAddress(s)
	if inList {
		if s.Number != "" {
			return where + "." + strconv.Itoa(num)
		}
		return where + " item " + strconv.Itoa(num)
	}
	return where + " ¶" + strconv.Itoa(max(para, 1))
}

// sectionAddress names a section by number, else by heading.
func sectionAddress(s Section) string {
	switch {
	case s.Number != "":
		return "§" + s.Number
	case s.Heading != "":
		return "“" + s.Heading + "”"
	case s.Key == preambleKey:
		return "Preamble"
	}
	return s.Key
}

// sectionMoveEnds names where a moved section was (from) and is (to).
// The printed number says it when it differs between the two documents;
// when it does not (numbers written into headings do not follow a move)
// or there is none, the place is named by the section it now follows, or
// followed, in that document.
func sectionMoveEnds(old, new []Section, o, n int) (from, to string) {
	if old[o].Number != "" && new[n].Number != "" && old[o].Number != new[n].Number {
		return "§" + old[o].Number, "§" + new[n].Number
	}
	return placeAfter(old, o), placeAfter(new, n)
}

func placeAfter(doc []Section, i int) string {
	if i == 0 {
		return "the start"
	}
	p := doc[i-1]
	return "after " + label(p.Number, p.Heading, p.Key)
}
