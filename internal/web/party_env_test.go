package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/testtool"
)

// partyPassword is every party test user's password.
const partyPassword = "correct horse battery staple"

// The parties of the party-scope tests: an MOU is between the city and the
// district; the county is on none of them.
const (
	city     = "pleasanton"
	district = "pusd"
	county   = "county"
)

// partyUser is a user of the party-scope tests: their token and who they
// are. A nil *partyUser is the anonymous public.
type partyUser struct {
	token, email, name, party string
	role                      auth.Role
}

func (u *partyUser) String() string {
	if u == nil {
		return "anonymous"
	}
	return u.party + "/" + string(u.role) + " (" + u.email + ")"
}

// partyEnv is the real router on a real SQLite file with the shipped
// library, templates and workflows, three parties, and one user of each
// role in each party, plus the four signatories of the SRO template's
// signature block.
type partyEnv struct {
	t     *testing.T
	db    *sqlite.DB
	srv   *Server
	url   string
	users map[string]*partyUser // by "party/role" or a signatory's short name
	// client does not follow redirects, so a page's 303 is what it sees.
	client *http.Client
}

func newPartyEnv(t *testing.T) *partyEnv {
	t.Helper()
	ctx := context.Background()
	db := teststore.Open(t)
	for _, p := range []desk.Party{
		{Slug: city, Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		{Slug: district, Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
		{Slug: county, Name: "County of Alameda", Kind: "agency", Body: "Board of Supervisors"},
	} {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil {
			t.Fatal(err)
		}
	}
	svc := teststore.Service(t, db)
	// The walk sends hundreds of requests; their log lines would bury a
	// failure's.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := New(Config{Service: svc, Hasher: testHasher, PublicURL: testPublicURL, Logger: quiet})
	ts := httptest.NewServer(validateAPI(t, srv.Handler()))
	t.Cleanup(ts.Close)
	e := &partyEnv{t: t, db: db, srv: srv, url: ts.URL, users: map[string]*partyUser{},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, party := range []string{city, district, county} {
		for _, role := range auth.Roles() {
			e.addUser(party+"/"+string(role), fmt.Sprintf("%s.%s@example.org", role, party), party+" "+string(role), "", party, role)
		}
	}
	e.addUser("chief", "chief@cityofpleasantonca.gov", "David Swing", "Chief of Police", city, auth.RoleSignatory)
	e.addUser("superintendent", "super@pleasantonusd.net", "Zoë Ortíz-Łukasz", "Superintendent", district, auth.RoleSignatory)
	e.addUser("manager", "manager@cityofpleasantonca.gov", "Nelson Fialho", "City Manager", city, auth.RoleSignatory)
	e.addUser("president", "president@pleasantonusd.net", "Joan Laursen", "President, Board of Trustees", district, auth.RoleSignatory)
	return e
}

// with is e reporting to t, for a subtest.
func (e *partyEnv) with(t *testing.T) *partyEnv {
	c := *e
	c.t = t
	return &c
}

func (e *partyEnv) addUser(key, email, name, title, party string, role auth.Role) {
	e.t.Helper()
	teststore.User(e.t, e.db, desk.NewUser{Email: email, Name: name, Title: title, PartySlug: party, Roles: []auth.Role{role}}, partyPassword)
	e.users[key] = &partyUser{token: teststore.Token(e.t, e.db, email, "test"), email: email, name: name, party: party, role: role}
}

// user is the user of party with role.
func (e *partyEnv) user(party string, role auth.Role) *partyUser {
	e.t.Helper()
	return e.named(party + "/" + string(role))
}

// named is a user by key ("pusd/clerk", "chief").
func (e *partyEnv) named(key string) *partyUser {
	e.t.Helper()
	u, ok := e.users[key]
	if !ok {
		e.t.Fatalf("no test user %q", key)
	}
	return u
}

// partyAnswer is a response: its status, error code (JSON errors only) and
// body.
type partyAnswer struct {
	status int
	code   string
	body   []byte
}

// pageTitle finds an HTML page's title.
var pageTitle = regexp.MustCompile(`<title>([^<]*)</title>`)

// excerpt is enough of the answer to tell what it was: a JSON body's
// start, an HTML page's title, a PDF's size.
func (a partyAnswer) excerpt() string {
	switch {
	case bytes.HasPrefix(a.body, []byte("%PDF-")):
		return fmt.Sprintf("(a PDF of %d bytes)", len(a.body))
	case pageTitle.Match(a.body):
		return "(the page " + string(pageTitle.FindSubmatch(a.body)[1]) + ")"
	case len(a.body) > 300:
		return string(a.body[:300]) + "…"
	}
	return string(a.body)
}

// do sends body as who: url.Values as a form, anything else but nil as
// JSON.
func (e *partyEnv) do(who *partyUser, method, path string, body any) partyAnswer {
	e.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case rawBody:
		r, ctype = bytes.NewReader(b.data), b.ctype
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if who != nil {
		req.Header.Set("Authorization", "Bearer "+who.token)
	}
	res, raw := testtool.Do(e.t, e.client, req)
	var shape struct {
		Error struct{ Code string } `json:"error"`
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &shape) // a success body has no error code
	}
	return partyAnswer{status: res.StatusCode, code: shape.Error.Code, body: raw}
}

// call sends the request and fails the test unless the status is want; it
// decodes a JSON answer into out when out is not nil.
func (e *partyEnv) call(who *partyUser, method, path string, body any, want int, out any) {
	e.t.Helper()
	a := e.do(who, method, path, body)
	if a.status != want {
		e.t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, who, a.status, want, a.excerpt())
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			e.t.Fatalf("%s %s: decode %.200s: %v", method, path, a.body, err)
		}
	}
}

// refused expects status and, for JSON answers, code; a page answers with
// HTML, so only its status is checked. It returns the answer.
func (e *partyEnv) refused(who *partyUser, method, path string, body any, status int, code string) partyAnswer {
	e.t.Helper()
	a := e.do(who, method, path, body)
	if a.status != status || (strings.HasPrefix(path, "/api/") && a.code != code) {
		e.t.Errorf("%s %s as %s = %d %q, want %d %q: %s", method, path, who, a.status, a.code, status, code, a.excerpt())
	}
	return a
}

// dbState is every table's row count, each MOU's stage and revisions,
// every feedback item's status and every signature line's assignment: all
// a write could change, with or without adding a row. The audit log's
// count is kept apart (see unchanged).
func (e *partyEnv) dbState() map[string]string {
	e.t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	tables, err := e.db.TablesForTest(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, table := range tables {
		var n int
		// The table names come from the schema itself.
		if err := e.db.QueryRowForTest(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = fmt.Sprint(n)
	}
	for name, q := range map[string]string{
		"mous state":        "SELECT coalesce(string_agg(id || ':' || stage || ':' || current_revision || ':' || coalesce(CAST(executed_revision AS TEXT), '-'), ' '), '') FROM (SELECT * FROM mous ORDER BY id) t",
		"feedback state":    "SELECT coalesce(string_agg(id || ':' || status || ':' || coalesce(CAST(resolved_revision AS TEXT), '-') || ':' || decline_reason, ' '), '') FROM (SELECT * FROM feedback ORDER BY id) t",
		"signatories state": "SELECT coalesce(string_agg(mou_id || ':' || line || ':' || user_id || ':' || assigned_by || ':' || assigned_at, ' '), '') FROM (SELECT * FROM signatories ORDER BY mou_id, line) t",
		"approvals state":   "SELECT coalesce(string_agg(meeting_id || ':' || coalesce(stale_at, '-'), ' '), '') FROM (SELECT * FROM approvals ORDER BY meeting_id) t",
	} {
		var v string
		if err := e.db.QueryRowForTest(ctx, q).Scan(&v); err != nil {
			e.t.Fatalf("%s: %v", name, err)
		}
		out[name] = v
	}
	return out
}

// lastAudit is the seq of the newest audit event.
func (e *partyEnv) lastAudit() int64 {
	e.t.Helper()
	var seq int64
	if err := e.db.QueryRowForTest(context.Background(), "SELECT coalesce(max(seq), 0) FROM audit_events").Scan(&seq); err != nil {
		e.t.Fatal(err)
	}
	return seq
}

// partySnapshot is the database before a refused request.
type partySnapshot struct {
	state map[string]string
	audit int64
}

func (e *partyEnv) snapshot() partySnapshot {
	e.t.Helper()
	return partySnapshot{state: e.dbState(), audit: e.lastAudit()}
}

// unchanged fails the test if anything but the refusal's own trace was
// written since before: every refused write is audited as access.denied
// (existing behaviour, so that probing leaves a trace), so one such event
// is allowed and nothing else.
func (e *partyEnv) unchanged(what string, before partySnapshot) {
	e.t.Helper()
	after := e.dbState()
	var denials, others int
	if err := e.db.QueryRowForTest(context.Background(),
		"SELECT count(*) FILTER (WHERE action = 'access.denied'), count(*) FILTER (WHERE action != 'access.denied') FROM audit_events WHERE seq > ?",
		before.audit).Scan(&denials, &others); err != nil {
		e.t.Fatal(err)
	}
	if others != 0 || denials > 1 {
		e.t.Errorf("%s: audited %d denials and %d other events, want at most one access.denied", what, denials, others)
	}
	after["audit_events"] = before.state["audit_events"]
	for k, v := range before.state {
		if after[k] != v {
			e.t.Errorf("%s changed %s: %q → %q", what, k, v, after[k])
		}
	}
	for k, v := range after {
		if _, ok := before.state[k]; !ok {
			e.t.Errorf("%s created table %s (%s)", what, k, v)
		}
	}
}

// mouOf reads MOU id as the city's drafter sees it.
func (e *partyEnv) mouOf(id int64) desk.MOU {
	e.t.Helper()
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.user(city, auth.RoleDrafter), "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &out)
	return out.MOU
}

// partyFixture is the party-scope tests' MOUs between the city and the
// district, each at the point a route needs, with their meetings and
// feedback, all made through the API by users of the two parties.
type partyFixture struct {
	e   *partyEnv
	mou map[string]int64 // "draft", "liaison", "approval", "assignable", "signature", "executed"
	mid map[string]int64 // "liaison1" (draft's, closed), "liaison" (open), "council", "board"
	fid map[string]int64 // "resolvable", "resolvable2", "declinable", "declinable2": the district reviewer's, on the draft
	rid int64            // an open recommendation of the MOU in liaison review, the district clerk's
	// oid is the executed MOU's citation-data obligation, the city's, and
	// report its first quarter's report, submitted by the city's drafter.
	oid, report int64
	// obligation and obligation2 are two of the executed MOU's
	// obligations, which its monitoring meeting ("monitoring", the liaison
	// committee's) may give a status: one for the API, one for the page.
	obligation, obligation2 int64
}

// rawBody is a request body sent as it is, with its content type.
type rawBody struct {
	ctype string
	data  []byte
}

// newPartyFixture builds:
//   - draft: sent back to draft by its liaison committee ("liaison1"),
//     where the district's reviewer raised "resolvable" and "resolvable2"
//     on duties, which revision 2 changed, and "declinable" and
//     "declinable2" on training and complaints;
//   - liaison: in liaison review, its committee meeting ("liaison") open;
//   - approval: approved by neither body yet, with an open council
//     ("council") and board ("board") meeting;
//   - assignable: approved, its four lines assigned, not yet prepared for
//     signing (so they may still change);
//   - signature: approved, its four lines assigned, the chief's signed;
//   - executed: signed by all four.
func newPartyFixture(e *partyEnv) *partyFixture {
	e.t.Helper()
	f := &partyFixture{e: e, mou: map[string]int64{}, mid: map[string]int64{}, fid: map[string]int64{}}
	cityClerk, districtClerk := e.user(city, auth.RoleClerk), e.user(district, auth.RoleClerk)

	d := f.create("Draft between the City and the District")
	f.move(d, "liaison_review")
	f.mid["liaison1"] = f.meet(cityClerk, d, "liaison_committee", "2025-01-14")
	f.fid["resolvable"] = f.feedback(f.mid["liaison1"], "duties", "Say the SRO does not enforce school discipline.")
	f.fid["resolvable2"] = f.feedback(f.mid["liaison1"], "duties", "Name who disciplines students.")
	f.fid["declinable"] = f.feedback(f.mid["liaison1"], "training", "Require 40 hours of training.")
	f.fid["declinable2"] = f.feedback(f.mid["liaison1"], "complaints", "Name who investigates complaints.")
	f.outcome(districtClerk, f.mid["liaison1"], "revise", nil)
	e.call(e.user(city, auth.RoleDrafter), "POST", fmt.Sprintf("/api/v1/mous/%d/revisions", d), map[string]any{
		"base": 1, "message": "Answer the liaison committee",
		"edits": []map[string]any{{"op": "update", "key": "duties", "body": "The SRO does not enforce the school's code of conduct."}},
	}, http.StatusCreated, nil)
	f.mou["draft"] = d

	l := f.create("Liaison review between the City and the District")
	f.move(l, "liaison_review")
	f.mid["liaison"] = f.meet(districtClerk, l, "liaison_committee", "2025-02-11")
	f.mou["liaison"] = l
	f.rid = f.recommend(l, "Publicly share discipline and citation data")

	a := f.create("Approval between the City and the District")
	f.toApproval(a)
	f.mid["council"] = f.meet(cityClerk, a, "city_council", "2025-05-06")
	f.mid["board"] = f.meet(districtClerk, a, "school_board", "2025-05-13")
	f.mou["approval"] = a

	f.mou["assignable"] = f.approved("Assignable between the City and the District")

	s := f.approved("Signature between the City and the District")
	f.sign("chief", s)
	f.mou["signature"] = s

	x := f.approved("Executed between the City and the District")
	for _, who := range []string{"chief", "superintendent", "manager", "president"} {
		f.sign(who, x)
	}
	if st := e.mouOf(x).Stage; st != "executed" {
		e.t.Fatalf("executed fixture is in %q", st)
	}
	f.mou["executed"] = x
	f.oid, f.report = f.citationReport(x)
	f.mid["monitoring"] = f.meet(districtClerk, x, "liaison_committee", "2025-09-09")
	if err := e.db.QueryRowForTest(context.Background(), "SELECT min(id), max(id) FROM obligations WHERE mou_id = ?", x).Scan(&f.obligation, &f.obligation2); err != nil {
		e.t.Fatalf("the executed fixture's obligations: %v", err)
	}
	return f
}

// citationReport submits the executed MOU's first quarter of citation
// data as the city's drafter, and returns the obligation and report ids.
func (f *partyFixture) citationReport(id int64) (int64, int64) {
	f.e.t.Helper()
	var obs struct {
		Obligations []desk.Obligation `json:"obligations"`
	}
	f.e.call(f.e.user(city, auth.RoleDrafter), "GET", fmt.Sprintf("/api/v1/mous/%d/obligations", id), nil, http.StatusOK, &obs)
	for _, o := range obs.Obligations {
		if o.Key != "citation-data" {
			continue
		}
		var r desk.ReportInfo
		f.e.call(f.e.user(city, auth.RoleDrafter), "POST", fmt.Sprintf("/api/v1/mous/%d/obligations/%d/reports?due=1", id, o.ID),
			rawBody{"text/csv", []byte(partyCSV("2025-07"))}, http.StatusCreated, &r)
		return o.ID, r.ID
	}
	f.e.t.Fatal("the executed fixture has no citation-data obligation")
	return 0, 0
}

// partyCSV is a one-row citations dataset for month.
func partyCSV(month string) string {
	return "school,month,student_group,citations,arrests\nHart Middle," + month + ",all,2,0\n"
}

// with is f reporting to t, for a subtest.
func (f *partyFixture) with(t *testing.T) *partyFixture {
	c := *f
	c.e = f.e.with(t)
	return &c
}

// create makes an MOU between the city and the district as the city's
// drafter.
func (f *partyFixture) create(title string) int64 {
	f.e.t.Helper()
	var out struct {
		MOU desk.MOU `json:"mou"`
	}
	f.e.call(f.e.user(city, auth.RoleDrafter), "POST", "/api/v1/mous", map[string]any{
		"title": title, "template": "sro-mou",
		"parties":   map[string]string{"city": city, "district": district},
		"variables": shipped.Variables(f.e.t),
	}, http.StatusCreated, &out)
	return out.MOU.ID
}

func (f *partyFixture) move(id int64, to string) {
	f.e.t.Helper()
	f.e.call(f.e.user(city, auth.RoleDrafter), "POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": to, "note": "ready"}, http.StatusOK, nil)
}

// meet creates a meeting of body on the MOU's current revision as clerk.
func (f *partyFixture) meet(clerk *partyUser, id int64, body, date string) int64 {
	f.e.t.Helper()
	var out struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	f.e.call(clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": body, "date": date, "location": "Pleasanton Civic Center", "agenda_item": "4.1",
		"revision": f.e.mouOf(id).CurrentRevision,
	}, http.StatusCreated, &out)
	return out.Meeting.ID
}

// feedback is raised by the district's reviewer.
func (f *partyFixture) feedback(mid int64, section, text string) int64 {
	f.e.t.Helper()
	var out struct {
		Feedback desk.Feedback `json:"feedback"`
	}
	f.e.call(f.e.user(district, auth.RoleReviewer), "POST", fmt.Sprintf("/api/v1/meetings/%d/feedback", mid),
		map[string]string{"section": section, "text": text}, http.StatusCreated, &out)
	return out.Feedback.ID
}

// recommend records a recommendation of an advisory team for MOU id as
// the district's clerk.
func (f *partyFixture) recommend(id int64, text string) int64 {
	f.e.t.Helper()
	var out struct {
		Recommendations []desk.Recommendation `json:"recommendations"`
	}
	f.e.call(f.e.user(district, auth.RoleClerk), "POST", fmt.Sprintf("/api/v1/mous/%d/recommendations", id), map[string]any{
		"recommendations": []map[string]any{{"source": map[string]string{"body": "SRO Advisory Team"}, "text": text}},
	}, http.StatusCreated, &out)
	return out.Recommendations[0].ID
}

func (f *partyFixture) outcome(clerk *partyUser, mid int64, outcome string, votes []map[string]string) {
	f.e.t.Helper()
	if votes == nil {
		votes = []map[string]string{}
	}
	f.e.call(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", mid), map[string]any{
		"outcome": outcome, "votes": votes, "minutes": "Discussed the draft.", "resolution": "",
	}, http.StatusCreated, nil)
}

// toApproval forwards a new MOU through the liaison committee and the
// joint meeting to the approval stage.
func (f *partyFixture) toApproval(id int64) {
	f.e.t.Helper()
	cityClerk, districtClerk := f.e.user(city, auth.RoleClerk), f.e.user(district, auth.RoleClerk)
	f.move(id, "liaison_review")
	f.outcome(cityClerk, f.meet(cityClerk, id, "liaison_committee", "2025-05-01"), "forward", nil)
	f.outcome(districtClerk, f.meet(districtClerk, id, "joint_meeting", "2025-05-15"), "forward", nil)
}

// approved is a new MOU approved by both bodies, its four lines assigned.
func (f *partyFixture) approved(title string) int64 {
	f.e.t.Helper()
	cityClerk, districtClerk := f.e.user(city, auth.RoleClerk), f.e.user(district, auth.RoleClerk)
	id := f.create(title)
	f.toApproval(id)
	f.outcome(cityClerk, f.meet(cityClerk, id, "city_council", "2025-06-03"), "approve", partyRollCall())
	f.outcome(districtClerk, f.meet(districtClerk, id, "school_board", "2025-06-10"), "approve", partyRollCall())
	f.e.call(f.e.user(city, auth.RoleDrafter), "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": []map[string]any{
		{"line": 1, "email": f.e.named("chief").email}, {"line": 2, "email": f.e.named("superintendent").email},
		{"line": 3, "email": f.e.named("manager").email}, {"line": 4, "email": f.e.named("president").email},
	}}, http.StatusOK, nil)
	return id
}

// sign signs the named signatory's line of MOU id.
func (f *partyFixture) sign(who string, id int64) {
	f.e.t.Helper()
	u := f.e.named(who)
	f.e.call(u, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), partySignature(u), http.StatusCreated, nil)
}

// partySignature is the signing act's body for u.
func partySignature(u *partyUser) map[string]any {
	return map[string]any{"typed_name": u.name, "consent": true, "password": partyPassword}
}

// partyRollCall is a unanimous roll call of five.
func partyRollCall() []map[string]string {
	out := make([]map[string]string, 5)
	for i := range out {
		out[i] = map[string]string{"member": fmt.Sprintf("Member %d", i+1), "vote": "aye"}
	}
	return out
}
