package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/workflow"
)

// workflowHandlers serves transitions, meetings, feedback, outcomes and the
// review summary.
type workflowHandlers struct {
	*Server
	pdf *pdfHandlers // renders the current revision so the summary cites its pages
}

// positiveID reads a path parameter that names a row by its id.
func positiveID(c *gin.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, errInvalid("invalid_id", "the %s id must be a positive whole number", what)
	}
	return id, nil
}

type transitionRequest struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

// transition moves an MOU by hand; every move the definition does not list
// under manual: is 422 stage_skipped.
func (w *workflowHandlers) transition(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := w.desk.Transition(c.Request.Context(), actor(c), id, req.To, req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"stage": ch.To, "transition": ch})
	return nil
}

type meetingRequest struct {
	Body       string `json:"body"`
	Date       string `json:"date"`
	Location   string `json:"location"`
	AgendaItem string `json:"agenda_item"`
	Revision   int    `json:"revision"`
}

func (w *workflowHandlers) createMeeting(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var req meetingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := w.desk.CreateMeeting(c.Request.Context(), actor(c), id, desk.NewMeeting{
		Body: req.Body, Date: req.Date, Location: req.Location, AgendaItem: req.AgendaItem, Revision: req.Revision})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"meeting": m})
	return nil
}

func (w *workflowHandlers) listMeetings(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	p, err := readListPage(c, "meetings")
	if err != nil {
		return err
	}
	ms, err := w.desk.Meetings(c.Request.Context(), id, p.after, p.limit+1)
	if err != nil {
		return err
	}
	ms, next := pageOf(ms, p, "meetings", func(m desk.Meeting) int64 { return m.ID })
	c.JSON(http.StatusOK, pageBody("meetings", ms, next))
	return nil
}

func (w *workflowHandlers) getMeeting(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	m, err := w.desk.Meeting(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"meeting": m})
	return nil
}

type feedbackRequest struct {
	Section string `json:"section"`
	Text    string `json:"text"`
	Quote   string `json:"quote"`
}

func (w *workflowHandlers) createFeedback(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req feedbackRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.CreateFeedback(c.Request.Context(), actor(c), id, req.Section, req.Text, req.Quote)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"feedback": f})
	return nil
}

func (w *workflowHandlers) listFeedback(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	p, err := readListPage(c, "feedback")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := w.desk.MOU(ctx, id); err != nil {
		return err
	}
	fs, err := w.desk.MOUFeedback(ctx, id, c.Query("status"), p.after, p.limit+1)
	if err != nil {
		return err
	}
	fs, next := pageOf(fs, p, "feedback", func(f desk.Feedback) int64 { return f.ID })
	c.JSON(http.StatusOK, pageBody("feedback", fs, next))
	return nil
}

type resolveRequest struct {
	Revision int `json:"revision"`
}

func (w *workflowHandlers) resolveFeedback(c *gin.Context) error {
	id, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.ResolveFeedback(c.Request.Context(), actor(c), id, req.Revision)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feedback": f})
	return nil
}

type declineRequest struct {
	Reason string `json:"reason"`
}

func (w *workflowHandlers) declineFeedback(c *gin.Context) error {
	id, err := positiveID(c, "fid", "feedback")
	if err != nil {
		return err
	}
	var req declineRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := w.desk.DeclineFeedback(c.Request.Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feedback": f})
	return nil
}

type outcomeRequest struct {
	Outcome    string          `json:"outcome"`
	Votes      []workflow.Vote `json:"votes"`
	Resolution string          `json:"resolution"`
	Minutes    string          `json:"minutes"`
}

// recordOutcome records a body's decision. Only a clerk of the body's own
// party may (any party of the MOU for a joint body): the city clerk cannot
// record the school board's vote. That refusal is audited like any other
// denied write, and writes nothing else.
func (w *workflowHandlers) recordOutcome(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req outcomeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, stage, err := w.outcome(c, id, desk.NewOutcome{
		Outcome: req.Outcome, Votes: req.Votes, Resolution: req.Resolution, Minutes: req.Minutes})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"meeting": out, "stage": stage})
	return nil
}

// outcome records the outcome through the service, auditing a refusal
// for another party's body as the route guard audits its own refusals.
func (w *workflowHandlers) outcome(c *gin.Context, id int64, n desk.NewOutcome) (*desk.Meeting, string, error) {
	out, stage, err := w.desk.RecordOutcome(c.Request.Context(), principal(c), actor(c), id, n)
	if e, ok := moudesk.AsError(err); ok && e.Code == "wrong_party" {
		w.auditDenial(c, auth.OutcomeWrite, e)
	}
	return out, stage, err
}

// stageTitle is the stage's title for the summary.
func stageTitle(def *workflow.Definition, stage string) string {
	if s, ok := def.Stage(stage); ok && s.Title != "" {
		return s.Title
	}
	return stage
}

func (w *workflowHandlers) summary(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	var since int64
	if q := c.Query("since_meeting"); q != "" {
		since, err = strconv.ParseInt(q, 10, 64)
		if err != nil || since < 1 {
			return errInvalid("invalid_since_meeting", "since_meeting must be a meeting id")
		}
	}
	out, err := w.buildSummary(ctx, id, since)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="mou-%d-review-summary.md"`, id))
	c.Data(http.StatusOK, "text/markdown; charset=utf-8", out)
	return nil
}

// buildSummary writes the Markdown a clerk pastes into a staff report:
// the meetings held since a meeting (all when since is 0), the feedback
// raised at them and what became of each item, and the sections changed
// since the revision that first meeting reviewed.
func (w *workflowHandlers) buildSummary(ctx context.Context, id, since int64) ([]byte, error) {
	m, err := w.desk.MOU(ctx, id)
	if err != nil {
		return nil, err
	}
	def, err := w.desk.Workflow(m.Workflow)
	if err != nil {
		return nil, err
	}
	all, err := w.desk.Meetings(ctx, id, 0, desk.NoLimit)
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
	cur, err := w.desk.Revision(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	headings := map[string]string{}
	for _, s := range cur.Sections {
		headings[s.Key] = s.Heading
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Review summary: %s\n\n", mdText(m.Title))
	fmt.Fprintf(&b, "- Review process: %s\n", mdText(def.Title))
	fmt.Fprintf(&b, "- Current stage: %s\n", mdText(stageTitle(def, m.Stage)))
	fmt.Fprintf(&b, "- Current revision: %d (content hash `%s`)\n\n", cur.Number, moudesk.ShortHash(cur.ContentHash, moudesk.ShortHashLen))

	b.WriteString("## Meetings held\n\n")
	if len(meetings) == 0 {
		b.WriteString("No meetings were held.\n\n")
	}
	for _, mt := range meetings {
		fmt.Fprintf(&b, "- %s, %s", mdText(mt.Date), mdText(desk.BodyTitle(def, mt.Body)))
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
				fmt.Fprintf(&b, "; moved to %s", mdText(stageTitle(def, o.ToStage)))
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
			fmt.Fprintf(&b, "%d. **%s** (raised at the %s meeting of %s): %s\n", n, mdText(label), mdText(mt.Date), mdText(desk.BodyTitle(def, mt.Body)), mdText(f.Text))
			switch f.Status {
			case desk.FeedbackResolved:
				fmt.Fprintf(&b, "   - Resolved: the section was changed in revision %d.\n", derefInt(f.ResolvedRevision))
			case desk.FeedbackDeclined:
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
			old, err := w.desk.Revision(ctx, id, base)
			if err != nil {
				return nil, err
			}
			r := redline.Compare(old.Content.Document(), cur.Content.Document(), redline.Options{})
			doc, err := w.desk.RevisionPDF(m, cur, "letter")
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "Pages and items refer to revision %d as printed.\n\n", cur.Number)
			changed := 0
			for _, ct := range citedChanges(r, keyedPages(cur, doc.PageMap)) {
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

// citedChanges describes each changed section for a staff report, cited by
// page and numbered item of the current revision's PDF (the document the
// body votes on), with the start of what was inserted: "§7 Access to
// Student Records (pg. 2, item 7): modified, 14 words inserted and 3
// deleted; now reads “The SRO sees …”".
func citedChanges(r *redline.Result, pages []SectionPages) []string {
	cites := citations(r, pages)
	out := make([]string, 0, len(cites))
	i := 0
	for _, sec := range r.Sections {
		if sec.Status == redline.StatusUnchanged {
			continue
		}
		ct := cites[i]
		i++
		line := mdText(ct.Label)
		if ct.Page > 0 {
			where := "pg. " + strconv.Itoa(ct.Page)
			if ct.Item > 0 {
				where += ", item " + strconv.Itoa(ct.Item)
			}
			line += " (" + where + ")"
		}
		line += ": " + ct.Status
		if sec.WordsInserted+sec.WordsDeleted > 0 {
			line += fmt.Sprintf(", %d words inserted and %d deleted", sec.WordsInserted, sec.WordsDeleted)
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
