// Package ical writes iCalendar (RFC 5545) calendars of all-day events:
// the meetings moudesk publishes as feeds and .ics downloads. It writes
// only what moudesk needs (VCALENDAR, VEVENT with dates, text and
// timestamps), so it is small enough to get every rule of the format
// right: CRLF line ends, lines folded at 75 octets without cutting a UTF-8
// character, TEXT values escaped.
package ical

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLine is the longest a content line may be, in octets, CRLF excluded
// (RFC 5545 §3.1).
const maxLine = 75

// Calendar is one VCALENDAR object.
type Calendar struct {
	ProdID string // "-//moudesk//moudesk//EN"
	Name   string // X-WR-CALNAME, which clients show as the calendar's name
	Events []Event
}

// Event is one VEVENT lasting whole days: a meeting is known by its date,
// not its hour, so it is written as a date (VALUE=DATE) rather than an
// invented time in a guessed time zone.
type Event struct {
	UID string // stable for the life of the event
	// Sequence counts the event's significant changes (a new date or
	// place); clients replace a copy with a lower one.
	Sequence     int
	Stamp        time.Time // DTSTAMP
	Created      time.Time
	LastModified time.Time
	Date         time.Time // the day, read in its own location
	Summary      string
	Location     string
	Description  string
	URL          string
	Status       string // TENTATIVE, CONFIRMED or CANCELLED; "" for none
}

// Write encodes the calendar.
func (c *Calendar) Write() []byte {
	var w writer
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", Text(c.ProdID))
	w.line("CALSCALE", "GREGORIAN")
	if c.Name != "" {
		w.line("X-WR-CALNAME", Text(c.Name))
	}
	for _, e := range c.Events {
		w.event(e)
	}
	w.line("END", "VCALENDAR")
	return w.buf.Bytes()
}

type writer struct{ buf bytes.Buffer }

func (w *writer) event(e Event) {
	w.line("BEGIN", "VEVENT")
	w.line("UID", Text(e.UID))
	w.line("SEQUENCE", fmt.Sprint(e.Sequence))
	w.line("DTSTAMP", stamp(e.Stamp))
	if !e.Created.IsZero() {
		w.line("CREATED", stamp(e.Created))
	}
	if !e.LastModified.IsZero() {
		w.line("LAST-MODIFIED", stamp(e.LastModified))
	}
	w.line("DTSTART;VALUE=DATE", e.Date.Format("20060102"))
	// DTEND is exclusive: a one-day event ends at the start of the next.
	w.line("DTEND;VALUE=DATE", e.Date.AddDate(0, 0, 1).Format("20060102"))
	w.line("SUMMARY", Text(e.Summary))
	if e.Location != "" {
		w.line("LOCATION", Text(e.Location))
	}
	if e.Description != "" {
		w.line("DESCRIPTION", Text(e.Description))
	}
	if e.URL != "" {
		// URL is of type URI, not TEXT: no escaping, but no line breaks.
		w.line("URL", strings.NewReplacer("\r", "", "\n", "").Replace(e.URL))
	}
	if e.Status != "" {
		w.line("STATUS", e.Status)
	}
	w.line("TRANSP", "TRANSPARENT")
	w.line("END", "VEVENT")
}

// stamp is a UTC DATE-TIME.
func stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// line writes "name:value" folded into lines of at most maxLine octets:
// each continuation starts with one space, which counts toward its
// length, and no UTF-8 character is split between lines.
func (w *writer) line(name, value string) {
	s := name + ":" + value
	limit := maxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLine - 1
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}

// Text escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and
// comma get a backslash, a line break becomes \n, and other control
// characters, which TEXT may not hold, are dropped.
func Text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 && r != '\t', r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
