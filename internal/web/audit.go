package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/audit"
)

// listAudit pages through the audit log in seq order, optionally for one
// object (?object=, or ?mou=N for "mou:N").
func (s *Server) listAudit(c *gin.Context) error {
	p, err := readAuditPage(c)
	if err != nil {
		return err
	}
	object := c.Query("object")
	if m := c.Query("mou"); m != "" && object == "" {
		object = "mou:" + m
	}
	evs, err := s.desk.AuditFor(c.Request.Context(), actor(c), desk.AuditFilter{Object: object, After: p.after, Limit: p.limit + 1})
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []audit.Event{}
	}
	evs, next := pageOf(evs, p, "audit", auditSeq)
	c.JSON(http.StatusOK, pageBody("events", evs, next))
	return nil
}

func auditSeq(ev audit.Event) int64 { return ev.Seq }

// readAuditPage reads a page of the audit log like any list's, and also
// ?after=<seq>, which clients used before cursors: an event's seq is public
// and stable, so it stays a valid place to start. Both at once is refused.
func readAuditPage(c *gin.Context) (listPage, error) {
	p, err := readListPage(c, "audit")
	if err != nil {
		return p, err
	}
	raw := c.Query("after")
	if raw == "" {
		return p, nil
	}
	if c.Query("cursor") != "" {
		return p, errInvalid("invalid_cursor", "give cursor or after, not both")
	}
	if p.after, err = strconv.ParseInt(raw, 10, 64); err != nil || p.after < 0 {
		return p, errInvalid("invalid_after", "after must be the seq of an audit event (a whole number, 0 or more)")
	}
	return p, nil
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
