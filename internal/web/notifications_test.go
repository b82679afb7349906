package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
)

type noticeList struct {
	Notifications []desk.Notification `json:"notifications"`
	Unread        int                 `json:"unread"`
	NextCursor    string              `json:"next_cursor"`
}

// TestNotificationsAPI: scheduling meetings tells the reviewers of the
// meeting's parties; each sees their own list (paged by cursor, unread
// counted), marks one read, sets how they take each kind by mail, and
// gets 404 for anyone else's notification. The pages show the same, with
// the bell's count on every staff page.
func TestNotificationsAPI(t *testing.T) {
	e := newSeedEnv(t, []*seedParty{
		{role: "city", slug: "pleasanton", name: "City of Pleasanton", kind: "city", body: "City Council"},
		{role: "district", slug: "pusd", name: "Pleasanton Unified School District", kind: "district", body: "Board of Trustees"},
	}, nil)
	city, district := e.parties["city"], e.parties["district"]
	id := e.create("Pleasanton SRO MOU", "sro-mou", "default", shipped.Variables(t), "city", "district")
	e.move(id, "liaison_review")
	// The liaison committee is joint: both parties' reviewers are told.
	m1 := e.meetAs(city.clerk, id, "liaison_committee", "2021-06-08", "3")
	m2 := e.meetAs(city.clerk, id, "liaison_committee", "2021-07-13", "4")

	var all noticeList
	e.call(district.reviewer, "GET", "/api/v1/notifications", nil, http.StatusOK, &all)
	if len(all.Notifications) != 2 || all.Unread != 2 || all.NextCursor != "" {
		t.Fatalf("district reviewer's notifications: %+v", all)
	}
	newest := all.Notifications[0]
	if newest.Kind != desk.NoticePacket || newest.Link != fmt.Sprintf("/meetings/%d", m2.ID) || newest.Read || newest.Mail != desk.MailPending ||
		!strings.Contains(newest.Subject, "City/School District Liaison Committee, 2021-07-13") {
		t.Fatalf("newest notification %+v", newest)
	}
	var page noticeList
	e.call(district.reviewer, "GET", "/api/v1/notifications?limit=1", nil, http.StatusOK, &page)
	if len(page.Notifications) != 1 || page.Notifications[0].ID != newest.ID || page.NextCursor == "" {
		t.Fatalf("first page of one: %+v", page)
	}
	var second noticeList
	e.call(district.reviewer, "GET", "/api/v1/notifications?limit=1&cursor="+page.NextCursor, nil, http.StatusOK, &second)
	if len(second.Notifications) != 1 || second.Notifications[0].Link != fmt.Sprintf("/meetings/%d", m1.ID) || second.NextCursor != "" {
		t.Fatalf("second page of one: %+v", second)
	}
	e.refused(district.reviewer, "GET", "/api/v1/notifications?unread=maybe", nil, http.StatusBadRequest, "invalid_unread")

	// Another user's notification does not exist for them.
	var theirs noticeList
	e.call(city.reviewer, "GET", "/api/v1/notifications", nil, http.StatusOK, &theirs)
	if len(theirs.Notifications) != 2 {
		t.Fatalf("city reviewer's notifications: %+v", theirs)
	}
	other := theirs.Notifications[0].ID
	e.refused(district.reviewer, "GET", fmt.Sprintf("/api/v1/notifications/%d", other), nil, http.StatusNotFound, "not_found")
	e.refused(district.reviewer, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", other), nil, http.StatusNotFound, "not_found")
	e.refused(district.reviewer, "GET", "/api/v1/notifications/999999", nil, http.StatusNotFound, "not_found")

	var read struct {
		Notification desk.Notification `json:"notification"`
	}
	e.call(district.reviewer, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", newest.ID), nil, http.StatusOK, &read)
	if !read.Notification.Read || read.Notification.ReadAt == nil {
		t.Fatalf("after marking read: %+v", read.Notification)
	}
	var unread noticeList
	e.call(district.reviewer, "GET", "/api/v1/notifications?unread=true", nil, http.StatusOK, &unread)
	if len(unread.Notifications) != 1 || unread.Unread != 1 || unread.Notifications[0].Read {
		t.Fatalf("unread after marking one: %+v", unread)
	}
	e.call(city.reviewer, "GET", "/api/v1/notifications?unread=true", nil, http.StatusOK, &theirs)
	if theirs.Unread != 2 {
		t.Fatalf("marking the district's notice read changed the city's: %+v", theirs)
	}

	// Preferences: every kind listed, one changed, bad input refused.
	var prefs struct {
		Preferences map[string]string `json:"preferences"`
	}
	e.call(district.reviewer, "PUT", "/api/v1/me/notification-preferences", map[string]any{"preferences": map[string]string{desk.NoticePacket: "digest"}}, http.StatusOK, &prefs)
	if len(prefs.Preferences) != len(desk.NoticeKinds()) || prefs.Preferences[desk.NoticePacket] != "digest" || prefs.Preferences[desk.NoticeTurn] != "immediate" {
		t.Fatalf("preferences after PUT: %v", prefs.Preferences)
	}
	e.refused(district.reviewer, "PUT", "/api/v1/me/notification-preferences", map[string]any{"preferences": map[string]string{"weather": "off"}}, http.StatusUnprocessableEntity, "unknown_kind")
	e.refused(district.reviewer, "PUT", "/api/v1/me/notification-preferences", map[string]any{"preferences": map[string]string{desk.NoticeTurn: "hourly"}}, http.StatusUnprocessableEntity, "invalid_delivery")
	e.call(district.reviewer, "GET", "/api/v1/me/notification-preferences", nil, http.StatusOK, &prefs)
	if prefs.Preferences[desk.NoticeTurn] != "immediate" || prefs.Preferences[desk.NoticePacket] != "digest" {
		t.Fatalf("a refused PUT changed preferences: %v", prefs.Preferences)
	}
	// The next packet waits for the district reviewer's digest.
	e.meetAs(city.clerk, id, "liaison_committee", "2021-09-14", "5")
	e.call(district.reviewer, "GET", "/api/v1/notifications?limit=1", nil, http.StatusOK, &page)
	if n := page.Notifications[0]; n.Mail != desk.MailDigest || n.NextAttemptAt == nil {
		t.Fatalf("packet after choosing the digest: %+v", n)
	}

	// Pages: the list and the bell with its count, on every staff page.
	for _, path := range []string{"/notifications", "/dashboard", "/profile"} {
		body := string(e.fetch(district.reviewer, path))
		if !strings.Contains(body, `href="/notifications"`) || !strings.Contains(body, `<span class="unread">2<span class="visually-hidden"> unread</span>`) {
			t.Errorf("%s has no bell with 2 unread", path)
		}
	}
	list := string(e.fetch(district.reviewer, "/notifications"))
	for _, s := range []string{"Packet ready: City/School District Liaison Committee, 2021-07-13", fmt.Sprintf(`action="/notifications/%d/read"`, newest.ID), "in your daily digest"} {
		if !strings.Contains(list, s) {
			t.Errorf("notifications page lacks %q", s)
		}
	}
	if strings.Contains(list, fmt.Sprintf("/notifications/%d/read", other)) {
		t.Error("the notifications page shows another user's notification")
	}
	profile := string(e.fetch(district.reviewer, "/profile"))
	if !strings.Contains(profile, `name="pref.packet_ready" value="digest" aria-label="A meeting packet is ready: daily digest" checked`) {
		t.Error("the profile page does not show the digest preference")
	}
}
