package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		`a\b`:                   `a\\b`,
		"Room 1; Hall, East":    `Room 1\; Hall\, East`,
		"two\nlines\r\nthree":   `two\nlines\nthree`,
		"bell\x07 and del\x7f.": "bell and del.",
		"tab\tkept":             "tab\tkept",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteParsesBack writes a calendar with every awkward value (long
// lines of multi-byte text, the escaped characters) and checks each
// content line against RFC 5545 (CRLF, at most 75 octets, whole UTF-8
// characters), then parses it with golang-ical and gets the values back.
func TestWriteParsesBack(t *testing.T) {
	when := time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)
	mod := time.Date(2021, 9, 1, 17, 4, 5, 0, time.FixedZone("PDT", -7*3600))
	long := strings.Repeat("Überprüfung der Vereinbarung – ", 12)
	desc := "Agenda item 2, revision 4.\nFeedback: \"records\"; de-escalation\\strategies."
	cal := Calendar{ProdID: "-//moudesk//moudesk//EN", Name: "Pleasanton, meetings", Events: []Event{{
		UID: "meeting-7@moudesk.example.org", Sequence: 2, Stamp: mod, Created: mod, LastModified: mod, Date: when,
		Summary: long, Location: "Civic Center; Council Chambers, 200 Old Bernal Ave", Description: desc,
		URL: "https://moudesk.example.org/meetings/7", Status: "CONFIRMED",
	}}}
	out := cal.Write()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("calendar does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
	folded := 0
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, l)
		}
		if len(l) > maxLine {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d cuts a UTF-8 character: %q", i, l)
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if folded < 5 {
		t.Errorf("only %d continuation lines for a %d-octet summary", folded, len(long))
	}

	parsed, err := ics.ParseCalendar(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("golang-ical: %v\n%s", err, out)
	}
	events := parsed.Events()
	if len(events) != 1 {
		t.Fatalf("%d events parsed", len(events))
	}
	e := events[0]
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertyUniqueId:     "meeting-7@moudesk.example.org",
		ics.ComponentPropertySequence:     "2",
		ics.ComponentPropertySummary:      long,
		ics.ComponentPropertyLocation:     "Civic Center; Council Chambers, 200 Old Bernal Ave",
		ics.ComponentPropertyDescription:  desc,
		ics.ComponentPropertyDtStart:      "20210930",
		ics.ComponentPropertyDtEnd:        "20211001",
		ics.ComponentPropertyDtstamp:      "20210902T000405Z",
		ics.ComponentPropertyLastModified: "20210902T000405Z",
		ics.ComponentPropertyUrl:          "https://moudesk.example.org/meetings/7",
	} {
		p := e.GetProperty(prop)
		if p == nil {
			t.Errorf("no %s", prop)
			continue
		}
		if p.Value != want {
			t.Errorf("%s = %q, want %q", prop, p.Value, want)
		}
	}
	if d, err := e.GetAllDayStartAt(); err != nil || !d.Equal(when) {
		t.Errorf("all-day start %v, %v", d, err)
	}
	if n := parsed.CalendarProperties; len(n) == 0 {
		t.Error("no calendar properties parsed")
	}
}
