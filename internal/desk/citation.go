package desk

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// SectionPages is where one MOU section landed in the revision's PDF, by
// the section's stable key.
type SectionPages struct {
	Key     string            `json:"key"`
	Number  string            `json:"number,omitempty"`
	Heading string            `json:"heading"`
	Page    int               `json:"page"` // 0 when the heading was not found
	Items   []render.ItemPage `json:"items,omitempty"`
}

// keyedPages matches the page map's headings, in order, to the revision's
// sections: the title heading to the preamble, then each "N. Heading" at
// level 2 to section N. Headings inside section bodies sit between them
// and are skipped.
func keyedPages(rev *mou.Revision, pm render.PageMap) []SectionPages {
	out := make([]SectionPages, 0, len(rev.Sections)+1)
	j := 0
	pre := SectionPages{Key: mou.PreambleKey, Heading: rev.Title}
	for ; j < len(pm.Sections); j++ {
		if pm.Sections[j].Level == 1 {
			pre.Page, pre.Items = pm.Sections[j].Page, pm.Sections[j].Items
			j++
			break
		}
	}
	out = append(out, pre)
	for i, s := range rev.Sections {
		n := strconv.Itoa(i + 1)
		sp := SectionPages{Key: s.Key, Number: n, Heading: s.Heading}
		for k := j; k < len(pm.Sections); k++ {
			if pm.Sections[k].Level == 2 && strings.HasPrefix(pm.Sections[k].Heading, n+". ") {
				sp.Page, sp.Items = pm.Sections[k].Page, pm.Sections[k].Items
				j = k + 1
				break
			}
		}
		out = append(out, sp)
	}
	return out
}

// citation is one changed section in a change summary, cited by where its
// first change lands in the new revision's PDF.
type citation struct {
	Label  string // "§7 Access to Student Records"
	Status string // redline status
	Page   int    // 0 for a removed section
	// Item is the numbered item the change lands in, in the seed's
	// numbering: the section's number ("7"), then the number of the
	// top-level list item within it when the change falls in one ("7.3").
	Item  string
	Text  string // "§7 Access to Student Records, pg. 5, item #7.3"
	Words string
	// Moves names the paragraphs that moved into or out of the section,
	// "paragraph moved from §4.2", in the order of its ops.
	Moves []string
}

// Where is the citation in the form staff reports use, "pg. 5, item #7";
// empty when the section is not in the new revision.
func (c citation) Where() string {
	if c.Page == 0 {
		return ""
	}
	w := "pg. " + strconv.Itoa(c.Page)
	if c.Item != "" {
		w += ", item #" + c.Item
	}
	return w
}

// changePages finds on which page of a revision's PDF a place in one of
// its sections was drawn, from the page map of that very rendering.
type changePages struct {
	md    []byte         // the Markdown the PDF was drawn from
	start map[string]int // section key → offset of its text in md
	pm    render.PageMap
}

func newChangePages(rev *mou.Revision, pm render.PageMap) *changePages {
	doc := rev.Document()
	c := &changePages{start: make(map[string]int, len(doc.Sections)), pm: pm}
	var b strings.Builder
	for _, s := range doc.Sections {
		c.start[s.Key] = b.Len()
		b.WriteString(s.Text)
	}
	c.md = []byte(b.String())
	return c
}

// page is the page on which byte at of section key's text was drawn.
func (c *changePages) page(key string, at int) (int, bool) {
	if c == nil {
		return 0, false
	}
	start, ok := c.start[key]
	if !ok {
		return 0, false
	}
	return c.pm.PageAt(c.md, start+at)
}

// citations lists every section that changed between two revisions, citing
// the page and numbered item of the new revision's own PDF where its first
// change lands, so a reader can find each change in the document being
// voted on. The page is that of the block (paragraph, list item, heading)
// holding the change, from cp, the rendering's page map; without one, that
// of the numbered item, else of the heading (pages).
func citations(res *redline.Result, pages []SectionPages, cp *changePages) []citation {
	byKey := make(map[string]SectionPages, len(pages))
	for _, p := range pages {
		byKey[p.Key] = p
	}
	var out []citation
	for _, sec := range res.Sections {
		if sec.Status == redline.StatusUnchanged {
			continue
		}
		c := citation{Label: sectionLabel(sec), Status: sec.Status}
		if sec.WordsInserted+sec.WordsDeleted > 0 {
			c.Words = fmt.Sprintf("+%d/−%d words", sec.WordsInserted, sec.WordsDeleted)
		}
		c.Moves = paragraphMoves(sec.Ops)
		c.Text = c.Label
		if sp, ok := byKey[sec.Key]; ok && sec.Status != redline.StatusRemoved && sp.Page > 0 {
			c.Page = sp.Page
			c.Item = sec.Number
			if num := changedItem(sec.Ops); num > 0 {
				for _, it := range sp.Items {
					if it.Number == num {
						c.Page = it.Page
						break
					}
				}
				if c.Item != "" {
					c.Item += "."
				}
				c.Item += strconv.Itoa(num)
			}
			_, at := firstChange(sec.Ops)
			if pg, ok := cp.page(sec.Key, max(at, 0)); ok {
				c.Page = pg
			}
			c.Text += ", " + c.Where()
		}
		out = append(out, c)
	}
	return out
}

// paragraphMoves describes the ends of paragraph moves among a section's
// ops: "paragraph moved from §4.2", "paragraph moved to §12.3". A moved
// section's own ops carry none: its move is its status.
func paragraphMoves(ops []redline.Op) []string {
	var out []string
	for _, op := range ops {
		if op.Move != 0 && op.Label != "" {
			out = append(out, "paragraph "+op.Label)
		}
	}
	return out
}

// sectionLabel names a changed section by its place in the new revision,
// "§7 Access to Student Records" (a removed one by its old place): a
// citation points into the new text, so an old number would mislead.
func sectionLabel(sec redline.SectionChange) string {
	switch {
	case sec.Key == mou.PreambleKey:
		return "Title and preamble"
	case sec.Number != "" && sec.Heading != "":
		return "§" + sec.Number + " " + sec.Heading
	case sec.Number != "":
		return "§" + sec.Number
	case sec.Heading != "":
		return sec.Heading
	}
	return sec.Key
}

// firstChange is a section's new text (its ops less deletions) and the
// offset in it where the first change falls, -1 when nothing changed. An
// insertion that opens with line breaks (a paragraph added after the last
// one) falls where its text starts, not at the end of the line before.
func firstChange(ops []redline.Op) (text string, at int) {
	var newText strings.Builder
	at = -1
	for _, op := range ops {
		if op.Op != redline.OpEqual && at < 0 {
			at = newText.Len()
			if op.Op == redline.OpInsert {
				if rest := strings.TrimLeft(op.Text, "\n"); rest != "" {
					at += len(op.Text) - len(rest)
				}
			}
		}
		if op.Op != redline.OpDelete {
			newText.WriteString(op.Text)
		}
	}
	return newText.String(), at
}

// orderedItem matches a top-level ordered list item's marker; it compiles
// on first use, not in the init every command runs.
var orderedItem = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ {0,3}(\d{1,9})([.)])(?:[ \t]|$)`) })

// changedItem is the number of the top-level numbered list item in which a
// section's first change falls, on the new side, or 0 when the change is
// outside any numbered list. It follows Markdown's own numbering: a list
// starts at its first marker's number and counts up from there.
func changedItem(ops []redline.Op) int {
	text, at := firstChange(ops)
	if at < 0 {
		return 0
	}
	num, delim, inList, col := 0, "", false, 0
	for pos := 0; pos <= at && pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		line := text[pos : pos+end]
		pos += end + 1
		// A marker indented to the current item's text is a nested list's
		// ("4. Role:" then "   1. review …"), not the next item.
		switch m := orderedItem().FindStringSubmatch(line); {
		case m != nil && !(inList && leadingSpaces(line) >= col):
			n, _ := strconv.Atoi(m[1])
			if inList && m[2] == delim {
				num++
			} else {
				num, delim, inList = n, m[2], true
			}
			col = itemTextColumn(line)
		case strings.TrimSpace(line) == "", line[0] == ' ' || line[0] == '\t':
			// blank lines and indented continuations stay in the item
		default:
			inList = false
		}
	}
	if !inList {
		return 0
	}
	return num
}

// leadingSpaces counts the spaces a line starts with.
func leadingSpaces(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// itemTextColumn is where a list item's text starts on its marker line:
// after the marker and one to four spaces (CommonMark; more than four, and
// the text is indented code one space after the marker).
func itemTextColumn(line string) int {
	i := leadingSpaces(line)
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	i++ // the '.' or ')'
	sp := leadingSpaces(line[min(i, len(line)):])
	if sp == 0 || sp > 4 {
		sp = 1
	}
	return i + sp
}

// summaryMarkdown is the change-summary page of a redline or packet.
func summaryMarkdown(title string, from, to *mou.Revision, res *redline.Result, cites []citation) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Summary of changes\n\n**%s**: revision %d (%s) to revision %d (%s)\n\n",
		mdEscape(title), from.Number, moudesk.ShortHash(from.ContentHash, moudesk.HeaderHashLen), to.Number, moudesk.ShortHash(to.ContentHash, moudesk.HeaderHashLen))
	sm := res.Summary
	fmt.Fprintf(&b, "%d sections changed: %d modified, %d added, %d removed, %d moved, %d renamed; %d words inserted, %d deleted.\n\n",
		len(cites), sm.Modified, sm.Added, sm.Removed, sm.Moved, sm.Renamed, sm.WordsInserted, sm.WordsDeleted)
	if len(cites) == 0 {
		b.WriteString("The two revisions are the same.\n")
		return []byte(b.String())
	}
	fmt.Fprintf(&b, "Pages and items refer to revision %d as printed on its own.\n\n", to.Number)
	for _, c := range cites {
		line := mdEscape(c.Text) + " — " + mdEscape(c.Status)
		if c.Words != "" {
			line += " (" + mdEscape(c.Words) + ")"
		}
		for _, m := range c.Moves {
			line += "; " + mdEscape(m)
		}
		b.WriteString("- " + line + "\n")
	}
	return []byte(b.String())
}
