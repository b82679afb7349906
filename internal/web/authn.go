package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

const sessionCookie = "moudesk_session"

// principal is the authenticated caller, or nil for the public.
func principal(c *gin.Context) *auth.Principal {
	p, _ := c.Request.Context().Value(keyPrincipal).(*auth.Principal)
	return p
}

// actor is the caller as the audit log and version authors record it,
// with the session or token it came through.
func actor(c *gin.Context) moudesk.Actor {
	return desk.ActorOf(principal(c), c.ClientIP())
}

type sessionInfo struct{ csrf string }

// authenticate identifies the caller from a bearer token or the session
// cookie. A bad bearer token is refused outright; a bad cookie just means
// anonymous, so an expired session can still reach public pages.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			s.writeError(c, moudesk.Errorf(moudesk.KindUnauthorized, "invalid_token", "Authorization must be \"Bearer <token>\""))
			return
		}
		u, id, err := s.desk.TokenUser(ctx, auth.HashToken(strings.TrimSpace(token)))
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Request = c.Request.WithContext(context.WithValue(ctx, keyPrincipal, u.Principal(auth.ViaToken, id)))
		c.Next()
		return
	}
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		u, info, err := s.desk.Session(ctx, auth.HashToken(cookie), s.cfg.SessionIdle)
		if err == nil {
			ctx = context.WithValue(ctx, keyPrincipal, u.Principal(auth.ViaSession, info.ID))
			c.Set("session", sessionInfo{csrf: info.CSRF})
			c.Request = c.Request.WithContext(ctx)
		} else if !moudesk.IsKind(err, moudesk.KindUnauthorized) {
			s.writeError(c, err)
			return
		}
	}
	c.Next()
}

// authorize enforces the permission table for one route. A user who must
// set a new password may reach only their own account until they do (403
// password_change_required). Denied writes are audited (without their
// body) so probing leaves a trace.
func (s *Server) authorize(a auth.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a == auth.Public {
			c.Next()
			return
		}
		p := principal(c)
		var err *moudesk.Error
		switch {
		case p == nil:
			err = moudesk.Errorf(moudesk.KindUnauthorized, "unauthenticated", "sign in or send an API token")
		case p.MustChangePassword && !auth.AllowedBeforePasswordChange(a):
			err = desk.ErrPasswordChangeRequired()
		case !p.Can(a):
			err = moudesk.Errorf(moudesk.KindForbidden, "forbidden", "your roles (%s) do not allow %s", auth.FormatRoles(p.Roles), a)
		case p.Via == auth.ViaSession && !safeMethod(c.Request.Method) && !s.sameOrigin(c):
			err = moudesk.Errorf(moudesk.KindForbidden, "csrf_failed", "cross-site request refused: send the X-CSRF-Token header from sign-in, or post from moudesk's own pages")
		}
		if err != nil {
			if !safeMethod(c.Request.Method) {
				s.auditDenial(c, a, err)
			}
			s.writeError(c, err)
			return
		}
		c.Next()
	}
}

// auditDenial records a refused write. A failure to audit is logged, not
// returned: the request is refused either way.
func (s *Server) auditDenial(c *gin.Context, a auth.Action, e *moudesk.Error) {
	details := map[string]any{"method": c.Request.Method, "path": clip(c.Request.URL.Path, maxAuditPath), "action": string(a), "reason": e.Code}
	if err := s.desk.Audit(c.Request.Context(), actor(c), "access.denied", "route:"+c.FullPath(), details); err != nil {
		s.log.ErrorContext(c.Request.Context(), "audit denial", "request_id", requestID(c), "err", err)
	}
}

// maxAuditPath bounds the request path a denial records. Anyone may send
// a denied write, without a login and without a throttle, and a path
// parameter can be as long as the request line (a megabyte): the trace
// of a probe must not be the probe's size.
const maxAuditPath = 256

// clip cuts s to at most n bytes, on a UTF-8 boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sameOrigin proves a cookie-authenticated write came from moudesk's own
// pages: the session's CSRF token in a header or form field, or else the
// browser's own Sec-Fetch-Site / Origin naming this host. A request with
// none of them is refused.
func (s *Server) sameOrigin(c *gin.Context) bool {
	v, _ := c.Get("session")
	info, _ := v.(sessionInfo)
	if info.csrf != "" {
		token := c.GetHeader("X-CSRF-Token")
		if token == "" && strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
			token = c.PostForm("csrf_token")
		}
		if token != "" {
			return subtle.ConstantTimeCompare([]byte(token), []byte(info.csrf)) == 1
		}
	}
	if site := c.GetHeader("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	if origin := c.GetHeader("Origin"); origin != "" && origin != "null" {
		u, err := url.Parse(origin)
		return err == nil && u.Host == c.Request.Host
	}
	return false
}
