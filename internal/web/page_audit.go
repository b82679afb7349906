package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/audit"
)

type auditPage struct {
	Events  []audit.Event
	Object  string
	MOU     string
	Next    string // address of the later events, "" on the last page
	Checked bool
	OK      bool
	Count   int64
	Broken  int64
	Reason  string
}

// auditPage lists the audit log, optionally for one MOU, and verifies the
// hash chain on request (?verify=1).
func (s *Server) auditPage(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := readAuditPage(c)
	if err != nil {
		return err
	}
	out := auditPage{MOU: c.Query("mou")}
	if out.MOU != "" {
		if _, err := strconv.ParseInt(out.MOU, 10, 64); err != nil {
			return errInvalid("invalid_mou", "mou must be an MOU number")
		}
		out.Object = "mou:" + out.MOU
	}
	evs, err := s.desk.AuditFor(ctx, actor(c), desk.AuditFilter{Object: out.Object, After: p.after, Limit: p.limit + 1})
	if err != nil {
		return err
	}
	var next string
	out.Events, next = pageOf(evs, p, "audit", auditSeq)
	out.Next = nextPageLink("/audit", next, p, url.Values{"mou": {out.MOU}})
	if c.Query("verify") != "" {
		out.Checked = true
		n, err := s.desk.VerifyAudit(ctx)
		var broken *audit.BrokenError
		switch {
		case errors.As(err, &broken):
			out.Count, out.Broken, out.Reason = n, broken.Seq, broken.Reason
		case err != nil:
			return err
		default:
			out.OK, out.Count = true, n
		}
	}
	return s.renderPage(c, http.StatusOK, "audit", "Audit log", "audit", out)
}
