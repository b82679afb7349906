package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// profileData is the caller's own account page: their password and their
// API tokens.
type profileData struct {
	User       *desk.User
	Tokens     []desk.APIToken
	TokenLabel string
	NewToken   string // shown once, right after it was made
	// Feeds are the caller's calendar feed URLs; NewFeedURL the one just
	// made, shown once.
	Feeds      []desk.CalendarFeed
	FeedLabel  string
	NewFeedURL string
	Notice     string // what the last post did
	Errors     map[string]string
	// Prefs is how the user takes each kind of notification by mail, in
	// Kinds' order.
	Prefs []notificationPref
}

// notificationPref is one kind's row of the profile's notification
// settings.
type notificationPref struct {
	Kind, Title, Delivery string
}

// profileNotices are the only messages ?ok= may put on the page.
var profileNotices = map[string]string{
	"password":      "Your password was changed. Every other session of yours was signed out.",
	"revoked":       "The token was revoked.",
	"notifications": "Your notification settings were saved.",
	"feed":          "The calendar feed URL was revoked: calendars subscribed to it get nothing more.",
}

func (s *Server) profileData(c *gin.Context) (*profileData, error) {
	ctx := c.Request.Context()
	u, err := s.desk.UserByID(ctx, principal(c).UserID)
	if err != nil {
		return nil, err
	}
	out := &profileData{User: u, Errors: map[string]string{}, Notice: profileNotices[c.Query("ok")]}
	prefs, err := s.desk.NotificationPrefs(ctx, actor(c))
	if err != nil {
		return nil, err
	}
	for _, k := range desk.NoticeKinds() {
		out.Prefs = append(out.Prefs, notificationPref{Kind: k, Title: desk.NoticeKindTitle(k), Delivery: prefs[k]})
	}
	if !u.MustChangePassword {
		if out.Tokens, err = s.desk.MyTokens(ctx, actor(c)); err != nil {
			return nil, err
		}
		if out.Feeds, err = s.desk.CalendarFeedsOf(ctx, actor(c)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) profilePage(c *gin.Context) error {
	out, err := s.profileData(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "profile", "Your account", "profile", out)
}

// changePasswordPage changes the caller's password from the profile page.
func (s *Server) changePasswordPage(c *gin.Context) error {
	out, err := s.profileData(c)
	if err != nil {
		return err
	}
	current, next := c.PostForm("current"), c.PostForm("new")
	if next != c.PostForm("confirm") {
		out.Errors["password.confirm"] = "The two new passwords differ."
		return s.renderPage(c, http.StatusBadRequest, "profile", "Your account", "profile", out)
	}
	if err := s.desk.ChangePassword(c.Request.Context(), actor(c), s.cfg.Hasher, current, next); err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind == moudesk.KindInternal || e.Kind == moudesk.KindUnavailable {
			return err
		}
		f := "_form"
		if e.Field != "" {
			f = "password." + e.Field
		}
		out.Errors[f] = e.Message
		if d, ok := e.Data.(moudesk.RetryAfter); ok && e.Kind == moudesk.KindTooMany {
			c.Header("Retry-After", itoa64(int64(d)))
		}
		return s.renderPage(c, statusOf[e.Kind], "profile", "Your account", "profile", out)
	}
	c.Redirect(http.StatusSeeOther, "/profile?ok=password")
	return nil
}

// createTokenProfile makes a token for the caller and shows it once.
func (s *Server) createTokenProfile(c *gin.Context) error {
	out, err := s.profileData(c)
	if err != nil {
		return err
	}
	out.TokenLabel = strings.TrimSpace(c.PostForm("label"))
	if _, plain, err := s.desk.CreateToken(c.Request.Context(), actor(c), out.TokenLabel); err != nil {
		errs, ferr := fieldErrors(err)
		if ferr != nil {
			return ferr
		}
		for k, v := range errs {
			if k != "_form" {
				k = "token." + k
			}
			out.Errors[k] = v
		}
		e, _ := clientError(err)
		return s.renderPage(c, statusOf[e.Kind], "profile", "Your account", "profile", out)
	} else {
		out.NewToken = plain
	}
	if out.Tokens, err = s.desk.MyTokens(c.Request.Context(), actor(c)); err != nil {
		return err
	}
	out.TokenLabel = ""
	return s.renderPage(c, http.StatusCreated, "profile", "Your account", "profile", out)
}

func (s *Server) revokeTokenProfile(c *gin.Context) error {
	id, err := positiveID(c, "tid", "token")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeMyToken(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/profile?ok=revoked#tokens")
	return nil
}
