package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/mou"
)

type publicListPage struct {
	MOUs []desk.MOU
}

// publicList lists executed agreements for anyone. Amendments appear on
// the page of the agreement they amend.
func (p *pageHandlers) publicList(c *gin.Context) error {
	all, err := p.desk.MOUs(c.Request.Context(), "", 0, desk.NoLimit)
	if err != nil {
		return err
	}
	var out publicListPage
	for _, m := range all {
		if m.ExecutedRevision != nil && m.AmendsMOUID == nil {
			out.MOUs = append(out.MOUs, m)
		}
	}
	return p.renderPage(c, http.StatusOK, "public", "Executed MOUs", "public", out)
}

type publicMOUPage struct {
	MOU       *desk.PublicMOU
	Record    *desk.PublicRecord
	Matrix    *desk.Matrix
	Rev       *mou.Revision
	Revisions []mou.RevisionInfo
	History   *revisionHistory
}

// publicMOU shows an executed agreement's whole record: its executed
// text, the meetings, votes and approvals that reached it, the
// recommendations matrix, its signatures and its amendments, with links to each one's redline. Plain HTML that
// needs no JavaScript. Anything not executed is 404, like the API.
func (p *pageHandlers) publicMOU(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	a, err := p.desk.PublicAgreementOf(c.Request.Context(), id)
	if err != nil {
		return err
	}
	hist, err := p.revisionHistory(c, id, a.MOU.ExecutedRevision)
	if err != nil {
		return err
	}
	return p.renderPage(c, http.StatusOK, "publicmou", a.MOU.Title, "public", publicMOUPage{MOU: a.MOU, Record: a.Record, Matrix: a.Matrix, Rev: a.Revision, Revisions: hist.Revisions, History: hist})
}

// publicRedline shows the redline between two revisions of an executed
// agreement, up to its executed revision: the drafting history of a public
// record, not of anything still under review.
func (p *pageHandlers) publicRedline(c *gin.Context) error {
	pm, _, err := p.executedParam(c)
	if err != nil {
		return err
	}
	id := pm.ID
	from, to, _, err := redlineParams(c, pm.ExecutedRevision)
	if err != nil {
		return err
	}
	if from > pm.ExecutedRevision || to > pm.ExecutedRevision {
		return desk.ErrNotExecuted(id)
	}
	m, err := p.desk.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	m.CurrentRevision = pm.ExecutedRevision
	out, err := p.redlineData(c, m)
	if err != nil {
		return err
	}
	out.Revisions, out.Public = upTo(out.Revisions, pm.ExecutedRevision), true
	out.Base = "/public/mous/" + itoa64(id) + "/redline"
	return p.renderPage(c, http.StatusOK, "redline", "Changes: "+m.Title, "public", out)
}

// executedParam reads the executed agreement the :id parameter names; 404
// for anything not executed.
func (p *pageHandlers) executedParam(c *gin.Context) (*desk.PublicMOU, *mou.Revision, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, nil, err
	}
	return p.desk.PublicExecuted(c.Request.Context(), id)
}

// upTo keeps the revisions numbered n or less.
func upTo(revs []mou.RevisionInfo, n int) []mou.RevisionInfo {
	var out []mou.RevisionInfo
	for _, r := range revs {
		if r.Number <= n {
			out = append(out, r)
		}
	}
	return out
}

// publicPDF serves the executed revision's PDF to anyone.
func (p *pageHandlers) publicPDF(c *gin.Context) error {
	pm, _, err := p.executedParam(c)
	if err != nil {
		return err
	}
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	doc, rev, err := p.desk.RevisionDocument(c.Request.Context(), pm.ID, pm.ExecutedRevision, params.paper)
	if err != nil {
		return err
	}
	writeRevisionPDF(c, pm.ID, rev, doc)
	return nil
}
