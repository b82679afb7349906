package clause

import (
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary documents through Parse, Validate and Fill; none
// may panic, and anything that parses must keep its body canonical.
func FuzzParse(f *testing.F) {
	f.Add(goodClause)
	f.Add("---\nslug: a\n---\n")
	f.Add("---\nvariables: [{name: a, type: date, default: 2025-02-30}]\n---\n{{a}}")
	f.Add("---\r\nslug: x\r\n---\r\n# h\r\n{{")
	f.Add("---\na: &a [x]\nb: *a\n---\n")
	f.Add("---\n---\n")
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := Parse([]byte(doc))
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T is not *clause.Error: %v", err, err)
			}
			return
		}
		if c.Body != CanonicalBody(c.Body) {
			t.Fatalf("body %q is not canonical", c.Body)
		}
		if c.Validate() == nil {
			_, _ = Fill(c.Body, c.Variables, nil)
		}
	})
}

// FuzzNormalize checks every type against arbitrary values: no panic, valid
// UTF-8 out, and normalising a normalised value changes nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"2025-08-20", "$125,000.00", "12.5%", "-7", "City of Calgary", "\x00", "1,2,3", "100.0000"} {
		f.Add(s)
	}
	types := []VarType{TypeText, TypeDate, TypeInteger, TypePercent, TypeMoney, TypeParty}
	f.Fuzz(func(t *testing.T, value string) {
		for _, typ := range types {
			v := Variable{Name: "v", Type: typ, Label: "V"}
			out, err := v.Normalize(value)
			if err != nil {
				continue
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%s: Normalize(%q) = invalid UTF-8 %q", typ, value, out)
			}
			again, err := v.Normalize(out)
			if err != nil || again != out {
				t.Fatalf("%s: not idempotent: %q → %q → %q (%v)", typ, value, out, again, err)
			}
			if _, err := Fill("{{v}}", []Variable{v}, map[string]string{"v": value}); err != nil {
				t.Fatalf("%s: Fill rejects a value Normalize accepts (%q): %v", typ, value, err)
			}
		}
	})
}
