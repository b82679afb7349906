package clause

import "testing"

func TestNormalize(t *testing.T) {
	cases := []struct {
		typ  VarType
		in   string
		want string // "" means an invalid_value error is expected
	}{
		{TypeDate, "2025-08-20", "2025-08-20"},
		{TypeDate, " 2024-02-29 ", "2024-02-29"},
		{TypeDate, "2023-02-29", ""},
		{TypeDate, "2025-13-01", ""},
		{TypeDate, "2025-8-20", ""},
		{TypeDate, "08/20/2025", ""},
		{TypeDate, "2025-08-20T00:00:00Z", ""},
		{TypeInteger, "2", "2"},
		{TypeInteger, "007", "7"},
		{TypeInteger, "-3", "-3"},
		{TypeInteger, "1.5", ""},
		{TypeInteger, "1e3", ""},
		{TypeInteger, "99999999999999999999", ""},
		{TypeInteger, "٣", ""},
		{TypePercent, "50", "50%"},
		{TypePercent, "12.50%", "12.5%"},
		{TypePercent, "0", "0%"},
		{TypePercent, "100.0", "100%"},
		{TypePercent, "100.01", ""},
		{TypePercent, "101", ""},
		{TypePercent, "-5", ""},
		{TypePercent, "%", ""},
		{TypePercent, "NaN", ""},
		{TypeMoney, "125000", "$125,000.00"},
		{TypeMoney, "125,000.00", "$125,000.00"},
		{TypeMoney, "$125,000", "$125,000.00"},
		{TypeMoney, "$ 417,000.5", "$417,000.50"},
		{TypeMoney, "0", "$0.00"},
		{TypeMoney, "0001000", "$1,000.00"},
		{TypeMoney, "999", "$999.00"},
		{TypeMoney, "1234567", "$1,234,567.00"},
		{TypeMoney, "-5", ""},
		{TypeMoney, "12,50", ""},
		{TypeMoney, "1,2345", ""},
		{TypeMoney, "1.234", ""},
		{TypeMoney, "$", ""},
		{TypeMoney, "12345678901234", ""},
		{TypeParty, "City of Pleasanton", "City of Pleasanton"},
		{TypeParty, "  Duluth Public Schools, ISD 709 ", "Duluth Public Schools, ISD 709"},
		{TypeParty, "Calgary Board of Education\nInjected", ""},
		{TypeText, "Amador Valley High School", "Amador Valley High School"},
		{TypeText, "José Martí Middle School", "José Martí Middle School"},
		{TypeText, "a\x00b", ""},
		{TypeText, "a\x1bb", ""},
		{TypeText, "evil\u202Etxt", ""},
		{TypeText, "\xff", ""},
		{TypeText, "   ", ""},
	}
	for _, tc := range cases {
		v := Variable{Name: "v", Type: tc.typ, Label: "Value"}
		got, err := v.Normalize(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s Normalize(%q) = %q; want error", tc.typ, tc.in, got)
				continue
			}
			e := wantCode(t, err, CodeInvalidValue)
			if e.Field != "variables.v" {
				t.Errorf("field = %q", e.Field)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s Normalize(%q) = %q, %v; want %q", tc.typ, tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeTextTooLong(t *testing.T) {
	v := Variable{Name: "v", Type: TypeParty, Label: "Party"}
	long := make([]byte, maxPartyRunes+1)
	for i := range long {
		long[i] = 'a'
	}
	_, err := v.Normalize(string(long))
	wantCode(t, err, CodeInvalidValue)
}

func TestNormalizeIsIdempotent(t *testing.T) {
	for _, tc := range []struct {
		typ VarType
		in  string
	}{{TypeMoney, "125000"}, {TypePercent, "12.50"}, {TypeDate, "2025-07-01"}, {TypeInteger, "+4"}} {
		v := Variable{Name: "v", Type: tc.typ, Label: "V"}
		once, err := v.Normalize(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		twice, err := v.Normalize(once)
		if err != nil || twice != once {
			t.Errorf("%s: Normalize(%q) = %q, %v; want %q", tc.typ, once, twice, err, once)
		}
	}
}
