// Package atom writes Atom 1.0 feeds (RFC 4287): here, one feed of new
// reports per executed MOU, which the public can follow without an
// account. Ids are tag URIs (RFC 4151) built from the site's host and
// what the entry is, so an entry keeps its id for as long as the site
// keeps its name, whichever server renders the feed.
package atom

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// NS is the Atom namespace.
const NS = "http://www.w3.org/2005/Atom"

// ContentType is the media type of a feed.
const ContentType = "application/atom+xml; charset=utf-8"

// Feed is an Atom feed document.
type Feed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  *Person  `xml:"author,omitempty"`
	Links   []Link   `xml:"link"`
	Entries []Entry  `xml:"entry"`
}

// Person is an author.
type Person struct {
	Name string `xml:"name"`
}

// Link is an atom:link.
type Link struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// Text is a text construct (type="text").
type Text struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

// Entry is one atom:entry.
type Entry struct {
	ID        string  `xml:"id"`
	Title     string  `xml:"title"`
	Updated   string  `xml:"updated"`
	Published string  `xml:"published,omitempty"`
	Author    *Person `xml:"author,omitempty"`
	Links     []Link  `xml:"link"`
	Summary   *Text   `xml:"summary,omitempty"`
}

// Item is what a feed entry is made from.
type Item struct {
	Key     string // what the entry is, unique in the site: "mou/12/report/34"
	Title   string
	Summary string
	Link    string    // absolute URL of the entry's page or file
	Author  string    // the body or party that made the report
	Time    time.Time // when it was published; entries never change, so also updated
}

// Make builds a feed of items, newest first. base is the site's public
// URL (its host names the tag URIs); self is the feed's own URL and alt
// the page it follows; key identifies the feed within the site. A feed
// with no items is updated at since (the MOU's execution), so it is still
// a valid document with a stable updated time.
func Make(base, key, title, self, alt, author string, since time.Time, items []Item) (*Feed, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("atom feed: public URL %q has no host", base)
	}
	host := u.Hostname()
	its := append([]Item(nil), items...)
	sort.SliceStable(its, func(i, j int) bool {
		if !its[i].Time.Equal(its[j].Time) {
			return its[i].Time.After(its[j].Time)
		}
		return its[i].Key > its[j].Key
	})
	updated := since
	for _, it := range its {
		if it.Time.After(updated) {
			updated = it.Time
		}
	}
	f := &Feed{
		ID:      tag(host, since, key),
		Title:   title,
		Updated: stamp(updated),
		Links:   []Link{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: alt}},
	}
	// RFC 4287 wants an author on the feed or on every entry; the site
	// stands in when the caller names none.
	if author == "" {
		author = host
	}
	f.Author = &Person{Name: author}
	for _, it := range its {
		e := Entry{
			ID:        tag(host, it.Time, it.Key),
			Title:     it.Title,
			Updated:   stamp(it.Time),
			Published: stamp(it.Time),
			Links:     []Link{{Rel: "alternate", Href: it.Link}},
		}
		if it.Author != "" {
			e.Author = &Person{Name: it.Author}
		}
		if it.Summary != "" {
			e.Summary = &Text{Type: "text", Body: it.Summary}
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// tag is a tag URI for key, minted on the day at (RFC 4151: the date
// says when the name was the minter's, and keeps ids unique over time).
func tag(host string, at time.Time, key string) string {
	return "tag:" + host + "," + at.UTC().Format("2006-01-02") + ":" + strings.TrimPrefix(key, "/")
}

// stamp is an RFC 3339 date-time in UTC, as Atom requires.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Marshal writes f as an XML document.
func (f *Feed) Marshal() ([]byte, error) {
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write atom feed: %w", err)
	}
	return append([]byte(xml.Header), out...), nil
}
