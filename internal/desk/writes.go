package desk

import (
	"context"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// The writes below apply their rules inside the store's one transaction
// with the definitions this service loaded; each is audited there.

// CreateFeedback records a point raised at a meeting on one section.
func (s *Service) CreateFeedback(ctx context.Context, actor moudesk.Actor, meetingID int64, section, text, quote string) (*Feedback, error) {
	mt, err := s.store.Meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if _, err := s.actingMOU(ctx, actor, mt.MOUID); err != nil {
		return nil, err
	}
	return s.store.CreateFeedback(ctx, actor, meetingID, section, text, quote)
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

// ResolveFeedback closes feedback as answered by revision.
func (s *Service) ResolveFeedback(ctx context.Context, actor moudesk.Actor, id int64, revision int) (*Feedback, error) {
	if _, err := s.actingFeedback(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.ResolveFeedback(ctx, actor, id, revision)
}

// DeclineFeedback closes feedback with a reason. Only the party that
// raised it may decline it (403 wrong_party): declined feedback counts as
// closed for approval, so the other party cannot wave it away.
func (s *Service) DeclineFeedback(ctx context.Context, actor moudesk.Actor, id int64, reason string) (*Feedback, error) {
	f, err := s.actingFeedback(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !actor.IsSystem() {
		raiser, _, err := s.store.UserByEmail(ctx, f.CreatedBy)
		if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
			return nil, err
		}
		if raiser != nil && raiser.PartySlug != "" && raiser.PartySlug != actor.Party {
			return nil, moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "feedback %d was raised by another party; only that party may decline it", id)
		}
	}
	return s.store.DeclineFeedback(ctx, actor, id, reason)
}

// CreateClause adds a clause to the library.
func (s *Service) CreateClause(ctx context.Context, actor moudesk.Actor, c *clause.Clause, note string) (*ClauseVersion, error) {
	if err := checkClauseHTML(c); err != nil {
		return nil, err
	}
	return s.store.CreateClause(ctx, actor, c, note)
}

// UpdateClause adds a version on top of base, or 409 when base is stale.
func (s *Service) UpdateClause(ctx context.Context, actor moudesk.Actor, slug string, base int, c *clause.Clause, note string) (*ClauseVersion, error) {
	if err := checkClauseHTML(c); err != nil {
		return nil, err
	}
	return s.store.UpdateClause(ctx, actor, slug, base, c, note)
}

// SyncLibrary loads the shipped clauses, never overwriting a local edit.
// A shipped clause holding raw HTML is refused like any other, and then
// none is loaded.
func (s *Service) SyncLibrary(ctx context.Context, shipped []*clause.Clause) (SyncReport, error) {
	for _, c := range shipped {
		if err := checkClauseHTML(c); err != nil {
			return SyncReport{}, err
		}
	}
	return s.store.SyncLibrary(ctx, shipped)
}

// CreateParty adds a party.
func (s *Service) CreateParty(ctx context.Context, actor moudesk.Actor, p Party) (*Party, error) {
	return s.store.CreateParty(ctx, actor, p)
}

// Audit appends an event that no other write records (a sign-in, a refusal).
func (s *Service) Audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error {
	return s.store.Audit(ctx, actor, action, object, details)
}
