package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// FuzzDecodeJSON feeds arbitrary bodies to the decoder every JSON route
// uses, into the request types of the routes that take the most text. It
// must never panic; a refusal is a client error (400, 413 or 415) with a
// code; an accepted body is valid UTF-8 JSON whose strings hold no NUL,
// and the decoded value survives encoding and decoding again unchanged.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"base":1,"message":"m","edits":[{"op":"update","key":"duties","body":"x"}]}`), "application/json")
	f.Add([]byte(`{"base":1,"sections":[{"key":"a","heading":"A","body":"\u00e9\\u0000"}]}`), "application/json; charset=utf-8")
	f.Add([]byte(`{"title":"T","template":"sro-mou","parties":{"city":"c"},"variables":{"a":"b"}}`), "application/json")
	f.Add([]byte(`{"outcome":"approve","votes":[{"member":"A","vote":"aye"}],"minutes":"\u0000"}`), "application/json")
	f.Add([]byte("{\"message\":\"\xff\"}"), "application/json")
	f.Add([]byte(`{"base":1} {"base":2}`), "application/json")
	f.Add([]byte(`{"unknown":1}`), "text/plain")
	f.Add([]byte(`{"base":1e400}`), "application/json")
	targets := []func() any{
		func() any { return &desk.RevisionRequest{} },
		func() any { return &desk.CreateMOURequest{} },
		func() any { return &outcomeRequest{} },
		func() any { return &meetingRequest{} },
		func() any { return &feedbackRequest{} },
	}
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		for _, target := range targets {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", ctype)
			v := target()
			err := decodeJSON(c, v)
			if err != nil {
				e, ok := moudesk.AsError(err)
				if !ok || e.Code == "" {
					t.Fatalf("%T: refusal %v is not a client error with a code", v, err)
				}
				switch e.Kind {
				case moudesk.KindInvalid, moudesk.KindTooLarge, moudesk.KindUnsupported:
				default:
					t.Fatalf("%T: refusal %q has kind %d", v, e.Code, e.Kind)
				}
				continue
			}
			if !utf8.Valid(body) || !json.Valid(bytes.TrimSpace(body)) {
				t.Fatalf("%T: accepted a body that is not valid UTF-8 JSON: %q", v, body)
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: re-encode: %v", v, err)
			}
			if hasNULEscape(again) { // json.Marshal writes a NUL as \u0000
				t.Fatalf("%T: accepted a NUL character: %s", v, again)
			}
			w := target()
			if err := json.Unmarshal(again, w); err != nil || !reflect.DeepEqual(v, w) {
				t.Fatalf("%T: does not survive a round trip (%v): %#v vs %#v", v, err, v, w)
			}
		}
	})
}
