package desk

import (
	"context"

	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
)

// MarkedRevision reads revision n of MOU id (0, the current one) with each
// section's Deviation set: whether its text still matches the library
// clause version it came from, filled with the revision's values.
func (s *Service) MarkedRevision(ctx context.Context, id int64, n int) (*mou.Revision, error) {
	rev, _, err := s.markedRevision(ctx, id, n)
	return rev, err
}

// markedRevision is MarkedRevision with the library clauses it compared.
func (s *Service) markedRevision(ctx context.Context, id int64, n int) (*mou.Revision, map[mou.ClauseRef]*clause.Clause, error) {
	rev, err := s.Revision(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	lib, err := s.ClauseVersions(ctx, mou.Refs(rev.Sections))
	if err != nil {
		return nil, nil, err
	}
	mou.MarkDeviations(rev.Sections, lib, rev.Variables)
	return rev, lib, nil
}

// Deviation is one section whose text differs from its library clause.
type Deviation struct {
	Key           string          `json:"key"`
	Heading       string          `json:"heading"`
	Clause        string          `json:"clause"`
	ClauseVersion int             `json:"clause_version"`
	Redline       *redline.Result `json:"redline"`
}

// Deviations are the sections of revision n of MOU id (0, the current one)
// that no longer match the library clause they came from, each with the
// redline from the library text (filled with the revision's values) to the
// section's text, and the revision's number.
func (s *Service) Deviations(ctx context.Context, id int64, n int) ([]Deviation, int, error) {
	rev, lib, err := s.markedRevision(ctx, id, n)
	if err != nil {
		return nil, 0, err
	}
	out := []Deviation{}
	for _, sec := range rev.Sections {
		if !sec.Deviation {
			continue
		}
		libText := ""
		if cl, ok := lib[mou.ClauseRef{Slug: sec.Clause, Version: sec.ClauseVersion}]; ok {
			libText, _ = mou.FillClause(cl, rev.Variables)
		}
		one := func(body string) redline.Document {
			return redline.Document{Sections: mou.Parts(rev.Title, "", []mou.Section{{Key: sec.Key, Heading: sec.Heading, Body: body}})[1:]}
		}
		out = append(out, Deviation{Key: sec.Key, Heading: sec.Heading, Clause: sec.Clause, ClauseVersion: sec.ClauseVersion,
			Redline: redline.Compare(one(libText), one(sec.Body), redline.Options{})})
	}
	return out, rev.Number, nil
}
