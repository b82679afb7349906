package render

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
)

// contentStreams returns every Flate stream of a PDF inflated and joined.
func contentStreams(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var all []byte
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("/FlateDecode /Length "))
		if i < 0 {
			return all
		}
		rest = rest[i:]
		s := bytes.Index(rest, []byte("stream\n"))
		zr, err := zlib.NewReader(bytes.NewReader(rest[s+len("stream\n"):]))
		if err == nil {
			data, _ := io.ReadAll(zr)
			all = append(all, data...)
		}
		rest = rest[s:]
	}
}

const unicodeSample = "# Acuerdo — “Escuela” § 5\n\n" +
	"Signed by José Peña and Zoë Ångström-Øre for the City’s schools – “quoted” ‘single’ … " +
	"see 20 U.S.C.\u00a0§\u00a01232g; naïve café façade, Ærø, ŁÓDŹ, Ελλάδα, Москва.\n\n" +
	"| Name | Rôle |\n|---|---|\n| José Peña | Jefe de Policía |\n| Zoë | Superintendent — acting |\n\n" +
	"- Dušan “Dule” Šimić\n- François d’Aubigné\n"

func TestPDFUnicodeRoundTrip(t *testing.T) {
	res, err := PDF([]byte(unicodeSample), Options{Title: "Acuerdo — José Peña", DocumentID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", res.Warnings)
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := pdfText(t, path, 0, 0)
	for _, want := range []string{"José Peña", "Zoë Ångström-Øre", "City’s schools – “quoted” ‘single’ …", "U.S.C. § 1232g", "Ελλάδα", "Москва", "Dušan “Dule” Šimić", "François d’Aubigné", "Acuerdo — “Escuela” § 5"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// poppler prints U+00A0 as a plain space, so look for it in the page
	// content itself, where text is drawn as UTF-16BE.
	if !bytes.Contains(contentStreams(t, res.PDF), []byte("\x00.\x00\xa0\x00\xa7\x00\xa0\x001")) {
		t.Error("no-break spaces around § were not drawn as U+00A0")
	}
	assertWordsInOrder(t, words(listMarker.ReplaceAllString(unicodeSample, "")), words(pdfText(t, path, 0, 0, "-layout")))
}

func TestPDFMissingGlyphsAreVisibleAndWarned(t *testing.T) {
	md := "Emoji 😀 here, CJK 漢字 there, and a control \x01 char.\n\n`code 😀`\n"
	res, err := PDF([]byte(md), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var joined = strings.Join(res.Warnings, "\n")
	for _, want := range []string{"U+1F600", "U+6F22", "U+5B57"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %s: %v", want, res.Warnings)
		}
	}
	path := writePDF(t, res.PDF)
	qpdfCheck(t, path)
	text := pdfText(t, path, 0, 0)
	if !strings.Contains(text, "Emoji ? here") || !strings.Contains(text, "CJK ?? there") {
		t.Errorf("replacement characters missing from text:\n%s", text)
	}
}

func TestPDFDeterministic(t *testing.T) {
	md := []byte(unicodeSample)
	opt := sampleOptions()
	a, err := PDF(md, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PDF(md, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.PDF, b.PDF) {
		t.Fatal("two renders of the same input differ")
	}
	opt.DocumentID = "another"
	c, err := PDF(md, opt)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.PDF, c.PDF) {
		t.Fatal("a different DocumentID did not change the trailer /ID")
	}
	qpdfCheck(t, writePDF(t, c.PDF))
}
