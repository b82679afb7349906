package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/templates"
)

// mouEnv is a real server on a real database with the shipped library,
// the shipped templates, two parties and a drafter's API token.
type mouEnv struct {
	t      testing.TB
	db     *sqlite.DB
	url    string
	token  string
	reader string // a reviewer's token
}

func newMOUEnv(t testing.TB) *mouEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "moudesk.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncLibrary(ctx, lib); err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(templates.FS, "mou")
	if err != nil {
		t.Fatal(err)
	}
	tmpls, err := mou.LoadTemplates(sub, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []sqlite.Party{
		{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	} {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	h := auth.Hasher{Memory: 256, Time: 1, Threads: 1}
	token := func(email string, role auth.Role) string {
		hash, err := h.Hash("correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, moudesk.System, sqlite.NewUser{Email: email, Name: email, Roles: []auth.Role{role}, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		plain, th, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, moudesk.System, email, "test", th); err != nil {
			t.Fatal(err)
		}
		return plain
	}
	srv := New(Config{DB: db, Hasher: h, Templates: tmpls})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &mouEnv{t: t, db: db, url: ts.URL, token: token("ada@city.gov", auth.RoleDrafter), reader: token("rev@city.gov", auth.RoleReviewer)}
}

// do sends a request with the drafter's token and returns status and body.
func (e *mouEnv) do(method, path string, body any) (int, []byte) {
	return e.doAs(e.token, method, path, body)
}

func (e *mouEnv) doAs(token, method, path string, body any) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// counts is the number of rows in each MOU table, to prove refusals write
// nothing.
func (e *mouEnv) counts() map[string]int {
	e.t.Helper()
	out, err := e.db.MOURowCounts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

var sroVariables = map[string]string{
	"effective_date": "2025-07-01", "expiration_date": "2028-06-30",
}

func (e *mouEnv) createSRO() int64 {
	e.t.Helper()
	status, body := e.do("POST", "/api/v1/mous", map[string]any{
		"title": "Pleasanton SRO MOU", "template": "sro-mou",
		"parties":   map[string]string{"city": "pleasanton", "district": "pusd"},
		"variables": requiredVariables(e.t),
	})
	if status != http.StatusCreated {
		e.t.Fatalf("create MOU: %d %s", status, body)
	}
	var out struct {
		MOU      sqlite.MOU `json:"mou"`
		Revision int        `json:"revision"`
		Hash     string     `json:"content_hash"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	if out.Revision != 1 || len(out.Hash) != 64 || out.MOU.Stage != "draft" || out.MOU.Workflow != "default" {
		e.t.Fatalf("create MOU answered %s", body)
	}
	return out.MOU.ID
}

// requiredVariables gives a value to every required variable without a
// default in the shipped SRO template and its clauses.
func requiredVariables(t testing.TB) map[string]string {
	t.Helper()
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range lib {
		for _, v := range c.Variables {
			if !v.Required || v.Default != "" || v.Type == clause.TypeParty {
				continue
			}
			switch v.Type {
			case clause.TypeDate:
				out[v.Name] = "2025-08-20"
			case clause.TypeInteger:
				out[v.Name] = "3"
			case clause.TypePercent:
				out[v.Name] = "50"
			case clause.TypeMoney:
				out[v.Name] = "125000"
			default:
				out[v.Name] = "Value of " + v.Name
			}
		}
	}
	for k, v := range sroVariables {
		out[k] = v
	}
	delete(out, "amendment_effective_date") // only the amendment clause uses it
	return out
}

func (e *mouEnv) revision(id int64, n int) mou.Revision {
	e.t.Helper()
	status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d", id, n), nil)
	if status != http.StatusOK {
		e.t.Fatalf("get revision %d: %d %s", n, status, body)
	}
	var out struct {
		Revision mou.Revision `json:"revision"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	return out.Revision
}

func errorCode(t testing.TB, body []byte) string {
	t.Helper()
	var out struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("not an error body: %s", body)
	}
	return out.Error.Code
}

func TestCreateMOU(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	rev := e.revision(id, 1)
	if len(rev.Sections) != 31 || rev.Sections[0].Key != "purpose" || rev.Sections[0].Clause != "purpose-and-recitals" || rev.Sections[0].ClauseVersion != 1 {
		t.Fatalf("revision 1 sections: %+v", rev.Sections[:1])
	}
	for _, s := range rev.Sections {
		if s.Deviation {
			t.Errorf("fresh section %s marked as deviation", s.Key)
		}
		if strings.Contains(s.Body, "{{") {
			t.Errorf("section %s has an unfilled placeholder", s.Key)
		}
	}
	if !strings.Contains(rev.Preamble, "City of Pleasanton") || !strings.Contains(rev.Preamble, "July 1, 2025") {
		t.Errorf("preamble not filled from party names and variables: %q", rev.Preamble[:200])
	}
	if rev.ContentHash != mou.Hash(rev.Markdown()) {
		t.Error("content_hash is not the SHA-256 of the canonical Markdown")
	}
	status, md := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1?format=md", id), nil)
	if status != 200 || mou.Hash(string(md)) != rev.ContentHash || !strings.HasPrefix(string(md), "# Pleasanton SRO MOU\n\n") {
		t.Fatalf("md export: %d, hash mismatch or wrong start: %.80q", status, md)
	}
	status, html := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1?format=html", id), nil)
	if status != 200 || !strings.Contains(string(html), "<h2>9. De-escalation</h2>") {
		t.Fatalf("html export: %d %.300s", status, html)
	}
	status, body := e.doAs(e.reader, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil)
	if status != 200 || !strings.Contains(string(body), `"current_revision":1`) || !strings.Contains(string(body), `"slug":"pusd"`) {
		t.Fatalf("get MOU: %d %s", status, body)
	}
	status, body = e.do("GET", "/api/v1/mous?stage=draft", nil)
	if status != 200 || !strings.Contains(string(body), `"Pleasanton SRO MOU"`) {
		t.Fatalf("list: %d %s", status, body)
	}
	status, body = e.do("GET", "/api/v1/mous?stage=executed", nil)
	if status != 200 || string(body) != `{"mous":[]}` {
		t.Fatalf("list executed: %d %s", status, body)
	}
	status, body = e.do("GET", "/api/v1/templates", nil)
	if status != 200 || !strings.Contains(string(body), `"slug":"amendment"`) {
		t.Fatalf("templates: %d %.200s", status, body)
	}
	events, err := e.db.AuditEvents(context.Background(), sqlite.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; last.Action != "mou.create" || last.Object != fmt.Sprintf("mou:%d", id) {
		t.Errorf("last audit event = %s %s", last.Action, last.Object)
	}
}

func TestCreateMOURefusals(t *testing.T) {
	e := newMOUEnv(t)
	without := func(name string) map[string]string {
		v := requiredVariables(t)
		delete(v, name)
		return v
	}
	withV := func(name, value string) map[string]string {
		v := requiredVariables(t)
		v[name] = value
		return v
	}
	parties := map[string]string{"city": "pleasanton", "district": "pusd"}
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
		wantText   string
	}{
		{"MissingVariable", map[string]any{"template": "sro-mou", "parties": parties, "variables": without("expiration_date")}, 422, "missing_variable", "expiration_date"},
		{"InvalidValue", map[string]any{"template": "sro-mou", "parties": parties, "variables": withV("effective_date", "2025-02-30")}, 422, "invalid_value", "effective_date"},
		{"UnknownVariable", map[string]any{"template": "sro-mou", "parties": parties, "variables": withV("no_such_thing", "x")}, 422, "unknown_variable", "no_such_thing"},
		{"UnknownTemplate", map[string]any{"template": "nope", "parties": parties}, 422, "unknown_template", "nope"},
		{"UnknownParty", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "atlantis", "district": "pusd"}, "variables": requiredVariables(t)}, 422, "unknown_party", "atlantis"},
		{"MissingParty", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "pleasanton"}}, 422, "missing_party", "district"},
		{"UnknownRole", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "pleasanton", "district": "pusd", "county": "pusd"}}, 422, "unknown_role", "county"},
		{"TitleTwoLines", map[string]any{"title": "a\nb", "template": "sro-mou", "parties": parties, "variables": requiredVariables(t)}, 422, "invalid_title", ""},
		{"UnknownField", `{"template":"sro-mou","colour":"red"}`, 400, "invalid_json", ""},
		{"NUL", `{"template":"sro-mou","title":"a\u0000b"}`, 400, "nul_character", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			status, body := e.do("POST", "/api/v1/mous", tc.body)
			if status != tc.wantStatus || errorCode(t, body) != tc.wantCode || !strings.Contains(string(body), tc.wantText) {
				t.Fatalf("got %d %s; want %d %s mentioning %q", status, body, tc.wantStatus, tc.wantCode, tc.wantText)
			}
			if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("rows changed on refusal: %v → %v", before, after)
			}
		})
	}
	t.Run("ReviewerForbidden", func(t *testing.T) {
		status, body := e.doAs(e.reader, "POST", "/api/v1/mous", map[string]any{"template": "sro-mou", "parties": parties, "variables": requiredVariables(t)})
		if status != 403 {
			t.Fatalf("reviewer create: %d %s", status, body)
		}
	})
}
