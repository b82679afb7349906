package docx

import (
	"bytes"
	"testing"
)

// FuzzImport feeds Import arbitrary files, seeded with real documents:
// whatever the bytes, it returns sections or an error, never panics, and
// what it returns exports again.
func FuzzImport(f *testing.F) {
	f.Add(handDOCX(f))
	f.Add(exportBytes(f, documentOf(f, shapesOld)))
	var rl bytes.Buffer
	if err := WriteRedline(&rl, &Redline{Old: documentOf(f, shapesOld), New: documentOf(f, shapesNew)}); err != nil {
		f.Fatal(err)
	}
	f.Add(rl.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	// The main part alone, so the fuzzer mutates XML rather than deflate
	// streams.
	f.Add(zipOf(f, map[string]string{"word/document.xml": handDocument}))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := Import(data)
		if err != nil {
			return
		}
		d := &Document{Title: im.Title, Preamble: im.Preamble, Sections: im.Sections}
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatalf("imported document does not export: %v", err)
		}
	})
}

// FuzzMarkdown exports arbitrary Markdown and reads it back: never a
// panic, and the document always opens again.
func FuzzMarkdown(f *testing.F) {
	f.Add(shapesOld)
	f.Add("# T\n\n## A\n\n- a\n  1. b\n     > c\n\n```\nx\n```\n\n| a |\n|---|\n| `b|` |\n")
	f.Add("# T\n\n## A\n\n*  *  \n\\\n&amp; <b>x</b> [a](<b c>)\n")
	f.Fuzz(func(t *testing.T, md string) {
		d := FromMarkdown(md)
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			return
		}
		if _, err := Import(buf.Bytes()); err != nil {
			var de *Error
			if e, ok := err.(*Error); ok {
				de = e
			}
			if de == nil || de.Code != CodeNoText {
				t.Fatalf("export of %q does not import: %v", md, err)
			}
		}
	})
}
