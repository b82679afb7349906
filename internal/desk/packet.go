package desk

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Packet is a meeting packet of MOU id: a cover naming the MOU, the
// revisions compared and the date; the change summary with page citations;
// then the redline. to 0 is the current revision and from 0 the one before
// to; it returns the revisions it compared. A packet carries the day it
// was prepared (the service's clock), so it is drawn afresh every time.
func (s *Service) Packet(ctx context.Context, id int64, from, to int, paper string) (doc *PDF, fromN, toN int, err error) {
	if to == 0 {
		m, err := s.MOU(ctx, id)
		if err != nil {
			return nil, 0, 0, err
		}
		to = m.CurrentRevision
	}
	if from == 0 {
		from = to - 1
	}
	if from < 1 {
		return nil, 0, 0, moudesk.Errorf(moudesk.KindUnprocessable, "nothing_to_compare", "the MOU has only revision %d; pass from= and to= to choose two revisions", to)
	}
	cmp, err := s.compare(ctx, id, from, to, paper)
	if err != nil {
		return nil, 0, 0, err
	}
	now := s.Now().UTC()
	opt := redlineOptions(cmp, paper, "Meeting packet")
	opt.Time = now
	cover := packetCover(cmp, now.Format("2 January 2006"))
	summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
	preface, err := s.withRecommendations(ctx, cmp.mou, cover, summary)
	if err != nil {
		return nil, 0, 0, err
	}
	res, err := render.RedlineReport(preface, cmp.redline, opt)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("render packet of MOU %d, %d to %d: %w", id, from, to, err)
	}
	return NewPDF(res), from, to, nil
}

// packetCover is the first page of a meeting packet.
func packetCover(cmp *comparison, date string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n## Meeting packet\n\n", mdEscape(cmp.to.Title))
	fmt.Fprintf(&b, "**Revisions compared:** revision %d (%s, %s) to revision %d (%s, %s)\n\n",
		cmp.from.Number, moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen), cmp.from.CreatedAt.UTC().Format("2 January 2006"),
		cmp.to.Number, moudesk.ShortHash(cmp.to.ContentHash, moudesk.HeaderHashLen), cmp.to.CreatedAt.UTC().Format("2 January 2006"))
	fmt.Fprintf(&b, "**Stage:** %s\n\n**Prepared:** %s\n\n", mdEscape(cmp.mou.Stage), mdEscape(date))
	var parties []string
	for _, pt := range cmp.mou.Parties {
		parties = append(parties, mdEscape(pt.Name))
	}
	if len(parties) > 0 {
		fmt.Fprintf(&b, "**Parties:** %s\n\n", strings.Join(parties, "; "))
	}
	b.WriteString("**Contents:** summary of changes with page citations into revision " + strconv.Itoa(cmp.to.Number) + ", then the full redline.\n")
	return []byte(b.String())
}

// MeetingPacket is the packet for one meeting of MOU id, comparing the
// revision that meeting reviews with the revision its previous meeting
// reviewed, so members see what changed since they (or the body before
// them) last looked. The first meeting of an MOU compares with revision 1
// (for an amendment, the executed text it starts from); the cover says
// which case applies. "Previous" is by creation order, which is review
// order: a meeting is always created on the MOU's current revision.
func (s *Service) MeetingPacket(ctx context.Context, id, meetingID int64, paper string) (*PDF, error) {
	meetings, err := s.Meetings(ctx, id, 0, NoLimit)
	if err != nil {
		return nil, err
	}
	at := -1
	for i, mt := range meetings {
		if mt.ID == meetingID {
			at = i
		}
	}
	if at < 0 {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("meeting %d of MOU %d", meetingID, id))
	}
	mt := meetings[at]
	var prev *Meeting
	from := 1
	if at > 0 {
		prev = &meetings[at-1]
		from = prev.Revision
	}
	cmp, err := s.compare(ctx, id, from, mt.Revision, paper)
	if err != nil {
		return nil, err
	}
	def, err := s.Workflow(ctx, cmp.mou.Workflow, cmp.mou.WorkflowVersion)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	opt := redlineOptions(cmp, paper, "Meeting packet")
	opt.Time = now
	cover := meetingCover(def, cmp, &mt, prev, now.Format("2 January 2006"))
	summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
	preface, err := s.withRecommendations(ctx, cmp.mou, cover, summary)
	if err != nil {
		return nil, err
	}
	res, err := render.RedlineReport(preface, cmp.redline, opt)
	if err != nil {
		return nil, fmt.Errorf("render packet of MOU %d for meeting %d: %w", id, meetingID, err)
	}
	return NewPDF(res), nil
}

// meetingCover is the first page of a meeting's packet: the meeting, the
// revision it reviews, what that is compared with and why, and the feedback
// raised at the previous meeting with what became of it.
func meetingCover(def *workflow.Definition, cmp *comparison, mt, prev *Meeting, prepared string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n## Meeting packet\n\n", mdEscape(cmp.mou.Title))
	where := []string{mdEscape(BodyTitle(def, mt.Body)), mdEscape(mt.Date)}
	if mt.Location != "" {
		where = append(where, mdEscape(mt.Location))
	}
	if mt.AgendaItem != "" {
		where = append(where, "agenda item "+mdEscape(mt.AgendaItem))
	}
	fmt.Fprintf(&b, "**Meeting:** %s\n\n", strings.Join(where, ", "))
	fmt.Fprintf(&b, "**Stage:** %s\n\n", mdEscape(StageTitle(def, mt.Stage)))
	fmt.Fprintf(&b, "**Revision under review:** revision %d (%s, %s)\n\n",
		cmp.to.Number, moudesk.ShortHash(cmp.to.ContentHash, moudesk.HeaderHashLen), cmp.to.CreatedAt.UTC().Format("2 January 2006"))
	switch {
	case prev != nil:
		fmt.Fprintf(&b, "**Compared with:** revision %d (%s), which the previous meeting reviewed (%s, %s)\n\n",
			cmp.from.Number, moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen), mdEscape(BodyTitle(def, prev.Body)), mdEscape(prev.Date))
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
			case FeedbackResolved:
				status = fmt.Sprintf("resolved by revision %d", derefInt(f.ResolvedRevision))
			case FeedbackDeclined:
				status = "declined: " + f.DeclineReason
			}
			fmt.Fprintf(&b, "- %s: %s — %s\n", mdEscape(f.Section), mdEscape(f.Text), mdEscape(status))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**Contents:** summary of changes with page citations into revision %d, then the full redline.\n", cmp.to.Number)
	return []byte(b.String())
}
