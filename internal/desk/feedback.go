package desk

import (
	"context"
	"fmt"

	"github.com/moudesk/moudesk"
)

// Feedback is raised at a meeting on a section of the meeting's revision,
// and closed by a later revision that changed that section or by a reason
// from the party that raised it. The rules are here, decided in the write
// transaction; the store keeps the rows.

// CreateFeedback records a point raised at a meeting on one section of the
// meeting's revision (422 unknown_section). Audited as feedback.create.
func (s *Service) CreateFeedback(ctx context.Context, actor moudesk.Actor, meetingID int64, section, text, quote string) (*Feedback, error) {
	if err := moudesk.CheckText("section", section, moudesk.MaxShortText, true); err != nil {
		return nil, err
	}
	if err := moudesk.CheckText("text", text, moudesk.MaxText, true); err != nil {
		return nil, err
	}
	if err := moudesk.CheckText("quote", quote, moudesk.MaxText, false); err != nil {
		return nil, err
	}
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if _, err := s.actingMOU(ctx, actor, mt.MOUID); err != nil {
		return nil, err
	}
	var id int64
	err = s.store.Update(ctx, func(tx Tx) error {
		m, err := tx.Meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		h, err := tx.SectionHash(ctx, m.MOUID, m.Revision, section)
		if err != nil {
			return err
		}
		if h == "" {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_section", Field: "section",
				Message: fmt.Sprintf("revision %d of MOU %d has no section %q", m.Revision, m.MOUID, section)}
		}
		if id, err = tx.InsertFeedback(ctx, actor, NewFeedback{MeetingID: meetingID, MOUID: m.MOUID, Section: section, Text: text, Quote: quote}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, actor, "feedback.create", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": m.MOUID, "meeting": meetingID, "section": section}); err != nil {
			return err
		}
		return s.notifyFeedback(ctx, tx, actor, m, id, section, text)
	})
	if err != nil {
		return nil, err
	}
	return s.store.FeedbackItem(ctx, id)
}

// actingFeedback is feedback item id, once actor may act on its MOU.
func (s *Service) actingFeedback(ctx context.Context, actor moudesk.Actor, id int64) (*Feedback, error) {
	f, err := s.store.FeedbackItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.actingMOU(ctx, actor, f.MOUID); err != nil {
		return nil, err
	}
	return f, nil
}

// openFeedback reads feedback id in tx; closed feedback is 409
// feedback_closed.
func openFeedback(ctx context.Context, tx Tx, id int64) (*Feedback, error) {
	f, err := tx.Feedback(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.Status != FeedbackOpen {
		return nil, moudesk.Errorf(moudesk.KindConflict, "feedback_closed", "feedback %d is already %s", id, f.Status)
	}
	return f, nil
}

// ResolveFeedback closes feedback as answered by revision, which must be
// later than the meeting's and must have changed (or removed) the section
// (422 revision_not_later, section_unchanged: decline it with a reason
// instead). Audited as feedback.resolve.
func (s *Service) ResolveFeedback(ctx context.Context, actor moudesk.Actor, id int64, revision int) (*Feedback, error) {
	if revision < 1 {
		return nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_field", Field: "revision", Message: "revision (the revision that answers the feedback) is required"}
	}
	if _, err := s.actingFeedback(ctx, actor, id); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		f, err := openFeedback(ctx, tx, id)
		if err != nil {
			return err
		}
		m, err := tx.Meeting(ctx, f.MeetingID)
		if err != nil {
			return err
		}
		st, err := tx.MOUState(ctx, f.MOUID)
		if err != nil {
			return err
		}
		if revision > st.Current {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_revision", Field: "revision",
				Message: fmt.Sprintf("MOU %d has no revision %d", f.MOUID, revision)}
		}
		if revision <= m.Revision {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "revision_not_later", Field: "revision",
				Message: fmt.Sprintf("feedback raised on revision %d is resolved by a later revision, not %d", m.Revision, revision)}
		}
		before, err := tx.SectionHash(ctx, f.MOUID, m.Revision, f.Section)
		if err != nil {
			return err
		}
		after, err := tx.SectionHash(ctx, f.MOUID, revision, f.Section)
		if err != nil {
			return err
		}
		if before == after {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "section_unchanged", Field: "revision",
				Message: fmt.Sprintf("revision %d did not change section %q from revision %d; decline the feedback with a reason instead", revision, f.Section, m.Revision)}
		}
		if err := tx.CloseFeedback(ctx, actor, id, FeedbackClose{Status: FeedbackResolved, Revision: revision}); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "feedback.resolve", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": f.MOUID, "section": f.Section, "revision": revision})
	})
	if err != nil {
		return nil, err
	}
	return s.store.FeedbackItem(ctx, id)
}

// DeclineFeedback closes feedback with a reason. Only the party that
// raised it may decline it (403 wrong_party): declined feedback counts as
// closed for approval, so the other party cannot wave it away. Audited as
// feedback.decline.
func (s *Service) DeclineFeedback(ctx context.Context, actor moudesk.Actor, id int64, reason string) (*Feedback, error) {
	if err := moudesk.CheckText("reason", reason, moudesk.MaxText, true); err != nil {
		return nil, err
	}
	if _, err := s.actingFeedback(ctx, actor, id); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		f, err := openFeedback(ctx, tx, id)
		if err != nil {
			return err
		}
		if !actor.IsSystem() && f.CreatedParty != "" && f.CreatedParty != actor.Party {
			return moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "feedback %d was raised by another party; only that party may decline it", id)
		}
		if err := tx.CloseFeedback(ctx, actor, id, FeedbackClose{Status: FeedbackDeclined, Reason: reason}); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "feedback.decline", fmt.Sprintf("feedback:%d", id), map[string]any{
			"mou": f.MOUID, "section": f.Section, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.store.FeedbackItem(ctx, id)
}

// NewFeedback is a feedback item to store.
type NewFeedback struct {
	MeetingID, MOUID int64
	Section          string
	Text, Quote      string
}

// FeedbackClose is how an open feedback item is closed: resolved by a
// revision, or declined with a reason.
type FeedbackClose struct {
	Status   string // FeedbackResolved or FeedbackDeclined
	Revision int    // resolving revision
	Reason   string // why declined
}
