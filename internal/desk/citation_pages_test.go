package desk_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/testtool"
)

// TestCitationsLandOnCitedPages replays Pleasanton's student-records and
// de-escalation answers, plus edits at the far end of long sections (where
// the text runs onto a later page than the heading), renders the new
// revision, and checks with pdftotext that each cited page holds the text
// the change landed in, and that the cited item's heading is on or before
// it.
func TestCitationsLandOnCitedPages(t *testing.T) {
	pdftotext := testtool.Need(t, "pdftotext", "poppler-utils")
	e := newEnv(t)
	m := e.createMOU()
	rev1, err := e.svc.Revision(e.ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"student-records": "The SRO sees student records only as FERPA permits, on request to the principal.",
		"de-escalation":   "The SRO uses de-escalation first and force only when it fails.",
	}
	// The last line of every third section gains a word at its end.
	for i, s := range rev1.Sections {
		if _, done := bodies[s.Key]; done || i%3 != 1 {
			continue
		}
		body := strings.TrimRight(s.Body, "\n")
		cut := strings.LastIndexByte(body, '.')
		if cut < 0 {
			continue
		}
		bodies[s.Key] = body[:cut] + ", as amended" + body[cut:] + "\n"
	}
	var edits []mou.Edit
	for _, s := range rev1.Sections {
		if b, ok := bodies[s.Key]; ok {
			edits = append(edits, mou.Edit{Op: "update", Key: s.Key, Body: &b})
		}
	}
	if _, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), m.ID, desk.RevisionRequest{Base: 1, Message: "answers", Edits: edits}); err != nil {
		t.Fatal(err)
	}
	for _, paper := range []string{"letter", "a4"} {
		cites, pdf, err := e.svc.CitationsForTest(e.ctx, m.ID, 1, 2, paper)
		if err != nil {
			t.Fatal(err)
		}
		if len(cites) != len(bodies) {
			t.Fatalf("%s: %d citations for %d changed sections", paper, len(cites), len(bodies))
		}
		path := filepath.Join(t.TempDir(), "rev.pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		page := func(n int) string {
			out, err := exec.Command(pdftotext, "-enc", "UTF-8", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext page %d: %v", n, err)
			}
			return strings.Join(strings.Fields(string(out)), " ")
		}
		form := regexp.MustCompile(`^§(\d+) .+, pg\. (\d+), item #(\d+)(\.\d+)?$`)
		later, sub := 0, 0
		for _, c := range cites {
			t.Logf("%s: %s", paper, c.Text)
		}
		for _, c := range cites {
			m := form.FindStringSubmatch(c.Text)
			if m == nil || m[2] != fmt.Sprint(c.Page) || m[1] != strings.SplitN(c.Item, ".", 2)[0] {
				t.Errorf("%s: citation %q is not in the form “§7 Heading, pg. 5, item #7”", paper, c.Text)
				continue
			}
			if m[4] != "" {
				sub++
			}
			words := strings.Fields(plainLine(c.Line))
			want := strings.Join(words[:min(6, len(words))], " ")
			if got := page(c.Page); !strings.Contains(got, want) {
				t.Errorf("%s: %q: page %d lacks the changed text %q:\n%s", paper, c.Text, c.Page, want, got)
			}
			heading := m[1] + ". " + strings.TrimPrefix(c.Label, "§"+m[1]+" ")
			first := 0
			for n := c.Page; n >= 1 && first == 0; n-- {
				if strings.Contains(page(n), heading) {
					first = n
				}
			}
			if first == 0 {
				t.Errorf("%s: %q: heading %q is on no page up to %d", paper, c.Text, heading, c.Page)
			} else if first < c.Page {
				later++
			}
		}
		// The edits at the ends of long sections must include some that
		// land past their heading's page, or the test proves little.
		if later == 0 || sub == 0 {
			t.Errorf("%s: %d citations land past their heading's page and %d cite a list item; want some of each", paper, later, sub)
		}
	}
}

// plainLine is a Markdown line as the PDF prints it: list marker and
// emphasis marks dropped.
func plainLine(line string) string {
	line = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+`).ReplaceAllString(line, "")
	return strings.NewReplacer("**", "", "__", "", "`", "").Replace(line)
}

// TestCitationsNameMovedParagraphs moves an item of the student-records
// section into the information-sharing section: both sections' citations
// say where the paragraph went and came from, by item number.
func TestCitationsNameMovedParagraphs(t *testing.T) {
	e := newEnv(t)
	m := e.createMOU()
	rev1, err := e.svc.Revision(e.ctx, m.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, s := range rev1.Sections {
		bodies[s.Key] = s.Body
	}
	records, sharing := bodies["student-records"], bodies["information-sharing"]
	start := strings.Index(records, "\n\n6. ")
	if start < 0 {
		t.Fatalf("student-records has no item 6:\n%s", records)
	}
	item := strings.TrimSpace(records[start:])
	records = records[:start] + "\n"
	sharing = strings.TrimRight(sharing, "\n") + "\n\n" + item + "\n"
	edits := []mou.Edit{{Op: "update", Key: "student-records", Body: &records}, {Op: "update", Key: "information-sharing", Body: &sharing}}
	if _, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), m.ID, desk.RevisionRequest{Base: 1, Message: "move", Edits: edits}); err != nil {
		t.Fatal(err)
	}
	cites, _, err := e.svc.CitationsForTest(e.ctx, m.ID, 1, 2, "letter")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cites {
		got = append(got, c.Label+": "+strings.Join(c.Moves, ", "))
	}
	n := strings.Count(sharing, "\n\n") + 1 // the moved item's number in its new list
	want := []string{"§7 Access to Student Records: paragraph moved to §8." + fmt.Sprint(n),
		"§8 Information Sharing and Communication: paragraph moved from §7.6"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("citations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
