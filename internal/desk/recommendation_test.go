package desk_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/teststore"
)

// duluthReport is the SRO Advisory Team's source, as the June 2022
// Committee of the Whole presentation gives it (seed 003).
var duluthReport = desk.RecommendationSource{Body: "SRO Advisory Team", Title: "SRO Update: Recommendations for New Contract", Date: "2022-06-07"}

// duluthFive are the five recommendations of the Duluth replay.
func duluthFive() []desk.NewRecommendation {
	texts := []string{
		"Assign SROs to sites during teacher work days and professional development days",
		"Ensure that there is full coverage on days when SROs are on vacation",
		"Change contract start date and other dates to follow the school year calendar",
		"Publicly share training that is scheduled or completed, and discipline and citation data",
		"Develop and clarify the process for making a complaint and concern",
	}
	out := make([]desk.NewRecommendation, len(texts))
	for i, text := range texts {
		src := duluthReport
		src.Item = []string{"OC-1", "OC-2", "OC-3", "CT-3", "CT-1"}[i]
		out[i] = desk.NewRecommendation{Source: src, Text: text}
	}
	return out
}

// recRows counts the rows recommendations touch with the MOU's.
func (e *env) recRows() map[string]int {
	e.t.Helper()
	return teststore.Rows(e.t, e.db.MOURowCounts, e.db.RecommendationRowCounts)
}

// refusedRec runs refused, which must fail with code naming field, and
// checks that no row changed.
func (e *env) refusedRec(name, code, field string, refused func() error) {
	e.t.Helper()
	before := e.recRows()
	err := refused()
	if got := codeOf(err); got != code {
		e.t.Errorf("%s: error %v (code %q), want code %q", name, err, got, code)
	}
	if field != "" {
		if me, ok := moudesk.AsError(err); !ok || me.Field != field {
			e.t.Errorf("%s: error %v does not name field %q", name, err, field)
		}
	}
	if after := e.recRows(); !maps.Equal(before, after) {
		e.t.Errorf("%s: refused request changed rows: %v → %v", name, before, after)
	}
}

// reviseForDuluth saves revision 2 of MOU id: the teacher-work-day and
// vacation sections rewritten, and a section on publishing training and
// citation data added after data-reporting.
func (e *env) reviseForDuluth(id int64) {
	e.t.Helper()
	_, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{Base: 1, Message: "Advisory team recommendations",
		Edits: []mou.Edit{
			{Op: "update", Key: "work-days", Body: new("The Department assigns each SRO to their school on teacher work days and professional-development days.\n")},
			{Op: "update", Key: "vacation-coverage", Body: new("SROs take vacation outside school days where they can; otherwise the Department provides full coverage.\n")},
			{Op: "add", Key: "public-data", After: new("data-reporting"), Heading: new("Public Training and Citation Data"),
				Body: new("The District publishes each quarter the training SROs completed and the discipline and citation data of every school.\n")},
		}})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestRecommendationsDuluth replays the Duluth advisory team's five
// recommendations: entered at once from the report, three adopted by
// sections of revision 2, one met by revision 1's text, one deferred with
// a reason; the matrix lists each with its disposition and the sections
// quoted, and the record keeps every disposition.
func TestRecommendationsDuluth(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	recs, err := e.svc.AddRecommendations(e.ctx, e.cityClerk, actorOf(e.cityClerk), id, duluthFive())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0].Current.Disposition != desk.RecOpen || recs[4].Source.Item != "CT-1" || recs[0].EnteredBy != e.cityClerk.Email {
		t.Fatalf("added: %+v", recs)
	}
	e.reviseForDuluth(id)
	dispose := func(p *auth.Principal, i int, d desk.NewDisposition) *desk.Recommendation {
		t.Helper()
		r, err := e.svc.Dispose(e.ctx, p, actorOf(p), id, recs[i].ID, d)
		if err != nil {
			t.Fatalf("dispose of %q: %v", recs[i].Text, err)
		}
		return r
	}
	// A first answer, then a change of mind: latest wins, history kept.
	dispose(e.drafter, 0, desk.NewDisposition{Disposition: desk.RecDeferred, Reason: "DPD staffing to be confirmed"})
	r := dispose(e.drafter, 0, desk.NewDisposition{Disposition: desk.RecAdopted, Sections: []string{"work-days"}, Revision: 2})
	if len(r.History) != 3 || r.History[1].Disposition != desk.RecDeferred || r.Current.Disposition != desk.RecAdopted {
		t.Fatalf("history of the first recommendation: %+v", r.History)
	}
	dispose(e.drafter, 1, desk.NewDisposition{Disposition: desk.RecAdopted, Sections: []string{"vacation-coverage"}, Revision: 2})
	dispose(e.cityClerk, 2, desk.NewDisposition{Disposition: desk.RecMet, Sections: []string{"school-year", "term"}, Revision: 1,
		Reason: "The shipped text already follows the school-year calendar"})
	dispose(e.drafter, 3, desk.NewDisposition{Disposition: desk.RecAdopted, Sections: []string{"public-data", "data-reporting"}, Revision: 2})
	dispose(e.districtClerk, 4, desk.NewDisposition{Disposition: desk.RecDeferred, Reason: "The district and DPD will draft the complaint process with the advisory team for the next contract"})

	mx, err := e.svc.Matrix(e.ctx, actorOf(e.districtClerk), id)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{desk.RecAdopted, desk.RecAdopted, desk.RecMet, desk.RecAdopted, desk.RecDeferred}
	if len(mx.Rows) != 5 {
		t.Fatalf("matrix rows: %+v", mx.Rows)
	}
	for i, row := range mx.Rows {
		if row.Disposition != want[i] || row.Text != duluthFive()[i].Text {
			t.Errorf("row %d: %q %s, want %s", i, row.Text, row.Disposition, want[i])
		}
	}
	if c := mx.Counts; c[desk.RecAdopted] != 3 || c[desk.RecMet] != 1 || c[desk.RecDeferred] != 1 || c[desk.RecOpen] != 0 {
		t.Errorf("counts: %v", c)
	}
	pub := mx.Rows[3].Sections
	if len(pub) != 2 || pub[0].Key != "public-data" || pub[0].Heading != "Public Training and Citation Data" ||
		pub[0].Link != desk.SectionLink(id, 2, "public-data") || pub[1].Number != pub[0].Number-1 {
		t.Errorf("sections of the data recommendation: %+v", pub)
	}
	if met := mx.Rows[2]; met.Revision != 1 || met.Sections[0].Heading != "School-Year Dates and Duty Calendar" || met.Reason == "" {
		t.Errorf("met row: %+v", met)
	}
	if mx.Rows[4].Reason == "" || len(mx.Rows[4].Sections) != 0 || mx.Rows[0].EnteredBy == "" || len(mx.Rows[0].History) != 3 {
		t.Errorf("deferred row %+v, first row %+v", mx.Rows[4], mx.Rows[0])
	}

	doc, err := e.svc.MatrixPDF(e.ctx, actorOf(e.drafter), id, "letter")
	if err != nil || doc.Pages < 1 {
		t.Fatalf("matrix PDF: %v", err)
	}
	again, err := e.svc.MatrixPDF(e.ctx, actorOf(e.drafter), id, "letter")
	if err != nil || again.ETag != doc.ETag {
		t.Errorf("the same matrix typeset twice differs: %v", err)
	}

	events, err := e.svc.AuditFor(e.ctx, moudesk.System, desk.AuditFilter{Object: fmt.Sprintf("recommendation:%d", recs[0].ID)})
	if err != nil || len(events) != 3 || events[0].Action != "recommendation.create" || events[2].Action != "recommendation.dispose" ||
		!strings.Contains(string(events[2].Details), `"credential":"session"`) || !strings.Contains(events[2].Actor, e.drafter.Email) {
		t.Errorf("audit of the first recommendation: %+v %v", events, err)
	}
}

// TestRecommendationRefusals: bad input and acts by the wrong people are
// refused with the code and field, and write no row.
func TestRecommendationRefusals(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	other := e.createMOU().ID
	recs, err := e.svc.AddRecommendations(e.ctx, e.drafter, actorOf(e.drafter), id, duluthFive()[:2])
	if err != nil {
		t.Fatal(err)
	}
	rid := recs[0].ID
	outsider := e.user("clerk@county.example", "Cy County", "", "county", auth.RoleClerk)
	admin := e.user("admin@county.example", "Ada Admin", "", "county", auth.RoleAdmin)
	reviewer := e.user("reviewer@city.example", "Rae Reviewer", "", "pleasanton", auth.RoleReviewer)
	dispose := func(p *auth.Principal, mouID, rid int64, d desk.NewDisposition) func() error {
		return func() error { _, err := e.svc.Dispose(e.ctx, p, actorOf(p), mouID, rid, d); return err }
	}
	add := func(p *auth.Principal, in []desk.NewRecommendation) func() error {
		return func() error { _, err := e.svc.AddRecommendations(e.ctx, p, actorOf(p), id, in); return err }
	}
	adopted := func(rev int, keys ...string) desk.NewDisposition {
		return desk.NewDisposition{Disposition: desk.RecAdopted, Sections: keys, Revision: rev}
	}
	bad := duluthFive()
	bad[3].Source.Body = ""
	badDate := duluthFive()[:1]
	badDate[0].Source.Date = "7 June 2022"

	e.refusedRec("UnknownSection", "unknown_section", "sections[1]", dispose(e.drafter, id, rid, adopted(1, "work-days", "no-such-section")))
	e.refusedRec("SectionOfALaterRevision", "unknown_section", "sections[0]", dispose(e.drafter, id, rid, adopted(1, "public-data")))
	e.refusedRec("UnknownRevision", "unknown_revision", "revision", dispose(e.drafter, id, rid, adopted(2, "work-days")))
	e.refusedRec("UnknownDisposition", "unknown_disposition", "disposition", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: "ignored", Reason: "x"}))
	e.refusedRec("BackToOpen", "invalid_disposition", "disposition", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: desk.RecOpen}))
	e.refusedRec("DeclinedWithoutReason", "missing_field", "reason", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: desk.RecDeclined, Reason: "  "}))
	e.refusedRec("DeferredWithoutReason", "missing_field", "reason", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: desk.RecDeferred}))
	e.refusedRec("AdoptedWithoutSections", "missing_field", "sections", dispose(e.drafter, id, rid, adopted(1)))
	e.refusedRec("MetWithoutRevision", "missing_field", "revision", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: desk.RecMet, Sections: []string{"term"}}))
	e.refusedRec("SectionTwice", "duplicate_section", "sections[1]", dispose(e.drafter, id, rid, adopted(1, "term", "term")))
	e.refusedRec("DeclinedWithSections", "unexpected_field", "sections", dispose(e.drafter, id, rid, desk.NewDisposition{Disposition: desk.RecDeclined, Reason: "no", Sections: []string{"term"}}))
	e.refusedRec("RecommendationOfAnotherMOU", "not_found", "", dispose(e.drafter, other, rid, adopted(1, "term")))
	e.refusedRec("NoSuchRecommendation", "not_found", "", dispose(e.drafter, id, rid+1000, adopted(1, "term")))
	e.refusedRec("NonPartyDispose", "not_found", "", dispose(outsider, id, rid, adopted(1, "term")))
	e.refusedRec("NonPartyAdd", "not_found", "", add(outsider, duluthFive()))
	e.refusedRec("AdminOfAnotherParty", "not_a_party", "", dispose(admin, id, rid, adopted(1, "term")))
	e.refusedRec("AdminAdds", "not_a_party", "", add(admin, duluthFive()))
	e.refusedRec("Reviewer", "forbidden", "", dispose(reviewer, id, rid, adopted(1, "term")))
	e.refusedRec("EmptyImport", "missing_field", "recommendations", add(e.drafter, nil))
	e.refusedRec("ImportIsAllOrNothing", "missing_field", "recommendations[3].source.body", add(e.drafter, bad))
	e.refusedRec("BadDate", "invalid_date", "recommendations[0].source.date", add(e.drafter, badDate))

	if _, err := e.svc.Matrix(e.ctx, actorOf(outsider), id); codeOf(err) != "not_found" {
		t.Errorf("matrix for a non-party: %v", err)
	}
	if _, err := e.svc.PublicMatrix(e.ctx, id); codeOf(err) != "not_found" {
		t.Errorf("public matrix of a draft: %v", err)
	}
}

// TestPublicMatrix: once the MOU is executed its matrix is public, without
// staff names or history, linked into the executed text; and it is closed
// to further recommendations.
func TestPublicMatrix(t *testing.T) {
	e := newEnv(t)
	id := e.approved()
	recs, err := e.svc.AddRecommendations(e.ctx, e.drafter, actorOf(e.drafter), id, duluthFive()[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Dispose(e.ctx, e.drafter, actorOf(e.drafter), id, recs[0].ID,
		desk.NewDisposition{Disposition: desk.RecMet, Sections: []string{"work-days"}, Revision: 1}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{e.chief, e.superintendent, e.manager, e.president} {
		if _, err := e.sign(p, id); err != nil {
			t.Fatal(err)
		}
	}
	mx, err := e.svc.PublicMatrix(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(mx.Rows) != 2 || mx.Rows[0].Disposition != desk.RecMet || mx.Rows[1].Disposition != desk.RecOpen {
		t.Fatalf("public matrix: %+v", mx.Rows)
	}
	for _, row := range mx.Rows {
		if row.EnteredBy != "" || row.DecidedBy != "" || row.History != nil {
			t.Errorf("public row shows staff's: %+v", row)
		}
	}
	if s := mx.Rows[0].Sections; len(s) != 1 || !strings.HasPrefix(s[0].Link, "/public/mous/") || !strings.HasSuffix(s[0].Link, "#p-work-days") {
		t.Errorf("public sections: %+v", s)
	}
	e.refusedRec("AfterExecution", "mou_closed", "", func() error {
		_, err := e.svc.AddRecommendations(e.ctx, e.drafter, actorOf(e.drafter), id, duluthFive()[2:3])
		return err
	})
}
