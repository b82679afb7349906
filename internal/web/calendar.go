package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/ical"
)

// Calendars of meetings as iCalendar (RFC 5545). Staff read their party's
// feed, one MOU's and one meeting's with their session or token; the
// public reads the meetings of executed agreements. Calendar clients send
// no cookie and no header, so a user subscribes through a secret feed URL
// (/calendar/<token>/meetings.ics) that reads their party's feed and
// nothing else, revocable from the API.

// calendarProdID names moudesk as the calendars' maker.
const calendarProdID = "-//moudesk//moudesk meetings//EN"

func (s *Server) calendarRoutes() {
	s.handle(http.MethodGet, "/api/v1/calendar.ics", auth.MOURead, s.partyCalendar)
	s.handle(http.MethodGet, "/api/v1/mous/:id/calendar.ics", auth.MOURead, s.mouCalendar)
	s.handle(http.MethodGet, "/api/v1/meetings/:mid/calendar.ics", auth.MOURead, s.meetingCalendar)
	s.handle(http.MethodPost, "/api/v1/meetings/:mid/schedule", auth.MeetingWrite, s.rescheduleMeeting)
	s.handle(http.MethodGet, "/public/calendar.ics", auth.Public, s.publicCalendar)
	s.handle(http.MethodGet, "/calendar/:token/meetings.ics", auth.Public, s.feedCalendar)
	s.handle(http.MethodGet, "/api/v1/me/calendar-feeds", auth.OwnTokens, s.myCalendarFeeds)
	s.handle(http.MethodPost, "/api/v1/me/calendar-feeds", auth.OwnTokens, s.createCalendarFeed)
	s.handle(http.MethodDelete, "/api/v1/me/calendar-feeds/:cid", auth.OwnTokens, s.revokeCalendarFeed)
	s.handle(http.MethodPost, "/profile/calendar-feeds", auth.OwnTokens, s.createCalendarFeedPage)
	s.handle(http.MethodPost, "/profile/calendar-feeds/:cid/revoke", auth.OwnTokens, s.revokeCalendarFeedPage)
}

func (s *Server) partyCalendar(c *gin.Context) error {
	a := actor(c)
	entries, err := s.desk.PartyCalendar(c.Request.Context(), a)
	if err != nil {
		return err
	}
	name := "moudesk meetings"
	if a.Party != "" {
		name += " (" + a.Party + ")"
	}
	return s.writeCalendar(c, name, entries, false, "")
}

func (s *Server) mouCalendar(c *gin.Context) error {
	id, err := positiveID(c, "id", "MOU")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	entries, err := s.desk.MOUCalendar(ctx, actor(c), id)
	if err != nil {
		return err
	}
	m, err := s.desk.MOU(ctx, id)
	if err != nil {
		return err
	}
	return s.writeCalendar(c, m.Title+", meetings", entries, false, "")
}

func (s *Server) meetingCalendar(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	entries, err := s.desk.MeetingCalendar(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return s.writeCalendar(c, "", entries, false, fmt.Sprintf("meeting-%d.ics", id))
}

func (s *Server) publicCalendar(c *gin.Context) error {
	entries, err := s.desk.PublicCalendar(c.Request.Context())
	if err != nil {
		return err
	}
	return s.writeCalendar(c, "moudesk: meetings on executed agreements", entries, true, "")
}

// feedCalendar answers a secret feed URL. Any failure is 404 with no
// detail: the URL is the only credential, and a client polling it shows
// every failure alike.
func (s *Server) feedCalendar(c *gin.Context) error {
	entries, u, err := s.desk.FeedCalendar(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	name := "moudesk meetings"
	if u.PartySlug != "" {
		name += " (" + u.PartySlug + ")"
	}
	return s.writeCalendar(c, name, entries, false, "")
}

type rescheduleRequest struct {
	Date     string `json:"date"`
	Location string `json:"location"`
	Note     string `json:"note"`
}

// rescheduleMeeting moves a meeting not yet held (desk.RescheduleMeeting).
func (s *Server) rescheduleMeeting(c *gin.Context) error {
	id, err := positiveID(c, "mid", "meeting")
	if err != nil {
		return err
	}
	var req rescheduleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.desk.RescheduleMeeting(c.Request.Context(), actor(c), id, desk.MeetingMove{
		Date: strings.TrimSpace(req.Date), Location: req.Location, Note: req.Note})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"meeting": m})
	return nil
}

type calendarFeedRequest struct {
	Label string `json:"label"`
}

func (s *Server) myCalendarFeeds(c *gin.Context) error {
	fs, err := s.desk.CalendarFeedsOf(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feeds": fs})
	return nil
}

// createCalendarFeed makes a secret feed URL; the answer is the one time
// the URL is shown.
func (s *Server) createCalendarFeed(c *gin.Context) error {
	var req calendarFeedRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, token, err := s.desk.CreateCalendarFeed(c.Request.Context(), actor(c), strings.TrimSpace(req.Label))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"feed": f, "url": s.publicURL(c) + "/calendar/" + token + "/meetings.ics"})
	return nil
}

func (s *Server) revokeCalendarFeed(c *gin.Context) error {
	id, err := positiveID(c, "cid", "calendar feed")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeCalendarFeed(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// createCalendarFeedPage makes a feed URL from the profile page and shows
// it once.
func (s *Server) createCalendarFeedPage(c *gin.Context) error {
	out, err := s.profileData(c)
	if err != nil {
		return err
	}
	out.FeedLabel = strings.TrimSpace(c.PostForm("label"))
	_, token, err := s.desk.CreateCalendarFeed(c.Request.Context(), actor(c), out.FeedLabel)
	if err != nil {
		errs, ferr := fieldErrors(err)
		if ferr != nil {
			return ferr
		}
		for k, v := range errs {
			if k != "_form" {
				k = "feed." + k
			}
			out.Errors[k] = v
		}
		e, _ := clientError(err)
		return s.renderPage(c, statusOf[e.Kind], "profile", "Your account", "profile", out)
	}
	if out.Feeds, err = s.desk.CalendarFeedsOf(c.Request.Context(), actor(c)); err != nil {
		return err
	}
	out.FeedLabel, out.NewFeedURL = "", s.publicURL(c)+"/calendar/"+token+"/meetings.ics"
	return s.renderPage(c, http.StatusCreated, "profile", "Your account", "profile", out)
}

func (s *Server) revokeCalendarFeedPage(c *gin.Context) error {
	id, err := positiveID(c, "cid", "calendar feed")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeCalendarFeed(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/profile?ok=feed#calendar")
	return nil
}

// writeCalendar answers the entries as an iCalendar object. Public feeds
// link each meeting to its agreement's public page, staff feeds to the
// meeting's page; download names a file to save instead of a feed.
func (s *Server) writeCalendar(c *gin.Context, name string, entries []desk.CalendarEntry, public bool, download string) error {
	base := s.publicURL(c)
	host := calendarHost(base)
	cal := ical.Calendar{ProdID: calendarProdID, Name: name, Events: make([]ical.Event, 0, len(entries))}
	for _, e := range entries {
		ev, err := calendarEvent(e, base, host, public)
		if err != nil {
			return err
		}
		cal.Events = append(cal.Events, ev)
	}
	h := c.Writer.Header()
	if public {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	if download != "" {
		h.Set("Content-Disposition", `attachment; filename="`+download+`"`)
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", cal.Write())
	return nil
}

// calendarHost is the host part of the meetings' UIDs: the public URL's,
// so a UID stays the same however the feed is reached once PublicURL is
// set.
func calendarHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "moudesk.invalid"
}

// calendarEvent is one meeting as an all-day event. The UID is the
// meeting's for good; SEQUENCE is how often it moved; LAST-MODIFIED (and
// DTSTAMP, which RFC 5545 §3.8.7.2 makes the same in a calendar without
// METHOD) is the last move or the outcome's recording, whichever is later,
// so a feed that did not change reads the same byte for byte.
func calendarEvent(e desk.CalendarEntry, base, host string, public bool) (ical.Event, error) {
	day, err := time.Parse(moudesk.DateLayout, e.Date)
	if err != nil {
		return ical.Event{}, fmt.Errorf("meeting %d's stored date %q: %w", e.ID, e.Date, err)
	}
	modified := e.UpdatedAt
	var desc []string
	desc = append(desc, e.MOUTitle)
	if e.AgendaItem != "" {
		desc = append(desc, "Agenda item "+e.AgendaItem)
	}
	desc = append(desc, fmt.Sprintf("Reviews revision %d (%s)", e.Revision, moudesk.ShortHash(e.ContentHash, moudesk.ShortHashLen)))
	if o := e.Outcome; o != nil {
		line := "Outcome: " + o.Outcome
		if o.Resolution != "" {
			line += " (" + o.Resolution + ")"
		}
		desc = append(desc, line)
		if o.CreatedAt.After(modified) {
			modified = o.CreatedAt
		}
	}
	link := fmt.Sprintf("%s/meetings/%d", base, e.ID)
	if public {
		link = fmt.Sprintf("%s/public/mous/%d", base, e.MOUID)
	}
	desc = append(desc, link)
	return ical.Event{
		UID: fmt.Sprintf("meeting-%d@%s", e.ID, host), Sequence: e.Sequence,
		Stamp: modified, Created: e.CreatedAt, LastModified: modified, Date: day,
		Summary: e.BodyTitle + ": " + e.MOUTitle, Location: e.Location,
		Description: strings.Join(desc, "\n"), URL: link, Status: "CONFIRMED",
	}, nil
}
