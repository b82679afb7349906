package render

import (
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
)

// TestRedlineReportPrefacePages checks that each preface part gets its own
// page, the redline follows on the next, and the whole is one valid PDF.
func TestRedlineReportPrefacePages(t *testing.T) {
	oldMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall keep the peace.\n"
	newMD := "# MOU\n\n## 1. Purpose\n\nThe SRO shall protect students.\n"
	rl := redline.Compare(redline.Split(oldMD), redline.Split(newMD), redline.Options{})
	opt := sampleOptions()
	opt.Signatures = nil
	preface := [][]byte{[]byte("# Cover page\n\nPacket for the board.\n"), []byte("# Summary of changes\n\n- §1 Purpose, pg. 1\n")}
	res, err := RedlineReport(preface, rl, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages != 3 {
		t.Fatalf("pages = %d, want cover, summary and redline on 3", res.Pages)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	for page, want := range map[int]string{1: "Cover page", 2: "Summary of changes", 3: "protect students"} {
		if got := strings.Join(strings.Fields(pdfText(t, path, page, page)), " "); !strings.Contains(got, want) {
			t.Errorf("page %d lacks %q:\n%s", page, want, got)
		}
	}
	if _, err := RedlineReport(nil, nil, opt); err == nil {
		t.Error("nil redline accepted")
	}
}
