package render

import (
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkRenderPDF renders the 40-page bench MOU with a header, footer,
// watermark and two signature blocks.
func BenchmarkRenderPDF(b *testing.B) {
	md := testtool.SharedBench(b, "mou-40p.md")
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
func BenchmarkRevisionPDFV2(b *testing.B) {
	md := testtool.SharedBench(b, "mou-40p-v2.md")
	opt := sampleOptions()
	b.ReportAllocs()
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		if _, err := PDF(md, opt); err != nil {
			b.Fatal(err)
		}
	}
}

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
