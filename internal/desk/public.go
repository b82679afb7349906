package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// AmendsInfo is what an amendment says about the agreement it amends: the
// agreement itself, its executed revision, and the executed text the
// amendment's revision 1 copies (the agreement's, or an earlier executed
// amendment's restating it), so a reader can check both hashes.
type AmendsInfo struct {
	MOUID            int64  `json:"mou_id"`
	Title            string `json:"title"`
	Number           int    `json:"amendment_number"`
	ExecutedRevision int    `json:"executed_revision"`
	BaseMOUID        int64  `json:"base_mou_id"`
	BaseRevision     int    `json:"base_revision"`
	BaseContentHash  string `json:"base_content_hash"`
}

// Amends is what amendment am amends; am.AmendsMOUID must be set.
func (s *Service) Amends(ctx context.Context, am *MOU) (*AmendsInfo, error) {
	parent, err := s.MOU(ctx, *am.AmendsMOUID)
	if err != nil {
		return nil, err
	}
	base, err := s.Revision(ctx, *am.BaseMOUID, *am.BaseRevision)
	if err != nil {
		return nil, err
	}
	out := &AmendsInfo{MOUID: parent.ID, Title: parent.Title, Number: *am.AmendmentNumber,
		BaseMOUID: base.MOUID, BaseRevision: base.Number, BaseContentHash: base.ContentHash}
	if parent.ExecutedRevision != nil {
		out.ExecutedRevision = *parent.ExecutedRevision
	}
	return out, nil
}

// PublicMOU is what anyone may read of an executed agreement: its executed
// text and its executed amendments. Drafts and amendments still under
// review stay behind a login.
type PublicMOU struct {
	ID               int64       `json:"id"`
	Title            string      `json:"title"`
	Parties          []MOUParty  `json:"parties"`
	ExecutedRevision int         `json:"executed_revision"`
	ExecutedAt       *time.Time  `json:"executed_at"`
	Amends           *AmendsInfo `json:"amends,omitempty"`
	Amendments       []Amendment `json:"amendments"`
}

// PublicExecuted is an executed MOU (or executed amendment) as the public
// sees it, with its executed revision. Anything not executed is 404, the
// same answer as for an id that does not exist, so drafts do not leak.
func (s *Service) PublicExecuted(ctx context.Context, id int64) (*PublicMOU, *mou.Revision, error) {
	got, err := s.MOU(ctx, id)
	if err != nil || got.ExecutedRevision == nil {
		if e, ok := moudesk.AsError(err); err == nil || ok && e.Kind == moudesk.KindNotFound {
			return nil, nil, ErrNotExecuted(id)
		}
		return nil, nil, err
	}
	return s.publicExecuted(ctx, got)
}

// publicExecuted is executed MOU got as the public sees it.
func (s *Service) publicExecuted(ctx context.Context, got *MOU) (*PublicMOU, *mou.Revision, error) {
	id := got.ID
	rev, err := s.Revision(ctx, id, *got.ExecutedRevision)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.Amendments(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	out := PublicMOU{ID: got.ID, Title: got.Title, Parties: got.Parties, ExecutedRevision: *got.ExecutedRevision,
		ExecutedAt: got.ExecutedAt, Amendments: []Amendment{}}
	for _, a := range all {
		if a.ExecutedRevision != nil {
			out.Amendments = append(out.Amendments, a)
		}
	}
	if got.AmendsMOUID != nil {
		if out.Amends, err = s.Amends(ctx, got); err != nil {
			return nil, nil, err
		}
	}
	return &out, rev, nil
}

// ErrNotExecuted is the public's 404 for MOU id: not executed, or not
// there at all; the two answers are the same.
func ErrNotExecuted(id int64) error {
	return moudesk.ErrNotFound(fmt.Sprintf("executed MOU %d", id))
}
