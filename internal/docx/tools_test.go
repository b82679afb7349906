package docx

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// words is text as its words, lowercased, in order: what two renderings
// of one text share whatever their line breaks, hyphens and list marks.
// Hyphens are dropped: pdftotext joins a word broken at a hyphen at a
// line's end ("behavior-" "intervention" reads "behaviorintervention").
func words(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "-\n", ""), "-", "")
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '’' && r != '“' && r != '”' && r != '–' && r != '—' && r != '•' && r != '◦' && r != '▪' && r != '§')
	})
}

// inOrder says whether want's words appear in have's in order (other
// words may come between: numbers, footers, list marks). It returns the
// first word not found.
// With glued set, a word may be part of a longer one: a redline shows a
// deleted word and the inserted one after it with no space between.
func inOrder(want, have []string, glued bool) (string, bool) {
	j := 0
	for _, w := range want {
		for j < len(have) && have[j] != w && !(glued && strings.Contains(have[j], w)) {
			j++
		}
		if j == len(have) {
			return w, false
		}
		j++
	}
	return "", true
}

// sectionText is a section's text as a reader sees it, Markdown marks
// gone, and its table cells apart: a PDF's text may give a table column
// by column.
func sectionText(s Section) (text string, cells []string) {
	c := newConverter()
	var sb strings.Builder
	sb.WriteString(plain(c.inline(s.Heading)) + "\n")
	for _, b := range c.blocks(s.Body) {
		if b.kind == kTable {
			for _, row := range b.rows {
				for _, cell := range row {
					cells = append(cells, plain(cell))
				}
			}
			continue
		}
		sb.WriteString(b.text() + "\n")
	}
	return sb.String(), cells
}

// TestLibreOfficeOpensExports converts a revision's export and a redline
// to PDF with LibreOffice in one run (each start costs seconds), and finds
// every section's words, in order, in each PDF's text.
func TestLibreOfficeOpensExports(t *testing.T) {
	soffice := testtool.Need(t, "soffice", "libreoffice-writer-nogui")
	testtool.Need(t, "pdftotext", "poppler-utils")
	dir := t.TempDir()
	v1, v2 := benchDocument(t, false), benchDocument(t, true)
	v1.Signatures = []Signature{{Heading: "City of Riverside Heights", Title: "City Manager"}, {Heading: "ATTEST: City of Riverside Heights", Name: "Zoë Nakamura", Title: "City Clerk"}}
	var rl bytes.Buffer
	if err := WriteRedline(&rl, &Redline{Old: v1, New: v2, Author: "Ana Ruiz", Date: v2.Time}); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"revision.docx": exportBytes(t, v1), "redline.docx": rl.Bytes()}
	var args []string
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(dir, name))
	}
	cmd := exec.Command(soffice, append([]string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for name, doc := range map[string]*Document{"revision": v1, "redline": v2} {
		pdf := filepath.Join(dir, name+".pdf")
		out, err := exec.Command("pdftotext", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v (did LibreOffice open the document?)", pdf, err)
		}
		have := words(string(out))
		for _, s := range doc.Sections {
			text, cells := sectionText(s)
			if w, ok := inOrder(words(text), have, name == "redline"); !ok {
				t.Errorf("%s.pdf: section %s: word %q not found in order", name, s.Key, w)
			}
			for _, cell := range cells {
				if w, ok := inOrder(words(cell), have, name == "redline"); !ok {
					t.Errorf("%s.pdf: section %s: table cell %q: word %q not found", name, s.Key, cell, w)
				}
			}
		}
		if name == "revision" {
			for _, want := range []string{"moudesk · 7 rev 2 · 0123456789ab", "Zoë Nakamura", "City Clerk"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("revision.pdf lacks %q", want)
				}
			}
		}
	}
}

// listMarks are lines pandoc writes for a list item with no text left:
// pandoc keeps a list item whose paragraph was deleted as an empty item,
// where Word and LibreOffice remove it.
var listMarks = regexp.MustCompile(`(?m)^\s*([0-9]+\.|-|\([a-z]\))\s*$`)

func pandocText(t *testing.T, pandoc, path, track string) []string {
	t.Helper()
	out, err := exec.Command(pandoc, "--track-changes="+track, "-t", "plain", "--wrap=none", path).Output()
	if err != nil {
		t.Fatalf("pandoc %s: %v", path, err)
	}
	return words(listMarks.ReplaceAllString(string(out), ""))
}

// TestRedlineAcceptReject checks the tracked-changes export with pandoc:
// accepting every change reads as the new revision's own export, and
// rejecting every change as the old one's, word for word. The bench pair
// has fifty edits in as many paragraphs and a section moved.
func TestRedlineAcceptReject(t *testing.T) {
	pandoc := testtool.Need(t, "pandoc", "pandoc")
	dir := t.TempDir()
	cases := map[string]struct{ old, new *Document }{
		"bench":  {benchDocument(t, false), benchDocument(t, true)},
		"shapes": {documentOf(t, shapesOld), documentOf(t, shapesNew)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var rl bytes.Buffer
			if err := WriteRedline(&rl, &Redline{Old: c.old, New: c.new, Author: "Ana Ruiz", Date: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}); err != nil {
				t.Fatal(err)
			}
			paths := map[string][]byte{"rl.docx": rl.Bytes(), "old.docx": exportBytes(t, c.old), "new.docx": exportBytes(t, c.new)}
			for n, data := range paths {
				if err := os.WriteFile(filepath.Join(dir, name+n), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p := func(n string) string { return filepath.Join(dir, name+n) }
			if got, want := pandocText(t, pandoc, p("rl.docx"), "accept"), pandocText(t, pandoc, p("new.docx"), "accept"); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("accepted redline differs from the new revision\n%s", firstDiff(strings.Join(want, " "), strings.Join(got, " ")))
			}
			if got, want := pandocText(t, pandoc, p("rl.docx"), "reject"), pandocText(t, pandoc, p("old.docx"), "accept"); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("rejected redline differs from the old revision\n%s", firstDiff(strings.Join(want, " "), strings.Join(got, " ")))
			}
			// Import accepts the changes too.
			im, err := Import(rl.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := canonical(im.Title, im.Preamble, im.Sections), canonical(c.new.Title, c.new.Preamble, c.new.Sections); got != want {
				t.Errorf("import of the redline is not the new revision\n%s", firstDiff(want, got))
			}
			if im.Report.TrackedChanges.Insertions == 0 || im.Report.TrackedChanges.Deletions == 0 {
				t.Errorf("report counts no tracked changes: %+v", im.Report.TrackedChanges)
			}
		})
	}
}

// shapesOld and shapesNew change every kind of block: a section added,
// one removed, one moved and edited, a renamed heading, list items added
// and removed, a table changed, a paragraph split.
const shapesOld = `# Shapes

Made by the **City** and the District.

## 1. Purpose

The purpose is *safety* for all students.

- one item
- two items
- three items

## 2. Term

The term is one year.

| Period | Share |
|---|---|
| Fall | 70% |

## 3. Gone

This section is removed.

## 4. Notices

Notices go by mail. They are written.
`

const shapesNew = `# Shapes

Made by the **City** and the School District.

## 1. Notices

Notices go by certified mail.

They are written.

## 2. Purpose

The purpose is *safety and dignity* for all students.

- one item
- three items
- four items

## 3. Term

The term is two years.

| Period | Share |
|---|---|
| Fall | 60% |

## 4. Added

A new section with a [link](https://example.org/x).
`

// needUNO is the Python that has LibreOffice's uno module (Debian's
// python3-uno installs it for /usr/bin/python3, whatever python3 is first
// on the PATH); the test skips without it, and fails in CI.
func needUNO(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import uno").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import uno, required in CI (apt-get install -y python3-uno): %v", py, err)
		}
		t.Skipf("%s cannot import uno; apt-get install -y python3-uno to run this test", py)
	}
	return py
}

// TestLibreOfficeAcceptReject accepts and rejects every change of the
// redlines in LibreOffice itself (testdata/lo_track.py, through
// python3-uno, in one soffice run): accepted, each reads word for word as
// the new revision's export does in LibreOffice, rejected as the old one's,
// list and section numbers included. A revision LibreOffice saved again
// imports as the same text, keys included (LibreOffice cuts bookmark names
// to 40 characters).
func TestLibreOfficeAcceptReject(t *testing.T) {
	soffice := testtool.Need(t, "soffice", "libreoffice-writer-nogui")
	py := needUNO(t)
	dir := t.TempDir()
	// An MOU's signature block follows its text; without one after it, a
	// redline whose last section was added or removed leaves an empty
	// numbered heading in LibreOffice (a paragraph joined to the
	// document's last, empty paragraph keeps its own style there).
	sigs := []Signature{{Heading: "City", Title: "Mayor"}}
	shapesOldDoc, shapesNewDoc := documentOf(t, shapesOld), documentOf(t, shapesNew)
	shapesOldDoc.Signatures, shapesNewDoc.Signatures = sigs, sigs
	cases := map[string]struct{ old, new *Document }{
		"bench":  {benchDocument(t, false), benchDocument(t, true)},
		"shapes": {shapesOldDoc, shapesNewDoc},
	}
	args := []string{"testdata/lo_track.py", soffice, filepath.Join(dir, "profile"), fmt.Sprintf("moudesk-docx-%d", os.Getpid())}
	p := func(name string) string { return filepath.Join(dir, name) }
	for name, c := range cases {
		var rl bytes.Buffer
		if err := WriteRedline(&rl, &Redline{Old: c.old, New: c.new, Author: "Ana Ruiz", Date: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		for n, data := range map[string][]byte{"-rl.docx": rl.Bytes(), "-old.docx": exportBytes(t, c.old), "-new.docx": exportBytes(t, c.new)} {
			if err := os.WriteFile(p(name+n), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		args = append(args, p(name+"-rl.docx"), "accept", p(name+"-accepted.txt"), p(name+"-rl.docx"), "reject", p(name+"-rejected.txt"),
			p(name+"-new.docx"), "none", p(name+"-new.txt"), p(name+"-old.docx"), "none", p(name+"-old.txt"))
	}
	// The old revision saved again by LibreOffice, as an attorney's copy
	// comes back: it must import as the same text.
	args = append(args, p("bench-old.docx"), "none", p("bench-resaved.docx"))
	if out, err := exec.Command(py, args...).CombinedOutput(); err != nil {
		t.Fatalf("lo_track.py: %v\n%s", err, out)
	}
	resaved, err := os.ReadFile(p("bench-resaved.docx"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import(resaved)
	if err != nil {
		t.Fatal(err)
	}
	old := cases["bench"].old
	if got, want := canonical(im.Title, im.Preamble, im.Sections), canonical(old.Title, old.Preamble, old.Sections); got != want {
		t.Errorf("saved again by LibreOffice, the revision imports differently\n%s", firstDiff(want, got))
	}
	read := func(name string) string {
		data, err := os.ReadFile(p(name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(words(string(data)), " ")
	}
	for name := range cases {
		if got, want := read(name+"-accepted.txt"), read(name+"-new.txt"); got != want {
			t.Errorf("%s: accepted in LibreOffice, the redline differs from the new revision\n%s", name, firstDiff(want, got))
		}
		if got, want := read(name+"-rejected.txt"), read(name+"-old.txt"); got != want {
			t.Errorf("%s: rejected in LibreOffice, the redline differs from the old revision\n%s", name, firstDiff(want, got))
		}
	}
}
