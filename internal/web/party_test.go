package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/shipped"
)

// partyScope says how a route relates to the parties of an MOU.
type partyScope int

const (
	// scoped routes name an MOU, meeting, feedback item or signature line:
	// only the MOU's parties reach them (an admin of another party may
	// read, never write).
	scoped partyScope = iota + 1
	// public routes answer everyone about executed MOUs.
	public
	// global routes name no one MOU; why says where party scope applies to
	// them, if anywhere.
	global
)

// partyRule is the party-scope expectation of one registered route, and
// the request that exercises it: the fixture objects its path parameters
// name, its query and its body. The request is one the rightful caller
// (ok) makes successfully, which the route walk proves last, so a refusal
// of anyone else cannot be the request's own fault.
type partyRule struct {
	key   string // "METHOD /path", as registered
	scope partyScope
	why   string // global routes: why no party rule, and which test covers them

	mou, mid, fid string // fixture keys of :id, :mid, :fid
	query         string
	// body builds the request body for the caller as the request is sent
	// (url.Values for a page form, anything else is JSON); nil for none.
	body func(f *partyFixture, as *partyUser) any

	// ok is the rightful caller of a write ("party/role" or a signatory)
	// and the status their same request gets.
	ok       string
	okStatus int
	// other lists the refusals of users of the other party on the MOU.
	other []partyRefusal
}

// partyRefusal is a user and the refusal they get.
type partyRefusal struct {
	who    string
	status int
	code   string
}

// Why global routes need no party rule.
const (
	whyNoMOU    = "names no MOU: health, sign-in, the caller's own account, invitations, static files"
	whyAdmin    = "administration of users, parties and tokens (admin only), no MOU"
	whyPeople   = "names no MOU: the parties, and people of the caller's own party (all of them for an admin; TestPeopleAPI)"
	whyLibrary  = "the clause library and templates: shared text, no MOU"
	whyPublic   = "public by design: the public list, verification, the CA certificate, the API contract"
	whyLists    = "lists MOUs: only those of the caller's party (TestPartyCases/Lists)"
	whyCreate   = "creates an MOU: only between parties that include the caller's (TestPartyCases/CreateBetweenOthers)"
	whyAudit    = "the audit log: whole log admin only, ?mou= needs the MOU's party (TestPartyCases/Audit)"
	whyVerify   = "verifies the audit chain's integrity; answers a count and a verdict, no event"
	whyPreview  = "renders the posted Markdown; reads no MOU"
	whyProcess  = "workflow definitions: shared processes, no MOU; writes admin only"
	whyNotices  = "the caller's own notifications and settings: another user's notification is 404 (TestNotificationsAPI)"
	whyWebhooks = "an admin's own party's webhooks; deliveries only of its MOUs (TestWebhookDeliveries)"
	whyCalendar = "the caller's (or a feed URL's user's) party's meetings only (TestCalendarPleasanton)"
)

// Request values of the walk.
const (
	partyGhost  = "ghost"        // path(): ids of nothing
	partyPDF    = "?from=1&to=2" // the draft's redline, revision 1 to 2
	sectionKey  = "duties"       // the section the draft's revision 2 changed
	partyDate   = "2025-07-01"
	partyReason = "The committee agreed to keep the State's course."
)

// currentRevision is the MOU's current revision when the request is sent.
func (f *partyFixture) currentRevision(key string) int {
	f.e.t.Helper()
	return f.e.mouOf(f.mou[key]).CurrentRevision
}

// partyRules is every registered route's party expectation. Writes come in
// the order their rightful calls are proved (each leaves the fixture as
// the next needs it).
var partyRules = []partyRule{
	// Reads of MOU data.
	{key: "GET /api/v1/mous/:id", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/revisions", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/revisions/:n", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/revisions/:n/pdf", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/revisions/:n/pagemap", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/redline", scope: scoped, mou: "draft", query: partyPDF},
	{key: "GET /api/v1/mous/:id/redline.pdf", scope: scoped, mou: "draft", query: partyPDF},
	{key: "GET /api/v1/mous/:id/deviations", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/packet.pdf", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/meetings", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/feedback", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/mous/:id/summary", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/meetings/:mid", scope: scoped, mou: "draft", mid: "liaison1"},
	{key: "GET /api/v1/mous/:id/signatories", scope: scoped, mou: "signature"},
	{key: "GET /api/v1/mous/:id/signing", scope: scoped, mou: "signature"},
	{key: "GET /api/v1/mous/:id/signing.pdf", scope: scoped, mou: "signature"},
	{key: "GET /mous/:id", scope: scoped, mou: "draft"},
	{key: "GET /mous/:id/redline", scope: scoped, mou: "draft", query: partyPDF},
	{key: "GET /mous/:id/deviations", scope: scoped, mou: "draft"},
	{key: "GET /mous/:id/sign", scope: scoped, mou: "signature"},
	{key: "GET /meetings/:mid", scope: scoped, mou: "liaison", mid: "liaison"},
	{key: "GET /api/v1/mous/:id/calendar.ics", scope: scoped, mou: "draft"},
	{key: "GET /api/v1/meetings/:mid/calendar.ics", scope: scoped, mou: "draft", mid: "liaison1"},
	// Forms of writes.
	{key: "GET /mous/:id/sections/:key/edit", scope: scoped, mou: "draft"},
	{key: "GET /mous/:id/signature-block/edit", scope: scoped, mou: "draft"},
	{key: "GET /mous/:id/meetings/new", scope: scoped, mou: "approval"},

	// Feedback: declining another party's reviewer's item is theirs to do;
	// resolving it by a revision that changed the section is either
	// party's (co-drafting).
	{key: "POST /api/v1/feedback/:fid/decline", scope: scoped, mou: "draft", fid: "declinable",
		body: func(*partyFixture, *partyUser) any { return map[string]string{"reason": partyReason} },
		ok:   district + "/drafter", okStatus: http.StatusOK,
		other: []partyRefusal{{city + "/drafter", http.StatusForbidden, "wrong_party"}, {city + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /feedback/:fid/decline", scope: scoped, mou: "draft", fid: "declinable2",
		body: func(*partyFixture, *partyUser) any { return url.Values{"reason": {partyReason}} },
		ok:   district + "/clerk", okStatus: http.StatusSeeOther,
		other: []partyRefusal{{city + "/drafter", http.StatusForbidden, "wrong_party"}, {city + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /api/v1/feedback/:fid/resolve", scope: scoped, mou: "draft", fid: "resolvable",
		body: func(*partyFixture, *partyUser) any { return map[string]int{"revision": 2} },
		ok:   city + "/clerk", okStatus: http.StatusOK},
	{key: "POST /feedback/:fid/resolve", scope: scoped, mou: "draft", fid: "resolvable2",
		body: func(*partyFixture, *partyUser) any { return url.Values{"revision": {"2"}} },
		ok:   city + "/drafter", okStatus: http.StatusSeeOther},

	// Revisions: drafters of both parties co-draft.
	{key: "POST /api/v1/mous/:id/revisions", scope: scoped, mou: "draft",
		body: func(f *partyFixture, _ *partyUser) any {
			return map[string]any{"base": f.currentRevision("draft"), "message": "Tighten the duties",
				"edits": []map[string]any{{"op": "update", "key": sectionKey, "body": "The SRO supports school safety and does not discipline students."}}}
		},
		ok: district + "/drafter", okStatus: http.StatusCreated},
	{key: "POST /mous/:id/sections/:key/edit", scope: scoped, mou: "draft",
		body: func(f *partyFixture, _ *partyUser) any {
			return url.Values{"base": {strconv.Itoa(f.currentRevision("draft"))}, "heading": {"Duties"},
				"body": {"The SRO supports school safety; discipline stays with administrators."}, "message": {"Name who disciplines"}}
		},
		ok: district + "/drafter", okStatus: http.StatusSeeOther},
	{key: "POST /mous/:id/signature-block/edit", scope: scoped, mou: "draft",
		body: func(f *partyFixture, _ *partyUser) any {
			return url.Values{"base": {strconv.Itoa(f.currentRevision("draft"))}, "rows": {"2"}, "message": {"Two signatories"},
				"kind_0": {"signatory"}, "party_0": {"city"}, "title_0": {"City Manager"}, "order_0": {"1"},
				"kind_1": {"signatory"}, "party_1": {"district"}, "title_1": {"Superintendent"}, "order_1": {"1"}}
		},
		ok: city + "/drafter", okStatus: http.StatusSeeOther},
	{key: "POST /api/v1/mous/:id/transitions", scope: scoped, mou: "draft",
		body: func(*partyFixture, *partyUser) any { return map[string]string{"to": "liaison_review", "note": "ready"} },
		ok:   city + "/drafter", okStatus: http.StatusOK},
	{key: "POST /mous/:id/transition", scope: scoped, mou: "draft",
		body: func(*partyFixture, *partyUser) any { return url.Values{"to": {"withdrawn"}, "note": {"superseded"}} },
		ok:   district + "/drafter", okStatus: http.StatusSeeOther},

	// Feedback on a joint body's meeting: any party's reviewer.
	{key: "POST /api/v1/meetings/:mid/feedback", scope: scoped, mou: "liaison", mid: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return map[string]string{"section": sectionKey, "text": "Say who supervises the SRO."}
		},
		ok: city + "/reviewer", okStatus: http.StatusCreated},
	{key: "POST /meetings/:mid/feedback", scope: scoped, mou: "liaison", mid: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return url.Values{"section": {sectionKey}, "text": {"Say who evaluates the SRO."}}
		},
		ok: district + "/reviewer", okStatus: http.StatusSeeOther},

	// Meetings and outcomes of one party's body: its own clerk only.
	{key: "POST /api/v1/mous/:id/meetings", scope: scoped, mou: "approval",
		body: func(f *partyFixture, _ *partyUser) any {
			return map[string]any{"body": "city_council", "date": partyDate, "location": "Civic Center", "revision": f.currentRevision("approval")}
		},
		ok: city + "/clerk", okStatus: http.StatusCreated,
		other: []partyRefusal{{district + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /mous/:id/meetings/new", scope: scoped, mou: "approval",
		body: func(f *partyFixture, _ *partyUser) any {
			return url.Values{"body": {"school_board"}, "date": {partyDate}, "location": {"District Office"},
				"revision": {strconv.Itoa(f.currentRevision("approval"))}}
		},
		ok: district + "/clerk", okStatus: http.StatusSeeOther,
		other: []partyRefusal{{city + "/clerk", http.StatusForbidden, "wrong_party"}}},
	// Moving a meeting not yet held: as creating it, its body's clerk.
	{key: "POST /api/v1/meetings/:mid/schedule", scope: scoped, mou: "approval", mid: "council",
		body: func(*partyFixture, *partyUser) any {
			return map[string]any{"date": "2025-07-08", "location": "Council Chambers", "note": "No quorum on the 1st."}
		},
		ok: city + "/clerk", okStatus: http.StatusOK,
		other: []partyRefusal{{district + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /api/v1/meetings/:mid/outcome", scope: scoped, mou: "approval", mid: "council",
		body: func(*partyFixture, *partyUser) any {
			return map[string]any{"outcome": "approve", "votes": partyRollCall(), "minutes": "Approved.", "resolution": "25-117"}
		},
		ok: city + "/clerk", okStatus: http.StatusCreated,
		other: []partyRefusal{{district + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /meetings/:mid/schedule", scope: scoped, mou: "approval", mid: "board",
		body: func(*partyFixture, *partyUser) any {
			return url.Values{"date": {"2025-07-09"}, "location": {"District Office, Room 2"}}
		},
		ok: district + "/clerk", okStatus: http.StatusSeeOther,
		other: []partyRefusal{{city + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /meetings/:mid/outcome", scope: scoped, mou: "approval", mid: "board",
		body: func(*partyFixture, *partyUser) any {
			v := url.Values{"outcome": {"approve"}, "minutes": {"Approved."}, "resolution": {"2025-44"}}
			for i := range 5 {
				v.Set(fmt.Sprintf("member_%d", i), fmt.Sprintf("Trustee %d", i+1))
				v.Set(fmt.Sprintf("vote_%d", i), "aye")
			}
			return v
		},
		ok: district + "/clerk", okStatus: http.StatusSeeOther,
		other: []partyRefusal{{city + "/clerk", http.StatusForbidden, "wrong_party"}}},

	// Signature lines.
	{key: "PUT /api/v1/mous/:id/signatories", scope: scoped, mou: "assignable",
		body: func(f *partyFixture, _ *partyUser) any {
			return map[string]any{"signatories": []map[string]any{{"line": 3, "email": f.e.named("manager").email}}}
		},
		ok: city + "/drafter", okStatus: http.StatusOK},
	{key: "POST /mous/:id/signatories", scope: scoped, mou: "approval",
		body: func(f *partyFixture, _ *partyUser) any { return url.Values{"line_3": {f.e.named("manager").email}} },
		ok:   city + "/drafter", okStatus: http.StatusSeeOther},
	{key: "POST /api/v1/mous/:id/signatures", scope: scoped, mou: "signature",
		body: func(_ *partyFixture, as *partyUser) any { return partySignature(as) },
		ok:   "superintendent", okStatus: http.StatusCreated,
		other: []partyRefusal{{city + "/signatory", http.StatusForbidden, "not_signatory"}}},
	{key: "POST /mous/:id/sign", scope: scoped, mou: "signature",
		body: func(_ *partyFixture, as *partyUser) any {
			return url.Values{"typed_name": {as.name}, "consent": {"yes"}, "password": {partyPassword}}
		},
		ok: "manager", okStatus: http.StatusSeeOther,
		other: []partyRefusal{{district + "/signatory", http.StatusForbidden, "not_signatory"}}},

	// Recommendations: recorded and disposed of by drafters and clerks of
	// either party.
	{key: "GET /api/v1/mous/:id/recommendations", scope: scoped, mou: "liaison"},
	{key: "GET /api/v1/mous/:id/recommendations/matrix", scope: scoped, mou: "liaison"},
	{key: "GET /mous/:id/recommendations", scope: scoped, mou: "liaison"},
	{key: "POST /api/v1/mous/:id/recommendations", scope: scoped, mou: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return map[string]any{"recommendations": []map[string]any{{"source": map[string]string{"body": "SRO Advisory Team", "item": "OC-1"},
				"text": "Assign SROs to sites during teacher work days"}}}
		},
		ok: city + "/drafter", okStatus: http.StatusCreated},
	{key: "POST /mous/:id/recommendations", scope: scoped, mou: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return url.Values{"body": {"SRO Advisory Team"}, "text": {"Develop a complaint process"}}
		},
		ok: district + "/clerk", okStatus: http.StatusSeeOther},
	{key: "POST /api/v1/mous/:id/recommendations/:rid/disposition", scope: scoped, mou: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return map[string]any{"disposition": "met", "sections": []string{sectionKey}, "revision": 1}
		},
		ok: city + "/clerk", okStatus: http.StatusOK},
	{key: "POST /mous/:id/recommendations/:rid/disposition", scope: scoped, mou: "liaison",
		body: func(*partyFixture, *partyUser) any {
			return url.Values{"disposition": {"deferred"}, "reason": {partyReason}}
		},
		ok: district + "/drafter", okStatus: http.StatusSeeOther},

	// Amending an executed MOU makes a new one between the same parties.
	{key: "POST /api/v1/mous/:id/amendments", scope: scoped, mou: "executed",
		ok: district + "/drafter", okStatus: http.StatusCreated},

	// Obligations of the executed MOU: everyone on it reads them; a
	// report is the owing party's (the city's citation data), and so is
	// waiving a period, its clerk's.
	{key: "GET /api/v1/mous/:id/obligations", scope: scoped, mou: "executed"},
	{key: "GET /api/v1/mous/:id/obligations/:oid", scope: scoped, mou: "executed"},
	{key: "GET /api/v1/mous/:id/obligations/:oid/reports/:report", scope: scoped, mou: "executed"},
	{key: "GET /api/v1/mous/:id/obligations/:oid/dataset.csv", scope: scoped, mou: "executed"},
	{key: "POST /api/v1/mous/:id/obligations/:oid/reports", scope: scoped, mou: "executed", query: "?due=2",
		body: func(*partyFixture, *partyUser) any { return rawBody{"text/csv", []byte(partyCSV("2025-10"))} },
		ok:   city + "/drafter", okStatus: http.StatusCreated,
		other: []partyRefusal{{district + "/drafter", http.StatusForbidden, "wrong_party"}, {district + "/clerk", http.StatusForbidden, "wrong_party"}}},
	{key: "POST /api/v1/mous/:id/obligations/:oid/waivers", scope: scoped, mou: "executed",
		body: func(*partyFixture, *partyUser) any { return map[string]any{"due": 3, "reason": partyReason} },
		ok:   city + "/clerk", okStatus: http.StatusCreated,
		other: []partyRefusal{{district + "/clerk", http.StatusForbidden, "wrong_party"}}},

	// The public record of executed MOUs.
	{key: "GET /api/v1/public/mous/:id", scope: public, mou: "executed"},
	{key: "GET /api/v1/mous/:id/signed.pdf", scope: public, mou: "executed"},
	{key: "GET /api/v1/mous/:id/certificate.pdf", scope: public, mou: "executed"},
	{key: "GET /public/mous/:id", scope: public, mou: "executed"},
	{key: "GET /public/mous/:id/redline", scope: public, mou: "executed"},
	{key: "GET /public/mous/:id/document.pdf", scope: public, mou: "executed"},
	{key: "GET /public/mous/:id/accountability", scope: public, mou: "executed"},
	{key: "GET /public/mous/:id/reports.atom", scope: public, mou: "executed"},
	{key: "GET /api/v1/public/mous/:id/accountability", scope: public, mou: "executed"},
	{key: "GET /public/reports/:report", scope: global, why: "a report names no MOU in its path; reports exist only for executed MOUs, whose records are public, and an unknown id is 404 (TestSeedDuluthAccountability)"},

	// The monitoring body of an executed MOU (the default process's joint
	// liaison committee) gives each obligation a status: any party's clerk
	// records a joint body's.
	{key: "POST /api/v1/meetings/:mid/status-updates", scope: scoped, mou: "executed", mid: "monitoring",
		body: func(f *partyFixture, _ *partyUser) any {
			return map[string]any{"obligation": f.obligation, "status": "on_track", "note": "Reports arrive on time."}
		},
		ok: city + "/clerk", okStatus: http.StatusCreated},
	{key: "POST /meetings/:mid/status-updates", scope: scoped, mou: "executed", mid: "monitoring",
		body: func(f *partyFixture, _ *partyUser) any {
			return url.Values{"obligation": {strconv.FormatInt(f.obligation2, 10)}, "status": {"at_risk"}, "note": {"The first report came late."}}
		},
		ok: district + "/clerk", okStatus: http.StatusSeeOther},

	{key: "GET /api/v1/mous", scope: global, why: whyLists},
	{key: "GET /dashboard", scope: global, why: whyLists},
	{key: "GET /approvals", scope: global, why: whyLists},
	{key: "POST /api/v1/mous", scope: global, why: whyCreate},
	{key: "POST /api/v1/mous/import", scope: global, why: whyCreate}, // through CreateMOU (docx import)
	{key: "GET /mous/new", scope: global, why: whyCreate},
	{key: "POST /mous/new", scope: global, why: whyCreate},
	{key: "GET /api/v1/audit", scope: global, why: whyAudit},
	{key: "GET /audit", scope: global, why: whyAudit},
	{key: "GET /api/v1/audit/verify", scope: global, why: whyVerify},
	{key: "POST /preview", scope: global, why: whyPreview},

	{key: "GET /healthz", scope: global, why: whyNoMOU},
	{key: "GET /", scope: global, why: whyNoMOU},
	{key: "GET /static/*file", scope: global, why: whyNoMOU},
	{key: "POST /api/v1/session", scope: global, why: whyNoMOU},
	{key: "DELETE /api/v1/session", scope: global, why: whyNoMOU},
	{key: "GET /signin", scope: global, why: whyNoMOU},
	{key: "POST /signin", scope: global, why: whyNoMOU},
	{key: "POST /signout", scope: global, why: whyNoMOU},
	{key: "GET /api/v1/me", scope: global, why: whyNoMOU},
	{key: "POST /api/v1/me/password", scope: global, why: whyNoMOU},
	{key: "GET /api/v1/me/tokens", scope: global, why: whyNoMOU},
	{key: "POST /api/v1/me/tokens", scope: global, why: whyNoMOU},
	{key: "DELETE /api/v1/me/tokens/:tid", scope: global, why: whyNoMOU},
	{key: "GET /profile", scope: global, why: whyNoMOU},
	{key: "GET /api/v1/notifications", scope: global, why: whyNotices},
	{key: "POST /api/v1/notifications/read", scope: global, why: whyNotices},
	{key: "GET /api/v1/notifications/:nid", scope: global, why: whyNotices},
	{key: "POST /api/v1/notifications/:nid/read", scope: global, why: whyNotices},
	{key: "GET /api/v1/me/notification-preferences", scope: global, why: whyNotices},
	{key: "PUT /api/v1/me/notification-preferences", scope: global, why: whyNotices},
	{key: "GET /notifications", scope: global, why: whyNotices},
	{key: "POST /notifications/read", scope: global, why: whyNotices},
	{key: "POST /notifications/:nid/read", scope: global, why: whyNotices},
	{key: "POST /profile/notifications", scope: global, why: whyNotices},
	{key: "POST /profile/password", scope: global, why: whyNoMOU},
	{key: "POST /profile/tokens", scope: global, why: whyNoMOU},
	{key: "POST /profile/tokens/:tid/revoke", scope: global, why: whyNoMOU},
	{key: "POST /api/v1/invitation", scope: global, why: whyNoMOU},
	{key: "GET /api/v1/parties", scope: global, why: whyPeople},
	{key: "GET /api/v1/users", scope: global, why: whyPeople},
	{key: "GET /invite", scope: global, why: whyNoMOU},
	{key: "POST /invite", scope: global, why: whyNoMOU},

	{key: "POST /api/v1/users", scope: global, why: whyAdmin},
	{key: "POST /api/v1/users/:uid/invitation", scope: global, why: whyAdmin},
	{key: "GET /api/v1/tokens", scope: global, why: whyAdmin},
	{key: "DELETE /api/v1/tokens/:tid", scope: global, why: whyAdmin},
	{key: "GET /admin", scope: global, why: whyAdmin},
	{key: "POST /admin/users", scope: global, why: whyAdmin},
	{key: "POST /admin/users/:uid/invitation", scope: global, why: whyAdmin},
	{key: "POST /admin/parties", scope: global, why: whyAdmin},
	{key: "POST /admin/tokens", scope: global, why: whyAdmin},
	{key: "POST /admin/tokens/:tid/revoke", scope: global, why: whyAdmin},

	{key: "GET /api/v1/templates", scope: global, why: whyLibrary},
	{key: "GET /api/v1/datasets", scope: global, why: whyLibrary},
	{key: "GET /api/v1/clauses", scope: global, why: whyLibrary},
	{key: "POST /api/v1/clauses", scope: global, why: whyLibrary},
	{key: "GET /api/v1/clauses/:slug", scope: global, why: whyLibrary},
	{key: "PUT /api/v1/clauses/:slug", scope: global, why: whyLibrary},
	{key: "GET /api/v1/clauses/:slug/versions/:n", scope: global, why: whyLibrary},
	{key: "GET /clauses", scope: global, why: whyLibrary},
	{key: "GET /clauses/:slug", scope: global, why: whyLibrary},
	{key: "GET /clauses/:slug/edit", scope: global, why: whyLibrary},
	{key: "POST /clauses/:slug/edit", scope: global, why: whyLibrary},

	{key: "GET /api/v1/workflows", scope: global, why: whyProcess},
	{key: "GET /api/v1/workflows/:name", scope: global, why: whyProcess},
	{key: "GET /api/v1/workflows/:name/versions/:n", scope: global, why: whyProcess},
	{key: "PUT /api/v1/workflows/:name", scope: global, why: whyProcess},
	{key: "GET /admin/workflows", scope: global, why: whyProcess},
	{key: "POST /admin/workflows", scope: global, why: whyProcess},
	{key: "GET /admin/workflows/:name", scope: global, why: whyProcess},
	{key: "GET /admin/workflows/:name/versions/:n", scope: global, why: whyProcess},
	{key: "GET /admin/workflows/:name/edit", scope: global, why: whyProcess},
	{key: "POST /admin/workflows/:name/edit", scope: global, why: whyProcess},

	{key: "GET /public", scope: global, why: whyPublic},
	{key: "GET /public/verify", scope: global, why: whyPublic},
	{key: "POST /public/verify", scope: global, why: whyPublic},
	{key: "GET /verify", scope: global, why: whyPublic},
	{key: "POST /api/v1/verify", scope: global, why: whyPublic},
	{key: "GET /api/v1/ca.pem", scope: global, why: whyPublic},
	{key: "GET /api/v1/openapi.json", scope: global, why: whyPublic},
	{key: "GET /ca/crl", scope: global, why: whyPublic},
	{key: "GET /public/calendar.ics", scope: global, why: whyPublic},

	{key: "GET /api/v1/calendar.ics", scope: global, why: whyCalendar},
	{key: "GET /calendar/:token/meetings.ics", scope: global, why: whyCalendar},
	{key: "GET /api/v1/webhooks", scope: global, why: whyWebhooks},
	{key: "POST /api/v1/webhooks", scope: global, why: whyWebhooks},
	{key: "GET /api/v1/webhooks/:wid", scope: global, why: whyWebhooks},
	{key: "DELETE /api/v1/webhooks/:wid", scope: global, why: whyWebhooks},
	{key: "GET /api/v1/webhooks/:wid/deliveries", scope: global, why: whyWebhooks},
	{key: "GET /admin/webhooks", scope: global, why: whyWebhooks},
	{key: "POST /admin/webhooks", scope: global, why: whyWebhooks},
	{key: "POST /admin/webhooks/:wid/disable", scope: global, why: whyWebhooks},
	{key: "GET /api/v1/me/calendar-feeds", scope: global, why: whyNoMOU},
	{key: "POST /api/v1/me/calendar-feeds", scope: global, why: whyNoMOU},
	{key: "DELETE /api/v1/me/calendar-feeds/:cid", scope: global, why: whyNoMOU},
	{key: "POST /profile/calendar-feeds", scope: global, why: whyNoMOU},
	{key: "POST /profile/calendar-feeds/:cid/revoke", scope: global, why: whyNoMOU},
}

// digits are the ids in an answer.
var digits = regexp.MustCompile(`[0-9]+`)

// sameButIDs is an answer with every number replaced, to compare the
// answers about two ids.
func sameButIDs(body []byte) string { return digits.ReplaceAllString(string(body), "N") }

// firstDiff is the first line where two answers differ.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if digits.ReplaceAllString(x, "N") != digits.ReplaceAllString(y, "N") {
			return fmt.Sprintf("\t%s\n\t%s", strings.TrimSpace(x), strings.TrimSpace(y))
		}
	}
	return "(no difference)"
}

// mouParam matches the path parameters that name an MOU or something of
// one; a route with one cannot be global.
var mouParam = regexp.MustCompile(`/:(id|mid|fid|key)(/|$)`)

// path is the rule's request path with the fixture's ids.
// With mouKey partyGhost, every id is one that does not exist.
func (r partyRule) path(t *testing.T, f *partyFixture, mouKey string) string {
	t.Helper()
	_, pattern, _ := strings.Cut(r.key, " ")
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		switch {
		case mouKey == partyGhost && (seg == ":id" || seg == ":mid" || seg == ":fid" || seg == ":rid" || seg == ":oid" || seg == ":report"):
			seg = "987654"
		}
		switch seg {
		case ":id":
			id, ok := f.mou[mouKey]
			if !ok {
				t.Fatalf("%s: no fixture MOU %q", r.key, mouKey)
			}
			seg = strconv.FormatInt(id, 10)
		case ":mid":
			id, ok := f.mid[r.mid]
			if !ok {
				t.Fatalf("%s: no fixture meeting %q", r.key, r.mid)
			}
			seg = strconv.FormatInt(id, 10)
		case ":fid":
			id, ok := f.fid[r.fid]
			if !ok {
				t.Fatalf("%s: no fixture feedback %q", r.key, r.fid)
			}
			seg = strconv.FormatInt(id, 10)
		case ":rid":
			seg = strconv.FormatInt(f.rid, 10)
		case ":oid":
			seg = strconv.FormatInt(f.oid, 10)
		case ":report":
			seg = strconv.FormatInt(f.report, 10)
		case ":n":
			seg = "2"
		case ":key":
			seg = sectionKey
		}
		if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
			t.Fatalf("%s: no value for %s", r.key, seg)
		}
		out = append(out, seg)
	}
	p := strings.Join(out, "/")
	if r.query != "" {
		p += r.query
	}
	return p
}

func (r partyRule) method() string {
	m, _, _ := strings.Cut(r.key, " ")
	return m
}

// read reports whether the route only reads: an admin of another party
// may, nobody else outside the MOU's parties. The forms of writes are
// reads too (they show what the admin may already read); saving them is
// the write that is refused.
func (r partyRule) read() bool { return r.method() == http.MethodGet }

func (r partyRule) bodyFor(f *partyFixture, as *partyUser) any {
	if r.body == nil {
		return nil
	}
	return r.body(f, as)
}

// thirdParty is what a user of role of a party not on the MOU gets: the
// router's role refusal first; then an admin reads, and writes nothing;
// anyone else is told the MOU does not exist.
func (r partyRule) thirdParty(role auth.Role, action auth.Action) (int, string) {
	switch {
	case !auth.Allowed([]auth.Role{role}, action):
		return http.StatusForbidden, "forbidden"
	case role == auth.RoleAdmin && r.read():
		return http.StatusOK, ""
	case role == auth.RoleAdmin:
		return http.StatusForbidden, "not_a_party"
	}
	return http.StatusNotFound, "not_found"
}

// TestPartyRouteWalk walks every registered route. A route that names an
// MOU, meeting, feedback item or signature line is called by a user of
// every role of the county, which is on no MOU, and by the users of the
// other party on the MOU whom the contract refuses; each gets its refusal
// and nothing changes. Users of both parties read every such route. Then
// each write is made by its rightful caller, proving the refused requests
// were valid. A registered route without a rule here fails the test.
func TestPartyRouteWalk(t *testing.T) {
	e := newPartyEnv(t)
	rules := map[string]partyRule{}
	for _, r := range partyRules {
		if _, dup := rules[r.key]; dup {
			t.Errorf("two rules for %s", r.key)
		}
		rules[r.key] = r
	}
	actions := e.srv.Rules()
	var walk []partyRule
	registered := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path
		registered[key] = true
		r, ok := rules[key]
		switch {
		case !ok:
			t.Errorf("route %s has no party rule: add it to partyRules", key)
		case r.scope == global && mouParam.MatchString(rt.Path):
			t.Errorf("route %s names an MOU but its party rule is global", key)
		case r.scope == global && r.why == "":
			t.Errorf("route %s is global without saying why", key)
		case r.scope == public && actions[key] != auth.Public:
			t.Errorf("route %s is public in the party rules but needs %s", key, actions[key])
		case r.scope == scoped && actions[key] == auth.Public:
			t.Errorf("route %s is MOU-scoped in the party rules but public to the router", key)
		case r.scope == scoped && rt.Method != http.MethodGet && r.ok == "":
			t.Errorf("route %s writes but names no rightful caller to prove its request valid", key)
		}
	}
	for _, r := range partyRules {
		if registered[r.key] && r.scope != global {
			walk = append(walk, r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	f := newPartyFixture(e)
	parties := []string{city, district}

	// Users of both parties read every MOU-scoped read (and the forms of
	// writes their roles allow); this also fills every cache the refusals
	// below must not answer from.
	t.Run("PartiesRead", func(t *testing.T) {
		e, f := e.with(t), f.with(t)
		for _, r := range walk {
			if r.scope != scoped || r.method() != http.MethodGet {
				continue
			}
			p := r.path(t, f, r.mou)
			for _, party := range parties {
				for _, role := range auth.Roles() {
					want := http.StatusOK
					if !auth.Allowed([]auth.Role{role}, actions[r.key]) {
						want = http.StatusForbidden
					}
					if a := e.do(e.user(party, role), "GET", p, nil); a.status != want {
						t.Errorf("%s as %s/%s = %d, want %d: %s", p, party, role, a.status, want, a.excerpt())
					}
				}
			}
		}
	})

	// Every role of the county, and the other party's refused users, on
	// every MOU-scoped route: the refusal, and nothing written.
	t.Run("Refusals", func(t *testing.T) {
		for _, r := range walk {
			if r.scope != scoped {
				continue
			}
			t.Run(r.key, func(t *testing.T) {
				e, f := e.with(t), f.with(t)
				p := r.path(t, f, r.mou)
				for _, role := range auth.Roles() {
					who := e.user(county, role)
					status, code := r.thirdParty(role, actions[r.key])
					before := e.snapshot()
					got := e.refused(who, r.method(), p, r.bodyFor(f, who), status, code)
					if status >= 400 || r.method() != http.MethodGet {
						e.unchanged(fmt.Sprintf("%s %s as %s", r.method(), p, who), before)
					}
					if status != http.StatusNotFound {
						continue
					}
					// Not found must be the answer about nothing at all, or
					// a probe tells which ids exist and whose they are.
					ghost := r.path(t, f, partyGhost)
					want := e.do(who, r.method(), ghost, r.bodyFor(f, who))
					if got.status != want.status || sameButIDs(got.body) != sameButIDs(want.body) {
						t.Errorf("%s %s as %s answers %d, a nonexistent one (%s) %d:\n%s",
							r.method(), p, who, got.status, ghost, want.status, firstDiff(got.body, want.body))
					}
				}
				for _, o := range r.other {
					who := e.named(o.who)
					before := e.snapshot()
					e.refused(who, r.method(), p, r.bodyFor(f, who), o.status, o.code)
					e.unchanged(fmt.Sprintf("%s %s as %s", r.method(), p, who), before)
				}
			})
		}
	})

	// The public record of an executed MOU is everyone's, the county's
	// too; a draft has none, for anyone.
	t.Run("Public", func(t *testing.T) {
		e, f := e.with(t), f.with(t)
		for _, r := range walk {
			if r.scope != public {
				continue
			}
			callers := []*partyUser{nil}
			for _, role := range auth.Roles() {
				callers = append(callers, e.user(county, role))
			}
			for _, who := range callers {
				if a := e.do(who, "GET", r.path(t, f, r.mou), nil); a.status != http.StatusOK {
					t.Errorf("%s as %s = %d, want 200: %s", r.path(t, f, r.mou), who, a.status, a.excerpt())
				}
				if a := e.do(who, "GET", r.path(t, f, "draft"), nil); a.status != http.StatusNotFound {
					t.Errorf("%s (a draft) as %s = %d, want 404: %s", r.path(t, f, "draft"), who, a.status, a.excerpt())
				}
			}
		}
	})
	if t.Failed() {
		return // the rightful calls below would only add noise
	}

	// The rightful callers make the very requests refused above.
	t.Run("RightfulCalls", func(t *testing.T) {
		e, f := e.with(t), f.with(t)
		for _, r := range walk {
			if r.scope != scoped || r.method() == http.MethodGet {
				continue
			}
			who := e.named(r.ok)
			p := r.path(t, f, r.mou)
			before := e.dbState()
			if a := e.do(who, r.method(), p, r.bodyFor(f, who)); a.status != r.okStatus {
				t.Fatalf("%s %s as %s = %d, want %d: %s", r.method(), p, who, a.status, r.okStatus, a.excerpt())
			}
			if maps.Equal(before, e.dbState()) {
				t.Errorf("%s %s as %s = %d but wrote nothing", r.method(), p, who, r.okStatus)
			}
		}
	})
}

// TestPartyCases replays the party cases of issue 14, each of which
// succeeded before party scope: the county (on no MOU) drafting, withdrawing,
// dropping a half-signed MOU back to draft, assigning signatories and
// creating an MOU between two other bodies; a drafter declining another
// party's reviewer's feedback; a clerk creating the other party's body's
// meeting; staff of any party reading every draft, feedback item and the
// whole audit log; and the MOU lists.
func TestPartyCases(t *testing.T) {
	e := newPartyEnv(t)
	f := newPartyFixture(e)
	id := func(key string) string { return strconv.FormatInt(f.mou[key], 10) }
	refusedUnchanged := func(t *testing.T, who *partyUser, method, path string, body any, status int, code string) {
		t.Helper()
		e := e.with(t)
		before := e.snapshot()
		e.refused(who, method, path, body, status, code)
		e.unchanged(method+" "+path+" as "+who.String(), before)
	}
	countyDrafter, countyAdmin := e.user(county, auth.RoleDrafter), e.user(county, auth.RoleAdmin)
	edit := func(f *partyFixture, mouKey string) map[string]any {
		return map[string]any{"base": f.currentRevision(mouKey), "message": "County edit",
			"edits": []map[string]any{{"op": "update", "key": sectionKey, "body": "The County decides the SRO's duties."}}}
	}

	t.Run("ThirdPartySavesRevision", func(t *testing.T) {
		f := f.with(t)
		refusedUnchanged(t, countyDrafter, "POST", "/api/v1/mous/"+id("draft")+"/revisions", edit(f, "draft"), http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "POST", "/api/v1/mous/"+id("draft")+"/revisions", edit(f, "draft"), http.StatusForbidden, "not_a_party")
	})
	t.Run("ThirdPartyWithdraws", func(t *testing.T) {
		body := map[string]string{"to": "withdrawn", "note": "County says no"}
		refusedUnchanged(t, countyDrafter, "POST", "/api/v1/mous/"+id("draft")+"/transitions", body, http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "POST", "/api/v1/mous/"+id("draft")+"/transitions", body, http.StatusForbidden, "not_a_party")
		refusedUnchanged(t, countyDrafter, "POST", "/mous/"+id("draft")+"/transition", url.Values{"to": {"withdrawn"}}, http.StatusNotFound, "")
	})
	t.Run("ThirdPartyDropsHalfSignedToDraft", func(t *testing.T) {
		e, f := e.with(t), f.with(t)
		// A new revision would send the MOU back to draft and discard the
		// chief's signature; the stage and signatures are in the snapshot.
		refusedUnchanged(t, countyDrafter, "POST", "/api/v1/mous/"+id("signature")+"/revisions", edit(f, "signature"), http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "POST", "/api/v1/mous/"+id("signature")+"/revisions", edit(f, "signature"), http.StatusForbidden, "not_a_party")
		if st := e.mouOf(f.mou["signature"]).Stage; st != "signature" {
			t.Fatalf("half-signed MOU is in %q", st)
		}
	})
	t.Run("ThirdPartyAssignsSignatories", func(t *testing.T) {
		e := e.with(t)
		body := map[string]any{"signatories": []map[string]any{{"line": 1, "email": e.named("chief").email}}}
		refusedUnchanged(t, countyDrafter, "PUT", "/api/v1/mous/"+id("assignable")+"/signatories", body, http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "PUT", "/api/v1/mous/"+id("assignable")+"/signatories", body, http.StatusForbidden, "not_a_party")
		refusedUnchanged(t, countyDrafter, "POST", "/mous/"+id("assignable")+"/signatories", url.Values{"line_1": {e.named("chief").email}}, http.StatusNotFound, "")
		// The page prepares the signing PDF before assigning: an admin
		// refused the assignment must not have prepared it either (that
		// would also lock the lines for the parties).
		refusedUnchanged(t, countyAdmin, "POST", "/mous/"+id("assignable")+"/signatories", url.Values{"line_1": {e.named("chief").email}}, http.StatusForbidden, "")
	})
	t.Run("DeclineOtherPartysFeedback", func(t *testing.T) {
		e := e.with(t)
		decline := "/api/v1/feedback/" + strconv.FormatInt(f.fid["declinable"], 10) + "/decline"
		body := map[string]string{"reason": partyReason}
		refusedUnchanged(t, e.user(city, auth.RoleDrafter), "POST", decline, body, http.StatusForbidden, "wrong_party")
		refusedUnchanged(t, e.user(city, auth.RoleClerk), "POST", decline, body, http.StatusForbidden, "wrong_party")
		refusedUnchanged(t, countyDrafter, "POST", decline, body, http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "POST", decline, body, http.StatusForbidden, "not_a_party")
		// The party that raised it may decline it; resolving by a revision
		// that changed the section is either party's.
		e.call(e.user(district, auth.RoleDrafter), "POST", decline, body, http.StatusOK, nil)
		e.call(e.user(city, auth.RoleDrafter), "POST", "/api/v1/feedback/"+strconv.FormatInt(f.fid["resolvable"], 10)+"/resolve",
			map[string]int{"revision": 2}, http.StatusOK, nil)
	})
	t.Run("OtherPartysBodyMeeting", func(t *testing.T) {
		e, f := e.with(t), f.with(t)
		meeting := func(body string, mouKey string) map[string]any {
			return map[string]any{"body": body, "date": partyDate, "location": "Civic Center", "revision": f.currentRevision(mouKey)}
		}
		approval, liaison := "/api/v1/mous/"+id("approval")+"/meetings", "/api/v1/mous/"+id("liaison")+"/meetings"
		refusedUnchanged(t, e.user(district, auth.RoleClerk), "POST", approval, meeting("city_council", "approval"), http.StatusForbidden, "wrong_party")
		refusedUnchanged(t, e.user(city, auth.RoleClerk), "POST", approval, meeting("school_board", "approval"), http.StatusForbidden, "wrong_party")
		refusedUnchanged(t, e.user(county, auth.RoleClerk), "POST", liaison, meeting("liaison_committee", "liaison"), http.StatusNotFound, "not_found")
		refusedUnchanged(t, countyAdmin, "POST", liaison, meeting("liaison_committee", "liaison"), http.StatusForbidden, "not_a_party")
		// Nor its outcome.
		outcome := map[string]any{"outcome": "approve", "votes": partyRollCall(), "minutes": "Approved."}
		refusedUnchanged(t, e.user(district, auth.RoleClerk), "POST", "/api/v1/meetings/"+strconv.FormatInt(f.mid["council"], 10)+"/outcome", outcome, http.StatusForbidden, "wrong_party")
		refusedUnchanged(t, e.user(county, auth.RoleClerk), "POST", "/api/v1/meetings/"+strconv.FormatInt(f.mid["liaison"], 10)+"/outcome",
			map[string]any{"outcome": "forward", "votes": []any{}}, http.StatusNotFound, "not_found")
		// A joint body's meeting is either party's clerk's; a body of one
		// party is its own clerk's.
		e.call(e.user(district, auth.RoleClerk), "POST", liaison, meeting("liaison_committee", "liaison"), http.StatusCreated, nil)
		e.call(e.user(city, auth.RoleClerk), "POST", approval, meeting("city_council", "approval"), http.StatusCreated, nil)
	})
	t.Run("StaffReadOnlyTheirMOUs", func(t *testing.T) {
		e := e.with(t)
		reads := []string{
			"/api/v1/mous/" + id("draft"),
			"/api/v1/mous/" + id("draft") + "/revisions/1",
			"/api/v1/mous/" + id("draft") + "/feedback",
			"/api/v1/mous/" + id("draft") + "/meetings",
			"/api/v1/meetings/" + strconv.FormatInt(f.mid["liaison1"], 10),
			"/api/v1/mous/" + id("draft") + "/summary",
			"/mous/" + id("draft"),
		}
		for _, role := range []auth.Role{auth.RoleDrafter, auth.RoleReviewer, auth.RoleClerk, auth.RoleSignatory} {
			for _, p := range reads {
				e.refused(e.user(county, role), "GET", p, nil, http.StatusNotFound, "not_found")
			}
		}
		for _, p := range reads {
			e.call(countyAdmin, "GET", p, nil, http.StatusOK, nil)
			e.call(e.user(district, auth.RoleReviewer), "GET", p, nil, http.StatusOK, nil)
		}
	})
	t.Run("Audit", func(t *testing.T) {
		e := e.with(t)
		// A failed sign-in: its address is in the whole log, which only
		// admins read.
		e.refused(nil, "POST", "/api/v1/session", map[string]string{"email": e.user(city, auth.RoleClerk).email, "password": "not the password"}, http.StatusUnauthorized, "invalid_credentials")
		for _, who := range []*partyUser{e.user(city, auth.RoleClerk), e.user(county, auth.RoleClerk)} {
			e.refused(who, "GET", "/api/v1/audit", nil, http.StatusForbidden, "forbidden")
			e.refused(who, "GET", "/api/v1/audit?object=account:"+url.QueryEscape(e.user(city, auth.RoleClerk).email), nil, http.StatusForbidden, "forbidden")
			e.refused(who, "GET", "/audit", nil, http.StatusForbidden, "")
		}
		var all struct {
			Events []struct{ Action, Object string } `json:"events"`
		}
		e.call(countyAdmin, "GET", "/api/v1/audit?limit=500", nil, http.StatusOK, &all)
		if !slicesContainsFunc(all.Events, func(a, o string) bool { return a == "login.failure" }) {
			t.Errorf("the admin's whole log lacks the failed sign-in")
		}
		// One MOU's events: its parties' clerks and admins; 404 to others.
		object := "mou:" + id("draft")
		for _, who := range []*partyUser{e.user(city, auth.RoleClerk), e.user(district, auth.RoleClerk), countyAdmin} {
			var one struct {
				Events []struct{ Action, Object string } `json:"events"`
			}
			e.call(who, "GET", "/api/v1/audit?mou="+id("draft"), nil, http.StatusOK, &one)
			if len(one.Events) == 0 || slicesContainsFunc(one.Events, func(_, o string) bool { return o != object }) {
				t.Errorf("?mou=%s as %s: %+v", id("draft"), who, one.Events)
			}
			e.call(who, "GET", "/audit?mou="+id("draft"), nil, http.StatusOK, nil)
		}
		countyClerk := e.user(county, auth.RoleClerk)
		e.refused(countyClerk, "GET", "/api/v1/audit?mou="+id("draft"), nil, http.StatusNotFound, "not_found")
		e.refused(countyClerk, "GET", "/api/v1/audit?object="+object, nil, http.StatusNotFound, "not_found")
		e.refused(countyClerk, "GET", "/audit?mou="+id("draft"), nil, http.StatusNotFound, "")
	})
	t.Run("Lists", func(t *testing.T) {
		e := e.with(t)
		ids := func(who *partyUser, query string) map[int64]bool {
			t.Helper()
			var out struct {
				MOUs []struct {
					ID int64 `json:"id"`
				} `json:"mous"`
			}
			e.call(who, "GET", "/api/v1/mous"+query, nil, http.StatusOK, &out)
			got := map[int64]bool{}
			for _, m := range out.MOUs {
				got[m.ID] = true
			}
			return got
		}
		for _, role := range []auth.Role{auth.RoleDrafter, auth.RoleReviewer, auth.RoleClerk, auth.RoleSignatory} {
			who := e.user(county, role)
			for _, q := range []string{"", "?stage=draft", "?limit=1"} {
				if got := ids(who, q); len(got) != 0 {
					t.Errorf("GET /api/v1/mous%s as %s lists %v", q, who, got)
				}
			}
			for _, page := range []string{"/dashboard", "/approvals"} {
				a := e.do(who, "GET", page, nil)
				if a.status != http.StatusOK || strings.Contains(string(a.body), "between the City and the District") {
					t.Errorf("%s as %s = %d, or lists the parties' MOUs", page, who, a.status)
				}
			}
		}
		for _, who := range []*partyUser{e.user(city, auth.RoleReviewer), e.user(district, auth.RoleSignatory), countyAdmin} {
			got := ids(who, "?limit=100")
			for key, mid := range f.mou {
				if !got[mid] {
					t.Errorf("GET /api/v1/mous as %s lacks %s MOU %d", who, key, mid)
				}
			}
		}
		if a := e.do(e.user(district, auth.RoleDrafter), "GET", "/dashboard", nil); !strings.Contains(string(a.body), "Draft between the City and the District") {
			t.Errorf("the district drafter's dashboard lacks their draft: %d", a.status)
		}
	})
	t.Run("CreateBetweenOthers", func(t *testing.T) {
		e := e.with(t)
		between := func(cityParty, districtParty string) map[string]any {
			return map[string]any{"title": "County-made MOU", "template": "sro-mou",
				"parties":   map[string]string{"city": cityParty, "district": districtParty},
				"variables": shipped.Variables(t)}
		}
		refusedUnchanged(t, countyDrafter, "POST", "/api/v1/mous", between(city, district), http.StatusForbidden, "not_a_party")
		refusedUnchanged(t, countyAdmin, "POST", "/api/v1/mous", between(city, district), http.StatusForbidden, "not_a_party")
		form := url.Values{"template": {"sro-mou"}, "title": {"County-made MOU"}, "parties.city": {city}, "parties.district": {district}}
		for k, v := range shipped.Variables(t) {
			form.Set("variables."+k, v)
		}
		refusedUnchanged(t, countyDrafter, "POST", "/mous/new", form, http.StatusForbidden, "")
		// Amending another parties' executed MOU would make one too.
		refusedUnchanged(t, countyDrafter, "POST", "/api/v1/mous/"+id("executed")+"/amendments", nil, http.StatusNotFound, "not_found")
		// With the county as a party, the county drafter may.
		e.call(countyDrafter, "POST", "/api/v1/mous", between(county, district), http.StatusCreated, nil)
	})
}

// slicesContainsFunc reports whether any event matches.
func slicesContainsFunc(evs []struct{ Action, Object string }, match func(action, object string) bool) bool {
	for _, ev := range evs {
		if match(ev.Action, ev.Object) {
			return true
		}
	}
	return false
}
