package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/moudesk/moudesk/internal/desk"
)

// calEvent is what a test reads of one parsed VEVENT.
type calEvent struct {
	uid, start, summary, location, sequence, modified, url string
}

// parseCalendar parses an iCalendar body with golang-ical, a parser we
// did not write, and checks the framing RFC 5545 asks of every content
// line (CRLF, at most 75 octets).
func parseCalendar(t *testing.T, body []byte) []calEvent {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n") {
			t.Fatalf("content line %d breaks RFC 5545 framing: %q", i, l)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("golang-ical refuses the calendar: %v\n%s", err, body)
	}
	prop := func(e *ics.VEvent, p ics.ComponentProperty) string {
		if v := e.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	var out []calEvent
	for _, e := range cal.Events() {
		out = append(out, calEvent{uid: prop(e, ics.ComponentPropertyUniqueId), start: prop(e, ics.ComponentPropertyDtStart),
			summary: prop(e, ics.ComponentPropertySummary), location: prop(e, ics.ComponentPropertyLocation),
			sequence: prop(e, ics.ComponentPropertySequence), modified: prop(e, ics.ComponentPropertyLastModified),
			url: prop(e, ics.ComponentPropertyUrl)})
		if prop(e, ics.ComponentPropertyDtstamp) == "" {
			t.Errorf("event %s has no DTSTAMP", prop(e, ics.ComponentPropertyUniqueId))
		}
	}
	return out
}

// calendarOf GETs a calendar (token "" for none) and parses it.
func (e *seedEnv) calendarOf(token, path string) []calEvent {
	e.t.Helper()
	status, h, body := httpGet(e.t, e.url, token, path)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s = %d: %s", path, status, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		e.t.Fatalf("GET %s is %s", path, ct)
	}
	return parseCalendar(e.t, body)
}

// byStart is "date summary" of each event, by date.
func byStart(evs []calEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.start+" "+ev.summary)
	}
	slices.Sort(out)
	return out
}

func eventOf(t *testing.T, evs []calEvent, uid string) calEvent {
	t.Helper()
	for _, ev := range evs {
		if ev.uid == uid {
			return ev
		}
	}
	t.Fatalf("no event %s among %d", uid, len(evs))
	return calEvent{}
}

const (
	liaisonTitle = "City/School District Liaison Committee: Pleasanton SRO MOU"
	jointTitle   = "Joint City Council / Board of Trustees Meeting: Pleasanton SRO MOU"
)

// TestCalendarPleasanton is issue 18's done-when for calendars: the
// Pleasanton replay's party and MOU feeds, parsed back with golang-ical,
// show the three liaison meetings and the joint meeting with stable
// UIDs; moving the council's meeting keeps its UID and raises its
// SEQUENCE; a secret feed URL serves the same calendar without a login
// until it is revoked.
func TestCalendarPleasanton(t *testing.T) {
	county := &seedParty{role: "county", slug: "alameda", name: "County of Alameda", kind: "agency", body: "Board of Supervisors"}
	e, id := replayPleasantonReview(t, county)
	city, district := e.parties["city"], e.parties["district"]
	want := []string{
		"20210608 " + liaisonTitle, "20210713 " + liaisonTitle, "20210914 " + liaisonTitle, "20210930 " + jointTitle,
	}
	for _, who := range []string{city.drafter, district.reviewer} {
		if got := byStart(e.calendarOf(who, "/api/v1/calendar.ics")); !slices.Equal(got, want) {
			t.Fatalf("party feed\n got %q\nwant %q", got, want)
		}
	}
	mouFeed := e.calendarOf(city.clerk, fmt.Sprintf("/api/v1/mous/%d/calendar.ics", id))
	if got := byStart(mouFeed); !slices.Equal(got, want) {
		t.Fatalf("MOU feed\n got %q\nwant %q", got, want)
	}
	for _, ev := range mouFeed {
		if !strings.HasPrefix(ev.uid, "meeting-") || !strings.HasSuffix(ev.uid, "@moudesk.example.org") || ev.sequence != "0" {
			t.Errorf("event %+v: want UID meeting-N@moudesk.example.org, SEQUENCE 0", ev)
		}
	}

	// The county is on no MOU: its feed is empty and the MOU's is 404.
	if got := e.calendarOf(county.clerk, "/api/v1/calendar.ics"); len(got) != 0 {
		t.Errorf("a third party's feed shows %d meetings", len(got))
	}
	e.refused(county.clerk, "GET", fmt.Sprintf("/api/v1/mous/%d/calendar.ics", id), nil, http.StatusNotFound, "not_found")
	// Drafts are not public: the public feed has none of their meetings.
	if got := e.calendarOf("", "/public/calendar.ics"); len(got) != 0 {
		t.Errorf("the public feed shows %d meetings of a draft", len(got))
	}

	// The council's meeting is called for 9 November, then moved to the
	// 16th in the Council Chambers.
	council := e.meetAs(city.clerk, id, "city_council", "2021-11-09", "7")
	uid := fmt.Sprintf("meeting-%d@moudesk.example.org", council.ID)
	before := eventOf(t, e.calendarOf(city.clerk, "/api/v1/calendar.ics"), uid)
	if before.start != "20211109" || before.sequence != "0" {
		t.Fatalf("scheduled council meeting %+v", before)
	}
	var moved struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	move := map[string]string{"date": "2021-11-16", "location": "Council Chambers, 200 Old Bernal Ave", "note": "No quorum on the 9th."}
	e.refused(district.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/schedule", council.ID), move, http.StatusForbidden, "wrong_party")
	e.refused(city.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/schedule", council.ID), map[string]string{"date": "16 Nov"}, http.StatusBadRequest, "invalid_date")
	e.call(city.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/schedule", council.ID), move, http.StatusOK, &moved)
	if moved.Meeting.Date != "2021-11-16" || moved.Meeting.Sequence != 1 {
		t.Fatalf("moved meeting %+v", moved.Meeting)
	}
	after := eventOf(t, e.calendarOf(city.clerk, "/api/v1/calendar.ics"), uid)
	if after.start != "20211116" || after.sequence != "1" || after.location != move["location"] || after.modified < before.modified {
		t.Fatalf("moved council meeting\n got %+v\nwas %+v", after, before)
	}
	// Its own .ics, as the meeting page offers it, is the same event.
	status, h, one := httpGet(t, e.url, district.clerk, fmt.Sprintf("/api/v1/meetings/%d/calendar.ics", council.ID))
	if status != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("meeting .ics = %d %v", status, h)
	}
	if evs := parseCalendar(t, one); len(evs) != 1 || evs[0] != after {
		t.Fatalf("meeting .ics %+v, feed %+v", evs, after)
	}
	// The meeting page offers its .ics, says it moved, and offers its own
	// clerk the form to move it again.
	_, _, page := httpGet(t, e.url, city.clerk, fmt.Sprintf("/meetings/%d", council.ID))
	for _, want := range []string{fmt.Sprintf("/api/v1/meetings/%d/calendar.ics", council.ID), "Moved", "Move this meeting"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the clerk's meeting page lacks %q", want)
		}
	}
	if _, _, page := httpGet(t, e.url, district.clerk, fmt.Sprintf("/meetings/%d", council.ID)); strings.Contains(string(page), "Move this meeting") {
		t.Error("the other party's clerk is offered to move the council's meeting")
	}
	// Once held, a meeting is the record: it does not move.
	e.decide(city.clerk, council, "approve", "Resolution 21-1270", ayes(5, "Mayor Brown", "Vice Mayor Arkin", "Councilmember Balch", "Councilmember Narum", "Councilmember Testa"))
	e.refused(city.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/schedule", council.ID), map[string]string{"date": "2021-11-23"}, http.StatusConflict, "outcome_recorded")

	// A secret feed URL reads the clerk's party's calendar with no login,
	// until revoked.
	var made struct {
		Feed desk.CalendarFeed `json:"feed"`
		URL  string            `json:"url"`
	}
	e.call(city.clerk, "POST", "/api/v1/me/calendar-feeds", map[string]string{"label": "Outlook"}, http.StatusCreated, &made)
	path := strings.TrimPrefix(made.URL, "https://moudesk.example.org")
	if !strings.HasPrefix(path, "/calendar/mdc_") {
		t.Fatalf("feed URL %q", made.URL)
	}
	if got := byStart(e.calendarOf("", path)); len(got) != 5 || !slices.Contains(got, "20211116 City Council: Pleasanton SRO MOU") {
		t.Fatalf("secret feed %q", got)
	}
	// Another user cannot revoke it; its owner can, and the URL is gone.
	e.refused(district.clerk, "DELETE", fmt.Sprintf("/api/v1/me/calendar-feeds/%d", made.Feed.ID), nil, http.StatusNotFound, "not_found")
	e.call(city.clerk, "DELETE", fmt.Sprintf("/api/v1/me/calendar-feeds/%d", made.Feed.ID), nil, http.StatusNoContent, nil)
	if status, _, body := httpGet(t, e.url, "", path); status != http.StatusNotFound {
		t.Fatalf("revoked feed = %d: %s", status, body)
	}
	if status, _, _ := httpGet(t, e.url, "", "/calendar/mdc_guessed/meetings.ics"); status != http.StatusNotFound {
		t.Fatalf("unknown feed = %d", status)
	}

	// The profile page makes one too, shown once, and lists it.
	req, err := http.NewRequest("POST", e.url+"/profile/calendar-feeds", strings.NewReader(url.Values{"label": {"Board calendar"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+district.clerk)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /profile/calendar-feeds = %d:\n%s", res.StatusCode, page)
	}
	found := regexp.MustCompile(`https://moudesk\.example\.org(/calendar/mdc_[A-Za-z0-9_-]+/meetings\.ics)`).FindSubmatch(page)
	if found == nil || !strings.Contains(string(page), "Board calendar") {
		t.Fatalf("profile page shows no new feed URL:\n%s", page)
	}
	if got := e.calendarOf("", string(found[1])); len(got) != 5 {
		t.Fatalf("the profile's feed shows %d meetings", len(got))
	}
}
