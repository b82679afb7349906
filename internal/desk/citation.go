package desk

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
	Label  string // "§6 Access to Student Records"
	Status string // redline status
	Page   int
	Item   int
	Text   string // "§6 Access to Student Records, pg. 2, item 7"
	Words  string
}

// citations lists every section that changed between two revisions, citing
// pages and numbered items of the new revision's own PDF (pages), so a
// reader can find each change in the document being voted on.
func citations(res *redline.Result, pages []SectionPages) []citation {
	byKey := make(map[string]SectionPages, len(pages))
	for _, p := range pages {
		byKey[p.Key] = p
	}
	var out []citation
	for _, sec := range res.Sections {
		if sec.Status == redline.StatusUnchanged {
			continue
		}
		c := citation{Label: sec.Label(), Status: sec.Status}
		if sec.Key == mou.PreambleKey {
			c.Label = "Title and preamble"
		}
		if sec.WordsInserted+sec.WordsDeleted > 0 {
			c.Words = fmt.Sprintf("+%d/−%d words", sec.WordsInserted, sec.WordsDeleted)
		}
		c.Text = c.Label
		if sp, ok := byKey[sec.Key]; ok && sec.Status != redline.StatusRemoved && sp.Page > 0 {
			c.Page = sp.Page
			if num := changedItem(sec.Ops); num > 0 {
				for _, it := range sp.Items {
					if it.Number == num {
						c.Page, c.Item = it.Page, num
						break
					}
				}
			}
			c.Text += ", pg. " + strconv.Itoa(c.Page)
			if c.Item > 0 {
				c.Text += ", item " + strconv.Itoa(c.Item)
			}
		}
		out = append(out, c)
	}
	return out
}

// firstChange is a section's new text (its ops less deletions) and the
// offset in it where the first change falls, -1 when nothing changed.
func firstChange(ops []redline.Op) (text string, at int) {
	var newText strings.Builder
	at = -1
	for _, op := range ops {
		if op.Op != redline.OpEqual && at < 0 {
			at = newText.Len()
		}
		if op.Op != redline.OpDelete {
			newText.WriteString(op.Text)
		}
	}
	return newText.String(), at
}

var orderedItem = regexp.MustCompile(`^ {0,3}(\d{1,9})([.)])(?:[ \t]|$)`)

// changedItem is the number of the top-level numbered list item in which a
// section's first change falls, on the new side, or 0 when the change is
// outside any numbered list. It follows Markdown's own numbering: a list
// starts at its first marker's number and counts up from there.
func changedItem(ops []redline.Op) int {
	text, at := firstChange(ops)
	if at < 0 {
		return 0
	}
	num, delim, inList := 0, "", false
	for pos := 0; pos <= at && pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		line := text[pos : pos+end]
		pos += end + 1
		switch m := orderedItem.FindStringSubmatch(line); {
		case m != nil:
			n, _ := strconv.Atoi(m[1])
			if inList && m[2] == delim {
				num++
			} else {
				num, delim, inList = n, m[2], true
			}
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
		b.WriteString("- " + line + "\n")
	}
	return []byte(b.String())
}
