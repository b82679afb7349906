package redline

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test -update if the change is intended.\ngot:\n%s", path, got)
	}
}

func smallResult(t *testing.T) *Result {
	t.Helper()
	return Compare(Split(readFile(t, "testdata/small.before.md")), Split(readFile(t, "testdata/small.after.md")), Options{})
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := smallResult(t).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "small.text.golden", b.Bytes())
}

func TestJSONGolden(t *testing.T) {
	b, err := json.MarshalIndent(smallResult(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "small.json.golden", append(b, '\n'))
}

func TestWriteTextNoChanges(t *testing.T) {
	doc := Split(readFile(t, "testdata/small.before.md"))
	var b strings.Builder
	if err := Compare(doc, doc, Options{}).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "Redline: no changes.\n" {
		t.Errorf("got %q", b.String())
	}
}
