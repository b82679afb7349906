package render

import (
	"encoding/json"
	"os"
	"testing"
)

// specExamples are the 652 examples of the CommonMark spec (0.31.2, as
// shipped in goldmark's tests; CC-BY-SA): every construct Markdown knows.
func specExamples(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile("testdata/commonmark-spec.json")
	if err != nil {
		tb.Fatal(err)
	}
	var examples []struct {
		Markdown string `json:"markdown"`
	}
	if err := json.Unmarshal(data, &examples); err != nil {
		tb.Fatal(err)
	}
	out := make([]string, len(examples))
	for i, e := range examples {
		out[i] = e.Markdown
	}
	return out
}

// TestCommonMarkSpecRenders renders every spec example to PDF and HTML:
// each must render (or fail with an error), never panic. All 652 take 45
// to 90 s under -race on two cores, so -short renders every fourth, which
// still reaches every part of the spec; CI runs the test in full.
func TestCommonMarkSpecRenders(t *testing.T) {
	step := 1
	if testing.Short() {
		step = 4
	}
	examples := specExamples(t)
	for i := 0; i < len(examples); i += step {
		md := examples[i]
		res, err := PDF([]byte(md), Options{Title: "Spec"})
		if err != nil {
			t.Errorf("example %d: %v\n%q", i+1, err, md)
			continue
		}
		if res.Pages < 1 {
			t.Errorf("example %d: no pages", i+1)
		}
		if _, err := HTML([]byte(md)); err != nil {
			t.Errorf("example %d html: %v", i+1, err)
		}
	}
}
