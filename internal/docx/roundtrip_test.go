package docx

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/testtool"
)

// benchDocument is testtool.BenchMOU's v1 (or v2) as sections: the "#"
// title and the text under it, then each "##" section with its body.
func benchDocument(t testing.TB, v2 bool) *Document {
	t.Helper()
	a, b := testtool.BenchMOU()
	md := a
	if v2 {
		md = b
	}
	return documentOf(t, md)
}

// documentOf is md as a Document, with a fixed time and footer.
func documentOf(t testing.TB, md string) *Document {
	t.Helper()
	d := FromMarkdown(md)
	d.Time = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d.Footer = "moudesk · 7 rev 2 · 0123456789ab"
	return d
}

func exportBytes(t testing.TB, d *Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// canonical is the content-hash form of a document's text.
func canonical(title, preamble string, secs []Section) string {
	ms := make([]mou.Section, len(secs))
	for i, s := range secs {
		ms[i] = mou.Section{Key: s.Key, Heading: s.Heading, Body: s.Body}
	}
	return mou.Canonical(title, preamble, ms)
}

func checkRoundTrip(t *testing.T, d *Document, wantUnchanged bool) *Imported {
	t.Helper()
	got, err := Import(exportBytes(t, d))
	if err != nil {
		t.Fatal(err)
	}
	want := canonical(d.Title, d.Preamble, d.Sections)
	have := canonical(got.Title, got.Preamble, got.Sections)
	if mou.Hash(want) != mou.Hash(have) {
		t.Errorf("content hash changed in the round trip\n%s", firstDiff(want, have))
	}
	if len(got.Sections) != len(d.Sections) {
		t.Fatalf("%d sections back, want %d", len(got.Sections), len(d.Sections))
	}
	for i := range d.Sections {
		if got.Sections[i].Key != d.Sections[i].Key {
			t.Errorf("section %d key %q, want %q", i, got.Sections[i].Key, d.Sections[i].Key)
		}
	}
	if wantUnchanged && len(got.Report.Unchanged) != len(d.Sections)+1 {
		t.Errorf("%d of %d sections read as exported", len(got.Report.Unchanged), len(d.Sections)+1)
	}
	return got
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-200, 0)
	return "want …" + a[lo:min(len(a), i+200)] + "\n---\nhave …" + b[lo:min(len(b), i+200)]
}

func TestRoundTripBench(t *testing.T) {
	checkRoundTrip(t, benchDocument(t, false), true)
}

// TestImportWithoutMetadata reads an export with its recorded Markdown
// taken out, as a document Word re-saved might come back: the Markdown is
// rebuilt from the document's structure alone and reads the same.
func TestImportWithoutMetadata(t *testing.T) {
	d := benchDocument(t, false)
	data := dropPart(t, exportBytes(t, d), "customXml/item1.xml")
	got, err := Import(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Report.Unchanged) != 0 {
		t.Fatalf("metadata used though removed: %v", got.Report.Unchanged)
	}
	want := canonical(d.Title, d.Preamble, d.Sections)
	have := canonical(got.Title, got.Preamble, got.Sections)
	if want != have {
		t.Errorf("rebuilt Markdown differs\n%s", firstDiff(want, have))
	}
}

// TestRedlineCreditsEachSection: changes to a section named in By carry
// that revision's author and date, the rest the redline's own.
func TestRedlineCreditsEachSection(t *testing.T) {
	old, cur := documentOf(t, shapesOld), documentOf(t, shapesNew)
	var buf bytes.Buffer
	err := WriteRedline(&buf, &Redline{Old: old, New: cur, Author: "Ana Ruiz", Date: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC),
		By: map[string]Change{"term": {Author: "Ben Okafor", Date: time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := openPackage(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := p.read("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	term := strings.Index(s, `w:name="_mk_term"`)
	added := -1 // the next section's heading
	if term >= 0 {
		if k := strings.Index(s[term+1:], `w:name="_mk_`); k >= 0 {
			added = term + 1 + k
		}
	}
	if term < 0 || added < term {
		t.Fatal("sections not found in order")
	}
	// The bookmark sits after its paragraph's properties, which mark the
	// added heading's paragraph mark.
	term, added = strings.LastIndex(s[:term], "<w:p>"), strings.LastIndex(s[:added], "<w:p>")
	if !strings.Contains(s[term:added], `w:author="Ben Okafor" w:date="2026-11-20T08:30:00Z"`) || strings.Contains(s[term:added], "Ana Ruiz") {
		t.Error("the term section's changes are not Ben Okafor's")
	}
	if !strings.Contains(s[:term], `w:author="Ana Ruiz" w:date="2026-12-02T10:00:00Z"`) || strings.Contains(s[:term], "Ben Okafor") {
		t.Error("the other sections' changes are not Ana Ruiz's")
	}
}
