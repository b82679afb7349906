package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

// guardedTables are the tables a refused write must leave alone (the audit
// log records the denial, so it is not among them).
var guardedTables = []string{"parties", "users", "api_tokens", "sessions", "clauses", "clause_versions", "mous", "revisions",
	"meetings", "meeting_outcomes", "meeting_votes", "feedback", "approvals", "stage_changes", "signatories",
	"signing_documents", "signatures", "completion_certificates"}

// TestEveryCookieWriteNeedsCSRF walks every registered route that writes
// and needs a login, and sends it with a valid session cookie of a user
// who holds every role, from another site and without the CSRF token:
// each is refused 403 and writes nothing. A route added later is covered
// without anyone remembering to add it here.
func TestEveryCookieWriteNeedsCSRF(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.db.CreateParty(ctx, moudesk.System, desk.Party{Slug: "city", Name: "City", Kind: "city", Body: "City Council"}); err != nil {
		t.Fatal(err)
	}
	hash, err := cheap.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: "all@city.example", Name: "All Roles", PartySlug: "city",
		Roles: []auth.Role{auth.RoleAdmin, auth.RoleDrafter, auth.RoleReviewer, auth.RoleClerk, auth.RoleSignatory}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if r := login(e, client, "all@city.example", "correct horse battery staple"); r.status != http.StatusOK {
		t.Fatalf("login = %d %s", r.status, r.body)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, tb := range guardedTables {
			out[tb] = e.count(tb)
		}
		return out
	}
	before := counts()
	rules := e.web.Rules()
	n := 0
	for _, r := range e.web.Routes() {
		if r.Method == http.MethodGet || rules[r.Method+" "+r.Path] == auth.Public {
			continue
		}
		var parts []string
		for _, p := range strings.Split(r.Path, "/") {
			switch {
			case strings.HasPrefix(p, ":"):
				p = "1"
			case strings.HasPrefix(p, "*"):
				p = "x"
			}
			parts = append(parts, p)
		}
		path := strings.Join(parts, "/")
		for _, ctype := range []string{"application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=b"} {
			body := map[string]string{
				"application/x-www-form-urlencoded": url.Values{"csrf_token": {"forged"}, "to": {"draft"}}.Encode(),
				"application/json":                  `{"to":"draft"}`,
				"multipart/form-data; boundary=b":   "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\ndraft\r\n--b--\r\n",
			}[ctype]
			res := e.do(client, r.Method, path, "", ctype, []byte(body), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
			if res.status != http.StatusForbidden {
				t.Errorf("cross-site %s %s (%s) with the session cookie = %d, want 403", r.Method, path, ctype, res.status)
			}
			if strings.HasPrefix(path, "/api/") && res.code() != "csrf_failed" {
				t.Errorf("cross-site %s %s: code %q, want csrf_failed", r.Method, path, res.code())
			}
			n++
		}
	}
	if n < 30 {
		t.Fatalf("only %d cookie writes were tried; did the route walk break?", n)
	}
	if after := counts(); !mapsEqual(before, after) {
		t.Fatalf("refused cross-site writes changed rows: %v → %v", before, after)
	}
}

// TestSignOutEndsTheSessionOnTheServer: after signing out (the API's
// DELETE and the page's form), the old cookie value no longer
// authenticates, even replayed by hand: clearing the browser's cookie is
// not enough.
func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	e := newEnv(t)
	e.user("drafter@city.example", auth.RoleDrafter)
	for _, how := range []string{"api", "page"} {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r := login(e, client, "drafter@city.example", "correct horse battery staple")
		var lr struct {
			CSRF string `json:"csrf_token"`
		}
		if err := json.Unmarshal(r.body, &lr); err != nil || r.status != http.StatusOK {
			t.Fatalf("login = %d %s", r.status, r.body)
		}
		var cookie string
		for _, c := range r.header.Values("Set-Cookie") {
			if v, ok := strings.CutPrefix(c, "moudesk_session="); ok {
				cookie, _, _ = strings.Cut(v, ";")
			}
		}
		if cookie == "" {
			t.Fatal("no session cookie")
		}
		replay := func() int {
			return e.do(nil, http.MethodGet, "/api/v1/me", "", "", nil, "Cookie", "moudesk_session="+cookie).status
		}
		if s := replay(); s != http.StatusOK {
			t.Fatalf("the cookie before signing out = %d", s)
		}
		var out resp
		if how == "api" {
			out = e.do(client, http.MethodDelete, "/api/v1/session", "", "", nil)
		} else {
			out = e.do(client, http.MethodPost, "/signout", "", "application/x-www-form-urlencoded",
				[]byte(url.Values{"csrf_token": {lr.CSRF}}.Encode()), "Sec-Fetch-Site", "same-origin")
		}
		if out.status >= 400 {
			t.Fatalf("%s sign-out = %d %s", how, out.status, out.body)
		}
		if s := replay(); s != http.StatusUnauthorized {
			t.Fatalf("the old cookie after %s sign-out = %d, want 401", how, s)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSignInRefusesOversizedAddressesWithoutAuditing: a sign-in with an
// address no account can have (over 254 bytes, NUL, invalid UTF-8) is 400
// and leaves no audit row, before and after the throttle trips; otherwise
// each anonymous request could append up to a megabyte to the audit log.
func TestSignInRefusesOversizedAddressesWithoutAuditing(t *testing.T) {
	e := newEnv(t)
	e.user("drafter@city.example", auth.RoleDrafter)
	before := e.count("audit_events")
	for i := 0; i < 15; i++ {
		email := strings.Repeat("a", 200_000) + "@city.example"
		r := e.json(http.MethodPost, "/api/v1/session", "", map[string]string{"email": email, "password": "guess"})
		if r.status != http.StatusBadRequest || r.code() != "invalid_email" {
			t.Fatalf("sign-in %d with a %d-byte address = %d %s", i, len(email), r.status, r.code())
		}
		for _, email := range []string{strings.Repeat("b", 300_000) + "@city.example", "nul\x00@city.example", "bad\xff@city.example"} {
			form := url.Values{"email": {email}, "password": {"guess"}}
			r := e.do(nil, http.MethodPost, "/signin", "", "application/x-www-form-urlencoded", []byte(form.Encode()), "Sec-Fetch-Site", "same-origin")
			if r.status != http.StatusBadRequest {
				t.Fatalf("sign-in page %d with a %d-byte address = %d", i, len(email), r.status)
			}
		}
	}
	if after := e.count("audit_events"); after != before {
		t.Fatalf("refused sign-ins wrote %d audit rows", after-before)
	}
	// A real account still signs in from the same address.
	if r := login(e, nil, "drafter@city.example", "correct horse battery staple"); r.status != http.StatusOK {
		t.Fatalf("login after the refusals = %d %s", r.status, r.body)
	}
}

// TestDenialAuditIsBounded: a denied write is audited, but a path of a
// megabyte (a path parameter can be that long) is recorded clipped, so an
// anonymous caller cannot grow the audit log by a megabyte per request.
func TestDenialAuditIsBounded(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("9", 512<<10)
	for i := 0; i < 5; i++ {
		r := e.do(nil, http.MethodPost, "/api/v1/mous/"+long+"/revisions", "", "application/json", []byte(`{}`))
		if r.status != http.StatusUnauthorized {
			t.Fatalf("anonymous write = %d", r.status)
		}
	}
	var total, n int
	if err := e.db.QueryRowForTest(context.Background(),
		"SELECT count(*), coalesce(sum(length(details)), 0) FROM audit_events WHERE action = 'access.denied'").Scan(&n, &total); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("%d denials audited, want 5", n)
	}
	if total > 5*1024 {
		t.Fatalf("5 denials took %d bytes of audit details", total)
	}
}
