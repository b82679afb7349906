package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// inviteData is the page where an invited person sets their password.
type inviteData struct {
	Token  string
	Email  string
	Name   string
	Done   bool // the password is set; the link no longer works
	Errors map[string]string
}

// invitePage shows whom a link is for and asks for a password. The link's
// secret is in the query (?token=), which the request log does not write,
// and the page sends no Referer on.
func (s *Server) invitePage(c *gin.Context) error {
	c.Header("Referrer-Policy", "no-referrer")
	inv, err := s.desk.OpenInvitation(c.Request.Context(), c.Query("token"))
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "invite", "Set your password", "",
		inviteData{Token: c.Query("token"), Email: inv.User.Email, Name: inv.User.Name, Errors: map[string]string{}})
}

// acceptInvitePage sets the invited person's password. A form posted from
// another site is refused, like sign-in's.
func (s *Server) acceptInvitePage(c *gin.Context) error {
	c.Header("Referrer-Policy", "no-referrer")
	if site := c.GetHeader("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return moudesk.Errorf(moudesk.KindForbidden, "csrf_failed", "set your password from the page your invitation link opens")
	}
	ctx := c.Request.Context()
	token := c.PostForm("token")
	inv, err := s.desk.OpenInvitation(ctx, token)
	if err != nil {
		return err
	}
	form := inviteData{Token: token, Email: inv.User.Email, Name: inv.User.Name, Errors: map[string]string{}}
	password := c.PostForm("password")
	if password != c.PostForm("confirm") {
		form.Errors["confirm"] = "The two passwords differ."
		return s.renderPage(c, http.StatusBadRequest, "invite", "Set your password", "", form)
	}
	if _, err := s.desk.AcceptInvitation(ctx, s.cfg.Hasher, c.ClientIP(), token, password); err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind != moudesk.KindInvalid {
			return err
		}
		form.Errors["password"] = e.Message
		return s.renderPage(c, http.StatusBadRequest, "invite", "Set your password", "", form)
	}
	return s.renderPage(c, http.StatusOK, "invite", "Password set", "", inviteData{Email: inv.User.Email, Name: inv.User.Name, Done: true})
}
