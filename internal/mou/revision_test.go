package mou

import (
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	secs := []Section{
		{Key: "a", Heading: " Alpha ", Body: "First line.  \nSecond.\n\n\n"},
		{Key: "b", Heading: "Beta", Body: ""},
	}
	got := Canonical("Title", "\nPreamble text.\n", secs)
	want := "# Title\n\nPreamble text.\n\n## 1. Alpha\n\nFirst line.\nSecond.\n\n## 2. Beta\n\n"
	if got != want {
		t.Fatalf("Canonical =\n%q\nwant\n%q", got, want)
	}
	t.Run("Stable", func(t *testing.T) {
		if Canonical("Title", "\nPreamble text.\n", secs) != got {
			t.Fatal("Canonical is not deterministic")
		}
	})
	t.Run("NormalizesCRLF", func(t *testing.T) {
		crlf := []Section{{Key: "a", Heading: "Alpha", Body: "First line.\r\nSecond.\r\n"}, {Key: "b", Heading: "Beta"}}
		if c := Canonical("Title", "Preamble text.\r\n", crlf); c != want {
			t.Fatalf("CRLF input gave\n%q", c)
		}
		lone := []Section{{Key: "a", Heading: "Alpha", Body: "First line.\rSecond."}, {Key: "b", Heading: "Beta"}}
		if c := Canonical("Title", "Preamble text.", lone); c != want {
			t.Fatalf("CR input gave\n%q", c)
		}
	})
	t.Run("OrderSensitive", func(t *testing.T) {
		swapped := []Section{secs[1], secs[0]}
		if Hash(Canonical("Title", "Preamble text.", swapped)) == Hash(got) {
			t.Fatal("reordering sections kept the hash")
		}
	})
	t.Run("PartsJoinToCanonical", func(t *testing.T) {
		var b strings.Builder
		for _, p := range Parts("Title", "Preamble text.", secs) {
			b.WriteString(p.Text)
		}
		if b.String() != got {
			t.Fatal("Parts do not join to Canonical")
		}
	})
	t.Run("HashIsSHA256Hex", func(t *testing.T) {
		// echo -n "" | sha256sum
		if Hash("") != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
			t.Fatal("Hash is not hex SHA-256")
		}
	})
}
