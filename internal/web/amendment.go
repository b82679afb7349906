package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// amendsInfo is what an amendment's GET says about the agreement it
// amends: the agreement itself, its executed revision, and the executed
// text the amendment's revision 1 copies (the agreement's, or an earlier
// executed amendment's restating it), so a reader can check both hashes.
type amendsInfo struct {
	MOUID            int64  `json:"mou_id"`
	Title            string `json:"title"`
	Number           int    `json:"amendment_number"`
	ExecutedRevision int    `json:"executed_revision"`
	BaseMOUID        int64  `json:"base_mou_id"`
	BaseRevision     int    `json:"base_revision"`
	BaseContentHash  string `json:"base_content_hash"`
}

// createAmendment starts "Amendment No. N" of an executed MOU; see
// sqlite.CreateAmendment for the rules. A second amendment while one is in
// progress is 409 amendment_in_progress: the request is fine, the state of
// the agreement conflicts with it, and it succeeds once that amendment is
// executed or withdrawn.
func (m *mouHandlers) createAmendment(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := idParam(c)
	if err != nil {
		return err
	}
	created, err := m.desk.CreateAmendment(ctx, actor(c), id)
	if err != nil {
		return err
	}
	amends, err := m.amends(ctx, created)
	if err != nil {
		return err
	}
	rev, err := m.desk.Revision(ctx, created.ID, 1)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"mou": created, "amends": amends, "revision": rev.Number, "content_hash": rev.ContentHash})
	return nil
}

// amendmentLinks adds to an MOU's GET its amendments (each with its stage)
// and, for an amendment, what it amends.
func (m *mouHandlers) amendmentLinks(ctx context.Context, got *desk.MOU, body gin.H) error {
	list, err := m.desk.Amendments(ctx, got.ID)
	if err != nil {
		return err
	}
	body["amendments"] = list
	if got.AmendsMOUID != nil {
		a, err := m.amends(ctx, got)
		if err != nil {
			return err
		}
		body["amends"] = a
	}
	return nil
}

func (m *mouHandlers) amends(ctx context.Context, am *desk.MOU) (*amendsInfo, error) {
	parent, err := m.desk.MOU(ctx, *am.AmendsMOUID)
	if err != nil {
		return nil, err
	}
	base, err := m.desk.Revision(ctx, *am.BaseMOUID, *am.BaseRevision)
	if err != nil {
		return nil, err
	}
	out := &amendsInfo{MOUID: parent.ID, Title: parent.Title, Number: *am.AmendmentNumber,
		BaseMOUID: base.MOUID, BaseRevision: base.Number, BaseContentHash: base.ContentHash}
	if parent.ExecutedRevision != nil {
		out.ExecutedRevision = *parent.ExecutedRevision
	}
	return out, nil
}

// publicMOU is what anyone may read of an executed agreement: its executed
// text and its executed amendments. Drafts and amendments still under
// review stay behind a login.
type publicMOU struct {
	ID               int64            `json:"id"`
	Title            string           `json:"title"`
	Parties          []desk.MOUParty  `json:"parties"`
	ExecutedRevision int              `json:"executed_revision"`
	ExecutedAt       *time.Time       `json:"executed_at"`
	Amends           *amendsInfo      `json:"amends,omitempty"`
	Amendments       []desk.Amendment `json:"amendments"`
}

// getPublicExecuted answers GET /api/v1/public/mous/{id}: the executed
// revision of an executed MOU (or executed amendment) with its executed
// amendments, without a login, because an executed agreement between
// public bodies is a public record. Anything not executed is 404, the
// same answer as for an id that does not exist, so drafts do not leak.
func (m *mouHandlers) getPublicExecuted(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	out, rev, err := m.publicExecuted(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"mou": out, "revision": rev})
	return nil
}

// publicExecuted is getPublicExecuted's work, shared with the public
// portal's pages: the executed agreement, its executed revision, and its
// executed amendments; 404 for anything not executed.
func (m *mouHandlers) publicExecuted(ctx context.Context, id int64) (*publicMOU, *mou.Revision, error) {
	got, err := m.desk.MOU(ctx, id)
	if err != nil || got.ExecutedRevision == nil {
		if err == nil || isNotFound(err) {
			return nil, nil, notExecuted(id)
		}
		return nil, nil, err
	}
	rev, err := m.desk.Revision(ctx, id, *got.ExecutedRevision)
	if err != nil {
		return nil, nil, err
	}
	all, err := m.desk.Amendments(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	out := publicMOU{ID: got.ID, Title: got.Title, Parties: got.Parties, ExecutedRevision: *got.ExecutedRevision,
		ExecutedAt: got.ExecutedAt, Amendments: []desk.Amendment{}}
	for _, a := range all {
		if a.ExecutedRevision != nil {
			out.Amendments = append(out.Amendments, a)
		}
	}
	if got.AmendsMOUID != nil {
		if out.Amends, err = m.amends(ctx, got); err != nil {
			return nil, nil, err
		}
	}
	return &out, rev, nil
}

func notExecuted(id int64) error {
	return moudesk.ErrNotFound(fmt.Sprintf("executed MOU %d", id))
}

func isNotFound(err error) bool {
	e, ok := moudesk.AsError(err)
	return ok && e.Kind == moudesk.KindNotFound
}
