package web

import (
	"fmt"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/workflow"
)

// meetingPacket answers packet.pdf?meeting=<mid>: the packet for one
// meeting of the MOU, comparing the revision that meeting reviews with the
// revision its previous meeting reviewed, so members see what changed since
// they (or the body before them) last looked. The first meeting of an MOU
// compares with revision 1 (for an amendment, the executed text it starts
// from); the cover says which case applies. "Previous" is by creation
// order, which is review order: a meeting is always created on the MOU's
// current revision.
func (p *pdfHandlers) meetingPacket(c *gin.Context, id, meetingID int64, params pdfParams) error {
	ctx := c.Request.Context()
	meetings, err := p.desk.Meetings(ctx, id, 0, desk.NoLimit)
	if err != nil {
		return err
	}
	at := -1
	for i, mt := range meetings {
		if mt.ID == meetingID {
			at = i
		}
	}
	if at < 0 {
		return moudesk.ErrNotFound(fmt.Sprintf("meeting %d of MOU %d", meetingID, id))
	}
	mt := meetings[at]
	var prev *desk.Meeting
	from := 1
	if at > 0 {
		prev = &meetings[at-1]
		from = prev.Revision
	}
	cmp, err := p.compare(c, id, from, mt.Revision, params)
	if err != nil {
		return err
	}
	def, err := p.desk.Workflow(cmp.mou.Workflow)
	if err != nil {
		return err
	}
	now := p.cfg.Now().UTC()
	opt := redlineOptions(cmp, params, "Meeting packet")
	opt.Time = now
	cover := meetingCover(def, cmp, &mt, prev, now.Format("2 January 2006"))
	summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
	res, err := render.RedlineReport([][]byte{cover, summary}, cmp.redline, opt)
	if err != nil {
		return fmt.Errorf("render packet of MOU %d for meeting %d: %w", id, meetingID, err)
	}
	writePDF(c, desk.NewPDF(res), fmt.Sprintf("mou-%d-meeting-%d-packet.pdf", id, meetingID))
	return nil
}

// meetingCover is the first page of a meeting's packet: the meeting, the
// revision it reviews, what that is compared with and why, and the feedback
// raised at the previous meeting with what became of it.
func meetingCover(def *workflow.Definition, cmp *comparison, mt, prev *desk.Meeting, prepared string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n## Meeting packet\n\n", mdEscape(cmp.mou.Title))
	where := []string{mdEscape(desk.BodyTitle(def, mt.Body)), mdEscape(mt.Date)}
	if mt.Location != "" {
		where = append(where, mdEscape(mt.Location))
	}
	if mt.AgendaItem != "" {
		where = append(where, "agenda item "+mdEscape(mt.AgendaItem))
	}
	fmt.Fprintf(&b, "**Meeting:** %s\n\n", strings.Join(where, ", "))
	fmt.Fprintf(&b, "**Stage:** %s\n\n", mdEscape(stageTitle(def, mt.Stage)))
	fmt.Fprintf(&b, "**Revision under review:** revision %d (%s, %s)\n\n",
		cmp.to.Number, moudesk.ShortHash(cmp.to.ContentHash, moudesk.HeaderHashLen), cmp.to.CreatedAt.UTC().Format("2 January 2006"))
	switch {
	case prev != nil:
		fmt.Fprintf(&b, "**Compared with:** revision %d (%s), which the previous meeting reviewed (%s, %s)\n\n",
			cmp.from.Number, moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen), mdEscape(desk.BodyTitle(def, prev.Body)), mdEscape(prev.Date))
	case cmp.mou.AmendsMOUID != nil:
		fmt.Fprintf(&b, "**Compared with:** revision 1 (%s), the executed text this amendment changes; this is the amendment's first meeting\n\n",
			moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen))
	default:
		fmt.Fprintf(&b, "**Compared with:** revision 1 (%s), the first draft; this is the first meeting on this MOU\n\n", moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen))
	}
	if cmp.from.Number == cmp.to.Number {
		b.WriteString("**No changes:** the text under review is the same revision, so the redline below shows it without marks.\n\n")
	}
	fmt.Fprintf(&b, "**Prepared:** %s\n\n", mdEscape(prepared))
	var parties []string
	for _, pt := range cmp.mou.Parties {
		parties = append(parties, mdEscape(pt.Name))
	}
	if len(parties) > 0 {
		fmt.Fprintf(&b, "**Parties:** %s\n\n", strings.Join(parties, "; "))
	}
	if prev != nil && len(prev.Feedback) > 0 {
		b.WriteString("### Feedback from the previous meeting\n\n")
		for _, f := range prev.Feedback {
			status := "open"
			switch f.Status {
			case desk.FeedbackResolved:
				status = fmt.Sprintf("resolved by revision %d", derefInt(f.ResolvedRevision))
			case desk.FeedbackDeclined:
				status = "declined: " + f.DeclineReason
			}
			fmt.Fprintf(&b, "- %s: %s — %s\n", mdEscape(f.Section), mdEscape(f.Text), mdEscape(status))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**Contents:** summary of changes with page citations into revision %d, then the full redline.\n", cmp.to.Number)
	return []byte(b.String())
}
