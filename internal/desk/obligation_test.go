package desk_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/obligation"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/testtool"
)

// schools is the Pleasanton MOU's list of schools in these tests.
const schools = "Amador Valley High; Foothill High; Hart Middle"

// newClockedEnv is newEnv with one test clock for the store and the
// service, standing at the real time: signing checks certificates made
// now, and the MOUs' terms start in the future (term), where the test
// then moves the clock.
func newClockedEnv(t *testing.T) (*env, *testtool.Clock) {
	t.Helper()
	clock := testtool.NewClock(time.Now())
	db := teststore.OpenWith(t, sqlite.Options{Now: clock.Now})
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: shipped.Templates(t),
		Keys: &pdfsign.Keys{Authority: ca}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, db, svc), clock
}

// setClock moves clock to noon UTC of day (yyyy-mm-dd).
func setClock(clock *testtool.Clock, day string) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		panic(err)
	}
	clock.Advance(t.Add(12 * time.Hour).Sub(clock.Now()))
}

// The term of the MOUs here: three school years, after the real date the
// test starts at (the clock moves there after signing).
const (
	termStart = "2027-07-01"
	termEnd   = "2030-06-30"
)

// executedWithSchools makes an MOU with the shipped SRO template, its
// schools listed and a term from termStart to termEnd, and signs it
// through.
func (e *env) executedWithSchools() int64 {
	e.t.Helper()
	vars := shipped.Variables(e.t)
	vars["schools"] = schools
	vars["effective_date"], vars["expiration_date"] = termStart, termEnd
	m, _, err := e.svc.CreateMOU(e.ctx, actorOf(e.drafter), desk.CreateMOURequest{
		Title: "Pleasanton SRO MOU", Template: "sro-mou",
		Parties: map[string]string{"city": "pleasanton", "district": "pusd"}, Variables: vars})
	if err != nil {
		e.t.Fatal(err)
	}
	id := m.ID
	e.toApproval(id)
	e.outcome(e.cityClerk, id, "city_council", "approve", ayes(5))
	e.outcome(e.districtClerk, id, "school_board", "approve", ayes(5))
	if _, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), id, []desk.Assignment{
		{Line: 1, Email: e.chief.Email}, {Line: 2, Email: e.superintendent.Email},
		{Line: 3, Email: e.manager.Email}, {Line: 4, Email: e.president.Email},
	}); err != nil {
		e.t.Fatal(err)
	}
	e.signAll(id)
	return id
}

func (e *env) obligation(id int64, key string) desk.Obligation {
	e.t.Helper()
	obs, err := e.svc.ObligationsOf(e.ctx, actorOf(e.drafter), id, false)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range obs {
		if o.Key == key {
			return o
		}
	}
	e.t.Fatalf("MOU %d has no obligation %s", id, key)
	return desk.Obligation{}
}

func (e *env) submit(p *auth.Principal, id, oid int64, due int, data, reason string) (*desk.ReportInfo, error) {
	return e.svc.SubmitReport(e.ctx, actorOf(p), desk.SubmitReportRequest{MOUID: id, ObligationID: oid, Due: due,
		Data: []byte(data), Filename: "data.csv", Reason: reason})
}

func (e *env) obligationRows() map[string]int {
	e.t.Helper()
	return teststore.Rows(e.t, e.db.ObligationRowCounts)
}

// q3 is Foothill's and Amador's citations for the first quarter of the term.
const q3 = "school,month,student_group,citations,arrests\n" +
	"Foothill High,2027-07,all,0,0\n" +
	"Foothill High,2027-08,Black,3,1\n" +
	"Amador Valley High,2027-09,Hispanic or Latino,12,2\n"

func TestObligationsScheduleAndStates(t *testing.T) {
	e, clock := newClockedEnv(t)
	id := e.executedWithSchools()
	setClock(clock, "2027-10-15")

	obs, err := e.svc.ObligationsOf(e.ctx, actorOf(e.districtClerk), id, false)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, o := range obs {
		keys[o.Key] = o.Party
	}
	want := map[string]string{"citation-data": "pleasanton", "annual-report": "pusd", "training-records": "pleasanton",
		"complaint-summary": "pleasanton", "advisory-meetings": "pusd", "annual-review": "pusd"}
	if !maps.Equal(keys, want) {
		t.Fatalf("obligations %v, want %v", keys, want)
	}

	cit := e.obligation(id, "citation-data")
	if cit.Every != "quarterly" || cit.By != "30 days" || cit.Dataset != "citations" {
		t.Fatalf("citation-data %+v", cit)
	}
	// Twelve calendar quarters from July 2027 through June 2030.
	if len(cit.Dues) != 12 {
		t.Fatalf("%d dues, want 12", len(cit.Dues))
	}
	first, last := cit.Dues[0], cit.Dues[11]
	if first.Label != "2027-Q3" || first.Start != "2027-07-01" || first.End != "2027-09-30" || first.DueOn != "2027-10-30" {
		t.Errorf("first due %+v", first)
	}
	if last.Label != "2030-Q2" || last.End != "2030-06-30" || last.DueOn != "2030-07-30" {
		t.Errorf("last due %+v", last)
	}
	if first.State != obligation.StateDue || cit.Dues[1].State != obligation.StateUpcoming || cit.State != obligation.StateDue {
		t.Errorf("on 2027-10-15: first %s, second %s, obligation %s", first.State, cit.Dues[1].State, cit.State)
	}
	training := e.obligation(id, "training-records")
	if len(training.Dues) != 3 || training.Dues[0].End != "2028-06-30" || training.Dues[0].DueOn != "2028-07-30" {
		t.Errorf("training dues %+v", training.Dues)
	}

	// A week before the due day the first quarter is due soon; a day
	// after it, late, and the reminders are recorded once each.
	clock.Advance(9 * 24 * time.Hour) // 2027-10-24
	if d := e.obligation(id, "citation-data").Dues[0]; !d.DueSoon || d.State != obligation.StateDue {
		t.Errorf("on 2027-10-24: %+v", d)
	}
	if n, err := e.svc.RecordObligationEvents(e.ctx); err != nil || n == 0 {
		t.Fatalf("due-soon events: %d, %v", n, err)
	}
	clock.Advance(7 * 24 * time.Hour) // 2027-10-31
	cit = e.obligation(id, "citation-data")
	if cit.Dues[0].State != obligation.StateLate || cit.State != obligation.StateLate || cit.Late != 1 {
		t.Errorf("on 2027-10-31: %s, obligation %s, %d late", cit.Dues[0].State, cit.State, cit.Late)
	}
	// The advisory team's first quarterly meeting is late too: its
	// quarter ended without one.
	late, err := e.svc.ObligationsOf(e.ctx, actorOf(e.drafter), id, true)
	if err != nil {
		t.Fatal(err)
	}
	var lateKeys []string
	for _, o := range late {
		lateKeys = append(lateKeys, o.Key)
	}
	if strings.Join(lateKeys, ",") != "citation-data,advisory-meetings" {
		t.Errorf("late obligations %v", lateKeys)
	}
	if _, err := e.svc.RecordObligationEvents(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.RecordObligationEvents(e.ctx); err != nil || n != 0 {
		t.Errorf("a second run recorded %d events (%v)", n, err)
	}
	// Each reminder is handed to the notifications in the transaction that
	// records it: none waits undelivered.
	if waiting, err := e.svc.ObligationEvents(e.ctx, 0, desk.NoLimit, true); err != nil || len(waiting) != 0 {
		t.Fatalf("undelivered reminders: %+v, %v", waiting, err)
	}
	events, err := e.svc.ObligationEvents(e.ctx, 0, desk.NoLimit, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, ev := range events {
		if ev.DueID == cit.Dues[0].ID {
			kinds[ev.Kind]++
			if ev.Party != "pleasanton" || ev.MOUID != id || ev.DeliveredAt == nil {
				t.Errorf("event %+v", ev)
			}
		}
	}
	if kinds[desk.EventDueSoon] != 1 || kinds[desk.EventLate] != 1 {
		t.Errorf("events for the first quarter: %v", kinds)
	}
	if err := e.svc.MarkObligationEventDelivered(e.ctx, events[0].ID); codeOf(err) != "already_delivered" {
		t.Errorf("delivered twice: %v", err)
	}
	// The owing party's staff are told, once per reminder; the other
	// party's are not.
	notices := func(p *auth.Principal) map[string]int {
		t.Helper()
		list, err := e.svc.MyNotifications(e.ctx, actorOf(p), false, 0, desk.NoLimit)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, n := range list {
			if n.Kind == desk.NoticeObligation && n.MOUID == id && strings.Contains(n.Subject, cit.What) && strings.Contains(n.Subject, "2027-Q3") {
				out[strings.SplitN(n.Subject, ":", 2)[0]]++
			}
		}
		return out
	}
	if got := notices(e.drafter); got["Due soon"] != 1 || got["Late"] != 1 {
		t.Errorf("the city's drafter was told %v about the first quarter's citation data", got)
	}
	if got := notices(e.districtClerk); len(got) != 0 {
		t.Errorf("the district's clerk was told %v about the city's obligation", got)
	}

	// The first quarter is reported late, the second on time.
	clock.Advance(5 * 24 * time.Hour) // 2027-11-05
	r1, err := e.submit(e.drafter, id, cit.ID, 0, q3, "")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version != 1 || r1.Rows != 3 || r1.SHA256 == "" {
		t.Errorf("report %+v", r1)
	}
	clock.Advance(66 * 24 * time.Hour) // 2028-01-10
	q4 := "school,month,student_group,citations,arrests\nHart Middle,2027-11,all,2,0\n"
	if _, err := e.submit(e.cityClerk, id, cit.ID, 0, q4, ""); err != nil {
		t.Fatal(err)
	}
	cit = e.obligation(id, "citation-data")
	if d := cit.Dues[0]; d.State != obligation.StateMet || !d.SubmittedLate {
		t.Errorf("first quarter: %s, late %v", d.State, d.SubmittedLate)
	}
	if d := cit.Dues[1]; d.State != obligation.StateMet || d.SubmittedLate {
		t.Errorf("second quarter: %s, late %v", d.State, d.SubmittedLate)
	}
	if cit.State != obligation.StateUpcoming {
		t.Errorf("obligation state %s after both quarters, want upcoming", cit.State)
	}

	// The public read model has the rows with raw counts.
	pub, err := e.svc.PublicObligations(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var table *obligation.Table
	for _, po := range pub {
		if po.Key == "citation-data" {
			if po.Dues[0].Current == nil || po.Dues[0].Current.Table == nil || !po.Dues[0].SubmittedLate {
				t.Fatalf("public first quarter %+v", po.Dues[0])
			}
			table = po.Dues[0].Current.Table
		}
	}
	if table == nil || len(table.Rows) != 3 || strings.Join(table.Rows[1], ",") != "Foothill High,2027-08,Black,3,1" {
		t.Fatalf("public table %+v", table)
	}
}

func TestReportRefusals(t *testing.T) {
	e, clock := newClockedEnv(t)
	id := e.executedWithSchools()
	setClock(clock, "2027-10-15")
	cit := e.obligation(id, "citation-data")
	head := "school,month,student_group,citations,arrests\n"

	refused := func(name, code, field string, fn func() error) {
		t.Helper()
		before := e.obligationRows()
		err := fn()
		if got := codeOf(err); got != code {
			t.Errorf("%s: %v (code %q), want %q", name, err, got, code)
		}
		if field != "" {
			if ce, ok := moudesk.AsError(err); !ok || ce.Field != field {
				t.Errorf("%s: field %+v, want %q", name, err, field)
			}
		}
		if after := e.obligationRows(); !maps.Equal(before, after) {
			t.Errorf("%s changed rows: %v → %v", name, before, after)
		}
	}
	for _, c := range []struct{ name, csv, field, inMessage string }{
		{"WrongHeader", "school,month,group,citations,arrests\nFoothill High,2027-07,all,0,0\n", "file.row[1].student_group", "header"},
		{"NotANumber", head + "Foothill High,2027-07,all,0,0\nFoothill High,2027-08,all,three,0\n", "file.row[3].citations", "three"},
		{"NegativeCount", head + "Foothill High,2027-07,all,-1,0\n", "file.row[2].citations", "count"},
		{"MonthOutsidePeriod", head + "Foothill High,2027-10,all,1,0\n", "file.row[2].month", "outside the period"},
		{"UnknownSchool", head + "Springfield Elementary,2027-07,all,1,0\n", "file.row[2].school", "not a school of this MOU"},
		{"ShortRow", head + "Foothill High,2027-07,all,1\n", "file.row[2]", "4 cells"},
		{"DuplicateRow", head + "Foothill High,2027-07,all,1,0\nfoothill high,2027-07,all,2,0\n", "file.row[3]", "repeats row 2"},
		{"Blank", "\n", "file.row[1]", "empty"},
		{"Formula", head + "Foothill High,2027-07,=HYPERLINK(x),1,0\n", "file.row[2].student_group", "formula"},
		{"HeaderOnly", head, "file.row[2]", "no rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(c.name, "invalid_dataset", c.field, func() error {
				_, err := e.submit(e.drafter, id, cit.ID, 0, c.csv, "")
				if err != nil && !strings.Contains(err.Error(), c.inMessage) {
					t.Errorf("message %q lacks %q", err.Error(), c.inMessage)
				}
				return err
			})
		})
	}
	t.Run("WrongParty", func(t *testing.T) {
		refused("district clerk", "wrong_party", "", func() error {
			_, err := e.submit(e.districtClerk, id, cit.ID, 0, q3, "")
			return err
		})
	})
	t.Run("TooLarge", func(t *testing.T) {
		big := head + strings.Repeat("Foothill High,2027-07,all,0,0\n", 20<<20/30+1)
		refused("20 MiB", "too_large", "", func() error {
			_, err := e.submit(e.drafter, id, cit.ID, 0, big, "")
			return err
		})
	})
	t.Run("NotExecuted", func(t *testing.T) {
		draft := e.createMOU().ID
		refused("draft MOU", "not_executed", "", func() error {
			_, err := e.submit(e.drafter, draft, cit.ID, 0, q3, "")
			return err
		})
	})
	t.Run("OtherMOUsObligation", func(t *testing.T) {
		refused("obligation of another MOU", "not_found", "", func() error {
			_, err := e.svc.SubmitReport(e.ctx, actorOf(e.drafter), desk.SubmitReportRequest{MOUID: id, ObligationID: 987654, Data: []byte(q3)})
			return err
		})
	})
	t.Run("PeriodNotStarted", func(t *testing.T) {
		refused("a future quarter", "period_not_started", "due", func() error {
			_, err := e.submit(e.drafter, id, cit.ID, 5, q3, "")
			return err
		})
	})
	t.Run("Meetings", func(t *testing.T) {
		adv := e.obligation(id, "advisory-meetings")
		mts, err := e.svc.Meetings(e.ctx, id, 0, desk.NoLimit)
		if err != nil || len(mts) == 0 {
			t.Fatalf("meetings of the MOU: %v, %v", mts, err)
		}
		meet := func(meeting int64, data string) error {
			_, err := e.svc.SubmitReport(e.ctx, actorOf(e.districtClerk), desk.SubmitReportRequest{MOUID: id, ObligationID: adv.ID, Due: 1,
				MeetingID: meeting, Data: []byte(data)})
			return err
		}
		refused("a meeting before the period", "meeting_outside_period", "meeting", func() error { return meet(mts[0].ID, "") })
		refused("no such meeting", "unknown_meeting", "meeting", func() error { return meet(987654, "") })
		refused("a file for a meeting duty", "missing_field", "meeting", func() error { return meet(0, q3) })
		refused("the city for the district's meeting", "wrong_party", "", func() error {
			_, err := e.svc.SubmitReport(e.ctx, actorOf(e.cityClerk), desk.SubmitReportRequest{MOUID: id, ObligationID: adv.ID, Due: 1, MeetingID: mts[0].ID})
			return err
		})
	})
	t.Run("DocumentNotPDF", func(t *testing.T) {
		ar := e.obligation(id, "complaint-summary")
		clock.Advance(400 * 24 * time.Hour)
		defer clock.Advance(-400 * 24 * time.Hour)
		refused("a text file as a PDF", "not_pdf", "file", func() error {
			_, err := e.submit(e.drafter, id, ar.ID, 0, "just text", "")
			return err
		})
	})
}

func TestReportCorrectionIsANewVersion(t *testing.T) {
	e, clock := newClockedEnv(t)
	id := e.executedWithSchools()
	setClock(clock, "2027-10-15")
	cit := e.obligation(id, "citation-data")
	if _, err := e.submit(e.drafter, id, cit.ID, 1, q3, ""); err != nil {
		t.Fatal(err)
	}
	before := e.obligationRows()
	fixed := strings.Replace(q3, "Black,3,1", "Black,4,1", 1)
	if _, err := e.submit(e.drafter, id, cit.ID, 1, fixed, ""); codeOf(err) != "report_exists" {
		t.Fatalf("second report without a reason: %v", err)
	}
	if after := e.obligationRows(); !maps.Equal(before, after) {
		t.Fatalf("refused correction changed rows: %v → %v", before, after)
	}
	r2, err := e.submit(e.drafter, id, cit.ID, 1, fixed, "One citation at Foothill in August was recorded late.")
	if err != nil {
		t.Fatal(err)
	}
	if r2.Version != 2 || r2.Reason == "" {
		t.Fatalf("correction %+v", r2)
	}
	d := e.obligation(id, "citation-data").Dues[0]
	if len(d.Reports) != 2 || d.Reports[0].SHA256 == d.Reports[1].SHA256 {
		t.Fatalf("versions %+v", d.Reports)
	}
	// Both versions stay readable; the stored CSV is what its hash names.
	for _, ri := range d.Reports {
		r, err := e.svc.ReportOf(e.ctx, actorOf(e.districtClerk), id, cit.ID, ri.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256Of(r.Data); got != ri.SHA256 {
			t.Errorf("version %d: stored bytes hash %s, recorded %s", ri.Version, got, ri.SHA256)
		}
	}
	pub, err := e.svc.PublicObligations(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, po := range pub {
		if po.Key == "citation-data" {
			cur := po.Dues[0].Current
			if cur == nil || cur.Version != 2 || !bytes.Contains([]byte(strings.Join(cur.Table.Rows[1], ",")), []byte("Black,4,1")) {
				t.Fatalf("current version %+v", cur)
			}
		}
	}
}

func TestWaiveDue(t *testing.T) {
	e, clock := newClockedEnv(t)
	id := e.executedWithSchools()
	setClock(clock, "2028-02-15")
	cit := e.obligation(id, "citation-data")
	reason := "The schools were closed all quarter; there is no data to report."
	if err := e.svc.WaiveDue(e.ctx, actorOf(e.districtClerk), desk.WaiveRequest{MOUID: id, ObligationID: cit.ID, Due: 2, Reason: reason}); codeOf(err) != "wrong_party" {
		t.Errorf("the district waiving the city's duty: %v", err)
	}
	if err := e.svc.WaiveDue(e.ctx, actorOf(e.cityClerk), desk.WaiveRequest{MOUID: id, ObligationID: cit.ID, Due: 2}); codeOf(err) != "missing_field" {
		t.Errorf("a waiver without a reason: %v", err)
	}
	if err := e.svc.WaiveDue(e.ctx, actorOf(e.cityClerk), desk.WaiveRequest{MOUID: id, ObligationID: cit.ID, Due: 2, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.WaiveDue(e.ctx, actorOf(e.cityClerk), desk.WaiveRequest{MOUID: id, ObligationID: cit.ID, Due: 2, Reason: reason}); codeOf(err) != "already_waived" {
		t.Errorf("waived twice: %v", err)
	}
	d := e.obligation(id, "citation-data").Dues[1]
	if d.State != obligation.StateWaived || d.Waiver == nil || d.Waiver.Reason != reason || d.Waiver.WaivedBy != e.cityClerk.Email {
		t.Errorf("waived due %+v", d)
	}
	if _, err := e.submit(e.drafter, id, cit.ID, 2, q3, ""); codeOf(err) != "waived" {
		t.Errorf("a report for a waived period: %v", err)
	}
}

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestDrafterEditsObligations: obligations are part of the revision — a
// save may replace them (checked, 422 naming the field, nothing stored),
// the content hash covers them, and a new reporting interval refills the
// duties the clauses declared.
func TestDrafterEditsObligations(t *testing.T) {
	e := newEnv(t)
	m := e.createMOU()
	rev1, err := e.svc.Revision(e.ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev1.Obligations) != 6 || !strings.Contains(rev1.Markdown(), "## Obligations\n\n1. ") {
		t.Fatalf("revision 1 obligations %+v", rev1.Obligations)
	}
	save := func(req desk.RevisionRequest) error {
		req.Base, req.Message = e.mou(m.ID).CurrentRevision, "obligations"
		_, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), m.ID, req)
		return err
	}
	bad := append([]mou.Obligation{}, rev1.Obligations...)
	bad[0].Every = "weekly"
	e.unchanged("a weekly interval", "invalid_interval", func() error { return save(desk.RevisionRequest{Obligations: bad}) })
	bad[0].Every, bad[0].Party = "quarterly", "county"
	e.unchanged("a party not on the MOU", "unknown_party", func() error { return save(desk.RevisionRequest{Obligations: bad}) })
	bad[0].Party, bad[0].Evidence, bad[0].Dataset = "city", "dataset", "nonesuch"
	e.unchanged("an unknown dataset", "unknown_dataset", func() error { return save(desk.RevisionRequest{Obligations: bad}) })

	edited := append([]mou.Obligation{}, rev1.Obligations...)
	edited = append(edited, mou.Obligation{Key: "quarterly-briefing", Party: "district", What: "Brief the advisory team on the SROs' work",
		Every: "quarterly", By: "15 days", Evidence: "document"})
	if err := save(desk.RevisionRequest{Obligations: edited}); err != nil {
		t.Fatal(err)
	}
	rev2, err := e.svc.Revision(e.ctx, m.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev2.Obligations) != 7 || rev2.ContentHash == rev1.ContentHash {
		t.Fatalf("revision 2: %d obligations, hash changed %v", len(rev2.Obligations), rev2.ContentHash != rev1.ContentHash)
	}

	if err := save(desk.RevisionRequest{Variables: map[string]string{"reporting_interval": "monthly"}}); err != nil {
		t.Fatal(err)
	}
	rev3, err := e.svc.Revision(e.ctx, m.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rev3.Obligations {
		if o.Key == "citation-data" && o.Every != "monthly" {
			t.Errorf("citation-data every %s after reporting_interval monthly", o.Every)
		}
	}
	if len(rev3.Obligations) != 7 {
		t.Errorf("the drafter's own duty was lost: %d", len(rev3.Obligations))
	}
	e.unchanged("reporting_interval weekly", "invalid_interval", func() error {
		return save(desk.RevisionRequest{Variables: map[string]string{"reporting_interval": "weekly"}})
	})
}
