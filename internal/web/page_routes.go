package web

import (
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
	"github.com/moudesk/moudesk/templates"
)

// pageHandlers serves the HTML pages. Like the JSON API they call the
// service, so both share its rules and its caches; neither calls the
// other's handlers.
type pageHandlers struct {
	*Server
	sg *signHandlers
}

// pageRoutes registers the pages. Every page names its action like any API
// route; public pages live under /public.
func (s *Server) pageRoutes(sg *signHandlers) {
	p := &pageHandlers{Server: s, sg: sg}
	s.handle(http.MethodGet, "/static/*file", auth.Public, s.static)
	s.handle(http.MethodGet, "/", auth.Public, s.home)
	s.handle(http.MethodGet, "/signin", auth.Public, s.signinForm)
	s.handle(http.MethodPost, "/signin", auth.Public, s.signin)
	// Signing out needs a session, so the CSRF check applies to it; it is
	// part of the caller's own account, open even to a user who must
	// change their password.
	s.handle(http.MethodPost, "/signout", auth.Account, s.signout)

	s.handle(http.MethodGet, "/dashboard", auth.MOURead, p.dashboard)
	s.handle(http.MethodGet, "/audit", auth.AuditRead, s.auditPage)
	s.handle(http.MethodGet, "/approvals", auth.MOURead, p.approvalsPage)
	s.handle(http.MethodGet, "/clauses", auth.ClauseRead, s.clausesPage)
	s.handle(http.MethodGet, "/clauses/:slug", auth.ClauseRead, s.clausePage)
	s.handle(http.MethodGet, "/clauses/:slug/edit", auth.ClauseWrite, s.clauseEditForm)
	s.handle(http.MethodPost, "/clauses/:slug/edit", auth.ClauseWrite, s.saveClause)
	s.handle(http.MethodGet, "/mous/:id/sign", auth.MOURead, p.signPage)
	s.handle(http.MethodPost, "/mous/:id/sign", auth.SignatureWrite, p.signPost)
	s.handle(http.MethodPost, "/mous/:id/signatories", auth.SignatoryWrite, p.assignPost)
	s.handle(http.MethodGet, "/public", auth.Public, p.publicList)
	s.handle(http.MethodGet, "/public/verify", auth.Public, p.verifyForm)
	s.handleUpload(http.MethodPost, "/public/verify", auth.Public, p.verifyPost)
	s.handle(http.MethodGet, "/verify", auth.Public, s.verifyPrintedAddress)
	s.handle(http.MethodGet, "/public/mous/:id", auth.Public, p.publicMOU)
	s.handle(http.MethodGet, "/public/mous/:id/redline", auth.Public, p.publicRedline)
	s.handle(http.MethodGet, "/public/mous/:id/document.pdf", auth.Public, p.publicPDF)
	s.handle(http.MethodGet, "/admin", auth.AdminUsers, s.adminPage)
	s.handle(http.MethodPost, "/admin/users", auth.AdminUsers, s.addUserPage)
	s.handle(http.MethodPost, "/admin/parties", auth.AdminUsers, s.addPartyPage)
	s.handle(http.MethodPost, "/admin/tokens", auth.AdminUsers, s.createTokenPage)
	s.handle(http.MethodPost, "/admin/tokens/:tid/revoke", auth.AdminUsers, s.revokeTokenPage)
	s.handle(http.MethodGet, "/mous/new", auth.MOUCreate, p.newMOUForm)
	s.handle(http.MethodPost, "/mous/new", auth.MOUCreate, p.createMOUPage)
	s.handle(http.MethodGet, "/mous/:id", auth.MOURead, p.mouPage)
	s.handle(http.MethodGet, "/mous/:id/redline", auth.MOURead, p.redlinePage)
	s.handle(http.MethodGet, "/mous/:id/deviations", auth.MOURead, p.deviationsPage)
	s.handle(http.MethodGet, "/mous/:id/sections/:key/edit", auth.RevisionWrite, p.editSectionForm)
	s.handle(http.MethodPost, "/mous/:id/sections/:key/edit", auth.RevisionWrite, p.saveSection)
	s.handle(http.MethodGet, "/mous/:id/signature-block/edit", auth.RevisionWrite, p.editBlockForm)
	s.handle(http.MethodPost, "/mous/:id/signature-block/edit", auth.RevisionWrite, p.saveBlock)
	s.handle(http.MethodPost, "/preview", auth.MOURead, p.preview)
	s.handle(http.MethodPost, "/mous/:id/transition", auth.TransitionWrite, p.transitionPage)
	s.handle(http.MethodGet, "/mous/:id/meetings/new", auth.MeetingWrite, p.newMeetingForm)
	s.handle(http.MethodPost, "/mous/:id/meetings/new", auth.MeetingWrite, p.createMeetingPage)
	s.handle(http.MethodGet, "/meetings/:mid", auth.MOURead, p.meetingPage)
	s.handle(http.MethodPost, "/meetings/:mid/feedback", auth.FeedbackWrite, p.addFeedbackPage)
	s.handle(http.MethodPost, "/meetings/:mid/outcome", auth.OutcomeWrite, p.recordOutcomePage)
	s.handle(http.MethodPost, "/meetings/:mid/schedule", auth.MeetingWrite, p.rescheduleMeetingPage)
	s.handle(http.MethodPost, "/meetings/:mid/status-updates", auth.OutcomeWrite, p.addStatusUpdatePage)
	s.handle(http.MethodPost, "/feedback/:fid/decline", auth.FeedbackResolve, p.declineFeedbackPage)
	s.handle(http.MethodPost, "/feedback/:fid/resolve", auth.FeedbackResolve, p.resolveFeedbackPage)
}

// mouAndWorkflow reads the MOU the :id parameter names and the workflow
// definition it follows.
func (p *pageHandlers) mouAndWorkflow(c *gin.Context) (*desk.MOU, *workflow.Definition, error) {
	m, err := p.mouParam(c)
	if err != nil {
		return nil, nil, err
	}
	def, err := p.desk.Workflow(c.Request.Context(), m.Workflow, m.WorkflowVersion)
	if err != nil {
		return nil, nil, err
	}
	return m, def, nil
}

// stageTitle is the stage's title as pages show it; its name when the
// definition cannot be used (nil).
func stageTitle(def *workflow.Definition, stage string) string {
	if def == nil {
		return stage
	}
	return desk.StageTitle(def, stage)
}

// static serves the stylesheet and script embedded under templates/web/static.
func (s *Server) static(c *gin.Context) error {
	name := path.Clean("/" + c.Param("file"))
	sub, err := fs.Sub(templates.FS, "web/static")
	if err != nil {
		return err
	}
	b, err := fs.ReadFile(sub, strings.TrimPrefix(name, "/"))
	if err != nil {
		return moudesk.ErrNotFound("static file " + name)
	}
	ctype := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	}
	if c.Query("v") == s.pages.assetVersion {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Data(http.StatusOK, ctype, b)
	return nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
