package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

type signinPage struct {
	Next   string
	Email  string
	Errors map[string]string
}

func (s *Server) signinForm(c *gin.Context) error {
	if principal(c) != nil {
		c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
		return nil
	}
	return s.renderPage(c, http.StatusOK, "signin", "Sign in", "", signinPage{Next: localPath(c.Query("next"))})
}

// signin starts a session from the sign-in form. A form posted from
// another site is refused, so nobody can sign a visitor into an account
// of theirs (login CSRF); browsers say where a form came from.
func (s *Server) signin(c *gin.Context) error {
	if site := c.GetHeader("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return moudesk.Errorf(moudesk.KindForbidden, "csrf_failed", "sign in from moudesk's own sign-in page")
	}
	email := strings.TrimSpace(c.PostForm("email"))
	next := localPath(c.PostForm("next"))
	form := signinPage{Next: next, Email: email, Errors: map[string]string{}}
	if email == "" {
		form.Errors["email"] = "Enter your e-mail address."
	}
	if c.PostForm("password") == "" {
		form.Errors["password"] = "Enter your password."
	}
	if len(form.Errors) > 0 {
		return s.renderPage(c, http.StatusBadRequest, "signin", "Sign in", "", form)
	}
	u, _, err := s.startSession(c, email, c.PostForm("password"))
	if err != nil {
		e, safe := clientError(err)
		if !safe || (e.Kind != moudesk.KindUnauthorized && e.Kind != moudesk.KindTooMany) {
			return err
		}
		form.Errors["_form"] = e.Message
		return s.renderPage(c, statusOf[e.Kind], "signin", "Sign in", "", form)
	}
	if u.MustChangePassword {
		next = "/profile#password"
	} else if next == "/" {
		next = "/dashboard"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

func (s *Server) signout(c *gin.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return seeOther(c, "/signin", "signed-out")
}

// home sends staff to their dashboard and the public to the portal.
func (s *Server) home(c *gin.Context) error {
	if principal(c) != nil {
		c.Redirect(http.StatusSeeOther, "/dashboard")
	} else {
		c.Redirect(http.StatusSeeOther, "/public")
	}
	return nil
}
