package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
)

// pageClient is a browser stand-in for the HTML pages: it keeps cookies,
// does not follow redirects (tests check them) and reads each form's
// CSRF token from the page it was served on.
type pageClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newPageClient(t testing.TB, base string) *pageClient {
	jar, _ := cookiejar.New(nil)
	return &pageClient{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type pageResp struct {
	status   int
	location string
	body     string
}

func (p *pageClient) get(path string) pageResp {
	p.t.Helper()
	return p.send(http.MethodGet, path, nil)
}

func (p *pageClient) send(method, path string, form url.Values, headers ...string) pageResp {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageResp{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token reads the CSRF token from a page the client is allowed to see.
func (p *pageClient) token(path string) string {
	p.t.Helper()
	r := p.get(path)
	m := csrfInput.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		p.t.Fatalf("GET %s = %d, no CSRF token in the page", path, r.status)
	}
	return m[1]
}

// post submits a form the way the page does: with the page's CSRF token
// and the browser's same-origin header.
func (p *pageClient) post(path string, form url.Values, tokenFrom string) pageResp {
	p.t.Helper()
	form.Set("csrf_token", p.token(tokenFrom))
	return p.send(http.MethodPost, path, form, "Origin", p.base, "Sec-Fetch-Site", "same-origin")
}

func (p *pageClient) signIn(email string) {
	p.t.Helper()
	r := p.send(http.MethodPost, "/signin", url.Values{"email": {email}, "password": {"correct horse battery staple"}, "next": {"/"}},
		"Sec-Fetch-Site", "same-origin")
	if r.status != http.StatusSeeOther || r.location != "/dashboard" {
		p.t.Fatalf("sign in as %s = %d → %q\n%s", email, r.status, r.location, r.body)
	}
}

// sroForm is the new-MOU form filled with every required detail.
func sroForm(t testing.TB, title string) url.Values {
	f := url.Values{"template": {"sro-mou"}, "title": {title}, "parties.city": {"pleasanton"}, "parties.district": {"pusd"}}
	for k, v := range shipped.Variables(t) {
		f.Set("variables."+k, v)
	}
	return f
}

func TestPageSignInRedirectsAndErrors(t *testing.T) {
	e := newMOUEnv(t)
	p := newPageClient(t, e.url)
	if r := p.get("/dashboard"); r.status != http.StatusSeeOther || r.location != "/signin?next=%2Fdashboard" {
		t.Fatalf("anonymous dashboard = %d → %q, want the sign-in page", r.status, r.location)
	}
	r := p.send(http.MethodPost, "/signin", url.Values{"email": {"ada@city.gov"}, "password": {"wrong"}, "next": {"/dashboard"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "wrong e-mail or password") || !strings.Contains(r.body, `value="ada@city.gov"`) {
		t.Fatalf("wrong password = %d; want 401 with the message and the e-mail kept\n%s", r.status, r.body)
	}
	if r := p.send(http.MethodPost, "/signin", url.Values{"email": {"ada@city.gov"}, "password": {"correct horse battery staple"}},
		"Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Fatalf("sign-in form posted from another site = %d, want 403", r.status)
	}
	r = p.send(http.MethodPost, "/signin", url.Values{"email": {"ada@city.gov"}, "password": {"correct horse battery staple"}, "next": {"//evil.example/x"}})
	if r.status != http.StatusSeeOther || r.location != "/dashboard" {
		t.Fatalf("sign in with a foreign next = %d → %q, want /dashboard", r.status, r.location)
	}
	if r := p.get("/dashboard"); r.status != http.StatusOK || !strings.Contains(r.body, "<h1>Dashboard</h1>") {
		t.Fatalf("dashboard after sign in = %d", r.status)
	}
	if r := p.get("/no/such/page"); r.status != http.StatusNotFound || !strings.Contains(r.body, "<h1>Not found</h1>") {
		t.Fatalf("unknown page = %d, want an HTML 404\n%s", r.status, r.body)
	}
	if r := p.get("/audit"); r.status != http.StatusForbidden || !strings.Contains(r.body, "Not allowed") {
		t.Fatalf("drafter on /audit = %d, want an HTML 403", r.status)
	}
	r = p.post("/signout", url.Values{}, "/dashboard")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
		t.Fatalf("sign out = %d → %q", r.status, r.location)
	}
	if r := p.get("/dashboard"); r.status != http.StatusSeeOther {
		t.Fatalf("dashboard after sign out = %d, want a redirect to sign in", r.status)
	}
}

// TestPageCrossSiteFormRefused: a form posted from another site carries the
// victim's cookie but not the page's token, and is refused without a write.
func TestPageCrossSiteFormRefused(t *testing.T) {
	e := newMOUEnv(t)
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	before := e.counts()
	form := sroForm(t, "Forged MOU")
	for _, tc := range []struct {
		name    string
		token   string
		headers []string
	}{
		{"CrossSiteNoToken", "", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}},
		{"SameSiteOtherOrigin", "", []string{"Origin", "http://127.0.0.1:1", "Sec-Fetch-Site", "same-site"}},
		{"NoHeadersNoToken", "", nil},
		{"WrongToken", "not-the-token", []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tc.token != "" {
				f.Set("csrf_token", tc.token)
			}
			r := p.send(http.MethodPost, "/mous/new", f, tc.headers...)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "cross-site request refused") {
				t.Fatalf("forged form post = %d, want 403\n%s", r.status, r.body)
			}
		})
	}
	if after := e.counts(); after["mous"] != before["mous"] || after["revisions"] != before["revisions"] {
		t.Fatalf("a refused form wrote rows: before %v after %v", before, after)
	}
	r := p.post("/mous/new", form, "/mous/new")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/mous/") {
		t.Fatalf("the same form from moudesk's page = %d → %q\n%s", r.status, r.location, r.body)
	}
}

func TestPageNewMOUFormKeepsInput(t *testing.T) {
	e := newMOUEnv(t)
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	before := e.counts()
	form := sroForm(t, "Kept title")
	form.Set("variables.effective_date", "2025-02-30")
	form.Del("variables.expiration_date")
	r := p.post("/mous/new", form, "/mous/new")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form = %d, want 422", r.status)
	}
	for _, want := range []string{
		`value="Kept title"`, `value="2025-02-30"`,
		`id="f-variables-effective-date" name="variables.effective_date"`,
		`id="err-variables-effective-date"`, `id="err-variables-expiration-date"`, `aria-invalid="true"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("refused form lacks %s", want)
		}
	}
	if after := e.counts(); after["mous"] != before["mous"] {
		t.Fatalf("a refused form wrote an MOU")
	}
}

// TestPageStaleSaveKeepsEdit: a save on an old base shows what changed
// meanwhile, keeps the user's text, and a second save applies it on top.
func TestPageStaleSaveKeepsEdit(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	path := "/mous/" + itoa64(id) + "/sections/term/edit"
	form := p.get(path)
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="base" value="1"`) {
		t.Fatalf("editor = %d", form.status)
	}
	// Someone else saves revision 2 through the API meanwhile.
	if status, body := e.do("POST", "/api/v1/mous/"+itoa64(id)+"/revisions", map[string]any{"base": 1, "message": "other edit",
		"edits": []map[string]any{{"op": "update", "key": "purpose", "body": "Their purpose text."}}}); status != http.StatusCreated {
		t.Fatalf("concurrent save = %d %s", status, body)
	}
	mine := `My new term text, kept \<b>verbatim\</b>: a < b.` // HTML-like, but not raw HTML, which is refused
	f := url.Values{"base": {"1"}, "heading": {"Term and Effective Date"}, "body": {mine}, "message": {"my edit"}, "action": {"save"}}
	r := p.post(path, f, path)
	if r.status != http.StatusConflict {
		t.Fatalf("stale save = %d, want 409\n%s", r.status, r.body)
	}
	for _, want := range []string{"Someone saved this MOU while you were editing", `name="base" value="2"`,
		`My new term text, kept \&lt;b&gt;verbatim\&lt;/b&gt;: a &lt; b.`, `class="redline redline-inline"`, "Their"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("stale page lacks %q", want)
		}
	}
	f.Set("base", "2")
	if r := p.post(path, f, path); r.status != http.StatusSeeOther {
		t.Fatalf("second save = %d\n%s", r.status, r.body)
	}
	rev, err := e.db.Revision(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := findSection(rev.Sections, "term")
	p2, _, _ := findSection(rev.Sections, "purpose")
	if rev.Number != 3 || !strings.Contains(s.Body, "My new term text") || !strings.Contains(p2.Body, "Their purpose text.") {
		t.Fatalf("revision %d lost an edit: term %q purpose %q", rev.Number, s.Body, p2.Body)
	}
}

// TestPageFormTooLarge: a form post over the bound is refused before it is
// parsed, with nothing written.
func TestPageFormTooLarge(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	path := "/mous/" + itoa64(id) + "/sections/term/edit"
	before := e.counts()
	f := url.Values{"base": {"1"}, "heading": {"Term"}, "body": {strings.Repeat("x", maxFormBody)}, "message": {"big"}, "action": {"save"}}
	r := p.post(path, f, path)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "larger than") {
		t.Fatalf("huge form = %d, want 413\n%.300s", r.status, r.body)
	}
	if after := e.counts(); after["revisions"] != before["revisions"] {
		t.Fatal("a refused form wrote a revision")
	}
}

// TestPageResolveFeedback: once a revision changed the section, the MOU
// page offers to close the feedback as resolved by it, and doing so
// records that revision.
func TestPageResolveFeedback(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	mid := itoa64(id)
	e.do("POST", "/api/v1/mous/"+mid+"/transitions", map[string]any{"to": "liaison_review"})
	ctx := context.Background()
	svc := testService(t, e.db)
	mt, err := svc.CreateMeeting(ctx, moudesk.System, id, desk.NewMeeting{Body: "liaison_committee", Date: "2026-05-01", Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	fb, err := svc.CreateFeedback(ctx, moudesk.System, mt.ID, "term", "Say three years.", "")
	if err != nil {
		t.Fatal(err)
	}
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	if r := p.get("/mous/" + mid); strings.Contains(r.body, "/feedback/"+itoa64(fb.ID)+"/resolve") {
		t.Fatal("the page offers to resolve feedback before any revision changed the section")
	}
	edit := "/mous/" + mid + "/sections/term/edit"
	if r := p.post(edit, url.Values{"base": {"1"}, "heading": {"Term"}, "body": {"Three years."}, "message": {"as asked"}, "action": {"save"}}, edit); r.status != http.StatusSeeOther {
		t.Fatalf("save = %d", r.status)
	}
	page := p.get("/mous/" + mid)
	if !strings.Contains(page.body, `action="/feedback/`+itoa64(fb.ID)+`/resolve"`) || !strings.Contains(page.body, "Resolved by revision 2") {
		t.Fatal("the MOU page does not offer to resolve the feedback by revision 2")
	}
	if r := p.post("/feedback/"+itoa64(fb.ID)+"/resolve", url.Values{"revision": {"2"}}, "/mous/"+mid); r.status != http.StatusSeeOther {
		t.Fatalf("resolve = %d\n%s", r.status, r.body)
	}
	got, err := e.db.FeedbackItem(ctx, fb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != desk.FeedbackResolved || got.ResolvedRevision == nil || *got.ResolvedRevision != 2 {
		t.Fatalf("feedback after resolving: %+v", got)
	}
}

// TestPageAdmin adds a party and invites a user, refuses a bad user with
// the errors beside the fields and the input kept, and makes a token for
// the admin themself that is shown once and can be revoked.
func TestPageAdmin(t *testing.T) {
	db, base, token := startTestServer(t)
	token("root@city.gov", "", auth.RoleAdmin)
	p := newPageClient(t, base)
	p.signIn("root@city.gov")
	r := p.post("/admin/parties", url.Values{"slug": {"dublin"}, "name": {"City of Dublin"}, "kind": {"city"}, "body": {"City Council"}}, "/admin")
	if r.status != http.StatusSeeOther {
		t.Fatalf("add party = %d\n%s", r.status, r.body)
	}
	users, _ := db.Users(context.Background())
	r = p.post("/admin/users", url.Values{"email": {"nope"}, "name": {"Kept Name"}, "party": {"dublin"}}, "/admin")
	for _, want := range []string{`id="err-user-email"`, `id="err-user-roles"`, `value="Kept Name"`, `<option value="dublin" selected>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("refused user form lacks %s", want)
		}
	}
	if strings.Contains(r.body, `name="password"`) {
		t.Error("the user form asks the admin for the person's password")
	}
	if after, _ := db.Users(context.Background()); len(after) != len(users) {
		t.Fatal("a refused user form added a user")
	}
	r = p.post("/admin/users", url.Values{"email": {"clerk@dublin.gov"}, "name": {"Dana Clerk"}, "party": {"dublin"},
		"roles": {"clerk", "reviewer"}}, "/admin")
	if r.status != http.StatusCreated || !strings.Contains(r.body, "/invite?token=mdi_") {
		t.Fatalf("invite user = %d, no link shown\n%s", r.status, r.body)
	}
	u, hash, err := db.UserByEmail(context.Background(), "clerk@dublin.gov")
	if err != nil || u.PartySlug != "dublin" || len(u.Roles) != 2 || hash != "" || u.Active {
		t.Fatalf("invited user: %+v %v; want no password", u, err)
	}
	r = p.post("/admin/tokens", url.Values{"label": {"my script"}}, "/admin")
	m := regexp.MustCompile(`<p class="token">([^<]+)</p>`).FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || m == nil {
		t.Fatalf("create token = %d, token not shown", r.status)
	}
	if again := p.get("/admin"); strings.Contains(again.body, m[1]) {
		t.Fatal("the token is shown again after the page that made it")
	}
	tokens, _ := db.Tokens(context.Background())
	last := tokens[len(tokens)-1]
	if last.UserEmail != "root@city.gov" {
		t.Fatalf("the admin's token acts for %s", last.UserEmail)
	}
	if r := p.post("/admin/tokens/"+itoa64(last.ID)+"/revoke", url.Values{}, "/admin"); r.status != http.StatusSeeOther {
		t.Fatalf("revoke = %d", r.status)
	}
	if _, _, err := db.TokenUser(context.Background(), auth.HashToken(m[1])); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
}

// TestPageClauseEdit saves a clause version from the page, then a stale
// save shows the other change and keeps the user's text.
func TestPageClauseEdit(t *testing.T) {
	e := newMOUEnv(t)
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	path := "/clauses/de-escalation/edit"
	form := p.get(path)
	v1, err := e.db.ClauseVersion(context.Background(), "de-escalation", 0)
	if err != nil || form.status != http.StatusOK {
		t.Fatalf("editor = %d %v", form.status, err)
	}
	f := url.Values{"base": {itoa64(int64(v1.Version))}, "title": {v1.Title}, "category": {v1.Category}, "summary": {v1.Summary},
		"body": {v1.Body + "\n\nOfficers first try to calm the situation."}, "note": {"add a sentence"}, "action": {"save"}}
	if r := p.post(path, f, path); r.status != http.StatusSeeOther {
		t.Fatalf("save = %d\n%s", r.status, r.body)
	}
	f.Set("body", "My rewrite.")
	r := p.post(path, f, path) // still on the old base
	if r.status != http.StatusConflict || !strings.Contains(r.body, "My rewrite.") || !strings.Contains(r.body, "calm the situation") {
		t.Fatalf("stale clause save = %d; want 409 with the other change and my text", r.status)
	}
	if page := p.get("/clauses/de-escalation?from=1&to=2"); !strings.Contains(page.body, "<ins>") {
		t.Fatal("the clause page shows no redline between versions 1 and 2")
	}
}

// TestPageOutcomeMoreRows: a body larger than the default vote table asks
// for more rows without JavaScript, and a vote in a late row is recorded.
func TestPageOutcomeMoreRows(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	e.do("POST", "/api/v1/mous/"+itoa64(id)+"/transitions", map[string]any{"to": "liaison_review"})
	ctx := context.Background()
	mt, err := testService(t, e.db).CreateMeeting(ctx, moudesk.System, id, desk.NewMeeting{Body: "liaison_committee", Date: "2026-05-01", Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := testHasher.Hash("correct horse battery staple")
	if _, err := e.db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: "clerk@city.gov", Name: "Clerk", PartySlug: "pleasanton",
		Roles: []auth.Role{auth.RoleClerk}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	p := newPageClient(t, e.url)
	p.signIn("clerk@city.gov")
	path := "/meetings/" + itoa64(mt.ID)
	if page := p.get(path); strings.Contains(page.body, `id="f-member-9"`) || !strings.Contains(page.body, "?rows=19") {
		t.Fatal("the default table should have 9 rows and offer more")
	}
	if page := p.get(path + "?rows=19"); !strings.Contains(page.body, `id="f-member-18"`) {
		t.Fatal("?rows=19 did not give 19 rows")
	}
	f := url.Values{"outcome": {"forward"}, "rows": {"19"}, "member_15": {"Trustee Late"}, "vote_15": {"aye"}}
	if r := p.post(path+"/outcome", f, path); r.status != http.StatusSeeOther {
		t.Fatalf("outcome = %d\n%s", r.status, r.body)
	}
	got, err := e.db.Meeting(ctx, mt.ID)
	if err != nil || got.Outcome == nil || len(got.Outcome.Votes) != 1 || got.Outcome.Votes[0].Member != "Trustee Late" {
		t.Fatalf("recorded outcome: %+v %v", got.Outcome, err)
	}
}

// TestPrintedVerifyAddressLeadsToVerifyPage follows the address a signed
// PDF's footer prints, as a reader of a paper copy would type it.
func TestPrintedVerifyAddressLeadsToVerifyPage(t *testing.T) {
	_, base, _ := startTestServer(t)
	footer := desk.FooterLine(&desk.MOU{ID: 7}, &mou.Revision{Number: 2, ContentHash: strings.Repeat("ab", 32)}, base)
	_, addr, ok := strings.Cut(footer, "verify at ")
	if !ok {
		t.Fatalf("footer %q prints no address", footer)
	}
	p := newPageClient(t, base)
	r := p.get(strings.TrimPrefix(addr, base))
	if r.status != http.StatusMovedPermanently || r.location != "/public/verify" {
		t.Fatalf("GET %s: %d to %q, want 301 to /public/verify", addr, r.status, r.location)
	}
	res, err := http.Get(addr) // the default client follows the redirect
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `action="/public/verify"`) {
		t.Fatalf("following %s: %d, upload form present: %v", addr, res.StatusCode, strings.Contains(string(body), `action="/public/verify"`))
	}
}
