package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/teststore"
	"github.com/moudesk/moudesk/internal/testtool"
	"github.com/moudesk/moudesk/internal/web"
)

// recEnv is a server with Duluth's two parties, a drafter of the city, a
// clerk of the school district, and two users of a third party: a clerk
// and an admin.
type recEnv struct {
	t                        *testing.T
	db                       *sqlite.DB
	url                      string
	drafter, clerk, reviewer string
	outsider, admin          string
}

func newRecEnv(t *testing.T) *recEnv {
	t.Helper()
	db, url, token := web.StartTestServer(t,
		desk.Party{Slug: "duluth", Name: "City of Duluth", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "isd709", Name: "Independent School District 709", Kind: "district", Body: "School Board"},
		desk.Party{Slug: "superior", Name: "City of Superior", Kind: "city", Body: "Common Council"},
	)
	return &recEnv{t: t, db: db, url: url,
		drafter:  token("drafter@duluthmn.gov", "duluth", auth.RoleDrafter),
		clerk:    token("clerk@isd709.org", "isd709", auth.RoleClerk),
		reviewer: token("reviewer@isd709.org", "isd709", auth.RoleReviewer),
		outsider: token("clerk@superiorwi.gov", "superior", auth.RoleClerk),
		admin:    token("admin@superiorwi.gov", "superior", auth.RoleAdmin),
	}
}

// send makes a request with token and answers the status and body.
func (e *recEnv) send(token, method, path, contentType string, body io.Reader) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, raw := testtool.Do(e.t, client, req)
	return res.StatusCode, raw
}

// call sends v as JSON, wants status, and decodes the answer into out.
func (e *recEnv) call(token, method, path string, v any, want int, out any) {
	e.t.Helper()
	var body io.Reader
	if v != nil {
		raw, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		body = strings.NewReader(string(raw))
	}
	status, raw := e.send(token, method, path, "application/json", body)
	if status != want {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

func (e *recEnv) rows() map[string]int {
	e.t.Helper()
	return teststore.Rows(e.t, e.db.MOURowCounts, e.db.RecommendationRowCounts)
}

// refused sends v and wants status with code (and field, when given),
// and no row written. The audit log is left out of the count: a write the
// router refuses for the caller's roles is audited as access.denied.
func (e *recEnv) refused(name, token, path string, v any, status int, code, field string) {
	e.t.Helper()
	before := e.rows()
	var out struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	e.call(token, http.MethodPost, path, v, status, &out)
	if out.Error.Code != code || field != "" && out.Error.Field != field {
		e.t.Errorf("%s: error %+v, want code %q field %q", name, out.Error, code, field)
	}
	after := e.rows()
	delete(before, "audit_events")
	delete(after, "audit_events")
	if !maps.Equal(before, after) {
		e.t.Errorf("%s: refused request changed rows: %v → %v", name, before, after)
	}
}

// duluthRecommendations are the five recommendations of the Duluth
// advisory team replayed here (seed 003), in the API's shape.
var duluthRecommendations = []struct{ item, text string }{
	{"OC-1", "Assign SROs to sites during teacher work days and professional development days"},
	{"OC-2", "Ensure that there is full coverage on days when SROs are on vacation"},
	{"OC-3", "Change contract start date and other dates to follow the school year calendar"},
	{"CT-3", "Publicly share training that is scheduled or completed, and discipline and citation data"},
	{"CT-1", "Develop and clarify the process for making a complaint and concern"},
}

// TestRecommendationsDuluthAPI replays the Duluth advisory team's five
// recommendations through the API against an MOU of the shipped sro-mou
// template: imported at once, three adopted by sections of revision 2,
// one met by revision 1's text, one deferred with a reason through the
// page's form. The matrix (JSON, HTML page, PDF) lists each of the five
// with its disposition; bad input and the wrong people are refused and
// write nothing.
func TestRecommendationsDuluthAPI(t *testing.T) {
	e := newRecEnv(t)
	var created struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.drafter, http.MethodPost, "/api/v1/mous", map[string]any{
		"title": "Duluth SRO Agreement 2022–2025", "template": "sro-mou",
		"parties": map[string]string{"city": "duluth", "district": "isd709"}, "variables": shipped.Variables(t),
	}, http.StatusCreated, &created)
	id := created.MOU.ID
	base := fmt.Sprintf("/api/v1/mous/%d/recommendations", id)

	var list []map[string]any
	for _, r := range duluthRecommendations {
		list = append(list, map[string]any{"text": r.text, "source": map[string]string{
			"body": "SRO Advisory Team", "title": "SRO Update: Recommendations for New Contract", "date": "2022-06-07", "item": r.item}})
	}
	var added struct {
		Recommendations []desk.Recommendation `json:"recommendations"`
	}
	e.call(e.clerk, http.MethodPost, base, map[string]any{"recommendations": list}, http.StatusCreated, &added)
	if len(added.Recommendations) != 5 || added.Recommendations[2].Current.Disposition != "open" {
		t.Fatalf("added: %+v", added.Recommendations)
	}
	rid := func(i int) int64 { return added.Recommendations[i].ID }
	disposition := func(i int) string { return fmt.Sprintf("%s/%d/disposition", base, rid(i)) }

	e.call(e.drafter, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": 1, "message": "Advisory team recommendations",
		"edits": []map[string]any{
			{"op": "update", "key": "work-days", "body": "The Department assigns each SRO to their school on teacher work days and professional-development days.\n"},
			{"op": "update", "key": "vacation-coverage", "body": "SROs take vacation outside school days where they can; otherwise the Department provides full coverage.\n"},
			{"op": "add", "key": "public-data", "after": "data-reporting", "heading": "Public Training and Citation Data",
				"body": "The District publishes each quarter the training SROs completed and the discipline and citation data of every school.\n"},
		},
	}, http.StatusCreated, nil)

	// Bad input and the wrong people: refused, nothing written.
	e.refused("UnknownSection", e.drafter, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days", "sro-weekends"}, "revision": 2},
		http.StatusUnprocessableEntity, "unknown_section", "sections[1]")
	e.refused("UnknownDisposition", e.drafter, disposition(0), map[string]any{"disposition": "ignored", "reason": "x"},
		http.StatusUnprocessableEntity, "unknown_disposition", "disposition")
	e.refused("DeferredWithoutReason", e.drafter, disposition(4), map[string]any{"disposition": "deferred"},
		http.StatusUnprocessableEntity, "missing_field", "reason")
	e.refused("RevisionThatDoesNotExist", e.drafter, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": 3},
		http.StatusUnprocessableEntity, "unknown_revision", "revision")
	e.refused("Undecodable", e.drafter, disposition(0), map[string]any{"disposition": "adopted", "section": "work-days"},
		http.StatusBadRequest, "invalid_json", "")
	e.refused("NonParty", e.outsider, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": 2},
		http.StatusNotFound, "not_found", "")
	e.refused("NonPartyImport", e.outsider, base, map[string]any{"recommendations": list}, http.StatusNotFound, "not_found", "")
	e.refused("Admin", e.admin, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": 2},
		http.StatusForbidden, "not_a_party", "")
	e.refused("Reviewer", e.reviewer, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": 2},
		http.StatusForbidden, "forbidden", "")
	e.refused("ImportWithoutText", e.clerk, base, map[string]any{"recommendations": []map[string]any{list[0], {"source": map[string]string{"body": "SRO Advisory Team"}}}},
		http.StatusUnprocessableEntity, "missing_field", "recommendations[1].text")

	e.call(e.drafter, http.MethodPost, disposition(0), map[string]any{"disposition": "adopted", "sections": []string{"work-days"}, "revision": 2}, http.StatusOK, nil)
	e.call(e.drafter, http.MethodPost, disposition(1), map[string]any{"disposition": "adopted", "sections": []string{"vacation-coverage"}, "revision": 2}, http.StatusOK, nil)
	e.call(e.clerk, http.MethodPost, disposition(2), map[string]any{"disposition": "met", "sections": []string{"school-year"}, "revision": 1,
		"reason": "Section 4 already ties every date to the school-year calendar"}, http.StatusOK, nil)
	e.call(e.drafter, http.MethodPost, disposition(3), map[string]any{"disposition": "adopted", "sections": []string{"public-data", "data-reporting"}, "revision": 2}, http.StatusOK, nil)

	// The deferral goes through the page's form, which works without
	// JavaScript: a plain form post answered with a redirect.
	form := url.Values{"disposition": {"deferred"}, "sections": {""}, "revision": {""},
		"reason": {"The district and DPD will draft the complaint process with the advisory team"}}
	status, raw := e.send(e.clerk, http.MethodPost, fmt.Sprintf("/mous/%d/recommendations/%d/disposition", id, rid(4)),
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if status != http.StatusSeeOther {
		t.Fatalf("disposition form = %d: %s", status, raw)
	}
	form = url.Values{"disposition": {"adopted"}, "sections": {"no-such-key"}, "revision": {"2"}}
	before := e.rows()
	status, raw = e.send(e.clerk, http.MethodPost, fmt.Sprintf("/mous/%d/recommendations/%d/disposition", id, rid(4)),
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "no section &#34;no-such-key&#34;") || !maps.Equal(before, e.rows()) {
		t.Errorf("refused disposition form = %d, wrote %v → %v: %s", status, before, e.rows(), raw)
	}

	want := []string{"adopted", "adopted", "met", "adopted", "deferred"}
	var mx desk.Matrix
	e.call(e.reviewer, http.MethodGet, base+"/matrix", nil, http.StatusOK, &mx)
	if len(mx.Rows) != 5 {
		t.Fatalf("matrix: %+v", mx)
	}
	for i, row := range mx.Rows {
		if row.Text != duluthRecommendations[i].text || row.Source.Item != duluthRecommendations[i].item || row.Disposition != want[i] {
			t.Errorf("matrix row %d: %q item %q %s, want %s", i, row.Text, row.Source.Item, row.Disposition, want[i])
		}
	}
	if s := mx.Rows[3].Sections; len(s) != 2 || s[0].Link != fmt.Sprintf("/mous/%d?rev=2#section-public-data", id) || s[0].Heading != "Public Training and Citation Data" {
		t.Errorf("sections of the data recommendation: %+v", s)
	}
	if mx.Rows[4].Reason == "" || mx.Rows[2].Reason == "" {
		t.Errorf("reasons: %+v", mx.Rows)
	}

	// The HTML page: each recommendation, its disposition, and a link to
	// the exact text on the revision's page, whose section carries that
	// anchor.
	status, raw = e.send(e.reviewer, http.MethodGet, fmt.Sprintf("/mous/%d/recommendations", id), "", nil)
	page := string(raw)
	if status != http.StatusOK {
		t.Fatalf("matrix page = %d: %s", status, raw)
	}
	for i, r := range duluthRecommendations {
		if !strings.Contains(page, r.text) || !strings.Contains(page, fmt.Sprintf(`<tr id="rec-%d">`, rid(i))) {
			t.Errorf("page lacks recommendation %d %q", i, r.text)
		}
	}
	for _, s := range []string{fmt.Sprintf(`href="/mous/%d?rev=2#section-work-days"`, id), "“Teacher Work Days and Professional-Development Days”",
		fmt.Sprintf(`href="/mous/%d?rev=1#section-school-year"`, id), "disposition-deferred", "disposition-met"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	if strings.Contains(page, "/recommendations/") && strings.Contains(page, "Record the disposition") {
		t.Errorf("a reviewer is offered the disposition form")
	}
	_, raw = e.send(e.reviewer, http.MethodGet, fmt.Sprintf("/mous/%d?rev=2", id), "", nil)
	if !strings.Contains(string(raw), `id="section-public-data"`) {
		t.Errorf("revision 2's page has no anchor for section public-data")
	}
	_, raw = e.send(e.clerk, http.MethodGet, fmt.Sprintf("/mous/%d/recommendations", id), "", nil)
	if !strings.Contains(string(raw), "Record the disposition") || !strings.Contains(string(raw), "Add the recommendations") {
		t.Errorf("the clerk is not offered the forms")
	}

	// The PDF, as pdftotext reads it.
	status, raw = e.send(e.reviewer, http.MethodGet, fmt.Sprintf("/mous/%d/recommendations?format=pdf", id), "", nil)
	if status != http.StatusOK {
		t.Fatalf("matrix PDF = %d: %s", status, raw)
	}
	text := strings.Join(strings.Fields(testtool.PDFText(t, raw)), " ")
	for i, r := range duluthRecommendations {
		line := fmt.Sprintf("%d. %s", i+1, r.text)
		if !strings.Contains(text, line) {
			t.Errorf("PDF lacks %q", line)
		}
	}
	for _, s := range []string{"Disposition: adopted, revision 2", "Disposition: met, revision 1", "Disposition: deferred",
		"Recommendations: 5 (3 adopted, 1 met, 1 deferred)", "Teacher Work Days and Professional-Development Days", "Public Training and Citation Data"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF lacks %q", s)
		}
	}
	if status, _ := e.send(e.outsider, http.MethodGet, base+"/matrix?format=pdf", "", nil); status != http.StatusNotFound {
		t.Errorf("matrix PDF for a non-party = %d", status)
	}

	// The meeting packet carries the matrix after the change summary.
	status, raw = e.send(e.reviewer, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/packet.pdf?from=1&to=2", id), "", nil)
	if status != http.StatusOK {
		t.Fatalf("packet = %d: %s", status, raw)
	}
	if text := strings.Join(strings.Fields(testtool.PDFText(t, raw)), " "); !strings.Contains(text, "Recommendations matrix") ||
		!strings.Contains(text, "5. "+duluthRecommendations[4].text) {
		t.Errorf("the packet lacks the matrix")
	}

	// The records keep every disposition.
	var records struct {
		Recommendations []desk.Recommendation `json:"recommendations"`
	}
	e.call(e.reviewer, http.MethodGet, base, nil, http.StatusOK, &records)
	if len(records.Recommendations) != 5 || len(records.Recommendations[4].History) != 2 || records.Recommendations[4].Current.DecidedBy != "clerk@isd709.org" {
		t.Errorf("records: %+v", records.Recommendations)
	}
}

// TestRecommendationsAddForm: the page's add form takes a report's list
// pasted one per line, numbering the items on from a numeric first item;
// a form without text comes back as typed with the error, writing
// nothing.
func TestRecommendationsAddForm(t *testing.T) {
	e := newRecEnv(t)
	var created struct {
		MOU desk.MOU `json:"mou"`
	}
	e.call(e.drafter, http.MethodPost, "/api/v1/mous", map[string]any{
		"title": "Duluth SRO Agreement", "template": "sro-mou",
		"parties": map[string]string{"city": "duluth", "district": "isd709"}, "variables": shipped.Variables(t),
	}, http.StatusCreated, &created)
	page := fmt.Sprintf("/mous/%d/recommendations", created.MOU.ID)
	form := url.Values{"body": {"SRO Advisory Team"}, "title": {"SRO Update"}, "date": {"2022-06-07"}, "item": {"7"},
		"text": {"Meet with student advocacy groups\r\n\r\nIncrease visibility before and after school\r\nAttend site based community outreach activities\r\n"}}
	if status, raw := e.send(e.clerk, http.MethodPost, page, "application/x-www-form-urlencoded", strings.NewReader(form.Encode())); status != http.StatusSeeOther {
		t.Fatalf("add form = %d: %s", status, raw)
	}
	var mx desk.Matrix
	e.call(e.drafter, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/recommendations/matrix", created.MOU.ID), nil, http.StatusOK, &mx)
	if len(mx.Rows) != 3 || mx.Rows[0].Source.Item != "7" || mx.Rows[2].Source.Item != "9" ||
		mx.Rows[1].Text != "Increase visibility before and after school" || mx.Rows[2].Source.Date != "2022-06-07" || mx.Counts["open"] != 3 {
		t.Fatalf("matrix after the form: %+v", mx)
	}

	before := e.rows()
	form = url.Values{"body": {"SRO Advisory Team"}, "title": {"Kept as typed"}, "text": {"  \r\n "}}
	status, raw := e.send(e.clerk, http.MethodPost, page, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(raw), `value="Kept as typed"`) ||
		!strings.Contains(string(raw), `id="err-text"`) || !maps.Equal(before, e.rows()) {
		t.Errorf("empty add form = %d, rows %v → %v: %s", status, before, e.rows(), raw)
	}
}
