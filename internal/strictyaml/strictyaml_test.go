package strictyaml

import (
	"errors"
	"strings"
	"testing"
)

type doc struct {
	Slug      string   `yaml:"slug"`
	Variables []string `yaml:"variables"`
}

func TestDecodeRefuses(t *testing.T) {
	cases := []struct{ name, in, want string }{
		// go-yaml v1.19.2 dereferences nil decoding a tag with no value into
		// a slice; found by FuzzParse in CI.
		{"TagOnlyValue", "variables:\n  !00000 \n", "tags are not allowed"},
		{"Tag", "slug: !!str x\n", "tags are not allowed"},
		{"Anchor", "slug: &a x\nvariables: [*a]\n", "anchors are not allowed"},
		{"Unknown", "slugg: x\n", "unknown field"},
		{"Duplicate", "slug: a\nslug: b\n", "already defined"},
		{"TwoDocs", "slug: a\n---\nslug: b\n", "exactly one YAML document"},
		{"Deep", "variables: " + strings.Repeat("[", 20) + "\n", "nests brackets"},
		{"Indent", "variables:\n" + strings.Repeat(" ", 70) + "- x\n", "indented more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			err := Decode([]byte(c.in), &d)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%q) = %v, want *strictyaml.Error", c.in, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Decode(%q) = %q, want it to mention %q", c.in, err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	var d doc
	if err := Decode([]byte("slug: a\nvariables: [x, y]\n"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Slug != "a" || len(d.Variables) != 2 {
		t.Fatalf("decoded %+v", d)
	}
}
