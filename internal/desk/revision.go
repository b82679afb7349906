package desk

import (
	"context"
	"maps"
	"slices"

	"github.com/moudesk/moudesk/internal/mou"
)

// Revision reads revision n of an MOU, from memory when it was read before
// (n ≥ 1; 0, "the current one", always asks the store). Revisions never
// change; every racing save's 409 and every redline reads two. Each caller
// gets its own sections and variables, which readers mark up.
func (s *Service) Revision(ctx context.Context, id int64, n int) (*mou.Revision, error) {
	if n < 1 {
		return s.store.Revision(ctx, id, n)
	}
	r, err := s.revisions.Cached(revisionKey{mou: id, n: n}, func() (*mou.Revision, error) {
		return s.store.Revision(ctx, id, n)
	})
	if err != nil {
		return nil, err
	}
	c := *r
	c.Sections = slices.Clone(r.Sections)
	c.Variables = maps.Clone(r.Variables)
	c.Signatures = slices.Clone(r.Signatures)
	c.Obligations = slices.Clone(r.Obligations)
	return &c, nil
}
