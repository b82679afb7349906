package render

import (
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

// BenchmarkRedlineReport draws a meeting packet of the bench pair: a cover
// and a summary page in front of the full 40-page redline.
func BenchmarkRedlineReport(b *testing.B) {
	old, cur := testtool.SharedBench(b, "mou-40p.md"), testtool.SharedBench(b, "mou-40p-v2.md")
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
