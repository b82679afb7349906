package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// mouHandlers serves MOUs, revisions and redlines.
type mouHandlers struct {
	*Server
	revisions *cache.LRU[revisionKey, []byte] // revisions as JSON, deviations marked
	pdf       *pdfHandlers                    // format=pdf and format=pagemap (pdf_routes.go)
}

// listTemplates lists the templates, each with every variable an MOU
// from it needs (its clauses' too).
func (m *mouHandlers) listTemplates(c *gin.Context) error {
	out, err := m.desk.TemplateInfos(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"templates": out})
	return nil
}

// createMOU assembles revision 1 from the template, the latest library
// clauses and the variables, and stores it. Every check runs before the
// one write transaction, so a refusal leaves no row.
func (m *mouHandlers) createMOU(c *gin.Context) error {
	var req desk.CreateMOURequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	created, rev, err := m.desk.CreateMOU(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"mou": created, "revision": rev.Number, "content_hash": rev.ContentHash})
	return nil
}

// listMOUs answers a page of MOUs, newest first, optionally of one stage.
func (m *mouHandlers) listMOUs(c *gin.Context) error {
	p, err := readListPage(c, "mous")
	if err != nil {
		return err
	}
	out, err := m.desk.MOUsFor(c.Request.Context(), actor(c), c.Query("stage"), p.after, p.limit+1)
	if err != nil {
		return err
	}
	out, next := pageOf(out, p, "mous", func(m desk.MOU) int64 { return m.ID })
	c.JSON(http.StatusOK, pageBody("mous", out, next))
	return nil
}

func (m *mouHandlers) getMOU(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	got, err := m.desk.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	body := gin.H{"mou": got}
	if _, ok := m.desk.Template(got.Template); ok {
		lines, err := m.desk.SignatoryLines(c.Request.Context(), got)
		if err != nil {
			return err
		}
		body["signatories"] = lines
	}
	if err := m.amendmentLinks(c.Request.Context(), got, body); err != nil {
		return err
	}
	c.JSON(http.StatusOK, body)
	return nil
}

func (m *mouHandlers) getRevision(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := positiveParam(c, "n")
	if err != nil {
		return err
	}
	format := c.DefaultQuery("format", "json")
	switch format {
	case "json":
		out, err := m.revisionJSON(c.Request.Context(), id, n)
		if err != nil {
			return err
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", out)
	case "md", "html":
		rev, err := m.desk.Revision(c.Request.Context(), id, n)
		if err != nil {
			return err
		}
		md := rev.Markdown()
		c.Header("X-Content-Hash", rev.ContentHash)
		if format == "md" {
			c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(md))
			return nil
		}
		out, err := render.HTML([]byte(md))
		if err != nil {
			return err
		}
		// A browser may open this URL directly: the pages' policy keeps
		// anything in the document text inert should sanitizing ever fail.
		c.Header("Content-Security-Policy", pageCSP)
		c.Data(http.StatusOK, "text/html; charset=utf-8", out)
	case "pdf":
		return m.pdf.revisionPDF(c, id, n)
	case "pagemap":
		return m.pdf.revisionPageMap(c, id, n)
	case "docx":
		return m.revisionDOCX(c, id, n)
	default:
		return errInvalid("invalid_format", "format must be json, md, html, pdf, pagemap or docx")
	}
	return nil
}

// revisionKey names revision n of an MOU (n ≥ 1: never "the current one").
type revisionKey struct {
	mou int64
	n   int
}

// revisionJSON is revision n as the API shows it, deviations marked, from
// the cache when it was encoded before. Reading it takes a query per
// section's clause and a fill of each clause; a revision is read far
// more often than it is written, and its answer never changes.
func (m *mouHandlers) revisionJSON(ctx context.Context, id int64, n int) ([]byte, error) {
	return m.revisions.Cached(revisionKey{mou: id, n: n}, func() ([]byte, error) {
		rev, err := m.desk.MarkedRevision(ctx, id, n)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(gin.H{"revision": rev})
		if err != nil {
			return nil, fmt.Errorf("encode revision: %w", err)
		}
		return out, nil
	})
}

// createRevision saves a new revision on top of base: a full section list,
// or edits, and/or new variable values. A stale base is 409 with the
// redline from base to the latest revision, so the client can merge.
func (m *mouHandlers) createRevision(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var req desk.RevisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	info, err := m.desk.SaveRevision(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return m.withStaleRedline(c, id, err)
	}
	c.JSON(http.StatusCreated, gin.H{"revision": info.Number, "content_hash": info.ContentHash})
	return nil
}

// withStaleRedline adds the redline from the caller's base to the latest
// revision to a stale_revision error.
func (m *mouHandlers) withStaleRedline(c *gin.Context, id int64, err error) error {
	e, ok := moudesk.AsError(err)
	if !ok || e.Code != "stale_revision" {
		return err
	}
	st, ok := e.Data.(desk.StaleRevision)
	if !ok || st.Base < 1 || st.Base > st.Latest {
		return err
	}
	out, rerr := m.desk.RenderRedline(c.Request.Context(), id, st.Base, st.Latest, "json", redline.Inline)
	if rerr != nil {
		return err
	}
	// The cached redline is already JSON: writing it as it is spares each
	// losing save copying and re-validating a document-sized value.
	details := rawJSON{fmt.Appendf(nil, `{"base":%d,"latest_revision":%d,"redline":`, st.Base, st.Latest),
		bytes.TrimSuffix(out, []byte("\n")), []byte("}")}
	return &moudesk.Error{Kind: e.Kind, Code: e.Code, Message: e.Message, Field: e.Field, Data: details}
}

func (m *mouHandlers) getRedline(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	from, err := queryRevision(c, "from")
	if err != nil {
		return err
	}
	to, err := queryRevision(c, "to")
	if err != nil {
		return err
	}
	format := c.DefaultQuery("format", "json")
	view := redline.Inline
	switch c.DefaultQuery("view", "inline") {
	case "inline":
	case "side-by-side":
		view = redline.SideBySide
	default:
		return errInvalid("invalid_view", "view must be inline or side-by-side")
	}
	var ctype string
	switch format {
	case "json":
		ctype = "application/json; charset=utf-8"
	case "html":
		ctype = "text/html; charset=utf-8"
	case "text":
		ctype = "text/plain; charset=utf-8"
	case "pdf":
		return m.pdf.redlinePDF(c, id, from, to)
	case "docx":
		return m.redlineDOCX(c, id, from, to)
	default:
		return errInvalid("invalid_format", "format must be json, html, text, pdf or docx")
	}
	out, err := m.desk.RenderRedline(c.Request.Context(), id, from, to, format, view)
	if err != nil {
		return err
	}
	if format == "html" {
		c.Header("Content-Security-Policy", pageCSP)
	}
	c.Data(http.StatusOK, ctype, out)
	return nil
}

// getDeviations shows, for each section that no longer matches the library
// clause it came from, the redline from the library text (filled with the
// revision's values) to the section's text.
func (m *mouHandlers) getDeviations(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n := 0
	if c.Query("revision") != "" {
		if n, err = queryRevision(c, "revision"); err != nil {
			return err
		}
	}
	out, number, err := m.desk.Deviations(c.Request.Context(), id, n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": number, "deviations": out})
	return nil
}

func idParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errInvalid("invalid_id", "the MOU id must be a positive whole number")
	}
	return id, nil
}

func queryRevision(c *gin.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Query(name))
	if err != nil || n < 1 {
		return 0, errInvalid("invalid_"+name, "%s must be a revision number (1 or more)", name)
	}
	return n, nil
}
