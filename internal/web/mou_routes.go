package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/auth"
)

// redlineCacheSize bounds the rendered redlines kept in memory. Each entry
// is one rendering of one pair of revisions; a few hundred cover every
// redline a review meeting looks at.
const redlineCacheSize = 256

// mouRoutes registers the MOU, revision and redline API. The redline cache
// lives here, owned by this server, because redlines between immutable
// revisions never change.
func (s *Server) mouRoutes() *mouHandlers {
	m := &mouHandlers{Server: s, redlines: newRedlineCache(redlineCacheSize), pdf: newPDFHandlers(s)}
	s.handle(http.MethodGet, "/api/v1/templates", auth.TemplateRead, m.listTemplates)
	s.handle(http.MethodGet, "/api/v1/mous", auth.MOURead, m.listMOUs)
	s.handle(http.MethodPost, "/api/v1/mous", auth.MOUCreate, m.createMOU)
	s.handle(http.MethodGet, "/api/v1/mous/:id", auth.MOURead, m.getMOU)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions", auth.MOURead, m.listRevisions)
	s.handle(http.MethodPost, "/api/v1/mous/:id/revisions", auth.RevisionWrite, m.createRevision)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions/:n", auth.MOURead, m.getRevision)
	s.handle(http.MethodGet, "/api/v1/mous/:id/redline", auth.MOURead, m.getRedline)
	s.handle(http.MethodGet, "/api/v1/mous/:id/deviations", auth.MOURead, m.getDeviations)
	s.handle(http.MethodPost, "/api/v1/mous/:id/amendments", auth.MOUCreate, m.createAmendment)
	s.handle(http.MethodGet, "/api/v1/public/mous/:id", auth.Public, m.getPublicExecuted)
	return m
}
