package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
)

// view is what every page template receives: the layout's needs plus the
// page's own Data.
type view struct {
	Title  string
	Nav    string // which main-navigation entry is current
	Me     *auth.Principal
	CSRF   string // the session's CSRF token, put in every form
	Flash  string
	Asset  string // static asset version for cache busting
	Status int
	Data   any
	// Unread counts the signed-in user's unread notifications: the bell.
	Unread int
}

// pageCSP keeps injected markup inert even if escaping ever failed: scripts
// only from our own origin, no plugins, no foreign form targets. Inline
// style stays allowed for the redline fragment's own <style>.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// flashes are the only messages a redirect may ask a page to show, by
// code, so a link cannot put arbitrary text on a moudesk page.
var flashes = map[string]string{
	"signed-out":  "You are signed out.",
	"created":     "The MOU was created as revision 1.",
	"saved":       "Your edit was saved as a new revision.",
	"moved":       "The stage was changed.",
	"meeting":     "The meeting was created. Add feedback and record the outcome below.",
	"feedback":    "The feedback was recorded.",
	"status":      "The status was recorded.",
	"outcome":     "The outcome was recorded.",
	"resolved":    "The feedback item was closed.",
	"clause":      "The clause was saved as a new version.",
	"user":        "The user was added.",
	"party":       "The party was added.",
	"revoked":     "The token was revoked.",
	"signed":      "Your signature was applied.",
	"executed":    "Your signature completed the MOU: it is executed and public.",
	"assigned":    "The signatories were assigned.",
	"no-change":   "Nothing changed, so no revision was saved.",
	"transition":  "The stage was changed.",
	"workflow":    "The workflow definition was saved as a new version. MOUs under way keep the version they started with.",
	"unchanged":   "The definition is the same as the latest version, so no version was saved.",
	"rescheduled": "The meeting was moved; calendars subscribed to it show the new date and place.",
	"webhook-off": "The webhook was disabled; it is sent nothing more.",
}

// renderPage writes page name with status, rendered fully before anything
// is sent.
func (s *Server) renderPage(c *gin.Context, status int, name, title, nav string, data any) error {
	v := view{Title: title, Nav: nav, Me: principal(c), Asset: s.pages.assetVersion, Status: status, Data: data}
	if info, ok := c.Get("session"); ok {
		v.CSRF = info.(sessionInfo).csrf
	}
	v.Flash = flashes[c.Query("done")]
	if v.Me != nil {
		// The bell is not worth a page: a failed count shows none.
		n, err := s.desk.UnreadNotifications(c.Request.Context(), actor(c))
		if err != nil {
			s.log.ErrorContext(c.Request.Context(), "count unread notifications", "request_id", requestID(c), "err", err)
		}
		v.Unread = n
	}
	out, err := s.pages.render(name, v)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", out)
	return nil
}

// isPage reports whether a request is for the HTML pages rather than the
// JSON API, so errors answer in the same language as the request.
func isPage(c *gin.Context) bool {
	p := c.Request.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && !strings.HasPrefix(p, "/static/")
}

type errorPage struct {
	Status  int
	Heading string
	Message string
	Back    string // the moudesk page the visitor came from, if any
}

// backLink is the path of the same-site page that sent the visitor here,
// so an error page can offer the way back (with what they typed, thanks
// to the browser's history).
func backLink(c *gin.Context) string {
	ref, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || ref.Host != c.Request.Host || ref.Path == "" {
		return ""
	}
	return localPath(ref.RequestURI())
}

// writePageError answers a page request's error with a page. An
// unauthenticated visitor is sent to sign in and brought back afterwards.
func (s *Server) writePageError(c *gin.Context, e *moudesk.Error, status int) {
	c.Abort()
	if status == http.StatusUnauthorized {
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/"
		}
		c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(next))
		return
	}
	heading := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		heading = "Not found"
	case http.StatusForbidden:
		heading = "Not allowed"
	case http.StatusInternalServerError:
		heading = "Something went wrong"
	}
	msg := e.Message
	if e.Code == "not_found" && strings.HasPrefix(msg, "no such route") {
		msg = "There is no page at this address."
	}
	if err := s.renderPage(c, status, "error", heading, "", errorPage{Status: status, Heading: heading, Message: msg, Back: backLink(c)}); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render error page", "request_id", requestID(c), "err", err)
		c.String(status, "%s: %s", heading, e.Message)
	}
}

// fieldErrors turns a domain error that names a field into the
// field → message map forms show beside their inputs; any other client
// error becomes the form's general message. Internal errors are returned.
func fieldErrors(err error) (map[string]string, error) {
	e, safe := clientError(err)
	if !safe || e.Kind == moudesk.KindInternal {
		return nil, err
	}
	if e.Kind == moudesk.KindUnauthorized || e.Kind == moudesk.KindForbidden || e.Kind == moudesk.KindNotFound {
		return nil, err
	}
	f, msg := e.Field, e.Message
	var ce *clause.Error
	if errors.As(err, &ce) && ce.Message != "" {
		msg = ce.Message // without the field-name prefix Error() adds
	}
	if f == "" {
		f = "_form"
	}
	return map[string]string{f: msg}, nil
}

// localPath accepts only a path on this site as a redirect target, so the
// sign-in form cannot be used to send people elsewhere.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// seeOther redirects after a successful form post, with a flash code.
func seeOther(c *gin.Context, path, done string) error {
	if done != "" {
		path, frag, _ := strings.Cut(path, "#")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "done=" + url.QueryEscape(done)
		if frag != "" {
			path += "#" + frag
		}
		c.Redirect(http.StatusSeeOther, path)
		return nil
	}
	c.Redirect(http.StatusSeeOther, path)
	return nil
}

// limitFormBody bounds form posts before anything parses them (the CSRF
// check reads the form): a declared length over the bound is 413 at once,
// and a body that grows past it stops being read. Multipart bodies are
// bounded too, except on the upload routes, which bound their own: any
// page handler's PostForm parses multipart, spilling file parts to disk,
// so an unbounded one would let anyone (POST /signin needs no login) fill
// the server's disk.
func (s *Server) limitFormBody(c *gin.Context) {
	// Media types are case-insensitive, and net/http parses "Multipart/Form-Data"
	// like the lower-case form, so the bound must match it too.
	ct := strings.ToLower(c.ContentType())
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") ||
		(strings.HasPrefix(ct, "multipart/") && !s.uploads[c.Request.Method+" "+c.FullPath()]) {
		if c.Request.ContentLength > maxFormBody {
			s.writeError(c, moudesk.Errorf(moudesk.KindTooLarge, "too_large", "the form is larger than %d bytes", maxFormBody))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBody)
	}
	c.Next()
}
