package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPI serves the API contract (api/openapi.yaml) as JSON. It is public:
// it describes routes, not data, and a city's IT department reads it
// before it has an account.
func (s *Server) openAPI(c *gin.Context) error {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.apiDoc)
	return nil
}
