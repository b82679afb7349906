package clause

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// A clause file saved with CRLF line endings and decomposed accents parses
// to the same clause as its LF, NFC original: front matter and body.
func TestParseNormalisesText(t *testing.T) {
	src := strings.Replace(goodClause, "Who covers", "Qui s’en occupe, café", 1) + "\nJosé Peña signs.\n"
	want, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, copy := range []string{
		strings.ReplaceAll(src, "\n", "\r\n"),
		strings.ReplaceAll(src, "\n", "\r"),
		norm.NFD.String(strings.ReplaceAll(src, "\n", "\r\n")),
	} {
		got, err := Parse([]byte(copy))
		if err != nil {
			t.Fatalf("parse %q: %v", copy, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("parse of %q = %+v, want %+v", copy, got, want)
		}
	}
	edited := &Clause{Slug: want.Slug, Title: norm.NFD.String(want.Title), Category: want.Category,
		Summary: norm.NFD.String(want.Summary), Variables: want.Variables, Body: norm.NFD.String(strings.ReplaceAll(want.Body, "\n", "\r\n"))}
	edited.Normalize()
	if !reflect.DeepEqual(edited, want) {
		t.Errorf("Normalize of an NFD, CRLF edit = %+v, want %+v", edited, want)
	}
	if v, err := Resolve(Variable{Name: "who", Type: TypeText}, "Jose\u0301"); err != nil || v != "José" {
		t.Errorf("Resolve of an NFD value = %q, %v; want NFC", v, err)
	}
}
