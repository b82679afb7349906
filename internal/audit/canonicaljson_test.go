package audit

import (
	"encoding/json"
	"testing"
)

// FuzzCanonicalDetails checks that any input either fails cleanly or gives
// valid JSON that is its own canonical form.
func FuzzCanonicalDetails(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2,{"b":null}],"c":"\u00e9\n"}`, `{"a":1e400}`, `{"b":1,"a":2}`, `[`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := canonicalDetails(raw)
		if err != nil {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form %q of %q is not valid JSON", c, raw)
		}
		again, err := canonicalDetails(c)
		if err != nil || string(again) != string(c) {
			t.Fatalf("canonical form %q is not stable: %q, %v", c, again, err)
		}
	})
}
