package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/testtool"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/web"
)

// wfEnv is a real server on a real SQLite file with the shipped library,
// templates and workflows, the two Pleasanton parties, and one token per
// person of the review: a drafter, a reviewer, and a clerk of each party.
type wfEnv struct {
	t        *testing.T
	db       *sqlite.DB
	url      string
	drafter  string
	reviewer string
	cityClerk,
	districtClerk string
	signers []signatory // made by execute on first use
}

func newWFEnv(t *testing.T) *wfEnv {
	t.Helper()
	db, url, token := web.StartTestServer(t,
		desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	return &wfEnv{
		t: t, db: db, url: url,
		drafter:       token("drafter@cityofpleasantonca.gov", "pleasanton", auth.RoleDrafter),
		reviewer:      token("trustee@pleasantonusd.net", "pusd", auth.RoleReviewer),
		cityClerk:     token("clerk@cityofpleasantonca.gov", "pleasanton", auth.RoleClerk),
		districtClerk: token("clerk@pleasantonusd.net", "pusd", auth.RoleClerk),
	}
}

// call sends body as JSON with token and decodes a JSON answer into out
// (when out is not nil and the status is want). It fails the test when the
// status is not want, and returns the body.
func (e *wfEnv) call(token, method, path string, body any, want int, out any) []byte {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
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
	res, raw := testtool.Do(e.t, http.DefaultClient, req)
	if res.StatusCode != want {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return raw
}

// refused expects an error status with code and returns nothing.
func (e *wfEnv) refused(token, method, path string, body any, status int, code string) {
	e.t.Helper()
	var out struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	e.call(token, method, path, body, status, &out)
	if out.Error.Code != code {
		e.t.Fatalf("%s %s: code %q (%s), want %q", method, path, out.Error.Code, out.Error.Message, code)
	}
}

// wfVariables gives a value to every required variable without a default.
func wfVariables(t *testing.T) map[string]string {
	t.Helper()
	return shipped.Variables(t)
}

func (e *wfEnv) createMOU(workflowName string) int64 {
	e.t.Helper()
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.drafter, "POST", "/api/v1/mous", map[string]any{
		"title": "Pleasanton SRO MOU", "template": "sro-mou", "workflow": workflowName,
		"parties":   map[string]string{"city": "pleasanton", "district": "pusd"},
		"variables": wfVariables(e.t),
	}, http.StatusCreated, &out)
	return out.MOU.ID
}

func (e *wfEnv) mou(id int64) desk.MOU {
	e.t.Helper()
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &out)
	return out.MOU
}

func (e *wfEnv) at(id int64, stage string) {
	e.t.Helper()
	if got := e.mou(id).Stage; got != stage {
		e.t.Fatalf("MOU %d is in %q, want %q", id, got, stage)
	}
}

func (e *wfEnv) move(id int64, to string) {
	e.t.Helper()
	e.call(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": to, "note": "ready"}, http.StatusOK, nil)
	e.at(id, to)
}

// meet creates a meeting of body on the MOU's current revision.
func (e *wfEnv) meet(id int64, body, date string) desk.Meeting {
	e.t.Helper()
	var out struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	clerk := e.cityClerk // a clerk schedules only their own party's body's meetings
	if body == "school_board" {
		clerk = e.districtClerk
	}
	e.call(clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": body, "date": date, "location": "Pleasanton Civic Center", "agenda_item": "4.1",
		"revision": e.mou(id).CurrentRevision,
	}, http.StatusCreated, &out)
	return out.Meeting
}

func (e *wfEnv) feedback(meetingID int64, section, text string) int64 {
	e.t.Helper()
	var out struct {
		Feedback desk.Feedback `json:"feedback"`
	}
	e.call(e.reviewer, "POST", fmt.Sprintf("/api/v1/meetings/%d/feedback", meetingID), map[string]string{
		"section": section, "text": text}, http.StatusCreated, &out)
	return out.Feedback.ID
}

// outcome records an outcome as clerk and returns the MOU's new stage.
func (e *wfEnv) outcome(clerk string, meetingID int64, outcome string, votes []map[string]string) string {
	e.t.Helper()
	var out struct {
		Stage string `json:"stage"`
	}
	if votes == nil {
		votes = []map[string]string{}
	}
	e.call(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", meetingID), map[string]any{
		"outcome": outcome, "votes": votes, "minutes": "Discussed the draft.", "resolution": "",
	}, http.StatusCreated, &out)
	return out.Stage
}

// revise saves a revision of the current one, replacing the named sections'
// bodies, and returns its number.
func (e *wfEnv) revise(id int64, bodies map[string]string) int {
	e.t.Helper()
	var edits []map[string]any
	for key, body := range bodies {
		edits = append(edits, map[string]any{"op": "update", "key": key, "body": body})
	}
	var out struct {
		Revision int `json:"revision"`
	}
	e.call(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": e.mou(id).CurrentRevision, "edits": edits, "message": "Answer feedback",
	}, http.StatusCreated, &out)
	return out.Revision
}

func (e *wfEnv) resolve(fid int64, revision int) {
	e.t.Helper()
	e.call(e.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", fid), map[string]int{"revision": revision}, http.StatusOK, nil)
}

func (e *wfEnv) decline(fid int64, reason string) {
	e.t.Helper()
	// The feedback is the district reviewer's: only the district may
	// decline it.
	e.call(e.districtClerk, "POST", fmt.Sprintf("/api/v1/feedback/%d/decline", fid), map[string]string{"reason": reason}, http.StatusOK, nil)
}

// rollCall is a roll call of n members, the first ayes voting aye.
func rollCall(n, ayes int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		v := "nay"
		if i < ayes {
			v = "aye"
		}
		out[i] = map[string]string{"member": fmt.Sprintf("Member %d", i+1), "vote": v}
	}
	return out
}

// rows counts every row a workflow or MOU write could add or change, plus
// each MOU's stage, so a refusal can be shown to have written nothing.
func (e *wfEnv) rows() map[string]int {
	e.t.Helper()
	ctx := context.Background()
	out := teststore.Rows(e.t, e.db.WorkflowRowCounts, e.db.MOURowCounts)
	var closed, stale int
	if err := e.db.QueryRowForTest(ctx, "SELECT count(*) FROM feedback WHERE status != 'open'").Scan(&closed); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.QueryRowForTest(ctx, "SELECT count(*) FROM approvals WHERE stale_at IS NOT NULL").Scan(&stale); err != nil {
		e.t.Fatal(err)
	}
	out["feedback closed"], out["approvals stale"] = closed, stale
	return out
}

// toApproval forwards an MOU in draft through the liaison committee and
// the joint meeting to the approval stage.
func (e *wfEnv) toApproval(id int64) {
	e.t.Helper()
	e.move(id, "liaison_review")
	e.outcome(e.cityClerk, e.meet(id, "liaison_committee", "2025-05-01").ID, "forward", nil)
	e.outcome(e.districtClerk, e.meet(id, "joint_meeting", "2025-05-15").ID, "forward", nil)
	e.at(id, "approval")
}

// TestPleasantonReviewOverHTTP replays Pleasanton's review through the API:
// three liaison committee meetings with feedback, the joint meeting asking
// for student-records and de-escalation language, the revision answering
// it, and both governing bodies approving the same text.
func TestPleasantonReviewOverHTTP(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("")
	e.at(id, "draft")
	e.move(id, "liaison_review")

	// Liaison committee 1: two points, sent back to draft.
	m1 := e.meet(id, "liaison_committee", "2025-01-14")
	f1 := e.feedback(m1.ID, "duties", "Say the SRO does not enforce school discipline.")
	f2 := e.feedback(m1.ID, "complaints", "Name who investigates complaints.")
	if got := e.outcome(e.cityClerk, m1.ID, "revise", nil); got != "draft" {
		t.Fatalf("liaison revise → %s", got)
	}
	r2 := e.revise(id, map[string]string{
		"duties":     "The SRO does not enforce the school's code of conduct; discipline stays with administrators.",
		"complaints": "The Police Department's internal affairs unit investigates complaints and reports to the District.",
	})
	e.at(id, "draft") // a revision in an editable stage stays there
	e.resolve(f1, r2)
	e.resolve(f2, r2)

	// Liaison committee 2: one point answered by a reason, forwarded.
	e.move(id, "liaison_review")
	m2 := e.meet(id, "liaison_committee", "2025-02-11")
	f3 := e.feedback(m2.ID, "training", "Require 40 hours of training.")
	e.decline(f3, "State POST rules already set the SRO course; the committee agreed to keep them.")
	if got := e.outcome(e.districtClerk, m2.ID, "forward", nil); got != "joint_review" {
		t.Fatalf("liaison forward → %s", got)
	}

	// Joint meeting: student records and de-escalation; it cannot forward
	// with those open, so it revises.
	j1 := e.meet(id, "joint_meeting", "2025-03-04")
	fRecords := e.feedback(j1.ID, "student-records", "Limit SRO access to student records to what FERPA allows.")
	fDeesc := e.feedback(j1.ID, "de-escalation", "Require de-escalation before any use of force.")
	before := e.rows()
	e.refused(e.cityClerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", j1.ID), map[string]any{"outcome": "forward"}, 422, "feedback_open")
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("refused outcome wrote rows: %v → %v", before, after)
	}
	if got := e.outcome(e.cityClerk, j1.ID, "revise", nil); got != "draft" {
		t.Fatalf("joint revise → %s", got)
	}
	r3 := e.revise(id, map[string]string{
		"student-records": "The SRO sees student records only as FERPA permits, on request to the principal.",
		"de-escalation":   "The SRO uses de-escalation first and force only when it fails.",
	})
	e.resolve(fRecords, r3)
	e.resolve(fDeesc, r3)

	// Liaison committee 3 and the joint meeting forward the amended text.
	e.move(id, "liaison_review")
	m3 := e.meet(id, "liaison_committee", "2025-04-08")
	f4 := e.feedback(m3.ID, "data-reporting", "Report arrests by school each year.")
	e.decline(f4, "Already in the annual report.")
	e.outcome(e.cityClerk, m3.ID, "forward", nil)
	j2 := e.meet(id, "joint_meeting", "2025-04-22")
	if got := e.outcome(e.districtClerk, j2.ID, "forward", nil); got != "approval" {
		t.Fatalf("joint forward → %s", got)
	}

	// City Council, then Board of Trustees, approve revision 3.
	cc := e.meet(id, "city_council", "2025-05-06")
	if got := e.outcome(e.cityClerk, cc.ID, "approve", rollCall(5, 5)); got != "approval" {
		t.Fatalf("council approve → %s", got)
	}
	sb := e.meet(id, "school_board", "2025-05-13")
	if got := e.outcome(e.districtClerk, sb.ID, "approve", rollCall(5, 4)); got != "signature" {
		t.Fatalf("board approve → %s", got)
	}
	current := e.mou(id)
	if current.CurrentRevision != 3 {
		t.Fatalf("current revision %d", current.CurrentRevision)
	}
	approvals, err := e.db.LiveApprovals(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(approvals) != 2 || approvals[0].ContentHash != cc.ContentHash || approvals[1].ContentHash != cc.ContentHash || sb.ContentHash != cc.ContentHash {
		t.Fatalf("approvals %+v, council reviewed %s, board %s", approvals, cc.ContentHash, sb.ContentHash)
	}

	// The meeting shows its votes and feedback; nothing is left open.
	var got struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/meetings/%d", sb.ID), nil, 200, &got)
	if got.Meeting.Outcome == nil || len(got.Meeting.Outcome.Votes) != 5 || got.Meeting.Outcome.ToStage != "signature" {
		t.Fatalf("board meeting %+v", got.Meeting)
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/meetings/%d", j1.ID), nil, 200, &got)
	if len(got.Meeting.Feedback) != 2 || got.Meeting.Feedback[0].Status != "resolved" || *got.Meeting.Feedback[0].ResolvedRevision != 3 {
		t.Fatalf("joint meeting feedback %+v", got.Meeting.Feedback)
	}
	var open struct {
		Feedback []desk.Feedback `json:"feedback"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/feedback?status=open", id), nil, 200, &open)
	if len(open.Feedback) != 0 {
		t.Fatalf("open feedback %+v", open.Feedback)
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/feedback", id), nil, 200, &open)
	if len(open.Feedback) != 6 {
		t.Fatalf("all feedback: %d items", len(open.Feedback))
	}
	var list struct {
		Meetings []desk.Meeting `json:"meetings"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/meetings", id), nil, 200, &list)
	if len(list.Meetings) != 7 {
		t.Fatalf("%d meetings", len(list.Meetings))
	}

	changes, err := e.db.StageChanges(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, c := range changes {
		path = append(path, c.From+"→"+c.To)
	}
	want := "draft→liaison_review liaison_review→draft draft→liaison_review liaison_review→joint_review joint_review→draft " +
		"draft→liaison_review liaison_review→joint_review joint_review→approval approval→signature"
	if strings.Join(path, " ") != want {
		t.Errorf("stage path\n got %s\nwant %s", strings.Join(path, " "), want)
	}

	// The summary since the joint meeting names what a staff report needs.
	raw := e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/summary?since_meeting=%d", id, j1.ID), nil, 200, nil)
	summary := string(raw)
	for _, s := range []string{
		"# Review summary: Pleasanton SRO MOU",
		"Joint City Council / Board of Trustees Meeting",
		"Limit SRO access to student records to what FERPA allows.",
		"Resolved: the section was changed in revision 3.",
		"Declined: Already in the annual report.",
		"## Sections changed since revision 2",
		"(5–0)", "(4–1)",
	} {
		if !strings.Contains(summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, summary)
		}
	}
	if strings.Contains(summary, "Require 40 hours") {
		t.Errorf("summary since the joint meeting shows earlier feedback:\n%s", summary)
	}
	changed := summary[strings.Index(summary, "## Sections changed"):]
	if !strings.Contains(changed, "Student Records") || !strings.Contains(changed, "De-escalation") || strings.Contains(changed, "Duties") {
		t.Errorf("changed sections:\n%s", changed)
	}
	// Both sections are cited by their page in revision 3's PDF, with the
	// start of the new text.
	for key, adds := range map[string]string{
		"student-records": "now reads “The SRO sees student records only as FERPA permits, on request to the principal.”",
		"de-escalation":   "now reads “The SRO uses de-escalation first and force only when it fails.”",
	} {
		num, heading, page := e.section(id, 3, key)
		want := fmt.Sprintf("- §%s %s (pg. %d, item #%s)", num, heading, page, num)
		if !strings.Contains(changed, want) || !strings.Contains(changed, adds) {
			t.Errorf("summary lacks %q or %q:\n%s", want, adds, changed)
		}
	}
	// Every citation names a page of revision 3's PDF that holds the
	// text the change landed in.
	pdf := e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/3/pdf", id), nil, http.StatusOK, nil)
	pdfPath := filepath.Join(t.TempDir(), "rev3.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	cited := regexp.MustCompile(`(?m)^- §\d+ .+? \(pg\. (\d+), item #[\d.]+\): .*; now reads “(.+)”$`).FindAllStringSubmatch(changed, -1)
	if len(cited) != 2 {
		t.Errorf("%d citations in the form “(pg. N, item #7)”:\n%s", len(cited), changed)
	}
	for _, c := range cited {
		out, err := exec.Command(pdftotext, "-enc", "UTF-8", "-f", c[1], "-l", c[1], pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(strings.TrimSuffix(c[2], " …"))
		if want := strings.Join(words[:min(6, len(words))], " "); !strings.Contains(strings.Join(strings.Fields(string(out)), " "), want) {
			t.Errorf("page %s of revision 3 lacks the cited text %q", c[1], want)
		}
	}

	// Every write was audited and the chain verifies.
	var verify struct {
		OK bool `json:"ok"`
	}
	e.call(e.cityClerk, "GET", "/api/v1/audit/verify", nil, 200, &verify)
	var n int
	if err := e.db.QueryRowForTest(context.Background(), "SELECT count(*) FROM audit_events WHERE action IN ('meeting.create','meeting.outcome','feedback.create','feedback.resolve','feedback.decline','mou.transition')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	// 7 meetings, 7 outcomes, 6 feedback items, 6 closed, 3 transitions.
	if n != 7+7+6+6+3 {
		t.Errorf("%d workflow audit events", n)
	}
}

// TestAdvisoryBoardReviewOverHTTP: the advisory team asks for changes,
// forwards, and the school board alone approves.
func TestAdvisoryBoardReviewOverHTTP(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("advisory-board")
	e.refused(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "board_approval"}, 422, "stage_skipped")
	e.move(id, "advisory_review")
	m1 := e.meet(id, "advisory_team", "2025-02-03")
	fs := []int64{
		e.feedback(m1.ID, "vacation-coverage", "Who covers when the SRO is on leave?"),
		e.feedback(m1.ID, "school-year", "Tie the assignment to school-year dates."),
		e.feedback(m1.ID, "complaints", "Add a complaint process for families."),
	}
	if got := e.outcome(e.districtClerk, m1.ID, "revise", nil); got != "draft" {
		t.Fatalf("advisory revise → %s", got)
	}
	r := e.revise(id, map[string]string{
		"vacation-coverage": "Another trained officer covers when the SRO is on leave.",
		"school-year":       "The SRO is assigned on school days of the District calendar.",
		"complaints":        "Families may complain to the principal or the Police Department.",
	})
	for _, f := range fs {
		e.resolve(f, r)
	}
	e.move(id, "advisory_review")
	m2 := e.meet(id, "advisory_team", "2025-03-03")
	if got := e.outcome(e.cityClerk, m2.ID, "forward", []map[string]string{{"member": "A", "vote": "aye"}, {"member": "B", "vote": "abstain"}}); got != "board_approval" {
		t.Fatalf("advisory forward → %s", got)
	}
	b := e.meet(id, "school_board", "2025-03-18")
	e.refused(e.cityClerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", b.ID), map[string]any{"outcome": "approve", "votes": rollCall(5, 5)}, 403, "wrong_party")
	if got := e.outcome(e.districtClerk, b.ID, "approve", rollCall(5, 3)); got != "signature" {
		t.Fatalf("board approve → %s", got)
	}
}

// TestForbiddenWorkflowMoves: each refused request answers with its rule's
// code and writes nothing.
func TestForbiddenWorkflowMoves(t *testing.T) {
	type request struct {
		token        func(e *wfEnv) string
		method, path string
		body         any
		status       int
		code         string
	}
	cases := []struct {
		name  string
		setup func(e *wfEnv, id int64) request
	}{
		{"skipping a stage", func(e *wfEnv, id int64) request {
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "approval"}, 422, "stage_skipped"}
		}},
		{"unknown stage", func(e *wfEnv, id int64) request {
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "nowhere"}, 404, "unknown_stage"}
		}},
		{"outcome the body may not record", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{"outcome": "approve"}, 422, "outcome_not_allowed"}
		}},
		{"body not acting", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{"body": "city_council", "date": "2025-01-14", "revision": 1}, 422, "body_not_acting"}
		}},
		{"votes disagree", func(e *wfEnv, id int64) request {
			e.toApproval(id)
			m := e.meet(id, "city_council", "2025-06-01")
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{"outcome": "approve", "votes": rollCall(5, 2)}, 422, "votes_disagree"}
		}},
		{"stale approval", func(e *wfEnv, id int64) request {
			e.toApproval(id)
			old := e.meet(id, "city_council", "2025-06-01")
			e.revise(id, map[string]string{"term": "Three years."})
			e.at(id, "draft")
			e.toApproval(id)
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", old.ID), map[string]any{"outcome": "approve", "votes": rollCall(5, 5)}, 422, "stale_approval"}
		}},
		{"resolve with the section unchanged", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			f := e.feedback(m.ID, "duties", "Narrow the duties.")
			e.outcome(e.cityClerk, m.ID, "revise", nil)
			r := e.revise(id, map[string]string{"complaints": "A different section changed."})
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", f), map[string]int{"revision": r}, 422, "section_unchanged"}
		}},
		{"feedback on a section the revision lacks", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			return request{(*wfEnv).reviewerToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/feedback", m.ID), map[string]string{"section": "no-such-section", "text": "?"}, 422, "unknown_section"}
		}},
		{"meeting on a revision that is not current", func(e *wfEnv, id int64) request {
			e.revise(id, map[string]string{"term": "Three years."})
			e.move(id, "liaison_review")
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{"body": "liaison_committee", "date": "2025-01-14", "revision": 1}, 422, "revision_not_current"}
		}},
		{"second outcome", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			e.outcome(e.cityClerk, m.ID, "forward", nil)
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{"outcome": "revise"}, 409, "outcome_recorded"}
		}},
		{"declining closed feedback", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			f := e.feedback(m.ID, "duties", "Narrow the duties.")
			e.decline(f, "No.")
			return request{(*wfEnv).districtClerkToken, "POST", fmt.Sprintf("/api/v1/feedback/%d/decline", f), map[string]string{"reason": "Again."}, 409, "feedback_closed"}
		}},
		{"reviewer records an outcome", func(e *wfEnv, id int64) request {
			e.move(id, "liaison_review")
			m := e.meet(id, "liaison_committee", "2025-01-14")
			return request{(*wfEnv).reviewerToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{"outcome": "forward"}, 403, "forbidden"}
		}},
		{"city clerk records the school board", func(e *wfEnv, id int64) request {
			e.toApproval(id)
			m := e.meet(id, "school_board", "2025-06-01")
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{"outcome": "approve", "votes": rollCall(5, 5)}, 403, "wrong_party"}
		}},
		{"amending an MOU that is not executed", func(e *wfEnv, id int64) request {
			e.approveAll(id, "2025-06-01")
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", id), nil, 422, "not_amendable"}
		}},
		{"a second amendment while one is open", func(e *wfEnv, id int64) request {
			e.approveAll(id, "2025-06-01")
			e.execute(id)
			e.call(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", id), nil, http.StatusCreated, nil)
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", id), nil, 409, "amendment_in_progress"}
		}},
		{"a revision of the executed text", func(e *wfEnv, id int64) request {
			e.approveAll(id, "2025-06-01")
			rev := e.execute(id)
			return request{(*wfEnv).drafterToken, "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
				"base": rev, "edits": []map[string]string{{"op": "update", "key": "term", "body": "Changed."}}}, 422, "terminal_stage"}
		}},
		{"clerk starts an amendment", func(e *wfEnv, id int64) request {
			e.approveAll(id, "2025-06-01")
			e.execute(id)
			return request{(*wfEnv).cityClerkToken, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", id), nil, 403, "forbidden"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newWFEnv(t)
			id := e.createMOU("")
			req := tc.setup(e, id)
			stage := e.mou(id).Stage
			before := e.rows()
			e.refused(req.token(e), req.method, req.path, req.body, req.status, req.code)
			after := e.rows()
			if req.status == http.StatusForbidden {
				// A denied write leaves exactly one trace: its audit event.
				before["audit_events"]++
				var action string
				if err := e.db.QueryRowForTest(context.Background(), "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&action); err != nil || action != "access.denied" {
					t.Errorf("last audit event %q, %v", action, err)
				}
			}
			if !maps.Equal(before, after) {
				t.Errorf("refusal changed rows:\n before %v\n after  %v", before, after)
			}
			if got := e.mou(id).Stage; got != stage {
				t.Errorf("stage %s → %s", stage, got)
			}
		})
	}
}

func (e *wfEnv) drafterToken() string   { return e.drafter }
func (e *wfEnv) reviewerToken() string  { return e.reviewer }
func (e *wfEnv) cityClerkToken() string { return e.cityClerk }

func (e *wfEnv) districtClerkToken() string { return e.districtClerk }

// TestApprovalGoesStaleOverHTTP: a revision after the council approved
// sends the MOU back to draft and marks the approval stale.
func TestApprovalGoesStaleOverHTTP(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("")
	e.toApproval(id)
	cc := e.meet(id, "city_council", "2025-06-01")
	e.outcome(e.cityClerk, cc.ID, "approve", rollCall(5, 5))
	if live, _ := e.db.LiveApprovals(context.Background(), id); len(live) != 1 {
		t.Fatalf("live approvals %v", live)
	}
	e.revise(id, map[string]string{"term": "Three years."})
	e.at(id, "draft")
	if live, _ := e.db.LiveApprovals(context.Background(), id); len(live) != 0 {
		t.Fatalf("approval still live after a revision: %v", live)
	}
	all, _ := e.db.Approvals(context.Background(), id)
	if len(all) != 1 {
		t.Fatalf("the stale approval was not kept: %v", all)
	}
}
