package web

import (
	"fmt"
	"testing"

	"github.com/moudesk/moudesk/internal/mou"
)

// A revision number that does not exist, wherever a request names one,
// gets the docs/design.md error shape with the right status and writes nothing;
// so does one that is not a number at all.
func TestMissingRevisionNumbers(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	mouPath := fmt.Sprintf("/api/v1/mous/%d", id)
	tests := []struct {
		name, method, path string
		body               any
		wantStatus         int
		wantCode           string
	}{
		{"RevisionJSON", "GET", mouPath + "/revisions/2", nil, 404, "not_found"},
		{"RevisionMarkdown", "GET", mouPath + "/revisions/99?format=md", nil, 404, "not_found"},
		{"RevisionHTML", "GET", mouPath + "/revisions/99?format=html", nil, 404, "not_found"},
		{"RevisionPDF", "GET", mouPath + "/revisions/99/pdf", nil, 404, "not_found"},
		{"RevisionPageMap", "GET", mouPath + "/revisions/99/pagemap", nil, 404, "not_found"},
		{"RedlineTo", "GET", mouPath + "/redline?from=1&to=99", nil, 404, "not_found"},
		{"RedlineFrom", "GET", mouPath + "/redline?from=99&to=1", nil, 404, "not_found"},
		{"RedlinePDF", "GET", mouPath + "/redline.pdf?from=1&to=99", nil, 404, "not_found"},
		{"Deviations", "GET", mouPath + "/deviations?revision=99", nil, 404, "not_found"},
		{"UnknownMOU", "GET", "/api/v1/mous/999/revisions/1", nil, 404, "not_found"},
		{"BaseInFuture", "POST", mouPath + "/revisions", map[string]any{"base": 99, "edits": []mou.Edit{{Op: "remove", Key: "term"}}}, 409, "stale_revision"},
		{"RevisionNotANumber", "GET", mouPath + "/revisions/two", nil, 400, "invalid_n"},
		{"RevisionZero", "GET", mouPath + "/revisions/0", nil, 400, "invalid_n"},
		{"RedlineNotANumber", "GET", mouPath + "/redline?from=one&to=1", nil, 400, "invalid_from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			status, body := e.do(tc.method, tc.path, tc.body)
			if status != tc.wantStatus || errorCode(t, body) != tc.wantCode {
				t.Fatalf("got %d %.300s; want %d %s", status, body, tc.wantStatus, tc.wantCode)
			}
			if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
}
