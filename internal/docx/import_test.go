package docx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// Parts of a hand-written document, as Word writes them.
const (
	handTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	handRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	handNumbering = `<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
		`<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>` +
		`<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl></w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>` +
		`<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>`
	handComments = `<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
		`<w:comment w:id="7" w:author="City Attorney" w:date="2026-11-30T10:00:00Z"><w:p><w:r><w:t>Is ninety days enough?</w:t></w:r></w:p></w:comment></w:comments>`
)

// handDocument is a document written as an attorney's Word file is: no
// heading styles, sections as Word-numbered paragraphs with a bold
// lead-in, a sub-list, a bullet list, a table, a comment, an image and a
// tracked insertion and deletion.
const handDocument = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<w:body>
<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>MEMORANDUM OF UNDERSTANDING</w:t></w:r></w:p>
<w:p><w:r><w:t>This agreement is made by the City and the District.</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Term.</w:t></w:r><w:r><w:t xml:space="preserve"> This MOU lasts </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>one year</w:delText></w:r></w:del><w:ins w:id="2" w:author="A"><w:r><w:t>three years</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> from signing, and either party may end it on </w:t></w:r><w:commentRangeStart w:id="7"/><w:r><w:t>ninety days’ notice</w:t></w:r><w:commentRangeEnd w:id="7"/><w:r><w:commentReference w:id="7"/></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Notice is </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>written</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Notice is </w:t></w:r><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>signed</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Costs.</w:t></w:r><w:r><w:t xml:space="preserve"> The parties share the cost as follows:</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Party</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Share</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>City</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>70%</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>District</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>30%</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>Invoices are quarterly.</w:t></w:r></w:p>
<w:p><w:r><w:drawing/></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Notices</w:t></w:r></w:p>
<w:p><w:r><w:t>Notices go to the addresses below.</w:t></w:r></w:p>
<w:sectPr/>
</w:body></w:document>`

func handDOCX(t testing.TB) []byte {
	return zipOf(t, map[string]string{
		"[Content_Types].xml": handTypes, "_rels/.rels": handRels, "word/document.xml": handDocument,
		"word/numbering.xml": handNumbering, "word/comments.xml": handComments,
	})
}

// TestImportHandWritten reads a document as Word users write one:
// numbered paragraphs are sections, a bold lead-in is the heading, sub-
// items, the table and the bullet list stay Markdown, the tracked changes
// are accepted and counted, the comment and the image are reported.
func TestImportHandWritten(t *testing.T) {
	im, err := Import(handDOCX(t))
	if err != nil {
		t.Fatal(err)
	}
	if im.Report.SectionsFrom != "numbering" {
		t.Errorf("sections from %q, want numbering", im.Report.SectionsFrom)
	}
	var keys []string
	for _, s := range im.Sections {
		keys = append(keys, s.Key+"="+s.Heading)
	}
	if got := strings.Join(keys, ", "); got != "term=Term, costs=Costs, notices=Notices" {
		t.Fatalf("sections %s", got)
	}
	if im.Title != "MEMORANDUM OF UNDERSTANDING" {
		t.Errorf("title %q: a bold first line is the title", im.Title)
	}
	want := map[string]string{
		"term": "This MOU lasts three years from signing, and either party may end it on ninety days’ notice.\n\n" +
			"1. Notice is *written*.\n2. Notice is *signed*.\n",
		"costs":   "The parties share the cost as follows:\n\n| Party | Share |\n|---|---|\n| City | 70% |\n| District | 30% |\n\n- Invoices are quarterly.\n",
		"notices": "Notices go to the addresses below.\n",
	}
	for _, s := range im.Sections {
		if s.Body != want[s.Key] {
			t.Errorf("section %s body\n%q\nwant\n%q", s.Key, s.Body, want[s.Key])
		}
	}
	if !strings.Contains(im.Preamble, "This agreement is made by the City and the District.") {
		t.Errorf("preamble %q", im.Preamble)
	}
	tc := im.Report.TrackedChanges
	if tc.Insertions != 1 || tc.Deletions != 1 {
		t.Errorf("tracked changes %+v, want one insertion and one deletion", tc)
	}
	if len(im.Report.Comments) != 1 || im.Report.Comments[0].Section != "term" || im.Report.Comments[0].Author != "City Attorney" ||
		im.Report.Comments[0].Text != "Is ninety days enough?" {
		t.Errorf("comments %+v", im.Report.Comments)
	}
	found := map[string]bool{}
	for _, w := range im.Report.Warnings {
		found[w.Code] = true
	}
	if !found["image"] {
		t.Errorf("the image is not reported: %+v", im.Report.Warnings)
	}
}

// TestImportPandocDOCX imports a document pandoc made from our own
// Markdown: its heading styles start the sections, and each section's
// words come back.
func TestImportPandocDOCX(t *testing.T) {
	pandoc := testtool.Need(t, "pandoc", "pandoc")
	dir := t.TempDir()
	md := filepath.Join(dir, "in.md")
	if err := os.WriteFile(md, []byte(shapesNew), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.docx")
	if b, err := exec.Command(pandoc, "-f", "markdown", "-o", out, md).CombinedOutput(); err != nil {
		t.Fatalf("pandoc: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import(data)
	if err != nil {
		t.Fatal(err)
	}
	want := documentOf(t, shapesNew)
	if len(im.Sections) != len(want.Sections) {
		t.Fatalf("%d sections, want %d: %+v", len(im.Sections), len(want.Sections), im.Sections)
	}
	for i, s := range want.Sections {
		got := im.Sections[i]
		if got.Key != s.Key || got.Heading != s.Heading {
			t.Errorf("section %d is %s %q, want %s %q", i, got.Key, got.Heading, s.Key, s.Heading)
		}
		gt, _ := sectionText(got)
		wt, _ := sectionText(s)
		if strings.Join(words(gt), " ") != strings.Join(words(wt), " ") {
			t.Errorf("section %s reads\n%s\nwant\n%s", s.Key, got.Body, s.Body)
		}
	}
	if im.Title != "Shapes" {
		t.Errorf("title %q", im.Title)
	}
}

// TestImportRefuses: what is not a Word document, or would cost the server
// too much to read, is refused with a code and a sentence.
func TestImportRefuses(t *testing.T) {
	good := handDOCX(t)
	withDoc := func(doc string) []byte {
		return rewrite(t, good, func(n string, b []byte) []byte {
			if n == "word/document.xml" {
				return []byte(doc)
			}
			return b
		})
	}
	// A member whose inflated size passes the limit; its header is made to
	// claim a small size, which must not be trusted.
	bomb := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.Create("word/document.xml")
		if err != nil {
			t.Fatal(err)
		}
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		w.Write([]byte(`<w:document xmlns:w="x"><w:body>`))
		for range MaxPartBytes>>20 + 1 {
			w.Write(chunk)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	cases := []struct {
		name, code string
		data       []byte
	}{
		{"NotAZip", CodeNotDocx, []byte("%PDF-1.7 not a word document")},
		{"ZipWithoutDocument", CodeNotDocx, zipOf(t, map[string]string{"hello.txt": "hi"})},
		{"TooLarge", CodeTooLarge, make([]byte, MaxFileBytes+1)},
		{"ZipBomb", CodeZipBomb, bomb},
		{"Doctype", CodeDoctype, withDoc(`<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>`)},
		{"BillionLaughs", CodeDoctype, withDoc(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>`)},
		{"UndeclaredEntity", CodeBadXML, withDoc(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&lol;</w:t></w:r></w:p></w:body></w:document>`)},
		{"NoText", CodeNoText, withDoc(`<w:document xmlns:w="x"><w:body><w:p/><w:p><w:r><w:t>  </w:t></w:r></w:p></w:body></w:document>`)},
		{"NotXML", CodeBadXML, withDoc(`<w:document><w:body><w:p>`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Import(c.data)
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *Error %s", err, c.code)
			}
			if de.Code != c.code {
				t.Errorf("code %s (%s), want %s", de.Code, de.Message, c.code)
			}
		})
	}
}

// TestImportTypedHeadings reads documents typed without styles or Word
// numbering: typed numbers, roman numerals, or bold lines start sections.
func TestImportTypedHeadings(t *testing.T) {
	para := func(bold bool, text string) string {
		rpr := ""
		if bold {
			rpr = "<w:rPr><w:b/></w:rPr>"
		}
		return `<w:p><w:r>` + rpr + `<w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
	}
	doc := func(ps ...string) []byte {
		return zipOf(t, map[string]string{"word/document.xml": `<w:document xmlns:w="x"><w:body>` + strings.Join(ps, "") + `</w:body></w:document>`})
	}
	cases := []struct {
		name, from, keys string
		data             []byte
	}{
		{"Digits", "numbered_text", "purpose=Purpose, term=Term",
			doc(para(true, "AGREEMENT"), para(false, "1. Purpose"), para(false, "The purpose is safety."), para(false, "2. Term"), para(false, "One year."))},
		{"Roman", "numbered_text", "purpose=Purpose, term=Term",
			doc(para(false, "I. Purpose"), para(false, "The purpose is safety."), para(false, "II. Term"), para(false, "One year."))},
		{"BoldLines", "bold_lines", "purpose=PURPOSE, term-of-agreement=TERM OF AGREEMENT",
			doc(para(true, "AGREEMENT"), para(false, "Made by the parties."), para(true, "PURPOSE"), para(false, "The purpose is safety."), para(true, "TERM OF AGREEMENT"), para(false, "One year."))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, err := Import(c.data)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, s := range im.Sections {
				keys = append(keys, s.Key+"="+s.Heading)
			}
			if got := strings.Join(keys, ", "); got != c.keys || im.Report.SectionsFrom != c.from {
				t.Errorf("sections %s from %s, want %s from %s", got, im.Report.SectionsFrom, c.keys, c.from)
			}
		})
	}
}
