package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"
)

// claremontYAML is Claremont's process as an administrator would upload it:
// a working group reviews, then the council and the district board, which
// shares the funding, approve. bodyTitle and stageTitle are what version 2
// renames.
func claremontYAML(bodyTitle, stageTitle string) string {
	return `# Claremont: the working group, then council and board.
name: claremont-working-group
title: Working group, then council and board
initial: draft

bodies:
  working_group:
    title: ` + bodyTitle + `
    party: joint
  city_council:
    title: Claremont City Council
    party: city
    roll_call: true
  school_board:
    title: CUSD Board of Education
    party: district
    roll_call: true

stages:
  - name: draft
    title: Draft
    kind: draft
    editable: true
    manual: [working_group_review, withdrawn]

  - name: working_group_review
    title: ` + stageTitle + `
    kind: review
    on_new_revision: draft
    manual: [withdrawn]
    acts:
      - body: working_group
        outcomes:
          forward: approval
          revise: draft

  - name: approval
    title: Council and board approval
    kind: approval
    require_feedback_closed: true
    on_new_revision: draft
    next: signature
    manual: [withdrawn]
    acts:
      - body: city_council
        outcomes:
          approve: ""
          revise: draft
      - body: school_board
        outcomes:
          approve: ""
          revise: draft

  - name: signature
    title: Signature
    kind: signature
    on_new_revision: draft
    next: executed
    manual: [withdrawn]

  - name: executed
    title: Executed
    kind: terminal
    amend_to: draft

  - name: withdrawn
    title: Withdrawn
    kind: terminal
`
}

const (
	wfName      = "claremont-working-group"
	wfBody1     = "Claremont Working Group"
	wfStage1    = "Working group review"
	wfBody2     = "Claremont Safety Working Group"
	wfStage2    = "Working group hearing"
	wfAdmin     = "admin@claremont.example"
	wfDrafter   = "ada@claremont.example"
	wfUploadURL = "/api/v1/workflows/" + wfName
)

// defsEnv is a server with Claremont's two parties, an administrator, a
// drafter and a reviewer.
type defsEnv struct {
	*mouEnv
	admin string // the administrator's token
}

func newDefsEnv(t *testing.T) *defsEnv {
	t.Helper()
	db, u, token := startTestServer(t,
		desk.Party{Slug: "claremont", Name: "City of Claremont", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "cusd", Name: "Claremont Unified School District", Kind: "district", Body: "Board of Education"},
	)
	e := &defsEnv{mouEnv: &mouEnv{t: t, db: db, url: u}}
	e.admin = token(wfAdmin, "", auth.RoleAdmin)
	e.token = token(wfDrafter, "claremont", auth.RoleDrafter)
	e.reader = token("rev@claremont.example", "claremont", auth.RoleReviewer)
	return e
}

// putYAML uploads source as application/yaml with token.
func (e *defsEnv) putYAML(token, name, source string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPut, e.url+"/api/v1/workflows/"+name, strings.NewReader(source))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/yaml")
	resp, out := testtool.Do(e.t, http.DefaultClient, req)
	return resp.StatusCode, out
}

// definitionRows counts stored workflow versions.
func (e *defsEnv) definitionRows() int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowForTest(context.Background(), "SELECT count(*) FROM workflow_definitions").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// createOn creates an MOU on workflow and returns it as answered.
func (e *defsEnv) createOn(workflow string) desk.MOU {
	e.t.Helper()
	status, body := e.do("POST", "/api/v1/mous", map[string]any{
		"title": "Claremont SRO MOU", "template": "sro-mou", "workflow": workflow,
		"parties":   map[string]string{"city": "claremont", "district": "cusd"},
		"variables": shipped.Variables(e.t),
	})
	if status != http.StatusCreated {
		e.t.Fatalf("create MOU on %s: %d %s", workflow, status, body)
	}
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	return out.MOU
}

func decodeWorkflow(t testing.TB, body []byte) desk.WorkflowDetail {
	t.Helper()
	var out struct {
		Workflow desk.WorkflowDetail `json:"workflow"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out.Workflow
}

// TestWorkflowUploadAtRunTime: an administrator uploads Claremont's
// process through the API; an MOU is created on it and moved, with no
// restart; version 2 renames a body and a stage, and the first MOU keeps
// version 1's titles while a new MOU follows version 2.
func TestWorkflowUploadAtRunTime(t *testing.T) {
	e := newDefsEnv(t)
	status, body := e.putYAML(e.admin, wfName, claremontYAML(wfBody1, wfStage1))
	if status != http.StatusCreated {
		t.Fatalf("upload = %d %s", status, body)
	}
	if d := decodeWorkflow(t, body); d.Version != 1 || d.Latest != 1 || d.CreatedBy != wfAdmin || len(d.Stages) != 6 || len(d.Bodies) != 3 {
		t.Fatalf("upload answered %+v", d)
	}

	first := e.createOn(wfName)
	if first.Workflow != wfName || first.WorkflowVersion != 1 || first.Stage != "draft" {
		t.Fatalf("first MOU = %+v", first)
	}
	mouPath := fmt.Sprintf("/api/v1/mous/%d", first.ID)
	if status, body := e.do("POST", mouPath+"/transitions", map[string]string{"to": "working_group_review"}); status != http.StatusOK {
		t.Fatalf("move the first MOU = %d %s", status, body)
	}

	// The same source again stores nothing.
	if status, body := e.putYAML(e.admin, wfName, claremontYAML(wfBody1, wfStage1)); status != http.StatusOK || decodeWorkflow(t, body).Version != 1 {
		t.Fatalf("same upload = %d %s", status, body)
	}
	// Version 2, sent as JSON this time.
	status, body = e.doAs(e.admin, "PUT", wfUploadURL, map[string]string{"source": claremontYAML(wfBody2, wfStage2)})
	if status != http.StatusCreated || decodeWorkflow(t, body).Version != 2 {
		t.Fatalf("version 2 = %d %s", status, body)
	}
	second := e.createOn(wfName)
	if second.WorkflowVersion != 2 {
		t.Fatalf("second MOU follows version %d, want 2", second.WorkflowVersion)
	}
	if status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/transitions", second.ID), map[string]string{"to": "working_group_review"}); status != http.StatusOK {
		t.Fatalf("move the second MOU = %d %s", status, body)
	}
	if status, body := e.do("GET", mouPath, nil); status != http.StatusOK || !strings.Contains(string(body), `"workflow_version":1`) {
		t.Fatalf("first MOU after version 2 = %d %s", status, body)
	}

	p := newPageClient(t, e.url)
	p.signIn(wfAdmin)
	for _, tc := range []struct {
		id         int64
		want, gone []string
	}{
		{first.ID, []string{wfStage1, wfBody1}, []string{wfStage2, wfBody2}},
		{second.ID, []string{wfStage2, wfBody2}, []string{wfStage1, wfBody1}},
	} {
		page := p.get(fmt.Sprintf("/mous/%d", tc.id)).body + p.get(fmt.Sprintf("/mous/%d/meetings/new", tc.id)).body
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("MOU %d's pages lack %q", tc.id, w)
			}
		}
		for _, g := range tc.gone {
			if strings.Contains(page, g) {
				t.Errorf("MOU %d's pages show %q, of the other version", tc.id, g)
			}
		}
	}

	// Anyone signed in reads the definitions, with each version's MOUs.
	status, body = e.doAs(e.reader, "GET", "/api/v1/workflows", nil)
	var list struct {
		Workflows []desk.WorkflowSummary `json:"workflows"`
	}
	if err := json.Unmarshal(body, &list); status != http.StatusOK || err != nil {
		t.Fatalf("list = %d %s", status, body)
	}
	var found bool
	for _, w := range list.Workflows {
		if w.Name == wfName {
			found = true
			if w.Latest != 2 || w.Title != "Working group, then council and board" || len(w.Versions) != 2 || w.Versions[0].MOUs != 1 || w.Versions[1].MOUs != 1 {
				t.Errorf("listed %+v", w)
			}
		}
	}
	if !found {
		t.Fatalf("%s not listed: %s", wfName, body)
	}
	status, body = e.doAs(e.reader, "GET", wfUploadURL, nil)
	if d := decodeWorkflow(t, body); status != http.StatusOK || d.Version != 2 || len(d.Versions) != 2 || !strings.Contains(d.Source, wfBody2) {
		t.Fatalf("GET latest = %d %s", status, body)
	}
	status, body = e.doAs(e.reader, "GET", wfUploadURL+"/versions/1", nil)
	if d := decodeWorkflow(t, body); status != http.StatusOK || d.Version != 1 || !strings.Contains(d.Source, wfBody1) || d.Stages[1].Title != wfStage1 {
		t.Fatalf("GET version 1 = %d %s", status, body)
	}
	for _, path := range []string{"/admin/workflows", "/admin/workflows/" + wfName, "/admin/workflows/" + wfName + "/versions/1"} {
		if r := p.get(path); r.status != http.StatusOK || !strings.Contains(r.body, wfName) {
			t.Errorf("GET %s = %d", path, r.status)
		}
	}
}

// TestWorkflowUploadRefused: bad YAML, a definition that breaks a rule, a
// name other than the URL's, a non-administrator and an empty body are
// refused, and no version is stored.
func TestWorkflowUploadRefused(t *testing.T) {
	e := newDefsEnv(t)
	good := claremontYAML(wfBody1, wfStage1)
	tests := []struct {
		name, token, path, source string
		wantStatus                int
		wantCode, wantText        string
	}{
		{"BadYAML", e.admin, wfName, "name: x\n  bodies: [\n", 422, "invalid_workflow", "line"},
		{"UnknownField", e.admin, wfName, good + "colour: red\n", 422, "invalid_workflow", "colour"},
		{"BrokenRule", e.admin, wfName, strings.Replace(good, "forward: approval", "forward: nowhere", 1), 422, "invalid_workflow", "nowhere"},
		{"NameMismatch", e.admin, "claremont", good, 422, "name_mismatch", "claremont-working-group"},
		{"NotAdmin", e.token, wfName, good, 403, "forbidden", ""},
		{"Empty", e.admin, wfName, "", 400, "missing_field", "source"},
		{"BadName", e.admin, "Bad_Name", good, 400, "invalid_name", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.definitionRows()
			status, body := e.putYAML(tc.token, tc.path, tc.source)
			if status != tc.wantStatus || errorCode(t, body) != tc.wantCode || !strings.Contains(string(body), tc.wantText) {
				t.Fatalf("got %d %s; want %d %s mentioning %q", status, body, tc.wantStatus, tc.wantCode, tc.wantText)
			}
			if after := e.definitionRows(); after != before {
				t.Fatalf("workflow versions %d → %d on refusal", before, after)
			}
		})
	}
	t.Run("UnknownWorkflowMOU", func(t *testing.T) {
		before := e.counts()
		status, body := e.do("POST", "/api/v1/mous", map[string]any{"template": "sro-mou", "workflow": wfName,
			"parties": map[string]string{"city": "claremont", "district": "cusd"}, "variables": shipped.Variables(t)})
		if status != http.StatusUnprocessableEntity || errorCode(t, body) != "unknown_workflow" || !strings.Contains(string(body), wfName) {
			t.Fatalf("MOU on a workflow never uploaded = %d %s", status, body)
		}
		if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
	})
	t.Run("FormKeepsText", func(t *testing.T) {
		p := newPageClient(t, e.url)
		p.signIn(wfAdmin)
		r := p.post("/admin/workflows", url.Values{"name": {wfName}, "source": {"name: x\n  bodies: [\n"}}, "/admin/workflows")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "bodies: [") || !strings.Contains(r.body, "line") {
			t.Fatalf("bad form = %d %s", r.status, r.body)
		}
		r = p.post("/admin/workflows", url.Values{"name": {wfName}, "source": {strings.ReplaceAll(good, "\n", "\r\n")}}, "/admin/workflows")
		if r.status != http.StatusSeeOther || r.location != "/admin/workflows/"+wfName+"?done=workflow" {
			t.Fatalf("good form = %d → %q %s", r.status, r.location, r.body)
		}
		// The form's CRLF is stored as the API's LF: the same text again
		// is no new version.
		if status, body := e.putYAML(e.admin, wfName, good); status != http.StatusOK {
			t.Fatalf("same text by the API = %d %s", status, body)
		}
		r = p.post("/admin/workflows/"+wfName+"/edit", url.Values{"source": {claremontYAML(wfBody2, wfStage2)}}, "/admin/workflows/"+wfName+"/edit")
		if r.status != http.StatusSeeOther {
			t.Fatalf("edit form = %d %s", r.status, r.body)
		}
		drafter := newPageClient(t, e.url)
		drafter.signIn(wfDrafter)
		if r := drafter.get("/admin/workflows/" + wfName + "/edit"); r.status != http.StatusForbidden {
			t.Fatalf("drafter's edit form = %d", r.status)
		}
		if r := drafter.get("/admin/workflows/" + wfName); r.status != http.StatusOK || !strings.Contains(r.body, wfBody2) {
			t.Fatalf("drafter's view = %d", r.status)
		}
	})
}

// TestBrokenStoredWorkflow: a stored version that no longer parses (as
// after a stricter validator) fails only the MOUs that follow it; the
// dashboard, the approvals page, the other MOUs and the workflow pages
// still answer.
func TestBrokenStoredWorkflow(t *testing.T) {
	e := newDefsEnv(t)
	if status, body := e.putYAML(e.admin, wfName, claremontYAML(wfBody1, wfStage1)); status != http.StatusCreated {
		t.Fatalf("upload = %d %s", status, body)
	}
	broken := e.createOn(wfName)
	healthy := e.createOn("default")
	// Version 2 is written past the validator, as a row a stricter
	// moudesk would refuse, and the first MOU is put on it.
	ctx := context.Background()
	if _, err := e.db.ExecForTest(ctx, `INSERT INTO workflow_definitions (name, version, source, shipped, created_at)
		VALUES (?, 2, ?, 0, '2026-01-01T00:00:00Z')`, wfName, "name: claremont-working-group\nstages: 7\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ExecForTest(ctx, "UPDATE mous SET workflow_version = 2 WHERE id = ?", broken.ID); err != nil {
		t.Fatal(err)
	}

	p := newPageClient(t, e.url)
	p.signIn(wfDrafter)
	admin := newPageClient(t, e.url)
	admin.signIn(wfAdmin)
	for _, c := range []*pageClient{p, admin} {
		for _, path := range []string{"/dashboard", "/approvals", fmt.Sprintf("/mous/%d", healthy.ID)} {
			if r := c.get(path); r.status != http.StatusOK {
				t.Errorf("GET %s = %d %.300s", path, r.status, r.body)
			}
		}
	}
	if r := p.get("/dashboard"); !strings.Contains(r.body, fmt.Sprintf("/mous/%d", broken.ID)) {
		t.Errorf("the dashboard leaves out the MOU on the broken version")
	}
	for _, path := range []string{"/admin/workflows", "/admin/workflows/" + wfName, "/admin/workflows/" + wfName + "/versions/2"} {
		if r := admin.get(path); r.status != http.StatusOK || !strings.Contains(r.body, "cannot be used") {
			t.Errorf("GET %s = %d, without the problem", path, r.status)
		}
	}
	if status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/transitions", healthy.ID), map[string]string{"to": "liaison_review"}); status != http.StatusOK {
		t.Errorf("moving the healthy MOU = %d %s", status, body)
	}
	// The MOU on the broken version fails, saying why.
	if r := p.get(fmt.Sprintf("/mous/%d", broken.ID)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "version 2") {
		t.Errorf("its page = %d %.500s", r.status, r.body)
	}
	status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/transitions", broken.ID), map[string]string{"to": "working_group_review"})
	if status != http.StatusUnprocessableEntity || errorCode(t, body) != "invalid_workflow" {
		t.Errorf("moving it = %d %s", status, body)
	}
	// A new MOU cannot start on a latest version that does not parse.
	status, body = e.do("POST", "/api/v1/mous", map[string]any{"template": "sro-mou", "workflow": wfName,
		"parties": map[string]string{"city": "claremont", "district": "cusd"}, "variables": shipped.Variables(t)})
	if status != http.StatusUnprocessableEntity || errorCode(t, body) != "invalid_workflow" {
		t.Errorf("creating on it = %d %s", status, body)
	}
	if status, body := e.doAs(e.reader, "GET", "/api/v1/workflows", nil); status != http.StatusOK || !strings.Contains(string(body), `"problem"`) {
		t.Errorf("list = %d %s", status, body)
	}
}

// TestWorkflowInitialStage: a new MOU starts in its definition's initial
// stage, whatever that stage is called.
func TestWorkflowInitialStage(t *testing.T) {
	e := newDefsEnv(t)
	src := claremontYAML(wfBody1, wfStage1)
	for _, r := range [][2]string{{"initial: draft", "initial: drafting"}, {"- name: draft\n", "- name: drafting\n"},
		{"revise: draft", "revise: drafting"}, {"on_new_revision: draft", "on_new_revision: drafting"}, {"amend_to: draft", "amend_to: drafting"}} {
		src = strings.ReplaceAll(src, r[0], r[1])
	}
	if status, body := e.putYAML(e.admin, wfName, src); status != http.StatusCreated {
		t.Fatalf("upload = %d %s", status, body)
	}
	m := e.createOn(wfName)
	if m.Stage != "drafting" {
		t.Fatalf("new MOU in stage %q, want drafting", m.Stage)
	}
	if status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/transitions", m.ID), map[string]string{"to": "working_group_review"}); status != http.StatusOK {
		t.Fatalf("move = %d %s", status, body)
	}
}

// TestNewMOUFormWorkflow: the new-MOU form offers every usable workflow,
// one uploaded at run time included, and creates the MOU on the one
// chosen.
func TestNewMOUFormWorkflow(t *testing.T) {
	e := newDefsEnv(t)
	if status, body := e.putYAML(e.admin, wfName, claremontYAML(wfBody1, wfStage1)); status != http.StatusCreated {
		t.Fatalf("upload = %d %s", status, body)
	}
	p := newPageClient(t, e.url)
	p.signIn(wfDrafter)
	if r := p.get("/mous/new"); r.status != http.StatusOK || !strings.Contains(r.body, `<option value="`+wfName+`"`) || !strings.Contains(r.body, `<option value="default" selected>`) {
		t.Fatalf("new-MOU form = %d, without the uploaded workflow", r.status)
	}
	form := url.Values{"template": {"sro-mou"}, "title": {"Claremont SRO MOU"}, "workflow": {wfName},
		"parties.city": {"claremont"}, "parties.district": {"cusd"}}
	for k, v := range shipped.Variables(t) {
		form.Set("variables."+k, v)
	}
	r := p.post("/mous/new", form, "/mous/new")
	if r.status != http.StatusSeeOther {
		t.Fatalf("create = %d %.500s", r.status, r.body)
	}
	var id int64
	if _, err := fmt.Sscanf(r.location, "/mous/%d", &id); err != nil {
		t.Fatalf("created at %q", r.location)
	}
	status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d", id), nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"workflow":"`+wfName+`"`) {
		t.Fatalf("created MOU = %d %s", status, body)
	}
	form.Set("workflow", "nope")
	if r := p.post("/mous/new", form, "/mous/new"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-workflow"`) {
		t.Fatalf("unknown workflow = %d %.500s", r.status, r.body)
	}
}
