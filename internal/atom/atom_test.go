package atom

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// parsed is the feed as a reader sees it, decoded independently of Feed.
type parsed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Summary string `xml:"http://www.w3.org/2005/Atom summary"`
		Author  string `xml:"http://www.w3.org/2005/Atom author>name"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func TestFeed(t *testing.T) {
	exec := time.Date(2026, 1, 15, 18, 0, 0, 0, time.UTC)
	items := []Item{
		{Key: "mou/3/report/1", Title: "Citations, 2026 Q1", Summary: "Quarterly data <by school>", Link: "https://moudesk.example/public/mous/3/accountability#r1", Author: "Duluth Police Department", Time: exec.Add(90 * 24 * time.Hour)},
		{Key: "mou/3/report/2", Title: "Citations, 2026 Q2", Link: "https://moudesk.example/public/mous/3/accountability#r2", Time: exec.Add(200 * 24 * time.Hour)},
	}
	f, err := Make("https://moudesk.example:8443/x", "mou/3/reports", "Reports: SRO MOU & more", "https://moudesk.example/public/mous/3/reports.atom", "https://moudesk.example/public/mous/3/accountability", "moudesk", exec, items)
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var p parsed
	if err := xml.Unmarshal(data, &p); err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, data)
	}
	if p.ID != "tag:moudesk.example,2026-01-15:mou/3/reports" {
		t.Errorf("feed id %q", p.ID)
	}
	if p.Title != "Reports: SRO MOU & more" {
		t.Errorf("title %q", p.Title)
	}
	if p.Updated != "2026-08-03T18:00:00Z" {
		t.Errorf("feed updated %q, want the newest entry's time", p.Updated)
	}
	if len(p.Links) != 2 || p.Links[0].Rel != "self" || !strings.HasSuffix(p.Links[0].Href, "reports.atom") {
		t.Errorf("links %+v", p.Links)
	}
	if len(p.Entries) != 2 {
		t.Fatalf("%d entries", len(p.Entries))
	}
	if e := p.Entries[0]; e.Title != "Citations, 2026 Q2" || e.ID != "tag:moudesk.example,2026-08-03:mou/3/report/2" {
		t.Errorf("first entry %+v, want the newest report", e)
	}
	if e := p.Entries[1]; e.Summary != "Quarterly data <by school>" || e.Author != "Duluth Police Department" || !strings.HasSuffix(e.Link.Href, "#r1") {
		t.Errorf("second entry %+v", e)
	}
	for _, e := range p.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
	}
	// The same items make the same ids and bytes: a feed reader sees no
	// duplicate when it polls again.
	g, _ := Make("https://moudesk.example:8443/x", "mou/3/reports", "Reports: SRO MOU & more", "https://moudesk.example/public/mous/3/reports.atom", "https://moudesk.example/public/mous/3/accountability", "moudesk", exec, []Item{items[1], items[0]})
	again, _ := g.Marshal()
	if string(again) != string(data) {
		t.Error("the same items in another order made another feed")
	}
}

func TestEmptyFeed(t *testing.T) {
	exec := time.Date(2026, 1, 15, 18, 0, 0, 0, time.UTC)
	f, err := Make("http://localhost:8080", "mou/3/reports", "Reports", "http://localhost:8080/a", "http://localhost:8080/b", "", exec, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := f.Marshal()
	var p parsed
	if err := xml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Updated != "2026-01-15T18:00:00Z" || len(p.Entries) != 0 || p.ID != "tag:localhost,2026-01-15:mou/3/reports" {
		t.Errorf("empty feed %+v", p)
	}
}

func TestMakeRefusesHostlessURL(t *testing.T) {
	if _, err := Make("/relative", "k", "t", "s", "a", "", time.Now(), nil); err == nil {
		t.Error("accepted a public URL without a host")
	}
}
