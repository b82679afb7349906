package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
)

type publicListPage struct {
	MOUs []sqlite.MOU
}

// publicList lists executed agreements for anyone. Amendments appear on
// the page of the agreement they amend.
func (p *pageHandlers) publicList(c *gin.Context) error {
	all, err := p.db.MOUs(c.Request.Context(), "")
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
	MOU       *publicMOU
	Rev       *mou.Revision
	Revisions []mou.RevisionInfo
	Signed    bool // the signed PDF exists (the signing flow executed it)
}

// publicMOU shows an executed agreement's executed text with its
// amendments and links to each one's redline. Anything not executed is
// 404, like the API.
func (p *pageHandlers) publicMOU(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	pm, rev, err := p.m.publicExecuted(c.Request.Context(), id)
	if err != nil {
		return err
	}
	revs, err := p.db.Revisions(c.Request.Context(), id)
	if err != nil {
		return err
	}
	var upto []mou.RevisionInfo
	for _, r := range revs {
		if r.Number <= pm.ExecutedRevision {
			upto = append(upto, r)
		}
	}
	return p.renderPage(c, http.StatusOK, "publicmou", pm.Title, "public", publicMOUPage{MOU: pm, Rev: rev, Revisions: upto})
}

// publicRedline shows the redline between two revisions of an executed
// agreement, up to its executed revision: the drafting history of a public
// record, not of anything still under review.
func (p *pageHandlers) publicRedline(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	pm, _, err := p.m.publicExecuted(c.Request.Context(), id)
	if err != nil {
		return err
	}
	m, err := p.db.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	m.CurrentRevision = pm.ExecutedRevision
	out, err := p.redlineData(c, m)
	if err != nil {
		return err
	}
	if out.From > pm.ExecutedRevision || out.To > pm.ExecutedRevision {
		return notExecuted(id)
	}
	var upto []mou.RevisionInfo
	for _, r := range out.Revisions {
		if r.Number <= pm.ExecutedRevision {
			upto = append(upto, r)
		}
	}
	out.Revisions, out.Public = upto, true
	out.Base = "/public/mous/" + itoa64(id) + "/redline"
	return p.renderPage(c, http.StatusOK, "redline", "Changes: "+m.Title, "public", out)
}

// publicPDF serves the executed revision's PDF to anyone.
func (p *pageHandlers) publicPDF(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	pm, _, err := p.m.publicExecuted(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return p.m.pdf.revisionPDF(c, id, pm.ExecutedRevision)
}
