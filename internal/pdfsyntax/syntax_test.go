package pdfsyntax

import (
	"bytes"
	"testing"
)

func TestLiteral(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   string
		next   int
		closed bool
	}{
		{`(plain) rest`, "plain", 7, true},
		{`(a (nested) b)`, "a (nested) b", 14, true},
		{`(esc \n\r\t\b\f \( \) \\)`, "esc \n\r\t\b\f ( ) \\", 25, true},
		{`(oct \101\60\0061)`, "oct A0\x061", 18, true},
		{"(line\\\r\ncont\\\nd)", "linecontd", 16, true},
		{`(\q)`, "q", 4, true},
		{`(unclosed`, "unclosed", 9, false},
		{`(ends in \`, "ends in ", 10, false},
	} {
		got, next, closed := Literal([]byte(tc.in), 0)
		if string(got) != tc.want || next != tc.next || closed != tc.closed {
			t.Errorf("Literal(%q) = %q, %d, %v; want %q, %d, %v", tc.in, got, next, closed, tc.want, tc.next, tc.closed)
		}
	}
}

func TestDecodeHex(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"48656C6c6F", []byte("Hello"), true},
		{"48 65\n6C", []byte("Hel"), true},
		{"901", []byte{0x90, 0x10}, true}, // odd final digit is followed by 0
		{"4x8", []byte{0x48}, false},      // skipped, but a strict reader refuses it
		{"", []byte{}, true},
	} {
		got, ok := DecodeHex([]byte(tc.in))
		if !bytes.Equal(got, tc.want) || ok != tc.ok {
			t.Errorf("DecodeHex(%q) = %x, %v; want %x, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSkipWhite(t *testing.T) {
	data := []byte(" \t% a comment\r\n %another\n/Name")
	if got := SkipWhite(data, 0); data[got] != '/' {
		t.Errorf("SkipWhite stopped at %d (%q), want the name", got, data[got:])
	}
	if got := SkipWhite([]byte("  % to the end"), 0); got != 14 {
		t.Errorf("SkipWhite over a trailing comment = %d, want 14", got)
	}
}
