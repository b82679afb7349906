package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/audit"
)

// listAudit pages through the audit log, optionally for one object.
func (s *Server) listAudit(c *gin.Context) error {
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	limit, _ := strconv.Atoi(c.Query("limit"))
	object := c.Query("object")
	if m := c.Query("mou"); m != "" && object == "" {
		object = "mou:" + m
	}
	evs, err := s.desk.AuditEvents(c.Request.Context(), desk.AuditFilter{Object: object, After: after, Limit: limit})
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []audit.Event{}
	}
	c.JSON(http.StatusOK, gin.H{"events": evs})
	return nil
}

// verifyAudit walks the whole chain.
func (s *Server) verifyAudit(c *gin.Context) error {
	n, err := s.desk.VerifyAudit(c.Request.Context())
	var broken *audit.BrokenError
	if errors.As(err, &broken) {
		c.JSON(http.StatusOK, gin.H{"ok": false, "checked": n, "broken_seq": broken.Seq, "reason": broken.Reason})
		return nil
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "checked": n})
	return nil
}
