package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/cache"
)

// Bounds of the cache of revisions as JSON. A 40-page MOU is about 100 KB;
// a few hundred cover what a review meeting looks at, and the byte bound
// keeps memory flat whatever the documents' size.
const (
	revisionCacheSize  = 512
	revisionCacheBytes = 32 << 20
)

// mouRoutes registers the MOU, revision and redline API. The cache of
// revisions as JSON lives here, owned by this server: revisions are
// immutable, and so are the library clause versions their deviations are
// measured against, so a revision's JSON never changes. Rendered redlines
// are the service's (desk.RenderRedline), shared with the pages.
func (s *Server) mouRoutes() {
	m := &mouHandlers{Server: s, pdf: newPDFHandlers(s),
		revisions: cache.New[revisionKey](revisionCacheSize, revisionCacheBytes, cache.ByteLen)}
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
}
