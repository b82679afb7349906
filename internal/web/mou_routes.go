package web

import (
	"net/http"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/cache"
)

// Bounds of the caches of rendered redlines and revisions. An entry is one
// rendering of one pair of revisions (the bench pair's JSON redline is
// about 220 KB) or one revision as JSON (a 40-page MOU is about 100 KB); a
// few hundred cover what a review meeting looks at, and the byte bounds
// keep memory flat whatever the documents' size.
const (
	redlineCacheSize   = 256
	redlineCacheBytes  = 64 << 20
	revisionCacheSize  = 512
	revisionCacheBytes = 32 << 20
)

// mouRoutes registers the MOU, revision and redline API. The caches live
// here, owned by this server: revisions are immutable, and so are the
// library clause versions their deviations are measured against, so a
// revision's JSON and a redline between two revisions never change.
func (s *Server) mouRoutes() *mouHandlers {
	m := &mouHandlers{Server: s, pdf: newPDFHandlers(s),
		redlines:  cache.New[redlineKey](redlineCacheSize, redlineCacheBytes, cache.ByteLen),
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
	return m
}
