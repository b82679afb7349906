package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/testtool"
)

// pdfEnv is the real router on a real SQLite file with the shipped library
// and templates, two parties and a drafter's token.
type pdfEnv struct {
	t     testing.TB
	db    *sqlite.DB
	url   string
	token string
}

func newPDFEnv(t testing.TB) *pdfEnv {
	t.Helper()
	db, url, token := startTestServer(t,
		desk.Party{Slug: "springfield", Name: "City of Springfield", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "susd", Name: "Springfield Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	return &pdfEnv{t: t, db: db, url: url, token: token("pdf@city.gov", "springfield", auth.RoleDrafter)}
}

type pdfResp struct {
	status int
	header http.Header
	body   []byte
}

func (e *pdfEnv) get(path string, header ...string) pdfResp {
	e.t.Helper()
	return e.send("GET", path, nil, header...)
}

func (e *pdfEnv) send(method, path string, body any, header ...string) pdfResp {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, out := testtool.Do(e.t, http.DefaultClient, req)
	return pdfResp{res.StatusCode, res.Header, out}
}

const pdfTitle = "Springfield School Resource Officer MOU"

// createMOU makes an SRO MOU through the API and a second revision that
// edits the student-records section, and returns the MOU id.
func (e *pdfEnv) createMOU() int64 {
	e.t.Helper()
	r := e.send("POST", "/api/v1/mous", map[string]any{
		"title": pdfTitle, "template": "sro-mou",
		"parties":   map[string]string{"city": "springfield", "district": "susd"},
		"variables": shipped.Variables(e.t),
	})
	if r.status != http.StatusCreated {
		e.t.Fatalf("create MOU: %d %s", r.status, r.body)
	}
	var created struct {
		MOU desk.MOU `json:"mou"`
	}
	if err := json.Unmarshal(r.body, &created); err != nil {
		e.t.Fatal(err)
	}
	rev, err := e.db.Revision(context.Background(), created.MOU.ID, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	var body string
	for _, s := range rev.Sections {
		if s.Key == "student-records" {
			body = s.Body
		}
	}
	body += "\n\nThe SRO shall not photograph or copy any student record under any circumstances.\n"
	r = e.send("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", created.MOU.ID), map[string]any{
		"base": 1, "message": "Forbid copying student records",
		"edits": []map[string]any{{"op": "update", "key": "student-records", "body": body}},
	})
	if r.status != http.StatusCreated {
		e.t.Fatalf("save revision: %d %s", r.status, r.body)
	}
	return created.MOU.ID
}

func pdfFile(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pdfQPDFCheck(t *testing.T, path string) {
	t.Helper()
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	out, err := exec.Command(qpdf, "--check", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Fatalf("qpdf --check failed: %v\n%s", err, out)
	}
}

// pdfPlainText runs pdftotext on pages first..last (0 = all) and folds
// whitespace, so phrases wrapped across lines still match.
func pdfPlainText(t *testing.T, path string, first, last int) string {
	t.Helper()
	bin := testtool.Need(t, "pdftotext", "poppler-utils")
	args := []string{"-enc", "UTF-8"}
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	out, err := exec.Command(bin, append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestRevisionPDF(t *testing.T) {
	e := newPDFEnv(t)
	id := e.createMOU()
	url := fmt.Sprintf("/api/v1/mous/%d/revisions/2/pdf", id)
	r := e.get(url)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s = %d %s %.200s", url, r.status, r.header.Get("Content-Type"), r.body)
	}
	path := pdfFile(t, r.body)
	pdfQPDFCheck(t, path)
	text := pdfPlainText(t, path, 0, 0)
	for _, want := range []string{pdfTitle, "Access to Student Records", "photograph or copy any student record", "Revision 2 ·", "School District"} {
		if !strings.Contains(text, want) {
			t.Errorf("revision PDF text lacks %q", want)
		}
	}

	t.Run("Deterministic", func(t *testing.T) {
		again := e.get(url)
		if !bytes.Equal(again.body, r.body) {
			t.Fatal("two fetches of one revision differ")
		}
		etag := r.header.Get("ETag")
		if len(etag) != 66 || again.header.Get("ETag") != etag {
			t.Fatalf("ETag %q then %q", etag, again.header.Get("ETag"))
		}
		if nm := e.get(url, "If-None-Match", etag); nm.status != http.StatusNotModified || len(nm.body) != 0 {
			t.Fatalf("If-None-Match: %d with %d bytes", nm.status, len(nm.body))
		}
		if nm := e.get(url, "If-None-Match", `"other", W/`+etag); nm.status != http.StatusNotModified {
			t.Fatalf("weak If-None-Match in a list: %d", nm.status)
		}
		if nm := e.get(url, "If-None-Match", `"other"`); nm.status != http.StatusOK {
			t.Fatalf("stale If-None-Match: %d", nm.status)
		}
	})

	t.Run("NotBlank", func(t *testing.T) {
		bin := testtool.Need(t, "pdftoppm", "poppler-utils")
		prefix := filepath.Join(t.TempDir(), "page")
		if out, err := exec.Command(bin, "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		if n := pdfInkedPixels(t, prefix+".png"); n < 500 {
			t.Fatalf("page 1 nearly blank: %d non-white pixels", n)
		}
	})

	t.Run("PageMapMatchesText", func(t *testing.T) {
		pm := e.get(fmt.Sprintf("/api/v1/mous/%d/revisions/2/pagemap", id))
		if pm.status != http.StatusOK {
			t.Fatalf("pagemap: %d %s", pm.status, pm.body)
		}
		var got struct {
			Pages    int                 `json:"pages"`
			ETag     string              `json:"pdf_etag"`
			PageMap  render.PageMap      `json:"page_map"`
			Sections []desk.SectionPages `json:"sections"`
		}
		if err := json.Unmarshal(pm.body, &got); err != nil {
			t.Fatal(err)
		}
		if got.ETag != r.header.Get("ETag") || got.Pages < 2 {
			t.Fatalf("page map of another rendering: etag %s, %d pages", got.ETag, got.Pages)
		}
		if len(got.Sections) != 32 || got.Sections[0].Key != mou.PreambleKey || got.Sections[7].Key != "student-records" {
			t.Fatalf("sections: %d, first %+v", len(got.Sections), got.Sections[0])
		}
		pages := map[int]string{}
		for _, s := range got.Sections {
			if s.Page < 1 || s.Page > got.Pages {
				t.Fatalf("section %s on page %d of %d", s.Key, s.Page, got.Pages)
			}
			if _, ok := pages[s.Page]; !ok {
				pages[s.Page] = pdfPlainText(t, path, s.Page, s.Page)
			}
			want := s.Heading
			if s.Number != "" {
				want = s.Number + ". " + s.Heading
			}
			if !strings.Contains(pages[s.Page], want) {
				t.Errorf("section %s: %q not on page %d", s.Key, want, s.Page)
			}
		}
	})

	t.Run("FormatQuery", func(t *testing.T) {
		q := e.get(fmt.Sprintf("/api/v1/mous/%d/revisions/2?format=pdf", id))
		if q.status != http.StatusOK || !bytes.Equal(q.body, r.body) || q.header.Get("ETag") != r.header.Get("ETag") {
			t.Fatalf("?format=pdf = %d, %d bytes, not the /pdf rendering", q.status, len(q.body))
		}
		pm := e.get(fmt.Sprintf("/api/v1/mous/%d/revisions/2?format=pagemap", id))
		if pm.status != http.StatusOK || !bytes.Contains(pm.body, []byte(`"key":"student-records"`)) {
			t.Fatalf("?format=pagemap = %d %.200s", pm.status, pm.body)
		}
		rl := e.get(fmt.Sprintf("/api/v1/mous/%d/redline?from=1&to=2&format=pdf", id))
		if rl.status != http.StatusOK || rl.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("redline ?format=pdf = %d %.200s", rl.status, rl.body)
		}
		direct := e.get(fmt.Sprintf("/api/v1/mous/%d/redline.pdf?from=1&to=2", id))
		if !bytes.Equal(rl.body, direct.body) {
			t.Fatal("redline ?format=pdf and redline.pdf differ")
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		for _, tc := range []struct {
			url  string
			want int
		}{
			{fmt.Sprintf("/api/v1/mous/%d/revisions/9/pdf", id), http.StatusNotFound},
			{"/api/v1/mous/999/revisions/1/pdf", http.StatusNotFound},
			{fmt.Sprintf("/api/v1/mous/%d/revisions/0/pdf", id), http.StatusBadRequest},
			{fmt.Sprintf("/api/v1/mous/%d/revisions/1/pdf?paper=legal", id), http.StatusBadRequest},
			{fmt.Sprintf("/api/v1/mous/%d/redline.pdf?from=1", id), http.StatusBadRequest},
			{fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=3", id), http.StatusNotFound},
			{fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=0", id), http.StatusBadRequest},
			{fmt.Sprintf("/api/v1/mous/%d/packet.pdf?meeting=1&from=1&to=2", id), http.StatusBadRequest},
		} {
			if got := e.get(tc.url); got.status != tc.want {
				t.Errorf("GET %s = %d, want %d: %s", tc.url, got.status, tc.want, got.body)
			}
		}
		req, _ := http.NewRequest("GET", e.url+fmt.Sprintf("/api/v1/mous/%d/revisions/1/pdf", id), nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous PDF download = %d, want 401", res.StatusCode)
		}
	})
}

func TestRedlinePDFAndPacket(t *testing.T) {
	e := newPDFEnv(t)
	id := e.createMOU()
	pm := e.get(fmt.Sprintf("/api/v1/mous/%d/revisions/2/pagemap", id))
	var got struct {
		Sections []desk.SectionPages `json:"sections"`
	}
	if err := json.Unmarshal(pm.body, &got); err != nil {
		t.Fatal(err)
	}
	var records desk.SectionPages
	for _, s := range got.Sections {
		if s.Key == "student-records" {
			records = s
		}
	}
	// The change is cited by the page its text lands on in revision 2's
	// own PDF, which may be past the heading's, and by the item it is in.
	rev2 := e.get(fmt.Sprintf("/api/v1/mous/%d/revisions/2/pdf", id))
	rev2Path := pdfFile(t, rev2.body)
	landed := 0
	for n := records.Page; n < records.Page+3 && landed == 0; n++ {
		if strings.Contains(pdfPlainText(t, rev2Path, n, n), "photograph or copy any student record") {
			landed = n
		}
	}
	cite := fmt.Sprintf("§%s %s, pg. %d, item #%s", records.Number, records.Heading, landed, records.Number)

	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		{"Redline", fmt.Sprintf("/api/v1/mous/%d/redline.pdf?from=1&to=2", id), []string{"Summary of changes", "revision 1", "revision 2"}},
		{"Packet", fmt.Sprintf("/api/v1/mous/%d/packet.pdf", id), []string{"Meeting packet", pdfTitle, "Revisions compared", "City of Springfield", "Summary of changes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.get(tc.url)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("GET %s = %d %.300s", tc.url, r.status, r.body)
			}
			path := pdfFile(t, r.body)
			pdfQPDFCheck(t, path)
			all := pdfPlainText(t, path, 0, 0)
			for _, want := range append(tc.want, cite, "photograph or copy any student record") {
				if !strings.Contains(all, want) {
					t.Errorf("%s lacks %q:\n%.1500s", tc.name, want, all)
				}
			}
			// The summary names only the changed section.
			if strings.Contains(all, "§1 Purpose and Guiding Principles, pg.") {
				t.Error("unchanged section cited in the summary")
			}
		})
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"x"`, true}, {`W/"x"`, true}, {`"y", "x"`, true}, {"*", true}, {"", false}, {`"y"`, false}, {`x`, false},
	} {
		if got := etagMatches(tc.header, `"x"`); got != tc.want {
			t.Errorf("etagMatches(%q) = %v", tc.header, got)
		}
	}
}

// pdfInkedPixels counts pixels of a PNG that are not near-white.
func pdfInkedPixels(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				n++
			}
		}
	}
	return n
}

// BenchmarkRevisionPDF measures revision 2 of the 31-section SRO MOU:
// "render" reads it from the real store and renders it through a fresh service
// (an empty cache, no signature block) each time; "cached" is a
// repeat download through the real router, which the LRU answers.
func BenchmarkRevisionPDF(b *testing.B) {
	e := newPDFEnv(b)
	id := e.createMOU()
	url := fmt.Sprintf("/api/v1/mous/%d/revisions/2/pdf", id)
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			svc, err := desk.New(desk.Config{Store: e.db, Workflows: shipped.Workflows(b)})
			if err != nil {
				b.Fatal(err)
			}
			m, err := svc.MOU(context.Background(), id)
			if err != nil {
				b.Fatal(err)
			}
			rev, err := svc.Revision(context.Background(), id, 2)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.RevisionPDF(m, rev, "letter"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		e.get(url)
		b.ReportAllocs()
		for b.Loop() {
			if r := e.get(url); r.status != http.StatusOK {
				b.Fatal(r.status)
			}
		}
	})
}
