package render

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// TestSealedPagesReachGofpdf: pages are deflated as they are completed
// through gofpdf's page buffers (PageBuffers, 1-based).
func TestSealedPagesReachGofpdf(t *testing.T) {
	pdf := gofpdf.New("P", "pt", "Letter", "")
	pdf.AddPage()
	pdf.AddPage()
	if pages := pdf.PageBuffers(); len(pages) != 3 {
		t.Fatalf("gofpdf's page buffers: got %d, want 3 (page 0 unused, then 2 pages)", len(pages))
	}
}

var flateStream = regexp.MustCompile(`/Filter /FlateDecode /Length (\d+)>>\nstream\n`)

// TestSealedPagesDecode renders a document of several pages, each sealed
// when complete and given its header and footer afterwards, and inflates
// every stream of the output: zlib's reader checks each stream's Adler-32,
// so a sealed part and its tail that did not make one stream fail here.
func TestSealedPagesDecode(t *testing.T) {
	var md strings.Builder
	for i := 1; i <= 12; i++ {
		md.WriteString("## " + strconv.Itoa(i) + ". Section\n\n")
		md.WriteString(strings.Repeat("The Parties shall meet *each* quarter and **report** in writing. ", 40) + "\n\n")
	}
	opt := sampleOptions()
	r, err := newRenderer(opt)
	if err != nil {
		t.Fatal(err)
	}
	r.markdown([]byte(md.String()))
	r.signatures(opt.Signatures)
	res, err := r.finish()
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages < 3 {
		t.Fatalf("rendered %d pages, want several", res.Pages)
	}
	if len(r.sealed) != res.Pages+1 {
		t.Fatalf("%d pages sealed, want all %d", len(r.sealed)-1, res.Pages)
	}
	for p := 1; p <= res.Pages; p++ {
		if r.sealed[p].n == 0 {
			t.Errorf("page %d was not sealed", p)
		}
	}
	footers := 0
	for _, m := range flateStream.FindAllSubmatchIndex(res.PDF, -1) {
		n, _ := strconv.Atoi(string(res.PDF[m[2]:m[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(res.PDF[m[1] : m[1]+n]))
		if err != nil {
			t.Fatalf("stream at %d: %v", m[0], err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("stream at %d: %v", m[0], err)
		}
		if bytes.Contains(data, utf16be("Page ")) && bytes.Contains(data, utf16be(" of "+strconv.Itoa(res.Pages))) {
			footers++
		}
	}
	if footers != res.Pages {
		t.Errorf("%d page streams hold their footer, want %d", footers, res.Pages)
	}
	qpdfCheck(t, writePDF(t, res.PDF))
}

func utf16be(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}
