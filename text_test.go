package moudesk

import "testing"

func TestNormalizeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain\n", "plain\n"},
		{"a\r\nb\rc\n", "a\nb\nc\n"},
		{"\r\r\n\n", "\n\n\n"},
		{"Jose\u0301 Pen\u0303a", "José Peña"}, // NFD → NFC
		{"cafe\u0301\r\n", "café\n"},
		{"\ufb01le", "\ufb01le"}, // NFC keeps compatibility ligatures
	} {
		if got := NormalizeText(tc.in); got != tc.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := NormalizeText(tc.want); got != tc.want {
			t.Errorf("NormalizeText is not idempotent on %q: %q", tc.want, got)
		}
	}
}
