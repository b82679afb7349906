package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/sqlite"
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
	created, err := m.db.CreateAmendment(ctx, actor(c), nil, id)
	if err != nil {
		return err
	}
	amends, err := m.amends(ctx, created)
	if err != nil {
		return err
	}
	rev, err := m.db.Revision(ctx, created.ID, 1)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"mou": created, "amends": amends, "revision": rev.Number, "content_hash": rev.ContentHash})
	return nil
}

// amendmentLinks adds to an MOU's GET its amendments (each with its stage)
// and, for an amendment, what it amends.
func (m *mouHandlers) amendmentLinks(ctx context.Context, got *sqlite.MOU, body gin.H) error {
	list, err := m.db.Amendments(ctx, got.ID)
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

func (m *mouHandlers) amends(ctx context.Context, am *sqlite.MOU) (*amendsInfo, error) {
	parent, err := m.db.MOU(ctx, *am.AmendsMOUID)
	if err != nil {
		return nil, err
	}
	base, err := m.db.Revision(ctx, *am.BaseMOUID, *am.BaseRevision)
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
