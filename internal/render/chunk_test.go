package render

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// chunkProbe holds the Markdown constructs next to headings that a wrong
// cut would change: lists (nested, loose, numbered on), a table, a quote
// with a lazy line, indented code, setext headings, lines that look like
// headings but are not, a heading with closing #s and an empty one.
const chunkProbe = `# Agreement
Intro paragraph with *emphasis that
spans lines* and a **bold** run.

1. First item
2. Second item
   - nested a
   - nested b

         indented code inside the item
## 2. After the list
3. numbered on after a heading
4. four

| Party | Role |
|-------|------|
| City  | lead |
### 3. After the table
> A quote
lazy continuation line
#### 4. After the quote ####
    indented code
    more code
##### 5. After code
Setext heading
==============
#hashtag is a paragraph
####### seven hashes is a paragraph
#
Closing paragraph.
`

// TestChunkedParseSameAsWhole renders documents parsed in small chunks and
// whole, and wants the same PDF, byte for byte, and the same page map.
func TestChunkedParseSameAsWhole(t *testing.T) {
	v1, v2 := testtool.BenchMOU()
	docs := map[string]string{
		"probe":   strings.Repeat(chunkProbe+"\n", 6),
		"bench":   v1 + "\n" + v2,
		"no-nl":   strings.TrimSuffix(chunkProbe, "\n"),
		"crowded": strings.Repeat("# H\n- a\n# H\npara\n", 50),
	}
	opt := sampleOptions()
	render := func(md []byte, size int) *Result {
		r, err := newRenderer(opt)
		if err != nil {
			t.Fatal(err)
		}
		r.markdownChunks(md, size)
		r.signatures(opt.Signatures)
		res, err := r.finish()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for name, md := range docs {
		src := []byte(md)
		const small = 40
		if n := len(chunkStarts(src, small)); n < 3 {
			t.Fatalf("%s: %d chunks of %d bytes, want several", name, n, small)
		}
		whole, chunked := render(src, len(src)+1), render(src, small)
		if !bytes.Equal(whole.PDF, chunked.PDF) {
			t.Errorf("%s: parsed in chunks, the PDF differs from parsing it whole (%d pages against %d)", name, chunked.Pages, whole.Pages)
		}
		if !reflect.DeepEqual(whole.PageMap, chunked.PageMap) {
			t.Errorf("%s: parsed in chunks, the page map differs", name)
		}
	}
}

// TestChunkStartsOnlyWhereSafe: a fence, an HTML tag or a reference
// definition anywhere keeps the document whole; cuts fall on ATX headings.
func TestChunkStartsOnlyWhereSafe(t *testing.T) {
	body := strings.Repeat("# Heading\n\nText of the section.\n\n", 20)
	for _, extra := range []string{"```\n# in a fence\n```\n", "~~~\ncode\n~~~\n", "<div>\n\n# x\n</div>\n", "[a]: https://example.org\n", "line\r\n"} {
		if n := len(chunkStarts([]byte(body+extra+body), 16)); n != 1 {
			t.Errorf("with %q: %d chunks, want the whole document", extra, n)
		}
	}
	src := []byte(body)
	starts := chunkStarts(src, 16)
	if len(starts) < 2 || starts[0] != 0 {
		t.Fatalf("chunk starts %v", starts)
	}
	for _, at := range starts[1:] {
		if !bytes.HasPrefix(src[at:], []byte("# Heading\n")) || src[at-1] != '\n' {
			t.Errorf("cut at %d is not at a heading line: %q", at, src[at:min(at+12, len(src))])
		}
	}
}
