package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/atom"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/obligation"
	"github.com/moudesk/moudesk/internal/suppress"
)

// The public accountability page of an executed MOU, its JSON, its
// datasets as CSV and its Atom feed of reports. All are public like the
// record page; counts pass through the configured small-number rule.

// suppression is the configured small-number rule.
func (s *Server) suppression() suppress.Rule {
	return suppress.Rule{Threshold: s.cfg.SuppressBelow}
}

func (s *Server) accountabilityRoutes() {
	s.handle(http.MethodGet, "/public/mous/:id/accountability", auth.Public, s.accountabilityPage)
	s.handle(http.MethodGet, "/public/mous/:id/reports.atom", auth.Public, s.reportFeed)
	s.handle(http.MethodGet, "/public/reports/:report", auth.Public, s.publicReport)
	s.handle(http.MethodGet, "/api/v1/public/mous/:id/accountability", auth.Public, s.getAccountability)
}

type accountabilityPage struct {
	*desk.Accountability
	FeedURL string
}

// SVG is a chart's drawing for the page: chart.SVG escapes every text it
// writes, so it is safe as markup.
func (accountabilityPage) SVG(c desk.AccountableChart) template.HTML {
	return template.HTML(c.SVG) //nolint:gosec // built by internal/chart, which escapes all text
}

// accountabilityPage shows each obligation with its schedule and state
// (late ones as late), the published datasets as SVG charts beside
// tables, downloadable CSV, the monitoring body's status updates, and the
// feed link. Plain HTML; no JavaScript needed.
func (s *Server) accountabilityPage(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	a, err := s.desk.PublicAccountability(c.Request.Context(), id, s.suppression())
	if err != nil {
		return err
	}
	c.Header("Link", fmt.Sprintf(`</public/mous/%d/reports.atom>; rel="alternate"; type="application/atom+xml"`, id))
	return s.renderPage(c, http.StatusOK, "accountability", "Accountability: "+a.MOU.Title, "public",
		accountabilityPage{Accountability: a, FeedURL: fmt.Sprintf("/public/mous/%d/reports.atom", id)})
}

// getAccountability is the page's record as JSON.
func (s *Server) getAccountability(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	a, err := s.desk.PublicAccountability(c.Request.Context(), id, s.suppression())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"accountability": a})
	return nil
}

// reportFeed is the Atom feed of the MOU's reports.
func (s *Server) reportFeed(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	out, err := s.desk.ReportFeed(c.Request.Context(), id, s.publicURL(c))
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, atom.ContentType, out)
	return nil
}

// publicReport downloads one report: a dataset as CSV with small counts
// withheld, a document as its PDF. Meeting reports have no file (404).
func (s *Server) publicReport(c *gin.Context) error {
	rid, err := positiveID(c, "report", "report")
	if err != nil {
		return err
	}
	data, r, err := s.desk.PublicReportFile(c.Request.Context(), rid, s.suppression())
	if err != nil {
		return err
	}
	switch r.Kind {
	case obligation.EvidenceDataset:
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%d-v%d.csv"`, r.ID, r.Version))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", data)
	case obligation.EvidenceDocument:
		c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="report-%d-v%d.pdf"`, r.ID, r.Version))
		c.Header("X-Content-SHA256", r.SHA256)
		c.Data(http.StatusOK, "application/pdf", data)
	default:
		return moudesk.ErrNotFound("a file of report " + strconv.FormatInt(rid, 10) + " (a meeting record has none)")
	}
	return nil
}
