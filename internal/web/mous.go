package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// mouHandlers serves MOUs, revisions and redlines.
type mouHandlers struct {
	*Server
	redlines  *lru[redlineKey, []byte]
	revisions *lru[revisionKey, []byte]        // revisions as JSON, deviations marked
	stored    *lru[revisionKey, *mou.Revision] // revisions as read from the store
	pdf       *pdfHandlers                     // format=pdf and format=pagemap (pdf_routes.go)
}

func (m *mouHandlers) listTemplates(c *gin.Context) error {
	out := make([]*mou.Template, 0, len(m.cfg.Templates))
	for _, t := range m.cfg.Templates {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	c.JSON(http.StatusOK, gin.H{"templates": out})
	return nil
}

type createMOURequest struct {
	Title     string            `json:"title"`
	Template  string            `json:"template"`
	Parties   map[string]string `json:"parties"`
	Variables map[string]string `json:"variables"`
	Workflow  string            `json:"workflow"`
	Message   string            `json:"message"`
}

// createMOU assembles revision 1 from the template, the latest library
// clauses and the variables, and stores it. Every check runs before the
// one write transaction, so a refusal leaves no row.
func (m *mouHandlers) createMOU(c *gin.Context) error {
	var req createMOURequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	created, rev, err := m.newMOU(c, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"mou": created, "revision": rev.Number, "content_hash": rev.ContentHash})
	return nil
}

// newMOU is createMOU's work, shared with the new-MOU page.
func (m *mouHandlers) newMOU(c *gin.Context, req createMOURequest) (*desk.MOU, *mou.Revision, error) {
	ctx := c.Request.Context()
	t, ok := m.cfg.Templates[req.Template]
	if !ok {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_template", Field: "template",
			Message: fmt.Sprintf("there is no template %q; GET /api/v1/templates lists them", req.Template)}
	}
	if req.Workflow != "" && !clause.ValidSlug(req.Workflow) {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_workflow", Field: "workflow", Message: "workflow must be a lowercase slug"}
	}
	roles := map[string]bool{}
	slugs := make([]string, 0, len(t.Parties))
	for _, p := range t.Parties {
		roles[p.Role] = true
		slug := req.Parties[p.Role]
		if slug == "" {
			return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_party", Field: "parties." + p.Role,
				Message: fmt.Sprintf("template %s needs a party for role %q (%s)", t.Slug, p.Role, p.Label)}
		}
		slugs = append(slugs, slug)
	}
	for role := range req.Parties {
		if !roles[role] {
			return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_role", Field: "parties." + role,
				Message: fmt.Sprintf("template %s has no party role %q", t.Slug, role)}
		}
	}
	parties, err := m.db.PartiesBySlug(ctx, slugs)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, p := range t.Parties {
		names[p.Role] = parties[req.Parties[p.Role]].Name
	}
	var clauseSlugs []string
	for _, s := range t.Sections {
		if s.Clause != "" {
			clauseSlugs = append(clauseSlugs, s.Clause)
		}
	}
	lib, err := m.db.LatestClauses(ctx, clauseSlugs)
	if err != nil {
		return nil, nil, err
	}
	values := mou.PartyDefaults(mou.Variables(t, lib), names, req.Variables)
	content, err := mou.Assemble(t, lib, req.Title, values)
	if err != nil {
		return nil, nil, err
	}
	if len(req.Message) > mou.MaxMessageBytes {
		return nil, nil, &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_message", Field: "message", Message: "the message is too long"}
	}
	if req.Message == "" {
		req.Message = "Created from template " + t.Slug
	}
	created, err := m.db.CreateMOU(ctx, actor(c), desk.NewMOU{Template: t.Slug, Workflow: req.Workflow, Parties: req.Parties, Content: content, Message: req.Message})
	if err != nil {
		return nil, nil, err
	}
	rev, err := m.db.Revision(ctx, created.ID, 1)
	if err != nil {
		return nil, nil, err
	}
	return created, rev, nil
}

func (m *mouHandlers) listMOUs(c *gin.Context) error {
	out, err := m.db.MOUs(c.Request.Context(), c.Query("stage"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"mous": out})
	return nil
}

func (m *mouHandlers) getMOU(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	got, err := m.db.MOU(c.Request.Context(), id)
	if err != nil {
		return err
	}
	body := gin.H{"mou": got}
	if _, ok := m.cfg.Templates[got.Template]; ok {
		lines, err := m.signatoryLines(c.Request.Context(), got)
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

func (m *mouHandlers) listRevisions(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	out, err := m.db.Revisions(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revisions": out})
	return nil
}

// revision reads revision n with each section's deviation from the library.
func (m *mouHandlers) revision(c *gin.Context, id int64, n int) (*mou.Revision, map[mou.ClauseRef]*clause.Clause, error) {
	rev, err := m.storedRevision(c.Request.Context(), id, n)
	if err != nil {
		return nil, nil, err
	}
	lib, err := m.db.ClauseVersions(c.Request.Context(), mou.Refs(rev.Sections))
	if err != nil {
		return nil, nil, err
	}
	mou.MarkDeviations(rev.Sections, lib, rev.Variables)
	return rev, lib, nil
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
		out, err := m.revisionJSON(c, id, n)
		if err != nil {
			return err
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", out)
	case "md", "html":
		rev, err := m.storedRevision(c.Request.Context(), id, n)
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
	default:
		return errInvalid("invalid_format", "format must be json, md, html, pdf or pagemap")
	}
	return nil
}

// storedRevision reads revision n of an MOU, from memory when it was read
// before (n ≥ 1; 0, "the current one", always asks the store). Revisions
// never change; every racing save's 409 and every redline reads two. Each
// caller gets its own sections and variables, which readers mark up.
func (m *mouHandlers) storedRevision(ctx context.Context, id int64, n int) (*mou.Revision, error) {
	if n < 1 {
		return m.db.Revision(ctx, id, n)
	}
	r, err := m.stored.cached(revisionKey{mou: id, n: n}, func() (*mou.Revision, error) {
		return m.db.Revision(ctx, id, n)
	})
	if err != nil {
		return nil, err
	}
	c := *r
	c.Sections = slices.Clone(r.Sections)
	c.Variables = maps.Clone(r.Variables)
	return &c, nil
}

// revisionSize is about how many bytes a stored revision holds.
func revisionSize(r *mou.Revision) int {
	n := len(r.Title) + len(r.Preamble) + len(r.Message) + 256
	for _, s := range r.Sections {
		n += len(s.Key) + len(s.Heading) + len(s.Body) + len(s.Clause) + 64
	}
	return n
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
func (m *mouHandlers) revisionJSON(c *gin.Context, id int64, n int) ([]byte, error) {
	return m.revisions.cached(revisionKey{mou: id, n: n}, func() ([]byte, error) {
		rev, _, err := m.revision(c, id, n)
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

type revisionRequest struct {
	Base      int                `json:"base"`
	Message   string             `json:"message"`
	Sections  []mou.SectionInput `json:"sections"`
	Edits     []mou.Edit         `json:"edits"`
	Variables map[string]string  `json:"variables"`
}

// createRevision saves a new revision on top of base: a full section list,
// or edits, and/or new variable values. A stale base is 409 with the
// redline from base to the latest revision, so the client can merge.
func (m *mouHandlers) createRevision(c *gin.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var req revisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	info, err := m.saveRevision(c, id, req)
	if err != nil {
		return m.withStaleRedline(c, id, err)
	}
	c.JSON(http.StatusCreated, gin.H{"revision": info.Number, "content_hash": info.ContentHash})
	return nil
}

// saveRevision is createRevision's work, shared with the section editor
// page; a stale base comes back as the store's stale_revision error.
func (m *mouHandlers) saveRevision(c *gin.Context, id int64, req revisionRequest) (*mou.RevisionInfo, error) {
	ctx := c.Request.Context()
	if req.Base < 1 {
		return nil, moudesk.Errorf(moudesk.KindInvalid, "missing_field", "base (the revision you edited) is required")
	}
	if req.Sections != nil && req.Edits != nil {
		return nil, errInvalid("invalid_request", "send either sections or edits, not both")
	}
	if req.Sections == nil && req.Edits == nil && req.Variables == nil {
		return nil, errInvalid("invalid_request", "send sections, edits or variables")
	}
	// Only new variable values need the MOU's template; any other save
	// goes straight to the store, which answers 404 for a missing MOU and
	// 409 for a stale base without this read (most racing saves lose).
	var t *mou.Template
	if req.Variables != nil {
		current, err := m.db.MOU(ctx, id)
		if err != nil {
			return nil, err
		}
		var ok bool
		if t, ok = m.cfg.Templates[current.Template]; !ok {
			return nil, moudesk.Errorf(moudesk.KindUnprocessable, "unknown_template", "template %q of this MOU is no longer loaded, so variables cannot change", current.Template)
		}
	}
	change := func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		var err error
		switch {
		case req.Sections != nil:
			next.Sections, err = mou.ReplaceSections(base.Sections, req.Sections)
		case req.Edits != nil:
			next.Sections, err = mou.ApplyEdits(base.Sections, req.Edits)
		}
		if err != nil {
			return nil, err
		}
		if req.Variables != nil {
			lib, err := m.db.ClauseVersions(ctx, mou.Refs(next.Sections))
			if err != nil {
				return nil, err
			}
			if err := mou.Revalue(&next, t, lib, req.Variables); err != nil {
				return nil, err
			}
		}
		return &next, nil
	}
	return m.db.CreateRevision(ctx, actor(c), id, req.Base, req.Message, change)
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
	out, rerr := m.redlineBytes(c, id, st.Base, st.Latest, "json", redline.Inline)
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
	default:
		return errInvalid("invalid_format", "format must be json, html, text or pdf")
	}
	out, err := m.redlineBytes(c, id, from, to, format, view)
	if err != nil {
		return err
	}
	if format == "html" {
		c.Header("Content-Security-Policy", pageCSP)
	}
	c.Data(http.StatusOK, ctype, out)
	return nil
}

// redlineBytes renders the redline between two revisions, from the cache
// when it was rendered before.
func (m *mouHandlers) redlineBytes(c *gin.Context, id int64, from, to int, format string, view redline.View) ([]byte, error) {
	key := redlineKey{mou: id, from: from, to: to, format: format, view: view}
	return m.redlines.cached(key, func() ([]byte, error) {
		a, err := m.storedRevision(c.Request.Context(), id, from)
		if err != nil {
			return nil, err
		}
		b, err := m.storedRevision(c.Request.Context(), id, to)
		if err != nil {
			return nil, err
		}
		r := redline.Compare(a.Document(), b.Document(), redline.Options{})
		var buf bytes.Buffer
		switch format {
		case "json":
			err = json.NewEncoder(&buf).Encode(r)
		case "html":
			err = r.WriteHTML(&buf, view)
		case "text":
			err = r.WriteText(&buf)
		}
		if err != nil {
			return nil, fmt.Errorf("render redline: %w", err)
		}
		return buf.Bytes(), nil
	})
}

// deviation is one section whose text differs from its library clause.
type deviation struct {
	Key           string          `json:"key"`
	Heading       string          `json:"heading"`
	Clause        string          `json:"clause"`
	ClauseVersion int             `json:"clause_version"`
	Redline       *redline.Result `json:"redline"`
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
	out, number, err := m.deviations(c, id, n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": number, "deviations": out})
	return nil
}

// deviations is getDeviations' work, shared with the deviations page: for
// revision n (0 = current) it returns the deviating sections and the
// revision's number.
func (m *mouHandlers) deviations(c *gin.Context, id int64, n int) ([]deviation, int, error) {
	rev, lib, err := m.revision(c, id, n)
	if err != nil {
		return nil, 0, err
	}
	out := []deviation{}
	for _, s := range rev.Sections {
		if !s.Deviation {
			continue
		}
		libText := ""
		if cl, ok := lib[mou.ClauseRef{Slug: s.Clause, Version: s.ClauseVersion}]; ok {
			libText, _ = mou.FillClause(cl, rev.Variables)
		}
		one := func(body string) redline.Document {
			return redline.Document{Sections: mou.Parts(rev.Title, "", []mou.Section{{Key: s.Key, Heading: s.Heading, Body: body}})[1:]}
		}
		out = append(out, deviation{Key: s.Key, Heading: s.Heading, Clause: s.Clause, ClauseVersion: s.ClauseVersion,
			Redline: redline.Compare(one(libText), one(s.Body), redline.Options{})})
	}
	return out, rev.Number, nil
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

// redlineKey identifies one rendering of one pair of revisions.
type redlineKey struct {
	mou      int64
	from, to int
	format   string
	view     redline.View
}
