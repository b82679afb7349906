package render

import (
	"os"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
)

// BenchmarkRedlineReport draws a meeting packet of the bench pair: a cover
// and a summary page in front of the full 40-page redline.
func BenchmarkRedlineReport(b *testing.B) {
	old, err := os.ReadFile(benchMOU)
	if err != nil {
		b.Skipf("benchmarks measure the shared bench MOU, not beside this checkout: %v", err)
	}
	cur, err := os.ReadFile("../../../shared/bench/mou-40p-v2.md")
	if err != nil {
		b.Skipf("benchmarks measure the shared bench pair, not beside this checkout: %v", err)
	}
	rl := redline.Compare(redline.Split(string(old)), redline.Split(string(cur)), redline.Options{})
	preface := [][]byte{[]byte("# Meeting packet\n\nRevisions 1 to 2.\n"), []byte("# Summary of changes\n\n- §6 Access to Student Records, pg. 2, item 7\n")}
	opt := Options{Title: "Bench MOU", HeaderNote: "Meeting packet · revision 1 → 2", Draft: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RedlineReport(preface, rl, opt); err != nil {
			b.Fatal(err)
		}
	}
}
