package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// notificationRoutes registers the caller's own notifications and their
// mail preferences, API and pages. Every notification is one user's: any
// other caller gets 404, as for one that does not exist.
func (s *Server) notificationRoutes() {
	s.handle(http.MethodGet, "/api/v1/notifications", auth.Account, s.listNotifications)
	s.handle(http.MethodPost, "/api/v1/notifications/read", auth.Account, s.readAllNotifications)
	s.handle(http.MethodGet, "/api/v1/notifications/:nid", auth.Account, s.getNotification)
	s.handle(http.MethodPost, "/api/v1/notifications/:nid/read", auth.Account, s.readNotification)
	s.handle(http.MethodGet, "/api/v1/me/notification-preferences", auth.Account, s.getNotificationPrefs)
	s.handle(http.MethodPut, "/api/v1/me/notification-preferences", auth.Account, s.putNotificationPrefs)

	s.handle(http.MethodGet, "/notifications", auth.Account, s.notificationsPage)
	s.handle(http.MethodPost, "/notifications/read", auth.Account, s.readAllNotificationsPage)
	s.handle(http.MethodPost, "/notifications/:nid/read", auth.Account, s.readNotificationPage)
	s.handle(http.MethodPost, "/profile/notifications", auth.Account, s.notificationPrefsPage)
}

// listNotifications pages through the caller's notifications, newest
// first; ?unread=true for the unread ones only.
func (s *Server) listNotifications(c *gin.Context) error {
	p, err := readListPage(c, "notifications")
	if err != nil {
		return err
	}
	unread, err := unreadFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ns, err := s.desk.MyNotifications(ctx, actor(c), unread, p.after, p.limit+1)
	if err != nil {
		return err
	}
	count, err := s.desk.UnreadNotifications(ctx, actor(c))
	if err != nil {
		return err
	}
	items, next := pageOf(ns, p, "notifications", func(n desk.Notification) int64 { return n.ID })
	body := pageBody("notifications", items, next)
	body["unread"] = count
	c.JSON(http.StatusOK, body)
	return nil
}

// unreadFilter reads ?unread= (true, false or absent).
func unreadFilter(c *gin.Context) (bool, error) {
	switch c.Query("unread") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, errInvalid("invalid_unread", "unread must be true or false")
}

func (s *Server) getNotification(c *gin.Context) error {
	id, err := positiveID(c, "nid", "notification")
	if err != nil {
		return err
	}
	n, err := s.desk.MyNotification(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"notification": n})
	return nil
}

func (s *Server) readNotification(c *gin.Context) error {
	id, err := positiveID(c, "nid", "notification")
	if err != nil {
		return err
	}
	n, err := s.desk.MarkRead(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"notification": n})
	return nil
}

func (s *Server) readAllNotifications(c *gin.Context) error {
	n, err := s.desk.MarkAllRead(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
	return nil
}

type prefsRequest struct {
	Preferences map[string]string `json:"preferences"`
}

func (s *Server) getNotificationPrefs(c *gin.Context) error {
	prefs, err := s.desk.NotificationPrefs(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"preferences": prefs})
	return nil
}

func (s *Server) putNotificationPrefs(c *gin.Context) error {
	var req prefsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	prefs, err := s.desk.SetNotificationPrefs(c.Request.Context(), actor(c), req.Preferences)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"preferences": prefs})
	return nil
}

// notificationsData is the notifications page.
type notificationsData struct {
	Items  []desk.Notification
	Unread int
	Only   bool   // unread only
	Next   string // the next page's address, "" on the last
}

func (s *Server) notificationsPage(c *gin.Context) error {
	p, err := readListPage(c, "notifications")
	if err != nil {
		return err
	}
	unread, err := unreadFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ns, err := s.desk.MyNotifications(ctx, actor(c), unread, p.after, p.limit+1)
	if err != nil {
		return err
	}
	out := &notificationsData{Only: unread}
	var next string
	out.Items, next = pageOf(ns, p, "notifications", func(n desk.Notification) int64 { return n.ID })
	out.Next = nextPageLink("/notifications", next, p, url.Values{"unread": {c.Query("unread")}})
	if out.Unread, err = s.desk.UnreadNotifications(ctx, actor(c)); err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "notifications", "Notifications", "notifications", out)
}

func (s *Server) readNotificationPage(c *gin.Context) error {
	id, err := positiveID(c, "nid", "notification")
	if err != nil {
		return err
	}
	n, err := s.desk.MarkRead(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	// "Open" marks it read and goes to its page; "Mark read" stays.
	if c.PostForm("open") != "" {
		c.Redirect(http.StatusSeeOther, localPath(n.Link))
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/notifications")
	return nil
}

func (s *Server) readAllNotificationsPage(c *gin.Context) error {
	if _, err := s.desk.MarkAllRead(c.Request.Context(), actor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/notifications")
	return nil
}

// notificationPrefsPage saves the profile page's notification settings:
// one radio group per kind.
func (s *Server) notificationPrefsPage(c *gin.Context) error {
	prefs := map[string]string{}
	for _, k := range desk.NoticeKinds() {
		if v := c.PostForm("pref." + k); v != "" {
			prefs[k] = v
		}
	}
	if _, err := s.desk.SetNotificationPrefs(c.Request.Context(), actor(c), prefs); err != nil {
		out, derr := s.profileData(c)
		if derr != nil {
			return derr
		}
		errs, ferr := fieldErrors(err)
		if ferr != nil {
			return ferr
		}
		for k, v := range errs {
			out.Errors[k] = v
		}
		e, _ := clientError(err)
		return s.renderPage(c, statusOf[e.Kind], "profile", "Your account", "profile", out)
	}
	c.Redirect(http.StatusSeeOther, "/profile?ok=notifications#notifications")
	return nil
}
