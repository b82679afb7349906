package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
)

// TestRevisionJSONCache reads revisions through the cache: a repeat read
// answers the same bytes, and saving a new revision changes no earlier
// revision's answer.
func TestRevisionJSONCache(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	get := func(n int) []byte {
		t.Helper()
		status, body := e.do("GET", fmt.Sprintf("/api/v1/mous/%d/revisions/%d", id, n), nil)
		if status != http.StatusOK {
			t.Fatalf("GET revision %d = %d: %s", n, status, body)
		}
		return body
	}
	first := get(1)
	if again := get(1); !bytes.Equal(first, again) {
		t.Fatalf("cached revision 1 differs from the first answer:\n%s\n%s", first, again)
	}
	rev1 := e.revision(id, 1)
	key := rev1.Sections[0].Key
	status, body := e.do("POST", fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": 1, "message": "edit", "edits": []map[string]any{{"op": "update", "key": key, "body": "Changed by the cache test.\n"}}})
	if status != http.StatusCreated {
		t.Fatalf("save = %d: %s", status, body)
	}
	if after := get(1); !bytes.Equal(first, after) {
		t.Fatal("revision 1 changed after revision 2 was saved")
	}
	rev2 := e.revision(id, 2)
	if rev2.Sections[0].Body != "Changed by the cache test.\n" || !rev2.Sections[0].Deviation {
		t.Fatalf("revision 2's first section = %q deviation %v", rev2.Sections[0].Body, rev2.Sections[0].Deviation)
	}
	if rev1.Sections[0].Deviation {
		t.Fatal("revision 1's untouched library section marked as a deviation")
	}
}

// TestRawDetailsMatchEncoder checks that an error whose details are
// written in pieces as they are reads byte for byte as encoding/json
// writes it, with a Content-Length that matches.
func TestRawDetailsMatchEncoder(t *testing.T) {
	raw := rawJSON{[]byte(`{"base":1,"latest_revision":3,"redline":`),
		[]byte(`{"ops":[{"op":"insert","text":"\u003cb\u003e \u0026 “quoted”"}]}`), []byte(`}`)}
	for _, e := range []*moudesk.Error{
		{Kind: moudesk.KindConflict, Code: "stale_revision", Message: "MOU 1 is at revision 3, not 1 <merge> & save"},
		{Kind: moudesk.KindConflict, Code: "stale_revision", Message: "m", Field: "base"},
	} {
		body := gin.H{"code": e.Code, "message": e.Message, "details": json.RawMessage(bytes.Join(raw, nil))}
		if e.Field != "" {
			body["field"] = e.Field
		}
		want, err := json.Marshal(gin.H{"error": body})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		writeRawDetails(c, http.StatusConflict, e, raw)
		if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("written error:\n%s\nencoding/json:\n%s", got, want)
		}
		if rec.Code != http.StatusConflict || rec.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("status %d, Content-Length %s for %d bytes", rec.Code, rec.Header().Get("Content-Length"), len(want))
		}
	}
}
