package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"
)

// What you see is what you sign: raw HTML, which the page and ?format=html
// omit but the PDF prints, is refused wherever document text is saved,
// with 400 raw_html naming the field and no row written; text that only
// looks like HTML is kept and reads the same on the page, in the HTML and
// in the PDF.

var (
	blockTagRE = regexp.MustCompile(`(?is)</?(?:p|div|h[1-6]|li|ul|ol|br|hr|table|tr|td|th|section|article|header|footer|main|nav|blockquote|pre)\b[^>]*>`)
	tagRE      = regexp.MustCompile(`(?s)<[^>]*>`)
)

// visibleHTML is the text a browser shows of an HTML document or
// fragment: block tags break words, inline tags do not, entities are
// decoded and white space collapsed.
func visibleHTML(s string) string {
	if i := strings.Index(s, "<body"); i >= 0 {
		s = s[i:]
	}
	s = tagRE.ReplaceAllString(blockTagRE.ReplaceAllString(s, " "), "")
	return collapse(html.UnescapeString(s))
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// rowCounts counts every table a document or clause save writes.
func (e *mouEnv) rowCounts() string {
	e.t.Helper()
	out := e.counts()
	for _, table := range []string{"clauses", "clause_versions"} {
		var n int
		if err := e.db.QueryRowForTest(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return fmt.Sprint(out)
}

func TestRawHTMLRefused(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	revs := fmt.Sprintf("/api/v1/mous/%d/revisions", id)
	s := func(v string) *string { return &v }
	base := e.revision(id, 1)
	withBody := func(key, body string) []mou.SectionInput {
		out := make([]mou.SectionInput, len(base.Sections))
		for i, sec := range base.Sections {
			out[i] = mou.SectionInput{Key: sec.Key, Heading: sec.Heading, Body: sec.Body}
			if sec.Key == key {
				out[i].Body = body
			}
		}
		return out
	}
	create := func(title string) map[string]any {
		return map[string]any{"title": title, "template": "sro-mou",
			"parties": map[string]string{"city": "pleasanton", "district": "pusd"}, "variables": shipped.Variables(t)}
	}
	clauseBody := func(body string) map[string]any {
		return map[string]any{"slug": "html-clause", "title": "HTML", "category": "General", "body": body, "note": "new"}
	}
	v1, err := e.db.ClauseVersion(context.Background(), "de-escalation", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		wantField          string
	}{
		{"EditBodyBold", "POST", revs, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Body: s("The term is <b>three</b> years.")}}}, "sections.term.body"},
		{"EditBodyScript", "POST", revs, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Body: s("<script>alert(1)</script>")}}}, "sections.term.body"},
		{"EditBodyComment", "POST", revs, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Body: s("Visible.\n\n<!-- hidden from the page, printed in the PDF -->")}}}, "sections.term.body"},
		{"EditHeading", "POST", revs, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Heading: s("Term <i>and</i> renewal")}}}, "sections.term.heading"},
		{"AddSection", "POST", revs, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "add", Key: "extra", Heading: s("Extra"), Body: s("<div>\nhidden\n</div>")}}}, "sections.extra.body"},
		{"FullSectionList", "POST", revs, map[string]any{"base": 1, "sections": withBody("funding", "Costs are <span>shared</span>.")}, "sections.funding.body"},
		{"CreateMOUTitle", "POST", "/api/v1/mous", create("SRO MOU <b>draft</b>"), "title"},
		{"CreateClause", "POST", "/api/v1/clauses", clauseBody("Text <b>bold</b>."), "body"},
		{"UpdateClause", "PUT", "/api/v1/clauses/de-escalation", map[string]any{"base_version": v1.Version, "title": v1.Title, "category": v1.Category,
			"body": v1.Body + "\n\n<script>x()</script>", "note": "add script"}, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.rowCounts()
			status, body := e.do(tc.method, tc.path, tc.body)
			var got struct {
				Error struct {
					Code, Field, Message string
					Details              map[string]any
				}
			}
			json.Unmarshal(body, &got)
			if status != http.StatusBadRequest || got.Error.Code != "raw_html" || got.Error.Field != tc.wantField {
				t.Fatalf("got %d %.300s; want 400 raw_html on field %s", status, body, tc.wantField)
			}
			if got.Error.Details["html"] == "" || got.Error.Message == "" {
				t.Errorf("the error does not show the HTML it found: %s", body)
			}
			if after := e.rowCounts(); after != before {
				t.Fatalf("rows changed on refusal: %v → %v", before, after)
			}
		})
	}

	t.Run("SectionPage", func(t *testing.T) {
		p := newPageClient(t, e.url)
		p.signIn("ada@city.gov")
		path := fmt.Sprintf("/mous/%d/sections/term/edit", id)
		before := e.rowCounts()
		r := p.post(path, url.Values{"base": {"1"}, "heading": {"Term"}, "body": {"Three <b>years</b>."}, "message": {"bold"}, "action": {"save"}}, path)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "contains HTML") || !strings.Contains(r.body, "Three &lt;b&gt;years&lt;/b&gt;.") {
			t.Fatalf("page save = %d; want 422 with the message and the text kept\n%.2000s", r.status, r.body)
		}
		if after := e.rowCounts(); after != before {
			t.Fatalf("rows changed on refusal: %v → %v", before, after)
		}
	})
	t.Run("ClausePage", func(t *testing.T) {
		p := newPageClient(t, e.url)
		p.signIn("ada@city.gov")
		path := "/clauses/de-escalation/edit"
		before := e.rowCounts()
		r := p.post(path, url.Values{"base": {fmt.Sprint(v1.Version)}, "title": {v1.Title}, "category": {v1.Category},
			"body": {"<p>Officers de-escalate.</p>"}, "note": {"html"}, "action": {"save"}}, path)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "contains HTML") {
			t.Fatalf("clause page save = %d; want 422 with the message\n%.2000s", r.status, r.body)
		}
		if after := e.rowCounts(); after != before {
			t.Fatalf("rows changed on refusal: %v → %v", before, after)
		}
	})
}

// TestLookalikeHTMLReadsTheSame saves text that looks like HTML but is
// not, and a variable value that is HTML (values are escaped), and reads
// each back from the MOU page, ?format=html and the PDF (pdftotext): the
// same words everywhere, nothing omitted.
func TestLookalikeHTMLReadsTheSame(t *testing.T) {
	testtool.Need(t, "pdftotext", "poppler-utils")
	e := newMOUEnv(t)
	vars := shipped.Variables(t)
	vars["police_department"] = "<b>Riverton</b> Police"
	status, body := e.do("POST", "/api/v1/mous", map[string]any{"title": "Fees if a<b", "template": "sro-mou",
		"parties": map[string]string{"city": "pleasanton", "district": "pusd"}, "variables": vars})
	if status != http.StatusCreated {
		t.Fatalf("create = %d %s", status, body)
	}
	var created struct {
		MOU struct{ ID int64 } `json:"mou"`
	}
	json.Unmarshal(body, &created)
	id := created.MOU.ID
	s := func(v string) *string { return &v }
	lookalike := "Fees rise if a < b and x<y; see <https://example.org/terms> or <ada@example.org>. Write \\<b> as text; 5 &lt; 6."
	status, body = e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{"base": 1, "message": "lookalikes",
		"edits": []mou.Edit{{Op: "update", Key: "purpose", Heading: s("Purpose if 1<2"), Body: s(lookalike)}}})
	if status != http.StatusCreated {
		t.Fatalf("save = %d %s", status, body)
	}
	want := []string{
		"Fees if a<b",
		"Purpose if 1<2",
		"Fees rise if a < b and x<y; see https://example.org/terms or ada@example.org. Write <b> as text; 5 < 6.",
		"<b>Riverton</b> Police",
	}

	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	page := p.get(fmt.Sprintf("/mous/%d", id))
	if page.status != http.StatusOK {
		t.Fatalf("MOU page = %d", page.status)
	}
	_, htmlDoc := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/2?format=html", id), nil)
	pdfStatus, pdf := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/2?format=pdf", id), nil)
	if pdfStatus != http.StatusOK {
		t.Fatalf("pdf = %d %s", pdfStatus, pdf)
	}
	views := map[string]string{
		"page":        visibleHTML(page.body),
		"format=html": visibleHTML(string(htmlDoc)),
		"pdf":         collapse(testtool.PDFText(t, pdf)),
	}
	for name, text := range views {
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not show %q", name, w)
			}
		}
	}
	for name, raw := range map[string]string{"page": page.body, "format=html": string(htmlDoc)} {
		if strings.Contains(raw, "raw HTML omitted") {
			t.Errorf("%s omitted something", name)
		}
	}
}
