package web_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/testtool"
	"github.com/moudesk/moudesk/internal/web"
	"github.com/moudesk/moudesk/templates"
)

// The seeds' processes replayed through the API as each jurisdiction's
// clerks would, with the meetings the seeds tell of and no others: the
// public record and the certificate must never carry a meeting that did
// not take place.

// seedParty is one party of a seed, with the people who act for it.
type seedParty struct {
	role, slug, name, kind, body string
	drafter, clerk, reviewer     string      // tokens
	signers                      []signatory // by signature line order of the party
}

// seedEnv is a real server with a seed's parties.
type seedEnv struct {
	*wfEnv
	parties map[string]*seedParty // by role
	admin   string
}

// signerSpec is a signatory to create for a party: their own name and
// title, which the signed PDF must show.
type signerSpec struct{ name, title string }

func newSeedEnv(t *testing.T, parties []*seedParty, signers map[string][]signerSpec) *seedEnv {
	t.Helper()
	return newSeedEnvAt(t, time.Now, parties, signers)
}

// newSeedEnvAt is newSeedEnv whose store takes the times it stores from
// now.
func newSeedEnvAt(t *testing.T, now func() time.Time, parties []*seedParty, signers map[string][]signerSpec) *seedEnv {
	t.Helper()
	ps := make([]desk.Party, len(parties))
	for i, p := range parties {
		ps[i] = desk.Party{Slug: p.slug, Name: p.name, Kind: p.kind, Body: p.body}
	}
	db, url, token := web.StartTestServerClock(t, now, ps...)
	e := &seedEnv{wfEnv: &wfEnv{t: t, db: db, url: url}, parties: map[string]*seedParty{}}
	e.admin = token("admin@"+parties[0].slug+".example", "", auth.RoleAdmin)
	for _, p := range parties {
		domain := p.slug + ".example"
		p.drafter = token("drafter@"+domain, p.slug, auth.RoleDrafter)
		p.clerk = token("clerk@"+domain, p.slug, auth.RoleClerk)
		p.reviewer = token("reviewer@"+domain, p.slug, auth.RoleReviewer)
		for i, s := range signers[p.role] {
			p.signers = append(p.signers, newSignatory(t, db, fmt.Sprintf("signer%d@%s", i+1, domain), s.name, s.title, p.slug))
		}
		e.parties[p.role] = p
	}
	return e
}

// newSignatory creates a signatory-role user with a token.
func newSignatory(t *testing.T, db *sqlite.DB, email, name, title, party string) signatory {
	t.Helper()
	ctx := context.Background()
	hash, err := testHasher.Hash(signPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, moudesk.System, desk.NewUser{Email: email, Name: name, Title: title, PartySlug: party,
		Roles: []auth.Role{auth.RoleSignatory}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	plain, th, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, moudesk.System, email, "test", th); err != nil {
		t.Fatal(err)
	}
	return signatory{token: plain, email: email, name: name, title: title, party: party}
}

// create makes the MOU as the first party's drafter.
func (e *seedEnv) create(title, template, workflowName string, variables map[string]string, roles ...string) int64 {
	e.t.Helper()
	parties := map[string]string{}
	for _, r := range roles {
		parties[r] = e.parties[r].slug
	}
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.parties[roles[0]].drafter, "POST", "/api/v1/mous", map[string]any{
		"title": title, "template": template, "workflow": workflowName, "parties": parties, "variables": variables,
	}, http.StatusCreated, &out)
	e.drafter, e.reviewer = e.parties[roles[0]].drafter, e.parties[roles[0]].reviewer
	return out.MOU.ID
}

// meetAs schedules a meeting of body as clerk on the current revision.
func (e *seedEnv) meetAs(clerk string, id int64, body, date, item string) desk.Meeting {
	e.t.Helper()
	var out struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	e.call(clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": body, "date": date, "agenda_item": item, "revision": e.mou(id).CurrentRevision,
	}, http.StatusCreated, &out)
	return out.Meeting
}

// decide records an outcome with a resolution and returns the new stage.
func (e *seedEnv) decide(clerk string, m desk.Meeting, outcome, resolution string, votes []map[string]string) string {
	e.t.Helper()
	if votes == nil {
		votes = []map[string]string{}
	}
	var out struct {
		Stage string `json:"stage"`
	}
	e.call(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{
		"outcome": outcome, "votes": votes, "resolution": resolution, "minutes": "Minutes of " + m.Date + ".",
	}, http.StatusCreated, &out)
	return out.Stage
}

// feedbackAs raises feedback on a section at a meeting.
func (e *seedEnv) feedbackAs(token string, m desk.Meeting, section, text string) int64 {
	e.t.Helper()
	var out struct {
		Feedback desk.Feedback `json:"feedback"`
	}
	e.call(token, "POST", fmt.Sprintf("/api/v1/meetings/%d/feedback", m.ID), map[string]string{"section": section, "text": text}, http.StatusCreated, &out)
	return out.Feedback.ID
}

// signAll assigns every line of the MOU's signature block to the signer of
// its party with its title, then has each sign in the block's order, and
// returns the sealed PDF.
func (e *seedEnv) signAll(id int64) []byte {
	e.t.Helper()
	lines, byLine := e.assignAll(id)
	for _, l := range lines {
		e.signLine(id, byLine[l.Line])
	}
	e.at(id, "executed")
	return e.fetch(e.drafter, fmt.Sprintf("/api/v1/mous/%d/signed.pdf", id))
}

// signLine has s sign their line of the MOU.
func (e *seedEnv) signLine(id int64, s signatory) {
	e.t.Helper()
	e.call(s.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), map[string]any{
		"typed_name": s.name, "consent": true, "password": signPassword}, http.StatusCreated, nil)
}

// assignAll assigns every line of the MOU's signature block to the signer
// of its party with its title, each party's drafter its own lines, and
// returns the lines in signing order with the signer of each.
func (e *seedEnv) assignAll(id int64) ([]desk.Signatory, map[int]signatory) {
	e.t.Helper()
	var shown struct {
		Signatories []desk.Signatory `json:"signatories"`
	}
	e.call(e.drafter, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &shown)
	if len(shown.Signatories) == 0 {
		e.t.Fatalf("MOU %d has no signature lines", id)
	}
	byLine := map[int]signatory{}
	assign := map[string][]map[string]any{} // by party role: each party's drafter assigns its own lines
	for _, l := range shown.Signatories {
		p := e.parties[l.Party]
		if p == nil {
			e.t.Fatalf("line %d is for party %q, not one of the seed's", l.Line, l.Party)
		}
		i := slices.IndexFunc(p.signers, func(s signatory) bool { return s.title == l.Title })
		if i < 0 {
			e.t.Fatalf("no signer of %s has the title %q of line %d", p.slug, l.Title, l.Line)
		}
		byLine[l.Line] = p.signers[i]
		assign[l.Party] = append(assign[l.Party], map[string]any{"line": l.Line, "email": p.signers[i].email})
	}
	for role, lines := range assign {
		e.call(e.parties[role].drafter, "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": lines}, http.StatusOK, nil)
	}
	lines := slices.Clone(shown.Signatories)
	slices.SortStableFunc(lines, func(a, b desk.Signatory) int { return a.Order - b.Order })
	return lines, byLine
}

// fetch GETs path (token "" for the public) and fails unless 200.
func (e *seedEnv) fetch(token, path string) []byte {
	e.t.Helper()
	status, _, body := httpGet(e.t, e.url, token, path)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s = %d: %s", path, status, body)
	}
	return body
}

// checkSigned checks the sealed PDF with qpdf and pdfsig (every signature
// valid, one per line plus the certification and the seal) and that its
// text shows each signer's own name, title and signing date.
func (e *seedEnv) checkSigned(id int64, pdf []byte, signers []signatory) string {
	e.t.Helper()
	testtool.QPDFCheck(e.t, pdf)
	b, _ := pem.Decode(e.fetch("", "/api/v1/ca.pem"))
	if b == nil {
		e.t.Fatal("GET /api/v1/ca.pem: no PEM block")
	}
	out := testtool.PDFSig(e.t, testtool.NSSDB(e.t, b.Bytes), pdf)
	if got, want := strings.Count(out, "Signature is Valid."), len(signers)+2; got != want {
		e.t.Errorf("pdfsig: %d valid signatures, want %d (lines, certification, seal):\n%s", got, want, out)
	}
	if strings.Contains(out, "Signature is Invalid") || strings.Contains(out, "not signed") {
		e.t.Errorf("pdfsig reports an invalid or empty signature:\n%s", out)
	}
	// Each line prints its own signer's name and title, and the date that
	// signer signed, as the public record has it.
	text := testtool.PDFText(e.t, pdf)
	signed := map[string]string{}
	for _, sg := range e.publicRecord(id).Signatures {
		signed[sg.Name] = desk.SigningDate(sg.SignedAt)
	}
	for _, s := range signers {
		want := fmt.Sprintf("Name: %s\nTitle: %s\nDate: %s", s.name, s.title, signed[s.name])
		if signed[s.name] == "" || !strings.Contains(text, want) {
			e.t.Errorf("signed PDF of MOU %d lacks %q", id, want)
		}
	}
	return text
}

// publicRecord reads the executed MOU's public record from the API, as
// anyone may.
func (e *seedEnv) publicRecord(id int64) desk.PublicRecord {
	e.t.Helper()
	var out struct {
		Record desk.PublicRecord `json:"record"`
	}
	if err := json.Unmarshal(e.fetch("", fmt.Sprintf("/api/v1/public/mous/%d", id)), &out); err != nil {
		e.t.Fatal(err)
	}
	return out.Record
}

// meetingsOf lists "date body outcome" for each meeting on the record.
func meetingsOf(r desk.PublicRecord) []string {
	var out []string
	for _, m := range r.Meetings {
		out = append(out, m.Date+" "+m.Body+" "+m.Outcome)
	}
	return out
}

func ayes(n int, members ...string) []map[string]string {
	out := make([]map[string]string, 0, len(members))
	for i, m := range members {
		v := "aye"
		if i >= n {
			v = "nay"
		}
		out = append(out, map[string]string{"member": m, "vote": v})
	}
	return out
}

// TestSeedPleasanton replays 001: the liaison committee met on 8 June, 13
// July and 14 September 2021; the joint City Council / Board of Trustees
// meeting on 30 September gave feedback; "the MOU has been amended to
// include specific language on access to student records (pg. 2, item #7),
// and a definition of de-escalation strategies"; then both bodies approved
// it. No second joint meeting and no fourth liaison meeting.
func TestSeedPleasanton(t *testing.T) {
	e, id, council := pleasantonToSignature(t)
	city, district := e.parties["city"], e.parties["district"]
	pdf := e.signAll(id)
	e.checkSigned(id, pdf, append(slices.Clone(city.signers), district.signers...))

	rec := e.publicRecord(id)
	want := []string{
		"2021-06-08 liaison_committee revise", "2021-07-13 liaison_committee revise", "2021-09-14 liaison_committee forward",
		"2021-09-30 joint_meeting revise", "2021-11-16 city_council approve", "2021-11-18 school_board approve",
	}
	if got := meetingsOf(rec); !slices.Equal(got, want) {
		t.Fatalf("public record meetings\n got %q\nwant %q", got, want)
	}
	if len(rec.Approvals) != 2 || rec.Approvals[0].Resolution != "Resolution 21-1270" || rec.Approvals[0].ContentHash != council.ContentHash || rec.Approvals[1].ContentHash != council.ContentHash {
		t.Fatalf("public approvals %+v (council reviewed %s)", rec.Approvals, council.ContentHash)
	}
	if len(rec.Signatures) != 4 {
		t.Fatalf("public signatures %+v", rec.Signatures)
	}
	// The public page shows the same record without signing in.
	page := string(e.fetch("", fmt.Sprintf("/public/mous/%d", id)))
	for _, s := range []string{"Resolution 21-1270", "Board Resolution 2021-22", "30 September 2021", "5 aye, 0 nay", "4 aye, 1 nay", council.ContentHash, "Avery Lindqvist", "Chief of Police"} {
		if !strings.Contains(page, s) {
			t.Errorf("public page lacks %q", s)
		}
	}
	if n := strings.Count(page, "Trustee Miller: aye"); n != 1 {
		t.Errorf("public page shows the board's roll call %d times", n)
	}
	// The certificate carries exactly the meetings that took place.
	cert := testtool.PDFText(t, e.fetch("", fmt.Sprintf("/api/v1/mous/%d/certificate.pdf", id)))
	if n := strings.Count(cert, "Joint City Council / Board of Trustees Meeting, 2021-09-30"); n != 1 {
		t.Errorf("certificate names the joint meeting %d times:\n%s", n, cert)
	}
	if strings.Count(cert, "City/School District Liaison Committee, 2021-") != 3 {
		t.Errorf("certificate does not list exactly three liaison meetings:\n%s", cert)
	}
	// Executed, its meetings are on the public calendar, each linking to
	// the public page.
	cal := e.calendarOf("", "/public/calendar.ics")
	if len(cal) != len(want) {
		t.Errorf("public calendar has %d meetings, want %d", len(cal), len(want))
	}
	for _, ev := range cal {
		if ev.url != fmt.Sprintf("https://moudesk.example.org/public/mous/%d", id) {
			t.Errorf("public event %s links %s", ev.uid, ev.url)
		}
	}
}

// pleasantonToSignature replays Pleasanton's process up to the signature
// stage: three liaison meetings, the joint meeting that asked for the
// amended text, and the council's and the board's approvals of it. It
// returns the council's meeting.
func pleasantonToSignature(t *testing.T) (*seedEnv, int64, desk.Meeting) {
	t.Helper()
	e, id := replayPleasantonReview(t)
	city, district := e.parties["city"], e.parties["district"]
	council := e.meetAs(city.clerk, id, "city_council", "2021-11-16", "7")
	e.decide(city.clerk, council, "approve", "Resolution 21-1270", ayes(5, "Mayor Brown", "Vice Mayor Arkin", "Councilmember Balch", "Councilmember Narum", "Councilmember Testa"))
	board := e.meetAs(district.clerk, id, "school_board", "2021-11-18", "12.1")
	if got := e.decide(district.clerk, board, "approve", "Board Resolution 2021-22", ayes(4, "Trustee Miller", "Trustee Laursen", "Trustee Arkin", "Trustee Mingham", "Trustee Rankin")); got != "signature" {
		t.Fatalf("board approval → %s", got)
	}
	return e, id, council
}

// replayPleasantonReview replays Pleasanton's review up to the amended
// text going to both bodies: the three liaison meetings and the joint
// meeting, with their feedback and revisions. extra parties are created
// too, on no MOU (to see what a third party sees).
func replayPleasantonReview(t *testing.T, extra ...*seedParty) (*seedEnv, int64) {
	t.Helper()
	e := newSeedEnv(t, append([]*seedParty{
		{role: "city", slug: "pleasanton", name: "City of Pleasanton", kind: "city", body: "City Council"},
		{role: "district", slug: "pusd", name: "Pleasanton Unified School District", kind: "district", body: "Board of Trustees"},
	}, extra...), map[string][]signerSpec{
		"city":     {{"Avery Lindqvist", "Chief of Police"}, {"Jordan Whitcombe", "City Manager"}},
		"district": {{"Morgan Achterberg", "Superintendent"}, {"Riley Okonkwo-Baptiste", "President, Board of Trustees"}},
	})
	city, district := e.parties["city"], e.parties["district"]
	vars := shipped.Variables(t)
	vars["effective_date"], vars["expiration_date"] = "2021-11-16", "2024-06-30"
	id := e.create("Pleasanton SRO MOU", "sro-mou", "default", vars, "city", "district")

	liaison := []struct{ date, outcome string }{{"2021-06-08", "revise"}, {"2021-07-13", "revise"}, {"2021-09-14", "forward"}}
	for i, l := range liaison {
		e.move(id, "liaison_review")
		m := e.meetAs(city.clerk, id, "liaison_committee", l.date, fmt.Sprintf("%d", i+3))
		if l.outcome == "revise" {
			f := e.feedbackAs(district.reviewer, m, "duties", fmt.Sprintf("Liaison comment of %s on the SRO's duties.", l.date))
			if got := e.decide(city.clerk, m, "revise", "", nil); got != "draft" {
				t.Fatalf("liaison %s revise → %s", l.date, got)
			}
			r := e.revise(id, map[string]string{"duties": fmt.Sprintf("The SRO's duties as the liaison committee left them on %s: safety, not school discipline.", l.date)})
			e.call(city.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", f), map[string]int{"revision": r}, http.StatusOK, nil)
			continue
		}
		if got := e.decide(city.clerk, m, "forward", "", nil); got != "joint_review" {
			t.Fatalf("liaison %s forward → %s", l.date, got)
		}
	}

	joint := e.meetAs(city.clerk, id, "joint_meeting", "2021-09-30", "2")
	fRecords := e.feedbackAs(district.reviewer, joint, "student-records", "Add specific language on SRO access to student records.")
	fDeesc := e.feedbackAs(city.reviewer, joint, "definitions", "Define de-escalation strategies.")
	if got := e.decide(city.clerk, joint, "revise", "", nil); got != "draft" {
		t.Fatalf("joint meeting revise → %s", got)
	}
	// Before the amended text is saved the MOU cannot go to the bodies.
	e.refused(city.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "approval"}, 422, "not_revised")
	amended := e.revise(id, map[string]string{
		"student-records": "The SRO may see a student's education records only as FERPA and the California Education Code permit, on a written request to the principal naming the record and the reason; the District logs every request.",
		"definitions":     "“De-escalation strategies” means techniques that reduce the intensity of a conflict: time, distance, calm communication and the help of school counselors, used before any use of force.",
	})
	e.refused(city.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": "approval"}, 422, "feedback_open")
	e.call(city.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", fRecords), map[string]int{"revision": amended}, http.StatusOK, nil)
	e.call(city.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", fDeesc), map[string]int{"revision": amended}, http.StatusOK, nil)
	// The amended text goes straight to both bodies: no invented meeting.
	e.move(id, "approval")
	return e, id
}

// TestSeedCalgary replays 004 as a three-party MOU: the Calgary Police
// Service with two school boards. The stakeholder roundtable (Q2 2022)
// reviews the draft twice; the police commission and both boards approve
// the same text; six signatories of three parties sign in two rounds.
func TestSeedCalgary(t *testing.T) {
	e, id := executedCalgary(t)
	rec := e.publicRecord(id)
	if len(rec.Approvals) != 3 || len(rec.Signatures) != 6 {
		t.Fatalf("record: %d approvals, %d signatures", len(rec.Approvals), len(rec.Signatures))
	}
}

// executedCalgary replays 004 up to the executed agreement (see
// TestSeedCalgary) and returns the environment and the MOU.
func executedCalgary(t *testing.T) (*seedEnv, int64) {
	e := newSeedEnv(t, []*seedParty{
		{role: "police_service", slug: "cps", name: "Calgary Police Service", kind: "agency", body: "Calgary Police Commission"},
		{role: "district", slug: "cbe", name: "Calgary Board of Education", kind: "district", body: "Board of Trustees"},
		{role: "district_2", slug: "ccsd", name: "Calgary Catholic School District", kind: "district", body: "Board of Trustees"},
	}, map[string][]signerSpec{
		"police_service": {{"Quinn Halvorsen", "Chief of Police"}, {"Sasha Delacroix-Ng", "Chair, Police Commission"}},
		"district":       {{"Devon Marchetti", "Chief Superintendent"}, {"Harper Yusuf", "Chair, Board of Trustees"}},
		"district_2":     {{"Emerson Takahashi", "Chief Superintendent"}, {"Rowan Castellanos", "Chair, Board of Trustees"}},
	})
	cps, cbe, ccsd := e.parties["police_service"], e.parties["district"], e.parties["district_2"]
	vars := shipped.Variables(t)
	delete(vars, "police_department")
	vars["city_name"], vars["effective_date"], vars["expiration_date"] = "City of Calgary", "2022-09-01", "2025-08-31"
	id := e.create("Calgary School Resource Officer Program MOU", "sro-mou-regional", "roundtable-commission", vars, "police_service", "district", "district_2")

	var shown struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(cbe.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &shown)
	if len(shown.MOU.Parties) != 3 {
		t.Fatalf("parties %+v", shown.MOU.Parties)
	}
	var rev struct {
		Revision struct {
			Preamble string `json:"preamble"`
		} `json:"revision"`
	}
	e.call(ccsd.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1", id), nil, http.StatusOK, &rev)
	if want := "by and between the Calgary Police Service, the Calgary Board of Education and the Calgary Catholic School District"; !strings.Contains(rev.Revision.Preamble, want) {
		t.Fatalf("preamble lacks %q: %s", want, rev.Revision.Preamble)
	}

	// The roundtable asks for an oversight board, then forwards.
	e.move(id, "roundtable_review")
	r1 := e.meetAs(cbe.clerk, id, "roundtable", "2022-05-12", "1")
	f := e.feedbackAs(ccsd.reviewer, r1, "advisory-team", "Appoint a special oversight board external to the parties to oversee the action plan and give status updates.")
	if got := e.decide(cbe.clerk, r1, "revise", "", nil); got != "draft" {
		t.Fatalf("roundtable revise → %s", got)
	}
	r := e.revise(id, map[string]string{"advisory-team": "A special oversight board of people external to the Parties oversees the implementation of the action plan for the duration of the program's transformation and gives the Parties status updates each quarter."})
	e.call(cps.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", f), map[string]int{"revision": r}, http.StatusOK, nil)
	e.move(id, "approval") // the roundtable's after_revision: the amended text goes to the three bodies

	// Each body is its own party's to record; another party's clerk may not.
	e.refused(cbe.clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": "school_board_2", "date": "2022-06-14", "revision": r}, http.StatusForbidden, "wrong_party")
	for _, a := range []struct {
		clerk, body, date, resolution string
	}{
		{cps.clerk, "police_commission", "2022-06-21", "CPC 2022-07"},
		{cbe.clerk, "school_board", "2022-06-14", "CBE 22-061"},
		{ccsd.clerk, "school_board_2", "2022-06-16", "CCSD 2022-31"},
	} {
		m := e.meetAs(a.clerk, id, a.body, a.date, "5")
		e.decide(a.clerk, m, "approve", a.resolution, ayes(5, "Member A", "Member B", "Member C", "Member D", "Member E"))
	}
	e.at(id, "signature")

	pdf := e.signAll(id)
	all := append(append(slices.Clone(cps.signers), cbe.signers...), ccsd.signers...)
	e.checkSigned(id, pdf, all)
	return e, id
}

// TestSeedOptionalParty: the regional template's second board is optional;
// without it the MOU has two parties, the preamble names two, and the
// commission and the one board approve.
func TestSeedOptionalParty(t *testing.T) {
	e := newSeedEnv(t, []*seedParty{
		{role: "police_service", slug: "cps", name: "Calgary Police Service", kind: "agency", body: "Calgary Police Commission"},
		{role: "district", slug: "cbe", name: "Calgary Board of Education", kind: "district", body: "Board of Trustees"},
	}, nil)
	vars := shipped.Variables(t)
	delete(vars, "police_department")
	vars["city_name"] = "City of Calgary"
	id := e.create("Two-party regional MOU", "sro-mou-regional", "roundtable-commission", vars, "police_service", "district")
	var rev struct {
		Revision struct {
			Preamble string `json:"preamble"`
		} `json:"revision"`
	}
	e.call(e.parties["district"].reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/1", id), nil, http.StatusOK, &rev)
	if want := "by and between the Calgary Police Service and the Calgary Board of Education, each"; !strings.Contains(rev.Revision.Preamble, want) {
		t.Fatalf("preamble lacks %q: %s", want, rev.Revision.Preamble)
	}
	e.move(id, "roundtable_review")
	m := e.meetAs(e.parties["district"].clerk, id, "roundtable", "2022-05-12", "1")
	e.decide(e.parties["district"].clerk, m, "forward", "", nil)
	e.refused(e.parties["district"].clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": "school_board_2", "date": "2022-06-14", "revision": 1}, http.StatusUnprocessableEntity, "body_not_acting")
	for _, a := range []struct{ role, body string }{{"police_service", "police_commission"}, {"district", "school_board"}} {
		m := e.meetAs(e.parties[a.role].clerk, id, a.body, "2022-06-21", "5")
		e.decide(e.parties[a.role].clerk, m, "approve", "R-1", ayes(3, "A", "B", "C"))
	}
	e.at(id, "signature")
}

// TestSeedBadParties: the refusals the issue names, each 422 naming the
// field, with no row written.
func TestSeedBadParties(t *testing.T) {
	e := newSeedEnv(t, []*seedParty{
		{role: "city", slug: "duluth", name: "City of Duluth", kind: "city", body: "City Council"},
		{role: "district", slug: "isd709", name: "Duluth Public Schools ISD 709", kind: "district", body: "School Board"},
		{role: "other", slug: "county", name: "St. Louis County", kind: "agency", body: "County Board"},
	}, nil)
	vars := shipped.Variables(t)
	drafter := e.parties["city"].drafter
	for _, c := range []struct {
		name, template, workflow string
		parties                  map[string]string
		code, field              string
	}{
		{"UnknownRole", "sro-mou", "default", map[string]string{"city": "duluth", "district": "isd709", "county": "county"}, "unknown_role", "parties.county"},
		{"PartyTwice", "sro-mou", "default", map[string]string{"city": "duluth", "district": "duluth"}, "duplicate_party", "parties.district"},
		{"MissingParty", "sro-mou", "default", map[string]string{"city": "duluth"}, "missing_party", "parties.district"},
		{"BodyOfNoParty", "sro-mou", "roundtable-commission", map[string]string{"city": "duluth", "district": "isd709"}, "missing_party", "workflow"},
		{"UnknownWorkflow", "sro-mou", "nope", map[string]string{"city": "duluth", "district": "isd709"}, "unknown_workflow", "workflow"},
	} {
		before := e.rows()
		var out struct {
			Error struct{ Code, Field, Message string } `json:"error"`
		}
		e.call(drafter, "POST", "/api/v1/mous", map[string]any{"title": "Bad", "template": c.template, "workflow": c.workflow,
			"parties": c.parties, "variables": vars}, http.StatusUnprocessableEntity, &out)
		if out.Error.Code != c.code || out.Error.Field != c.field {
			t.Errorf("%s: error %+v, want %s on %s", c.name, out.Error, c.code, c.field)
		}
		if after := e.rows(); !maps.Equal(before, after) {
			t.Errorf("%s: rows changed: %v → %v", c.name, before, after)
		}
	}
	// An MOU on an unknown workflow never breaks anyone's dashboard.
	for _, p := range e.parties {
		for _, tok := range []string{p.drafter, p.clerk, p.reviewer} {
			e.fetch(tok, "/dashboard")
			e.fetch(tok, "/approvals")
		}
	}
}

// TestSeedClaremont replays 000: the mayor's working group is Claremont's
// own body, so the city's administrator uploads Claremont's process at run
// time, under the working group's own name, with no rebuild; the group
// meets through the first half of 2022 and recommends the MOU; the City
// Council and the Board of Education, which share the SRO's funding, both
// approve.
func TestSeedClaremont(t *testing.T) {
	e := newSeedEnv(t, []*seedParty{
		{role: "city", slug: "claremont", name: "City of Claremont", kind: "city", body: "City Council"},
		{role: "district", slug: "cusd", name: "Claremont Unified School District", kind: "district", body: "Board of Education"},
	}, map[string][]signerSpec{
		"city":     {{"Casey Thorne", "Chief of Police"}, {"Jamie Ostrowski", "City Manager"}},
		"district": {{"Blair Nakagawa", "Superintendent"}, {"Drew Villanueva", "President, Board of Trustees"}},
	})
	city, district := e.parties["city"], e.parties["district"]
	shippedYAML, err := fs.ReadFile(templates.FS, "workflows/working-group.yaml")
	if err != nil {
		t.Fatal(err)
	}
	source := strings.Replace(strings.Replace(string(shippedYAML), "name: working-group", "name: claremont-sro", 1),
		"title: SRO Working Group", "title: Mayor's Working Group on the School Resource Officer", 1)
	// Only an administrator changes processes; the clerk is refused.
	e.refused(city.clerk, "PUT", "/api/v1/workflows/claremont-sro", map[string]string{"source": source}, http.StatusForbidden, "forbidden")
	e.call(e.admin, "PUT", "/api/v1/workflows/claremont-sro", map[string]string{"source": source}, http.StatusCreated, nil)

	vars := shipped.Variables(t)
	vars["effective_date"], vars["expiration_date"] = "2022-08-01", "2025-06-30"
	id := e.create("Claremont School Resource Officer MOU", "sro-mou", "claremont-sro", vars, "city", "district")
	e.move(id, "working_group_review")
	for _, m := range []struct{ date, outcome string }{{"2022-02-10", "revise"}, {"2022-06-09", "forward"}} {
		mt := e.meetAs(city.clerk, id, "working_group", m.date, "1")
		if m.outcome == "revise" {
			f := e.feedbackAs(city.reviewer, mt, "duties", "Redefine the SRO's role around the community's input: no role in school discipline.")
			e.decide(city.clerk, mt, "revise", "", nil)
			r := e.revise(id, map[string]string{"duties": "The SRO is a resource for safety and for building trust; the SRO takes no part in school discipline."})
			e.call(city.drafter, "POST", fmt.Sprintf("/api/v1/feedback/%d/resolve", f), map[string]int{"revision": r}, http.StatusOK, nil)
			e.move(id, "working_group_review")
			continue
		}
		if got := e.decide(city.clerk, mt, "forward", "", nil); got != "approval" {
			t.Fatalf("working group forward → %s", got)
		}
	}
	cc := e.meetAs(city.clerk, id, "city_council", "2022-07-12", "9")
	e.decide(city.clerk, cc, "approve", "Resolution 2022-58", ayes(5, "Mayor Stark", "Mayor Pro Tem Leano", "Councilmember Calaycay", "Councilmember Medina", "Councilmember Reece"))
	bd := e.meetAs(district.clerk, id, "school_board", "2022-07-21", "7.3")
	e.decide(district.clerk, bd, "approve", "Board Resolution 3-2022", ayes(5, "Trustee Llanusa", "Trustee Bernard", "Trustee Ransom", "Trustee Eldridge", "Trustee Ahuja"))
	pdf := e.signAll(id)
	e.checkSigned(id, pdf, append(slices.Clone(city.signers), district.signers...))
	rec := e.publicRecord(id)
	if len(rec.Meetings) != 4 || rec.Meetings[0].BodyTitle != "Mayor's Working Group on the School Resource Officer" {
		t.Fatalf("record meetings %+v", rec.Meetings)
	}
	if !strings.Contains(string(e.fetch("", fmt.Sprintf("/public/mous/%d", id))), "Mayor&#39;s Working Group on the School Resource Officer") {
		t.Error("public page lacks the working group's own name")
	}
}

// TestSeedDuluth replays 003: the SRO Advisory Team's recommendations of
// 7 June 2022 are recorded as recommendations and traced into the text
// the Police Department drafts; the advisory team reviews the contract and
// the School Board alone votes. The city's signature block is the
// drafter's to set: the mayor signs as Mayor, the city clerk attests, and
// the city attorney approves the form.
func TestSeedDuluth(t *testing.T) {
	executedDuluth(t, time.Now)
}

// executedDuluth replays 003 up to the executed contract with its
// recommendations matrix (see TestSeedDuluth), with now the store's clock,
// and returns the environment and the MOU.
func executedDuluth(t *testing.T, now func() time.Time) (*seedEnv, int64) {
	e := newSeedEnvAt(t, now, []*seedParty{
		{role: "city", slug: "duluth", name: "City of Duluth", kind: "city", body: "City Council"},
		{role: "district", slug: "isd709", name: "Duluth Public Schools, ISD 709", kind: "district", body: "School Board"},
	}, map[string][]signerSpec{
		"city":     {{"Sam Okafor-Lund", "Chief of Police"}, {"Robin Haugland", "Mayor"}, {"Terry Blackwood", "City Clerk"}, {"Alex Moreau", "City Attorney"}},
		"district": {{"Jesse Lindahl", "Superintendent"}, {"Kerry Vang", "Chair, School Board"}},
	})
	city, district := e.parties["city"], e.parties["district"]
	vars := shipped.Variables(t)
	vars["effective_date"], vars["expiration_date"] = "2022-08-22", "2025-06-30"
	id := e.create("Duluth School Resource Officer Contract", "sro-mou", "advisory-board", vars, "city", "district")

	// The advisory team's report, as the district's clerk enters it.
	source := map[string]string{"body": "SRO Advisory Team", "title": "SRO Update: Recommendations for New Contract", "date": "2022-06-07"}
	texts := []string{
		"Assign SROs to sites during teacher work days and professional development days.",
		"Consider using SRO vacation days outside of school days or ensure full coverage when SROs are on vacation.",
		"Change the contract start date and other dates to follow the school year calendar.",
		"Publicly share training that is scheduled or completed, and discipline and citation data.",
		"Develop and clarify the process for making a complaint or raising a concern.",
	}
	var recs []map[string]any
	for i, text := range texts {
		src := maps.Clone(source)
		src["item"] = fmt.Sprintf("%d", i+1)
		recs = append(recs, map[string]any{"source": src, "text": text})
	}
	var added struct {
		Recommendations []struct {
			ID int64 `json:"id"`
		} `json:"recommendations"`
	}
	e.call(district.clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/recommendations", id), map[string]any{"recommendations": recs}, http.StatusCreated, &added)
	if len(added.Recommendations) != 5 {
		t.Fatalf("added %+v", added)
	}
	rid := func(i int) string {
		return fmt.Sprintf("/api/v1/mous/%d/recommendations/%d/disposition", id, added.Recommendations[i].ID)
	}

	// The department's draft answers them: revision 2 adopts three, one
	// the text already met, one is deferred.
	r2 := e.revise(id, map[string]string{
		"work-days":      "The SRO is assigned to school sites on teacher work days and professional-development days as on school days.",
		"data-reporting": "Each quarter the Department publishes, by school and student group, the citations and arrests of students, and the training each SRO has scheduled and completed.",
		"complaints":     "Anyone may make a complaint or raise a concern about an SRO with the principal or the Department; the District and the Department publish the process, acknowledge each complaint within five days and answer within thirty.",
	})
	e.call(city.drafter, "POST", rid(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": r2}, http.StatusOK, nil)
	e.call(city.drafter, "POST", rid(1), map[string]any{"disposition": "deferred", "reason": "Coverage during SRO vacations depends on the Department's staffing; the parties revisit it at the first annual review."}, http.StatusOK, nil)
	e.call(city.drafter, "POST", rid(2), map[string]any{"disposition": "met", "sections": []string{"school-year"}, "revision": 1, "reason": "The shipped contract year already follows the District's calendar."}, http.StatusOK, nil)
	e.call(city.drafter, "POST", rid(3), map[string]any{"disposition": "adopted", "sections": []string{"data-reporting"}, "revision": r2}, http.StatusOK, nil)
	e.call(city.drafter, "POST", rid(4), map[string]any{"disposition": "adopted", "sections": []string{"complaints"}, "revision": r2}, http.StatusOK, nil)
	// A recommendation traced to a section that does not exist writes nothing.
	before := e.rows()
	e.refused(city.drafter, "POST", rid(1), map[string]any{"disposition": "adopted", "sections": []string{"no-such-section"}, "revision": r2}, http.StatusUnprocessableEntity, "unknown_section")
	if after := e.rows(); !maps.Equal(before, after) {
		t.Fatalf("refused disposition wrote rows: %v → %v", before, after)
	}

	// The signature block: the mayor signs for the city, with an attest
	// and an approved-as-to-form line.
	var rev struct {
		Revision struct {
			Signatures []mou.SignatureLine `json:"signature_block"`
		} `json:"revision"`
	}
	e.call(city.drafter, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d", id, r2), nil, http.StatusOK, &rev)
	block := rev.Revision.Signatures
	for i := range block {
		switch {
		case block[i].Party == "city" && block[i].Title == "City Manager":
			block[i].Title, block[i].Name = "Mayor", "Robin Haugland"
		case block[i].Party == "district" && block[i].Title == "President, Board of Trustees":
			block[i].Title = "Chair, School Board"
		}
	}
	block = append(block,
		mou.SignatureLine{Kind: mou.KindAttest, Party: "city", Title: "City Clerk", Order: 3},
		mou.SignatureLine{Kind: mou.KindApprovedAsToForm, Party: "city", Title: "City Attorney", Order: 3})
	e.call(city.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": r2, "message": "The mayor signs for the city; attest and approval as to form", "signature_block": block}, http.StatusCreated, nil)

	e.move(id, "advisory_review")
	team := e.meetAs(district.clerk, id, "advisory_team", "2022-07-12", "2")
	if got := e.decide(district.clerk, team, "forward", "", nil); got != "board_approval" {
		t.Fatalf("advisory team forward → %s", got)
	}
	board := e.meetAs(district.clerk, id, "school_board", "2022-08-09", "9.2")
	if got := e.decide(district.clerk, board, "approve", "Resolution HR-22-0809", ayes(6, "Chair Kerry Vang", "Member A", "Member B", "Member C", "Member D", "Member E", "Member F")); got != "signature" {
		t.Fatalf("board approval → %s", got)
	}
	pdf := e.signAll(id)
	text := e.checkSigned(id, pdf, append(slices.Clone(city.signers), district.signers...))
	for _, want := range []string{"ATTEST:", "APPROVED AS TO FORM:"} {
		if !strings.Contains(text, want) {
			t.Errorf("signed PDF lacks %q", want)
		}
	}

	// The matrix lists every recommendation with what became of it, for
	// staff and, once executed, for the public.
	var m struct{ Matrix desk.Matrix }
	e.call(district.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/recommendations/matrix", id), nil, http.StatusOK, &m.Matrix)
	want := []string{"adopted", "deferred", "met", "adopted", "adopted"}
	if len(m.Matrix.Rows) != 5 {
		t.Fatalf("matrix rows %+v", m.Matrix.Rows)
	}
	for i, row := range m.Matrix.Rows {
		if row.Text != texts[i] || row.Disposition != want[i] || row.Source.Item != fmt.Sprint(i+1) {
			t.Errorf("matrix row %d: %q %s item %s, want %q %s", i, row.Text, row.Disposition, row.Source.Item, texts[i], want[i])
		}
	}
	if s := m.Matrix.Rows[0].Sections; len(s) != 1 || s[0].Heading != "Teacher Work Days and Professional-Development Days" {
		t.Errorf("adopted row's section %+v", s)
	}
	page := string(e.fetch("", fmt.Sprintf("/public/mous/%d", id)))
	for _, s := range append(slices.Clone(texts[:1]), "Recommendations and what became of them", "deferred: Coverage during SRO vacations", "#p-work-days") {
		if !strings.Contains(page, s) {
			t.Errorf("public page lacks %q", s)
		}
	}
	return e, id
}
