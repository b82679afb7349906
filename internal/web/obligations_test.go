package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// multipartReport is a report form: the file and its text fields.
func multipartReport(t *testing.T, file string, fields map[string]string) rawBody {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "citations.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(file)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rawBody{w.FormDataContentType(), b.Bytes()}
}

// TestObligationRoutes submits the executed fixture's citation data over
// the API as a form and as a CSV body, is refused a bad file (422 naming
// row and column), a 20 MiB one (413), another content type (415) and a
// correction without a reason (409), each storing nothing, and reads the
// report back byte for byte and the whole series as one CSV.
func TestObligationRoutes(t *testing.T) {
	e := newPartyEnv(t)
	f := newPartyFixture(e)
	drafter := e.user(city, auth.RoleDrafter)
	base := fmt.Sprintf("/api/v1/mous/%d/obligations/%d", f.mou["executed"], f.oid)
	head := "school,month,student_group,citations,arrests\n"

	refused := func(name string, body any, query string, status int, code, inError string) {
		t.Helper()
		before := e.snapshot()
		a := e.do(drafter, "POST", base+"/reports"+query, body)
		if a.status != status || a.code != code || !strings.Contains(string(a.body), inError) {
			t.Errorf("%s: %d %s %s, want %d %s with %q", name, a.status, a.code, a.excerpt(), status, code, inError)
		}
		e.unchanged(name, before)
	}
	refused("a count that is not a number", multipartReport(t, head+"Hart Middle,2025-10,all,2,0\nHart Middle,2025-11,all,two,0\n", map[string]string{"due": "2"}),
		"", http.StatusUnprocessableEntity, "invalid_dataset", `"field":"file.row[3].citations"`)
	refused("a month outside the quarter", rawBody{"text/csv", []byte(head + "Hart Middle,2026-01,all,2,0\n")},
		"?due=2", http.StatusUnprocessableEntity, "invalid_dataset", "row 2, column month")
	refused("20 MiB", rawBody{"text/csv", bytes.Repeat([]byte("Hart Middle,2025-10,all,2,0\n"), 20<<20/28+1)},
		"?due=2", http.StatusRequestEntityTooLarge, "too_large", "")
	refused("20 MiB in a form", multipartReport(t, strings.Repeat("Hart Middle,2025-10,all,2,0\n", 20<<20/28+1), map[string]string{"due": "2"}),
		"", http.StatusRequestEntityTooLarge, "too_large", "")
	refused("a spreadsheet", rawBody{"application/vnd.ms-excel", []byte("PK")},
		"?due=2", http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	refused("a second report without a reason", rawBody{"text/csv", []byte(partyCSV("2025-08"))},
		"?due=1", http.StatusConflict, "report_exists", "needs a reason")

	var r desk.ReportInfo
	e.call(drafter, "POST", base+"/reports", multipartReport(t, head+"Hart Middle,2025-10,all,2,0\nFoothill High,2025-12,Black,3,1\n", map[string]string{"due": "2"}),
		http.StatusCreated, &r)
	if r.Version != 1 || r.Rows != 2 || r.Filename != "citations.csv" {
		t.Errorf("report %+v", r)
	}
	var fix desk.ReportInfo
	e.call(drafter, "POST", base+"/reports?due=2&reason="+strings.ReplaceAll("Foothill's December count was 4", " ", "+"),
		rawBody{"text/csv", []byte(head + "Hart Middle,2025-10,all,2,0\nFoothill High,2025-12,Black,4,1\n")}, http.StatusCreated, &fix)
	if fix.Version != 2 || fix.Reason != "Foothill's December count was 4" {
		t.Errorf("correction %+v", fix)
	}

	var ob desk.Obligation
	e.call(e.user(district, auth.RoleReviewer), "GET", base, nil, http.StatusOK, &ob)
	if len(ob.Dues) < 2 || len(ob.Dues[1].Reports) != 2 || ob.Dues[1].State != "met" {
		t.Fatalf("obligation as the district sees it: %+v", ob.Dues[:2])
	}
	a := e.do(e.user(district, auth.RoleReviewer), "GET", fmt.Sprintf("%s/reports/%d", base, r.ID), nil)
	sum := sha256.Sum256(a.body)
	if a.status != http.StatusOK || hex.EncodeToString(sum[:]) != ob.Dues[1].Reports[0].SHA256 {
		t.Errorf("download of version 1: %d, sha256 %x, recorded %s", a.status, sum, ob.Dues[1].Reports[0].SHA256)
	}
	a = e.do(drafter, "GET", base+"/dataset.csv", nil)
	want := "period,version,school,month,student_group,citations,arrests\n" +
		"2025-Q3,1,Hart Middle,2025-07,all,2,0\n" +
		"2025-Q4,2,Hart Middle,2025-10,all,2,0\n2025-Q4,2,Foothill High,2025-12,Black,4,1\n"
	if a.status != http.StatusOK || string(a.body) != want {
		t.Errorf("dataset.csv = %d\n%s\nwant\n%s", a.status, a.body, want)
	}
	var late struct {
		Obligations []desk.Obligation `json:"obligations"`
	}
	e.call(drafter, "GET", fmt.Sprintf("/api/v1/mous/%d/obligations?late=true", f.mou["executed"]), nil, http.StatusOK, &late)
	for _, o := range late.Obligations {
		if o.Late == 0 {
			t.Errorf("?late=true listed %s with no late period", o.Key)
		}
	}
	var schemas struct {
		Datasets []json.RawMessage `json:"datasets"`
	}
	e.call(drafter, "GET", "/api/v1/datasets", nil, http.StatusOK, &schemas)
	if len(schemas.Datasets) != 2 {
		t.Errorf("%d dataset schemas", len(schemas.Datasets))
	}
}
