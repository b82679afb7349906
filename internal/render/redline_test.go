package render

import (
	"os"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

func TestRedlinePDF(t *testing.T) {
	oldMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall keep the peace.\n\n## 2. Term\n\nThis term lasts one year.\n"
	newMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall protect students and keep the peace.\n\n## 2. Term\n\nThis term lasts two years.\n"
	rl := redline.Compare(redline.Split(oldMD), redline.Split(newMD), redline.Options{})
	opt := sampleOptions()
	opt.Signatures = nil
	res, err := RedlinePDF(rl, opt)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := strings.Join(strings.Fields(pdfText(t, path, 0, 0)), " ")
	for _, want := range []string{"Purpose", "protect students and", "one", "two", "years", "Term"} {
		if !strings.Contains(text, want) {
			t.Errorf("redline text lacks %q:\n%s", want, text)
		}
	}
	if n := nonWhitePixels(t, path, 1); n < 500 {
		t.Errorf("redline page nearly blank: %d pixels", n)
	}
	if os.Getenv("RENDER_KEEP") != "" {
		os.WriteFile(os.Getenv("RENDER_KEEP"), res.PDF, 0o644)
	}
}

func TestRedlinePDFBench(t *testing.T) {
	a, b := testtool.BenchMOU()
	rl := redline.Compare(redline.Split(a), redline.Split(b), redline.Options{})
	res, err := RedlinePDF(rl, Options{Title: "Redline"})
	if err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, writePDF(t, res.PDF))
	if res.Pages < 30 {
		t.Errorf("bench redline has %d pages", res.Pages)
	}
}
