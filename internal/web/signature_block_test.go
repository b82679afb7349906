package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// TestSignatureBlockOverHTTP: the revision JSON and Markdown carry the
// signature block, a save sends a new one (bad lines are 422 naming the
// field, writing nothing), the redline shows the change as its own
// "Signatures" section, and the revision page and the signatories list
// follow the new block.
func TestSignatureBlockOverHTTP(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	first := e.revision(id, 1)
	if len(first.Signatures) != 4 || first.Signatures[2].Title != "City Manager" || first.Signatures[2].Kind != mou.KindSignatory {
		t.Fatalf("revision 1 signature_block: %+v", first.Signatures)
	}
	status, md := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1?format=md", id), nil)
	if status != http.StatusOK || !strings.Contains(string(md), "## Signatures\n\n1. Signatory for city, order 1\n   Title: Chief of Police\n") {
		t.Fatalf("Markdown of revision 1: %d\n%s", status, md)
	}
	save := func(block any) (int, []byte) {
		return e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{"base": 1, "message": "signature block", "signature_block": block})
	}
	for _, tc := range []struct {
		name, field, code string
		change            func([]mou.SignatureLine) []mou.SignatureLine
	}{
		{"PartyNotOnMOU", "signature_block[2].party", "unknown_party", func(b []mou.SignatureLine) []mou.SignatureLine { b[2].Party = "police_service"; return b }},
		{"UnknownKind", "signature_block[1].kind", "unknown_kind", func(b []mou.SignatureLine) []mou.SignatureLine { b[1].Kind = "notary"; return b }},
		{"EmptyTitle", "signature_block[3].title", "missing_field", func(b []mou.SignatureLine) []mou.SignatureLine { b[3].Title = ""; return b }},
		{"OrderZero", "signature_block[0].order", "invalid_order", func(b []mou.SignatureLine) []mou.SignatureLine { b[0].Order = 0; return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			status, body := save(tc.change(slices.Clone(first.Signatures)))
			var out struct {
				Error struct{ Code, Field string } `json:"error"`
			}
			if status != http.StatusUnprocessableEntity || json.Unmarshal(body, &out) != nil || out.Error.Field != tc.field || out.Error.Code != tc.code {
				t.Fatalf("%d %s, want 422 %s on %s", status, body, tc.code, tc.field)
			}
			if after := e.counts(); !maps.Equal(before, after) {
				t.Fatalf("refused save changed rows: %v → %v", before, after)
			}
		})
	}

	block := slices.Clone(first.Signatures)
	block[2].Title, block[2].Name = "Mayor", "Jerry Thorne"
	block = append(block, mou.SignatureLine{Kind: mou.KindAttest, Party: "city", Title: "City Clerk", Order: 3})
	if status, body := save(block); status != http.StatusCreated {
		t.Fatalf("save the block: %d %s", status, body)
	}
	second := e.revision(id, 2)
	if len(second.Signatures) != 5 || second.Signatures[2].Title != "Mayor" || second.Signatures[4].Kind != mou.KindAttest ||
		second.ContentHash == first.ContentHash || !slices.EqualFunc(second.Sections, first.Sections, func(a, b mou.Section) bool { return a.Body == b.Body }) {
		t.Fatalf("revision 2: block %+v, hash %s (was %s)", second.Signatures, second.ContentHash, first.ContentHash)
	}

	status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&format=text", id), nil)
	if status != http.StatusOK || !strings.Contains(string(body), "Signatures") || !strings.Contains(string(body), "Mayor") {
		t.Fatalf("text redline: %d\n%s", status, body)
	}
	status, body = e.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&format=json", id), nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"key":"`+mou.SignaturesKey+`"`) || !strings.Contains(string(body), "City Clerk") {
		t.Fatalf("JSON redline lacks the signature block: %d %.2000s", status, body)
	}

	status, body = e.do("GET", fmt.Sprintf("/api/v1/mous/%d/signatories", id), nil)
	var lines struct {
		Signatories []desk.Signatory `json:"signatories"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &lines) != nil || len(lines.Signatories) != 5 ||
		lines.Signatories[2].LineName != "Jerry Thorne" || lines.Signatories[4].Kind != mou.KindAttest || lines.Signatories[4].PartyName != "City of Pleasanton" {
		t.Fatalf("signatories of revision 2: %d %s", status, body)
	}

	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	page := p.get(fmt.Sprintf("/mous/%d", id))
	for _, want := range []string{"Signature block", "<strong>Attest</strong> for City of Pleasanton, order 3", "Jerry Thorne, Mayor"} {
		if page.status != http.StatusOK || !strings.Contains(page.body, want) {
			t.Errorf("revision page (%d) lacks %q", page.status, want)
		}
	}
}

// TestPageSignatureBlockEditor: the page edits the block as a form; a bad
// row is shown on its own field and saves nothing, a row cleared of name
// and title is removed, and a good form saves a new revision.
func TestPageSignatureBlockEditor(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	path := fmt.Sprintf("/mous/%d/signature-block/edit", id)
	form := p.get(path)
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="rows" value="6"`) || !strings.Contains(form.body, `value="President, Board of Trustees"`) {
		t.Fatalf("editor = %d\n%.2000s", form.status, form.body)
	}
	if page := p.get(fmt.Sprintf("/mous/%d", id)); !strings.Contains(page.body, `href="`+path+`"`) {
		t.Error("the revision page does not link the editor")
	}
	rows := url.Values{"base": {"1"}, "rows": {"6"}, "message": {"Our signatories"}}
	for i, l := range e.revision(id, 1).Signatures {
		n := strconv.Itoa(i)
		rows.Set("kind_"+n, l.Kind)
		rows.Set("party_"+n, l.Party)
		rows.Set("title_"+n, l.Title)
		rows.Set("order_"+n, strconv.Itoa(l.Order))
	}
	bad := url.Values{}
	maps.Copy(bad, rows)
	bad.Set("name_1", "Zoë Ortíz-Łukasz")
	bad.Set("title_1", "")
	before := e.counts()
	if r := p.post(path, bad, path); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-title-1"`) {
		t.Fatalf("a named line without a title = %d\n%.3000s", r.status, r.body)
	}
	if after := e.counts(); !maps.Equal(before, after) {
		t.Fatalf("refused form changed rows: %v → %v", before, after)
	}
	rows.Set("title_2", "")         // line 3 (City Manager) removed
	rows.Set("name_0", "Larry Cox") // line 1 named
	rows.Set("kind_4", "attest")    // a new line in a spare row
	rows.Set("party_4", "city")
	rows.Set("title_4", "City Clerk")
	rows.Set("order_4", "3")
	if r := p.post(path, rows, path); r.status != http.StatusSeeOther {
		t.Fatalf("save = %d\n%.3000s", r.status, r.body)
	}
	got := e.revision(id, 2).Signatures
	if len(got) != 4 || got[0].Name != "Larry Cox" || got[2].Title != "President, Board of Trustees" || got[3].Kind != mou.KindAttest {
		t.Fatalf("block saved from the page: %+v", got)
	}
}
