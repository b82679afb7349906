package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/testtool"
)

// The account tests: a token acts only for its creator, the audit names
// the credential, accounts come by invitation, passwords are changed by
// their owners. They run the real router on a real SQLite file, with a
// clock the test moves.

const testPassword = "correct horse battery staple"

type accountEnv struct {
	t     *testing.T
	db    *sqlite.DB
	url   string
	clock *testtool.Clock
}

func newAccountEnv(t *testing.T) *accountEnv {
	t.Helper()
	e := &accountEnv{t: t, clock: testtool.NewClock(time.Now().UTC().Truncate(time.Second))}
	ctx := context.Background()
	db := teststore.OpenEmpty(t, sqlite.Options{Now: e.clock.Now})
	if _, err := db.CreateParty(ctx, moudesk.System, desk.Party{Slug: "pusd", Name: "Pleasanton Unified", Kind: "district", Body: "Board of Trustees"}); err != nil {
		t.Fatal(err)
	}
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(validateAPI(t, New(Config{Service: svc, Hasher: testHasher, Now: e.clock.Now, PublicURL: testPublicURL}).Handler()))
	t.Cleanup(ts.Close)
	e.db, e.url = db, ts.URL
	return e
}

// user creates an account with the test password, as a fixture.
func (e *accountEnv) user(email, party string, mustChange bool, roles ...auth.Role) *desk.User {
	e.t.Helper()
	return teststore.User(e.t, e.db, desk.NewUser{Email: email, Name: email, PartySlug: party, Roles: roles, MustChangePassword: mustChange}, testPassword)
}

// bearer gives email a token, as a fixture (the store, not a route).
func (e *accountEnv) bearer(email string) string {
	e.t.Helper()
	return teststore.Token(e.t, e.db, email, "fixture")
}

func (e *accountEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowForTest(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// rows counts every table an account act writes.
func (e *accountEnv) rows() map[string]int {
	out := map[string]int{}
	for _, table := range []string{"users", "user_roles", "invitations", "api_tokens", "sessions", "audit_events"} {
		out[table] = e.count("SELECT count(*) FROM " + table)
	}
	out["revoked"] = e.count("SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL")
	out["passwords"] = e.count("SELECT count(*) FROM users WHERE password_hash != ''")
	return out
}

// caller is one API client: a bearer token, or a session with its CSRF
// token.
type caller struct {
	e      *accountEnv
	http   *http.Client
	bearer string
	csrf   string
}

func (e *accountEnv) withToken(tok string) *caller {
	return &caller{e: e, http: &http.Client{}, bearer: tok}
}

// signIn starts an API session as email.
func (e *accountEnv) signIn(email, password string) *caller {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &caller{e: e, http: &http.Client{Jar: jar}}
	r := c.call(http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password})
	if r.status != http.StatusOK {
		e.t.Fatalf("sign in as %s = %d %s", email, r.status, r.body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(r.body, &out)
	c.csrf = out.CSRF
	return c
}

type apiResp struct {
	status int
	body   []byte
}

func (r apiResp) code() string {
	var v struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.body, &v)
	return v.Error.Code
}

func (c *caller) call(method, path string, body any) apiResp {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.e.url+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, b := testtool.Do(c.e.t, c.http, req)
	return apiResp{res.StatusCode, b}
}

// refused checks that a request is refused with status and code and
// changes no row.
func (c *caller) refused(method, path string, body any, status int, code string) {
	c.e.t.Helper()
	before := c.e.rows()
	r := c.call(method, path, body)
	if r.status != status || r.code() != code {
		c.e.t.Fatalf("%s %s = %d %s; want %d %s", method, path, r.status, r.body, status, code)
	}
	if !json.Valid(r.body) || !bytes.HasPrefix(r.body, []byte(`{"error":{`)) {
		c.e.t.Fatalf("%s %s: body %s is not the error shape", method, path, r.body)
	}
	if after := c.e.rows(); !equalCounts(before, after, "audit_events") {
		c.e.t.Fatalf("%s %s (refused) changed rows: %v → %v", method, path, before, after)
	}
}

// equalCounts compares row counts but for the tables in skip (a refused
// write may audit its refusal).
func equalCounts(a, b map[string]int, skip ...string) bool {
	for k, v := range a {
		if !slices.Contains(skip, k) && b[k] != v {
			return false
		}
	}
	return true
}

// TestTokenActsOnlyForItsCreator: the API makes tokens only for the
// signed-in caller, never with another token and never for someone else;
// the token made acts as its creator.
func TestTokenActsOnlyForItsCreator(t *testing.T) {
	e := newAccountEnv(t)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	clerkToken := e.bearer("clerk@pusd.example")
	admin := e.signIn("admin@pusd.example", testPassword)

	t.Run("ErrNamesAnotherUser", func(t *testing.T) {
		admin.refused(http.MethodPost, "/api/v1/me/tokens", map[string]string{"label": "as clerk", "email": "clerk@pusd.example"}, 400, "invalid_json")
	})
	t.Run("ErrWithAToken", func(t *testing.T) {
		e.withToken(clerkToken).refused(http.MethodPost, "/api/v1/me/tokens", map[string]string{"label": "more"}, 403, "session_required")
	})
	t.Run("ErrNoLabel", func(t *testing.T) {
		admin.refused(http.MethodPost, "/api/v1/me/tokens", map[string]string{"label": " "}, 400, "missing_field")
	})
	t.Run("OK", func(t *testing.T) {
		r := admin.call(http.MethodPost, "/api/v1/me/tokens", map[string]string{"label": "my script"})
		var out struct {
			Token  desk.APIToken `json:"token"`
			Secret string        `json:"secret"`
		}
		if err := json.Unmarshal(r.body, &out); r.status != 201 || err != nil || !strings.HasPrefix(out.Secret, auth.TokenPrefix) {
			t.Fatalf("create = %d %s", r.status, r.body)
		}
		if out.Token.UserEmail != "admin@pusd.example" {
			t.Fatalf("the token acts for %s, not its creator", out.Token.UserEmail)
		}
		me := e.withToken(out.Secret).call(http.MethodGet, "/api/v1/me", nil)
		if me.status != 200 || !strings.Contains(string(me.body), `"email":"admin@pusd.example"`) || !strings.Contains(string(me.body), `"via":"token"`) {
			t.Fatalf("me with the new token = %d %s", me.status, me.body)
		}
		if n := e.count("SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'clerk@pusd.example'"); n != 1 {
			t.Fatalf("the clerk has %d tokens; want only the fixture's", n)
		}
	})
	t.Run("ListsOnlyOwn", func(t *testing.T) {
		r := e.withToken(clerkToken).call(http.MethodGet, "/api/v1/me/tokens", nil)
		if r.status != 200 || strings.Contains(string(r.body), "my script") || !strings.Contains(string(r.body), "fixture") {
			t.Fatalf("clerk's tokens = %d %s", r.status, r.body)
		}
	})
}

// TestAdminRevokesButNeverMintsTokens: an admin lists and revokes anyone's
// token, and the admin page refuses to make one for another user (before,
// it made one for any e-mail address); a user revokes only their own.
func TestAdminRevokesButNeverMintsTokens(t *testing.T) {
	e := newAccountEnv(t)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	e.user("drafter@pusd.example", "pusd", false, auth.RoleDrafter)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	clerkToken := e.bearer("clerk@pusd.example")
	drafterToken := e.bearer("drafter@pusd.example")
	clerkTok, _ := e.db.TokensOf(context.Background(), 1)
	admin := e.signIn("admin@pusd.example", testPassword)

	t.Run("ErrPageForAnotherUser", func(t *testing.T) {
		p := newPageClient(t, e.url)
		p.signIn("admin@pusd.example")
		before := e.rows()
		r := p.post("/admin/tokens", url.Values{"email": {"clerk@pusd.example"}, "label": {"agenda system"}}, "/admin")
		if r.status != http.StatusForbidden || strings.Contains(r.body, auth.TokenPrefix) {
			t.Fatalf("admin page token for the clerk = %d; want 403 and no token", r.status)
		}
		if after := e.rows(); after["api_tokens"] != before["api_tokens"] {
			t.Fatal("a refused token was stored")
		}
	})
	t.Run("ErrRevokeOthersOwnRoute", func(t *testing.T) {
		e.withToken(drafterToken).refused(http.MethodDelete, "/api/v1/me/tokens/"+itoa64(clerkTok[0].ID), nil, 404, "not_found")
	})
	t.Run("ErrNonAdminListsAll", func(t *testing.T) {
		e.withToken(drafterToken).refused(http.MethodGet, "/api/v1/tokens", nil, 403, "forbidden")
	})
	t.Run("AdminLists", func(t *testing.T) {
		r := admin.call(http.MethodGet, "/api/v1/tokens", nil)
		if r.status != 200 || !strings.Contains(string(r.body), "clerk@pusd.example") {
			t.Fatalf("admin list = %d %s", r.status, r.body)
		}
	})
	t.Run("AdminRevokes", func(t *testing.T) {
		if r := admin.call(http.MethodDelete, "/api/v1/tokens/"+itoa64(clerkTok[0].ID), nil); r.status != 204 {
			t.Fatalf("admin revoke = %d %s", r.status, r.body)
		}
		if r := e.withToken(clerkToken).call(http.MethodGet, "/api/v1/me", nil); r.status != 401 || r.code() != "invalid_token" {
			t.Fatalf("revoked token = %d %s", r.status, r.body)
		}
	})
	t.Run("OwnerRevokes", func(t *testing.T) {
		mine, _ := e.db.TokensOf(context.Background(), 2)
		if r := e.withToken(drafterToken).call(http.MethodDelete, "/api/v1/me/tokens/"+itoa64(mine[0].ID), nil); r.status != 204 {
			t.Fatalf("own revoke = %d %s", r.status, r.body)
		}
	})
}

// auditCredentials maps each of the actions given to the credential its
// latest event names.
func (e *accountEnv) auditCredentials() map[string]string {
	e.t.Helper()
	evs, err := e.db.AuditEvents(context.Background(), desk.AuditFilter{Limit: desk.NoLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, ev := range evs {
		var d struct{ Credential string }
		_ = json.Unmarshal(ev.Details, &d)
		out[ev.Action] = d.Credential
	}
	return out
}

// TestAuditRecordsCredential: the audit names the session or the token
// behind each act (not its secret), and the chain still verifies.
func TestAuditRecordsCredential(t *testing.T) {
	e := newAccountEnv(t)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	tok := e.bearer("admin@pusd.example")
	admin := e.signIn("admin@pusd.example", testPassword)
	var sessionID, tokenID int64
	if err := e.db.QueryRowForTest(context.Background(), "SELECT max(id) FROM sessions").Scan(&sessionID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.QueryRowForTest(context.Background(), "SELECT max(id) FROM api_tokens").Scan(&tokenID); err != nil {
		t.Fatal(err)
	}
	if r := admin.call(http.MethodPost, "/api/v1/users", map[string]any{"email": "pat@pusd.example", "name": "Pat", "party": "pusd", "roles": []string{"reviewer"}}); r.status != 201 {
		t.Fatalf("invite = %d %s", r.status, r.body)
	}
	if r := e.withToken(tok).call(http.MethodPost, "/api/v1/users", map[string]any{"email": "sam@pusd.example", "name": "Sam", "party": "pusd", "roles": []string{"reviewer"}}); r.status != 201 {
		t.Fatalf("invite by token = %d %s", r.status, r.body)
	}
	evs, err := e.db.AuditEvents(context.Background(), desk.AuditFilter{Limit: desk.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, ev := range evs {
		var d struct{ Credential, Email string }
		_ = json.Unmarshal(ev.Details, &d)
		if strings.Contains(string(ev.Details), tok) || strings.Contains(string(ev.Details), auth.HashToken(tok)) {
			t.Fatalf("the audit holds the token: %s", ev.Details)
		}
		got[ev.Action+" "+d.Email] = d.Credential
	}
	want := map[string]string{
		"login.success ":                     "session:" + itoa64(sessionID),
		"user.create pat@pusd.example":       "session:" + itoa64(sessionID),
		"invitation.create pat@pusd.example": "session:" + itoa64(sessionID),
		"user.create sam@pusd.example":       "token:" + itoa64(tokenID),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("audit %q names credential %q, want %q", k, got[k], v)
		}
	}
	if r := admin.call(http.MethodGet, "/api/v1/audit/verify", nil); r.status != 200 || !strings.Contains(string(r.body), `"ok":true`) {
		t.Fatalf("verify = %d %s", r.status, r.body)
	}
}

var inviteURL = regexp.MustCompile(`https://moudesk\.example\.org/invite\?token=(mdi_[A-Za-z0-9_-]+)`)

// TestInviteUserAPI: the admin API creates accounts without a password
// and answers with a one-time link; it refuses a password for someone
// else and bad input with the error shape, writing nothing.
func TestInviteUserAPI(t *testing.T) {
	e := newAccountEnv(t)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	e.user("drafter@pusd.example", "pusd", false, auth.RoleDrafter)
	admin := e.signIn("admin@pusd.example", testPassword)
	clerk := map[string]any{"email": "clerk@pusd.example", "name": "Dana Clerk", "party": "pusd", "roles": []string{"clerk"}}

	for _, tc := range []struct {
		name   string
		who    *caller
		body   map[string]any
		status int
		code   string
	}{
		{"ErrPassword", admin, map[string]any{"email": "clerk@pusd.example", "name": "Dana", "roles": []string{"clerk"}, "password": "chosen by the admin"}, 400, "password_not_accepted"},
		{"ErrEmail", admin, map[string]any{"email": "nope", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrEmailNoDomain", admin, map[string]any{"email": "dana@", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrEmailTwoAts", admin, map[string]any{"email": "dana@@pusd.example", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrEmailSpace", admin, map[string]any{"email": "dana clerk@pusd.example", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrEmailDisplayName", admin, map[string]any{"email": "Dana <clerk@pusd.example>", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrEmailTooLong", admin, map[string]any{"email": strings.Repeat("d", 250) + "@pusd.example", "name": "Dana", "roles": []string{"clerk"}}, 422, "invalid_email"},
		{"ErrNoName", admin, map[string]any{"email": "clerk@pusd.example", "name": " ", "roles": []string{"clerk"}}, 422, "missing_field"},
		{"ErrRole", admin, map[string]any{"email": "clerk@pusd.example", "name": "Dana", "roles": []string{"king"}}, 422, "invalid_role"},
		{"ErrNoRole", admin, map[string]any{"email": "clerk@pusd.example", "name": "Dana", "roles": []string{}}, 422, "missing_role"},
		{"ErrParty", admin, map[string]any{"email": "clerk@pusd.example", "name": "Dana", "party": "nowhere", "roles": []string{"clerk"}}, 422, "unknown_party"},
		{"ErrNotAdmin", e.withToken(e.bearer("drafter@pusd.example")), clerk, 403, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.who.refused(http.MethodPost, "/api/v1/users", tc.body, tc.status, tc.code) })
	}

	r := admin.call(http.MethodPost, "/api/v1/users", clerk)
	m := inviteURL.FindSubmatch(r.body)
	if r.status != 201 || m == nil {
		t.Fatalf("invite = %d %s", r.status, r.body)
	}
	secret := string(m[1])
	if n := e.count("SELECT count(*) FROM invitations WHERE token_hash = ?", auth.HashToken(secret)); n != 1 {
		t.Fatal("the invitation is not stored by the hash of its secret")
	}
	if n := e.count("SELECT count(*) FROM audit_events WHERE details LIKE ?", "%"+secret+"%"); n != 0 {
		t.Fatal("the audit holds the invitation's secret")
	}
	t.Run("ErrDuplicate", func(t *testing.T) { admin.refused(http.MethodPost, "/api/v1/users", clerk, 409, "already_exists") })
	t.Run("ErrSignInBeforeAccepting", func(t *testing.T) {
		r := e.withToken("").call(http.MethodPost, "/api/v1/session", map[string]string{"email": "clerk@pusd.example", "password": ""})
		if r.status != 401 {
			t.Fatalf("sign-in to an invited account = %d %s", r.status, r.body)
		}
	})

	anon := e.withToken("")
	t.Run("ErrWeakPassword", func(t *testing.T) {
		anon.refused(http.MethodPost, "/api/v1/invitation", map[string]string{"token": secret, "password": "short"}, 400, "weak_password")
	})
	t.Run("ErrUnknownLink", func(t *testing.T) {
		anon.refused(http.MethodPost, "/api/v1/invitation", map[string]string{"token": "mdi_guess", "password": "a long enough password"}, 404, "invitation_invalid")
	})
	t.Run("Accept", func(t *testing.T) {
		r := anon.call(http.MethodPost, "/api/v1/invitation", map[string]string{"token": secret, "password": "the clerk's own password"})
		if r.status != 200 || !strings.Contains(string(r.body), `"active":true`) {
			t.Fatalf("accept = %d %s", r.status, r.body)
		}
		e.signIn("clerk@pusd.example", "the clerk's own password")
	})
	t.Run("ErrUsedTwice", func(t *testing.T) {
		anon.refused(http.MethodPost, "/api/v1/invitation", map[string]string{"token": secret, "password": "someone else's password"}, 404, "invitation_invalid")
		e.signIn("clerk@pusd.example", "the clerk's own password")
	})
	t.Run("ErrReinviteActive", func(t *testing.T) {
		admin.refused(http.MethodPost, "/api/v1/users/3/invitation", nil, 409, "already_active")
	})
}

// TestInviteLinkExpires: a link works for InvitationTTL, and a new one
// replaces it.
func TestInviteLinkExpires(t *testing.T) {
	e := newAccountEnv(t)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	admin := e.signIn("admin@pusd.example", testPassword)
	r := admin.call(http.MethodPost, "/api/v1/users", map[string]any{"email": "signer@pusd.example", "name": "Sig Ner", "party": "pusd", "roles": []string{"signatory"}})
	m := inviteURL.FindSubmatch(r.body)
	if r.status != 201 || m == nil {
		t.Fatalf("invite = %d %s", r.status, r.body)
	}
	e.clock.Advance(desk.InvitationTTL + time.Minute)
	anon := e.withToken("")
	anon.refused(http.MethodPost, "/api/v1/invitation", map[string]string{"token": string(m[1]), "password": "a long enough password"}, 404, "invitation_invalid")
	admin = e.signIn("admin@pusd.example", testPassword) // the old session is idle
	r = admin.call(http.MethodPost, "/api/v1/users/2/invitation", nil)
	m2 := inviteURL.FindSubmatch(r.body)
	if r.status != 201 || m2 == nil || string(m2[1]) == string(m[1]) {
		t.Fatalf("reinvite = %d %s", r.status, r.body)
	}
	if r := anon.call(http.MethodPost, "/api/v1/invitation", map[string]string{"token": string(m2[1]), "password": "a long enough password"}); r.status != 200 {
		t.Fatalf("accept the new link = %d %s", r.status, r.body)
	}
}

// TestInvitePages: the admin page invites (and refuses a password it is
// sent), the invited person sets their password on the link's page
// without signing in, and the link then stops working.
func TestInvitePages(t *testing.T) {
	e := newAccountEnv(t)
	e.user("admin@pusd.example", "", false, auth.RoleAdmin)
	p := newPageClient(t, e.url)
	p.signIn("admin@pusd.example")
	form := url.Values{"email": {"super@pusd.example"}, "name": {"Zoë Super"}, "party": {"pusd"}, "roles": {"signatory"}}

	before := e.rows()
	withPassword := url.Values{"password": {"chosen by the admin"}}
	for k, v := range form {
		withPassword[k] = v
	}
	if r := p.post("/admin/users", withPassword, "/admin"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "does not set another person") {
		t.Fatalf("admin page with a password = %d", r.status)
	}
	if after := e.rows(); !equalCounts(before, after) {
		t.Fatalf("a refused invitation changed rows: %v → %v", before, after)
	}
	r := p.post("/admin/users", form, "/admin")
	m := inviteURL.FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || m == nil {
		t.Fatalf("invite from the page = %d, no link shown", r.status)
	}
	if again := p.get("/admin"); strings.Contains(again.body, m[1]) || !strings.Contains(again.body, "invited, no password yet") {
		t.Fatal("the admin page shows the link again, or not the account as invited")
	}

	guest := newPageClient(t, e.url)
	page := guest.get("/invite?token=" + m[1])
	if page.status != 200 || !strings.Contains(page.body, "super@pusd.example") {
		t.Fatalf("invite page = %d", page.status)
	}
	post := func(pw, confirm string) pageResp {
		return guest.send(http.MethodPost, "/invite", url.Values{"token": {m[1]}, "password": {pw}, "confirm": {confirm}}, "Sec-Fetch-Site", "same-origin")
	}
	before = e.rows()
	if r := post("a long enough password", "another long password"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "differ") {
		t.Fatalf("mismatched passwords = %d", r.status)
	}
	if r := post("short", "short"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "12") {
		t.Fatalf("short password = %d", r.status)
	}
	if r := guest.send(http.MethodPost, "/invite", url.Values{"token": {m[1]}, "password": {"x long enough pw"}, "confirm": {"x long enough pw"}}, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Fatalf("cross-site post = %d", r.status)
	}
	if after := e.rows(); !equalCounts(before, after) {
		t.Fatalf("refused posts changed rows: %v → %v", before, after)
	}
	if r := post("the superintendent's own", "the superintendent's own"); r.status != 200 || !strings.Contains(r.body, "Your password is set") {
		t.Fatalf("set password = %d\n%s", r.status, r.body)
	}
	if again := guest.get("/invite?token=" + m[1]); again.status != http.StatusNotFound {
		t.Fatalf("the used link's page = %d; want 404", again.status)
	}
	e.signIn("super@pusd.example", "the superintendent's own")
}

// TestPasswordChangeAPI: the owner changes their password with the
// current one; the other sessions end, this one stays; bad input is
// refused and changes nothing.
func TestPasswordChangeAPI(t *testing.T) {
	e := newAccountEnv(t)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	other := e.signIn("clerk@pusd.example", testPassword)
	me := e.signIn("clerk@pusd.example", testPassword)
	tok := e.withToken(e.bearer("clerk@pusd.example"))

	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"ErrWrongCurrent", map[string]string{"current": "not my password", "new": "a brand new password"}, 403, "wrong_password"},
		{"ErrWeak", map[string]string{"current": testPassword, "new": "short"}, 400, "weak_password"},
		{"ErrSame", map[string]string{"current": testPassword, "new": testPassword}, 400, "same_password"},
		{"ErrNoCurrent", map[string]string{"new": "a brand new password"}, 400, "missing_field"},
		{"ErrUnknownField", map[string]string{"current": testPassword, "new": "a brand new password", "email": "admin@x"}, 400, "invalid_json"},
	} {
		t.Run(tc.name, func(t *testing.T) { me.refused(http.MethodPost, "/api/v1/me/password", tc.body, tc.status, tc.code) })
	}
	if r := me.call(http.MethodPost, "/api/v1/me/password", map[string]string{"current": testPassword, "new": "a brand new password"}); r.status != 204 {
		t.Fatalf("change = %d %s", r.status, r.body)
	}
	if r := me.call(http.MethodGet, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("the session that changed the password = %d", r.status)
	}
	if r := other.call(http.MethodGet, "/api/v1/me", nil); r.status != 401 {
		t.Fatalf("the other session after the change = %d; want 401", r.status)
	}
	if r := tok.call(http.MethodGet, "/api/v1/me", nil); r.status != 200 {
		t.Fatalf("a token after the change = %d; tokens are revoked separately", r.status)
	}
	e.signIn("clerk@pusd.example", "a brand new password")
	if r := e.withToken("").call(http.MethodPost, "/api/v1/session", map[string]string{"email": "clerk@pusd.example", "password": testPassword}); r.status != 401 {
		t.Fatalf("the old password still signs in: %d", r.status)
	}
	if got := e.auditCredentials()["user.password_change"]; !strings.HasPrefix(got, "session:") {
		t.Fatalf("password change audited with credential %q", got)
	}
}

// TestPasswordChangePage: the profile page changes the password and
// shows errors beside the fields.
func TestPasswordChangePage(t *testing.T) {
	e := newAccountEnv(t)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	p := newPageClient(t, e.url)
	p.signIn("clerk@pusd.example")
	before := e.rows()
	r := p.post("/profile/password", url.Values{"current": {"wrong one"}, "new": {"a brand new password"}, "confirm": {"a brand new password"}}, "/profile")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, `id="err-password-current"`) {
		t.Fatalf("wrong current password = %d", r.status)
	}
	r = p.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "confirm": {"another"}}, "/profile")
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="err-password-confirm"`) {
		t.Fatalf("mismatched confirmation = %d", r.status)
	}
	if after := e.rows(); !equalCounts(before, after, "audit_events") || after["passwords"] != before["passwords"] {
		t.Fatalf("refused changes changed rows: %v → %v", before, after)
	}
	r = p.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "confirm": {"a brand new password"}}, "/profile")
	if r.status != http.StatusSeeOther || r.location != "/profile?ok=password" {
		t.Fatalf("change = %d → %q", r.status, r.location)
	}
	if page := p.get("/profile?ok=password"); !strings.Contains(page.body, "Your password was changed") {
		t.Fatal("the profile page does not say the password changed")
	}
	e.signIn("clerk@pusd.example", "a brand new password")
}

// TestPasswordChangeRequiredFirst: a user whose password someone else
// chose (the first admin's, printed in the log) may only change it, read
// their own account and sign out, by session or by token, until they do.
func TestPasswordChangeRequiredFirst(t *testing.T) {
	e := newAccountEnv(t)
	e.user("admin@moudesk.local", "", true, auth.RoleAdmin)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	tok := e.withToken(e.bearer("admin@moudesk.local"))
	admin := e.signIn("admin@moudesk.local", testPassword)
	for _, who := range []*caller{admin, tok} {
		who.refused(http.MethodGet, "/api/v1/users", nil, 403, "password_change_required")
		who.refused(http.MethodPost, "/api/v1/users", map[string]any{"email": "x@pusd.example", "name": "X", "roles": []string{"clerk"}}, 403, "password_change_required")
		who.refused(http.MethodGet, "/api/v1/mous", nil, 403, "password_change_required")
		who.refused(http.MethodGet, "/api/v1/audit", nil, 403, "password_change_required")
		who.refused(http.MethodGet, "/api/v1/me/tokens", nil, 403, "password_change_required")
		if r := who.call(http.MethodGet, "/api/v1/me", nil); r.status != 200 || !strings.Contains(string(r.body), `"must_change_password":true`) {
			t.Fatalf("me = %d %s", r.status, r.body)
		}
	}
	// The pages: sign-in leads to the password form; other pages refuse.
	p := newPageClient(t, e.url)
	r := p.send(http.MethodPost, "/signin", url.Values{"email": {"admin@moudesk.local"}, "password": {testPassword}}, "Sec-Fetch-Site", "same-origin")
	if r.status != http.StatusSeeOther || r.location != "/profile#password" {
		t.Fatalf("sign-in = %d → %q; want the password form", r.status, r.location)
	}
	if page := p.get("/admin"); page.status != http.StatusForbidden {
		t.Fatalf("admin page before the change = %d", page.status)
	}
	if page := p.get("/profile"); page.status != 200 || !strings.Contains(page.body, "Set a new password first") {
		t.Fatalf("profile page = %d", page.status)
	}

	if r := admin.call(http.MethodPost, "/api/v1/me/password", map[string]string{"current": testPassword, "new": "the admin's own password"}); r.status != 204 {
		t.Fatalf("change = %d %s", r.status, r.body)
	}
	if r := admin.call(http.MethodGet, "/api/v1/users", nil); r.status != 200 {
		t.Fatalf("users after the change = %d %s", r.status, r.body)
	}
	if r := tok.call(http.MethodGet, "/api/v1/users", nil); r.status != 200 {
		t.Fatalf("users by token after the change = %d %s", r.status, r.body)
	}
}

// TestPasswordChangeThrottle: wrong current passwords from the owner's
// session are throttled (429 with Retry-After), but someone else's failed
// sign-ins to the account do not stop the owner changing it.
func TestPasswordChangeThrottle(t *testing.T) {
	e := newAccountEnv(t)
	e.user("clerk@pusd.example", "pusd", false, auth.RoleClerk)
	me := e.signIn("clerk@pusd.example", testPassword)
	anon := e.withToken("")
	for i := 0; i < 6; i++ { // another client guessing at sign-in until throttled
		anon.call(http.MethodPost, "/api/v1/session", map[string]string{"email": "clerk@pusd.example", "password": "a guess"})
	}
	if r := anon.call(http.MethodPost, "/api/v1/session", map[string]string{"email": "clerk@pusd.example", "password": testPassword}); r.status != 429 {
		t.Fatalf("sign-in after the guesses = %d; want the account throttled", r.status)
	}
	for i := 0; i < auth.LoginLimit; i++ {
		me.refused(http.MethodPost, "/api/v1/me/password", map[string]string{"current": "wrong", "new": "a brand new password"}, 403, "wrong_password")
	}
	me.refused(http.MethodPost, "/api/v1/me/password", map[string]string{"current": testPassword, "new": "a brand new password"}, 429, "too_many_attempts")
	e.clock.Advance(auth.LoginWindow + time.Second)
	if r := me.call(http.MethodPost, "/api/v1/me/password", map[string]string{"current": testPassword, "new": "a brand new password"}); r.status != 204 {
		t.Fatalf("change after the window = %d %s", r.status, r.body)
	}
}
