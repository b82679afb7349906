package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/web"
)

// cheap keeps password hashing fast in tests; production uses DefaultHasher.
var cheap = auth.Hasher{Memory: 256, Time: 1, Threads: 1}

type testEnv struct {
	t   *testing.T
	db  *sqlite.DB
	srv *httptest.Server
	web *web.Server
}

// newEnv starts the real router on a real SQLite file with the shipped
// library loaded.
func newEnv(t *testing.T) *testEnv {
	t.Helper()
	db := teststore.Open(t)
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t)})
	if err != nil {
		t.Fatal(err)
	}
	ws := web.New(web.Config{Service: svc, Hasher: cheap})
	srv := httptest.NewServer(web.ValidateAPI(t, ws.Handler()))
	t.Cleanup(srv.Close)
	return &testEnv{t: t, db: db, srv: srv, web: ws}
}

// user creates an account and returns a bearer token for it.
func (e *testEnv) user(email string, roles ...auth.Role) string {
	e.t.Helper()
	ctx := context.Background()
	hash, err := cheap.Hash("correct horse battery staple")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: email, Name: email, Roles: roles, PasswordHash: hash}); err != nil {
		e.t.Fatal(err)
	}
	plain, th, _ := auth.NewToken()
	if _, err := e.db.CreateToken(ctx, moudesk.System, email, "test", th); err != nil {
		e.t.Fatal(err)
	}
	return plain
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) code() string {
	var v struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.body, &v)
	return v.Error.Code
}

func (e *testEnv) do(client *http.Client, method, path, token, contentType string, body []byte, hdr ...string) resp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if client == nil {
		client = e.srv.Client()
	}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (e *testEnv) json(method, path, token string, v any) resp {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.do(nil, method, path, token, "application/json", b)
}

func (e *testEnv) count(table string) int {
	e.t.Helper()
	var n int
	// The table name is a constant from the test itself.
	if err := e.db.QueryRowForTest(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	r := e.do(nil, "GET", "/healthz", "", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "ok") {
		t.Fatalf("healthz = %d %s", r.status, r.body)
	}
	if r.header.Get("X-Request-ID") == "" {
		t.Error("no X-Request-ID on the response")
	}
}

func TestSearchRanksDeEscalationFirst(t *testing.T) {
	e := newEnv(t)
	r := e.do(nil, "GET", "/api/v1/clauses?q=de-escalation", "", "", nil)
	var got struct {
		Clauses []desk.ClauseHit `json:"clauses"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil || r.status != 200 {
		t.Fatalf("search = %d %s", r.status, r.body)
	}
	if len(got.Clauses) < 2 || got.Clauses[0].Slug != "de-escalation" {
		t.Fatalf("first hit = %+v", got.Clauses)
	}
	if !strings.Contains(got.Clauses[0].Snippet, "<mark>") {
		t.Errorf("snippet has no highlight: %q", got.Clauses[0].Snippet)
	}
	// Query syntax in the input never reaches FTS as syntax.
	for _, q := range []string{`"`, `de* OR NOT`, `(((`, `NEAR/3`, `-`} {
		r := e.do(nil, "GET", "/api/v1/clauses?q="+strings.ReplaceAll(q, " ", "+"), "", "", nil)
		if r.status != 200 {
			t.Errorf("q=%q → %d %s", q, r.status, r.body)
		}
	}
	r = e.do(nil, "GET", "/api/v1/clauses?category=no-such-category", "", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"clauses":[]`) {
		t.Errorf("unknown category = %d %s", r.status, r.body)
	}
}

func TestClauseGetAndVersions(t *testing.T) {
	e := newEnv(t)
	r := e.do(nil, "GET", "/api/v1/clauses/student-records-access", "", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"versions"`) {
		t.Fatalf("get = %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/api/v1/clauses/student-records-access/versions/1", "", "", nil); r.status != 200 {
		t.Fatalf("version 1 = %d", r.status)
	}
	for path, want := range map[string]int{
		"/api/v1/clauses/no-such-clause":                     404,
		"/api/v1/clauses/Bad_Slug":                           400,
		"/api/v1/clauses/student-records-access/versions/9":  404,
		"/api/v1/clauses/student-records-access/versions/0":  400,
		"/api/v1/clauses/student-records-access/versions/x1": 400,
	} {
		if r := e.do(nil, "GET", path, "", "", nil); r.status != want {
			t.Errorf("%s = %d, want %d", path, r.status, want)
		}
	}
}

func TestConcurrentClauseEdits(t *testing.T) {
	e := newEnv(t)
	tok := e.user("drafter@city.example", auth.RoleDrafter)
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := e.json("PUT", "/api/v1/clauses/vacation-coverage", tok, map[string]any{
				"base_version": 1, "title": "Vacation and Absence Coverage", "category": "staffing",
				"summary": "edited", "body": fmt.Sprintf("Edit number %d of the coverage clause.", i), "note": "race",
			})
			statuses[i] = r.status
		}(i)
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("statuses %v: %d created, %d conflicts; want 1 and %d", statuses, created, conflicts, n-1)
	}
	v, err := e.db.ClauseVersion(context.Background(), "vacation-coverage", 0)
	if err != nil || v.Version != 2 {
		t.Fatalf("latest = %+v, %v; want version 2", v, err)
	}
	hist, _ := e.db.ClauseHistory(context.Background(), "vacation-coverage")
	if len(hist) != 2 {
		t.Fatalf("%d versions, want exactly 2", len(hist))
	}
}

func TestClauseWritesBadInput(t *testing.T) {
	e := newEnv(t)
	tok := e.user("drafter@city.example", auth.RoleDrafter)
	rev := e.user("reviewer@city.example", auth.RoleReviewer)
	good := `{"slug":"new-clause","title":"New","category":"misc","summary":"s","body":"Text for {{city_name}}.","variables":[{"name":"city_name","type":"party","label":"City"}]}`
	big := `{"slug":"big","title":"t","category":"c","summary":"s","body":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name, method, path, token, ctype, body string
		want                                   int
		code                                   string
	}{
		{"OK", "POST", "/api/v1/clauses", tok, "application/json", good, 201, ""},
		{"ErrDuplicate", "POST", "/api/v1/clauses", tok, "application/json", good, 409, "already_exists"},
		{"ErrMalformedJSON", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":`, 400, "invalid_json"},
		{"ErrUnknownField", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":"x","bogus":1}`, 400, "invalid_json"},
		{"ErrTooLarge", "POST", "/api/v1/clauses", tok, "application/json", big, 413, "too_large"},
		{"ErrContentType", "POST", "/api/v1/clauses", tok, "text/plain", good, 415, "unsupported_media_type"},
		{"ErrInvalidUTF8", "POST", "/api/v1/clauses", tok, "application/json", "{\"slug\":\"u\",\"title\":\"\xff\"}", 400, "invalid_utf8"},
		{"ErrNUL", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":"n","title":"t","category":"c","summary":"s","body":"a\u0000b"}`, 400, "nul_character"},
		{"ErrInvalidSlug", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":"Bad Slug","title":"t","category":"c","summary":"s","body":"b"}`, 422, "invalid_slug"},
		{"ErrUndeclaredVariable", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":"undeclared","title":"t","category":"c","summary":"s","body":"Hello {{nobody}}"}`, 422, "undeclared_variable"},
		{"ErrBadVariableType", "POST", "/api/v1/clauses", tok, "application/json", `{"slug":"badtype","title":"t","category":"c","summary":"s","body":"{{x}}","variables":[{"name":"x","type":"colour","label":"X"}]}`, 422, ""},
		{"ErrNoBase", "PUT", "/api/v1/clauses/new-clause", tok, "application/json", `{"title":"t","category":"c","summary":"s","body":"b"}`, 400, "missing_field"},
		{"ErrUnauthenticated", "POST", "/api/v1/clauses", "", "application/json", good, 401, "unauthenticated"},
		{"ErrWrongRole", "POST", "/api/v1/clauses", rev, "application/json", good, 403, "forbidden"},
		{"ErrRevokedToken", "POST", "/api/v1/clauses", "mdk_not-a-real-token", "application/json", good, 401, "invalid_token"},
		{"ErrUnknownClause", "PUT", "/api/v1/clauses/no-such", tok, "application/json", `{"base_version":1,"title":"t","category":"c","summary":"s","body":"b"}`, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			versions, clausesN := e.count("clause_versions"), e.count("clauses")
			r := e.do(nil, tc.method, tc.path, tc.token, tc.ctype, []byte(tc.body))
			if r.status != tc.want || (tc.code != "" && r.code() != tc.code) {
				t.Fatalf("%s %s = %d %s; want %d %s", tc.method, tc.path, r.status, r.body, tc.want, tc.code)
			}
			if r.status >= 400 {
				if e.count("clause_versions") != versions || e.count("clauses") != clausesN {
					t.Fatal("a refused request changed rows")
				}
				if !strings.Contains(string(r.body), `"message"`) {
					t.Fatalf("error body lacks the DESIGN shape: %s", r.body)
				}
			}
		})
	}
}

func TestDeniedWritesAreAudited(t *testing.T) {
	e := newEnv(t)
	rev := e.user("reviewer@city.example", auth.RoleReviewer)
	e.json("POST", "/api/v1/clauses", rev, map[string]any{"slug": "secret-probe", "title": "t"})
	e.json("POST", "/api/v1/clauses", "", map[string]any{"slug": "anon-probe"})
	evs, err := e.db.AuditEvents(context.Background(), desk.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	denials := 0
	for _, ev := range evs {
		if ev.Action == "access.denied" {
			denials++
			if strings.Contains(string(ev.Details), "probe") {
				t.Errorf("denial recorded the request body: %s", ev.Details)
			}
		}
	}
	if denials != 2 {
		t.Fatalf("%d denials audited, want 2", denials)
	}
}

// TestEveryRouteHasARule walks what gin registered: a route without an
// entry in the permission rules would be open by accident.
func TestEveryRouteHasARule(t *testing.T) {
	e := newEnv(t)
	public := map[string]bool{
		"GET /healthz": true, "POST /api/v1/session": true, "DELETE /api/v1/session": true,
		"GET /api/v1/clauses": true, "GET /api/v1/clauses/:slug": true, "GET /api/v1/clauses/:slug/versions/:n": true,
		"POST /api/v1/verify": true, "GET /api/v1/public/mous/:id": true,
		// Pages: the start page redirects, sign-in and the stylesheet and
		// script must be reachable before signing in.
		"GET /": true, "GET /signin": true, "POST /signin": true, "GET /static/*file": true,
		// The verify address printed on every signed PDF.
		"GET /verify": true,
		// An invitation link's page and its API: the link's secret is the
		// credential.
		"GET /invite": true, "POST /invite": true, "POST /api/v1/invitation": true,
		// Executed MOUs' signed PDF and certificate (404 before), and the CA
		// certificate readers trust.
		"GET /api/v1/mous/:id/signed.pdf": true, "GET /api/v1/mous/:id/certificate.pdf": true, "GET /api/v1/ca.pem": true,
		// The CA's revocation list, at the address every certificate names
		// as its CRL distribution point.
		"GET /ca/crl": true,
		// The API contract: routes and shapes, no data.
		"GET /api/v1/openapi.json": true,
		// A user's secret calendar feed URL: calendar clients send no
		// cookie, so the token in the path is the credential.
		"GET /calendar/:token/meetings.ics": true,
		// An executed MOU's accountability record (its page is under
		// /public): obligations, published data with small counts
		// withheld, monitoring.
		"GET /api/v1/public/mous/:id/accountability": true,
	}
	rules := e.web.Rules()
	routes := e.web.Routes()
	if len(routes) == 0 {
		t.Fatal("no routes registered")
	}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		a, ok := rules[key]
		if !ok {
			t.Errorf("route %s has no permission rule", key)
			continue
		}
		if a == auth.Public && !public[key] && !strings.HasPrefix(r.Path, "/public") {
			t.Errorf("route %s is public but not on the public list", key)
		}
	}
}

func login(e *testEnv, client *http.Client, email, pw string) resp {
	b, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	return e.do(client, "POST", "/api/v1/session", "", "application/json", b)
}

func TestSessionLoginCSRFAndLogout(t *testing.T) {
	e := newEnv(t)
	e.user("drafter@city.example", auth.RoleDrafter)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	r := login(e, client, "drafter@city.example", "correct horse battery staple")
	if r.status != 200 {
		t.Fatalf("login = %d %s", r.status, r.body)
	}
	setCookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "moudesk_session="} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, want)
		}
	}
	var lr struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(r.body, &lr)
	if r := e.do(client, "GET", "/api/v1/me", "", "", nil); r.status != 200 {
		t.Fatalf("me with cookie = %d", r.status)
	}
	body := []byte(`{"slug":"csrf-clause","title":"t","category":"c","summary":"s","body":"b"}`)
	// A cookie write without proof of origin is refused…
	if r := e.do(client, "POST", "/api/v1/clauses", "", "application/json", body); r.status != 403 || r.code() != "csrf_failed" {
		t.Fatalf("cookie write without CSRF = %d %s", r.status, r.body)
	}
	// …and so is one from another site, even with the cookie.
	if r := e.do(client, "POST", "/api/v1/clauses", "", "application/json", body, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Fatalf("cross-site write = %d", r.status)
	}
	if r := e.do(client, "POST", "/api/v1/clauses", "", "application/json", body, "X-CSRF-Token", "wrong"); r.status != 403 {
		t.Fatalf("wrong CSRF token = %d", r.status)
	}
	if r := e.do(client, "POST", "/api/v1/clauses", "", "application/json", body, "X-CSRF-Token", lr.CSRF); r.status != 201 {
		t.Fatalf("write with CSRF token = %d %s", r.status, r.body)
	}
	if r := e.do(client, "DELETE", "/api/v1/session", "", "", nil); r.status != 204 {
		t.Fatalf("logout = %d", r.status)
	}
	if r := e.do(client, "GET", "/api/v1/me", "", "", nil); r.status != 401 {
		t.Fatalf("me after logout = %d", r.status)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	e.user("clerk@city.example", auth.RoleClerk)
	for i := 1; i <= 5; i++ {
		if r := login(e, nil, "clerk@city.example", "wrong password!!"); r.status != 401 {
			t.Fatalf("attempt %d = %d", i, r.status)
		}
	}
	r := login(e, nil, "clerk@city.example", "correct horse battery staple")
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt = %d (Retry-After %q), want 429", r.status, r.header.Get("Retry-After"))
	}
	evs, _ := e.db.AuditEvents(context.Background(), desk.AuditFilter{Object: "account:clerk@city.example"})
	var failures, throttled int
	for _, ev := range evs {
		switch ev.Action {
		case "login.failure":
			failures++
		case "login.throttled":
			throttled++
		}
		if strings.Contains(string(ev.Details), "wrong password") {
			t.Errorf("audit holds the password: %s", ev.Details)
		}
	}
	if failures != 5 || throttled != 1 {
		t.Fatalf("audited %d failures and %d throttles", failures, throttled)
	}
}

func TestPasswordsAreHashed(t *testing.T) {
	e := newEnv(t)
	e.user("signer@district.example", auth.RoleSignatory)
	var hash string
	if err := e.db.QueryRowForTest(context.Background(), "SELECT password_hash FROM users WHERE email = 'signer@district.example'").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("password column = %q", hash)
	}
}

func TestAuditEndpoints(t *testing.T) {
	e := newEnv(t)
	admin := e.user("admin@city.example", auth.RoleAdmin)
	drafter := e.user("drafter@city.example", auth.RoleDrafter)
	if r := e.do(nil, "GET", "/api/v1/audit/verify", admin, "", nil); r.status != 200 || !strings.Contains(string(r.body), `"ok":true`) {
		t.Fatalf("verify = %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/api/v1/audit?object=clause:de-escalation", admin, "", nil); r.status != 200 || !strings.Contains(string(r.body), "clause.create") {
		t.Fatalf("audit list = %d %s", r.status, r.body)
	}
	if r := e.do(nil, "GET", "/api/v1/audit", drafter, "", nil); r.status != 403 {
		t.Fatalf("drafter reading audit = %d", r.status)
	}
}

func TestRevokedTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	tok := e.user("drafter@city.example", auth.RoleDrafter)
	if r := e.do(nil, "GET", "/api/v1/me", tok, "", nil); r.status != 200 {
		t.Fatalf("me = %d", r.status)
	}
	toks, _ := e.db.Tokens(context.Background())
	if err := e.db.RevokeToken(context.Background(), moudesk.System, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	r := e.json("POST", "/api/v1/clauses", tok, map[string]any{"slug": "after-revoke"})
	if r.status != 401 || r.code() != "invalid_token" {
		t.Fatalf("revoked token = %d %s", r.status, r.body)
	}
}
