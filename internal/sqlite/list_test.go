package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// fillLists stores MOU 1 as the service would, then writes rows straight
// into the list tables, far faster than audited writes: MOUs 2 to mous
// (every third in liaison_review), meetings meetings of MOU 1 with
// feedback items each (every other one declined), and events audit
// events cycling over objects "mou:1" … "mou:<mous>". The reads under
// test only read rows, so these need not form a history or hash chain.
func fillLists(tb testing.TB, db *DB, mous, meetings, feedback, events int) {
	tb.Helper()
	ctx := context.Background()
	content := &mou.Content{Title: "MOU 1", Sections: []mou.Section{{Key: "term", Heading: "Term", Body: "Three years."}}}
	if m, err := db.CreateMOU(ctx, moudesk.System, desk.NewMOU{Template: "sro-mou", Content: content}); err != nil || m.ID != 1 {
		tb.Fatalf("create MOU 1: %v", err)
	}
	err := db.update(ctx, func(tx *Tx) error {
		now := tx.Now()
		for i := 2; i <= mous; i++ {
			stage := "draft"
			if i%3 == 0 {
				stage = "liaison_review"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mous (id, title, template, stage, current_revision, created_at)
				VALUES (?, ?, 'sro-mou', ?, 1, ?)`, i, fmt.Sprintf("MOU %d", i), stage, now); err != nil {
				return err
			}
		}
		fid := 0
		for m := 1; m <= meetings; m++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meetings (id, mou_id, body, stage, date, revision, created_by, created_at)
				VALUES (?, 1, 'liaison_committee', 'liaison_review', '2026-01-01', 1, 'test', ?)`, m, now); err != nil {
				return err
			}
			for range feedback {
				fid++
				status, reason := desk.FeedbackOpen, ""
				if fid%2 == 0 {
					status, reason = desk.FeedbackDeclined, "no"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO feedback (id, meeting_id, mou_id, section_key, text, status, decline_reason, created_by, created_at)
					VALUES (?, ?, 1, 'term', 'Say three years.', ?, ?, 'test', ?)`, fid, m, status, reason, now); err != nil {
					return err
				}
			}
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM audit_events").Scan(&seq); err != nil {
			return err
		}
		for i := range events {
			seq++
			object := fmt.Sprintf("mou:%d", i%max(mous, 1)+1)
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (seq, time, actor, action, object, details, prev_hash, hash)
				VALUES (?, ?, 'test', 'test.event', ?, '{}', 'p', 'h')`, seq, now, object); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// pages reads a whole list a page of size at a time through read, which
// returns the page after key, and the key of its last item.
func pages[T any](t *testing.T, size int, read func(after int64, limit int) ([]T, error), key func(T) int64) []int64 {
	t.Helper()
	var out []int64
	var after int64
	for {
		page, err := read(after, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > size {
			t.Fatalf("page after %d holds %d items, limit %d", after, len(page), size)
		}
		for _, v := range page {
			out = append(out, key(v))
		}
		if len(page) < size {
			return out
		}
		after = key(page[len(page)-1])
	}
}

func keys[T any](t *testing.T, all []T, err error, key func(T) int64) []int64 {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	out := []int64{}
	for _, v := range all {
		out = append(out, key(v))
	}
	return out
}

// TestListPagesByKeyset: reading any list a page at a time returns what
// one read of the whole list returns, each item once, in the list's order.
func TestListPagesByKeyset(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	fillLists(t, db, 23, 7, 3, 50)
	mouID := func(m desk.MOU) int64 { return m.ID }
	meetingID := func(m desk.Meeting) int64 { return m.ID }
	feedbackID := func(f desk.Feedback) int64 { return f.ID }
	seq := func(ev audit.Event) int64 { return ev.Seq }

	for _, size := range []int{1, 4, 7} {
		t.Run(fmt.Sprintf("MOUs/%d", size), func(t *testing.T) {
			for _, stage := range []string{"", "liaison_review", "executed"} {
				all, err := db.MOUs(ctx, stage, 0, desk.NoLimit)
				want := keys(t, all, err, mouID)
				got := pages(t, size, func(after int64, limit int) ([]desk.MOU, error) { return db.MOUs(ctx, stage, after, limit) }, mouID)
				if !slices.Equal(got, want) || !slices.IsSortedFunc(want, func(a, b int64) int { return int(b - a) }) {
					t.Errorf("stage %q: pages %v, whole list %v (newest first)", stage, got, want)
				}
			}
		})
		t.Run(fmt.Sprintf("Meetings/%d", size), func(t *testing.T) {
			all, err := db.Meetings(ctx, 1, 0, desk.NoLimit)
			want := keys(t, all, err, meetingID)
			got := pages(t, size, func(after int64, limit int) ([]desk.Meeting, error) { return db.Meetings(ctx, 1, after, limit) }, meetingID)
			if len(want) != 7 || !slices.Equal(got, want) || !slices.IsSorted(want) {
				t.Errorf("pages %v, whole list %v", got, want)
			}
			if len(all[0].Feedback) != 3 {
				t.Errorf("a listed meeting carries %d feedback items, want 3", len(all[0].Feedback))
			}
		})
		t.Run(fmt.Sprintf("MOUFeedback/%d", size), func(t *testing.T) {
			for status, n := range map[string]int{"": 21, desk.FeedbackOpen: 11, desk.FeedbackDeclined: 10, desk.FeedbackResolved: 0} {
				all, err := db.MOUFeedback(ctx, 1, status, 0, desk.NoLimit)
				want := keys(t, all, err, feedbackID)
				got := pages(t, size, func(after int64, limit int) ([]desk.Feedback, error) {
					return db.MOUFeedback(ctx, 1, status, after, limit)
				}, feedbackID)
				if len(want) != n || !slices.Equal(got, want) || !slices.IsSorted(want) {
					t.Errorf("status %q: pages %v, whole list %v, want %d items", status, got, want, n)
				}
			}
		})
		t.Run(fmt.Sprintf("AuditEvents/%d", size), func(t *testing.T) {
			for _, object := range []string{"", "mou:1", "mou:2"} {
				all, err := db.AuditEvents(ctx, desk.AuditFilter{Object: object})
				want := keys(t, all, err, seq)
				got := pages(t, size, func(after int64, limit int) ([]audit.Event, error) {
					return db.AuditEvents(ctx, desk.AuditFilter{Object: object, After: after, Limit: limit})
				}, seq)
				if len(want) == 0 || !slices.Equal(got, want) || !slices.IsSorted(want) {
					t.Errorf("object %q: pages %v, whole list %v", object, got, want)
				}
			}
		})
	}
}

// TestAuditObjectFilter: an object filter takes the object and the objects
// under it ("mou:1:…"), never another object that only starts alike
// ("mou:10"), and LIKE's wildcards mean nothing in it.
func TestAuditObjectFilter(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for _, object := range []string{"mou:1", "mou:10", "mou:1:meeting:2", "mou:1;", "mou:2", "mou_1", "MOU:1:x"} {
		if err := db.Audit(ctx, moudesk.System, "test.event", object, nil); err != nil {
			t.Fatal(err)
		}
	}
	for filter, want := range map[string][]string{
		"mou:1":  {"mou:1", "mou:1:meeting:2"},
		"mou:10": {"mou:10"},
		"mou_1":  {"mou_1"},
		"mou%":   nil,
		"mou:1:": nil,
	} {
		evs, err := db.AuditEvents(ctx, desk.AuditFilter{Object: filter})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range evs {
			got = append(got, ev.Object)
		}
		if !slices.Equal(got, want) {
			t.Errorf("object %q: %q, want %q", filter, got, want)
		}
	}
}

// listQueries are the list reads' statements as the store sends them,
// with a cursor past the first page, for their query plans.
var listQueries = map[string]string{
	"MOUs":               "SELECT " + mouCols + " FROM mous WHERE id < 50 ORDER BY id DESC LIMIT 101",
	"MOUs stage":         "SELECT " + mouCols + " FROM mous WHERE id < 50 AND stage = 'draft' ORDER BY id DESC LIMIT 101",
	"Meetings":           "SELECT id FROM meetings WHERE mou_id = 1 AND id > 5 ORDER BY id LIMIT 101",
	"MOUFeedback":        "SELECT " + feedbackCols + " FROM feedback WHERE mou_id = 1 AND id > 5 ORDER BY id LIMIT 101",
	"MOUFeedback status": "SELECT " + feedbackCols + " FROM feedback WHERE mou_id = 1 AND status = 'open' AND id > 5 ORDER BY id LIMIT 101",
	"AuditEvents":        "SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_events WHERE seq > 5 ORDER BY seq LIMIT 101",
	"AuditEvents object": "SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_events WHERE seq > 5 AND (object = 'mou:1' OR (object >= 'mou:1:' AND object < 'mou:1;')) ORDER BY seq LIMIT 101",
}

// TestListQueriesUseIndexes: every list read seeks an index to its cursor
// and reads in the list's order: no table scan, and no sort except for an
// object's audit events, which sorts only that object's entries (two
// ranges of audit_events_object).
func TestListQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	fillLists(t, db, 30, 3, 3, 100)
	for name, q := range listQueries {
		rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "SCAN ") || !strings.Contains(text, "SEARCH ") ||
			(name != "AuditEvents object" && strings.Contains(text, "TEMP B-TREE")) {
			t.Errorf("%s: plan %q", name, text)
		}
	}
}

// BenchmarkListFirstPage reads the first page (101 rows: a page of 100
// and one to tell that more remain) of long lists: 10,000 MOUs, 100,000
// audit events over them, and an MOU with 500 meetings and 5,000 feedback
// items. "later" pages start halfway; "all" is the whole MOU list, as
// every list read before it was paged.
func BenchmarkListFirstPage(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	fillLists(b, db, 10000, 500, 10, 100000)
	const limit = 101
	for _, bc := range []struct {
		name string
		read func() (int, error)
	}{
		{"MOUs", func() (int, error) { return size(db.MOUs(ctx, "", 0, limit)) }},
		{"MOUs/stage", func() (int, error) { return size(db.MOUs(ctx, "liaison_review", 0, limit)) }},
		{"MOUs/later", func() (int, error) { return size(db.MOUs(ctx, "", 5000, limit)) }},
		{"MOUs/all", func() (int, error) { return size(db.MOUs(ctx, "", 0, desk.NoLimit)) }},
		{"MOUFeedback", func() (int, error) { return size(db.MOUFeedback(ctx, 1, "", 0, limit)) }},
		{"MOUFeedback/status", func() (int, error) { return size(db.MOUFeedback(ctx, 1, desk.FeedbackOpen, 0, limit)) }},
		{"Meetings", func() (int, error) { return size(db.Meetings(ctx, 1, 0, limit)) }},
		{"AuditEvents", func() (int, error) { return size(db.AuditEvents(ctx, desk.AuditFilter{Limit: limit})) }},
		{"AuditEvents/later", func() (int, error) { return size(db.AuditEvents(ctx, desk.AuditFilter{After: 90000, Limit: limit})) }},
		{"AuditEvents/object", func() (int, error) { return size(db.AuditEvents(ctx, desk.AuditFilter{Object: "mou:7", Limit: limit})) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				n, err := bc.read()
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}

func size[T any](list []T, err error) (int, error) { return len(list), err }
