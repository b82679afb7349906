package web

import (
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// listClauses serves the library, filtered by category and ranked by q.
func (s *Server) listClauses(c *gin.Context) error {
	hits, err := s.desk.SearchClauses(c.Request.Context(), desk.ClauseQuery{Text: c.Query("q"), Category: c.Query("category")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"clauses": hits})
	return nil
}

// getClause serves the latest version and the version list.
func (s *Server) getClause(c *gin.Context) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	v, err := s.desk.ClauseVersion(c.Request.Context(), slug, 0)
	if err != nil {
		return err
	}
	hist, err := s.desk.ClauseHistory(c.Request.Context(), slug)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"clause": v, "versions": hist})
	return nil
}

func (s *Server) getClauseVersion(c *gin.Context) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	n, err := positiveParam(c, "n")
	if err != nil {
		return err
	}
	v, err := s.desk.ClauseVersion(c.Request.Context(), slug, n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"clause": v})
	return nil
}

type clauseRequest struct {
	Slug        string            `json:"slug"`
	BaseVersion int               `json:"base_version"`
	Title       string            `json:"title"`
	Category    string            `json:"category"`
	Summary     string            `json:"summary"`
	Variables   []clause.Variable `json:"variables"`
	Body        string            `json:"body"`
	Note        string            `json:"note"`
}

func (r clauseRequest) clause() *clause.Clause {
	return &clause.Clause{Slug: r.Slug, Title: r.Title, Category: r.Category, Summary: r.Summary, Variables: r.Variables, Body: clause.CanonicalBody(r.Body)}
}

func (s *Server) createClause(c *gin.Context) error {
	var req clauseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.desk.CreateClause(c.Request.Context(), actor(c), req.clause(), req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"clause": v})
	return nil
}

// updateClause saves a new version on top of base_version (409 when stale).
func (s *Server) updateClause(c *gin.Context) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	var req clauseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.BaseVersion < 1 {
		return moudesk.Errorf(moudesk.KindInvalid, "missing_field", "base_version (the version you edited) is required")
	}
	if req.Slug != "" && req.Slug != slug {
		return moudesk.Errorf(moudesk.KindInvalid, "slug_mismatch", "the slug in the body (%q) differs from the URL (%q)", req.Slug, slug)
	}
	v, err := s.desk.UpdateClause(c.Request.Context(), actor(c), slug, req.BaseVersion, req.clause(), req.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"clause": v})
	return nil
}

func slugParam(c *gin.Context) (string, error) {
	slug := c.Param("slug")
	if !clause.ValidSlug(slug) {
		return "", moudesk.Errorf(moudesk.KindInvalid, "invalid_slug", "%q is not a valid slug (lowercase letters, digits and hyphens)", slug)
	}
	return slug, nil
}

// positiveParam reads a path parameter that must be a number ≥ 1.
func positiveParam(c *gin.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil || n < 1 {
		return 0, moudesk.Errorf(moudesk.KindInvalid, "invalid_"+name, "%s must be a positive whole number", name)
	}
	return n, nil
}
