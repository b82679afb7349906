package render

import (
	"os"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
)

// FuzzRedline typesets the redline of two arbitrary Markdown texts as PDF
// and as both HTML views: no error, no panic, and no raw HTML through.
func FuzzRedline(f *testing.F) {
	for i, s := range fuzzSeeds {
		next := fuzzSeeds[(i+1)%len(fuzzSeeds)]
		f.Add([]byte(s), []byte(s+"\n\n"+next))
		f.Add([]byte(strings.Replace(s, "a", "b", 1)), []byte(s))
	}
	if a, err := os.ReadFile("testdata/redline-old.md"); err == nil {
		b, _ := os.ReadFile("testdata/redline-new.md")
		f.Add(a, b)
		f.Add(b, a)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a)+len(b) > 64<<10 {
			t.Skip("large inputs are TestPDFLargePathological's")
		}
		rl := redline.Compare(redline.Split(string(a)), redline.Split(string(b)), redline.Options{})
		if _, err := RedlinePDF(rl, Options{Title: "Fuzz"}); err != nil {
			t.Fatalf("redline pdf: %v", err)
		}
		for _, view := range []redline.View{redline.Inline, redline.SideBySide} {
			var out strings.Builder
			if err := RedlineHTML(&out, rl, view); err != nil {
				t.Fatalf("redline html: %v", err)
			}
			if strings.Contains(out.String(), "<script") {
				t.Fatalf("raw HTML passed through")
			}
		}
	})
}
