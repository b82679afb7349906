package render

import (
	"testing"

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
