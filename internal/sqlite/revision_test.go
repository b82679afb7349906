package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// clauseTexts are the shipped clauses' bodies, the realistic text that
// compression and page use depend on (a repeated sentence compresses to
// almost nothing).
func clauseTexts(tb testing.TB) (slugs, bodies []string) {
	tb.Helper()
	names, err := fs.Glob(clauses.FS, "*.md")
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(clauses.FS, name)
		if err != nil {
			tb.Fatal(err)
		}
		parts := strings.SplitN(string(b), "---\n", 3)
		if len(parts) != 3 {
			tb.Fatalf("%s: no front matter", name)
		}
		slugs = append(slugs, strings.TrimSuffix(name, ".md"))
		bodies = append(bodies, strings.TrimLeft(parts[2], "\n"))
	}
	return slugs, bodies
}

// clauseContent is an MOU of n sections assembled from the shipped
// clauses, cycled and numbered so that every section is distinct.
func clauseContent(tb testing.TB, n int) *mou.Content {
	slugs, bodies := clauseTexts(tb)
	c := &mou.Content{Title: "Memorandum of Understanding for School Resource Officer Services",
		Preamble:  "This Memorandum of Understanding is entered into by the City of Example and Example Unified School District.\n",
		Variables: map[string]string{"city_name": "City of Example", "district_name": "Example Unified School District", "term_years": "3"}}
	for i := range n {
		k := i % len(slugs)
		key, body := slugs[k], bodies[k]
		if i >= len(slugs) {
			key = fmt.Sprintf("%s-%d", key, i/len(slugs)+1)
			body = fmt.Sprintf("(Part %d.) %s", i/len(slugs)+1, body)
		}
		c.Sections = append(c.Sections, mou.Section{Key: key, Heading: strings.ReplaceAll(slugs[k], "-", " "), Body: body,
			Clause: slugs[k], ClauseVersion: 1})
	}
	return c
}

// newClauseMOU stores clauseContent(n) as revision 1 of a new MOU
// (storeTestMOU).
func newClauseMOU(tb testing.TB, db *DB, n int) *desk.MOU {
	tb.Helper()
	return storeTestMOU(tb, db, clauseContent(tb, n))
}

// oneWord returns a change that replaces one word of section key with a
// word of its own, so every call stores a new distinct body of the same
// size give or take a few bytes.
func oneWord(key string, i int) func(*mou.Revision) (*mou.Content, error) {
	return func(base *mou.Revision) (*mou.Content, error) {
		next := base.Content
		next.Sections = append([]mou.Section(nil), base.Sections...)
		for j := range next.Sections {
			if s := &next.Sections[j]; s.Key == key {
				words := strings.Split(s.Body, " ")
				words[5+i%7] = fmt.Sprintf("w%d", i)
				s.Body = strings.Join(words, " ")
				return &next, nil
			}
		}
		return nil, fmt.Errorf("no section %s", key)
	}
}

// addRevisions saves revisions 2 to last of an MOU, each changing one
// section, in one transaction through the same insertRevision as a save:
// far faster than a commit (and fsync) each, for benchmarks that need long
// histories.
func addRevisions(tb testing.TB, db *DB, mouID int64, last int) {
	tb.Helper()
	ctx := context.Background()
	err := db.update(ctx, func(tx *Tx) error {
		var current int
		if err := tx.QueryRowContext(ctx, "SELECT current_revision FROM mous WHERE id = ?", mouID).Scan(&current); err != nil {
			return err
		}
		for n := current + 1; n <= last; n++ {
			base, err := readRevision(ctx, tx, tx.texts, mouID, n-1)
			if err != nil {
				return err
			}
			next, err := oneWord(base.Sections[n%len(base.Sections)].Key, n)(base)
			if err != nil {
				return err
			}
			if _, err := tx.insertRevision(ctx, moudesk.System, mouID, n, next, fmt.Sprintf("edit %d", n)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE mous SET current_revision = ? WHERE id = ?", last, mouID)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// storedBytes is the database's size in use: its pages less the free
// ones, times the page size. dbstat is not compiled into go-sqlite3
// without a build tag, so page counts are the measure.
func storedBytes(tb testing.TB, db *DB) int64 {
	tb.Helper()
	var pages, free, size int64
	ctx := context.Background()
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := db.write.QueryRowContext(ctx, q).Scan(v); err != nil {
			tb.Fatal(err)
		}
	}
	return (pages - free) * size
}

// forgetBodyTexts empties db's text cache, so reads after it take every
// body from the database, inflating it.
func forgetBodyTexts(db *DB) {
	db.bodyTexts = newBodyTexts()
}

// TestSectionBodiesDeflated: a long body is stored compressed, a short one
// as it is, and both read back exactly, from the database.
func TestSectionBodiesDeflated(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newClauseMOU(t, db, 3)
	if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, 1, "", editOne("advisory-team", "Short.\n"), nil); err != nil {
		t.Fatal(err)
	}
	want := clauseContent(t, 3)
	forgetBodyTexts(db)
	for n, c := range map[int]*mou.Content{1: want, 2: nil} {
		rev, err := db.Revision(ctx, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if c != nil && !reflect.DeepEqual(rev.Content, *c) {
			t.Errorf("revision %d read back differently", n)
		}
		if n == 2 && rev.Sections[0].Body != "Short.\n" {
			t.Errorf("revision 2 section 1 = %q", rev.Sections[0].Body)
		}
	}
	for _, c := range []struct {
		text     string
		deflated bool
	}{{want.Sections[0].Body, true}, {"Short.\n", false}, {want.Preamble, false}} {
		var deflated bool
		var size int
		if err := db.read.QueryRowContext(ctx, "SELECT deflated, length(CAST(body AS BLOB)) FROM section_bodies WHERE hash = ?", mou.Hash(c.text)).Scan(&deflated, &size); err != nil {
			t.Fatal(err)
		}
		if deflated != c.deflated || deflated && size > len(c.text)*3/4 {
			t.Errorf("a %d-byte body is stored in %d bytes, deflated %v; want deflated %v", len(c.text), size, deflated, c.deflated)
		}
	}
}

// TestOneSectionEditStorage: a one-word edit of one section of a
// 60-section MOU stores at most twice that section's bytes, everything
// included (body, revision row, section list, audit event, indexes),
// averaged over enough edits to cross several snapshots.
func TestOneSectionEditStorage(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newClauseMOU(t, db, 60)
	// "term", about 1 KB, is the shortest section: the fixed cost of a
	// revision (its row and audit event, about 600 bytes) weighs most.
	const key, edits = "term", 200
	rev, err := db.Revision(ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var section int
	for _, s := range rev.Sections {
		if s.Key == key {
			section = len(s.Body)
		}
	}
	before := storedBytes(t, db)
	for i := range edits {
		if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, i+1, "one word", oneWord(key, i), nil); err != nil {
			t.Fatal(err)
		}
	}
	perEdit := float64(storedBytes(t, db)-before) / edits
	t.Logf("one-word edit of a %d-byte section of 60: %.0f bytes stored per edit", section, perEdit)
	if perEdit > 2*float64(section) {
		t.Errorf("a one-word edit stored %.0f bytes, more than twice the section's %d", perEdit, section)
	}
}

// TestRevisionListRoundTrip saves every kind of change through more than
// two snapshot intervals and reads every revision back exactly as saved,
// through readRevision and through the revision_sections view.
func TestRevisionListRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newClauseMOU(t, db, 12)
	first, err := db.Revision(ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]mou.Content{1: first.Content}
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []func(c *mou.Content, i int){
		func(c *mou.Content, i int) {
			c.Sections[rng.IntN(len(c.Sections))].Body = fmt.Sprintf("Edited %d.\n", i)
		},
		func(c *mou.Content, i int) {
			c.Sections[rng.IntN(len(c.Sections))].Heading = fmt.Sprintf("Heading %d", i)
		},
		func(c *mou.Content, i int) { // insert anywhere
			p := rng.IntN(len(c.Sections) + 1)
			s := mou.Section{Key: fmt.Sprintf("new-%d", i), Heading: "New", Body: fmt.Sprintf("New text %d.\n", i)}
			c.Sections = append(c.Sections[:p], append([]mou.Section{s}, c.Sections[p:]...)...)
		},
		func(c *mou.Content, i int) { // remove anywhere
			if len(c.Sections) > 2 {
				p := rng.IntN(len(c.Sections))
				c.Sections = append(c.Sections[:p], c.Sections[p+1:]...)
			}
		},
		func(c *mou.Content, i int) { c.Sections = c.Sections[:len(c.Sections)-1] }, // shorten only
		func(c *mou.Content, i int) { // swap two
			a, b := rng.IntN(len(c.Sections)), rng.IntN(len(c.Sections))
			c.Sections[a], c.Sections[b] = c.Sections[b], c.Sections[a]
		},
		func(c *mou.Content, i int) { c.Variables = map[string]string{"term_years": fmt.Sprint(i)} }, // no section changes
		func(c *mou.Content, i int) { c.Sections[0].Clause, c.Sections[0].ClauseVersion = "", 0 },
		func(c *mou.Content, i int) { c.Preamble = fmt.Sprintf("Preamble %d.\n", i) },
	}
	for n := 2; n <= 3*snapshotEvery+5; n++ {
		op := ops[rng.IntN(len(ops))]
		if len(want[n-1].Sections) < 4 {
			op = ops[2]
		}
		info, err := db.CreateRevision(ctx, moudesk.System, m.ID, n-1, "", func(base *mou.Revision) (*mou.Content, error) {
			next := base.Content
			next.Sections = append([]mou.Section(nil), base.Sections...)
			op(&next, n)
			return &next, nil
		}, nil)
		if err != nil {
			t.Fatalf("save revision %d: %v", n, err)
		}
		rev, err := db.Revision(ctx, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if rev.ContentHash != info.ContentHash || rev.ContentHash != mou.Hash(rev.Markdown()) {
			t.Fatalf("revision %d: stored hash %s, read back %s, of the text %s", n, info.ContentHash, rev.ContentHash, mou.Hash(rev.Markdown()))
		}
		want[n] = rev.Content
	}
	var longest int
	forgetBodyTexts(db)
	for n, c := range want {
		rev, err := db.Revision(ctx, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rev.Content, c) {
			t.Errorf("revision %d reads back as %+v, want %+v", n, rev.Content, c)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT v.key, v.heading, v.body_hash, coalesce(v.clause_slug, ''), coalesce(v.clause_version, 0)
			FROM revision_sections v WHERE v.mou_id = ? AND v.revision = ? ORDER BY v.position`, m.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		var got []mou.Section
		for rows.Next() {
			var s mou.Section
			if err := rows.Scan(&s.Key, &s.Heading, &s.Body, &s.Clause, &s.ClauseVersion); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		rows.Close()
		for i := range c.Sections {
			c.Sections[i].Body = mou.Hash(c.Sections[i].Body)
		}
		if !reflect.DeepEqual(got, c.Sections) {
			t.Errorf("revision_sections of revision %d = %+v, want %+v", n, got, c.Sections)
		}
		var snapshot int
		if err := db.read.QueryRowContext(ctx, "SELECT snapshot FROM revision_lists WHERE mou_id = ? AND revision = ?", m.ID, n).Scan(&snapshot); err != nil {
			t.Fatal(err)
		}
		longest = max(longest, n-snapshot)
	}
	if longest >= snapshotEvery || longest < snapshotEvery/2 {
		t.Errorf("longest chain %d deltas; want below %d (and deltas in use)", longest, snapshotEvery)
	}
}

// TestRevisionListImmutable: the list tables refuse change and deletion,
// a row added to an older revision or beyond a revision's length, a delta
// that does not continue the previous revision's chain, and any write to
// the revision_sections view.
func TestRevisionListImmutable(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 3)
	for i := range 3 {
		if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, i+1, "", editOne("section-2", fmt.Sprintf("Edit %d.\n", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	var body int64
	if err := db.read.QueryRowContext(ctx, "SELECT min(id) FROM section_bodies").Scan(&body); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE revision_lists SET sections = 1",
		"DELETE FROM revision_lists",
		"UPDATE revision_list_rows SET heading = 'x'",
		"DELETE FROM revision_list_rows",
		"UPDATE section_bodies SET body = 'x'",
		"DELETE FROM section_bodies",
		fmt.Sprintf("INSERT INTO revision_list_rows (mou_id, revision, position, key, heading, body_id) VALUES (%d, 2, 3, 'k', 'h', %d)", m.ID, body),
		fmt.Sprintf("INSERT INTO revision_list_rows (mou_id, revision, position, key, heading, body_id) VALUES (%d, 4, 4, 'k', 'h', %d)", m.ID, body),
		"UPDATE revision_sections SET heading = 'x'",
		"DELETE FROM revision_sections",
		fmt.Sprintf("INSERT INTO revision_sections (mou_id, revision, position, key, heading, body_hash) VALUES (%d, 4, 4, 'k', 'h', 'x')", m.ID),
	} {
		if _, err := db.write.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: err = %v; want the immutability trigger", q, err)
		}
	}
	// A revision 5 that claims to continue a chain other than 4's.
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (mou_id, revision, title, preamble_hash, variables, content_hash, author, created_at)
			SELECT mou_id, 5, title, preamble_hash, variables, content_hash, author, created_at FROM revisions WHERE mou_id = ? AND revision = 4`, m.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO revision_lists (mou_id, revision, snapshot, sections) VALUES (?, 5, 2, 3)", m.ID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "chain") {
		t.Errorf("a delta off the chain: err = %v", err)
	}
}

func TestRevisionsPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 2)
	addRevisions(t, db, m.ID, 7)
	var got []int
	after := 0
	for {
		page, err := db.Revisions(ctx, m.ID, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, r.Number)
		}
		after = page[len(page)-1].Number
	}
	if fmt.Sprint(got) != "[1 2 3 4 5 6 7]" {
		t.Errorf("pages of 3 gave %v", got)
	}
	all, err := db.Revisions(ctx, m.ID, 0, desk.NoLimit)
	if err != nil || len(all) != 7 || all[6].ContentHash == "" || all[6].Message != "edit 7" {
		t.Fatalf("every revision: %d, %v", len(all), err)
	}
	t.Run("PastTheEnd", func(t *testing.T) {
		page, err := db.Revisions(ctx, m.ID, 7, 3)
		if err != nil || page == nil || len(page) != 0 {
			t.Errorf("after the last: %v, %v; want an empty page", page, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.Revisions(ctx, m.ID+1, 0, 3)
		if e, ok := moudesk.AsError(err); !ok || e.Kind != moudesk.KindNotFound {
			t.Errorf("unknown MOU: %v", err)
		}
	})
}
