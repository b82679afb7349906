package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// scopeParam names the path parameter that puts a route inside one MOU
// (the MOU itself, one of its meetings, one of its feedback items), or ""
// for a route that is not MOU-scoped.
func scopeParam(path string) string {
	switch {
	case strings.Contains(path, "/mous/:id"):
		return "id"
	case strings.Contains(path, "/meetings/:mid"):
		return "mid"
	case strings.Contains(path, "/feedback/:fid"):
		return "fid"
	}
	return ""
}

// partyScope answers 404 for an MOU-scoped route when the caller may not
// see the MOU (desk.CanSee: not one of its parties, nor an admin), before
// the handler runs, so that reads and writes alike reveal nothing of an
// MOU to a non-party. What a party may do within the MOU the service
// decides in each use case. A parameter that is not an id is left to the
// handler's own 400.
func (s *Server) partyScope(param string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param(param), 10, 64)
		if err != nil || id < 1 {
			c.Next()
			return
		}
		if err := s.canSee(c.Request.Context(), actor(c), param, id); err != nil {
			s.writeError(c, err)
			return
		}
		c.Next()
	}
}

func (s *Server) canSee(ctx context.Context, a moudesk.Actor, param string, id int64) error {
	switch param {
	case "id":
		return s.desk.CanSeeMOU(ctx, a, id)
	case "mid":
		return s.desk.CanSeeMeeting(ctx, a, id)
	case "fid":
		return s.desk.CanSeeFeedback(ctx, a, id)
	}
	return nil
}
