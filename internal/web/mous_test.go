package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
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
	db, url, token := startTestServer(t,
		desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	return &mouEnv{t: t, db: db, url: url, token: token("ada@city.gov", "pleasanton", auth.RoleDrafter), reader: token("rev@city.gov", "pleasanton", auth.RoleReviewer)}
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
	resp, out := testtool.Do(e.t, http.DefaultClient, req)
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

func (e *mouEnv) createSRO() int64 {
	e.t.Helper()
	status, body := e.do("POST", "/api/v1/mous", map[string]any{
		"title": "Pleasanton SRO MOU", "template": "sro-mou",
		"parties":   map[string]string{"city": "pleasanton", "district": "pusd"},
		"variables": shipped.Variables(e.t),
	})
	if status != http.StatusCreated {
		e.t.Fatalf("create MOU: %d %s", status, body)
	}
	var out struct {
		MOU      desk.MOU `json:"mou"`
		Revision int      `json:"revision"`
		Hash     string   `json:"content_hash"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	if out.Revision != 1 || len(out.Hash) != 64 || out.MOU.Stage != "draft" || out.MOU.Workflow != "default" {
		e.t.Fatalf("create MOU answered %s", body)
	}
	return out.MOU.ID
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
	events, err := e.db.AuditEvents(context.Background(), desk.AuditFilter{})
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
		v := shipped.Variables(t)
		delete(v, name)
		return v
	}
	withV := func(name, value string) map[string]string {
		v := shipped.Variables(t)
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
		{"UnknownWorkflow", map[string]any{"template": "sro-mou", "workflow": "nope", "parties": parties, "variables": shipped.Variables(t)}, 422, "unknown_workflow", "nope"},
		{"UnknownParty", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "atlantis", "district": "pusd"}, "variables": shipped.Variables(t)}, 422, "unknown_party", "atlantis"},
		{"MissingParty", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "pleasanton"}}, 422, "missing_party", "district"},
		{"UnknownRole", map[string]any{"template": "sro-mou", "parties": map[string]string{"city": "pleasanton", "district": "pusd", "county": "pusd"}}, 422, "unknown_role", "county"},
		{"TitleTwoLines", map[string]any{"title": "a\nb", "template": "sro-mou", "parties": parties, "variables": shipped.Variables(t)}, 422, "invalid_title", ""},
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
	t.Run("DashboardAfterUnknownWorkflow", func(t *testing.T) {
		// An MOU on a workflow the server does not load used to be stored,
		// and from then on the dashboard answered 422 for everyone.
		p := newPageClient(t, e.url)
		p.signIn("ada@city.gov")
		if r := p.get("/dashboard"); r.status != http.StatusOK {
			t.Fatalf("dashboard after refusals = %d", r.status)
		}
	})
	t.Run("ReviewerForbidden", func(t *testing.T) {
		status, body := e.doAs(e.reader, "POST", "/api/v1/mous", map[string]any{"template": "sro-mou", "parties": parties, "variables": shipped.Variables(t)})
		if status != 403 {
			t.Fatalf("reviewer create: %d %s", status, body)
		}
	})
}

func TestCreateRevision(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	path := fmt.Sprintf("/api/v1/mous/%d/revisions", id)
	before := e.counts()
	status, body := e.do("POST", path, map[string]any{"base": 1, "message": "soften de-escalation",
		"edits": []map[string]any{{"op": "update", "key": "de-escalation", "body": "Officers will always de-escalate first.\r\n"}}})
	if status != http.StatusCreated || !strings.Contains(string(body), `"revision":2`) {
		t.Fatalf("edit: %d %s", status, body)
	}
	after := e.counts()
	if after["section_bodies"] != before["section_bodies"]+1 {
		t.Errorf("one edited section stored %d new bodies, want 1", after["section_bodies"]-before["section_bodies"])
	}
	if after["revision_sections"] != before["revision_sections"]+31 || after["audit_events"] != before["audit_events"]+1 {
		t.Errorf("row counts after edit: %v → %v", before, after)
	}
	rev := e.revision(id, 2)
	for _, s := range rev.Sections {
		if s.Deviation != (s.Key == "de-escalation") {
			t.Errorf("section %s deviation = %v", s.Key, s.Deviation)
		}
	}
	if rev.Sections[8].Body != "Officers will always de-escalate first.\n" {
		t.Errorf("CRLF not normalised: %q", rev.Sections[8].Body)
	}

	t.Run("Deviations", func(t *testing.T) {
		status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/deviations?revision=2", id), nil)
		var out struct {
			Deviations []struct {
				Key     string `json:"key"`
				Redline struct {
					Summary struct {
						WordsInserted int `json:"words_inserted"`
					} `json:"summary"`
				} `json:"redline"`
			} `json:"deviations"`
		}
		if status != 200 || json.Unmarshal(body, &out) != nil || len(out.Deviations) != 1 || out.Deviations[0].Key != "de-escalation" || out.Deviations[0].Redline.Summary.WordsInserted == 0 {
			t.Fatalf("deviations: %d %.400s", status, body)
		}
		status, body = e.do("GET", fmt.Sprintf("/api/v1/mous/%d/deviations?revision=1", id), nil)
		if status != 200 || !strings.Contains(string(body), `"deviations":[]`) {
			t.Fatalf("revision 1 deviations: %d %.300s", status, body)
		}
	})

	t.Run("Redline", func(t *testing.T) {
		for _, tc := range []struct{ query, want string }{
			{"format=json", `"status":"modified"`},
			{"format=text", "De-escalation"},
			{"format=html", "<ins"},
			{"format=html&view=side-by-side", `class="redline redline-side-by-side"`},
		} {
			for range 2 { // the second answer comes from the cache and must match
				status, body := e.doAs(e.reader, "GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&%s", id, tc.query), nil)
				if status != 200 || !strings.Contains(string(body), tc.want) {
					t.Fatalf("redline %s: %d %.300s", tc.query, status, body)
				}
			}
		}
		status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=9", id), nil)
		if status != 404 {
			t.Fatalf("redline to a missing revision: %d %s", status, body)
		}
	})

	t.Run("StaleBase", func(t *testing.T) {
		before := e.counts()
		status, body := e.do("POST", path, map[string]any{"base": 1, "edits": []map[string]any{{"op": "remove", "key": "equipment"}}})
		if status != http.StatusConflict || errorCode(t, body) != "stale_revision" {
			t.Fatalf("stale save: %d %s", status, body)
		}
		var out struct {
			Error struct {
				Details struct {
					Latest  int `json:"latest_revision"`
					Redline struct {
						Summary struct {
							Changed []string `json:"changed"`
						} `json:"summary"`
					} `json:"redline"`
				} `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.Error.Details.Latest != 2 || len(out.Error.Details.Redline.Summary.Changed) == 0 {
			t.Fatalf("stale details: %s", body)
		}
		if fmt.Sprint(e.counts()) != fmt.Sprint(before) {
			t.Fatal("stale save wrote rows")
		}
	})

	t.Run("Variables", func(t *testing.T) {
		status, body := e.do("POST", path, map[string]any{"base": 2, "variables": map[string]string{"effective_date": "2026-01-15"}})
		if status != http.StatusCreated {
			t.Fatalf("variables: %d %s", status, body)
		}
		rev := e.revision(id, 3)
		if !strings.Contains(rev.Preamble, "January 15, 2026") || !strings.Contains(rev.Sections[2].Body, "January 15, 2026") {
			t.Errorf("new effective date not filled in: %q", rev.Sections[2].Body)
		}
		if rev.Sections[8].Body != "Officers will always de-escalate first.\n" || !rev.Sections[8].Deviation {
			t.Error("drafter's text was overwritten by refilling")
		}
	})
}

func TestCreateRevisionRefusals(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	path := fmt.Sprintf("/api/v1/mous/%d/revisions", id)
	s := func(v string) *string { return &v }
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"UnknownKey", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "nope", Body: s("x")}}}, 422, "unknown_key"},
		{"AddExistingKey", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "add", Key: "term", Heading: s("Term")}}}, 422, "duplicate_key"},
		{"KeyTwiceInSections", map[string]any{"base": 1, "sections": []mou.SectionInput{{Key: "a", Heading: "A"}, {Key: "a", Heading: "B"}}}, 422, "duplicate_key"},
		{"MoveToMissing", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "move", Key: "term", After: s("nowhere")}}}, 422, "invalid_position"},
		{"MoveWithoutPosition", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "move", Key: "term"}}}, 422, "invalid_position"},
		{"MoveAfterItself", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "move", Key: "term", After: s("term")}}}, 422, "invalid_position"},
		{"BadOp", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "rename", Key: "term"}}}, 422, "invalid_edit"},
		{"BadKey", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "add", Key: "Bad Key", Heading: s("X")}}}, 422, "invalid_key"},
		{"PreambleKey", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "add", Key: "preamble", Heading: s("X")}}}, 422, "invalid_key"},
		{"TwoLineHeading", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Heading: s("a\nb")}}}, 422, "invalid_heading"},
		{"TopLevelHeading", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Body: s("# Not allowed")}}}, 422, "invalid_body"},
		{"RemoveEverything", map[string]any{"base": 1, "sections": []mou.SectionInput{}}, 422, "empty_document"},
		{"BodyTooLarge", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "update", Key: "term", Body: s(strings.Repeat("x", mou.MaxBodyBytes+1))}}}, 413, "too_large"},
		{"NUL", `{"base":1,"edits":[{"op":"update","key":"term","body":"a\u0000b"}]}`, 400, "nul_character"},
		{"InvalidUTF8", "{\"base\":1,\"edits\":[{\"op\":\"update\",\"key\":\"term\",\"body\":\"a\xffb\"}]}", 400, "invalid_utf8"},
		{"NoBase", map[string]any{"edits": []mou.Edit{{Op: "remove", Key: "term"}}}, 400, "missing_field"},
		{"BothSectionsAndEdits", map[string]any{"base": 1, "sections": []mou.SectionInput{{Key: "a", Heading: "A"}}, "edits": []mou.Edit{}}, 400, "invalid_request"},
		{"UnknownVariable", map[string]any{"base": 1, "variables": map[string]string{"nope": "1"}}, 422, "unknown_variable"},
		{"FutureBase", map[string]any{"base": 7, "edits": []mou.Edit{{Op: "remove", Key: "term"}}}, 409, "stale_revision"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			status, body := e.do("POST", path, tc.body)
			if status != tc.wantStatus || errorCode(t, body) != tc.wantCode {
				t.Fatalf("got %d %.300s; want %d %s", status, body, tc.wantStatus, tc.wantCode)
			}
			if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("rows changed on refusal: %v → %v", before, after)
			}
		})
	}
	t.Run("UnknownMOU", func(t *testing.T) {
		status, body := e.do("POST", "/api/v1/mous/999/revisions", map[string]any{"base": 1, "edits": []mou.Edit{{Op: "remove", Key: "term"}}})
		if status != 404 || errorCode(t, body) != "not_found" {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("DashboardAfterUnknownWorkflow", func(t *testing.T) {
		// An MOU on a workflow the server does not load used to be stored,
		// and from then on the dashboard answered 422 for everyone.
		p := newPageClient(t, e.url)
		p.signIn("ada@city.gov")
		if r := p.get("/dashboard"); r.status != http.StatusOK {
			t.Fatalf("dashboard after refusals = %d", r.status)
		}
	})
	t.Run("ReviewerForbidden", func(t *testing.T) {
		status, _ := e.doAs(e.reader, "POST", path, map[string]any{"base": 1, "edits": []mou.Edit{{Op: "remove", Key: "term"}}})
		if status != 403 {
			t.Fatalf("reviewer save: %d", status)
		}
	})
}

func TestEditOperations(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	s := func(v string) *string { return &v }
	status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{"base": 1, "edits": []mou.Edit{
		{Op: "add", Key: "local-addendum", Heading: s("Local Addendum"), Body: s("Our own words."), After: s("")},
		{Op: "move", Key: "general", After: s("local-addendum")},
		{Op: "remove", Key: "equipment"},
		{Op: "update", Key: "term", Heading: s("Term")},
	}})
	if status != http.StatusCreated {
		t.Fatalf("edits: %d %s", status, body)
	}
	rev := e.revision(id, 2)
	keys := []string{}
	for _, s := range rev.Sections[:3] {
		keys = append(keys, s.Key)
	}
	if strings.Join(keys, ",") != "local-addendum,general,purpose" || len(rev.Sections) != 31 {
		t.Fatalf("order after edits: %v (%d sections)", keys, len(rev.Sections))
	}
	if rev.Sections[0].Deviation || rev.Sections[0].Clause != "" {
		t.Error("a drafter's own section is not a library deviation")
	}
	if md := rev.Markdown(); !strings.Contains(md, "## 1. Local Addendum\n\nOur own words.\n\n## 2. General Provisions") || strings.Contains(md, "Equipment, Uniform") {
		t.Errorf("markdown after edits: %.400s", md)
	}
	status, body = e.do("GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&format=json", id), nil)
	for _, want := range []string{`"status":"added"`, `"status":"moved"`, `"status":"removed"`, `"status":"renamed"`} {
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("redline lacks %s", want)
		}
	}
}

// TestConcurrentRevisions races ten saves on the same base: exactly one
// wins, the rest are told their base is stale, and numbering stays 1, 2.
func TestConcurrentRevisions(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	const n = 10
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"base":1,"message":"racer %d","edits":[{"op":"update","key":"term","body":"Term text %d."}]}`, i, i)
			status, _ := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), body)
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Fatalf("statuses = %v; want one 201 and %d 409", count, n-1)
	}
	revs, err := e.db.Revisions(context.Background(), id, 0, desk.NoLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].Number != 1 || revs[1].Number != 2 {
		t.Fatalf("revisions = %+v", revs)
	}
}
