package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// packetText downloads a meeting's packet, checks it with qpdf and returns
// its text with whitespace folded, so wrapped phrases still match.
func (e *wfEnv) packetText(id, meetingID int64) string {
	e.t.Helper()
	qpdf := testtool.Need(e.t, "qpdf", "qpdf")
	pdftotext := testtool.Need(e.t, "pdftotext", "poppler-utils")
	raw := e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=%d", id, meetingID), nil, http.StatusOK, nil)
	path := filepath.Join(e.t.TempDir(), fmt.Sprintf("packet-%d.pdf", meetingID))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		e.t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		e.t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		e.t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// section is where a section of revision n landed in its PDF.
func (e *wfEnv) section(id int64, n int, key string) (number, heading string, page int) {
	e.t.Helper()
	var pm struct {
		Sections []struct {
			Key, Number, Heading string
			Page                 int
		} `json:"sections"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d/pagemap", id, n), nil, http.StatusOK, &pm)
	for _, s := range pm.Sections {
		if s.Key == key {
			if s.Page < 1 {
				e.t.Fatalf("section %s of revision %d has no page", key, n)
			}
			return s.Number, s.Heading, s.Page
		}
	}
	e.t.Fatalf("revision %d has no section %s", n, key)
	return "", "", 0
}

// cite is how a packet's change summary cites a section of revision n:
// "§7 Access to Student Records, pg. 2".
func (e *wfEnv) cite(id int64, n int, key string) string {
	e.t.Helper()
	num, heading, page := e.section(id, n, key)
	return fmt.Sprintf("§%s %s, pg. %d", num, heading, page)
}

func wantText(t *testing.T, what, text string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%.2500s", what, w, text)
		}
	}
	for _, w := range not {
		if strings.Contains(text, w) {
			t.Errorf("%s has %q", what, w)
		}
	}
}

// The redline interleaves deleted and inserted words, so the checks look
// for the tail of a new sentence, which follows the last deleted word.

// TestMeetingPackets: each meeting's packet compares the revision the
// meeting reviews with the one the previous meeting reviewed; the first
// meeting compares with revision 1 and says so, and an amendment's first
// meeting compares with the executed text.
func TestMeetingPackets(t *testing.T) {
	e := newWFEnv(t)
	id := e.createMOU("")
	e.move(id, "liaison_review")
	m1 := e.meet(id, "liaison_committee", "2021-06-08")
	f := e.feedback(m1.ID, "student-records", "Say exactly which student records the SRO may see.")
	e.outcome(e.cityClerk, m1.ID, "revise", nil)
	const records = "The SRO may see directory information and attendance records only, on written request to the principal."
	r2 := e.revise(id, map[string]string{"student-records": records})
	e.resolve(f, r2)
	e.move(id, "liaison_review")
	m2 := e.meet(id, "liaison_committee", "2021-07-13")
	e.outcome(e.districtClerk, m2.ID, "forward", nil)
	m3 := e.meet(id, "joint_meeting", "2021-09-30")

	first := e.packetText(id, m1.ID)
	wantText(t, "first packet", first, []string{
		"Meeting packet", "City/School District Liaison Committee, 2021-06-08, Pleasanton Civic Center, agenda item 4.1",
		"Revision under review: revision 1", "the first draft; this is the first meeting on this MOU",
		"No changes", "revision 1 (" + m1.ContentHash[:8] + ") to revision 1", "The two revisions are the same.",
	}, []string{records[len(records)-62:]})

	second := e.packetText(id, m2.ID)
	wantText(t, "second packet", second, []string{
		"City/School District Liaison Committee, 2021-07-13", "Revision under review: revision 2",
		"Compared with: revision 1 (" + m1.ContentHash[:8] + "), which the previous meeting reviewed (City/School District Liaison Committee, 2021-06-08)",
		"Feedback from the previous meeting", "Say exactly which student records the SRO may see. — resolved by revision 2",
		"revision 1 (" + m1.ContentHash[:8] + ") to revision 2 (" + m2.ContentHash[:8] + ")",
		"1 sections changed", e.cite(id, r2, "student-records"), records[len(records)-62:],
	}, []string{"No changes", "first meeting"})

	third := e.packetText(id, m3.ID)
	wantText(t, "joint packet", third, []string{
		"Joint City Council / Board of Trustees Meeting, 2021-09-30", "Revision under review: revision 2",
		"Compared with: revision 2", "No changes", "The two revisions are the same.",
	}, nil)

	// A meeting of another MOU is not this MOU's.
	other := e.createMOU("")
	e.refused(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=%d", other, m1.ID), nil, 404, "not_found")

	// The amendment's first meeting compares with the executed text.
	e.outcome(e.cityClerk, m3.ID, "forward", nil)
	e.outcome(e.cityClerk, e.meet(id, "city_council", "2021-10-05").ID, "approve", rollCall(5, 5))
	e.outcome(e.districtClerk, e.meet(id, "school_board", "2021-10-12").ID, "approve", rollCall(5, 5))
	e.execute(id)
	var created struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
	}
	e.call(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/amendments", id), nil, http.StatusCreated, &created)
	a := created.MOU.ID
	const deesc = "De-escalation means using time, distance and calm talk before any force, and calling school counselors first."
	ar := e.revise(a, map[string]string{"de-escalation": deesc})
	e.move(a, "liaison_review")
	am := e.meet(a, "liaison_committee", "2022-03-08")
	amended := e.packetText(a, am.ID)
	wantText(t, "amendment packet", amended, []string{
		"Pleasanton SRO MOU — Amendment No. 1", "Revision under review: revision 2",
		"the executed text this amendment changes; this is the amendment's first meeting",
		e.cite(a, ar, "de-escalation"), deesc[len(deesc)-55:], "1 sections changed",
	}, []string{e.cite(a, ar, "student-records")})

	// Every page of the amendment's own PDF names it as the amendment.
	raw := e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d/pdf", a, ar), nil, http.StatusOK, nil)
	path := filepath.Join(t.TempDir(), "amendment.pdf")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testtool.Need(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f"), "\f")
	for i, pg := range pages {
		if !strings.Contains(strings.Join(strings.Fields(pg), " "), "Pleasanton SRO MOU — Amendment No. 1") {
			t.Errorf("page %d of %d of the amendment's PDF does not name the amendment", i+1, len(pages))
		}
	}
}
