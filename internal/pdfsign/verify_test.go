package pdfsign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallSigned returns a one-page PDF certified and then signed once.
func smallSigned(tb testing.TB) []byte {
	tb.Helper()
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ca.Issue("Lee", "", "", now)
	if err != nil {
		tb.Fatal(err)
	}
	p := mustSign(tb, makePDF(tb, 1), s, Request{Field: "Cert", Certify: true, Time: now,
		NewFields: []Field{{Name: "Lee", Page: 1, Rect: [4]float64{50, 50, 250, 100}}}})
	return mustSign(tb, p, s, Request{Field: "Lee", Time: now, Appearance: []string{"Lee", "Digitally signed"}})
}

var lastByteRange = regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\] *`)

// rewriteLastByteRange replaces the last /ByteRange with f(a, b, c),
// keeping its width so no offset moves.
func rewriteLastByteRange(t *testing.T, pdf []byte, f func(a, b, c int) string) []byte {
	t.Helper()
	all := lastByteRange.FindAllSubmatchIndex(pdf, -1)
	m := all[len(all)-1]
	n := func(i int) int { v, _ := strconv.Atoi(string(pdf[m[2*i]:m[2*i+1]])); return v }
	repl := "/ByteRange " + f(n(1), n(2), n(3))
	width := m[1] - m[0]
	if len(repl) > width {
		t.Fatalf("replacement %q wider than %d", repl, width)
	}
	out := append([]byte(nil), pdf...)
	copy(out[m[0]:], repl+strings.Repeat(" ", width-len(repl)))
	return out
}

func TestVerifyProblems(t *testing.T) {
	good := smallSigned(t)
	lastHex := bytes.LastIndex(good, []byte("/Contents <")) + len("/Contents <")
	garbageCMS := append([]byte(nil), good...)
	copy(garbageCMS[lastHex:], strings.Repeat("ab", 40))
	tests := []struct {
		name, want string
		pdf        []byte
	}{
		{"Appended", "not covered", append(append([]byte(nil), good...), "\n% appended\n"...)},
		{"NotFromZero", "does not start at 0", rewriteLastByteRange(t, good, func(a, b, c int) string {
			return fmt.Sprintf("[1 %d %d %d]", a-1, b, c)
		})},
		{"WiderGap", "hex string", rewriteLastByteRange(t, good, func(a, b, c int) string {
			return fmt.Sprintf("[0 %d %d %d]", a-5, b, c)
		})},
		{"OutsideFile", "outside", rewriteLastByteRange(t, good, func(a, b, c int) string {
			return fmt.Sprintf("[0 %d %d %d]", a, b, c+10)
		})},
		{"ShortCoverage", "digest mismatch", rewriteLastByteRange(t, good, func(a, b, c int) string {
			return fmt.Sprintf("[0 %d %d %d]", a, b, c-10)
		})},
		{"GarbageCMS", "CMS", garbageCMS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(context.Background(), tc.pdf, nil)
			if err != nil {
				t.Fatal(err)
			}
			last := rep.Signatures[len(rep.Signatures)-1]
			if last.Valid || !strings.Contains(last.Problem, tc.want) {
				t.Errorf("valid=%v problem=%q, want it to mention %q", last.Valid, last.Problem, tc.want)
			}
		})
	}
}

func TestVerifyNotPDF(t *testing.T) {
	good := smallSigned(t)
	selfPrev := "%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<</Size 2/Root 1 0 R/Prev 58>>\nstartxref\n58\n%%EOF\n"
	for name, pdf := range map[string][]byte{
		"Empty":      nil,
		"Text":       []byte("hello, this is not a PDF"),
		"Truncated":  good[:len(good)/2],
		"HeaderOnly": []byte("%PDF-1.7\n"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Verify(context.Background(), pdf, nil); !errors.Is(err, ErrNotPDF) {
				t.Fatalf("err = %v, want ErrNotPDF", err)
			}
		})
	}
	t.Run("PrevLoop", func(t *testing.T) {
		if _, err := Verify(context.Background(), []byte(selfPrev), nil); !errors.Is(err, ErrNotPDF) {
			t.Fatalf("err = %v, want ErrNotPDF", err)
		}
	})
	t.Run("ReferenceLoop", func(t *testing.T) {
		pdf := "%PDF-1.4\n1 0 obj\n<</Type/Catalog/AcroForm 2 0 R>>\nendobj\n2 0 obj\n3 0 R\nendobj\n3 0 obj\n2 0 R\nendobj\nxref\n0 4\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000056 00000 n\r\n0000000076 00000 n\r\ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n96\n%%EOF\n"
		rep, err := Verify(context.Background(), []byte(pdf), nil)
		if err == nil && len(rep.Signatures) != 0 {
			t.Fatalf("signatures found in a loop: %+v", rep)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Verify(ctx, good, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// FuzzVerify feeds Verify valid signed PDFs and corruptions of them; it
// must answer (report or error) without panicking or hanging.
func FuzzVerify(f *testing.F) {
	good := smallSigned(f)
	f.Add(good)
	f.Add(good[:len(good)-100])
	for _, at := range []int{10, len(good) / 3, len(good) / 2, len(good) - 40} {
		bad := append([]byte(nil), good...)
		bad[at] ^= 0xff
		f.Add(bad)
	}
	f.Add(bytes.ReplaceAll(good, []byte("/Prev"), []byte("/Prex")))
	f.Add(bytes.ReplaceAll(good, []byte("/Length"), []byte("/Length 99999999 ")))
	f.Add([]byte("%PDF-1.4\ntrailer<</Root 1 0 R>>startxref 9 %%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rep, err := Verify(ctx, data, nil)
		if err == nil && rep == nil {
			t.Fatal("nil report without error")
		}
	})
}

// FuzzSign signs arbitrary input, as `moudesk sign` does with files from
// anywhere: it must return a PDF or an error, never panic or hang, and
// whatever it returns must verify with the new signature valid.
func FuzzSign(f *testing.F) {
	good := smallSigned(f)
	f.Add(good)
	f.Add(makePDF(f, 1))
	f.Add(good[:len(good)-200])
	f.Add(bytes.ReplaceAll(good, []byte("/Resources"), []byte("/Resourcex")))
	f.Add(bytes.ReplaceAll(good, []byte("/Annots"), []byte("/Annots 9 0 R /X")))
	now := time.Now()
	ca, err := NewCA("CA", "", now)
	if err != nil {
		f.Fatal(err)
	}
	s, err := ca.Issue("Zoë Łukasz", "", "", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Sign(data, s, Request{Field: "Fuzz", FieldRect: [4]float64{10, 10, 200, 60}, Time: now,
			Appearance: []string{"Zoë Łukasz", "Digitally signed"}})
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rep, err := Verify(ctx, out, nil)
		if err != nil {
			t.Fatalf("Sign's own output does not verify: %v", err)
		}
		last := rep.Signatures[len(rep.Signatures)-1]
		if last.Field != "Fuzz" || !last.Valid {
			t.Fatalf("new signature %+v", last)
		}
	})
}
