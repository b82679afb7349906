package render

import (
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkRenderPDF renders the 40-page bench MOU with a header, footer,
// watermark and two signature blocks.
func BenchmarkRenderPDF(b *testing.B) { benchRender(b, "mou-40p.md") }

// benchRender renders the shared bench file name with sampleOptions.
func benchRender(b *testing.B, name string) {
	md := testtool.SharedBench(b, name)
	opt := sampleOptions()
	b.ReportAllocs()
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		if _, err := PDF(md, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRevisionPDFV2 renders the newer of the bench pair, the revision
// BenchmarkRedlinePDF's redline leads to: the redline's yardstick.
func BenchmarkRevisionPDFV2(b *testing.B) { benchRender(b, "mou-40p-v2.md") }

// BenchmarkRedlinePDF typesets the redline of the bench pair (compared
// once, outside the loop), with the same options; the target is at most
// twice BenchmarkRevisionPDFV2.
func BenchmarkRedlinePDF(b *testing.B) {
	oldMD := testtool.SharedBench(b, "mou-40p.md")
	newMD := testtool.SharedBench(b, "mou-40p-v2.md")
	rl := redline.Compare(redline.Split(string(oldMD)), redline.Split(string(newMD)), redline.Options{})
	opt := sampleOptions()
	b.ReportAllocs()
	b.SetBytes(int64(len(newMD)))
	for b.Loop() {
		if _, err := RedlinePDF(rl, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// onePage is a one-page agreement: a title, a bold line, paragraphs with
// emphasis, and a numbered and a bulleted list, in the regular, bold and
// italic faces.
const onePage = `# Memorandum of Understanding

**Between the City of Riverton Police Department and the Riverton Unified School District**

This Memorandum of Understanding (“MOU”) is entered into by the City of Riverton (“City”) and the Riverton Unified School District (“District”) — together, the “Parties”.

## 1. Purpose

The Parties enter into this MOU to set out the role of the School Resource Officer (“SRO”) on District campuses, *so that* students, parents and staff know what the SRO does and does not do.

1. The SRO remains an employee of the Department and is subject to its policies, general orders and chain of command at all times.
2. Nothing in this Agreement shall be construed to authorize the SRO to access student education records except as permitted by FERPA, 20 U.S.C. § 1232g.
3. The Advisory Team shall review the program annually and may recommend changes to this Agreement.

## 2. Term

- This MOU begins on the first teacher work day and ends on the last day of the school year.
- Either party may terminate it upon ninety (90) days’ written notice to the other party.
`

// BenchmarkRenderOnePage is the fixed cost of a render: a one-page
// agreement with a header title and footer, as moudesk render draws it.
// The target (issue 16) is at most 15 ms in process.
func BenchmarkRenderOnePage(b *testing.B) {
	md := []byte(onePage)
	opt := Options{Title: "one-page", DocumentID: "one-page.md"}
	res, err := PDF(md, opt)
	if err != nil {
		b.Fatal(err)
	}
	if res.Pages != 1 {
		b.Fatalf("the one-page agreement rendered on %d pages", res.Pages)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PDF(md, opt); err != nil {
			b.Fatal(err)
		}
	}
}
