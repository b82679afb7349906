package render

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/moudesk/moudesk/internal/testtool"
)

func sampleOptions() Options {
	return Options{
		Title:      "Memorandum of Understanding — Riverton",
		HeaderNote: "Revision 3 · 1a2b3c4d",
		Subject:    "School Resource Officer MOU",
		Author:     "City of Riverton",
		Draft:      true,
		FooterNote: "moudesk · mou-7 rev 3 · 1a2b3c4d5e6f · verify at https://example.org/verify",
		DocumentID: "1a2b3c4d5e6f",
		Signatures: []SignatureBlock{
			{Party: "City of Riverton", Name: "José Peña", Title: "Chief of Police"},
			{Party: "Riverton Unified School District", Name: "Zoë Adams", Title: "Superintendent"},
		},
	}
}

// writePDF stores a rendered PDF in a temp dir for the outside tools.
func writePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func qpdfCheck(t *testing.T, path string) {
	t.Helper()
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	out, err := exec.Command(qpdf, "--check", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Fatalf("qpdf --check failed: %v\n%s", err, out)
	}
}

// pdfText runs pdftotext on pages first..last (0 = all).
func pdfText(t *testing.T, path string, first, last int, extra ...string) string {
	t.Helper()
	bin := testtool.Need(t, "pdftotext", "poppler-utils")
	args := append([]string{"-enc", "UTF-8"}, extra...)
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	args = append(args, path, "-")
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// words splits text into runs of letters and digits, so that Markdown
// syntax and punctuation drop out of the comparison.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// assertWordsInOrder checks every word of want appears in got, in order
// (got may hold more: headers, footers, markers, watermark).
func assertWordsInOrder(t *testing.T, want, got []string) {
	t.Helper()
	j := 0
	for i, w := range want {
		for j < len(got) && got[j] != w {
			j++
		}
		if j == len(got) {
			t.Fatalf("word %d %q (context %q) not found in order in the PDF text", i, w, want[max(0, i-5):min(len(want), i+5)])
		}
		j++
	}
}

// nonWhitePixels renders page of the PDF at 50 dpi and counts pixels that
// are not white.
func nonWhitePixels(t *testing.T, path string, page int) int {
	t.Helper()
	bin := testtool.Need(t, "pdftoppm", "poppler-utils")
	prefix := filepath.Join(t.TempDir(), "pg")
	p := strconv.Itoa(page)
	if out, err := exec.Command(bin, "-r", "50", "-png", "-f", p, "-l", p, "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return n
}
