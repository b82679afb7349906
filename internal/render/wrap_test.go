package render

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wrapSample has what the column cannot hold on one line: sub-items
// indented eight spaces (statutes pasted from the web; CommonMark makes
// them a code block), a code line with one long run and a paragraph with
// an unbreakable run wider than the page.
var wrapSample = `# Education Code

## Section 49076

(a) A school district shall not permit access to pupil records to a person without written parental consent, except:

        (1) School officials and employees of the school district, members of a school attendance review board appointed under Section 48321, and volunteers who have a legitimate educational interest in the pupil records.
        (2) Officials and employees of other public schools or school systems, including local, county, or state correctional facilities where educational programs leading to high school graduation are provided.

` + "```" + `
checksum sha256:` + strings.Repeat("0123456789abcdef", 12) + ` done
` + "```" + `

A run of ` + strings.Repeat("unbreakable", 30) + ` text, then more words after it to fill the line.
`

// TestWrapMarksEveryBreak renders long code lines and unbreakable runs and
// reads the PDF back: every word of the source comes out whole, or cut with
// the continuation mark at the cut (pdftotext), and no word's box passes
// the right margin (pdftotext -bbox).
func TestWrapMarksEveryBreak(t *testing.T) {
	res, err := PDF([]byte(wrapSample), Options{Title: "Wrap"})
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, res.PDF)
	source := map[string]bool{"Wrap": true, "Page": true, "of": true, "1": true}
	for _, w := range strings.Fields(wrapSample) {
		source[w] = true
	}
	var lines [][]string
	for _, l := range strings.Split(pdfText(t, path, 0, 0), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines = append(lines, f)
		}
	}
	marks, cut := 0, ""
	for _, l := range lines {
		for _, tok := range l {
			switch {
			case tok == contMark: // a line broken at a space
				marks++
			case strings.HasSuffix(tok, contMark): // a word cut; it goes on on the next line
				marks++
				cut += strings.TrimSuffix(tok, contMark)
			default:
				if w := cut + tok; !source[w] {
					t.Errorf("the PDF shows %q (from %q), which is no word of the source: a word was split without a mark", w, l)
				}
				cut = ""
			}
		}
	}
	if marks < 6 {
		t.Errorf("%d continuation marks; the sample needs at least six breaks", marks)
	}
	for _, w := range []string{"sch", "ool", "hool", "sc"} {
		if source[w] {
			t.Fatalf("sample holds %q", w)
		}
	}

	bbox := pdfText(t, path, 0, 0, "-bbox")
	page := regexp.MustCompile(`<page width="([\d.]+)"`).FindStringSubmatch(bbox)
	if page == nil {
		t.Fatalf("no page in pdftotext -bbox output:\n%.500s", bbox)
	}
	pageW, _ := strconv.ParseFloat(page[1], 64)
	limit := pageW - margin + 0.5
	n := 0
	for _, m := range regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`).FindAllStringSubmatch(bbox, -1) {
		n++
		if xMax, _ := strconv.ParseFloat(m[2], 64); xMax > limit {
			t.Errorf("%q ends at x=%.1f, past the right margin at %.1f", m[3], xMax, pageW-margin)
		}
	}
	if n < 50 {
		t.Fatalf("only %d words in pdftotext -bbox output", n)
	}
}

// The continuation mark is drawn with the face of the text it cuts, so
// every embedded face must have it.
func TestEveryFaceHasTheContinuationMark(t *testing.T) {
	faces, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	for id, f := range faces {
		if !f.has([]rune(contMark)[0]) {
			t.Errorf("face %d (%s) has no glyph for %q", id, f.file, contMark)
		}
	}
}

// wrapLiteral keeps words whole where a space fits, indents continuation
// lines like the source line, and never returns a line wider than asked.
func TestWrapLiteral(t *testing.T) {
	r, err := newRenderer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := "        (1) School officials and employees of the school district, members of a board."
	for _, width := range []float64{60, 120, 200, 300} {
		got := r.wrapLiteral(src, 10, width)
		var rebuilt []string
		for i, l := range got {
			if w := r.faces[faceMono].width(l) * 9 / 1000; w > width+1e-9 {
				t.Errorf("width %v: line %q is %.1f wide", width, l, w)
			}
			if i > 0 && !strings.HasPrefix(l, "    ") {
				t.Errorf("width %v: continuation %q lost the indent", width, l)
			}
			if i < len(got)-1 && !strings.HasSuffix(l, contMark) {
				t.Errorf("width %v: line %q continues without a mark", width, l)
			}
			rebuilt = append(rebuilt, strings.TrimSuffix(strings.TrimSuffix(l, contMark), " "))
		}
		if joined := strings.Join(strings.Fields(strings.Join(rebuilt, " ")), " "); joined != strings.Join(strings.Fields(src), " ") && width >= 120 {
			t.Errorf("width %v: wrapped lines read %q", width, joined)
		}
	}
}

// A code line of megabytes wraps in time proportional to its length: a
// run without spaces, a run of spaces, and words.
func TestWrapLiteralLongLines(t *testing.T) {
	r, err := newRenderer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{
		"Run":    strings.Repeat("0123456789abcdef", 1<<16),
		"Spaces": strings.Repeat(" ", 1<<20) + "y",
		"Words":  strings.Repeat("school district ", 1<<16),
	} {
		t.Run(name, func(t *testing.T) {
			lines := r.wrapLiteral(src, 10, 468)
			total := 0
			for _, l := range lines {
				total += len(l)
			}
			if len(lines) < 100 || total > 3*len(src) {
				t.Fatalf("%d lines, %d bytes, from %d bytes", len(lines), total, len(src))
			}
		})
	}
}
