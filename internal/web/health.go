package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// healthz answers 200 only when the database answers.
func (s *Server) healthz(c *gin.Context) error {
	if err := s.desk.Ping(c.Request.Context()); err != nil {
		s.log.ErrorContext(c.Request.Context(), "health check", "err", err)
		return moudesk.Errorf(moudesk.KindUnavailable, "unhealthy", "the database does not answer")
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}
