package render

import (
	"os"
	"testing"
)

// BenchmarkRenderPDF renders the 40-page bench MOU with a header, footer,
// watermark and two signature blocks.
func BenchmarkRenderPDF(b *testing.B) {
	md, err := os.ReadFile(benchMOU)
	if err != nil {
		b.Skipf("benchmarks measure the shared bench MOU, not beside this checkout: %v", err)
	}
	opt := sampleOptions()
	b.ReportAllocs()
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		if _, err := PDF(md, opt); err != nil {
			b.Fatal(err)
		}
	}
}
