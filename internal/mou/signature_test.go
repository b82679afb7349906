package mou

import (
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
)

// TestBlockInCanonicalForm: a revision without a block hashes exactly as
// before blocks existed, so stored hashes keep verifying; one with a block
// hashes its text followed by the block, and a changed title changes it.
func TestBlockInCanonicalForm(t *testing.T) {
	c := Content{Title: "MOU", Preamble: "Between us.", Sections: []Section{{Key: "term", Heading: "Term", Body: "Three years."}}}
	if got, want := ContentHash(&c), Hash(Canonical(c.Title, c.Preamble, c.Sections)); got != want {
		t.Fatalf("hash without a block %s, want the text's %s", got, want)
	}
	if n := len(c.Document().Sections); n != 2 {
		t.Fatalf("redline parts without a block: %d", n)
	}
	c.Signatures = []SignatureLine{
		{Kind: KindSignatory, Party: "city", Name: "Emily Larson", Title: "Mayor", Order: 1},
		{Kind: KindAttest, Party: "city", Title: "City Clerk", Order: 2},
	}
	want := "## Signatures\n\n" +
		"1. Signatory for city, order 1\n   Name: Emily Larson\n   Title: Mayor\n" +
		"2. Attest for city, order 2\n   Title: City Clerk\n\n"
	if got := c.Markdown(); !strings.HasSuffix(got, "\n\n"+want) || c.TextMarkdown()+want != got {
		t.Fatalf("canonical form:\n%s", got)
	}
	before := ContentHash(&c)
	c.Signatures[0].Title = "City Manager"
	if ContentHash(&c) == before {
		t.Fatal("a new title kept the hash")
	}
	parts := c.Document().Sections
	if last := parts[len(parts)-1]; last.Key != SignaturesKey || last.Heading != "Signatures" {
		t.Fatalf("last redline part: %+v", last)
	}
}

func TestCheckBlock(t *testing.T) {
	roles := []string{"city", "district", "police_service"}
	ok := []SignatureLine{
		{Party: "city", Name: " Emily Larson ", Title: "Mayor", Order: 1},
		{Party: "district", Title: "Superintendent", Order: 1},
		{Party: "police_service", Title: "Chief", Order: 1},
		{Kind: KindApprovedAsToForm, Party: "city", Title: "City Attorney", Order: 2},
	}
	if err := CheckBlock(ok, roles); err != nil {
		t.Fatal(err)
	}
	if ok[0].Kind != KindSignatory || ok[0].Name != "Emily Larson" {
		t.Fatalf("not canonical: %+v", ok[0])
	}
	for _, tc := range []struct {
		name, field string
		edit        func(b []SignatureLine) []SignatureLine
	}{
		{"DuplicateLine", "signature_block[1]", func(b []SignatureLine) []SignatureLine { return []SignatureLine{b[0], b[0], b[1], b[2]} }},
		{"TooLong", "signature_block[0].title", func(b []SignatureLine) []SignatureLine {
			b[0].Title = strings.Repeat("x", MaxSignatureText+1)
			return b
		}},
		{"AttestOnly", "signature_block", func(b []SignatureLine) []SignatureLine { b[2].Kind = KindAttest; return b }},
	} {
		b := append([]SignatureLine(nil), ok...)
		err := CheckBlock(tc.edit(b), roles)
		if e, isErr := moudesk.AsError(err); !isErr || e.Field != tc.field || e.Kind != moudesk.KindUnprocessable {
			t.Errorf("%s: %v, want 422 on %s", tc.name, err, tc.field)
		}
	}
}
