package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/workflow"
)

// mouView is GET /api/v1/mous/{id} with its amendment links.
type mouView struct {
	MOU        desk.MOU         `json:"mou"`
	Amendments []desk.Amendment `json:"amendments"`
	Amends     *desk.AmendsInfo `json:"amends"`
}

func (e *wfEnv) view(id int64) mouView {
	e.t.Helper()
	var out mouView
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &out)
	return out
}

func (e *wfEnv) revisionHash(id int64, n int) string {
	e.t.Helper()
	var out struct {
		Revision struct {
			ContentHash string `json:"content_hash"`
		} `json:"revision"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d", id, n), nil, http.StatusOK, &out)
	return out.Revision.ContentHash
}

// approveAll takes an MOU in draft through the liaison committee, the joint
// meeting, the City Council and the Board of Trustees, to signature.
func (e *wfEnv) approveAll(id int64, day string) {
	e.t.Helper()
	e.toApproval(id)
	e.outcome(e.cityClerk, e.meet(id, "city_council", day).ID, "approve", rollCall(5, 5))
	if got := e.outcome(e.districtClerk, e.meet(id, "school_board", day).ID, "approve", rollCall(5, 5)); got != "signature" {
		e.t.Fatalf("board approve → %s", got)
	}
}

// execute has the four lines of the SRO signature block signed through
// the signing API, in order, which executes the MOU; it returns the
// executed revision. The signatories are made on first use.
func (e *wfEnv) execute(id int64) int {
	e.t.Helper()
	if e.signers == nil {
		ctx := context.Background()
		for _, s := range []signatory{
			{email: "signer-chief@cityofpleasantonca.gov", name: "Dana Chief", title: "Chief of Police", party: "pleasanton"},
			{email: "signer-super@pleasantonusd.net", name: "Sam Super", title: "Superintendent", party: "pusd"},
			{email: "signer-manager@cityofpleasantonca.gov", name: "Max Manager", title: "City Manager", party: "pleasanton"},
			{email: "signer-president@pleasantonusd.net", name: "Pat President", title: "President, Board of Trustees", party: "pusd"},
		} {
			hash, err := testHasher.Hash(signPassword)
			if err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: s.email, Name: s.name, Title: s.title, PartySlug: s.party,
				Roles: []auth.Role{auth.RoleSignatory}, PasswordHash: hash}); err != nil {
				e.t.Fatal(err)
			}
			plain, th, err := auth.NewToken()
			if err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.db.CreateToken(ctx, moudesk.System, s.email, "test", th); err != nil {
				e.t.Fatal(err)
			}
			s.token = plain
			e.signers = append(e.signers, s)
		}
	}
	var lines []map[string]any
	for i, s := range e.signers {
		lines = append(lines, map[string]any{"line": i + 1, "email": s.email})
	}
	e.call(e.drafter, "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": lines}, http.StatusOK, nil)
	for _, s := range e.signers {
		e.call(s.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), map[string]any{
			"typed_name": s.name, "consent": true, "password": signPassword}, http.StatusCreated, nil)
	}
	e.at(id, "executed")
	m := e.mou(id)
	if m.ExecutedRevision == nil || *m.ExecutedRevision != m.CurrentRevision {
		e.t.Fatalf("executed revision %v of MOU %+v", m.ExecutedRevision, m)
	}
	return *m.ExecutedRevision
}

// public reads GET /api/v1/public/mous/{id} without any credentials.
func (e *wfEnv) public(id int64, want int) publicView {
	e.t.Helper()
	res, err := http.Get(fmt.Sprintf("%s/api/v1/public/mous/%d", e.url, id))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out publicView
	if res.StatusCode != want {
		e.t.Fatalf("public GET of MOU %d = %d, want %d", id, res.StatusCode, want)
	}
	if want == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

type publicView struct {
	MOU struct {
		ExecutedRevision int              `json:"executed_revision"`
		Amendments       []desk.Amendment `json:"amendments"`
	} `json:"mou"`
	Revision struct {
		Revision    int    `json:"revision"`
		ContentHash string `json:"content_hash"`
	} `json:"revision"`
}

func ruleCode(err error) string {
	var re *workflow.RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	if e, ok := moudesk.AsError(err); ok {
		return e.Code
	}
	return fmt.Sprint(err)
}

// TestAmendmentOverHTTP: an agreement executed by its signatures gets
// Amendment No. 1, which
// starts from the executed text, goes through the whole review again and is
// executed itself, while the agreement's executed revision never changes;
// Amendment No. 2 then starts from the text as amended.
func TestAmendmentOverHTTP(t *testing.T) {
	e := newWFEnv(t)
	ctx := context.Background()
	id := e.createMOU("")
	amend := fmt.Sprintf("/api/v1/mous/%d/amendments", id)

	// Not executed yet: refused with the rule's code, nothing written.
	before := e.rows()
	e.refused(e.drafter, "POST", amend, nil, 422, "not_amendable")
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("refusals wrote rows: %v → %v", before, after)
	}

	e.revise(id, map[string]string{"term": "This MOU runs for three school years."})
	e.approveAll(id, "2025-06-03")
	before = e.rows()
	e.refused(e.drafter, "POST", amend, nil, 422, "not_amendable") // in signature, not executed
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("refusals wrote rows: %v → %v", before, after)
	}
	e.public(id, http.StatusNotFound) // not executed: not public
	executed := e.execute(id)
	executedHash := e.revisionHash(id, executed)
	if p := e.public(id, http.StatusOK); p.Revision.ContentHash != executedHash || p.MOU.ExecutedRevision != executed || len(p.MOU.Amendments) != 0 {
		t.Fatalf("public view %+v", p)
	}
	if v := e.view(id); v.MOU.ExecutedRevision == nil || *v.MOU.ExecutedRevision != executed || len(v.Amendments) != 0 || v.Amends != nil {
		t.Fatalf("executed MOU %+v", v)
	}
	// The executed text is fixed: no new revision, no second execution.
	e.refused(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": executed, "edits": []map[string]string{{"op": "update", "key": "term", "body": "Changed."}}}, 422, "terminal_stage")

	// Only roles that may create MOUs start amendments.
	e.refused(e.reviewer, "POST", amend, nil, 403, "forbidden")
	e.refused(e.cityClerk, "POST", amend, nil, 403, "forbidden")

	var created struct {
		MOU         desk.MOU `json:"mou"`
		Revision    int      `json:"revision"`
		ContentHash string   `json:"content_hash"`
	}
	e.call(e.drafter, "POST", amend, nil, http.StatusCreated, &created)
	a1 := created.MOU
	if a1.Title != "Pleasanton SRO MOU — Amendment No. 1" || a1.Stage != "draft" || a1.CurrentRevision != 1 ||
		a1.AmendsMOUID == nil || *a1.AmendsMOUID != id || a1.AmendmentNumber == nil || *a1.AmendmentNumber != 1 || len(a1.Parties) != 2 {
		t.Fatalf("amendment %+v", a1)
	}
	if created.Revision != 1 || created.ContentHash != executedHash {
		t.Fatalf("amendment revision 1 is %s, executed text is %s", created.ContentHash, executedHash)
	}
	v := e.view(a1.ID)
	if v.Amends == nil || v.Amends.MOUID != id || v.Amends.ExecutedRevision != executed || v.Amends.BaseMOUID != id ||
		v.Amends.BaseRevision != executed || v.Amends.BaseContentHash != executedHash || v.Amends.Number != 1 {
		t.Fatalf("amendment names %+v", v.Amends)
	}
	if p := e.view(id); len(p.Amendments) != 1 || p.Amendments[0].ID != a1.ID || p.Amendments[0].Stage != "draft" || p.Amendments[0].Number != 1 {
		t.Fatalf("agreement lists %+v", p.Amendments)
	}

	// One amendment at a time; amendments are of the agreement itself.
	before = e.rows()
	e.refused(e.drafter, "POST", amend, nil, 409, "amendment_in_progress")
	e.refused(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", a1.ID), nil, 422, "amendment_of_amendment")
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("refused amendments wrote rows: %v → %v", before, after)
	}

	// The amendment is reviewed like any MOU: its own meetings, feedback and
	// approvals of its own content hash.
	e.revise(a1.ID, map[string]string{"student-records": "The SRO sees student records only with the principal's written consent."})
	e.move(a1.ID, "liaison_review")
	m := e.meet(a1.ID, "liaison_committee", "2026-01-13")
	f := e.feedback(m.ID, "de-escalation", "Define de-escalation.")
	e.outcome(e.cityClerk, m.ID, "revise", nil)
	r3 := e.revise(a1.ID, map[string]string{"de-escalation": "De-escalation means slowing a situation down and calling a counselor first."})
	e.resolve(f, r3)
	e.approveAll(a1.ID, "2026-02-10")
	if p := e.view(id); p.Amendments[0].Stage != "signature" {
		t.Fatalf("agreement lists %+v", p.Amendments)
	}

	// The amendment's redline against the executed text is exactly what it
	// changes: two sections.
	var rl struct {
		Sections []struct {
			Key    string `json:"key"`
			Status string `json:"status"`
		} `json:"sections"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=%d", a1.ID, r3), nil, 200, &rl)
	var changed []string
	for _, s := range rl.Sections {
		if s.Status != "unchanged" {
			changed = append(changed, s.Key+":"+s.Status)
		}
	}
	if fmt.Sprint(changed) != "[student-records:modified de-escalation:modified]" && fmt.Sprint(changed) != "[de-escalation:modified student-records:modified]" {
		t.Fatalf("amendment changes %v", changed)
	}

	a1Executed := e.execute(a1.ID)
	if p := e.view(id); p.MOU.Stage != "executed" || *p.MOU.ExecutedRevision != executed || p.Amendments[0].Stage != "executed" ||
		p.Amendments[0].ExecutedRevision == nil || *p.Amendments[0].ExecutedRevision != a1Executed {
		t.Fatalf("after Amendment No. 1: %+v", p)
	}
	if got := e.revisionHash(id, executed); got != executedHash {
		t.Fatalf("the executed revision changed: %s → %s", executedHash, got)
	}
	if p := e.public(id, http.StatusOK); p.Revision.ContentHash != executedHash || len(p.MOU.Amendments) != 1 || *p.MOU.Amendments[0].ExecutedRevision != a1Executed {
		t.Fatalf("public view after Amendment No. 1: %+v", p)
	}

	// Amendment No. 2 starts from the text as amended by No. 1.
	e.call(e.drafter, "POST", amend, nil, http.StatusCreated, &created)
	a2 := created.MOU
	if *a2.AmendmentNumber != 2 || a2.Title != "Pleasanton SRO MOU — Amendment No. 2" || created.ContentHash != e.revisionHash(a1.ID, a1Executed) {
		t.Fatalf("Amendment No. 2 %+v from %s", a2, created.ContentHash)
	}
	e.public(a2.ID, http.StatusNotFound) // an amendment under review is not public
	if p := e.public(id, http.StatusOK); len(p.MOU.Amendments) != 1 {
		t.Fatalf("public view lists an amendment under review: %+v", p)
	}
	if v := e.view(a2.ID); v.Amends.BaseMOUID != a1.ID || v.Amends.BaseRevision != a1Executed || v.Amends.ExecutedRevision != executed {
		t.Fatalf("Amendment No. 2 names %+v", v.Amends)
	}

	var n int
	if err := e.db.QueryRowForTest(ctx, "SELECT count(*) FROM audit_events WHERE action IN ('mou.amend', 'mou.executed')").Scan(&n); err != nil || n != 4 {
		t.Errorf("%d amendment and execution audit events, %v", n, err)
	}
	var verify struct {
		OK bool `json:"ok"`
	}
	e.call(e.cityClerk, "GET", "/api/v1/audit/verify", nil, 200, &verify)
	if !verify.OK {
		t.Error("audit chain does not verify")
	}
}

// TestWithdrawnAmendmentFreesTheAgreement: withdrawing the amendment in
// progress lets the next one start, and its number is not reused.
func TestWithdrawnAmendmentFreesTheAgreement(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("advisory-board")
	e.move(id, "advisory_review")
	e.outcome(e.cityClerk, e.meet(id, "advisory_team", "2025-02-03").ID, "forward", nil)
	e.outcome(e.districtClerk, e.meet(id, "school_board", "2025-02-17").ID, "approve", rollCall(5, 5))
	e.at(id, "signature")
	e.execute(id)
	amend := fmt.Sprintf("/api/v1/mous/%d/amendments", id)
	var created struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.drafter, "POST", amend, nil, http.StatusCreated, &created)
	e.move(created.MOU.ID, "withdrawn")
	e.call(e.drafter, "POST", amend, nil, http.StatusCreated, &created)
	if *created.MOU.AmendmentNumber != 2 || created.MOU.Workflow != "advisory-board" {
		t.Fatalf("after a withdrawn No. 1: %+v", created.MOU)
	}
	if p := e.view(id); len(p.Amendments) != 2 || p.Amendments[0].Stage != "withdrawn" || p.Amendments[1].Stage != "draft" {
		t.Fatalf("agreement lists %+v", p.Amendments)
	}
}

// TestConcurrentAmendments: ten drafters' requests at once start exactly
// one amendment; the others get 409 and write nothing.
func TestConcurrentAmendments(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("")
	e.approveAll(id, "2025-06-03")
	e.execute(id)
	before := e.rows()
	const n = 10
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/mous/%d/amendments", e.url, id), nil)
			req.Header.Set("Authorization", "Bearer "+e.drafter)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v", got)
	}
	after := e.rows()
	// One amendment: one MOU row, its parties, one revision (its sections
	// reuse the executed bodies) and one audit event.
	if after["mous"] != before["mous"]+1 || after["revisions"] != before["revisions"]+1 || after["section_bodies"] != before["section_bodies"] ||
		after["mou_parties"] != before["mou_parties"]+2 || after["audit_events"] != before["audit_events"]+1 {
		t.Errorf("rows %v → %v", before, after)
	}
}
