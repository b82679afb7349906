package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
)

// storeTestMOU stores c as revision 1 of a new MOU between the parties
// "city" and "district", creating them unless an earlier MOU did.
func storeTestMOU(tb testing.TB, db *DB, c *mou.Content) *desk.MOU {
	tb.Helper()
	ctx := context.Background()
	for _, p := range []desk.Party{
		{Slug: "city", Name: "City of Example", Kind: "city", Body: "City Council"},
		{Slug: "district", Name: "Example Unified", Kind: "district", Body: "Board of Trustees"},
	} {
		if _, err := db.CreateParty(ctx, moudesk.System, p); err != nil && !moudesk.IsKind(err, moudesk.KindConflict) {
			tb.Fatal(err)
		}
	}
	m, err := db.CreateMOU(ctx, moudesk.System, desk.NewMOU{Template: "sro-mou", Parties: map[string]string{"city": "city", "district": "district"}, Content: c})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// newTestMOU stores an MOU of n drafter sections (storeTestMOU).
func newTestMOU(tb testing.TB, db *DB, n int) *desk.MOU {
	tb.Helper()
	c := &mou.Content{Title: "Example MOU", Preamble: "The parties agree as follows.\n", Variables: map[string]string{"city_name": "City of Example"}}
	for i := range n {
		c.Sections = append(c.Sections, mou.Section{Key: fmt.Sprintf("section-%d", i+1), Heading: fmt.Sprintf("Section %d", i+1),
			Body: strings.Repeat(fmt.Sprintf("Paragraph of section %d with some contract words. ", i+1), 20) + "\n"})
	}
	return storeTestMOU(tb, db, c)
}

func editOne(key, body string) func(*mou.Revision) (*mou.Content, error) {
	return func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		var err error
		next.Sections, err = mou.ApplyEdits(base.Sections, []mou.Edit{{Op: mou.OpUpdate, Key: key, Body: &body}})
		return &next, err
	}
}

func TestRevisionStorage(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 60)
	if m.CurrentRevision != 1 || m.Stage != "draft" || m.Workflow != "default" || len(m.Parties) != 2 {
		t.Fatalf("created MOU = %+v", m)
	}
	before, err := db.MOURowCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := db.CreateRevision(ctx, moudesk.System, m.ID, 1, "one word", editOne("section-30", "Changed."), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := db.MOURowCounts(ctx)
	if got := after["section_bodies"] - before["section_bodies"]; got != 1 {
		t.Errorf("editing one of 60 sections added %d bodies, want exactly 1", got)
	}
	if info.Number != 2 || after["revisions"] != before["revisions"]+1 {
		t.Errorf("revision %d, revisions %d → %d", info.Number, before["revisions"], after["revisions"])
	}
	rev, err := db.Revision(ctx, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Number != 2 || rev.ContentHash != info.ContentHash || rev.ContentHash != mou.Hash(rev.Markdown()) || rev.Sections[29].Body != "Changed.\n" {
		t.Fatalf("read back revision 2: number %d hash %s", rev.Number, rev.ContentHash)
	}

	t.Run("Immutable", func(t *testing.T) {
		for _, q := range []string{
			"UPDATE revisions SET message = 'x'",
			"DELETE FROM revisions",
			"UPDATE revision_sections SET heading = 'x'",
			"DELETE FROM revision_sections",
			"UPDATE section_bodies SET body = 'x'",
			"DELETE FROM section_bodies",
		} {
			if _, err := db.write.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "immutable") {
				t.Errorf("%s: err = %v; want the immutability trigger", q, err)
			}
		}
	})
	t.Run("Contiguous", func(t *testing.T) {
		_, err := db.write.ExecContext(ctx, `INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at)
			VALUES (?, 5, 't', ?, '{}', 'h', 'a', 'now')`, m.ID, mou.Hash("The parties agree as follows.\n"))
		if err == nil || !strings.Contains(err.Error(), "without gaps") {
			t.Errorf("gap insert: err = %v", err)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		_, err := db.CreateRevision(ctx, moudesk.System, m.ID, 1, "late", editOne("section-1", "x"), nil)
		e, ok := moudesk.AsError(err)
		if !ok || e.Code != "stale_revision" || e.Data.(desk.StaleRevision).Latest != 2 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("SameTextSharesBody", func(t *testing.T) {
		before, _ := db.MOURowCounts(ctx)
		if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, 2, "revert", editOne("section-30", rev.Sections[28].Body), nil); err != nil {
			t.Fatal(err)
		}
		after, _ := db.MOURowCounts(ctx)
		if after["section_bodies"] != before["section_bodies"] {
			t.Error("a body already stored was stored again")
		}
	})
	t.Run("Audited", func(t *testing.T) {
		evs, err := db.AuditEvents(ctx, desk.AuditFilter{Object: fmt.Sprintf("mou:%d", m.ID)})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
		}
		if strings.Join(actions, ",") != "mou.create,revision.create,revision.create" {
			t.Errorf("audit actions = %v", actions)
		}
	})
}

// BenchmarkCreateRevision saves a one-section edit to a 60-section MOU, the
// common case of a drafter's save. Target: at most 5 ms/op.
func BenchmarkCreateRevision(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	m := newTestMOU(b, db, 60)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, i+1, "edit", editOne("section-30", fmt.Sprintf("Edit %d.", i)), nil); err != nil {
			b.Fatal(err)
		}
	}
}
