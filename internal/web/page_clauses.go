package web

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/redline"
)

type clauseHitView struct {
	desk.ClauseHit
	SnippetHTML template.HTML
}

type clauseGroup struct {
	Category string
	Hits     []clauseHitView
}

type clausesPage struct {
	Q, Category string
	Categories  []string
	Groups      []clauseGroup
	Searched    bool
	Count       int
}

// clausesPage browses the library by category and searches it; search
// hits show a snippet with the matched words marked.
func (s *Server) clausesPage(c *gin.Context) error {
	ctx := c.Request.Context()
	out := clausesPage{Q: strings.TrimSpace(c.Query("q")), Category: c.Query("category")}
	all, err := s.desk.SearchClauses(ctx, desk.ClauseQuery{})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, h := range all {
		if !seen[h.Category] {
			seen[h.Category] = true
			out.Categories = append(out.Categories, h.Category)
		}
	}
	sort.Strings(out.Categories)
	hits, err := s.desk.SearchClauses(ctx, desk.ClauseQuery{Text: out.Q, Category: out.Category})
	if err != nil {
		return err
	}
	out.Searched, out.Count = out.Q != "", len(hits)
	idx := map[string]int{}
	for _, h := range hits {
		v := clauseHitView{ClauseHit: h, SnippetHTML: template.HTML(h.Snippet)} //nolint:gosec // sqlite.markSnippet escapes the text and adds only <mark>
		key := h.Category
		if out.Searched {
			key = "" // ranked results stay in rank order, in one list
		}
		i, ok := idx[key]
		if !ok {
			i = len(out.Groups)
			idx[key] = i
			out.Groups = append(out.Groups, clauseGroup{Category: key})
		}
		out.Groups[i].Hits = append(out.Groups[i].Hits, v)
	}
	return s.renderPage(c, http.StatusOK, "clauses", "Clause library", "clauses", out)
}

type clausePage struct {
	Clause   *desk.ClauseVersion
	Latest   int
	Versions []desk.VersionInfo
	From, To int
	Redline  template.HTML
}

// clausePage shows a clause (the latest version, or ?v=), its versions,
// and the redline between two versions (?from=&to=).
func (s *Server) clausePage(c *gin.Context) error {
	ctx := c.Request.Context()
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	hist, err := s.desk.ClauseHistory(ctx, slug)
	if err != nil {
		return err
	}
	latest, err := s.desk.ClauseVersion(ctx, slug, 0)
	if err != nil {
		return err
	}
	out := clausePage{Clause: latest, Latest: latest.Version, Versions: hist, To: latest.Version, From: latest.Version - 1}
	if v := c.Query("v"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errInvalid("invalid_v", "v must be a version number")
		}
		if out.Clause, err = s.desk.ClauseVersion(ctx, slug, n); err != nil {
			return err
		}
	}
	if c.Query("from") != "" || c.Query("to") != "" {
		if out.From, err = queryRevision(c, "from"); err != nil {
			return err
		}
		if out.To, err = queryRevision(c, "to"); err != nil {
			return err
		}
	}
	if out.From >= 1 {
		a, err := s.desk.ClauseVersion(ctx, slug, out.From)
		if err != nil {
			return err
		}
		b, err := s.desk.ClauseVersion(ctx, slug, out.To)
		if err != nil {
			return err
		}
		if out.Redline, err = clauseRedline(a.Body, b.Body); err != nil {
			return err
		}
	}
	return s.renderPage(c, http.StatusOK, "clause", out.Clause.Title, "clauses", out)
}

// clauseRedline compares two clause bodies as one-section documents.
func clauseRedline(a, b string) (template.HTML, error) {
	one := func(body string) redline.Document {
		return redline.Document{Sections: []redline.Section{{Key: "body", Text: clause.CanonicalBody(body)}}}
	}
	return redlineHTML(redline.Compare(one(a), one(b), redline.Options{}), redline.Inline)
}

type clauseEditPage struct {
	Slug                     string
	Base                     int
	Title, Category, Summary string
	Body, Note               string
	Variables                []clause.Variable
	Errors                   map[string]string
	Preview                  template.HTML
	Stale                    bool
	Latest                   int
	StaleDiff                template.HTML
}

// Hint tells the editor which details the clause's text may use.
func (p clauseEditPage) Hint() string {
	names := make([]string, len(p.Variables))
	for i, v := range p.Variables {
		names[i] = v.Name
	}
	if len(names) == 0 {
		return "Write details as {{name}}; this clause declares none."
	}
	return "Write details as {{name}}; this clause declares: " + strings.Join(names, ", ") + "."
}

func (s *Server) clauseEditForm(c *gin.Context) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	v, err := s.desk.ClauseVersion(c.Request.Context(), slug, 0)
	if err != nil {
		return err
	}
	out := clauseEditPage{Slug: slug, Base: v.Version, Title: v.Title, Category: v.Category, Summary: v.Summary, Body: v.Body, Variables: v.Variables}
	return s.renderPage(c, http.StatusOK, "clauseedit", "Edit "+v.Title, "clauses", out)
}

// saveClause saves a new version of a clause; its variables stay as they
// are (they are declared in the library files). A stale base shows the
// other change and keeps the user's text.
func (s *Server) saveClause(c *gin.Context) error {
	ctx := c.Request.Context()
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	base, err := strconv.Atoi(c.PostForm("base"))
	if err != nil || base < 1 {
		return errInvalid("invalid_base", "the form lost the version it was editing; open the editor again")
	}
	baseV, err := s.desk.ClauseVersion(ctx, slug, base)
	if err != nil {
		return err
	}
	out := clauseEditPage{Slug: slug, Base: base, Title: c.PostForm("title"), Category: c.PostForm("category"), Summary: c.PostForm("summary"),
		Body: c.PostForm("body"), Note: c.PostForm("note"), Variables: baseV.Variables, Errors: map[string]string{}}
	if c.PostForm("action") == "preview" {
		out.Preview = markdownHTML(out.Body)
		return s.renderPage(c, http.StatusOK, "clauseedit", "Edit "+baseV.Title, "clauses", out)
	}
	if strings.TrimSpace(out.Note) == "" {
		out.Errors["note"] = "Say what changed and why; it goes in the version history."
		return s.renderPage(c, http.StatusUnprocessableEntity, "clauseedit", "Edit "+baseV.Title, "clauses", out)
	}
	cl := &clause.Clause{Slug: slug, Title: strings.TrimSpace(out.Title), Category: strings.TrimSpace(out.Category),
		Summary: strings.TrimSpace(out.Summary), Variables: baseV.Variables, Body: clause.CanonicalBody(out.Body)}
	_, err = s.desk.UpdateClause(ctx, actor(c), slug, base, cl, out.Note)
	if err == nil {
		return seeOther(c, "/clauses/"+slug, "clause")
	}
	if e, ok := moudesk.AsError(err); ok && e.Code == "stale_revision" {
		latest, lerr := s.desk.ClauseVersion(ctx, slug, 0)
		if lerr != nil {
			return lerr
		}
		if out.StaleDiff, err = clauseRedline(baseV.Body, latest.Body); err != nil {
			return err
		}
		out.Stale, out.Latest, out.Base = true, latest.Version, latest.Version
		return s.renderPage(c, http.StatusConflict, "clauseedit", "Edit "+baseV.Title, "clauses", out)
	}
	errs, ierr := fieldErrors(err)
	if ierr != nil {
		return ierr
	}
	out.Errors = errs
	return s.renderPage(c, http.StatusUnprocessableEntity, "clauseedit", "Edit "+baseV.Title, "clauses", out)
}
