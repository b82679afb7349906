package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/moudesk/moudesk/internal/testtool"
)

// A CRLF copy of a file, and an NFD one, redlined against the LF original
// report no change, in every format's terms.
func TestRedlineCRLFCopyHasNoChanges(t *testing.T) {
	bench := testtool.WriteBenchMOU(t) + string(filepath.Separator)
	orig, err := os.ReadFile(bench + "mou-40p.md")
	if err != nil {
		t.Fatal(err)
	}
	src := string(orig) + "\nSigned by José Peña and Zoë Ødegaard for the café.\n"
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lf := write("lf.md", src)
	for name, text := range map[string]string{
		"crlf.md":     strings.ReplaceAll(src, "\n", "\r\n"),
		"cr.md":       strings.ReplaceAll(src, "\n", "\r"),
		"nfd-crlf.md": "\uFEFF" + norm.NFD.String(strings.ReplaceAll(src, "\n", "\r\n")),
	} {
		other := write(name, text)
		out, errOut, code := runCLI(t, "redline", lf, other)
		if code != 0 || out != "Redline: no changes.\n" || errOut != "" {
			t.Errorf("redline lf.md %s: exit %d, %q, stderr %q; want no changes", name, code, truncate(out), errOut)
		}
		out, _, code = runCLI(t, "redline", "--format", "json", other, lf)
		if code != 0 || !strings.Contains(out, `"added":0,"removed":0,"moved":0,"renamed":0,"modified":0`) || strings.Contains(out, `"op":"insert"`) {
			t.Errorf("redline --format json %s lf.md: exit %d, %s", name, code, truncate(out))
		}
	}
}

// Bytes that are not UTF-8 text are refused before anything is compared or
// rendered: exit 2, one line naming the file and the offset.
func TestDocumentCommandsRefuseNonText(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	os.WriteFile(good, []byte("# Title\n\nSome text.\n"), 0o644)
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{"latin1.md", "# Title\n\nCaf\xe9 au lait.\n", "invalid UTF-8 (byte 0xe9) at byte offset 12"},
		{"nul.md", "# Title\n\nA\x00B\n", "NUL byte at byte offset 10"},
		{"cut.md", "# Title\n\nJos\xc3", "invalid UTF-8 (byte 0xc3) at byte offset 12"},
		{"binary.md", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "invalid UTF-8 (byte 0x89) at byte offset 0"},
	} {
		bad := filepath.Join(dir, tc.name)
		os.WriteFile(bad, []byte(tc.data), 0o644)
		for _, args := range [][]string{
			{"redline", good, bad},
			{"redline", "--format", "json", bad, good},
			{"render", bad, "-o", filepath.Join(dir, "out.pdf")},
		} {
			out, errOut, code := runCLI(t, args...)
			want := "moudesk: " + bad + ": " + tc.want
			if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, want) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line starting %q", args[:len(args)-1], code, truncate(out), errOut, want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.pdf")); err == nil {
		t.Error("render wrote a PDF of a file it refused")
	}
}

// A file of random text in many scripts the fonts lack renders with a few
// summary warnings, one per kind of missing character with its count, not
// one line per character.
func TestRenderSummarisesMissingGlyphs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var b strings.Builder
	b.WriteString("# Garbage\n\n")
	for i := 0; i < 4000; i++ {
		b.WriteRune(rune(0x3400 + rng.Intn(0x9fff-0x3400))) // CJK: 2,000 and more kinds of glyph the fonts lack
		b.WriteRune(rune(0x0600 + rng.Intn(0xff)))          // Arabic
		if i%7 == 0 {
			b.WriteRune(rune(0x1F600 + rng.Intn(0x40))) // emoji
			b.WriteByte(' ')
		}
	}
	in := filepath.Join(t.TempDir(), "garbage.md")
	os.WriteFile(in, []byte(b.String()), 0o644)
	_, errOut, code := runCLI(t, "render", in, "-o", filepath.Join(t.TempDir(), "g.pdf"))
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 0 || len(lines) > 4 {
		t.Fatalf("render of random text: exit %d, %d lines of warnings:\n%s", code, len(lines), truncate(errOut))
	}
	for _, kind := range []string{"Han", "Arabic", "symbol"} {
		found := false
		for _, l := range lines {
			var n int
			if _, err := fmt.Sscanf(strings.TrimPrefix(l, "warning: "), "%d", &n); err == nil && n > 0 && strings.Contains(l, " "+kind+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no counted warning for missing %s characters:\n%s", kind, errOut)
		}
	}
}

func truncate(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
