package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
)

// pdfHandlers serves the PDF downloads; the service renders and caches
// them.
type pdfHandlers struct {
	*Server
}

func newPDFHandlers(s *Server) *pdfHandlers {
	return &pdfHandlers{Server: s}
}

// pdfRoutes registers the PDF downloads: revisions, redlines, packets. The
// query forms of api/openapi.yaml (?format=pdf on a revision or redline) are
// served by the MOU handlers calling revisionPDF, revisionPageMap and
// redlinePDF; the path forms below reach the same code.
func (s *Server) pdfRoutes() {
	p := newPDFHandlers(s)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions/:n/pdf", auth.MOURead, p.getRevisionPDF)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions/:n/pagemap", auth.MOURead, p.getRevisionPageMap)
	s.handle(http.MethodGet, "/api/v1/mous/:id/redline.pdf", auth.MOURead, p.getRedlinePDF)
	s.handle(http.MethodGet, "/api/v1/mous/:id/packet.pdf", auth.MOURead, p.getPacket)
}

func (p *pdfHandlers) getRevisionPDF(c *gin.Context) error {
	id, n, err := pdfRevisionParams(c)
	if err != nil {
		return err
	}
	return p.revisionPDF(c, id, n)
}

func (p *pdfHandlers) getRevisionPageMap(c *gin.Context) error {
	id, n, err := pdfRevisionParams(c)
	if err != nil {
		return err
	}
	return p.revisionPageMap(c, id, n)
}

func (p *pdfHandlers) getRedlinePDF(c *gin.Context) error {
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return err
	}
	from, err := pdfPositive(c.Query("from"), "from")
	if err != nil {
		return err
	}
	to, err := pdfPositive(c.Query("to"), "to")
	if err != nil {
		return err
	}
	return p.redlinePDF(c, id, int(from), int(to))
}

func pdfRevisionParams(c *gin.Context) (int64, int, error) {
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return 0, 0, err
	}
	n, err := pdfPositive(c.Param("n"), "n")
	if err != nil {
		return 0, 0, err
	}
	return id, int(n), nil
}

// pdfPositive parses a positive whole number from a path or query value.
func pdfPositive(v, name string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return 0, errInvalid("invalid_"+name, "%s must be a whole number, 1 or more", name)
	}
	return n, nil
}

// revisionPDF answers with revision n of MOU id as a PDF (?paper=letter|a4).
func (p *pdfHandlers) revisionPDF(c *gin.Context, id int64, n int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	doc, rev, err := p.desk.RevisionDocument(c.Request.Context(), id, n, params.paper)
	if err != nil {
		return err
	}
	writeRevisionPDF(c, id, rev, doc)
	return nil
}

// revisionPageMap answers with where each heading and numbered item of
// revision n's PDF landed, and each section by its key.
func (p *pdfHandlers) revisionPageMap(c *gin.Context, id int64, n int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	pm, err := p.desk.PageMap(c.Request.Context(), id, n, params.paper)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{
		"revision":     pm.Revision.Number,
		"content_hash": pm.Revision.ContentHash,
		"pdf_etag":     pm.PDF.ETag,
		"pages":        pm.PDF.Pages,
		"page_map":     pm.PDF.PageMap,
		"sections":     pm.Sections,
	})
	return nil
}

// redlinePDF answers with the redline from revision from to revision to: a
// first page summarising each change with its page in revision to, then
// the marked-up text.
func (p *pdfHandlers) redlinePDF(c *gin.Context, id int64, from, to int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	doc, err := p.desk.RedlinePDF(c.Request.Context(), id, from, to, params.paper)
	if err != nil {
		return err
	}
	writePDF(c, doc, fmt.Sprintf("mou-%d-redline-%d-%d.pdf", id, from, to))
	return nil
}

// getPacket answers with a meeting packet (desk.Packet). With meeting= it
// is that meeting's packet (desk.MeetingPacket); otherwise from= and to=
// choose the revisions, by default the current one and the one before it.
func (p *pdfHandlers) getPacket(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return err
	}
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	if v := c.Query("meeting"); v != "" {
		if c.Query("from") != "" || c.Query("to") != "" {
			return errInvalid("invalid_request", "pass meeting= or from= and to=, not both")
		}
		mid, err := pdfPositive(v, "meeting")
		if err != nil {
			return err
		}
		doc, err := p.desk.MeetingPacket(ctx, id, mid, params.paper)
		if err != nil {
			return err
		}
		writePDF(c, doc, fmt.Sprintf("mou-%d-meeting-%d-packet.pdf", id, mid))
		return nil
	}
	var from, to int
	if v := c.Query("to"); v != "" {
		n, err := pdfPositive(v, "to")
		if err != nil {
			return err
		}
		to = int(n)
	}
	if v := c.Query("from"); v != "" {
		n, err := pdfPositive(v, "from")
		if err != nil {
			return err
		}
		from = int(n)
	}
	doc, from, to, err := p.desk.Packet(ctx, id, from, to, params.paper)
	if err != nil {
		return err
	}
	writePDF(c, doc, fmt.Sprintf("mou-%d-packet-%d-%d.pdf", id, from, to))
	return nil
}
