package clause

import (
	"strings"
	"testing"
)

var fillVars = []Variable{
	{Name: "city_name", Type: TypeParty, Label: "City", Required: true},
	{Name: "start", Type: TypeDate, Label: "Start date", Required: true},
	{Name: "cost", Type: TypeMoney, Label: "Annual cost", Default: "100000", Required: true},
	{Name: "share", Type: TypePercent, Label: "District share", Required: true},
	{Name: "note", Type: TypeText, Label: "Note", Required: false},
}

const fillBody = "{{city_name}} starts {{start}}; cost {{cost}}, district pays {{share}}.{{note}} Again: {{ city_name }}.\n"

func TestFill(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := Fill(fillBody, fillVars, map[string]string{
			"city_name": "City of Duluth", "start": "2025-08-20", "share": "50",
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "City of Duluth starts August 20, 2025; cost $100,000.00, district pays 50%. Again: City of Duluth.\n"
		if got != want {
			t.Errorf("Fill =\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("ValueOverridesDefault", func(t *testing.T) {
		got, err := Fill("{{cost}}", fillVars, map[string]string{"cost": "$81,900"})
		if err != nil || got != "$81,900.00" {
			t.Errorf("Fill = %q, %v", got, err)
		}
	})
	t.Run("EscapesMarkup", func(t *testing.T) {
		got, err := Fill("{{city_name}}", fillVars, map[string]string{"city_name": "[x](javascript:alert(1)) <b>*{{start}}*</b>"})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<b>", "[x]", "{{"} {
			if strings.Contains(got, bad) {
				t.Errorf("Fill output %q still contains %q", got, bad)
			}
		}
	})
	cases := []struct {
		name   string
		body   string
		values map[string]string
		code   string
		names  []string
	}{
		{"ErrMissing", fillBody, map[string]string{"city_name": "X", "share": "5"}, CodeMissingVariable, []string{"start"}},
		{"ErrBlankIsMissing", "{{start}}", map[string]string{"start": "  "}, CodeMissingVariable, []string{"start"}},
		{"ErrUnknown", "{{start}}", map[string]string{"start": "2025-01-01", "zeta": "1", "alpha": "2"}, CodeUnknownVariable, []string{"alpha", "zeta"}},
		{"ErrInvalid", "{{share}}", map[string]string{"share": "150"}, CodeInvalidValue, []string{"share"}},
		{"ErrUndeclared", "{{school_year_start}}", nil, CodeUndeclaredVariable, []string{"school_year_start"}},
		{"ErrMalformed", "{{ Start }}", nil, CodeInvalidPlaceholder, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fill(tc.body, fillVars, tc.values)
			wantCode(t, err, tc.code)
			for _, n := range tc.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not name %q", err, n)
				}
			}
		})
	}
	t.Run("UnusedDeclaredVariableIsFine", func(t *testing.T) {
		got, err := Fill("plain", fillVars, map[string]string{"start": "2025-01-01"})
		if err != nil || got != "plain" {
			t.Errorf("Fill = %q, %v", got, err)
		}
	})
}
