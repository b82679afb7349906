package desk

import (
	"context"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// The writes below apply their rules inside the store's one transaction
// with the definitions this service loaded; each is audited there.

// CreateClause adds a clause to the library. Its text is normalised first
// (clause.Normalize), as a clause file's is when parsed.
func (s *Service) CreateClause(ctx context.Context, actor moudesk.Actor, c *clause.Clause, note string) (*ClauseVersion, error) {
	c.Normalize()
	if err := checkClauseHTML(c); err != nil {
		return nil, err
	}
	return s.store.CreateClause(ctx, actor, c, note)
}

// UpdateClause adds a version on top of base, or 409 when base is stale.
func (s *Service) UpdateClause(ctx context.Context, actor moudesk.Actor, slug string, base int, c *clause.Clause, note string) (*ClauseVersion, error) {
	c.Normalize()
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
