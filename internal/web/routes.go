package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
)

// handle registers a route together with the one action it requires, so
// no route exists without a rule in the permission table.
func (s *Server) handle(method, path string, a auth.Action, h handlerFunc) {
	s.rules[method+" "+path] = a
	chain := []gin.HandlerFunc{s.authorize(a)}
	if param := scopeParam(path); param != "" && a != auth.Public {
		chain = append(chain, s.partyScope(param))
	}
	s.engine.Handle(method, path, append(chain, s.wrap(h))...)
}

// handleUpload registers a route that reads a file upload of at most limit
// bytes itself (readUpload), exempt from the general form bound.
func (s *Server) handleUpload(method, path string, a auth.Action, h handlerFunc) {
	s.uploads[method+" "+path] = true
	s.handle(method, path, a, h)
}

// Rules is the action every registered route requires, keyed "METHOD path".
func (s *Server) Rules() map[string]auth.Action { return s.rules }

// Routes lists what gin registered, for the route-walk test.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

func (s *Server) routes() {
	e := s.engine
	e.Use(withRequestID, s.logRequests, s.recoverPanics, securityHeaders, s.limitFormBody, s.authenticate)
	e.NoRoute(s.notFound)
	e.NoMethod(s.methodNotAllowed)

	s.handle(http.MethodGet, "/healthz", auth.Public, s.healthz)
	s.handle(http.MethodGet, "/api/v1/openapi.json", auth.Public, s.openAPI)

	s.handle(http.MethodPost, "/api/v1/session", auth.Public, s.login)
	s.handle(http.MethodDelete, "/api/v1/session", auth.Public, s.logout)
	s.accountRoutes()
	s.notificationRoutes()

	// The clause library is our own public text: anyone may read it, as the
	// README's first curl does; only writing needs an account.
	s.handle(http.MethodGet, "/api/v1/clauses", auth.Public, s.listClauses)
	s.handle(http.MethodPost, "/api/v1/clauses", auth.ClauseWrite, s.createClause)
	s.handle(http.MethodGet, "/api/v1/clauses/:slug", auth.Public, s.getClause)
	s.handle(http.MethodPut, "/api/v1/clauses/:slug", auth.ClauseWrite, s.updateClause)
	s.handle(http.MethodGet, "/api/v1/clauses/:slug/versions/:n", auth.Public, s.getClauseVersion)

	s.mouRoutes()
	s.pdfRoutes()
	s.docxRoutes()
	s.workflowRoutes()
	s.recommendationRoutes()
	s.obligationRoutes()
	s.accountabilityRoutes()
	s.workflowDefinitionRoutes()
	s.calendarRoutes()
	s.webhookRoutes()
	sg := s.signRoutes()

	s.handle(http.MethodGet, "/api/v1/audit", auth.AuditRead, s.listAudit)
	s.handle(http.MethodGet, "/api/v1/audit/verify", auth.AuditRead, s.verifyAudit)

	s.pageRoutes(sg)
}
