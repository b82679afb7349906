package sqlite

import (
	"context"
	"testing"

	"github.com/moudesk/moudesk"
)

// BenchmarkOneSectionEdit saves one-word edits of the 1 KB section of a
// 60-section MOU of shipped clause text and reports what each stored in
// the database file (pages in use × page size, divided by the edits) and
// the section's size. Run with -benchtime=1000x or so: a snapshot is
// written every snapshotEvery revisions, so a few edits say little.
func BenchmarkOneSectionEdit(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	m := newClauseMOU(b, db, 60)
	rev, err := db.Revision(ctx, m.ID, 1)
	if err != nil {
		b.Fatal(err)
	}
	var section int
	for _, s := range rev.Sections {
		if s.Key == "term" {
			section = len(s.Body)
		}
	}
	before := storedBytes(b, db)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := db.CreateRevision(ctx, moudesk.System, m.ID, i+1, "one word", oneWord("term", i), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(storedBytes(b, db)-before)/float64(b.N), "stored-B/edit")
	b.ReportMetric(float64(section), "section-B")
}

// BenchmarkReadRevision reads revisions of a 60-section MOU with 1,000
// revisions: the newest, an old one, and the one at the end of the longest
// chain (its snapshot and snapshotEvery-1 deltas); then the same with the
// text cache emptied before every read, so that each inflates every body
// (the first read of an MOU after a start). Reads take the reader pool, as
// the service's do.
func BenchmarkReadRevision(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	m := newClauseMOU(b, db, 60)
	addRevisions(b, db, m.ID, 1000)
	forgetBodyTexts(db)
	for _, bc := range []struct {
		name string
		n    int
		cold bool
	}{{"Newest", 1000, false}, {"Old", 10, false}, {"LongestChain", snapshotEvery, false},
		{"NewestCold", 1000, true}, {"OldCold", 10, true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if bc.cold {
					b.StopTimer()
					forgetBodyTexts(db)
					b.StartTimer()
				}
				rev, err := db.Revision(ctx, m.ID, bc.n)
				if err != nil || len(rev.Sections) != 60 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRevisionsFirstPage lists the first page of an MOU with 2,000
// revisions as the API asks for it (its default 100, plus one to learn
// whether more remain), and the last page. Target: under 5 ms.
func BenchmarkRevisionsFirstPage(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	m := newTestMOU(b, db, 3)
	addRevisions(b, db, m.ID, 2000)
	for _, bc := range []struct {
		name  string
		after int
	}{{"First", 0}, {"Last", 1900}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				page, err := db.Revisions(ctx, m.ID, bc.after, 101)
				if err != nil || len(page) != min(101, 2000-bc.after) {
					b.Fatal(len(page), err)
				}
			}
		})
	}
}
