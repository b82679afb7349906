package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Summary is the Markdown review summary a clerk pastes into a staff
// report: the meetings held since meeting since (all when since is 0), the
// feedback raised at them and what became of each item, and the sections
// changed since the revision that first meeting reviewed, cited by page
// and item of the current revision's letter-size PDF.
func (s *Service) Summary(ctx context.Context, id, since int64) ([]byte, error) {
	m, err := s.MOU(ctx, id)
	if err != nil {
		return nil, err
	}
	def, err := s.Workflow(ctx, m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	all, err := s.Meetings(ctx, id, 0, NoLimit)
	if err != nil {
		return nil, err
	}
	meetings := all
	if since != 0 {
		meetings = nil
		found := false
		for _, mt := range all {
			if mt.ID == since {
				found = true
			}
			if found {
				meetings = append(meetings, mt)
			}
		}
		if !found {
			return nil, moudesk.ErrNotFound(fmt.Sprintf("meeting %d of MOU %d", since, id))
		}
	}
	cur, err := s.Revision(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	headings := map[string]string{}
	for _, sec := range cur.Sections {
		headings[sec.Key] = sec.Heading
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Review summary: %s\n\n", mdText(m.Title))
	fmt.Fprintf(&b, "- Review process: %s\n", mdText(def.Title))
	fmt.Fprintf(&b, "- Current stage: %s\n", mdText(StageTitle(def, m.Stage)))
	fmt.Fprintf(&b, "- Current revision: %d (content hash `%s`)\n\n", cur.Number, moudesk.ShortHash(cur.ContentHash, moudesk.ShortHashLen))

	b.WriteString("## Meetings held\n\n")
	if len(meetings) == 0 {
		b.WriteString("No meetings were held.\n\n")
	}
	for _, mt := range meetings {
		fmt.Fprintf(&b, "- %s, %s", mdText(mt.Date), mdText(BodyTitle(def, mt.Body)))
		if mt.AgendaItem != "" {
			fmt.Fprintf(&b, ", agenda item %s", mdText(mt.AgendaItem))
		}
		if mt.Location != "" {
			fmt.Fprintf(&b, ", %s", mdText(mt.Location))
		}
		fmt.Fprintf(&b, ": reviewed revision %d", mt.Revision)
		if o := mt.Outcome; o != nil {
			fmt.Fprintf(&b, "; outcome **%s**", mdText(o.Outcome))
			if t, err := workflow.TallyVotes(o.Votes); err == nil && len(o.Votes) > 0 {
				fmt.Fprintf(&b, " (%d–%d", t.Aye, t.Nay)
				if t.Abstain > 0 {
					fmt.Fprintf(&b, ", %d abstaining", t.Abstain)
				}
				if t.Absent > 0 {
					fmt.Fprintf(&b, ", %d absent", t.Absent)
				}
				b.WriteString(")")
			}
			if o.ToStage != o.FromStage {
				fmt.Fprintf(&b, "; moved to %s", mdText(StageTitle(def, o.ToStage)))
			}
			if o.Resolution != "" {
				fmt.Fprintf(&b, "; resolution %s", mdText(o.Resolution))
			}
		} else {
			b.WriteString("; no outcome recorded yet")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Feedback\n\n")
	n := 0
	for _, mt := range meetings {
		for _, f := range mt.Feedback {
			n++
			label := f.Section
			if h := headings[f.Section]; h != "" {
				label = h
			}
			fmt.Fprintf(&b, "%d. **%s** (raised at the %s meeting of %s): %s\n", n, mdText(label), mdText(mt.Date), mdText(BodyTitle(def, mt.Body)), mdText(f.Text))
			switch f.Status {
			case FeedbackResolved:
				fmt.Fprintf(&b, "   - Resolved: the section was changed in revision %d.\n", derefInt(f.ResolvedRevision))
			case FeedbackDeclined:
				fmt.Fprintf(&b, "   - Declined: %s\n", mdText(f.DeclineReason))
			default:
				b.WriteString("   - Open.\n")
			}
		}
	}
	if n == 0 {
		b.WriteString("No feedback was raised.\n")
	}
	if len(meetings) > 0 {
		base := meetings[0].Revision
		fmt.Fprintf(&b, "\n## Sections changed since revision %d\n\n", base)
		if base == cur.Number {
			b.WriteString("No revision has been made since.\n")
		} else {
			old, err := s.Revision(ctx, id, base)
			if err != nil {
				return nil, err
			}
			r := redline.Compare(old.Content.Document(), cur.Content.Document(), redline.Options{})
			doc, err := s.RevisionPDF(m, cur, "letter")
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "Pages and items refer to revision %d as printed.\n\n", cur.Number)
			changed := 0
			for _, ct := range citedChanges(r, keyedPages(cur, doc.PageMap), newChangePages(cur, doc.PageMap)) {
				changed++
				b.WriteString("- " + ct + "\n")
			}
			if changed == 0 {
				fmt.Fprintf(&b, "Revision %d has the same text as revision %d.\n", cur.Number, base)
			}
		}
	}
	return []byte(b.String()), nil
}

// StageTitle is the stage's title for pages, packets and the summary.
func StageTitle(def *workflow.Definition, stage string) string {
	if s, ok := def.Stage(stage); ok && s.Title != "" {
		return s.Title
	}
	return stage
}

// citedChanges describes each changed section for a staff report, cited by
// the page and numbered item of the current revision's PDF (the document
// the body votes on) where its first change lands, with the start of what
// was inserted: "§7 Access to Student Records (pg. 5, item #7.3):
// modified, 14 words inserted and 3 deleted; now reads “The SRO sees …”".
func citedChanges(r *redline.Result, pages []SectionPages, cp *changePages) []string {
	cites := citations(r, pages, cp)
	out := make([]string, 0, len(cites))
	i := 0
	for _, sec := range r.Sections {
		if sec.Status == redline.StatusUnchanged {
			continue
		}
		ct := cites[i]
		i++
		line := mdText(ct.Label)
		if w := ct.Where(); w != "" {
			line += " (" + w + ")" // our own words and digits: nothing to escape
		}
		line += ": " + ct.Status
		if sec.WordsInserted+sec.WordsDeleted > 0 {
			line += fmt.Sprintf(", %d words inserted and %d deleted", sec.WordsInserted, sec.WordsDeleted)
		}
		for _, m := range ct.Moves {
			line += "; " + mdText(m)
		}
		if ex := changedExcerpt(sec.Ops, 15); ex != "" && sec.Status != redline.StatusRemoved {
			line += "; now reads “" + mdText(ex) + "”"
		}
		out = append(out, line)
	}
	return out
}

// changedExcerpt is the first words of the new text of the line in which a
// section's first change falls (the whole sentence a reader looks for,
// not the scattered inserted words), with an ellipsis when there is more.
func changedExcerpt(ops []redline.Op, words int) string {
	text, at := firstChange(ops)
	if at < 0 {
		return ""
	}
	start := strings.LastIndexByte(text[:at], '\n') + 1
	line := text[start:]
	if end := strings.IndexByte(line, '\n'); end >= 0 {
		line = line[:end]
	}
	f := strings.Fields(line)
	if len(f) > words {
		return strings.Join(f[:words], " ") + " …"
	}
	return strings.Join(f, " ")
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// mdEscaper backslash-escapes the characters that would make user text
// into Markdown markup (emphasis, links, HTML, code) in a pasted report.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "!", `\!`,
)

// mdText puts user text on one Markdown line, its markup escaped, so a
// line break cannot start a heading or list of its own.
func mdText(s string) string {
	return mdEscaper.Replace(strings.Join(strings.Fields(s), " "))
}
