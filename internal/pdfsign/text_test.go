package pdfsign

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestWinAnsiTransliterates(t *testing.T) {
	got, replaced := winAnsi("Zoë “Ortíz” – Łukasz Dvořák")
	want := []byte("Zo\xeb \x93Ort\xedz\x94 \x96 ?ukasz Dvor\xe1k")
	if !bytes.Equal(got, want) || !replaced {
		t.Fatalf("winAnsi = %q (replaced %v), want %q", got, replaced, want)
	}
	if _, replaced := winAnsi("Nelson Fialho, café"); replaced {
		t.Error("Latin-1 text reported as replaced")
	}
}

func TestTextStringRoundTrip(t *testing.T) {
	for _, s := range []string{"plain (ascii) \\", "Zoë Łukasz 李"} {
		if got := decodeText(textString(s)); got != s {
			t.Errorf("round trip %q = %q", s, got)
		}
	}
}

func TestSignRefusals(t *testing.T) {
	now := time.Now()
	ca, _ := NewCA("CA", "", now)
	s, _ := ca.Issue("Lee", "", "", now)
	signed := smallSigned(t)
	if _, err := Sign(signed, s, Request{Field: "Lee", Time: now}); !errors.Is(err, ErrFieldSigned) {
		t.Errorf("re-signing a field: err = %v, want ErrFieldSigned", err)
	}
	if _, err := Sign(signed, s, Request{Certify: true, Time: now}); err == nil {
		t.Error("certifying a signed document succeeded")
	}
	if _, err := Sign([]byte("not a pdf"), s, Request{}); !errors.Is(err, ErrNotPDF) {
		t.Errorf("err = %v, want ErrNotPDF", err)
	}
	if _, err := Sign(signed, s, Request{NewFields: []Field{{Name: "X", Page: 1}}}); err == nil {
		t.Error("NewFields without Certify accepted")
	}
}
