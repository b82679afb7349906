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

func TestWriteHTMLGolden(t *testing.T) {
	for name, view := range map[string]View{"inline": Inline, "side-by-side": SideBySide} {
		var b bytes.Buffer
		if err := smallResult(t).WriteHTML(&b, view); err != nil {
			t.Fatal(err)
		}
		golden(t, "small."+name+".html.golden", b.Bytes())
	}
}

func TestJSONGolden(t *testing.T) {
	b, err := json.MarshalIndent(smallResult(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "small.json.golden", append(b, '\n'))
}

func TestWriteHTMLEscapes(t *testing.T) {
	old := Split("## Notes <b>\n\nSafe text.\n")
	new := Split("## Notes <b>\n\nSafe <script>alert('x')</script> text & \"more\".\n\n## <img src=x onerror=alert(1)>\n\nBody.\n")
	r := Compare(old, new, Options{})
	for _, view := range []View{Inline, SideBySide} {
		var b strings.Builder
		if err := r.WriteHTML(&b, view); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"<script", "<img", "<b>"} {
			if strings.Contains(out, bad) {
				t.Errorf("view %d: unescaped %q in output:\n%s", view, bad, out)
			}
		}
		for _, want := range []string{"&lt;script&gt;", "&amp;", "&lt;img", ">inserted: </span>"} {
			if !strings.Contains(out, want) {
				t.Errorf("view %d: output lacks %q", view, want)
			}
		}
	}
}

func TestWriteHTMLUnknownView(t *testing.T) {
	var b strings.Builder
	if err := smallResult(t).WriteHTML(&b, View(99)); err == nil {
		t.Fatal("want an error for an unknown view")
	}
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
