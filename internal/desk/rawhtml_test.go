package desk_test

import (
	"context"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"
)

// TestShippedLibraryHasNoRawHTML: no shipped clause or template, and no MOU
// assembled from a shipped template, trips the raw HTML check, so refusing
// raw HTML never refuses moudesk's own text.
func TestShippedLibraryHasNoRawHTML(t *testing.T) {
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]mou.LibraryClause{}
	for _, c := range lib {
		if err := desk.CheckClauseHTML(c); err != nil {
			t.Errorf("shipped clause %s: %v", c.Slug, err)
		}
		latest[c.Slug] = mou.LibraryClause{Clause: c, Version: 1}
	}
	for slug, tm := range shipped.Templates(t) {
		if err := desk.CheckTemplateHTML(tm); err != nil {
			t.Errorf("shipped template %s: %v", slug, err)
		}
		declared := mou.Variables(tm, latest)
		values := clause.ExampleValues([]*clause.Clause{{Variables: declared}})
		names := map[string]string{}
		for _, p := range tm.Parties {
			names[p.Role] = p.Label
		}
		values = mou.WithPartyList(tm, names, mou.PartyDefaults(declared, names, values))
		for _, v := range declared {
			if v.Type == clause.TypeParty && values[v.Name] == "" {
				values[v.Name] = v.Label // a party no role names, e.g. the regional template's city
			}
		}
		c, err := mou.Assemble(tm, latest, "", values)
		if err != nil {
			t.Fatalf("assemble %s: %v", slug, err)
		}
		if err := desk.CheckContentHTML(c); err != nil {
			t.Errorf("MOU from template %s: %v", slug, err)
		}
	}
}

func TestCheckContentHTMLNamesTheField(t *testing.T) {
	content := func() *mou.Content {
		return &mou.Content{Title: "MOU", Preamble: "Between a < b.", Sections: []mou.Section{
			{Key: "scope", Heading: "Scope", Body: "First line.\n\nSecond x<y line."},
			{Key: "term", Heading: "Term", Body: "Three years, see <https://example.org>."},
		}}
	}
	if err := desk.CheckContentHTML(content()); err != nil {
		t.Fatalf("lookalike HTML refused: %v", err)
	}
	for _, tc := range []struct {
		name     string
		change   func(c *mou.Content)
		field    string
		section  string
		line     int
		wantHTML string
	}{
		{"Title", func(c *mou.Content) { c.Title = "MOU <b>x</b>" }, "title", "preamble", 1, "<b>"},
		{"Preamble", func(c *mou.Content) { c.Preamble = "Line.\n\n<div>x</div>" }, "preamble", "preamble", 3, "<div>x</div>"},
		{"Heading", func(c *mou.Content) { c.Sections[1].Heading = "Term <em>x</em>" }, "sections.term.heading", "term", 1, "<em>"},
		{"Body", func(c *mou.Content) { c.Sections[0].Body = "First line.\n\nSecond <b>x</b>." }, "sections.scope.body", "scope", 3, "<b>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := content()
			tc.change(c)
			err := desk.CheckContentHTML(c)
			e, ok := moudesk.AsError(err)
			if !ok || e.Kind != moudesk.KindInvalid || e.Code != "raw_html" || e.Field != tc.field {
				t.Fatalf("got %v; want 400 raw_html on %s", err, tc.field)
			}
			d, _ := e.Data.(desk.RawHTMLDetails)
			if d.Section != tc.section || d.Line != tc.line || d.HTML != tc.wantHTML {
				t.Fatalf("details %+v; want section %s line %d html %q", d, tc.section, tc.line, tc.wantHTML)
			}
		})
	}
}

// TestServiceRefusesHTMLInShippedText: a shipped clause or a template with
// raw HTML is refused before anything is loaded.
func TestServiceRefusesHTMLInShippedText(t *testing.T) {
	ctx := context.Background()
	db := teststore.Open(t)
	tmpls := shipped.Templates(t)
	bad := *tmpls["sro-mou"]
	bad.Preamble += "\n<script>x()</script>\n"
	if _, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: map[string]*mou.Template{"sro-mou": &bad}}); err == nil {
		t.Fatal("a template with raw HTML was accepted")
	}
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: tmpls})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := db.ClauseVersion(ctx, "term", 0)
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib {
		if c.Slug == "term" {
			c.Body += "\n\n<b>new</b>"
		}
	}
	if _, err := svc.SyncLibrary(ctx, lib); err == nil || !moudesk.IsKind(err, moudesk.KindInvalid) {
		t.Fatalf("sync of a clause with raw HTML = %v; want raw_html", err)
	}
	if after, _ := db.ClauseVersion(ctx, "term", 0); after.Version != before.Version {
		t.Fatalf("the clause was updated anyway: v%d → v%d", before.Version, after.Version)
	}
}
