package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/desk"
)

// maxWorkflowBody bounds a definition upload. workflow.Parse refuses more
// than 32 KiB; the rest leaves room for JSON's escaping.
const maxWorkflowBody = 128 << 10

// workflowDefinitionRoutes registers the workflow definitions an
// administrator manages at run time: anyone signed in reads them, only an
// administrator stores a new version.
func (s *Server) workflowDefinitionRoutes() {
	s.handle(http.MethodGet, "/api/v1/workflows", auth.WorkflowRead, s.listWorkflows)
	s.handle(http.MethodGet, "/api/v1/workflows/:name", auth.WorkflowRead, s.getWorkflow)
	s.handle(http.MethodGet, "/api/v1/workflows/:name/versions/:n", auth.WorkflowRead, s.getWorkflowVersion)
	s.handle(http.MethodPut, "/api/v1/workflows/:name", auth.WorkflowWrite, s.putWorkflow)

	s.handle(http.MethodGet, "/admin/workflows", auth.WorkflowRead, s.workflowsPage)
	s.handle(http.MethodPost, "/admin/workflows", auth.WorkflowWrite, s.uploadWorkflowPage)
	s.handle(http.MethodGet, "/admin/workflows/:name", auth.WorkflowRead, s.workflowPage)
	s.handle(http.MethodGet, "/admin/workflows/:name/versions/:n", auth.WorkflowRead, s.workflowPage)
	s.handle(http.MethodGet, "/admin/workflows/:name/edit", auth.WorkflowWrite, s.workflowEditForm)
	s.handle(http.MethodPost, "/admin/workflows/:name/edit", auth.WorkflowWrite, s.saveWorkflowPage)
}

// workflowName reads the :name parameter: a slug, as an MOU's workflow
// must be.
func workflowName(c *gin.Context) (string, error) {
	name := c.Param("name")
	if !clause.ValidSlug(name) {
		return "", moudesk.Errorf(moudesk.KindInvalid, "invalid_name", "%q is not a valid workflow name (lowercase letters, digits and hyphens)", name)
	}
	return name, nil
}

func (s *Server) listWorkflows(c *gin.Context) error {
	list, err := s.desk.Workflows().List(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"workflows": list})
	return nil
}

// getWorkflow serves the latest version with the list of versions.
func (s *Server) getWorkflow(c *gin.Context) error {
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	latest, err := s.desk.Workflows().Versions(c.Request.Context(), name)
	if err != nil {
		return err
	}
	d, err := s.desk.Workflows().Detail(c.Request.Context(), name, latest[len(latest)-1].Version)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"workflow": d})
	return nil
}

func (s *Server) getWorkflowVersion(c *gin.Context) error {
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	n, err := positiveParam(c, "n")
	if err != nil {
		return err
	}
	d, err := s.desk.Workflows().Detail(c.Request.Context(), name, n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"workflow": d})
	return nil
}

// putWorkflow stores the body as the next version of :name: 201 with the
// new version, or 200 with the latest when the source is the same.
func (s *Server) putWorkflow(c *gin.Context) error {
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	source, err := readWorkflowSource(c)
	if err != nil {
		return err
	}
	d, created, err := s.desk.SaveWorkflow(c.Request.Context(), actor(c), name, source)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"workflow": d, "created": created})
	return nil
}

// readWorkflowSource reads a definition upload: the YAML itself
// (application/yaml, text/yaml, application/x-yaml) or JSON
// {"source": "..."}; 415 for another type, 413 over the bound.
func readWorkflowSource(c *gin.Context) (string, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/json":
		var req struct {
			Source string `json:"source"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return "", err
		}
		return req.Source, nil
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxWorkflowBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return "", moudesk.Errorf(moudesk.KindTooLarge, "too_large", "request body is larger than %d bytes", maxWorkflowBody)
			}
			return "", errInvalid("unreadable_body", "could not read the request body")
		}
		return string(raw), nil
	}
	return "", moudesk.Errorf(moudesk.KindUnsupported, "unsupported_media_type",
		"send the definition as application/yaml, or as application/json {\"source\": \"...\"}")
}

type workflowsPage struct {
	Workflows []desk.WorkflowSummary
	// The upload form: a new definition's name and YAML.
	Name, Source string
	Errors       map[string]string
}

func (s *Server) workflowsPage(c *gin.Context) error {
	list, err := s.desk.Workflows().List(c.Request.Context())
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "workflows", "Workflows", "admin", &workflowsPage{Workflows: list, Errors: map[string]string{}})
}

// uploadWorkflowPage stores a definition from the list page's form; it
// may be a new one or a new version of an existing one.
func (s *Server) uploadWorkflowPage(c *gin.Context) error {
	name, source := strings.TrimSpace(c.PostForm("name")), c.PostForm("source")
	fail := func(err error) error {
		list, lerr := s.desk.Workflows().List(c.Request.Context())
		if lerr != nil {
			return lerr
		}
		out := &workflowsPage{Workflows: list, Name: name, Source: source, Errors: map[string]string{}}
		return s.workflowFormFail(c, "workflows", "Workflows", out.Errors, out, err)
	}
	if !clause.ValidSlug(name) {
		return fail(moudesk.Errorf(moudesk.KindUnprocessable, "invalid_name", "Enter a name of lowercase letters, digits and hyphens, the same as the definition's name:."))
	}
	d, created, err := s.desk.SaveWorkflow(c.Request.Context(), actor(c), name, source)
	if err != nil {
		return fail(err)
	}
	return seeOther(c, workflowPath(d), savedFlash(created))
}

type workflowPage struct {
	Workflow *desk.WorkflowDetail
	// Versions lists every version, newest first.
	Versions []desk.WorkflowVersion
}

// workflowPage shows one version (the latest without :n): its stages and
// bodies, its source, and the list of versions.
func (s *Server) workflowPage(c *gin.Context) error {
	ctx := c.Request.Context()
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	vs, err := s.desk.Workflows().Versions(ctx, name)
	if err != nil {
		return err
	}
	n := vs[len(vs)-1].Version
	if c.Param("n") != "" {
		if n, err = positiveParam(c, "n"); err != nil {
			return err
		}
	}
	d, err := s.desk.Workflows().Detail(ctx, name, n)
	if err != nil {
		return err
	}
	out := &workflowPage{Workflow: d}
	for i := len(vs) - 1; i >= 0; i-- {
		out.Versions = append(out.Versions, vs[i])
	}
	return s.renderPage(c, http.StatusOK, "workflow", d.Title, "admin", out)
}

type workflowEditPage struct {
	Name, Source string
	Latest       int
	Errors       map[string]string
}

// workflowEditForm shows the latest version's YAML to edit.
func (s *Server) workflowEditForm(c *gin.Context) error {
	ctx := c.Request.Context()
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	vs, err := s.desk.Workflows().Versions(ctx, name)
	if err != nil {
		return err
	}
	latest := vs[len(vs)-1].Version
	d, err := s.desk.Workflows().Detail(ctx, name, latest)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "workflowedit", "Edit workflow "+name, "admin",
		&workflowEditPage{Name: name, Source: d.Source, Latest: latest, Errors: map[string]string{}})
}

// saveWorkflowPage stores the edited YAML as the next version.
func (s *Server) saveWorkflowPage(c *gin.Context) error {
	ctx := c.Request.Context()
	name, err := workflowName(c)
	if err != nil {
		return err
	}
	source := c.PostForm("source")
	d, created, err := s.desk.SaveWorkflow(ctx, actor(c), name, source)
	if err != nil {
		vs, verr := s.desk.Workflows().Versions(ctx, name)
		if verr != nil {
			return verr
		}
		out := &workflowEditPage{Name: name, Source: source, Latest: vs[len(vs)-1].Version, Errors: map[string]string{}}
		return s.workflowFormFail(c, "workflowedit", "Edit workflow "+name, out.Errors, out, err)
	}
	return seeOther(c, workflowPath(d), savedFlash(created))
}

// workflowFormFail shows a workflow form again with the refusal beside
// the field it concerns, keeping what was typed; errors that are not the
// form's (a 403, a storage failure) go to the error page.
func (s *Server) workflowFormFail(c *gin.Context, page, title string, errs map[string]string, out any, err error) error {
	e, safe := clientError(err)
	if !safe || (e.Kind != moudesk.KindUnprocessable && e.Kind != moudesk.KindInvalid) {
		return err
	}
	switch {
	case e.Field == "source", e.Field == "name" && page == "workflows":
		errs[e.Field] = e.Message
	default:
		errs["_form"] = e.Message
	}
	return s.renderPage(c, statusOf[e.Kind], page, title, "admin", out)
}

func workflowPath(d *desk.WorkflowDetail) string { return "/admin/workflows/" + d.Name }

func savedFlash(created bool) string {
	if created {
		return "workflow"
	}
	return "unchanged"
}
