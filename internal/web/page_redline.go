package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

type redlinePage struct {
	MOU       *desk.MOU
	From, To  int
	View      string
	Revisions []mou.RevisionInfo
	Inline    template.HTML
	Side      template.HTML
	Base      string // URL the page lives at, for links and forms
	PDF       string
	Public    bool
	All       bool // show unchanged sections too
}

// Link is this redline's URL with another view or section filter.
func (r *redlinePage) Link(view string, all bool) string {
	u := r.Base + "?from=" + strconv.Itoa(r.From) + "&to=" + strconv.Itoa(r.To) + "&view=" + view
	if all {
		u += "&all=1"
	}
	return u
}

// redlineParams reads from, to and view, defaulting to the last change.
func redlineParams(c *gin.Context, current int) (from, to int, view string, err error) {
	to = current
	if v := c.Query("to"); v != "" {
		if to, err = strconv.Atoi(v); err != nil || to < 1 {
			return 0, 0, "", errInvalid("invalid_to", "to must be a revision number")
		}
	}
	from = to - 1
	if from < 1 {
		from = 1
	}
	if v := c.Query("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 1 {
			return 0, 0, "", errInvalid("invalid_from", "from must be a revision number")
		}
	}
	view = c.DefaultQuery("view", "inline")
	if view != "inline" && view != "side-by-side" {
		return 0, 0, "", errInvalid("invalid_view", "view must be inline or side-by-side")
	}
	return from, to, view, nil
}

// redlineData renders both views of the redline between two revisions, so
// the side-by-side toggle can switch without a round trip; without
// JavaScript the view links reload the page.
func (p *pageHandlers) redlineData(c *gin.Context, m *desk.MOU) (*redlinePage, error) {
	from, to, view, err := redlineParams(c, m.CurrentRevision)
	if err != nil {
		return nil, err
	}
	revs := revisionNumbers(m.CurrentRevision)
	ctx := c.Request.Context()
	inline, err := p.desk.RenderRedline(ctx, m.ID, from, to, "html", redline.Inline)
	if err != nil {
		return nil, err
	}
	side, err := p.desk.RenderRedline(ctx, m.ID, from, to, "html", redline.SideBySide)
	if err != nil {
		return nil, err
	}
	return &redlinePage{MOU: m, From: from, To: to, View: view, Revisions: revs, All: c.Query("all") == "1",
		Inline: template.HTML(inline), Side: template.HTML(side)}, nil //nolint:gosec // render.RedlineHTML escapes all document text
}

func (p *pageHandlers) redlinePage(c *gin.Context) error {
	m, err := p.mouParam(c)
	if err != nil {
		return err
	}
	id := m.ID
	out, err := p.redlineData(c, m)
	if err != nil {
		return err
	}
	out.Base = "/mous/" + itoa64(id) + "/redline"
	out.PDF = "/api/v1/mous/" + itoa64(id) + "/redline.pdf"
	return p.renderPage(c, http.StatusOK, "redline", "Changes: "+m.Title, "", out)
}

type deviationView struct {
	Key, Heading, Clause string
	ClauseVersion        int
	HTML                 template.HTML
}

type deviationsPage struct {
	MOU        *desk.MOU
	Revision   int
	Deviations []deviationView
}

// deviationsPage shows each section that no longer matches its library
// clause, as a redline from the library text to the section.
func (p *pageHandlers) deviationsPage(c *gin.Context) error {
	m, err := p.mouParam(c)
	if err != nil {
		return err
	}
	id := m.ID
	n := 0
	if c.Query("revision") != "" {
		if n, err = queryRevision(c, "revision"); err != nil {
			return err
		}
	}
	devs, rev, err := p.desk.Deviations(c.Request.Context(), id, n)
	if err != nil {
		return err
	}
	out := deviationsPage{MOU: m, Revision: rev}
	for _, d := range devs {
		html, err := redlineHTML(d.Redline, redline.Inline)
		if err != nil {
			return err
		}
		out.Deviations = append(out.Deviations, deviationView{Key: d.Key, Heading: d.Heading, Clause: d.Clause, ClauseVersion: d.ClauseVersion, HTML: html})
	}
	return p.renderPage(c, http.StatusOK, "deviations", "Differences from the library: "+m.Title, "", out)
}

// redlineHTML renders a redline result; its text is escaped by RedlineHTML.
func redlineHTML(r *redline.Result, view redline.View) (template.HTML, error) {
	var buf bytes.Buffer
	if err := render.RedlineHTML(&buf, r, view); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil //nolint:gosec // RedlineHTML escapes all document text
}
