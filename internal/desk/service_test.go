package desk_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/workflow"
)

const password = "correct horse battery staple"

// env is the service on a real SQLite file with the shipped library,
// templates and workflows, two parties, and one user per role.
type env struct {
	t   *testing.T
	db  *sqlite.DB
	svc *desk.Service
	ctx context.Context

	drafter, cityClerk, districtClerk *auth.Principal
	chief, superintendent             *auth.Principal
	manager, president                *auth.Principal
	// user makes an account of party with one role.
	user func(email, name, title, party string, role auth.Role) *auth.Principal
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := teststore.Open(t)
	return newEnvOn(t, db, teststore.Service(t, db))
}

// newEnvOn is newEnv on a store and service of the test's own (one with a
// test clock).
func newEnvOn(t *testing.T, db *sqlite.DB, svc *desk.Service) *env {
	t.Helper()
	ctx := context.Background()
	for _, p := range []desk.Party{
		{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
		{Slug: "county", Name: "Alameda County", Kind: "agency", Body: "Board of Supervisors"},
	} {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	user := func(email, name, title, party string, role auth.Role) *auth.Principal {
		t.Helper()
		u := teststore.User(t, db, desk.NewUser{Email: email, Name: name, Title: title, PartySlug: party, Roles: []auth.Role{role}}, password)
		return &auth.Principal{UserID: u.ID, Email: email, Name: name, Title: title, PartySlug: party, Roles: []auth.Role{role}, Via: auth.ViaSession}
	}
	return &env{t: t, db: db, svc: svc, ctx: ctx, user: user,
		drafter:        user("drafter@city.example", "Drew Drafter", "", "pleasanton", auth.RoleDrafter),
		cityClerk:      user("clerk@city.example", "Cal Clerk", "", "pleasanton", auth.RoleClerk),
		districtClerk:  user("clerk@district.example", "Dee Clerk", "", "pusd", auth.RoleClerk),
		chief:          user("chief@city.example", "David Swing", "Chief of Police", "pleasanton", auth.RoleSignatory),
		superintendent: user("super@district.example", "Zoë Ortíz-Łukasz", "Superintendent", "pusd", auth.RoleSignatory),
		manager:        user("manager@city.example", "Nelson Fialho", "City Manager", "pleasanton", auth.RoleSignatory),
		president:      user("president@district.example", "Joan Laursen", "President, Board of Trustees", "pusd", auth.RoleSignatory),
	}
}

func actorOf(p *auth.Principal) moudesk.Actor {
	return desk.ActorOf(p, "192.0.2.1")
}

// rows counts the rows of every table a use case here writes.
func (e *env) rows() map[string]int {
	e.t.Helper()
	return teststore.Rows(e.t, e.db.MOURowCounts, e.db.WorkflowRowCounts, e.db.SigningRowCounts)
}

// unchanged runs refused, which must fail with code, and checks that no
// row changed.
func (e *env) unchanged(name, code string, refused func() error) {
	e.t.Helper()
	before := e.rows()
	err := refused()
	if got := codeOf(err); got != code {
		e.t.Errorf("%s: error %v (code %q), want code %q", name, err, got, code)
	}
	if after := e.rows(); !maps.Equal(before, after) {
		e.t.Errorf("%s: refused request changed rows: %v → %v", name, before, after)
	}
}

func codeOf(err error) string {
	if e, ok := moudesk.AsError(err); ok {
		return e.Code
	}
	var r *workflow.RuleError
	if errors.As(err, &r) {
		return r.Code
	}
	return fmt.Sprint(err)
}

func (e *env) createMOU() *desk.MOU {
	e.t.Helper()
	m, _, err := e.svc.CreateMOU(e.ctx, actorOf(e.drafter), desk.CreateMOURequest{
		Title: "Pleasanton SRO MOU", Template: "sro-mou",
		Parties:   map[string]string{"city": "pleasanton", "district": "pusd"},
		Variables: shipped.Variables(e.t),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) mou(id int64) *desk.MOU {
	e.t.Helper()
	m, err := e.svc.MOU(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// outcome has clerk record outcome at a new meeting of body on the
// current revision and returns the stage afterwards.
func (e *env) outcome(clerk *auth.Principal, id int64, body, outcome string, votes []workflow.Vote) string {
	e.t.Helper()
	mt, err := e.svc.CreateMeeting(e.ctx, actorOf(clerk), id, desk.NewMeeting{Body: body, Date: "2025-06-03", Revision: e.mou(id).CurrentRevision})
	if err != nil {
		e.t.Fatalf("meeting of %s: %v", body, err)
	}
	_, stage, err := e.svc.RecordOutcome(e.ctx, clerk, actorOf(clerk), mt.ID, desk.NewOutcome{Outcome: outcome, Votes: votes, Resolution: "2025-17"})
	if err != nil {
		e.t.Fatalf("%s %s: %v", body, outcome, err)
	}
	return stage
}

func ayes(n int) []workflow.Vote {
	out := make([]workflow.Vote, n)
	for i := range out {
		out[i] = workflow.Vote{Member: fmt.Sprintf("Member %d", i+1), Vote: "aye"}
	}
	return out
}

// toApproval takes a new MOU through liaison and joint review.
func (e *env) toApproval(id int64) {
	e.t.Helper()
	if _, err := e.svc.Transition(e.ctx, actorOf(e.drafter), id, "liaison_review", ""); err != nil {
		e.t.Fatal(err)
	}
	e.outcome(e.cityClerk, id, "liaison_committee", "forward", nil)
	if got := e.outcome(e.districtClerk, id, "joint_meeting", "forward", nil); got != "approval" {
		e.t.Fatalf("joint forward → %s", got)
	}
}

// approved builds an MOU in the signature stage with every line assigned.
func (e *env) approved() int64 {
	e.t.Helper()
	id := e.createMOU().ID
	e.toApproval(id)
	e.outcome(e.cityClerk, id, "city_council", "approve", ayes(5))
	if got := e.outcome(e.districtClerk, id, "school_board", "approve", ayes(5)); got != "signature" {
		e.t.Fatalf("board approve → %s", got)
	}
	_, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), id, []desk.Assignment{
		{Line: 1, Email: e.chief.Email}, {Line: 2, Email: e.superintendent.Email},
		{Line: 3, Email: e.manager.Email}, {Line: 4, Email: e.president.Email},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// hash is the content hash of the MOU's current revision.
func (e *env) hash(id int64) string {
	e.t.Helper()
	rev, err := e.svc.Revision(e.ctx, id, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return rev.ContentHash
}

func (e *env) sign(p *auth.Principal, id int64) (*desk.SignatureResult, error) {
	return e.svc.Sign(e.ctx, p, desk.Client{Addr: "192.0.2.1", UserAgent: "test", PublicURL: "https://moudesk.example.org"}, id,
		desk.SignRequest{TypedName: p.Name, Consent: true, Password: password})
}

func (e *env) documents(id int64) []desk.SigningDocument {
	e.t.Helper()
	docs, err := e.svc.SigningDocuments(e.ctx, id, e.mou(id).CurrentRevision)
	if err != nil {
		e.t.Fatal(err)
	}
	return docs
}

func TestSaveWithStaleBase(t *testing.T) {
	e := newEnv(t)
	m := e.createMOU()
	edit := func(base int, body string) error {
		_, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), m.ID, desk.RevisionRequest{Base: base, Message: "edit",
			Edits: []mou.Edit{{Op: "update", Key: "term", Body: &body}}})
		return err
	}
	if err := edit(1, "This MOU runs for two school years.\n"); err != nil {
		t.Fatal(err)
	}
	e.unchanged("save on revision 1 after revision 2", "stale_revision", func() error {
		return edit(1, "This MOU runs for three school years.\n")
	})
	if got := e.mou(m.ID).CurrentRevision; got != 2 {
		t.Fatalf("current revision %d after a refused stale save", got)
	}
}

func TestApprovalsGoStaleOnNewRevision(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	e.toApproval(id)
	e.outcome(e.cityClerk, id, "city_council", "approve", ayes(5))
	live, err := e.svc.LiveApprovals(e.ctx, id)
	if err != nil || len(live) != 1 || live[0].ContentHash != e.hash(id) {
		t.Fatalf("after the council's approval: %+v %v", live, err)
	}
	_, err = e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{Base: 1, Message: "after approval",
		Edits: []mou.Edit{{Op: "update", Key: "term", Body: new("This MOU runs for three school years.\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	if live, err := e.svc.LiveApprovals(e.ctx, id); err != nil || len(live) != 0 {
		t.Fatalf("live approvals after a new revision: %+v %v", live, err)
	}
	records, err := e.svc.ApprovalRecords(e.ctx, id)
	if err != nil || len(records) != 1 || !records[0].Stale {
		t.Fatalf("approval records after a new revision: %+v %v", records, err)
	}
	if got := e.mou(id).Stage; got != "draft" {
		t.Fatalf("stage after a revision in approval: %s", got)
	}
}

// TestEqualOrderSignaturesRace: the two lines of order 1 sign at the same
// moment; both succeed, one on top of the other, without a retry.
func TestEqualOrderSignaturesRace(t *testing.T) {
	e := newEnv(t)
	id := e.approved()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, p := range []*auth.Principal{e.chief, e.superintendent} {
		wg.Go(func() { _, errs[i] = e.sign(p, id) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("signatory %d: %v", i, err)
		}
	}
	docs := e.documents(id)
	if len(docs) != 4 || docs[2].Kind != desk.DocSignature || docs[3].Kind != desk.DocSignature {
		t.Fatalf("steps after two signatures: %+v", docs)
	}
	sigs, err := e.svc.Signatures(e.ctx, id, 1)
	if err != nil || len(sigs) != 2 || sigs[0].DocumentSeq != 2 || sigs[1].DocumentSeq != 3 {
		t.Fatalf("signatures: %+v %v", sigs, err)
	}
	e.unchanged("order 2 after order 1: a line signs twice", "signature_order", func() error {
		_, err := e.sign(e.chief, id)
		return err
	})
}

// TestLastSignatureSealsOnce: the two last lines (equal order) sign at
// once; exactly one of them is the last, and moudesk seals once.
func TestLastSignatureSealsOnce(t *testing.T) {
	e := newEnv(t)
	id := e.approved()
	for _, p := range []*auth.Principal{e.chief, e.superintendent} {
		if _, err := e.sign(p, id); err != nil {
			t.Fatal(err)
		}
	}
	results := make([]*desk.SignatureResult, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, p := range []*auth.Principal{e.manager, e.president} {
		wg.Go(func() { results[i], errs[i] = e.sign(p, id) })
	}
	wg.Wait()
	executed := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("signatory %d: %v", i, errs[i])
		}
		if results[i].Executed {
			executed++
		}
	}
	if executed != 1 {
		t.Fatalf("%d signatures reported executing the MOU", executed)
	}
	docs := e.documents(id)
	seals := 0
	for _, d := range docs {
		if d.Kind == desk.DocSeal {
			seals++
		}
	}
	if seals != 1 || docs[len(docs)-1].Kind != desk.DocSeal || len(docs) != 7 {
		t.Fatalf("signing steps: %+v", docs)
	}
	m := e.mou(id)
	if m.Stage != "executed" || m.ExecutedRevision == nil || *m.ExecutedRevision != 1 {
		t.Fatalf("MOU after the last signature: stage %s executed %v", m.Stage, m.ExecutedRevision)
	}
	events, err := e.svc.AuditEvents(e.ctx, desk.AuditFilter{Object: fmt.Sprintf("mou:%d", id)})
	if err != nil {
		t.Fatal(err)
	}
	executions := 0
	for _, ev := range events {
		if ev.Action == "mou.executed" {
			executions++
		}
	}
	if executions != 1 {
		t.Fatalf("%d mou.executed events", executions)
	}
	e.unchanged("a signature after execution", "signature_order", func() error {
		_, err := e.sign(e.manager, id)
		return err
	})
}

// TestRefusalsChangeNoRow: each refused act answers its code and leaves
// every row count as it was.
func TestRefusalsChangeNoRow(t *testing.T) {
	e := newEnv(t)
	draft := e.createMOU().ID
	id := e.approved()
	client := desk.Client{Addr: "192.0.2.9", UserAgent: "test", PublicURL: "https://moudesk.example.org"}
	req := func(p *auth.Principal) desk.SignRequest {
		return desk.SignRequest{TypedName: p.Name, Consent: true, Password: password}
	}
	// chiefSigns signs as the chief, whose turn it is, with the request
	// changed by edit.
	chiefSigns := func(edit func(*desk.SignRequest)) func() error {
		return func() error {
			r := req(e.chief)
			edit(&r)
			_, err := e.svc.Sign(e.ctx, e.chief, client, id, r)
			return err
		}
	}
	for _, tc := range []struct {
		name, code string
		act        func() error
	}{
		{"not a signatory", "not_signatory", func() error {
			_, err := e.svc.Sign(e.ctx, e.drafter, client, id, req(e.drafter))
			return err
		}},
		{"out of turn", "signature_order", func() error {
			_, err := e.svc.Sign(e.ctx, e.manager, client, id, req(e.manager))
			return err
		}},
		{"no consent", "consent_required", chiefSigns(func(r *desk.SignRequest) { r.Consent = false })},
		{"another's name", "name_mismatch", chiefSigns(func(r *desk.SignRequest) { r.TypedName = e.manager.Name })},
		{"wrong password", "wrong_password", chiefSigns(func(r *desk.SignRequest) { r.Password = "not it" })},
		{"pinned to other text", "stale_revision", chiefSigns(func(r *desk.SignRequest) { r.ContentHash = strings.Repeat("0", 64) })},
		{"pinned to another document", "document_changed", chiefSigns(func(r *desk.SignRequest) { r.DocumentSHA256 = "0000" })},
		{"a draft is not signed", "wrong_stage", func() error {
			_, err := e.svc.Signing(e.ctx, actorOf(e.chief), draft, client.PublicURL)
			return err
		}},
		{"skipping a stage", "stage_skipped", func() error {
			_, err := e.svc.Transition(e.ctx, actorOf(e.drafter), draft, "approval", "")
			return err
		}},
		{"a meeting of a body that does not act now", "body_not_acting", func() error {
			_, err := e.svc.CreateMeeting(e.ctx, actorOf(e.cityClerk), draft, desk.NewMeeting{Body: "city_council", Date: "2025-06-03", Revision: 1})
			return err
		}},
	} {
		e.unchanged(tc.name, tc.code, tc.act)
	}
}

// TestStoredRevisionCopies checks that readers of a remembered revision
// each get their own sections and variables: marking deviations on one
// copy must not show in the next; and that it is remembered: read again
// once the database is closed.
func TestStoredRevisionCopies(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	a, err := e.svc.Revision(e.ctx, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := a.Sections[0]
	a.Sections[0].Deviation, a.Sections[0].Body = true, "changed by a reader\n"
	for k := range a.Variables {
		a.Variables[k] = "changed by a reader"
	}
	e.db.Close()
	b, err := e.svc.Revision(e.ctx, id, 1)
	if err != nil {
		t.Fatalf("revision 1 was not remembered: %v", err)
	}
	if b.Sections[0] != want {
		t.Fatalf("a reader's change reached the next reader: %+v", b.Sections[0])
	}
	for k, v := range b.Variables {
		if v == "changed by a reader" {
			t.Fatalf("a reader's change to variable %s reached the next reader", k)
		}
	}
	if _, err := e.svc.Revision(e.ctx, id, 0); err == nil {
		t.Fatal("the current revision was answered from memory after the database closed")
	}
}

// TestNoRevisionOnceWithdrawn: a withdrawn MOU takes no new revision, and
// the refused save writes no row.
func TestNoRevisionOnceWithdrawn(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	if _, err := e.svc.Transition(e.ctx, actorOf(e.drafter), id, "withdrawn", "abandoned"); err != nil {
		t.Fatal(err)
	}
	e.unchanged("revision of a withdrawn MOU", workflow.CodeTerminalStage, func() error {
		_, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{Base: 1, Message: "late",
			Edits: []mou.Edit{{Op: "update", Key: "term", Body: new("Too late.\n")}}})
		return err
	})
}

// TestPartyScope: users act only on MOUs of their party and only for
// their own party within one; each refusal changes no row.
func TestPartyScope(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	countyDrafter := e.user("drafter@county.example", "Cory Drafter", "", "county", auth.RoleDrafter)
	countyClerk := e.user("clerk@county.example", "Cleo Clerk", "", "county", auth.RoleClerk)
	countyAdmin := e.user("admin@county.example", "Ada Admin", "", "county", auth.RoleAdmin)
	reviewer := e.user("trustee@district.example", "Tess Trustee", "", "pusd", auth.RoleReviewer)
	save := func(p *auth.Principal) error {
		_, err := e.svc.SaveRevision(e.ctx, actorOf(p), id, desk.RevisionRequest{Base: 1, Message: "edit",
			Edits: []mou.Edit{{Op: "update", Key: "term", Body: new("This MOU runs for two school years.\n")}}})
		return err
	}
	e.unchanged("a third party's drafter saves", "not_found", func() error { return save(countyDrafter) })
	e.unchanged("a third party's admin saves", "not_a_party", func() error { return save(countyAdmin) })
	e.unchanged("a third party's drafter withdraws", "not_found", func() error {
		_, err := e.svc.Transition(e.ctx, actorOf(countyDrafter), id, "withdrawn", "")
		return err
	})
	e.unchanged("a third party's clerk schedules a meeting", "not_found", func() error {
		_, err := e.svc.CreateMeeting(e.ctx, actorOf(countyClerk), id, desk.NewMeeting{Body: "liaison_committee", Date: "2025-06-03", Revision: 1})
		return err
	})
	e.unchanged("a third party's drafter assigns signatories", "not_found", func() error {
		_, err := e.svc.AssignSignatories(e.ctx, actorOf(countyDrafter), id, []desk.Assignment{{Line: 1, Email: e.chief.Email}})
		return err
	})
	e.unchanged("an MOU between two other bodies", "not_a_party", func() error {
		_, _, err := e.svc.CreateMOU(e.ctx, actorOf(countyDrafter), desk.CreateMOURequest{Title: "Not ours", Template: "sro-mou",
			Parties: map[string]string{"city": "pleasanton", "district": "pusd"}, Variables: shipped.Variables(t)})
		return err
	})
	if _, err := e.svc.VisibleMOU(e.ctx, actorOf(countyAdmin), id); err != nil {
		t.Errorf("an admin reads another party's MOU: %v", err)
	}
	if _, err := e.svc.VisibleMOU(e.ctx, actorOf(countyDrafter), id); codeOf(err) != "not_found" {
		t.Errorf("a third party reads the MOU: %v", err)
	}
	if list, err := e.svc.MOUsFor(e.ctx, actorOf(countyDrafter), "", 0, desk.NoLimit); err != nil || len(list) != 0 {
		t.Errorf("a third party lists %d MOUs (%v)", len(list), err)
	}
	if list, err := e.svc.MOUsFor(e.ctx, actorOf(e.drafter), "", 0, desk.NoLimit); err != nil || len(list) != 1 {
		t.Errorf("a party lists %d MOUs (%v)", len(list), err)
	}
	if _, err := e.svc.AuditFor(e.ctx, actorOf(e.drafter), desk.AuditFilter{}); codeOf(err) != "forbidden" {
		t.Errorf("a drafter reads the whole audit log: %v", err)
	}
	if _, err := e.svc.AuditFor(e.ctx, actorOf(countyDrafter), desk.AuditFilter{Object: fmt.Sprintf("mou:%d", id)}); codeOf(err) != "not_found" {
		t.Errorf("a third party reads the MOU's audit: %v", err)
	}

	// Within the MOU: the city clerk may not schedule the board's meeting,
	// and the city's drafter may not decline the district's feedback.
	if _, err := e.svc.Transition(e.ctx, actorOf(e.drafter), id, "liaison_review", ""); err != nil {
		t.Fatal(err)
	}
	mt, err := e.svc.CreateMeeting(e.ctx, actorOf(e.cityClerk), id, desk.NewMeeting{Body: "liaison_committee", Date: "2025-06-03", Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	fb, err := e.svc.CreateFeedback(e.ctx, actorOf(reviewer), mt.ID, "term", "Say three years.", "")
	if err != nil {
		t.Fatal(err)
	}
	e.unchanged("the city declines the district's feedback", "wrong_party", func() error {
		_, err := e.svc.DeclineFeedback(e.ctx, actorOf(e.drafter), fb.ID, "We disagree.")
		return err
	})
	if _, err := e.svc.DeclineFeedback(e.ctx, actorOf(e.districtClerk), fb.ID, "Three years is the district's term anyway."); err != nil {
		t.Fatalf("the raising party declines its feedback: %v", err)
	}
	e.outcome(e.cityClerk, id, "liaison_committee", "forward", nil)
	e.outcome(e.districtClerk, id, "joint_meeting", "forward", nil)
	e.unchanged("the city clerk schedules the board's meeting", "wrong_party", func() error {
		_, err := e.svc.CreateMeeting(e.ctx, actorOf(e.cityClerk), id, desk.NewMeeting{Body: "school_board", Date: "2025-06-10", Revision: 1})
		return err
	})
}

// TestAssignSignatories: a user of the line's party with the signatory
// role is assigned; every refusal writes nothing; once the revision is
// prepared for signing the assignment is locked. (The store only stores
// the line; these rules are the service's.)
func TestAssignSignatories(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	e.toApproval(id)
	e.outcome(e.cityClerk, id, "city_council", "approve", ayes(5))
	e.outcome(e.districtClerk, id, "school_board", "approve", ayes(5))
	assign := func(as ...desk.Assignment) error {
		_, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), id, as)
		return err
	}
	for name, tc := range map[string]struct {
		assign []desk.Assignment
		code   string
	}{
		"Empty":       {nil, "missing_field"},
		"LineZero":    {[]desk.Assignment{{Line: 0, Email: e.chief.Email}}, "unknown_line"},
		"LineFive":    {[]desk.Assignment{{Line: 5, Email: e.chief.Email}}, "unknown_line"},
		"Duplicate":   {[]desk.Assignment{{Line: 1, Email: e.chief.Email}, {Line: 1, Email: e.chief.Email}}, "duplicate_line"},
		"OtherParty":  {[]desk.Assignment{{Line: 2, Email: e.manager.Email}}, "wrong_party"},
		"NoRole":      {[]desk.Assignment{{Line: 1, Email: e.cityClerk.Email}}, "not_signatory_role"},
		"UnknownUser": {[]desk.Assignment{{Line: 1, Email: "ghost@city.example"}}, "unknown_user"},
		"SecondBad":   {[]desk.Assignment{{Line: 1, Email: e.chief.Email}, {Line: 2, Email: e.districtClerk.Email}}, "not_signatory_role"},
	} {
		e.unchanged(name, tc.code, func() error { return assign(tc.assign...) })
	}
	got, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), id, []desk.Assignment{
		{Line: 1, Email: " " + e.chief.Email}, {Line: 2, Email: e.superintendent.Email},
		{Line: 3, Email: e.manager.Email}, {Line: 4, Email: e.president.Email},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[1].Name != "Zoë Ortíz-Łukasz" || got[1].PartySlug != "pusd" || got[0].SignedAt != nil {
		t.Fatalf("assigned %+v", got)
	}
	if _, err := e.sign(e.chief, id); err != nil {
		t.Fatal(err)
	}
	e.unchanged("AfterPreparation", "signatories_locked", func() error { return assign(desk.Assignment{Line: 3, Email: e.manager.Email}) })
}
