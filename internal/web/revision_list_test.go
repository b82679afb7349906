package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// addRevisions saves revisions until the MOU has last, each changing the
// body of its first section, straight through the store (a request each
// would only add HTTP to the setup).
func (e *mouEnv) addRevisions(id int64, last int) {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.db.MOU(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	for n := m.CurrentRevision + 1; n <= last; n++ {
		_, err := e.db.CreateRevision(ctx, moudesk.System, id, n-1, fmt.Sprintf("edit %d", n), func(base *mou.Revision) (*mou.Content, error) {
			next := base.Content
			next.Sections = append([]mou.Section(nil), base.Sections...)
			next.Sections[0].Body = fmt.Sprintf("Text of revision %d.\n", n)
			return &next, nil
		}, nil)
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// revisionsPage is one answer of GET /api/v1/mous/{id}/revisions.
type revisionsPage struct {
	Revisions []map[string]any `json:"revisions"`
	Next      *string          `json:"next_cursor"`
}

func (e *mouEnv) revisionsPage(path string) revisionsPage {
	e.t.Helper()
	status, body := e.do("GET", path, nil)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s = %d %s", path, status, body)
	}
	var out revisionsPage
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestRevisionsListPages(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	e.addRevisions(id, 7)
	path := fmt.Sprintf("/api/v1/mous/%d/revisions", id)

	t.Run("OK", func(t *testing.T) {
		all := e.revisionsPage(path)
		if len(all.Revisions) != 7 || all.Next != nil {
			t.Fatalf("default page: %d revisions, next_cursor %v; want all 7 and no next_cursor", len(all.Revisions), all.Next)
		}
		for _, field := range []string{"revision", "content_hash", "author", "message", "created_at"} {
			if _, ok := all.Revisions[6][field]; !ok {
				t.Errorf("a listed revision has no %q: %v", field, all.Revisions[6])
			}
		}
		var numbers []any
		next := path + "?limit=3"
		for pages := 0; next != ""; pages++ {
			page := e.revisionsPage(next)
			for _, r := range page.Revisions {
				numbers = append(numbers, r["revision"])
			}
			next = ""
			if page.Next != nil {
				if len(page.Revisions) != 3 {
					t.Fatalf("a page of %d with a next_cursor", len(page.Revisions))
				}
				next = path + "?limit=3&cursor=" + *page.Next
			}
			if pages > 3 {
				t.Fatal("next_cursor never ends")
			}
		}
		if fmt.Sprint(numbers) != "[1 2 3 4 5 6 7]" {
			t.Errorf("pages of 3, oldest first: %v", numbers)
		}
	})
	for _, c := range []struct {
		name, query, code string
		status            int
	}{
		{"ErrLimitZero", "?limit=0", "invalid_limit", 400},
		{"ErrLimitTooBig", "?limit=501", "invalid_limit", 400},
		{"ErrCursor", "?cursor=bm9wZQ", "invalid_cursor", 400},
		{"ErrCursorOfAnotherList", "?cursor=" + encodeCursor("mous", 3), "invalid_cursor", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.do("GET", path+c.query, nil)
			if status != c.status || !strings.Contains(string(body), c.code) {
				t.Errorf("GET %s = %d %s; want %d %s", c.query, status, body, c.status, c.code)
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		if status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions", id+100), nil); status != http.StatusNotFound {
			t.Errorf("unknown MOU = %d %s", status, body)
		}
	})
}

// TestPageRevisionHistory: the MOU page shows the newest 100 revisions of
// a long history with a link to earlier ones, which leads back; the
// redline form still offers every revision.
func TestPageRevisionHistory(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	e.addRevisions(id, historyPageSize+5)
	p := newPageClient(t, e.url)
	p.signIn("ada@city.gov")
	mouPath := fmt.Sprintf("/mous/%d", id)
	row := func(n int) string { return fmt.Sprintf(`<a href="%s?rev=%d">%d</a>`, mouPath, n, n) }

	r := p.get(mouPath)
	earlier := fmt.Sprintf(`<a href="%s?upto=5" rel="prev">Earlier revisions</a>`, mouPath)
	if r.status != http.StatusOK || !strings.Contains(r.body, row(105)) || !strings.Contains(r.body, row(6)) || strings.Contains(r.body, row(5)) ||
		!strings.Contains(r.body, earlier) || strings.Contains(r.body, "Later revisions") {
		t.Fatalf("MOU page of %d revisions = %d; want revisions 6 to 105 and a link to earlier ones\n%s", historyPageSize+5, r.status, r.body)
	}
	r = p.get(mouPath + "?upto=5")
	later := fmt.Sprintf(`<a href="%s" rel="next">Later revisions</a>`, mouPath)
	if r.status != http.StatusOK || !strings.Contains(r.body, row(1)) || !strings.Contains(r.body, row(5)) || strings.Contains(r.body, row(6)) ||
		!strings.Contains(r.body, later) || strings.Contains(r.body, "Earlier revisions") {
		t.Fatalf("?upto=5 = %d; want revisions 1 to 5 and a link to later ones\n%s", r.status, r.body)
	}
	if r := p.get(mouPath + "?upto=x"); r.status != http.StatusBadRequest {
		t.Errorf("?upto=x = %d, want 400", r.status)
	}
	r = p.get(fmt.Sprintf("/mous/%d/redline?from=1&to=105", id))
	if r.status != http.StatusOK || !strings.Contains(r.body, `<option value="1" selected>`) || !strings.Contains(r.body, `<option value="105" selected>`) ||
		strings.Count(r.body, "<option") != 2*(historyPageSize+5) {
		t.Errorf("redline page = %d; want every revision in both choices", r.status)
	}
}

// BenchmarkRevisionsListAPI lists the first page of an MOU with 2,000
// revisions through the real router: GET /api/v1/mous/{id}/revisions, the
// default 100. Target: under 5 ms.
func BenchmarkRevisionsListAPI(b *testing.B) {
	e := newMOUEnv(b)
	id := e.createSRO()
	e.addRevisions(id, 2000)
	path := fmt.Sprintf("/api/v1/mous/%d/revisions", id)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if page := e.revisionsPage(path); len(page.Revisions) != 100 || page.Next == nil {
			b.Fatalf("first page: %d revisions", len(page.Revisions))
		}
	}
}
