package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// FuzzWrite writes an event with arbitrary text and checks the framing
// (CRLF, no line over 75 octets, no character cut) and that golang-ical
// reads the text back as written, control characters aside.
func FuzzWrite(f *testing.F) {
	f.Add("City Council: Pleasanton SRO MOU", "Civic Center; Chambers, 200 Old Bernal", "Agenda item 7\nRevision 4")
	f.Add(strings.Repeat("é", 80), strings.Repeat("a,", 60), `back\slash`)
	f.Add("\r\n\x00\x1f", "\\n", "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€")
	f.Fuzz(func(t *testing.T, summary, location, description string) {
		if !utf8.ValidString(summary) || !utf8.ValidString(location) || !utf8.ValidString(description) {
			t.Skip("iCalendar text is UTF-8; the service only holds valid text")
		}
		day := time.Date(2025, 6, 17, 0, 0, 0, 0, time.UTC)
		cal := Calendar{ProdID: "-//moudesk//test//EN", Events: []Event{{UID: "meeting-1@example.org", Stamp: day, Date: day,
			Summary: summary, Location: location, Description: description}}}
		out := cal.Write()
		if !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatal("no final CRLF")
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
			if len(l) > maxLine || strings.ContainsAny(l, "\r\n") || !utf8.ValidString(l) {
				t.Fatalf("bad content line %q", l)
			}
		}
		parsed, err := ics.ParseCalendar(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("golang-ical: %v\n%q", err, out)
		}
		evs := parsed.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		clean := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == '\r' {
					return '\n'
				}
				if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f {
					return -1
				}
				return r
			}, strings.ReplaceAll(s, "\r\n", "\n"))
		}
		for prop, want := range map[ics.ComponentProperty]string{
			ics.ComponentPropertySummary: summary, ics.ComponentPropertyLocation: location, ics.ComponentPropertyDescription: description,
		} {
			got := ""
			if p := evs[0].GetProperty(prop); p != nil {
				got = p.Value
			}
			if got != clean(want) {
				t.Errorf("%s = %q, want %q", prop, got, clean(want))
			}
		}
	})
}
