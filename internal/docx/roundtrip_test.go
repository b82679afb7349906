package docx

import (
	"bytes"
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
