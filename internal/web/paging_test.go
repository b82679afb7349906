package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/teststore"
)

// listEnv is a real server on a real database holding a few MOUs (some
// in liaison review), meetings with feedback on one of them, and the
// audit events all that wrote; clerk may read the audit log.
type listEnv struct {
	*mouEnv
	clerk    string
	admin    string  // reads the whole audit log, which is for admins only
	mous     []int64 // oldest first
	reviewed int64   // the MOU with meetings and feedback
}

func newListEnv(t *testing.T) *listEnv {
	t.Helper()
	db, url, token := startTestServer(t,
		desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	e := &listEnv{mouEnv: &mouEnv{t: t, db: db, url: url, token: token("ada@city.gov", "pleasanton", auth.RoleDrafter),
		reader: token("rev@city.gov", "pleasanton", auth.RoleReviewer)}}
	e.clerk = token("clerk@city.gov", "pleasanton", auth.RoleClerk)
	e.admin = token("root@city.gov", "pleasanton", auth.RoleAdmin)
	for i := range 7 {
		id := e.createSRO()
		e.mous = append(e.mous, id)
		if i == 1 { // two revisions, so the MOU has a few audit events of its own
			for base := 1; base <= 2; base++ {
				edit := map[string]any{"base": base, "message": "tighten", "edits": []map[string]any{
					{"op": "update", "key": "de-escalation", "body": fmt.Sprintf("Officers de-escalate first (draft %d).\n", base)}}}
				if status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), edit); status != http.StatusCreated {
					t.Fatalf("revise: %d %s", status, body)
				}
			}
		}
		if i%2 == 1 {
			if status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]any{"to": "liaison_review"}); status != http.StatusOK {
				t.Fatalf("transition: %d %s", status, body)
			}
		}
	}
	e.reviewed = e.mous[1]
	ctx := context.Background()
	svc := testService(t, db)
	for i := range 5 {
		mt, err := svc.CreateMeeting(ctx, moudesk.System, e.reviewed, desk.NewMeeting{Body: "liaison_committee", Date: fmt.Sprintf("2026-05-%02d", i+1), Revision: 3})
		if err != nil {
			t.Fatal(err)
		}
		for j := range 2 {
			f, err := svc.CreateFeedback(ctx, moudesk.System, mt.ID, "term", fmt.Sprintf("Point %d of meeting %d.", j+1, i+1), "")
			if err != nil {
				t.Fatal(err)
			}
			if j == 1 {
				if _, err := svc.DeclineFeedback(ctx, moudesk.System, f.ID, "Already agreed."); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return e
}

// listAnswer is one answer of a list endpoint, its items reduced to keys
// (ids, or seqs of audit events).
type listAnswer struct {
	keys []int64
	next string
	has  bool // next_cursor was present
}

func (e *listEnv) list(token, path, items string) listAnswer {
	e.t.Helper()
	status, body := e.doAs(token, "GET", path, nil)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s = %d %s", path, status, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		e.t.Fatal(err)
	}
	var rows []struct {
		ID  int64 `json:"id"`
		Seq int64 `json:"seq"`
	}
	if err := json.Unmarshal(raw[items], &rows); err != nil || rows == nil {
		e.t.Fatalf("GET %s: %q is not a list: %s", path, items, body)
	}
	var out listAnswer
	for _, r := range rows {
		out.keys = append(out.keys, r.ID+r.Seq)
	}
	if n, ok := raw["next_cursor"]; ok {
		out.has = true
		if err := json.Unmarshal(n, &out.next); err != nil || out.next == "" {
			e.t.Fatalf("GET %s: next_cursor %s", path, n)
		}
	}
	return out
}

// walk follows next_cursor from the first page of path with limit and
// returns every key it saw, checking that every page but the last is
// full and that the last says no more remain.
func (e *listEnv) walk(token, path, items string, limit int) []int64 {
	e.t.Helper()
	var all []int64
	page := withQuery(path, fmt.Sprintf("limit=%d", limit))
	for range 1000 {
		a := e.list(token, page, items)
		all = append(all, a.keys...)
		if !a.has {
			if len(a.keys) > limit {
				e.t.Fatalf("GET %s: %d items, limit %d", page, len(a.keys), limit)
			}
			return all
		}
		if len(a.keys) != limit {
			e.t.Fatalf("GET %s: %d items and a next cursor, limit %d", page, len(a.keys), limit)
		}
		page = withQuery(path, fmt.Sprintf("limit=%d&cursor=%s", limit, url.QueryEscape(a.next)))
	}
	e.t.Fatalf("GET %s: the cursors never end", path)
	return nil
}

// withQuery adds query to path, which may have one already.
func withQuery(path, query string) string {
	if strings.Contains(path, "?") {
		return path + "&" + query
	}
	return path + "?" + query
}

// TestListPaging: paging through each list, at several page sizes,
// returns every item exactly once and in the order of the whole list
// (which one page of the default size holds here); MOUs newest first,
// everything else oldest first.
func TestListPaging(t *testing.T) {
	e := newListEnv(t)
	id := itoa64(e.reviewed)
	for _, tc := range []struct {
		name, path, items, token string
		want                     int  // items in the whole list, 0 for "some"
		newestFirst              bool // else oldest first
	}{
		{"MOUs", "/api/v1/mous", "mous", e.token, 7, true},
		{"MOUsOfStage", "/api/v1/mous?stage=liaison_review", "mous", e.token, 3, true},
		{"Meetings", "/api/v1/mous/" + id + "/meetings", "meetings", e.clerk, 5, false},
		{"Feedback", "/api/v1/mous/" + id + "/feedback", "feedback", e.clerk, 10, false},
		{"FeedbackOfStatus", "/api/v1/mous/" + id + "/feedback?status=declined", "feedback", e.clerk, 5, false},
		{"Audit", "/api/v1/audit", "events", e.admin, 0, false},
		{"AuditOfMOU", "/api/v1/audit?mou=" + id, "events", e.clerk, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := e.list(tc.token, tc.path, tc.items)
			if whole.has || (tc.want != 0 && len(whole.keys) != tc.want) || len(whole.keys) < 3 {
				t.Fatalf("whole list: %v, next_cursor %v; want %d items and no cursor", whole.keys, whole.has, tc.want)
			}
			for i := 1; i < len(whole.keys); i++ {
				if prev, k := whole.keys[i-1], whole.keys[i]; (tc.newestFirst && k >= prev) || (!tc.newestFirst && k <= prev) {
					t.Fatalf("whole list out of order or repeated: %v", whole.keys)
				}
			}
			for _, limit := range []int{1, 2, 3, len(whole.keys) - 1, len(whole.keys), len(whole.keys) + 1} {
				if got := e.walk(tc.token, tc.path, tc.items, limit); !slices.Equal(got, whole.keys) {
					t.Errorf("limit %d: pages hold %v, want %v", limit, got, whole.keys)
				}
			}
		})
	}
}

// TestListPagingRefusals: a bad limit or cursor is 400 with the error
// shape and a code naming it, before anything is read, and writes nothing.
func TestListPagingRefusals(t *testing.T) {
	e := newListEnv(t)
	id := itoa64(e.reviewed)
	lists := map[string]string{
		"mous":     "/api/v1/mous?stage=draft",
		"meetings": "/api/v1/mous/" + id + "/meetings",
		"feedback": "/api/v1/mous/" + id + "/feedback?status=open",
		"audit":    "/api/v1/audit?mou=" + id,
	}
	// cursor is a cursor of list with key written as given.
	cursor := func(list, key string) string {
		return "cursor=" + base64.RawURLEncoding.EncodeToString([]byte(list+":"+key))
	}
	bad := []struct {
		name  string
		query func(list string) string
		code  string
	}{
		{"LimitZero", func(string) string { return "limit=0" }, "invalid_limit"},
		{"LimitNegative", func(string) string { return "limit=-1" }, "invalid_limit"},
		{"LimitOverMax", func(string) string { return "limit=501" }, "invalid_limit"},
		{"LimitNotANumber", func(string) string { return "limit=ten" }, "invalid_limit"},
		{"LimitFraction", func(string) string { return "limit=1.5" }, "invalid_limit"},
		{"CursorNotBase64", func(string) string { return "cursor=%25%25%25" }, "invalid_cursor"},
		{"CursorPlainNumber", func(string) string { return "cursor=3" }, "invalid_cursor"},
		{"CursorPadded", func(l string) string {
			key := "1"
			for (len(l)+1+len(key))%3 == 0 { // a length base64 pads
				key += "0"
			}
			return "cursor=" + url.QueryEscape(base64.URLEncoding.EncodeToString([]byte(l+":"+key)))
		}, "invalid_cursor"},
		{"CursorNoKey", func(l string) string { return "cursor=" + base64.RawURLEncoding.EncodeToString([]byte(l)) }, "invalid_cursor"},
		{"CursorKeyZero", func(l string) string { return cursor(l, "0") }, "invalid_cursor"},
		{"CursorKeyNegative", func(l string) string { return cursor(l, "-3") }, "invalid_cursor"},
		{"CursorKeyNotCanonical", func(l string) string { return cursor(l, "03") }, "invalid_cursor"},
		{"CursorKeyTooLarge", func(l string) string { return cursor(l, "99999999999999999999") }, "invalid_cursor"},
		{"CursorOfAnotherList", func(l string) string { return cursor(map[bool]string{true: "mous", false: "audit"}[l == "audit"], "3") }, "invalid_cursor"},
	}
	before := e.rowsNow()
	for list, path := range lists {
		for _, tc := range bad {
			t.Run(list+"/"+tc.name, func(t *testing.T) {
				e.refused(t, withQuery(path, tc.query(list)), tc.code)
			})
		}
	}
	t.Run("audit/AfterAndCursor", func(t *testing.T) {
		e.refused(t, "/api/v1/audit?after=2&cursor="+encodeCursor("audit", 3), "invalid_cursor")
	})
	t.Run("audit/AfterNotANumber", func(t *testing.T) {
		e.refused(t, "/api/v1/audit?after=x", "invalid_after")
	})
	if after := e.rowsNow(); !maps.Equal(before, after) {
		t.Fatalf("refused list requests wrote rows: %v → %v", before, after)
	}
}

// TestAuditAfterStillPages: ?after=<seq>, which clients used before
// cursors, still starts after that event, and its pages end in a cursor.
func TestAuditAfterStillPages(t *testing.T) {
	e := newListEnv(t)
	whole := e.list(e.admin, "/api/v1/audit", "events")
	from := whole.keys[2]
	a := e.list(e.admin, fmt.Sprintf("/api/v1/audit?after=%d&limit=2", from), "events")
	if !slices.Equal(a.keys, whole.keys[3:5]) || !a.has {
		t.Fatalf("after=%d&limit=2: %v (next %v), want %v and a cursor", from, a.keys, a.has, whole.keys[3:5])
	}
	b := e.list(e.admin, "/api/v1/audit?limit=500&cursor="+url.QueryEscape(a.next), "events")
	if !slices.Equal(b.keys, whole.keys[5:]) || b.has {
		t.Fatalf("the cursor after it: %v (next %v), want %v", b.keys, b.has, whole.keys[5:])
	}
}

func (e *listEnv) refused(t *testing.T, path, code string) {
	t.Helper()
	status, body := e.doAs(e.clerk, "GET", path, nil)
	if status != http.StatusBadRequest {
		t.Fatalf("GET %s = %d %s, want 400", path, status, body)
	}
	var out struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Error.Code != code || out.Error.Message == "" {
		t.Fatalf("GET %s: %s, want code %q with a message", path, body, code)
	}
}

// rowsNow counts the rows of every MOU and workflow table and the audit log.
func (e *listEnv) rowsNow() map[string]int {
	e.t.Helper()
	return teststore.Rows(e.t, e.db.MOURowCounts, e.db.WorkflowRowCounts)
}

var (
	dashboardMOU = regexp.MustCompile(`<li><a href="/mous/(\d+)">`)
	auditSeqCell = regexp.MustCompile(`<td data-label="#">(\d+)</td>`)
	nextLink     = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// pageWalk follows a page's "next" links from path and returns what re
// found on every page, in order.
func pageWalk(t *testing.T, p *pageClient, path string, re *regexp.Regexp) []string {
	t.Helper()
	var out []string
	for range 100 {
		r := p.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d\n%s", path, r.status, r.body)
		}
		for _, m := range re.FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1])
		}
		m := nextLink.FindStringSubmatch(r.body)
		if m == nil {
			return out
		}
		path = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	t.Fatalf("%s: the next links never end", path)
	return nil
}

// TestPageListsPage: the dashboard and the audit page show a page and link
// to the next one, keeping the page size and the MOU filter, until every
// MOU or event has been shown once; a bad cursor is a 400 page.
func TestPageListsPage(t *testing.T) {
	e := newListEnv(t)
	p := newPageClient(t, e.url)
	p.signIn("clerk@city.gov")

	if first := p.get("/dashboard"); nextLink.MatchString(first.body) || strings.Count(first.body, `<li><a href="/mous/`) != len(e.mous) {
		t.Fatalf("the dashboard's one page does not show all %d MOUs without a next link", len(e.mous))
	}
	var want []string
	for _, id := range slices.Backward(e.mous) {
		want = append(want, itoa64(id))
	}
	got := pageWalk(t, p, "/dashboard?limit=2", dashboardMOU)
	if len(got) != len(want) || !sameSet(got, want) {
		t.Errorf("dashboard pages show MOUs %v, want each of %v once", got, want)
	}

	admin := newPageClient(t, e.url)
	admin.signIn("root@city.gov")
	for path, p := range map[string]*pageClient{"/audit": admin, "/audit?mou=" + itoa64(e.reviewed): p} {
		whole := pageWalk(t, p, path, auditSeqCell)
		paged := pageWalk(t, p, withQuery(path, "limit=3"), auditSeqCell)
		if len(whole) < 4 || !slices.Equal(paged, whole) {
			t.Errorf("%s: pages of 3 show events %v, want %v", path, paged, whole)
		}
	}
	for _, path := range []string{"/dashboard?cursor=nope", "/audit?cursor=" + encodeCursor("mous", 2), "/audit?limit=0"} {
		if r := p.get(path); r.status != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", path, r.status)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b) && len(slices.Compact(a)) == len(b)
}
