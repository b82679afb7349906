package web

import (
	"context"
	"net/http"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"
)

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
	amends, err := m.desk.Amends(ctx, created)
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
		a, err := m.desk.Amends(ctx, got)
		if err != nil {
			return err
		}
		body["amends"] = a
	}
	return nil
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
	a, err := m.desk.PublicAgreementOf(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"mou": a.MOU, "revision": a.Revision, "record": a.Record, "recommendations": a.Matrix})
	return nil
}
