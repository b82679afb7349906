package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/chromedp/chromedp"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// TestBrowserChecksCatchProblems proves the DOM checks can fail: on a page
// that echoes the payload raw and has pale text, an unlabelled input and a
// too-wide element, each check reports its problem.
func TestBrowserChecksCatchProblems(t *testing.T) {
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>raw</title><main>" + xssPayload +
			`<p style="color:#aaa">pale text</p><input name="bare"><div style="width:900px">wide</div></main>`))
	}))
	defer raw.Close()
	b := browserTab(t)
	b.open(raw.URL)
	got := evalIn[[]string](b, inertJS)
	b.forget("") // the raw page's broken image and missing icon are expected here
	joined := strings.Join(got, "\n")
	for _, want := range []string{"script ran", "script element", "injected element", "event handler", "javascript: URL"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the check missed %q on a page with raw markup; it found:\n%s", want, joined)
		}
	}
	// The page checks of TestBrowserEveryPageFitsAPhone catch what they
	// look for too.
	b.do(chromedp.EmulateViewport(375, 800))
	if got := evalIn[[]string](b, contrastJS); len(got) == 0 || !strings.Contains(got[0], "pale text") {
		t.Errorf("the contrast check missed #aaa on white: %v", got)
	}
	if got := evalIn[[]string](b, unlabelledJS); len(got) == 0 || !strings.Contains(strings.Join(got, " "), "name=bare") {
		t.Errorf("the label check missed an unlabelled input: %v", got)
	}
	if got := evalIn[[]string](b, overflowJS); len(got) == 0 {
		t.Error("the overflow check missed a 900 px element at 375 px")
	}
}

// TestBrowserUserTextIsInert puts markup into every kind of user text (MOU
// title, section body, clause title and body, feedback, meeting fields,
// transition note, user name, search query, URL) through the API, then
// opens every staff page that shows it and checks the DOM: no injected
// element, no handler, no javascript: URL, and the flag the payload would
// set stays unset. Document text (title, headings, bodies, clause bodies)
// refuses raw HTML, so it gets the payload with each "<" escaped for
// Markdown: literal text that still injects if a page unescapes it. The
// review flow test covers the signing and public pages.
func TestBrowserUserTextIsInert(t *testing.T) {
	db, base, token := startTestServer(t,
		desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	ctx := context.Background()
	hash, err := testHasher.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: "all@city.gov", Name: "Pat " + xssPayload, PartySlug: "pleasanton",
		Roles: []auth.Role{auth.RoleAdmin, auth.RoleDrafter, auth.RoleClerk, auth.RoleReviewer}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	api := token("api@city.gov", "pleasanton", auth.RoleDrafter)
	clerk := token("clerk@city.gov", "pleasanton", auth.RoleClerk)
	call := func(tok, method, path string, body any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, strings.NewReader(string(raw)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s = %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	mdPayload := strings.ReplaceAll(xssPayload, "<", `\<`)
	vars := shipped.Variables(t)
	vars["school_names"] = "Amador " + xssPayload
	call(api, "POST", "/api/v1/mous", map[string]any{"title": "SRO " + mdPayload, "template": "sro-mou",
		"parties": map[string]string{"city": "pleasanton", "district": "pusd"}, "variables": vars})
	call(api, "POST", "/api/v1/mous/1/revisions", map[string]any{"base": 1, "message": "msg " + xssPayload,
		"edits": []map[string]any{{"op": "update", "key": "purpose", "heading": `Purpose \<img src=x onerror=window.__xss=7>\</textarea>`, "body": "Text " + mdPayload}}})
	call(api, "PUT", "/api/v1/clauses/de-escalation", map[string]any{"base_version": 1, "title": "De-escalation <img src=x onerror=window.__xss=8>",
		"category": "Conduct and Use of Authority", "summary": "Summary " + xssPayload, "body": "De-escalation " + mdPayload, "note": "note " + xssPayload})
	call(api, "POST", "/api/v1/mous/1/transitions", map[string]any{"to": "liaison_review", "note": "note " + xssPayload})
	mt := call(clerk, "POST", "/api/v1/mous/1/meetings", map[string]any{"body": "liaison_committee", "date": "2026-05-01", "revision": 2,
		"location": "Room " + xssPayload, "agenda_item": "Item " + xssPayload})
	mid := int64(mt["meeting"].(map[string]any)["id"].(float64))
	call(clerk, "POST", "/api/v1/meetings/"+itoa64(mid)+"/feedback", map[string]any{"section": "purpose", "text": "Feedback " + xssPayload, "quote": "Quote " + xssPayload})

	b := browserTab(t)
	b.signIn(base, "all@city.gov")
	for _, page := range []string{
		"/dashboard", "/mous/1", "/mous/1?rev=1", "/mous/1/redline?from=1&to=2", "/mous/1/redline?from=1&to=2&view=side-by-side",
		"/mous/1/deviations", "/mous/1/sections/purpose/edit", "/mous/1/meetings/new", "/meetings/" + itoa64(mid),
		"/mous/1/sign", "/approvals", "/clauses", "/clauses?q=" + url.QueryEscape("de-escalation "+xssPayload),
		"/clauses?q=de-escalation", "/clauses/de-escalation", "/clauses/de-escalation?from=1&to=2", "/clauses/de-escalation/edit",
		"/audit", "/audit?mou=1", "/admin", "/signin?next=" + url.QueryEscape("javascript:window.__xss=9"),
	} {
		b.open(base + page)
		b.inert(page)
	}
	// A URL that echoes into the 404 page; its 404 status is logged by the
	// browser as a failed load, which is what it should be.
	b.open(base + "/no-such-page/" + url.PathEscape(xssPayload))
	b.inert("404 page")
	b.forget("status of 404")

	// The editor's textarea holds the body as text, </textarea> and all.
	b.open(base + "/mous/1/sections/purpose/edit")
	if v := evalIn[string](b, `document.getElementById("f-body").value`); !strings.Contains(v, `</textarea>\<b id="injected">`) {
		t.Errorf("the editor lost the text after </textarea>: %q", v)
	}
	// The live preview renders the payload typed into the editor inertly.
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("f-body").value = ""`), chromedp.SendKeys(chromedp.ID("f-body"), "Typed **bold** "+xssPayload),
		chromedp.WaitVisible(chromedp.CSS("#preview-out strong")))
	b.inert("live preview")
	if got := b.text("#preview-out"); !strings.Contains(got, "Typed bold") {
		t.Errorf("live preview shows %q", got)
	}
	b.shot("live-preview")
}

// TestBrowserCrossSiteFormRefused: a page on another origin posts a form
// to moudesk in the victim's browser. The victim's session cookie goes
// with it (the attacker's origin is same-site: another port of the same
// host), but the form lacks the session's CSRF token and the browser says
// it came from elsewhere, so moudesk refuses and writes nothing.
func TestBrowserCrossSiteFormRefused(t *testing.T) {
	e := newMOUEnv(t)
	before := e.counts()
	fields := ""
	for k, vs := range sroForm(t, "Forged MOU") {
		fields += `<input type="hidden" name="` + k + `" value="` + vs[0] + `">`
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>win a prize</title><link rel="icon" href="data:,">` +
			`<form id="f" method="post" action="` + e.url + `/mous/new">` + fields + `</form>` +
			`<script>document.getElementById("f").submit()</script>`))
	}))
	defer evil.Close()

	b := browserTab(t)
	b.signIn(e.url, "ada@city.gov")
	b.do(chromedp.Navigate(evil.URL), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := b.text("main"); !strings.Contains(got, "cross-site request refused") {
		t.Fatalf("the forged post was answered with:\n%s", got)
	}
	b.forget("status of 403")
	b.shot("refused")
	if after := e.counts(); after["mous"] != before["mous"] || after["revisions"] != before["revisions"] {
		t.Fatalf("the forged post wrote rows: before %v after %v", before, after)
	}
	// The same form from moudesk's own page, in the same browser, works.
	b.open(e.url + "/mous/new")
	for k, vs := range sroForm(t, "Real MOU") {
		if k == "template" {
			continue
		}
		b.do(chromedp.SetValue(chromedp.CSS(`#create-mou [name="`+k+`"]`), vs[0]))
	}
	b.submit(`#create-mou button[type=submit]`, ".flash")
}
